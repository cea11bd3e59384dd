import type { BillableMetric, BillingPlanState, Charge, Discount, MinimumCommitment, PlanTerms, PlanVersion, PriceModel, PriceTier } from '@invoicing/billing';
import type { PartnershipId } from '@invoicing/invoice';
import { envelopeOf, identityOf, type AggregateDocument, type AggregateMapper } from '../mappers/aggregate-document';
import { vatCategoryToDomain, vatCategoryToPersistence } from '../mappers/invoice.mapper';
import { decodeState, encodeState } from '../mappers/stored-state';
import { compact, dateToDomain, decimalToDomain, decimalToPersistence, moneyToDomain, moneyToPersistence, optional, type AllFieldsOf } from '../mappers/value.mapper';

function tierToPersistence(tier: PriceTier) {
  return compact({ upTo: optional(tier.upTo, decimalToPersistence), unitPrice: decimalToPersistence(tier.unitPrice), flatFee: decimalToPersistence(tier.flatFee) } satisfies AllFieldsOf<PriceTier>);
}

function tierToDomain(stored: ReturnType<typeof tierToPersistence>): PriceTier {
  return { upTo: optional(stored.upTo, decimalToDomain), unitPrice: decimalToDomain(stored.unitPrice), flatFee: decimalToDomain(stored.flatFee) };
}

function priceToPersistence(price: PriceModel) {
  switch (price.kind) {
    case 'per_unit':
      return { kind: price.kind, unitPrice: decimalToPersistence(price.unitPrice) } satisfies AllFieldsOf<typeof price>;
    case 'graduated':
    case 'volume':
      return { kind: price.kind, tiers: price.tiers.map(tierToPersistence) } satisfies AllFieldsOf<typeof price>;
    case 'package':
      return { kind: price.kind, size: decimalToPersistence(price.size), price: decimalToPersistence(price.price), freeUnits: decimalToPersistence(price.freeUnits) } satisfies AllFieldsOf<typeof price>;
    case 'percentage':
      return compact({
        kind: price.kind,
        rate: decimalToPersistence(price.rate),
        fixedFeePerEvent: decimalToPersistence(price.fixedFeePerEvent),
        minPerEvent: optional(price.minPerEvent, decimalToPersistence),
        maxPerEvent: optional(price.maxPerEvent, decimalToPersistence),
      } satisfies AllFieldsOf<typeof price>);
  }
}

function priceToDomain(stored: ReturnType<typeof priceToPersistence>): PriceModel {
  switch (stored.kind) {
    case 'per_unit':
      return { kind: stored.kind, unitPrice: decimalToDomain(stored.unitPrice) };
    case 'graduated':
    case 'volume':
      return { kind: stored.kind, tiers: stored.tiers.map(tierToDomain) };
    case 'package':
      return { kind: stored.kind, size: decimalToDomain(stored.size), price: decimalToDomain(stored.price), freeUnits: decimalToDomain(stored.freeUnits) };
    case 'percentage':
      return {
        kind: stored.kind,
        rate: decimalToDomain(stored.rate),
        fixedFeePerEvent: decimalToDomain(stored.fixedFeePerEvent),
        minPerEvent: optional(stored.minPerEvent, decimalToDomain),
        maxPerEvent: optional(stored.maxPerEvent, decimalToDomain),
      };
  }
}

/** A metric; its filters as a list, since their keys are the caller's and a key may start with `$`. */
function metricToPersistence(metric: BillableMetric) {
  return compact({
    code: metric.code,
    aggregation: metric.aggregation,
    property: metric.property,
    filters: optional(metric.filters, (filters) => Object.entries(filters).map(([property, values]) => ({ property, values: [...values] }))),
  } satisfies AllFieldsOf<BillableMetric>);
}

function metricToDomain(stored: ReturnType<typeof metricToPersistence>): BillableMetric {
  return compact({
    code: stored.code,
    aggregation: stored.aggregation,
    property: stored.property,
    filters: optional(stored.filters, (filters) => Object.fromEntries(filters.map((filter) => [filter.property, filter.values]))),
  } satisfies AllFieldsOf<BillableMetric>);
}

function chargeToPersistence(charge: Charge) {
  const line = { code: charge.code, name: charge.name, marketableId: charge.marketableId, unitCode: charge.unitCode, vat: vatCategoryToPersistence(charge.vat) };
  return charge.kind === 'recurring'
    ? compact({
        kind: charge.kind,
        ...line,
        quantity: decimalToPersistence(charge.quantity),
        unitPrice: decimalToPersistence(charge.unitPrice),
        timing: charge.timing,
      } satisfies AllFieldsOf<typeof charge>)
    : compact({ kind: charge.kind, ...line, metric: metricToPersistence(charge.metric), price: priceToPersistence(charge.price) } satisfies AllFieldsOf<typeof charge>);
}

