import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Optional } from '../http/validation';
import { FORMATS, Format, ID_PATTERN, TextLength } from '../docs/request-strictness';
import { DECIMAL_MAX_LENGTH } from '@invoicing/core';
import { INVOICE_STATUSES, VAT_CATEGORY_CODES, type InvoiceStatus, type VatCategoryCode } from '@invoicing/invoice';
import { OmitType } from '@nestjs/swagger';
import { PageQueryDto } from '../http/paging.dto';
import { RecordPaymentDto } from '../payments/payment.dto';

/** A VAT category and rate (BT-151 / BT-152, BT-95 / BT-96). See the docs: totals, taxes and rounding. */
export class VatCategoryDto {
  /**
   * `S` standard, `Z` zero rated, `E` exempt, `AE` reverse charge, `K` intra-community, `G` export, `O` not subject,
   * `L` Canary Islands, `M` Ceuta and Melilla.
   * @example "S"
   */
  @IsIn(VAT_CATEGORY_CODES)
  code!: VatCategoryCode;

  /**
   * Percent, as a decimal string; required for `S`, `L` and `M`, 0 when left out for `Z`, `E`, `AE`, `K`, `G`,
   * absent or null for `O`.
   * @example "20"
   */
  @Format(FORMATS.percent)
  @IsOptional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  rate?: string | null;

  /**
   * Why no VAT is charged (BT-120): required for `E`, `AE`, `K`, `G` and `O` (this or the code), refused otherwise.
   * @example "Intra-community supply"
   */
  @TextLength(1000)
  @Optional()
  @IsString()
  exemptionReason?: string;

  /**
   * VATEX code of the exemption (BT-121): one of the CEF VATEX list, any letter case (`vat.unknown_exemption_code`
   * otherwise, BR-CL-22), wherever a VAT category is given: lines, marketables, billing plans, one-off charges.
   * @example "VATEX-EU-IC"
   */
  @TextLength(30)
  @Optional()
  @IsString()
  exemptionReasonCode?: string;
}

/**
 * An allowance (discount) or charge (fee): a fixed `amount`, or a `percent` of `baseAmount` (on a line, of the
 * line's gross amount when no base is given). Needs a `reason` or a `reasonCode`.
 */
export class AllowanceChargeDto {
  /**
   * Decimal string in the invoice currency.
   * @example "5.00"
   */
  @Format(FORMATS.decimal)
  @Optional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  amount?: string;

  /**
   * Decimal string, e.g. `"10"` for 10 %.
   * @example "10"
   */
  @Format(FORMATS.decimal)
  @Optional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  percent?: string;

  /**
   * What `percent` applies to: a decimal string in the invoice currency.
   * @example "200.00"
   */
  @Format(FORMATS.decimal)
  @Optional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  baseAmount?: string;

  /** @example "Loyalty discount" */
  @TextLength(500)
  @Optional()
  @IsString()
  reason?: string;

  /**
   * UNTDID 5189 code for an allowance (`95`, `100` …), UNTDID 7161 code for a charge (`FC`, `ABL` …):
   * `allowance_charge.unknown_reason_code` otherwise (BR-CL-19, BR-CL-20).
   * @example "95"
   */
  @TextLength(10)
  @Optional()
  @IsString()
  reasonCode?: string;
}

/** A document-level allowance or charge (BG-20 / BG-21): it says which VAT category it falls in. */
export class DocumentAllowanceChargeDto extends AllowanceChargeDto {
  @ValidateNested()
  @Type(() => VatCategoryDto)
  vat!: VatCategoryDto;
}

/** The days an invoice (BG-14) or a line (BG-26) is for, both included: a start, an end or both. */
export class InvoicePeriodDto {
  /**
   * BT-73, BT-134
   * @example "2026-02-01"
   */
  @Format(FORMATS.date)
  @Optional()
  @IsString()
  start?: string;

  /**
   * BT-74, BT-135: on or after the start.
   * @example "2026-02-28"
   */
  @Format(FORMATS.date)
  @Optional()
  @IsString()
  end?: string;
}

/**
 * One line (BG-25). With a `marketableId`, what is left out comes from the catalogue: name, unit, VAT, and the price
 * (the partnership's negotiated price, else the list price in the invoice currency), which is per one of the
 * marketable's units: another `unitCode` or a `priceBaseQuantity` other than 1 needs the line's own `netPrice`.
 * Without a `marketableId`, `name`, `unitCode`, `netPrice` and `vat` are required.
 */
export class DraftLineDto {
  /**
   * BT-126: unique within the document; `"1"`, `"2"` … by position when left out.
   * @example "1"
   */
  @TextLength(50)
  @Optional()
  @IsString()
  id?: string;

