import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';

/**
 * How a contract suite reaches the adapters under test. `setUp` runs once per suite and returns connected adapters;
 * every test works in tenants of its own, so one database can serve all tests.
 */
export interface ContractTarget {
  setUp(): Promise<InvoiceAdapters>;
  tearDown?(): Promise<void>;
}
