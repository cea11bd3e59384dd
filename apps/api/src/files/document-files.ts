import { InvalidStateError } from '@invoicing/core';
import { EInvoiceRefusedError, type InvoiceState } from '@invoicing/invoice';

/**
 * A file an issued document is handed out as, with what its bytes depend on besides the document's content, which is
 * frozen at issue: a PDF's locale, its VOID stamp and the seal it prints (sealed after issue, ADR 0022). Payments and
 * credits are in none of them.
 */
export type DocumentFile =
  | { readonly kind: 'ubl' | 'cii' | 'factur-x-xml' }
  | { readonly kind: 'pdf'; readonly locale: string; readonly voided: boolean }
  | { readonly kind: 'factur-x'; readonly locale: string };

/** An issued document: what a file of it is keyed by. */
export type IssuedDocument = Pick<InvoiceState, 'tenantId' | 'id' | 'seal'> & { readonly number: string; readonly issuedAt?: Date };

/** Bytes of files (and refusals) kept by default: a few of the largest documents (10,000 lines: about 10 MB of UBL). */
export const DEFAULT_DOCUMENT_FILES_BYTES = 64 * 1024 * 1024;

/** What a refusal is counted as, per finding it names (its message, rule, term and place). */
const BYTES_PER_FINDING = 512;

interface Kept {
  readonly file?: Buffer;
  readonly refused?: EInvoiceRefusedError;
  readonly bytes: number;
}

/** How a cache of files answered so far. */
export interface DocumentFilesCounts {
  /** Files (or refusals) made: `write` called. */
  readonly written: number;
  /** Answers without a writing of their own: from memory, or sharing one under way. */
  readonly kept: number;
}

/**
 * The files of issued documents (UBL, CII, a Factur-X's CII, PDFs), each made once per process and kept, least
 * recently used first out, within a number of bytes (ADR 0016, ADR 0028). Drawing the PDF of the largest document
 * (10,000 lines) takes 5-6 s of a thread, writing and validating its UBL 1-2 s: asked again and again, it would cost
 * that each time. A file of an issued document never changes but through what its key holds (see
 * {@link DocumentFile}), so a file, or the refusal of one, is the same at every download. Requests that ask at the
 * same moment share one writing.
 */
export class DocumentFiles {
  private readonly kept = new Map<string, Kept>();
  private readonly writing = new Map<string, Promise<Buffer>>();
  private bytes = 0;
  private tally = { written: 0, kept: 0 };

  constructor(private readonly limit: number = DEFAULT_DOCUMENT_FILES_BYTES) {}

  get counts(): DocumentFilesCounts {
    return { ...this.tally };
  }

  /**
   * The file of an issued document, from `write` the first time: ask before mapping the document, which `write`
   * alone needs. @throws what `write` throws (a refusal, `EInvoiceRefusedError`, again at each ask)
   */
  async of(document: IssuedDocument, file: DocumentFile, write: () => Promise<Buffer>): Promise<Buffer> {
    const key = keyOf(document, file);
    const kept = this.kept.get(key);
    if (kept) {
      this.tally.kept += 1;
      this.kept.delete(key);
      this.kept.set(key, kept);
      if (kept.refused) throw kept.refused;
      return kept.file as Buffer;
    }
    const pending = this.writing.get(key);
    if (pending) {
      this.tally.kept += 1;
      return pending;
    }
    this.tally.written += 1;
    const written = write().then(
      (bytes) => {
        this.keep(key, { file: bytes, bytes: bytes.length });
        return bytes;
      },
      (error: unknown) => {
        if (error instanceof EInvoiceRefusedError) this.keep(key, { refused: error, bytes: BYTES_PER_FINDING * (1 + findingsOf(error)) });
        throw error;
      },
    );
    this.writing.set(key, written);
    try {
      return await written;
    } finally {
      this.writing.delete(key);
    }
  }

  private keep(key: string, entry: Kept): void {
    if (entry.bytes > this.limit) return;
    this.kept.set(key, entry);
    this.bytes += entry.bytes;
    for (const [oldest, { bytes }] of this.kept) {
      if (this.bytes <= this.limit) break;
      this.kept.delete(oldest);
      this.bytes -= bytes;
    }
  }
}

/**
 * The document as an issued one, which has a file: a draft has no number and no frozen parties.
 * @throws InvalidStateError `invoice.not_issued`
 */
export function issuedDocument(state: InvoiceState): InvoiceState & IssuedDocument {
  if (state.number === undefined || state.issueDate === undefined || state.seller === undefined || state.buyer === undefined) {
    throw new InvalidStateError('invoice.not_issued', `Invoice ${state.id} is a draft: only an issued document has the number and frozen parties its files need.`, { invoiceId: state.id });
  }
  return state as InvoiceState & IssuedDocument;
}

/**
 * Tenant, id, number and issue time (a key stays one document's whatever a test bed or a restore does with ids), the
 * kind of file, and for a PDF what it looks like; a JSON array, so no value can make two keys equal.
 */
function keyOf(document: IssuedDocument, file: DocumentFile): string {
  const key: (string | number | boolean)[] = [document.tenantId, document.id, document.number, document.issuedAt?.toISOString() ?? '', file.kind];
  if (file.kind === 'pdf' || file.kind === 'factur-x') key.push(file.locale, document.seal?.position ?? 0, document.seal?.hash ?? '');
  if (file.kind === 'pdf') key.push(file.voided);
  return JSON.stringify(key);
}

function findingsOf(error: EInvoiceRefusedError): number {
  const findings = error.details['findings'];
  return Array.isArray(findings) ? findings.length : 0;
}