  /** A marketable of the catalogue. */
  @Format(FORMATS.id)
  @Optional()
  @IsString()
  marketableId?: string;

  /**
   * BT-153
   * @example "Consulting"
   */
  @Optional()
  @IsString()
  name?: string;

  /** BT-154 */
  @TextLength(2000)
  @Optional()
  @IsString()
  description?: string;

  /**
   * BT-155, e.g. the SKU.
   * @example "CONS-H"
   */
  @TextLength(100)
  @Optional()
  @IsString()
  sellerItemId?: string;

  /** BG-26: the days the line is for. */
  @Optional()
  @ValidateNested()
  @Type(() => InvoicePeriodDto)
  period?: InvoicePeriodDto;

  /**
   * BT-129, a decimal string; negative for returns.
   * @example "2"
   */
  @Format(FORMATS.decimal)
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  quantity!: string;

  /**
   * BT-130, UN/ECE Recommendation 20 code: `C62` one, `HUR` hour, `DAY` day …
   * @example "C62"
   */
  @Format(FORMATS.unitCode)
  @Optional()
  @IsString()
  unitCode?: string;

  /**
   * BT-146: net price per `priceBaseQuantity` units, a decimal string (may have more decimals than the currency).
   * @example "10.00"
   */
  @Format(FORMATS.decimal)
  @Optional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  netPrice?: string;

  /**
   * BT-149: how many units the price is for; 1 when left out.
   * @example "1"
   */
  @Format(FORMATS.decimal)
  @Optional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  priceBaseQuantity?: string;

  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AllowanceChargeDto)
  allowances?: AllowanceChargeDto[];

  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AllowanceChargeDto)
  charges?: AllowanceChargeDto[];

  @Optional()
  @ValidateNested()
  @Type(() => VatCategoryDto)
  vat?: VatCategoryDto;
}

/** Document-level allowances and charges (BG-20, BG-21), on a draft and on a credit note. */
export class DocumentAllowancesAndChargesDto {
  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DocumentAllowanceChargeDto)
  allowances?: DocumentAllowanceChargeDto[];

  @Optional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DocumentAllowanceChargeDto)
  charges?: DocumentAllowanceChargeDto[];
}

/** The content of a draft. An update replaces all of it: what is left out is removed. */
export class DraftContentDto extends DocumentAllowancesAndChargesDto {
  /** A draft may have no lines yet; issuing needs at least one. */
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => DraftLineDto)
  lines!: DraftLineDto[];


  /**
   * BT-2, planned: the day of issue when left out.
   * @example "2026-03-01"
   */
  @Format(FORMATS.date)
  @Optional()
  @IsString()
  issueDate?: string;

  /**
   * BT-9: computed from the payment terms at issue when left out.
   * @example "2026-03-31"
   */
  @Format(FORMATS.date)
  @Optional()
  @IsString()
  dueDate?: string;

  /**
   * BT-13
   * @example "PO-2026-117"
   */
  @TextLength(100)
  @Optional()
  @IsString()
  purchaseOrderReference?: string;

  /** BT-10: the partnership's buyer reference when left out. */
  @TextLength(100)
  @Optional()
  @IsString()
  buyerReference?: string;

  /**
   * BG-14: the days the invoice is for. An invoice dated after its partnership's validity ended may be drafted and
   * issued when every date of its period falls within that validity (the final bill of supplies made while it held).
   */
  @Optional()
  @ValidateNested()
  @Type(() => InvoicePeriodDto)
  invoicePeriod?: InvoicePeriodDto;

  /** BT-22 */
  @TextLength(5000, { each: true })
  @Optional()
  @IsArray()
  @IsString({ each: true })
  notes?: string[];

  /**
   * BT-113: paid before issue, a decimal string in the invoice currency; 0 when left out.
   * @example "0.00"
   */
  @Format(FORMATS.decimal)
  @Optional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  prepaidAmount?: string;

  /**
   * BT-114: added to make the amount due round; 0 when left out.
   * @example "0.00"
   */
  @Format(FORMATS.decimal)
  @Optional()
  @IsString()
  @MaxLength(DECIMAL_MAX_LENGTH)
  roundingAmount?: string;

  /** A contact of the seller, named on the invoice (BG-6). */
  @Format(FORMATS.id)
  @Optional()
  @IsString()
  sellerContactId?: string;

  /** A contact of the buyer, named on the invoice (BG-9). */
  @Format(FORMATS.id)
  @Optional()
  @IsString()
  buyerContactId?: string;
}

