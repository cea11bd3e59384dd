import { DomainError, ValidationError, type ValidationIssue } from '@invoicing/core';
import { EInvoiceRefusedError, type En16931, type En16931Document } from '@invoicing/invoice';
import {
  FormatError,
  facturXXml,
  readInvoice,
  renderInvoicePdf,
  writeConformingInvoice,
  writeFacturX,
  type FormatErrorCode,
  type InvoiceSyntax,
  type ReadInvoiceResult,
} from '@invoicing/integration/formats';

/** How a PDF looks beyond its document: what it is drawn with (`InvoicePdfOptions`), as a worker can be sent it. */
export interface PdfLook {
  /** A canonical locale (`pdfLocale`). */
  readonly locale: string;
  readonly seal?: { readonly position: number; readonly hash: string };
  readonly voided?: boolean;
}

/**
 * Work on a file whose cost grows with the document (ADR 0028): what a worker thread is sent. Every field is plain
 * data, copied to the thread.
 */
export type FileJob =
  /** An issued document's PDF for people (`renderInvoicePdf`). */
  | { readonly kind: 'pdf'; readonly document: En16931Document; readonly look: PdfLook }
  /** Its Factur-X, around the CII `xml` written and validated before (`writeFacturX`). */
  | { readonly kind: 'factur-x'; readonly document: En16931Document; readonly look: Omit<PdfLook, 'voided'>; readonly xml: Uint8Array }
  /** Its e-invoice written and validated (`writeConformingInvoice`), or the CII a Factur-X carries (`facturXXml`). */
  | { readonly kind: 'e-invoice'; readonly document: En16931Document; readonly syntax: InvoiceSyntax | 'factur-x' }
  /** A received file read and validated (`readInvoice`), to import it. */
  | { readonly kind: 'read'; readonly bytes: Uint8Array }
  /** A received file validated, listing at most `maxFindings` findings: its document stays on the thread. */
  | { readonly kind: 'validate'; readonly bytes: Uint8Array; readonly maxFindings: number };

/** What the validation of a file found, without the document read (which can have 10,000 lines to copy back). */
export type FileCheck = Pick<ReadInvoiceResult, 'syntax' | 'findings' | 'omittedFindings'> & { readonly number?: string };

/** What each kind of job answers. */
export interface FileJobResults {
  readonly pdf: Buffer;
  readonly 'factur-x': Buffer;
  readonly 'e-invoice': Buffer;
  readonly read: ReadInvoiceResult;
  readonly validate: FileCheck;
}

/** What a job answers. */
export type FileJobResult<J extends FileJob> = FileJobResults[J['kind']];

/**
 * Below these a job costs the event loop less than sending it to a thread and back, and waiting there behind another
 * tenant's large document: a file of 32 KiB or a document of 25 lines is read or written and validated in 10-30 ms.
 * A PDF is never small: the smallest takes 50-100 ms to draw (fonts subset, page layout).
 */
export const SMALL_FILE_BYTES = 32 * 1024;
export const SMALL_DOCUMENT_LINES = 25;

/** Whether a job runs where it is asked for, on the event loop, rather than on a worker thread. */
export function isSmall(job: FileJob): boolean {
  switch (job.kind) {
    case 'read':
    case 'validate':
      return job.bytes.byteLength <= SMALL_FILE_BYTES;
    case 'e-invoice':
      return job.document.lines.length <= SMALL_DOCUMENT_LINES;
    default:
      return false;
  }
}

/**
 * Does a job, on whichever thread calls it: the worker's (file-worker.ts) or, for a small one, the request's.
 * @throws what the formats throw: FormatError, EInvoiceRefusedError, ValidationError `pdf.invalid_locale`
 */
