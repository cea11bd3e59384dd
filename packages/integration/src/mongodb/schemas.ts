import { Schema, type Connection, type IndexDefinition, type IndexOptions, type Model } from 'mongoose';
import { DocumentLocks } from './document-lock';
import { documentSealSchema } from './document-seal.schema';
import { eventHeadSchema, eventSchema, webhookDeliverySchema, webhookEndpointSchema, workerLeaseSchema } from './events/event-schemas';
import { ledgerHeadSchema, ledgerTransactionSchema } from './ledger.schema';
import { upgradeStoredFormat } from './stored-format-upgrade';

/**
 * Every collection, its queried fields and its indexes, in one place. Read this file to know what the database holds.
 *
 * Documents of aggregates look like `{ _id, _v, tenantId, id, version, ...keys, state, derived, outbox, outboxSince }`,
 * where `_id` is `tenantId/id`, so that another tenant's id is a different document even when creating; `_v` is the
 * stored format (`mappers/stored-format.ts`); `state` is one string holding the fields the aggregate's mapper names
 * (`mappers/*.mapper.ts`, `mappers/stored-state.ts`, replaced whole on each save); the keys and `derived` are what
 * queries match, sort, group and sum, computed at write time (FerretDB 1.x has no date operators nor `$lookup`);
 * `outbox` holds the events of the writes not yet relayed, one string each (see `outbox.ts`).
 *
 * Every index starts with `tenantId` (the future shard key), except `outboxSince`, which serves the relay, and
 * `sealPending`, which serves the sealer: system processes that sweep all tenants. What a frequent query matches by equality is a top-level key (`buyerId`,
 * `receivableKey`, …): FerretDB 1.x pushes only top-level fields down to PostgreSQL and filters nested ones in Go
 * after reading every document the top-level part matched (ADR 0012). Conditions on `derived` fields (dates, amounts,
 * status) therefore only narrow what a key already selected. FerretDB has no partial indexes, so unique keys that are
 * optional in the domain (invoice number, external reference) are stored in `derived` with the document's own id as a
 * stand-in when absent: never null, never colliding.
 */
type Index = readonly [IndexDefinition, IndexOptions?];

/**
 * Finds the aggregates whose events wait to be relayed, by equality on `outboxPending: true` (which FerretDB pushes
 * down, where `outboxSince: { $exists: true }` read every document of the collection: 2.1 s against 27 ms at 50,000
 * documents). Sparse, since most documents have none waiting.
 */
export const OUTBOX_WAITING_INDEX: readonly [IndexDefinition, IndexOptions] = [{ outboxPending: 1 }, { name: 'outbox_waiting', sparse: true }];

function aggregateSchema(derived: Record<string, unknown>, keys: Record<string, unknown>, indexes: readonly Index[]): Schema {
  const schema = new Schema(
    {
      _id: { type: String, required: true },
      _v: Number,
      tenantId: { type: String, required: true },
      id: { type: String, required: true },
      version: { type: Number, required: true },
      ...keys,
      // One string (`mappers/stored-state.ts`): a filter on a path inside it is refused by `strictQuery`.
      state: String,
      ...(Object.keys(derived).length > 0 ? { derived: new Schema(derived, { _id: false, strict: false }) } : {}),
      outbox: { type: [Schema.Types.Mixed], default: undefined },
      outboxSince: Date,
      outboxPending: Boolean,
    },
    {
      // The mappers name every stored field: the rest of the state is stored as they write it, not re-declared here.
      strict: false,
      // Filters may only name the paths above; an unknown path is an error rather than a silent match-all.
      strictQuery: 'throw',
      versionKey: false,
      minimize: false,
      autoIndex: false,
      autoCreate: false,
    },
  );
  schema.index(...OUTBOX_WAITING_INDEX);
  for (const [keys, options] of indexes) schema.index(keys, options);
  return schema;
}

export const partnerSchema = aggregateSchema({ status: String }, { externalId: String }, [
  // Partner lists, in id order, optionally by status.
  [{ tenantId: 1, 'derived.status': 1, _id: 1 }, { name: 'partners_by_derived_status' }],
  // A partner named by its id in the tenant's own systems (usage events by buyer). Not unique: FerretDB 1.x has no
  // partial index, and most partners have none; the use cases refuse a taken one.
  [{ tenantId: 1, externalId: 1 }, { name: 'partners_by_external_id' }],
  // Every tenant-wide scan (lists without filter, contact search) reads the tenant's partners in id order.
  [{ tenantId: 1, _id: 1 }, { name: 'partners_by_tenant' }],
]);

