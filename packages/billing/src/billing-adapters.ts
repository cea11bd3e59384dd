import type { OneOffChargeStore } from './one-off/one-off-charge-store.port';
import type { BillingPlanRepository } from './plans/billing-plan-repository.port';
import type { BillRepository } from './runs/bill-repository.port';
import type { BillingRunRepository } from './runs/billing-run-repository.port';
import type { UsageEventStore } from './usage/usage-event-store.port';

/** Every port of `@invoicing/billing`, implemented by one adapter family. Contract suites take a factory of these. */
export interface BillingAdapters {
  readonly plans: BillingPlanRepository;
  readonly usage: UsageEventStore;
  readonly oneOffs: OneOffChargeStore;
  readonly bills: BillRepository;
  readonly runs: BillingRunRepository;
}
