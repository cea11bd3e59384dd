import type { InvoiceAdapters } from '@invoicing/invoice';
import type { IdempotencyOptions } from '../idempotency/idempotency-store.port';
import type { MongoConnection } from './connection';
import { DocumentLocks } from './document-lock';
import { MongoDocumentSealer } from './document-sealer';
import { MongoIdempotencyStore } from './idempotency-store';
import { MongoImportJobStore } from './import-job-store';
import { MongoInvoiceQueries, MongoPartnerQueries } from './invoice-queries';
import { MongoLedger } from './ledger';
import { MongoNumberSequence } from './number-sequence';
import { MongoOutbox } from './outbox';
import { MongoInvoiceRepository, MongoMarketableRepository, MongoPartnerRepository, MongoPartnershipRepository, MongoPaymentRepository } from './repositories';
import { ensureIndexes, modelsOf, type Models } from './schemas';

/** Every port of `@invoicing/invoice` on MongoDB, plus the idempotency records the API keeps. */
export interface MongoAdapters extends InvoiceAdapters {
  readonly partners: MongoPartnerRepository;
  readonly marketables: MongoMarketableRepository;
  readonly partnerships: MongoPartnershipRepository;
  readonly invoices: MongoInvoiceRepository;
  readonly payments: MongoPaymentRepository;
  readonly idempotency: MongoIdempotencyStore;
  /** Accounts-receivable import jobs sent to the API. */
  readonly importJobs: MongoImportJobStore;
  /** The ledger of money movements (ADR 0006): payments, refunds, credit notes, voids and write-offs post through it. */
  readonly ledger: MongoLedger;
  /** Seals issued documents into their series' hash chain (ADR 0022): run `sealPending()` from a background worker. */
  readonly sealer: MongoDocumentSealer;
  readonly models: Models;
  /** Creates the collections and indexes that are missing (see `schemas.ts`). */
  ensureIndexes(): Promise<Record<string, string[]>>;
}

/** The MongoDB adapters over one connection. They hold no state of their own: one set serves the whole process. */
export function createMongoAdapters(mongo: MongoConnection, options: { readonly idempotency?: IdempotencyOptions } = {}): MongoAdapters {
  const models = modelsOf(mongo.connection);
  const locks = new DocumentLocks(models.document_locks);
  return {
    partners: new MongoPartnerRepository(models, locks),
    partnerQueries: new MongoPartnerQueries(models),
    marketables: new MongoMarketableRepository(models, locks),
    partnerships: new MongoPartnershipRepository(models, locks),
    invoices: new MongoInvoiceRepository(models, locks),
    payments: new MongoPaymentRepository(models, locks),
    queries: new MongoInvoiceQueries(models),
    numbers: new MongoNumberSequence(models),
    outbox: new MongoOutbox(models, locks),
    idempotency: new MongoIdempotencyStore(models, options.idempotency),
    importJobs: new MongoImportJobStore(models),
    ledger: new MongoLedger(models),
    sealer: new MongoDocumentSealer(models, locks),
    models,
    ensureIndexes: () => ensureIndexes(mongo.connection),
  };
}
