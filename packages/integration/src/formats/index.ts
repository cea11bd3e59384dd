/**
 * `@invoicing/integration/formats`: e-invoices in and out, and accounts-receivable CSV files in. UBL 2.1 and CII D16B read into the EN 16931 semantic model
 * and written from it, the official XSDs and the EN 16931 rules checked in process (ADR 0014, ADR 0015). Loads no
 * mongoose.
 * @packageDocumentation
 */
export { DEFAULT_MAX_LINES, XSD_RULE, readInvoice, validate, writeConformingInvoice, writeInvoice } from './e-invoice';
export type { FileFinding, InvoiceSyntax, ReadInvoiceOptions, ReadInvoiceResult } from './e-invoice';
export { FormatError } from './xml';
export type { FormatErrorCode } from './xml';
export * from './csv';
export * from './pdf';
