import type { ApprovalRule, Instalment, PartnershipId, PartnershipState, PaymentTerms } from '@invoicing/invoice';
import { envelopeOf, identityOf, type AggregateDocument, type AggregateMapper } from './aggregate-document';
import { decodeState, encodeState } from './stored-state';
import { SEPARATE_APPROVER_FORMAT } from './stored-format';
import { compact, dateToDomain, decimalToDomain, decimalToPersistence, moneyToDomain, moneyToPersistence, type AllFieldsOf } from './value.mapper';

/** Payment terms as stored: the domain's union, percents of instalments as decimals. */
export function paymentTermsToPersistence(terms: PaymentTerms) {
  switch (terms.kind) {
    case 'due_on_receipt':
      return { kind: terms.kind } satisfies AllFieldsOf<typeof terms>;
    case 'net':
    case 'end_of_month':
      return { kind: terms.kind, days: terms.days } satisfies AllFieldsOf<typeof terms>;
    case 'instalments':
      return {
        kind: terms.kind,
        instalments: terms.instalments.map((part) => ({ percent: decimalToPersistence(part.percent), days: part.days }) satisfies AllFieldsOf<Instalment>),
      } satisfies AllFieldsOf<typeof terms>;
  }
}

export type StoredPaymentTerms = ReturnType<typeof paymentTermsToPersistence>;

export function paymentTermsToDomain(stored: StoredPaymentTerms): PaymentTerms {
  switch (stored.kind) {
    case 'due_on_receipt':
      return { kind: stored.kind };
    case 'net':
    case 'end_of_month':
      return { kind: stored.kind, days: stored.days };
    case 'instalments':
      return { kind: stored.kind, instalments: stored.instalments.map((part) => ({ percent: decimalToDomain(part.percent), days: part.days })) };
  }
}

function approvalToPersistence(rule: ApprovalRule) {
  switch (rule.kind) {
    case 'above':
      return compact({ kind: rule.kind, threshold: moneyToPersistence(rule.threshold), separateApprover: rule.separateApprover } satisfies AllFieldsOf<typeof rule>);
    case 'always':
      return compact({ kind: rule.kind, separateApprover: rule.separateApprover } satisfies AllFieldsOf<typeof rule>);
    case 'none':
      return { kind: rule.kind };
  }
}

function approvalToDomain(stored: ReturnType<typeof approvalToPersistence>): ApprovalRule {
  const four = 'separateApprover' in stored && stored.separateApprover === true ? ({ separateApprover: true } as const) : {};
  switch (stored.kind) {
    case 'above':
      return { kind: stored.kind, threshold: moneyToDomain(stored.threshold), ...four };
    case 'always':
      return { kind: stored.kind, ...four };
    case 'none':
      return { kind: stored.kind };
  }
}

type StoredFields = Omit<PartnershipState, 'tenantId' | 'id' | 'version'>;

function stateToPersistence(state: PartnershipState) {
  return compact({
    sellerId: state.sellerId,
    buyerId: state.buyerId,
    currency: state.currency,
    paymentTerms: paymentTermsToPersistence(state.paymentTerms),
    priceOverrides: state.priceOverrides.map((price) => ({ marketableId: price.marketableId, unitPrice: decimalToPersistence(price.unitPrice) }) satisfies AllFieldsOf<typeof price>),
    numbering: { invoice: state.numbering.invoice, creditNote: state.numbering.creditNote } satisfies AllFieldsOf<PartnershipState['numbering']>,
    policy: { approval: approvalToPersistence(state.policy.approval), deliveryFormat: state.policy.deliveryFormat } satisfies AllFieldsOf<PartnershipState['policy']>,
    status: state.status,
    validFrom: state.validFrom,
    validUntil: state.validUntil,
    buyerReference: state.buyerReference,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  } satisfies AllFieldsOf<StoredFields>);
}

/** The top-level field a partner's partnerships are found by, on either side (ADR 0012). */
export function partnershipKeys(state: PartnershipState) {
  return { partnerIds: [state.sellerId, state.buyerId] };
}

/** A partnership's document. */
export type PartnershipDocument = AggregateDocument<ReturnType<typeof stateToPersistence>, undefined, ReturnType<typeof partnershipKeys>>;

/** Partnerships ↔ `partnerships` documents; the keys are recomputed on every write and never read back. */
export const partnershipMapper: AggregateMapper<PartnershipState, PartnershipDocument> = {
  toPersistence: (state) => ({
    ...envelopeOf(state),
    ...(state.policy.approval.kind !== 'none' && state.policy.approval.separateApprover === true ? { _v: SEPARATE_APPROVER_FORMAT } : {}),
    ...partnershipKeys(state),
    state: encodeState(stateToPersistence(state)),
  }),
  toDomain(document) {
    const identity = identityOf<PartnershipId>(document, 'partnerships');
    const state = decodeState(document.state);
    return compact({
      ...identity,
      sellerId: state.sellerId,
      buyerId: state.buyerId,
      currency: state.currency,
      paymentTerms: paymentTermsToDomain(state.paymentTerms),
      priceOverrides: state.priceOverrides.map((price) => ({ marketableId: price.marketableId, unitPrice: decimalToDomain(price.unitPrice) })),
      numbering: { invoice: state.numbering.invoice, creditNote: state.numbering.creditNote },
      policy: { approval: approvalToDomain(state.policy.approval), deliveryFormat: state.policy.deliveryFormat },
      status: state.status,
      validFrom: state.validFrom,
      validUntil: state.validUntil,
      buyerReference: state.buyerReference,
      createdAt: dateToDomain(state.createdAt),
      updatedAt: dateToDomain(state.updatedAt),
    } satisfies AllFieldsOf<PartnershipState>);
  },
};
