import { MoneyDto, PageDto } from '../http/responses';
import { PartnerIdentifiersDto, PostalAddressDto } from '../partners/partner.dto';
import { PaymentTermsViewDto } from '../partners/partner.response.dto';

type InvoiceStatus = 'draft' | 'issued' | 'partially_paid' | 'paid' | 'void' | 'uncollectible' | 'credited';

export class VatCategoryViewDto {
  /** @example "S" */
  code!: 'S' | 'Z' | 'E' | 'AE' | 'K' | 'G' | 'O' | 'L' | 'M';
  /** Percent as a decimal string; null for category O. @example "20" */
  rate!: string | null;
  exemptionReason?: string;
  exemptionReasonCode?: string;
}

export class AllowanceChargeViewDto {
  /** Rounded to the currency. */
  amount!: MoneyDto;
  /** @example "10" */
  percent?: string;
  baseAmount?: MoneyDto;
  reason?: string;
  reasonCode?: string;
}

export class DocumentAllowanceChargeViewDto extends AllowanceChargeViewDto {
  vat!: VatCategoryViewDto;
}

/** The days an invoice (BG-14: BT-73, BT-74) or a line (BG-26: BT-134, BT-135) is for, both included; one of the two may be absent. */
export class InvoicePeriodViewDto {
  /** @example "2026-02-01" */
  start?: string;
  /** @example "2026-02-28" */
  end?: string;
}

/** One line (BG-25) with its net amount. */
export class InvoiceLineDto {
  /** BT-126 @example "1" */
  id!: string;
  marketableId?: string;
  /** @example "Consulting" */
  name!: string;
  description?: string;
  sellerItemId?: string;
  /** BG-26 */
  period?: InvoicePeriodViewDto;
  /** @example "2" */
  quantity!: string;
  /** @example "C62" */
  unitCode!: string;
  /** @example "10" */
  netPrice!: string;
  /** @example "1" */
  priceBaseQuantity!: string;
  allowances!: AllowanceChargeViewDto[];
  charges!: AllowanceChargeViewDto[];
  vat!: VatCategoryViewDto;
  /** BT-131: quantity × price ÷ base quantity + charges − allowances, rounded half-up. */
  netAmount!: MoneyDto;
}

/** One entry of the VAT breakdown (BG-23): one per category and rate. */
export class VatBreakdownDto {
  category!: VatCategoryViewDto;
  /** BT-116 */
  taxableAmount!: MoneyDto;
  /** BT-117: taxable amount × rate ÷ 100, rounded half-up. */
  taxAmount!: MoneyDto;
}

/** Document totals (BG-22). */
export class InvoiceTotalsDto {
  /** BT-106 */
  lineTotal!: MoneyDto;
  /** BT-107 */
  allowanceTotal!: MoneyDto;
  /** BT-108 */
  chargeTotal!: MoneyDto;
  /** BT-109 */
  taxExclusive!: MoneyDto;
  /** BT-110 */
  taxTotal!: MoneyDto;
  /** BT-112 */
  taxInclusive!: MoneyDto;
  /** BT-113 */
  prepaid!: MoneyDto;
  /** BT-114 */
  rounding!: MoneyDto;
  /** BT-115: what the buyer was asked to pay at issue. */
  amountDue!: MoneyDto;
}

/** Seller or buyer as frozen at issue (BG-4 / BG-7). */
export class PartySnapshotDto {
  partnerId!: string;
  /** @example "Acme Industries SAS" */
  legalName!: string;
  tradingName?: string;
  identifiers!: PartnerIdentifiersDto;
  address?: PostalAddressDto;
  contact?: { id: string; name: string; email?: string; phone?: string };
}

export class AppliedPaymentDto {
  paymentId!: string;
  amount!: MoneyDto;
  /** @example "2026-03-15" */
  appliedOn!: string;
}

/** Part of a payment's application that a credit note took back: the payment's unapplied credit again. */
export class ReturnedPaymentDto {
  paymentId!: string;
  amount!: MoneyDto;
}

export class AppliedCreditDto {
  creditNoteId!: string;
  /** @example "CN-000001" */
  creditNoteNumber!: string;
  amount!: MoneyDto;
  appliedOn!: string;
  /**
   * What the credit took back from the payments that had paid the invoice: the part of `amount` above what the
   * invoice still owed, now the buyer's unapplied credit on those payments. Empty when it took back nothing.
   */
  paymentsReturned!: ReturnedPaymentDto[];
}

/** The invoice a credit note corrects (BG-3). */
export class PrecedingInvoiceDto {
  id!: string;
  /** @example "INV-000042" */
  number!: string;
  issueDate!: string;
}

export class ApprovalDto {
  /** Who approved: the user name or the client id of the token. */
  by!: string;
  at!: Date;
}