type StoredCharge = ReturnType<typeof chargeToPersistence>;

function chargeToDomain(stored: StoredCharge): Charge {
  const line = { code: stored.code, name: stored.name, marketableId: stored.marketableId, unitCode: stored.unitCode, vat: vatCategoryToDomain(stored.vat) };
  return stored.kind === 'recurring'
    ? compact({ kind: stored.kind, ...line, quantity: decimalToDomain(stored.quantity), unitPrice: decimalToDomain(stored.unitPrice), timing: stored.timing })
    : compact({ kind: stored.kind, ...line, metric: metricToDomain(stored.metric), price: priceToDomain(stored.price) });
}

function discountToPersistence(discount: Discount) {
  return discount.kind === 'percentage'
    ? compact({ code: discount.code, kind: discount.kind, percent: decimalToPersistence(discount.percent), periods: discount.periods, reason: discount.reason } satisfies AllFieldsOf<typeof discount>)
    : compact({ code: discount.code, kind: discount.kind, amount: moneyToPersistence(discount.amount), periods: discount.periods, reason: discount.reason } satisfies AllFieldsOf<typeof discount>);
}

function discountToDomain(stored: ReturnType<typeof discountToPersistence>): Discount {
  return stored.kind === 'percentage'
    ? compact({ code: stored.code, kind: stored.kind, percent: decimalToDomain(stored.percent), periods: stored.periods, reason: stored.reason })
    : compact({ code: stored.code, kind: stored.kind, amount: moneyToDomain(stored.amount), periods: stored.periods, reason: stored.reason });
}

function termsToPersistence(terms: PlanTerms) {
  return compact({
    cycle: { interval: terms.cycle.interval, alignment: terms.cycle.alignment, anchor: terms.cycle.anchor } satisfies AllFieldsOf<PlanTerms['cycle']>,
    charges: terms.charges.map(chargeToPersistence),
    minimum: optional(terms.minimum, (minimum) => ({ amount: moneyToPersistence(minimum.amount), name: minimum.name, vat: vatCategoryToPersistence(minimum.vat) }) satisfies AllFieldsOf<MinimumCommitment>),
    discounts: terms.discounts.map(discountToPersistence),
    invoiceMode: terms.invoiceMode,
  } satisfies AllFieldsOf<PlanTerms>);
}

function termsToDomain(stored: ReturnType<typeof termsToPersistence>): PlanTerms {
  return compact({
    cycle: { interval: stored.cycle.interval, alignment: stored.cycle.alignment, anchor: stored.cycle.anchor },
    charges: stored.charges.map(chargeToDomain),
    minimum: optional(stored.minimum, (minimum) => ({ amount: moneyToDomain(minimum.amount), name: minimum.name, vat: vatCategoryToDomain(minimum.vat) })),
    discounts: stored.discounts.map(discountToDomain),
    invoiceMode: stored.invoiceMode,
  } satisfies AllFieldsOf<PlanTerms>);
}

type StoredFields = Omit<BillingPlanState, 'tenantId' | 'id' | 'version'>;

function stateToPersistence(state: BillingPlanState) {
  return {
    currency: state.currency,
    versions: state.versions.map((version) =>
      compact({
        version: version.version,
        effectiveFrom: version.effectiveFrom,
        terms: version.terms === null ? null : termsToPersistence(version.terms),
        recordedAt: version.recordedAt,
        replacedBy: version.replacedBy,
        currency: version.currency,
      } satisfies AllFieldsOf<PlanVersion>),
    ),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  } satisfies AllFieldsOf<StoredFields>;
}

/** A billing plan's document: the envelope and the state as one string (ADR 0012); no query keys. */
export type BillingPlanDocument = AggregateDocument<ReturnType<typeof stateToPersistence>>;

/** Billing plans ↔ `billing_plans` documents. */
export const billingPlanMapper: AggregateMapper<BillingPlanState, BillingPlanDocument> = {
  toPersistence: (state) => ({ ...envelopeOf(state), state: encodeState(stateToPersistence(state)) }),
  toDomain(document) {
    const identity = identityOf<PartnershipId>(document, 'billing_plans');
    const state = decodeState(document.state);
    return {
      ...identity,
      currency: state.currency,
      versions: state.versions.map((version) =>
        compact({
          version: version.version,
          effectiveFrom: version.effectiveFrom,
          terms: version.terms === null ? null : termsToDomain(version.terms),
          recordedAt: dateToDomain(version.recordedAt),
          replacedBy: version.replacedBy,
          // Only on versions of an earlier currency (a plan started again in the partnership's new one).
          currency: version.currency,
        } satisfies AllFieldsOf<PlanVersion>),
      ),
      createdAt: dateToDomain(state.createdAt),
      updatedAt: dateToDomain(state.updatedAt),
    } satisfies AllFieldsOf<BillingPlanState>;
  },
};
