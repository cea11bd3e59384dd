/** Invoices as PDF for people, and Factur-X: the same PDF as PDF/A-3 carrying its CII file (ADR 0021). */
export { pdfLocale, renderInvoicePdf } from './invoice-pdf';
export type { EmbeddedFile, InvoicePdfOptions } from './invoice-pdf';
export { FACTUR_X_FILE_NAME, eInvoiceXmlOf, facturXXml, readFacturX, writeFacturX } from './factur-x';
export type { FacturXLimits } from './factur-x';
