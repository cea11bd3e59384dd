import type { Page, PageRequest, TenantId } from '@invoicing/core';
import type { PartnerId } from '../shared/ids';
import type { AggregateRepository } from '../shared/repository.port';
import type { ContactMatch } from './contact-search';
import type { Partner, PartnerState, PartnerStatus } from './partner';

/**
 * Port: stores partners. `save` also refuses, with ConflictError `partner.external_id_taken` (see
 * `externalIdTaken`), a partner taking an external id another partner of the tenant holds, as one step with the
 * write: of two saves at once, one gets it. Only active partners hold theirs (`heldExternalId`): an archived one keeps
 * it in its state, and another may take it.
 */
export interface PartnerRepository extends AggregateRepository<Partner, PartnerId> {
  /**
   * The tenant's partners with these ids, read at once (an invoice's seller and buyer), in no particular order; an id
   * with no partner (or another tenant's) is left out, and an id given twice gives its partner once.
   */
  getMany(tenantId: TenantId, ids: readonly PartnerId[]): Promise<Partner[]>;
  /**
   * The tenant's partners holding this external id (`heldExternalId`: archived ones are left out): one, or none. Two
   * only in data stored before saves refused a taken one atomically: callers treat more than one as ambiguous.
   */
  findByExternalId(tenantId: TenantId, externalId: string): Promise<Partner[]>;
}
/** Injection token of {@link PartnerRepository}. */
export const PARTNER_REPOSITORY = Symbol.for('@invoicing/invoice/PartnerRepository');

/** Filters for listing partners. */
export interface PartnerFilter {
  readonly status?: PartnerStatus;
}

/** Port: reads over partners. Results are plain data. */
export interface PartnerQueries {
  /** Partners ordered by id (creation order). */
  list(tenantId: TenantId, filter: PartnerFilter, page: PageRequest): Promise<Page<PartnerState>>;
  /**
   * Contacts across the tenant's partners matching a normalised query (see `contactSearchQuery`),
   * scored with `scoreContact` and ordered with `compareMatches`, at most `limit`: what `rankContacts` answers, which
   * adapters rank with so that a search over many contacts lets other work run meanwhile.
   */
  searchContacts(tenantId: TenantId, normalizedQuery: string, limit: number): Promise<ContactMatch[]>;
}
/** Injection token of {@link PartnerQueries}. */
export const PARTNER_QUERIES = Symbol.for('@invoicing/invoice/PartnerQueries');
