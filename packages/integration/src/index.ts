/**
 * @invoicing/integration: the adapters of the invoicing domain.
 * - `mongodb/`: every port of `@invoicing/invoice` on MongoDB (or FerretDB 1.x) through mongoose, plus idempotency records.
 * - `idempotency/`: the idempotency port the API uses for `Idempotency-Key`, with an in-memory implementation.
 * @packageDocumentation
 */
export { connectMongo, redact, type MongoConnection, type MongoSettings } from './mongodb/connection';
export { DatabaseUnavailableError, isDuplicateKey } from './mongodb/mongo-errors';
export { createMongoAdapters, type MongoAdapters } from './mongodb/mongo-adapters';
export { COLLECTIONS, ensureIndexes, modelsOf, type CollectionName, type Models } from './mongodb/schemas';
export { BulkSaveError, documentId } from './mongodb/aggregate-store';
export { encode, decode } from './mongodb/bson-codec';
export {
  MongoInvoiceRepository,
  MongoMarketableRepository,
  MongoPartnerRepository,
  MongoPartnershipRepository,
  MongoPaymentRepository,
} from './mongodb/repositories';
export { MongoInvoiceQueries, MongoPartnerQueries } from './mongodb/invoice-queries';
export { MongoNumberSequence } from './mongodb/number-sequence';
export { MongoOutbox } from './mongodb/outbox';
export { MongoIdempotencyStore } from './mongodb/idempotency-store';
export { InMemoryIdempotencyStore } from './idempotency/in-memory-idempotency-store';
export type { IdempotencyOptions, IdempotencyOutcome, IdempotencyStore, StoredResponse } from './idempotency/idempotency-store.port';
