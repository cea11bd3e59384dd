/** Test helpers for code that runs on the MongoDB adapters: a throw-away database per test file. */
export { createTestDatabase, tamperWithStoredState, testMongoUrl, type TestDatabase } from './mongo-test-database';
export { describeIdempotencyStoreContract } from '../idempotency/idempotency-store.contract';
// For bench:repo, which builds the raw driver's documents exactly as the repository writes them (`AggregateStore.insertion`).
export { AggregateStore } from '../mongodb/aggregate-store';
export { DocumentLocks } from '../mongodb/document-lock';
export { invoiceMapper } from '../mongodb/mappers/invoice.mapper';
// For bench:contention, which bulk-loads ledger transactions and number reservations as the adapters store them.
export { ledgerTransactionToPersistence } from '../mongodb/mappers/ledger-transaction.mapper';
export { reservationToPersistence } from '../mongodb/mappers/number-reservation.mapper';
