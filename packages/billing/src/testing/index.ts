/**
 * `@invoicing/billing/testing`: in-memory adapters for every billing port, a test bed wired with them, and the
 * contract suites every adapter of these ports must pass (they use Jest's globals from `@jest/globals`).
 * @packageDocumentation
 */
export {
  InMemoryBillRepository,
  InMemoryBillingPlanRepository,
  InMemoryBillingRunRepository,
  InMemoryOneOffChargeStore,
  InMemoryUsageEventStore,
  createInMemoryBillingAdapters,
} from './in-memory/in-memory-billing';
export type { BillingAdapters } from './in-memory/in-memory-billing';
export { createBillingScenario, createBillingTestBed } from './test-bed';
export type { BillingTestBed, BillingTestBedOptions } from './test-bed';
export * from './contracts';
