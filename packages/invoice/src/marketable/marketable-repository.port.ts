import type { Page, PageRequest, TenantId } from '@invoicing/core';
import type { MarketableId } from '../shared/ids';
import type { AggregateRepository } from '../shared/repository.port';
import type { Marketable, MarketableState } from './marketable';

/**
 * Port: stores marketables. `save` refuses a second marketable with the same SKU in a tenant
 * with ConflictError `marketable.sku_taken`.
 */
export interface MarketableRepository extends AggregateRepository<Marketable, MarketableId> {
  findBySku(tenantId: TenantId, sku: string): Promise<Marketable | undefined>;
  /** Marketables ordered by id; `active` filters when given. */
  list(tenantId: TenantId, filter: { readonly active?: boolean }, page: PageRequest): Promise<Page<MarketableState>>;
}
/** Injection token of {@link MarketableRepository}. */
export const MARKETABLE_REPOSITORY = Symbol.for('@invoicing/invoice/MarketableRepository');