export const marketableSchema = aggregateSchema({ active: Boolean }, { sku: String }, [
  // The SKU is the tenant's natural key of a marketable: unique, and looked up by the line resolver.
  [{ tenantId: 1, sku: 1 }, { name: 'marketables_sku_key_unique', unique: true }],
  // Catalogue lists, optionally only active ones.
  [{ tenantId: 1, 'derived.active': 1, _id: 1 }, { name: 'marketables_by_derived_active' }],
  [{ tenantId: 1, _id: 1 }, { name: 'marketables_by_tenant' }],
]);

export const partnershipSchema = aggregateSchema({}, { partnerIds: [String] }, [
  // A partner's partnerships, as seller or as buyer.
  [{ tenantId: 1, partnerIds: 1, _id: 1 }, { name: 'partnerships_by_partner' }],
  [{ tenantId: 1, _id: 1 }, { name: 'partnerships_by_tenant' }],
]);

export const invoiceSchema = aggregateSchema(
  {
    // Copies of the state's fields that lists and reports filter, sort and group by.
    kind: String,
    status: String,
    currency: String,
    sellerId: String,
    sellerContactId: String,
    buyerContactId: String,
    issueDate: String,
    dueDate: String,
    // The number, or the id while there is none: unique per tenant.
    numberKey: String,
    // The sender's reference, or the id while there is none: unique per tenant, seller and buyer.
    externalKey: String,
    // `YYYY-MM` of the issue date, what the monthly summary groups by.
    issueMonth: String,
    // Issue date (planned or actual) or creation day: what the duplicate check compares.
    referenceDate: String,
    // `issueDate|id` of issued documents: the newest one sorts last, for "last seen" per contact.
    issueKey: String,
    // Totals in minor units, summed by the reports.
    totalMinor: Schema.Types.BigInt,
    outstandingMinor: Schema.Types.BigInt,
    // True while the buyer still owes it: an invoice, issued or partially paid, with something outstanding.
    owing: Boolean,
  },
  // `sealPending`: 1 from the write that stores a document issued until the sealer seals it, then 0 (ADR 0022).
  { partnerIds: [String], buyerId: String, duplicateKeys: [String], receivableKey: String, referenceKey: String, importKey: String, sealPending: Number },
  [
    // BT-1 is unique per tenant: two issues can never print the same number.
    [{ tenantId: 1, 'derived.numberKey': 1 }, { name: 'invoices_number_unique', unique: true }],
    // The sender's reference is unique per seller and buyer: the same document imported twice is refused.
    [{ tenantId: 1, 'derived.sellerId': 1, buyerId: 1, 'derived.externalKey': 1 }, { name: 'invoices_reference_unique', unique: true }],
    // Invoice lists, newest first, optionally of one partner on either side; a buyer's balance, aging and past due.
    [{ tenantId: 1, _id: -1 }, { name: 'invoices_by_tenant' }],
    [{ tenantId: 1, partnerIds: 1, _id: -1 }, { name: 'invoices_by_partner' }],
    [{ tenantId: 1, buyerId: 1, _id: -1 }, { name: 'invoices_by_buyer_id' }],
    // Past due and aging: what is owed, by due date.
    [{ tenantId: 1, 'derived.owing': 1, 'derived.dueDate': 1, _id: 1 }, { name: 'invoices_owing_by_due' }],
    // Where a payment goes: a buyer's receivables in one currency, oldest due first.
    [{ tenantId: 1, receivableKey: 1, 'derived.dueDate': 1, 'derived.issueDate': 1, _id: 1 }, { name: 'invoices_receivable_by_due' }],
    // Monthly summary: the documents of one month.
    [{ tenantId: 1, 'derived.issueMonth': 1, 'derived.currency': 1 }, { name: 'invoices_by_month' }],
    // Totals per partner over the last months: issued invoices by issue date.
    [{ tenantId: 1, 'derived.kind': 1, 'derived.issueDate': 1 }, { name: 'invoices_by_kind_issue_date' }],
    // Duplicate check: the same buyer, currency and total within the window around the same day.
    [{ tenantId: 1, duplicateKeys: 1 }, { name: 'invoices_duplicate_keys' }],
    // Contacts last seen: the partner's newest issued documents, then the contact on its side.
    [{ tenantId: 1, partnerIds: 1, 'derived.issueKey': -1 }, { name: 'invoices_by_partner_issue' }],
    // Lookup by the sender's reference.
    [{ tenantId: 1, referenceKey: 1 }, { name: 'invoices_by_reference_key' }],
    // A re-import finds the documents it recorded by their number.
    [{ tenantId: 1, importKey: 1 }, { name: 'invoices_by_import_key' }],
    // The sealer's sweep of all tenants: documents issued and not sealed yet, found by equality (ADR 0022).
    [{ sealPending: 1, _id: 1 }, { name: 'invoices_seal_pending', sparse: true }],
  ],
);

