import { Payment, type PaymentApplication, type PaymentId, type PaymentRefund, type PaymentState } from '@invoicing/invoice';
import { envelopeOf, identityOf, type AggregateDocument, type AggregateMapper } from './aggregate-document';
import { decodeState, encodeState } from './stored-state';
import { compact, dateToDomain, moneyToDomain, moneyToPersistence, type AllFieldsOf } from './value.mapper';

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
    refunds: state.refunds.map((refund) =>
      compact({ refundId: refund.refundId, amount: moneyToPersistence(refund.amount), refundedOn: refund.refundedOn, reference: refund.reference } satisfies AllFieldsOf<PaymentRefund>),
    ),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  } satisfies AllFieldsOf<StoredFields>);
}

/** A payment's credit left (received − applied − refunded, in minor units) and its currency, computed when it is written. */
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

/** Payments ↔ `payments` documents; `derived` and the keys are recomputed on every write and never read back. */
export const paymentMapper: AggregateMapper<PaymentState, PaymentDocument> = {
  toPersistence(state) {
    const derived = derivePayment(state);
    return { ...envelopeOf(state), ...paymentKeys(state, derived), state: encodeState(stateToPersistence(state)), derived };
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
      refunds: state.refunds.map((refund) =>
        compact({ refundId: refund.refundId, amount: moneyToDomain(refund.amount), refundedOn: refund.refundedOn, reference: refund.reference }),
      ),
      createdAt: dateToDomain(state.createdAt),
      updatedAt: dateToDomain(state.updatedAt),
    } satisfies AllFieldsOf<PaymentState>);
  },
};
