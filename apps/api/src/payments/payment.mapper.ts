import { Payment, type AccountBalance, type PaymentState, type RefundCredit } from '@invoicing/invoice';
import { toMoneyResponse, toTotalResponse } from '../http/responses';
import type { PartnerBalanceDto, PaymentDto, RefundDto } from './payment.response.dto';

/** What a refund of unapplied credit did. */
type Refund = Awaited<ReturnType<RefundCredit['execute']>>;

/** A payment as the API answers it, wherever it comes from: what was received, applied, returned and refunded, and the credit left. */
export function toPaymentResponse(state: PaymentState): PaymentDto {
  return {
    id: state.id,
    version: state.version,
    partnerId: state.partnerId,
    amount: toMoneyResponse(state.amount),
    receivedOn: state.receivedOn,
    reference: state.reference,
    applications: state.applications.map((application) => ({ invoiceId: application.invoiceId, amount: toMoneyResponse(application.amount), appliedOn: application.appliedOn })),
    returns: (state.returns ?? []).map((part) => ({ invoiceId: part.invoiceId, creditNoteId: part.creditNoteId, amount: toMoneyResponse(part.amount), returnedOn: part.returnedOn })),
    refunds: state.refunds.map((refund) => ({ refundId: refund.refundId, amount: toMoneyResponse(refund.amount), refundedOn: refund.refundedOn, reference: refund.reference })),
    // Derived by the aggregate from what was applied, returned and refunded.
    unapplied: toMoneyResponse(Payment.restore(state).unapplied),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

/** A partner's balance, one line per currency. */
export function toPartnerBalanceResponse(balances: readonly AccountBalance[]): PartnerBalanceDto {
  return {
    balances: balances.map((row) => ({
      currency: row.currency,
      outstanding: toTotalResponse(row.outstanding),
      unappliedCredit: toTotalResponse(row.unappliedCredit),
      balance: toTotalResponse(row.balance),
    })),
  };
}

/** A refund of unapplied credit, with the payments it drew on. */
export function toRefundResponse(refund: Refund): RefundDto {
  return { refundId: refund.refundId, amount: toMoneyResponse(refund.amount), payments: [...refund.payments] };
}