export const paymentSchema = aggregateSchema(
  {
    currency: String,
    // Received minus applied minus refunded, in minor units: the partner's credit.
    unappliedMinor: Schema.Types.BigInt,
  },
  { partnerId: String, creditKey: String },
  [
    // A partner's payments, newest first (lists, balances).
    [{ tenantId: 1, partnerId: 1, _id: -1 }, { name: 'payments_by_payer' }],
    // Payments with credit left, per payer and currency (applying credit).
    [{ tenantId: 1, creditKey: 1 }, { name: 'payments_with_credit_key' }],
  ],
);

/**
 * Indexes of earlier releases, on paths inside `state`, replaced by top-level keys or no longer read: dropped by {@link ensureIndexes} before
 * documents are upgraded (a unique index on a path inside what became a string would see every upgraded document
 * hold the same null key).
 */
const OBSOLETE_INDEXES: Partial<Record<string, readonly string[]>> = {
  // `outbox_pending` ({ outboxSince, _id }) until 6 December 2026: the outbox is found by `outboxPending` since, and
  // the index only cost every write (found by review, 7 December 2026).
  partners: ['partners_by_status', 'outbox_pending'],
  marketables: ['marketables_sku_unique', 'marketables_by_active', 'marketables_by_sku', 'outbox_pending'],
  partnerships: ['partnerships_by_seller', 'partnerships_by_buyer', 'outbox_pending'],
  invoices: [
    'outbox_pending',
    'invoices_external_reference_unique',
    'invoices_by_seller',
    'invoices_by_buyer',
    'invoices_owing_by_due_date',
    'invoices_receivables',
    'invoices_receivable',
    'invoices_by_issue_month',
    'invoices_by_issue_date',
    'invoices_duplicate_probe',
    'invoices_duplicate_key',
    'invoices_by_buyer_contact',
    'invoices_by_seller_contact',
    'invoices_by_external_reference',
  ],
  payments: ['payments_by_partner', 'payments_with_credit', 'outbox_pending'],
};

/** The highest number known to be handed out per tenant and series: where the next reservation starts looking. */
export const numberHintSchema = new Schema(
  { _v: Number, tenantId: { type: String, required: true }, series: { type: String, required: true }, last: { type: Number, required: true } },
  { strictQuery: 'throw', versionKey: false, autoIndex: false, autoCreate: false },
);
numberHintSchema.index({ tenantId: 1, series: 1 }, { name: 'number_hints_unique', unique: true });

/** Which document holds which number. The reservation is the allocation: one insert, no counter to keep in step. */
export const numberReservationSchema = new Schema(
  {
    _v: Number,
    tenantId: { type: String, required: true },
    series: { type: String, required: true },
    documentId: { type: String, required: true },
    sequence: { type: Number, required: true },
    reservedAt: { type: Date, required: true },
  },
  { strictQuery: 'throw', versionKey: false, autoIndex: false, autoCreate: false },
);
// A number belongs to one document: of two concurrent inserts of the same number, one fails and tries the next.
numberReservationSchema.index({ tenantId: 1, series: 1, sequence: 1 }, { name: 'number_reservations_sequence_unique', unique: true });
// A document holds one number per series: a retried issue finds the number it already has.
numberReservationSchema.index({ tenantId: 1, series: 1, documentId: 1 }, { name: 'number_reservations_document_unique', unique: true });

