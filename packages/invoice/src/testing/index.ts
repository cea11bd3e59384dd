/**
 * `@invoicing/invoice/testing`: in-memory adapters for every port, builders of valid domain objects,
 * and the contract suites every adapter of these ports must pass (they use Jest's globals from `@jest/globals`).
 * @packageDocumentation
 */
export { createInMemoryAdapters } from './in-memory/in-memory-adapters';
export type { InMemoryAdapters, InvoiceAdapters } from './in-memory/in-memory-adapters';
export { InMemoryCollection } from './in-memory/in-memory-database';
export type { StoredState, UniqueKey } from './in-memory/in-memory-database';
export { InMemoryInvoiceQueries, InMemoryPartnerQueries } from './in-memory/in-memory-invoice-queries';
export { InMemoryLedger } from './in-memory/in-memory-ledger';
export { InMemoryNumberSequence, InMemoryOutbox, RecordingEventPublisher } from './in-memory/in-memory-ports';
export {
  InMemoryAggregateRepository,
  InMemoryInvoiceRepository,
  InMemoryMarketableRepository,
  InMemoryPartnerRepository,
  InMemoryPartnershipRepository,
  InMemoryPaymentRepository,
  compareKeys,
  pageById,
} from './in-memory/in-memory-repositories';
export { aDraft, aMarketable, aPartner, aPartnership, aPayment, aPaymentId, aTenant, eur, issue } from './builders';
export { SCENARIO_BUYER, SCENARIO_MARKETABLE, SCENARIO_NOW, SCENARIO_SELLER, SCENARIO_TERMS, SCENARIO_TIME_ZONE, createScenario, createTestBed } from './scenario';
export type { Scenario, ScenarioOptions, TestBed, TestBedOptions } from './scenario';
export { aLedgerAccount, anInvoiceId, anOperationId, postingsIn } from './ledger-builders';
export { issuesOf, thrown } from './assertions';
export { InMemoryIntegrityReader } from '../integrity/in-memory-integrity-reader';
export type { IntegrityStates } from '../integrity/in-memory-integrity-reader';
export * from './contracts';
