import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { Optional } from '../http/validation';
import { FORMATS, Format, ID_PATTERN, SchemaRule, TextLength } from '../docs/request-strictness';
import { DELIVERY_FORMATS, type DeliveryFormat } from '@invoicing/invoice';
import { PaymentTermsDto } from '../partners/partner.dto';
import { PageQueryDto } from '../http/paging.dto';

/** Whether invoices need someone's approval before they are issued. */
@SchemaRule({ if: { properties: { kind: { const: 'above' } } }, then: { required: ['threshold'] } })
export class ApprovalRuleDto {
  /**
   * `none`, `always`, or `above` a threshold: then an invoice needs approval when its total with VAT is strictly
   * greater.
   * @example "above"
   */
  @IsIn(['none', 'always', 'above'])
  kind!: 'none' | 'always' | 'above';

  /**
   * For `above`: an amount in the partnership's currency, as a decimal string, not negative.
   * @example "10000.00"
   */
  @Format(FORMATS.decimal)
  @ValidateIf((rule: ApprovalRuleDto) => rule.kind === 'above')
  @IsString()
  threshold?: string;

  /**
   * Four eyes, for `always` and `above`: an approval counts only when given by none of the draft's authors (who
   * created or changed it; 409 `invoice.self_approval` when they try), at the version they reviewed (`If-Match`). Left out: as it is (false for a new partnership); `none`
   * drops it.
   * @example true
   */
  @Optional()
  @IsBoolean()
  separateApprover?: boolean;
}

/** Rules invoices of the partnership follow; a rule left out stays as it is (`none` and `pdf` for a new partnership). */
export class PartnershipPolicyDto {
  @Optional()
  @ValidateNested()
  @Type(() => ApprovalRuleDto)
  approval?: ApprovalRuleDto;

  /**
   * How issued documents are delivered to the buyer.
   * @example "ubl"
   */
  @Optional()
  @IsIn(DELIVERY_FORMATS)
  deliveryFormat?: DeliveryFormat;
}

/**
 * The numbering series of the partnership's documents (docs: numbering): 1–20 upper-case letters, digits or dashes.
 * A series left out stays as it is (`INV` and `CN` for a new partnership).
 */
export class NumberingSeriesDto {
  /** @example "INV" */
  @Format(FORMATS.series)
  @Optional()
  @IsString()
  invoice?: string;

  /** @example "CN" */
  @Format(FORMATS.series)
  @Optional()
  @IsString()
  creditNote?: string;
}

/** The terms of a partnership: they replace the current ones at once, except numbering and policy, which change only when given. */
export class PartnershipTermsDto {
  /**
   * ISO 4217 code every invoice of the partnership is in (BT-5); it cannot change while price overrides exist.
   * @example "EUR"
   */
  @Format(FORMATS.currency)
  @IsString()
  currency!: string;

  /** When invoices are due (docs: payment terms and due dates). */
  @IsObject()
  @ValidateNested()
  @Type(() => PaymentTermsDto)
  paymentTerms!: PaymentTermsDto;

  @Optional()
  @ValidateNested()
  @Type(() => NumberingSeriesDto)
  numbering?: NumberingSeriesDto;

  @Optional()
  @ValidateNested()
  @Type(() => PartnershipPolicyDto)
  policy?: PartnershipPolicyDto;

  /**
   * First day of the relationship (`YYYY-MM-DD`, included). Invoices are issued on its days, or for them: one dated
   * outside the validity is accepted when its invoicing period and its lines' periods lie within it.
   * @example "2026-01-01"
   */
  @Format(FORMATS.date)
  @IsString()
  validFrom!: string;

  /**
   * Last day (included); left out or null: open-ended. The final bill in arrears, dated the day after, is invoiced for
   * the days up to it.
   * @example "2026-12-31"
   */
  @Format(FORMATS.date)
  @IsOptional()
  @IsString()
  validUntil?: string | null;

  /**
   * The buyer's reference for the relationship (contract number …), at most 100 characters; new drafts take it as
   * buyer reference (BT-10). Left out: none.
   * @example "PO-2026-0042"
   */
  @TextLength(100)
  @Optional()
  @IsString()
  buyerReference?: string;
}

/** A new partnership between two active partners of the tenant. */
export class CreatePartnershipDto extends PartnershipTermsDto {
  /**
   * The partner who sells and issues the invoices (often the tenant's own company).
   * @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"
   */
  @Format(FORMATS.id)
  @IsString()
  sellerId!: string;

  /**
   * The partner who buys and pays; another partner than the seller.
   * @example "0193a2b4-6d7e-7f80-9a0b-1c2d3e4f5a6c"
   */
  @Format(FORMATS.id)
  @IsString()
  buyerId!: string;
}

/** A negotiated price of one marketable. */
export class PriceOverrideDto {
  /**
   * Net unit price in the partnership's currency, as a decimal string, not negative, at most 10^12 with at most 10
   * decimals; it replaces the list price on new invoice lines.
   * @example "720.00"
   */
  @Format(FORMATS.unitPrice)
  @IsString()
  unitPrice!: string;
}

export class ListPartnershipsQueryDto extends PageQueryDto {
  /** Only the partnerships this partner is the seller or the buyer of. */
  @Format(FORMATS.id)
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN)
  partner_id?: string;

}