/** Responses of creating requests, kept for replays (Stripe's Idempotency-Key semantics). */
export const idempotencyRecordSchema = new Schema(
  {
    _v: Number,
    tenantId: { type: String, required: true },
    key: { type: String, required: true },
    fingerprint: { type: String, required: true },
    state: { type: String, required: true },
    response: Schema.Types.Mixed,
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { strictQuery: 'throw', versionKey: false, minimize: false, autoIndex: false, autoCreate: false },
);
// One record per key and tenant: a concurrent duplicate fails to insert and is answered 409.
idempotencyRecordSchema.index({ tenantId: 1, key: 1 }, { name: 'idempotency_keys_unique', unique: true });
// Purging expired keys (FerretDB has no TTL index; `purgeExpired` deletes them).
idempotencyRecordSchema.index({ tenantId: 1, expiresAt: 1 }, { name: 'idempotency_keys_by_expiry' });
idempotencyRecordSchema.index({ expiresAt: 1 }, { name: 'idempotency_keys_expiry_sweep' });

/**
 * Locks of documents being written (see `document-lock.ts`); `_id` is the document's `_id` and collection; `owner`
 * names the call that took a batch of them (the relay), which reads back and deletes its own by it; `staleMs`, when
 * set, is how old the lock may grow before its holder is taken for dead (a lock held across several writes).
 */
export const documentLockSchema = new Schema(
  { _id: { type: String, required: true }, tenantId: { type: String, required: true }, at: { type: Date, required: true }, owner: String, staleMs: Number },
  { strictQuery: 'throw', versionKey: false, autoIndex: false, autoCreate: false },
);

/** Upgrades of the stored data that finished (`stored-format-upgrade.ts`): `_id` names the upgrade. */
export const migrationSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { strictQuery: 'throw', versionKey: false, autoIndex: false, autoCreate: false },
);

/** Accounts-receivable import jobs sent to the API (`import-job-store.ts`); `_id` is `<tenant>:<job id>`. */
export const importJobSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    // `running` while the job runs, its id after: at most one running job per tenant, decided by the unique index.
    slot: { type: String, required: true },
    status: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { strict: false, strictQuery: 'throw', versionKey: false, minimize: false, autoIndex: false, autoCreate: false },
);
importJobSchema.index({ tenantId: 1, slot: 1 }, { name: 'import_jobs_slot_unique', unique: true });

/** The refused rows of import jobs, for their error reports. */
export const importJobRowSchema = new Schema(
  { tenantId: { type: String, required: true }, jobId: { type: String, required: true }, row: { type: Number, required: true } },
  { strict: false, strictQuery: 'throw', versionKey: false, minimize: false, autoIndex: false, autoCreate: false },
);
importJobRowSchema.index({ tenantId: 1, jobId: 1, row: 1 }, { name: 'import_job_rows_by_job' });

/** Collection name → schema, for the models and the index command. */
export const COLLECTIONS = {
  partners: partnerSchema,
  marketables: marketableSchema,
  partnerships: partnershipSchema,
  invoices: invoiceSchema,
  payments: paymentSchema,
  number_hints: numberHintSchema,
  number_reservations: numberReservationSchema,
  idempotency_keys: idempotencyRecordSchema,
  document_locks: documentLockSchema,
  ledger_transactions: ledgerTransactionSchema,
  ledger_heads: ledgerHeadSchema,
  document_seals: documentSealSchema,
  migrations: migrationSchema,
  import_jobs: importJobSchema,
  import_job_rows: importJobRowSchema,
  events: eventSchema,
  event_heads: eventHeadSchema,
  webhook_endpoints: webhookEndpointSchema,
  webhook_deliveries: webhookDeliverySchema,
  worker_leases: workerLeaseSchema,
} as const;

export type CollectionName = keyof typeof COLLECTIONS;
export type Models = { readonly [Name in CollectionName]: Model<Record<string, unknown>> };

/** The models of every collection on a connection (created once per connection). */
export function modelsOf(connection: Connection): Models {
  return Object.fromEntries(
    Object.entries(COLLECTIONS).map(([name, schema]) => [name, connection.models[name] ?? connection.model(name, schema, name)]),
  ) as unknown as Models;
}

/**
 * Creates the collections and every index declared above, idempotently (existing ones are left as they are), after
 * dropping the obsolete ones and rewriting documents of an older stored format ({@link upgradeStoredFormat}). Run at
 * API start and by `npm run db:indexes`. Returns the index names per collection.
 */
export async function ensureIndexes(connection: Connection): Promise<Record<string, string[]>> {
  const models = modelsOf(connection);
  const created: Record<string, string[]> = {};
  for (const [name, model] of Object.entries(models)) {
    await model.createCollection().catch((error: { codeName?: string; code?: number }) => {
      if (error.codeName !== 'NamespaceExists' && error.code !== 48) throw error;
    });
    for (const obsolete of OBSOLETE_INDEXES[name] ?? []) {
      await model.collection.dropIndex(obsolete).catch((error: { codeName?: string; code?: number }) => {
        if (error.codeName !== 'IndexNotFound' && error.code !== 27) throw error;
      });
    }
  }
  // Before the indexes: the new unique keys are top-level fields that format-1 documents lack.
  await upgradeStoredFormat(models, new DocumentLocks(models.document_locks));
  for (const [name, model] of Object.entries(models)) {
    await model.createIndexes();
    created[name] = model.schema.indexes().map(([, options]) => String(options.name));
  }
  return created;
}