export async function runFileJob<J extends FileJob>(job: J): Promise<FileJobResult<J>>;
export async function runFileJob(job: FileJob): Promise<Buffer | ReadInvoiceResult | FileCheck> {
  switch (job.kind) {
    case 'pdf':
      return renderInvoicePdf(job.document, job.look);
    case 'factur-x':
      return writeFacturX(job.document, job.look, asBuffer(job.xml));
    case 'e-invoice':
      return job.syntax === 'factur-x' ? facturXXml(job.document) : writeConformingInvoice(job.document, job.syntax);
    case 'read':
      return readInvoice(job.bytes);
    case 'validate': {
      const { document, syntax, findings, omittedFindings } = await readInvoice(job.bytes, { maxFindings: job.maxFindings });
      return { syntax, ...(document.number === undefined ? {} : { number: document.number }), findings, omittedFindings };
    }
  }
}

/** What crosses from a worker thread back: a `Buffer` arrives as a plain `Uint8Array`. */
export type WireResult = Uint8Array | ReadInvoiceResult | FileCheck;

/** A job's result as it came from a worker, as `runFileJob` answers it. */
export function fromWire<J extends FileJob>(kind: J['kind'], value: WireResult): FileJobResult<J> {
  return (value instanceof Uint8Array ? asBuffer(value) : value) as FileJobResult<J>;
}

/**
 * A result's bytes moved to the other thread rather than copied. Only an `ArrayBuffer` the result owns whole can
 * move: a small `Buffer` is a slice of Node's shared pool, which must stay where it is.
 */
export function transferOf(value: WireResult): ArrayBuffer[] {
  if (!(value instanceof Uint8Array) || !(value.buffer instanceof ArrayBuffer)) return [];
  return value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? [value.buffer] : [];
}

type RefusalCode = ConstructorParameters<typeof EInvoiceRefusedError>[0];

/** An error as a worker sends it: what the API answers with is rebuilt on the other side by `fromWireError`. */
export type WireError =
  | { readonly type: 'FormatError'; readonly code: FormatErrorCode; readonly message: string; readonly details: Readonly<Record<string, unknown>> }
  | { readonly type: 'EInvoiceRefusedError'; readonly code: RefusalCode; readonly message: string; readonly findings: readonly En16931.Finding[]; readonly omittedFindings: number }
  | { readonly type: 'ValidationError'; readonly code: string; readonly issues: readonly ValidationIssue[] }
  | { readonly type: 'DomainError'; readonly code: string; readonly message: string; readonly details: Readonly<Record<string, unknown>> }
  | { readonly type: 'Error'; readonly message: string; readonly stack?: string };

export function toWireError(error: unknown): WireError {
  if (error instanceof FormatError) return { type: 'FormatError', code: error.code, message: error.message, details: { ...error.details } };
  if (error instanceof EInvoiceRefusedError) {
    const { findings, omittedFindings } = error.details as { findings: readonly En16931.Finding[]; omittedFindings?: number };
    return { type: 'EInvoiceRefusedError', code: error.code as RefusalCode, message: error.message, findings, omittedFindings: omittedFindings ?? 0 };
  }
  if (error instanceof ValidationError) return { type: 'ValidationError', code: error.code, issues: error.issues };
  if (error instanceof DomainError) return { type: 'DomainError', code: error.code, message: error.message, details: { ...error.details } };
  const failure = error instanceof Error ? error : new Error(String(error));
  return { type: 'Error', message: failure.message, ...(failure.stack === undefined ? {} : { stack: failure.stack }) };
}

/** The error a worker sent, of the class it was thrown as, so the API answers it as if thrown here. */
export function fromWireError(wire: WireError): Error {
  switch (wire.type) {
    case 'FormatError':
      return new FormatError(wire.code, wire.message, wire.details);
    case 'EInvoiceRefusedError':
      return new EInvoiceRefusedError(wire.code, wire.message, wire.findings, wire.omittedFindings);
    case 'ValidationError':
      return new ValidationError(wire.issues, wire.code);
    case 'DomainError':
      return new DomainError(wire.code, wire.message, wire.details);
    case 'Error': {
      const error = new Error(`a file worker failed: ${wire.message}`);
      if (wire.stack !== undefined) error.stack = wire.stack;
      return error;
    }
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