/** A new draft under a partnership, which gives seller, buyer, currency, payment terms and series. */
export class CreateInvoiceDto extends DraftContentDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  @Format(FORMATS.id)
  @IsString()
  partnershipId!: string;

  /**
   * Your own reference (e.g. the id in the system the invoice comes from): unique per seller and buyer, refused
   * with 409 `invoice.duplicate_external_reference` when used before. Cannot be changed later.
   * @example "ERP-2026-0042"
   */
  @Optional()
  @IsString()
  @MaxLength(100)
  externalReference?: string;

  /**
   * `true` issues the invoice in the same request: it is checked and numbered as `POST /v1/invoices/{invoiceId}/issue`
   * does, and the answer is the issued invoice; when it cannot be issued (policy, completeness), nothing is stored.
   * Needs permission `invoices:write`, as issuing does (403 `auth.forbidden` for an integrator). Send an `Idempotency-Key`: a retry of a request whose answer was lost then gets the same invoice and number.
   * Default `false`: a draft.
   * @example false
   */
  @Optional()
  @IsBoolean()
  issue?: boolean;
}

export class VoidInvoiceDto {
  /**
   * Kept on the invoice (at most 500 characters).
   * @example "Sent twice"
   */
  @TextLength(500)
  @Optional()
  @IsString()
  reason?: string;
}

/** A credit note: without `lines`, a full credit of the invoice; with, a credit of those lines only. */
export class CreateCreditNoteDto extends DocumentAllowancesAndChargesDto {
  /**
   * The lines to credit; left out, all the invoice's lines, allowances and charges. A line naming a marketable the
   * invoice charged takes its price, unit and VAT (with its own `netPrice`, still the VAT it was charged at, given when
   * it was charged at several); one naming another marketable gives its own `netPrice` and `vat`.
   */
  @Optional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => DraftLineDto)
  lines?: DraftLineDto[];

  /**
   * Why the invoice is credited; becomes a note of the credit note (BT-22).
   * @example "Returned goods"
   */
  @TextLength(500)
  @Optional()
  @IsString()
  reason?: string;

  /**
   * Your own reference of the credit note; unique together with the invoices' of the same seller and buyer.
   * @example "ERP-CN-0007"
   */
  @Optional()
  @IsString()
  @MaxLength(100)
  externalReference?: string;
}

/** Money received from the invoice's buyer for this invoice: a partner's payment, without `applyTo`. */
export class RecordInvoicePaymentDto extends OmitType(RecordPaymentDto, ['applyTo'] as const) {}

/** A query parameter given once as a comma-separated list, or repeated. */
const list = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value);

export class ListInvoicesQueryDto extends PageQueryDto {
  /**
   * Only documents in one of these statuses: comma-separated (`status=issued,partially_paid`) or repeated.
   * @example ["issued", "partially_paid"]
   */
  @IsOptional()
  @Transform(list)
  @IsArray()
  @IsIn(INVOICE_STATUSES, { each: true })
  status?: InvoiceStatus[];

  /** Only invoices, or only credit notes. */
  @IsOptional()
  @IsIn(['invoice', 'credit_note'])
  kind?: 'invoice' | 'credit_note';

  /** Only documents where this partner is the seller or the buyer. */
  @Format(FORMATS.id)
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  partner_id?: string;

  /**
   * Issued on or after this day (drafts never match a date filter).
   * @example "2026-01-01"
   */
  @Format(FORMATS.date)
  @IsOptional()
  @IsString()
  issued_from?: string;

  /**
   * Issued on or before this day.
   * @example "2026-03-31"
   */
  @Format(FORMATS.date)
  @IsOptional()
  @IsString()
  issued_to?: string;

  /**
   * Only invoices past due on this day: still owed (`issued` or `partially_paid`) with a due date before it.
   * @example "2026-04-01"
   */
  @Format(FORMATS.date)
  @IsOptional()
  @IsString()
  overdue_as_of?: string;

}

/** Which syntax an e-invoice file is written in. */
export class EInvoiceQueryDto {
  /** `ubl`: UBL 2.1 (Peppol BIS Billing 3.0, EN 16931 core); `cii`: UN/CEFACT CII D16B (Factur-X EN 16931, XRechnung). @example "ubl" */
  @IsOptional()
  @IsIn(['ubl', 'cii'])
  syntax?: 'ubl' | 'cii';
}

/** How an invoice's PDF is made. */
export class InvoicePdfQueryDto {
  /** `pdf`: the PDF for people; `factur-x`: the same as PDF/A-3b carrying the invoice as CII (`factur-x.xml`). @example "pdf" */
  @IsOptional()
  @IsIn(['pdf', 'factur-x'])
  format?: 'pdf' | 'factur-x';

  /** The language amounts and dates are written in (BCP 47), `en-GB` by default; the labels are in English. @example "de-DE" */
  @IsOptional()
  @Matches(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/)
  locale?: string;
}
