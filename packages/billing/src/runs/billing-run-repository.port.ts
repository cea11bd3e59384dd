import type { Page, PageRequest, TenantId } from '@invoicing/core';
import type { BillingRunState } from './billing-run';

/** Billing runs, by tenant and id. The run itself is their only writer while it runs, until it is taken over. */
export interface BillingRunRepository {
  /** @throws ConflictError `billing_run.id_taken` when the id exists */
  create(run: BillingRunState): Promise<void>;
  /** Replaces a run's record with its latest progress. */
  update(run: BillingRunState): Promise<void>;
  /**
   * Takes over a run still `running` whose record was last written at or before `stalledBefore`: sets its `updatedAt` to
   * `at` and answers it. Undefined when the run is not such a one, or another caller took it over first: of several at
   * once, across processes, one gets it.
   */
  claimStalled(tenantId: TenantId, id: string, stalledBefore: Date, at: Date): Promise<BillingRunState | undefined>;
  get(tenantId: TenantId, id: string): Promise<BillingRunState | undefined>;
  /** A tenant's runs, newest first. */
  list(tenantId: TenantId, page: PageRequest): Promise<Page<BillingRunState>>;
}
export const BILLING_RUN_REPOSITORY = Symbol.for('@invoicing/billing/BillingRunRepository');
