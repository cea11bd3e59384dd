import type { BillingAdapters } from '../../billing-adapters';

/**
 * How the billing contract suites reach the adapters under test. `setUp` runs once and returns connected adapters;
 * every test works in tenants of its own, so one database can serve all tests.
 */
export interface BillingContractTarget {
  setUp(): Promise<BillingAdapters>;
  tearDown?(): Promise<void>;
}
