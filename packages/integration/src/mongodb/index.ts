/**
 * `@invoicing/integration/mongodb`: every port of `@invoicing/invoice` and `@invoicing/billing` on MongoDB (or
 * FerretDB 1.x) through mongoose, plus the idempotency records the API keeps. Importing it loads mongoose and the MongoDB driver.
 * @packageDocumentation
 */
export { connectMongo, dropDatabase, redact, type MongoConnection, type MongoSettings } from './connection';
export { DatabaseUnavailableError, isDatabaseUnavailable, isDuplicateKey } from './mongo-errors';
export { createMongoAdapters, type MongoAdapters } from './mongo-adapters';
export { COLLECTIONS, ensureIndexes, modelsOf, type CollectionName, type Models } from './schemas';
export { BulkSaveError } from './aggregate-store';
export { documentId } from './mappers/aggregate-document';
export { PERIODS_FORMAT, RETURNS_FORMAT, STORED_FORMAT, UnsupportedStoredFormatError } from './mappers/stored-format';
export {
  MongoInvoiceRepository,
  MongoMarketableRepository,
  MongoPartnerRepository,
  MongoPartnershipRepository,
  MongoPaymentRepository,
} from './repositories';
export { MongoInvoiceQueries, MongoPartnerQueries } from './invoice-queries';
export { MongoNumberSequence } from './number-sequence';
export { MongoOutbox } from './outbox';
export { MongoIdempotencyStore } from './idempotency-store';
export { MongoImportJobStore } from './import-job-store';
export { MongoLedger } from './ledger';
export { INTEGRITY_BATCH_SIZE, MongoIntegrityReader } from './integrity-reader';
export { MongoDocumentSealer, documentSealId, type DocumentSealDocument } from './document-sealer';
export { createMongoBillingAdapters, type MongoBillingAdapters } from './billing/mongo-billing-adapters';
export { BILLING_COLLECTIONS, billingModelsOf, ensureBillingIndexes, type BillingModels } from './billing/billing-schemas';
export { createMongoEventAdapters, type MongoEventAdapters } from './events/mongo-event-adapters';
export { MongoEventLog } from './events/event-log';
export { MongoLease } from './events/lease';
export { MongoWebhookDeliveryStore, MongoWebhookEndpointStore } from './events/webhook-stores';
export { EVENT_BUCKET_SIZE } from './events/event-schemas';
