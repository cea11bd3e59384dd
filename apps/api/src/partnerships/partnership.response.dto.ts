import type { DeliveryFormat } from '@invoicing/invoice';
import { PaymentTermsViewDto } from '../partners/partner.response.dto';
import { MoneyDto, PageDto } from '../http/responses';

export class ApprovalRuleViewDto {
  /** @example "above" */
  kind!: 'none' | 'always' | 'above';
  /** For `above`: invoices with a greater total with VAT need approval. */
  threshold?: MoneyDto;
  /** Present (true) when an approval counts only from none of the draft's authors. */
  separateApprover?: true;
}

export class PartnershipPolicyViewDto {
  approval!: ApprovalRuleViewDto;
  /** @example "pdf" */
  deliveryFormat!: DeliveryFormat;
}

export class NumberingSeriesViewDto {
  /** @example "INV" */
  invoice!: string;
  /** @example "CN" */
  creditNote!: string;
}

/** A negotiated unit price, in the partnership's currency. */
export class PriceOverrideViewDto {
  /** @example "0193a2b4-7e8f-7091-9a0b-1c2d3e4f5a6d" */
  marketableId!: string;
  /** @example "720" */
  unitPrice!: string;
}

/** The commercial relationship between a seller and a buyer, with everything their invoices follow. */
export class PartnershipDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  id!: string;
  /** Increases with every change; the ETag. */
  version!: number;
  sellerId!: string;
  buyerId!: string;
  /** @example "EUR" */
  currency!: string;
  paymentTerms!: PaymentTermsViewDto;
  priceOverrides!: PriceOverrideViewDto[];
  numbering!: NumberingSeriesViewDto;
  policy!: PartnershipPolicyViewDto;
  status!: 'active' | 'suspended' | 'ended';
  /** @example "2026-01-01" */
  validFrom!: string;
  /** @example "2026-12-31" */
  validUntil?: string;
  /** @example "PO-2026-0042" */
  buyerReference?: string;
  createdAt!: Date;
  updatedAt!: Date;
}

export class PartnershipPageDto extends PageDto {
  items!: PartnershipDto[];
}
