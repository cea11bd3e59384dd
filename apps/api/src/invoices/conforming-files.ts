import { Injectable } from '@nestjs/common';
import { EInvoiceRefusedError, type InvoiceState } from '@invoicing/invoice';

/** The files an issued document is handed out as, each written and validated once. */
export type ConformingFileKind = 'ubl' | 'cii' | 'factur-x';

/** Bytes of files (and refusals) kept by default: a few of the largest documents (10,000 lines: about 10 MB each). */
export const DEFAULT_CONFORMING_FILES_BYTES = 64 * 1024 * 1024;

/** What a refusal is counted as, per finding it names (its message, rule, term and place). */
const BYTES_PER_FINDING = 512;

interface Kept {
  readonly file?: Buffer;
  readonly refused?: EInvoiceRefusedError;
  readonly bytes: number;
}

/**
 * The e-invoice files (UBL, CII, and the CII a Factur-X carries) of issued documents, written and validated once per
 * process and kept, least recently used first out, within a number of bytes. Writing and validating the largest
 * document (10,000 lines) takes the event loop 1-2 s: asked again and again, it would hold every other request each
 * time. What an issued document is handed out as never changes (its content is frozen at issue; payments, credits and
 * its seal are not in the XML), so a file, or the refusal of one, is the same at every download. Requests that ask at
 * the same moment share one writing.
 */
@Injectable()
export class ConformingFiles {
  private readonly kept = new Map<string, Kept>();
  private readonly writing = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(private readonly limit: number = DEFAULT_CONFORMING_FILES_BYTES) {}

  /** The file of `kind` of an issued document, from `write` the first time. @throws what `write` throws */
  async of(state: InvoiceState, kind: ConformingFileKind, write: () => Promise<Buffer>): Promise<Buffer> {
    // Number and issue time too: a key stays one document's, whatever a test bed or a restore does with ids.
    const key = `${state.tenantId}\u0000${state.id}\u0000${state.number ?? ''}\u0000${state.issuedAt?.toISOString() ?? ''}\u0000${kind}`;
    const kept = this.kept.get(key);
    if (kept) {
      this.kept.delete(key);
      this.kept.set(key, kept);
      if (kept.refused) throw kept.refused;
      return kept.file as Buffer;
    }
    const pending = this.writing.get(key);
    if (pending) return pending;
    const written = write().then(
      (file) => {
        this.keep(key, { file, bytes: file.length });
        return file;
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

function findingsOf(error: EInvoiceRefusedError): number {
  const findings = error.details['findings'];
  return Array.isArray(findings) ? findings.length : 0;
}
