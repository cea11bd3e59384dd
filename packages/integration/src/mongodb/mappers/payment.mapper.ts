import { Payment, type PaymentApplication, type PaymentId, type PaymentRefund, type PaymentReturn, type PaymentState } from '@invoicing/invoice';
import { envelopeOf, identityOf, type AggregateDocument, type AggregateMapper } from './aggregate-document';
import { RETURNS_FORMAT } from './stored-format';
import { decodeState, encodeState } from './stored-state';
import { compact, dateToDomain, moneyToDomain, moneyToPersistence, optional, type AllFieldsOf } from './value.mapper';

type StoredFields = Omit<PaymentState, 'tenantId' | 'id' | 'version'>;

function stateToPersistence(state: PaymentState) {
  return compact({
    partnerId: state.partnerId,
    amount: moneyToPersistence(state.amount),
    receivedOn: state.receivedOn,
    reference: state.reference,
    applications: state.applications.map(
      (application) => ({ invoiceId: application.invoiceId, amount: moneyToPersistence(application.amount), appliedOn: application.appliedOn }) satisfies AllFieldsOf<PaymentApplication>,
    ),
    // Left out while there are none, so a payment no credit note took back from is stored as before (format 2).
    returns: state.returns?.length
      ? state.returns.map(
          (part) => ({ invoiceId: part.invoiceId, creditNoteId: part.creditNoteId, amount: moneyToPersistence(part.amount), returnedOn: part.returnedOn }) satisfies AllFieldsOf<PaymentReturn>,
        )
      : undefined,
    refunds: state.refunds.map((refund) =>
      compact({ refundId: refund.refundId, amount: moneyToPersistence(refund.amount), refundedOn: refund.refundedOn, reference: refund.reference } satisfies AllFieldsOf<PaymentRefund>),
    ),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  } satisfies AllFieldsOf<StoredFields>);
}

/** A payment's credit left (received − applied + taken back − refunded, in minor units) and its currency, computed when it is written. */
export function derivePayment(state: PaymentState) {
  return { currency: state.amount.currency, unappliedMinor: Payment.restore(state).unapplied.minor };
}

/**
 * The top-level fields the queries of payments match by equality (ADR 0012): the payer (a partner's payments and
 * balance), and payer and currency while credit is left (`creditKey`, where credit is applied from; null once used up).
 */
export function paymentKeys(state: PaymentState, derived: ReturnType<typeof derivePayment>) {
  return { partnerId: state.partnerId, creditKey: derived.unappliedMinor > 0n ? paymentCreditKey(state.partnerId, derived.currency) : null };
}

export function paymentCreditKey(partnerId: string, currency: string): string {
  return JSON.stringify([partnerId, currency]);
}

/** A payment's document. */
export type PaymentDocument = AggregateDocument<ReturnType<typeof stateToPersistence>, ReturnType<typeof derivePayment>, ReturnType<typeof paymentKeys>>;

/**
 * Payments ↔ `payments` documents; `derived` and the keys are recomputed on every write and never read back. A payment
 * holding returns is written in format 4, which an earlier release refuses rather than drop them.
 */
export const paymentMapper: AggregateMapper<PaymentState, PaymentDocument> = {
  toPersistence(state) {
    const derived = derivePayment(state);
    const format = state.returns?.length ? { _v: RETURNS_FORMAT } : {};
    return { ...envelopeOf(state), ...format, ...paymentKeys(state, derived), state: encodeState(stateToPersistence(state)), derived };
  },
  toDomain(document) {
    const identity = identityOf<PaymentId>(document, 'payments');
    const state = decodeState(document.state);
    return compact({
      ...identity,
      partnerId: state.partnerId,
      amount: moneyToDomain(state.amount),
      receivedOn: state.receivedOn,
      reference: state.reference,
      applications: state.applications.map((application) => ({
        invoiceId: application.invoiceId,
        amount: moneyToDomain(application.amount),
        appliedOn: application.appliedOn,
      })),
      returns: optional(state.returns, (returns) =>
        returns.map((part) => ({ invoiceId: part.invoiceId, creditNoteId: part.creditNoteId, amount: moneyToDomain(part.amount), returnedOn: part.returnedOn }) satisfies AllFieldsOf<PaymentReturn>),
      ),
      refunds: state.refunds.map((refund) =>
        compact({ refundId: refund.refundId, amount: moneyToDomain(refund.amount), refundedOn: refund.refundedOn, reference: refund.reference }),
      ),
      createdAt: dateToDomain(state.createdAt),
      updatedAt: dateToDomain(state.updatedAt),
    } satisfies AllFieldsOf<PaymentState>);
  },
};
