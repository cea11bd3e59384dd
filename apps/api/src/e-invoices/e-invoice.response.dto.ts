import { InvoiceDto } from '../invoices/invoice.response.dto';

/** One broken rule of an e-invoice, as the official EN 16931 validator would name it. */
export class EInvoiceFindingDto {
  /** The official rule id (`BR-CO-10`, `BR-S-08`, `UBL-SR-12`, `CII-SR-001` …), or `XSD` for the syntax's schema. @example "BR-CO-10" */
  rule!: string;
  /** `fatal` makes the document non-compliant; a `warning` does not. @example "fatal" */
  severity!: 'fatal' | 'warning';
  /** @example "Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131)" */
  message!: string;
  /** The EN 16931 business term or group the rule is about. @example "BT-106" */
  term?: string;
  /** Where in the semantic model. @example "totals.lineNetTotal" */
  pointer?: string;
  /** Where in the file. @example "/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount" */
  xpath?: string;
  /** @example 271 */
  line?: number;
  /** @example 9 */
  column?: number;
}

/** What the validation of an e-invoice file found. */
export class EInvoiceValidationDto {
  /** The syntax read from the root element: UBL 2.1 or UN/CEFACT CII D16B. @example "ubl" */
  syntax!: 'ubl' | 'cii';
  /** BT-1 as the file states it, when it does. @example "TOSL110" */
  number?: string;
  /** True when no finding is fatal. @example false */
  valid!: boolean;
  /** The findings, fatal first: every one, up to the first 1,000. */
  findings!: EInvoiceFindingDto[];
  /** The findings after the first 1,000, counted and not listed: 0 when `findings` has them all. @example 0 */
  omittedFindings!: number;
}

/** An e-invoice imported as a draft. */
export class EInvoiceImportDto {
  /** The draft, its amounts computed by the platform and equal to those the file states. */
  invoice!: InvoiceDto;
  /**
   * The business terms the file states that an invoice does not record yet (delivery, payment instructions,
   * attachments …), so that nothing is dropped without saying so. @example ["BG-13 delivery", "BG-16 payment instructions"]
   */
  notRecorded!: string[];
  /** The file's findings that are warnings (none is fatal, or it would not have been imported). */
  warnings!: EInvoiceFindingDto[];
}
