import { MoneyDto, PageDto } from '../http/responses';

/** Part of a payment applied to one invoice. */
export class PaymentApplicationDto {
  /** @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  invoiceId!: string;
  amount!: MoneyDto;
  /** The payment's received date. @example "2026-04-20" */
  appliedOn!: string;
}

/** Part of an application taken back by a credit note of the invoice: unapplied credit of the payment again. */
export class PaymentReturnDto {
  /** The invoice the application paid. @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  invoiceId!: string;
  /** The credit note that credited what the payment had paid. @example "0193a2b4-6b1e-7e8f-9a0b-1c2d3e4f5a6b" */
  creditNoteId!: string;
  amount!: MoneyDto;
  /** The credit note's issue date. @example "2026-05-02" */
  returnedOn!: string;
}

/** Part of a payment's credit paid back to the partner. */
export class PaymentRefundDto {
  /** Shared by every payment one refund drew on. @example "0193a2b4-7a1c-7e8f-9a0b-1c2d3e4f5a6b" */
  refundId!: string;
  amount!: MoneyDto;
  /** @example "2026-05-02" */
  refundedOn!: string;
  reference?: string;
}

/** Money received from a partner, what it paid and what is left of it. */
export class PaymentDto {
  /** @example "0193a2b4-9e2d-7e8f-9a0b-1c2d3e4f5a6b" */
  id!: string;
  /** Increases with every change; the ETag. */
  version!: number;
  /** The partner who paid. */
  partnerId!: string;
  amount!: MoneyDto;
  /** @example "2026-04-20" */
  receivedOn!: string;
  /** @example "SEPA 2026-04-20 NORDWIND" */
  reference?: string;
  /** In the order they were made, each for the amount applied then (`returns` lists what credit notes took back since). */
  applications!: PaymentApplicationDto[];
  /** What credit notes of the invoices it paid took back from `applications`, in the order they did. */
  returns!: PaymentReturnDto[];
  refunds!: PaymentRefundDto[];
  /** amount − applications + returns − refunds: the partner's credit from this payment. */
  unapplied!: MoneyDto;
  createdAt!: Date;
  updatedAt!: Date;
}

export class PaymentPageDto extends PageDto {
  items!: PaymentDto[];
}

/** A refund of unapplied credit. */
export class RefundDto {
  /** @example "0193a2b4-7a1c-7e8f-9a0b-1c2d3e4f5a6b" */
  refundId!: string;
  amount!: MoneyDto;
  /** The payments it drew on, oldest first. */
  payments!: string[];
}

/** A partner's position in one currency. */
export class AccountBalanceDto {
  /** @example "EUR" */
  currency!: string;
  /** Outstanding on the partner's receivable invoices (issued or partially paid). */
  outstanding!: MoneyDto;
  /** What payments have left, neither applied (less what credit notes took back) nor refunded. */
  unappliedCredit!: MoneyDto;
  /** outstanding − unapplied credit: positive when the partner owes, negative when the tenant owes the partner. */
  balance!: MoneyDto;
}

/** A partner's balance, one line per currency that has something outstanding or some credit. */
export class PartnerBalanceDto {
  /** Ordered by currency code; empty when the partner owes nothing and has no credit. */
  balances!: AccountBalanceDto[];
}
