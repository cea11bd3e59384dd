import type { Page, PageRequest, TenantId } from '@invoicing/core';
import type { PartnerId, PartnershipId } from '../shared/ids';
import type { AggregateRepository } from '../shared/repository.port';
import type { Partnership, PartnershipState } from './partnership';

/** Port: stores partnerships. */
export interface PartnershipRepository extends AggregateRepository<Partnership, PartnershipId> {
  /** Partnerships ordered by id; `partnerId` matches the seller or the buyer. */
  list(tenantId: TenantId, filter: { readonly partnerId?: PartnerId }, page: PageRequest): Promise<Page<PartnershipState>>;
}
/** Injection token of {@link PartnershipRepository}. */
export const PARTNERSHIP_REPOSITORY = Symbol.for('@invoicing/invoice/PartnershipRepository');
