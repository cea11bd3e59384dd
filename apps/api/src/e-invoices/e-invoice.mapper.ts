import { definedFields } from '@invoicing/core';
import type { ImportedEInvoice } from '@invoicing/invoice';
import type { FileFinding, ReadInvoiceResult } from '@invoicing/integration/formats';
import type { FileCheck } from '../files';
import { toInvoiceResponse } from '../invoices/invoice.mapper';
import type { EInvoiceFindingDto, EInvoiceImportDto, EInvoiceValidationDto } from './e-invoice.response.dto';

/** One finding, field by field: what the reader adds to findings later reaches clients only once the DTO declares it. */
export function toEInvoiceFindingResponse(finding: FileFinding): EInvoiceFindingDto {
  return {
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
    ...definedFields({ term: finding.term, pointer: finding.pointer, xpath: finding.xpath, line: finding.line, column: finding.column }),
  };
}

/**
 * What validating a file found, as a worker checked it (`FileCheck`) or as read (`readInvoice`); the document itself is
 * not answered (nothing is stored), only its number.
 */
export function toEInvoiceValidationResponse(check: FileCheck | ReadInvoiceResult): EInvoiceValidationDto {
  const { syntax, findings, omittedFindings } = check;
  return {
    syntax,
    ...definedFields({ number: 'document' in check ? check.document.number : check.number }),
    // Fatal findings come first: one left out means one listed.
    valid: !findings.some((finding) => finding.severity === 'fatal'),
    findings: findings.map(toEInvoiceFindingResponse),
    omittedFindings,
  };
}

/** An imported file: the draft it became, what the draft does not record, and the file's warnings. */
export function toEInvoiceImportResponse({ invoice, notRecorded }: ImportedEInvoice, warnings: readonly FileFinding[]): EInvoiceImportDto {
  return { invoice: toInvoiceResponse(invoice), notRecorded: [...notRecorded], warnings: warnings.map(toEInvoiceFindingResponse) };
}
