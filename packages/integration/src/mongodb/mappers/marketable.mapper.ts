import type { MarketableId, MarketableState, Price } from '@invoicing/invoice';
import { envelopeOf, identityOf, type AggregateDocument, type AggregateMapper } from './aggregate-document';
import { decodeState, encodeState } from './stored-state';
import { vatCategoryToDomain, vatCategoryToPersistence } from './invoice.mapper';
import { compact, dateToDomain, decimalToDomain, decimalToPersistence, type AllFieldsOf } from './value.mapper';

type StoredFields = Omit<MarketableState, 'tenantId' | 'id' | 'version'>;

function stateToPersistence(state: MarketableState) {
  return compact({
    sku: state.sku,
    kind: state.kind,
    name: state.name,
    description: state.description,
    unitCode: state.unitCode,
    prices: state.prices.map((price) => ({ currency: price.currency, unitPrice: decimalToPersistence(price.unitPrice) }) satisfies AllFieldsOf<Price>),
    defaultVat: vatCategoryToPersistence(state.defaultVat),
    active: state.active,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  } satisfies AllFieldsOf<StoredFields>);
}

/** The top-level field a marketable is found by (ADR 0012): its SKU, the tenant's unique key and the line resolver's lookup. */
export function marketableKeys(state: MarketableState) {
  return { sku: state.sku };
}

/** What catalogue lists filter on, beside the state (which is stored as one string). */
export function deriveMarketable(state: MarketableState) {
  return { active: state.active };
}

/** A marketable's document. */
export type MarketableDocument = AggregateDocument<ReturnType<typeof stateToPersistence>, ReturnType<typeof deriveMarketable>, ReturnType<typeof marketableKeys>>;

/** Marketables ↔ `marketables` documents; the keys are recomputed on every write and never read back. */
export const marketableMapper: AggregateMapper<MarketableState, MarketableDocument> = {
  toPersistence: (state) => ({ ...envelopeOf(state), ...marketableKeys(state), state: encodeState(stateToPersistence(state)), derived: deriveMarketable(state) }),
  toDomain(document) {
    const identity = identityOf<MarketableId>(document, 'marketables');
    const state = decodeState(document.state);
    return compact({
      ...identity,
      sku: state.sku,
      kind: state.kind,
      name: state.name,
      description: state.description,
      unitCode: state.unitCode,
      prices: state.prices.map((price) => ({ currency: price.currency, unitPrice: decimalToDomain(price.unitPrice) })),
      defaultVat: vatCategoryToDomain(state.defaultVat),
      active: state.active,
      createdAt: dateToDomain(state.createdAt),
      updatedAt: dateToDomain(state.updatedAt),
    } satisfies AllFieldsOf<MarketableState>);
  },
};