/**
 * An issued document's link in its series' hash chain (/docs/guide/numbering#the-hash-chain): hash = SHA-256 of
 * `previousHash`, a line feed and `contentHash`, each as lower-case hex.
 */
export class DocumentSealDto {
  /** 1, 2, 3 … per series, in the order the documents were sealed (normally their numbers' order). @example 42 */
  position!: number;
  /** SHA-256 of the document's canonical issued content. @example "6f1ed002ab5595859014ebf0951522d9a7d9b4a4b39d9a1b6c8d1e5b4c0f2a7e" */
  contentHash!: string;
  /** The hash of the seal before it in the series; 64 zeros for the first. @example "3b7e72edbf5b1bd1ccb2a0e1d6a4d9a6f1e0c9b8a7d6e5f4a3b2c1d0e9f8a7b6" */
  previousHash!: string;
  /** @example "9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab" */
  hash!: string;
}

/** An invoice (type code 380) or a credit note (381), with what has been paid and credited and what is still owed. */
export class InvoiceDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  id!: string;
  /** Increases with every change; the ETag. */
  version!: number;
  kind!: 'invoice' | 'credit_note';
  /** See the lifecycle (/docs/guide/invoice-lifecycle). */
  status!: InvoiceStatus;
  /** BT-1, from the series at issue. @example "INV-000042" */
  number?: string;
  /** @example "INV" */
  series!: string;
  partnershipId!: string;
  sellerId!: string;
  buyerId!: string;
  sellerContactId?: string;
  buyerContactId?: string;
  /** Frozen at issue. */
  seller?: PartySnapshotDto;
  buyer?: PartySnapshotDto;
  /** @example "EUR" */
  currency!: string;
  /** BT-2: planned while draft, fixed at issue. @example "2026-03-01" */
  issueDate?: string;
  /** BT-9 @example "2026-03-31" */
  dueDate?: string;
  paymentTerms!: PaymentTermsViewDto;
  purchaseOrderReference?: string;
  buyerReference?: string;
  /** BG-14: the days the invoice is for, both included. */
  invoicePeriod?: InvoicePeriodViewDto;
  externalReference?: string;
  notes!: string[];
  lines!: InvoiceLineDto[];
  allowances!: DocumentAllowanceChargeViewDto[];
  charges!: DocumentAllowanceChargeViewDto[];
  vatBreakdown!: VatBreakdownDto[];
  totals!: InvoiceTotalsDto;
  payments!: AppliedPaymentDto[];
  credits!: AppliedCreditDto[];
  /** Sum of `payments`, less what credit notes took back from them (`credits[].paymentsReturned`). */
  paid!: MoneyDto;
  /** Sum of `credits`. */
  credited!: MoneyDto;
  /** What the buyer still owes: amount due − paid − credited; zero for drafts, credit notes and closed invoices. */
  outstanding!: MoneyDto;
  /** On a credit note: the invoice it corrects. */
  precedingInvoice?: PrecedingInvoiceDto;
  approval?: ApprovalDto;
  /**
   * Who shaped the draft's content, when known: who created it, everyone who changed it since, who imported its file,
   * and for a billing run's draft who added its one-off charges. Under a policy with a separate approver, none of them
   * approves it.
   * @example ["anna.schmidt"]
   */
  authors?: string[];
  /** Another invoice to the same buyer with the same total and an issue date within 3 days, when there was one at creation. */
  possibleDuplicateOf?: string;
  voidReason?: string;
  createdAt!: Date;
  updatedAt!: Date;
  issuedAt?: Date;
  /**
   * The document's seal in its series' hash chain, which makes issued documents tamper-evident. Null on drafts, on
   * documents recorded from another system's history, and for the moments between issue and sealing.
   */
  seal!: DocumentSealDto | null;
}

/** An invoice or credit note as lists show it. */
export class InvoiceSummaryDto {
  id!: string;
  kind!: 'invoice' | 'credit_note';
  status!: InvoiceStatus;
  number?: string;
  partnershipId!: string;
  sellerId!: string;
  buyerId!: string;
  buyerContactId?: string;
  currency!: string;
  issueDate?: string;
  dueDate?: string;
  externalReference?: string;
  purchaseOrderReference?: string;
  /** BT-112 */
  total!: MoneyDto;
  /** BT-113 */
  prepaid!: MoneyDto;
  /** BT-114: amount due = total − prepaid + rounding. */
  rounding!: MoneyDto;
  /** BT-115 */
  amountDue!: MoneyDto;
  paid!: MoneyDto;
  credited!: MoneyDto;
  /** What the buyer still owes; zero for drafts, credit notes and closed invoices. */
  outstanding!: MoneyDto;
  possibleDuplicateOf?: string;
  /** The seal of an issued document in its series' hash chain; null while there is none. */
  seal!: DocumentSealDto | null;
}

export class InvoicePageDto extends PageDto {
  items!: InvoiceSummaryDto[];
}
