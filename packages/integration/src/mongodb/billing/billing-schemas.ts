import { Schema, type Connection, type IndexDefinition, type IndexOptions, type Model } from 'mongoose';
import { OUTBOX_WAITING_INDEX } from '../schemas';

/**
 * The collections of `@invoicing/billing`, their queried fields and their indexes (see `../schemas.ts` for the rules
 * they follow: `_id` is `tenantId/id`, every index starts with `tenantId`, what queries match by equality is a
 * top-level field, states read whole are one string).
 *
 * Every creating write is one insert against a unique index, atomic on every server: a usage event per tenant and
 * event id, a bill per tenant and key (partnership and billing date), a one-off charge and a run per tenant and id.
 * The `_id` holds the same key; the compound index is what stays unique once a collection is sharded on `tenantId`.
 */
type Index = readonly [IndexDefinition, IndexOptions];

const OPTIONS = { strictQuery: 'throw', versionKey: false, minimize: false, autoIndex: false, autoCreate: false } as const;

function schemaOf(fields: Record<string, unknown>, indexes: readonly Index[]): Schema {
  const schema = new Schema({ _id: { type: String, required: true }, _v: Number, tenantId: { type: String, required: true }, ...fields }, OPTIONS);
  for (const [keys, options] of indexes) schema.index(keys, options);
  return schema;
}

/** Billing plans, one per partnership: aggregates stored as `AggregateStore` writes them, outbox included. */
export const billingPlanSchema = schemaOf(
  { id: { type: String, required: true }, version: { type: Number, required: true }, state: String, outbox: { type: [Schema.Types.Mixed], default: undefined }, outboxSince: Date, outboxPending: Boolean },
  [
    // How a run walks a tenant's plans, in id order.
    [{ tenantId: 1, _id: 1 }, { name: 'billing_plans_by_tenant' }],
    OUTBOX_WAITING_INDEX,
  ],
);

/**
 * Usage events, inserted once and never changed. `properties` holds each property under its escaped name
 * (`usage-event.mapper.ts`), strings as strings and booleans as booleans, so that filters and groups run in the
 * database.
 */
export const usageEventSchema = schemaOf(
  {
    eventId: { type: String, required: true },
    partnershipId: { type: String, required: true },
    metricCode: { type: String, required: true },
    timestamp: { type: Date, required: true },
    receivedAt: { type: Date, required: true },
    subject: Schema.Types.Mixed,
    properties: Schema.Types.Mixed,
    usageMonth: { type: String, required: true },
    receiptMonth: { type: String, required: true },
  },
  [
    // An event id names one event per tenant: a resend, however many batches carry it at once, is stored once.
    [{ tenantId: 1, eventId: 1 }, { name: 'usage_events_event_id_unique', unique: true }],
    // measure: a partnership's events of one metric in one month, then the range within it (usage-event.mapper.ts).
    [{ tenantId: 1, usageMonth: 1, timestamp: 1 }, { name: 'usage_events_by_metric_month' }],
    // lateUsage: a partnership's events received in one month, then the window within it.
    [{ tenantId: 1, receiptMonth: 1, receivedAt: 1 }, { name: 'usage_events_by_receipt_month' }],
  ],
);

/**
 * One-off charges waiting for (or charged by) a bill. `claimedBy` (the key of the bill that took it) and `cancelledAt`
 * are the only fields ever changed, each set once and never both, under the charge's document lock.
 */
export const oneOffChargeSchema = schemaOf(
  {
    id: { type: String, required: true },
    partnershipId: { type: String, required: true },
    date: { type: String, required: true },
    name: String,
    marketableId: String,
    unitCode: String,
    quantity: Schema.Types.Mixed,
    unitPrice: Schema.Types.Mixed,
    vat: Schema.Types.Mixed,
    createdAt: Date,
    cancelledAt: Date,
    addedBy: String,
    claimedBy: String,
    claimedAt: Date,
  },
  [
    [{ tenantId: 1, id: 1 }, { name: 'one_off_charges_id_unique', unique: true }],
    // listThrough: a partnership's charges up to a day, by date then id.
    [{ tenantId: 1, partnershipId: 1, date: 1, id: 1 }, { name: 'one_off_charges_by_partnership_date' }],
  ],
);

/** Bills: what a billing date of a partnership charged (`state`, written once), and what became of its invoice. */
export const billSchema = schemaOf(
  {
    key: { type: String, required: true },
    partnershipId: { type: String, required: true },
    billingDate: { type: String, required: true },
    invoiceId: { type: String, required: true },
    runId: String,
    status: { type: String, required: true },
    outcome: Schema.Types.Mixed,
    invoicedAt: Date,
    slot: String,
    state: String,
  },
  [
    // A partnership's bill for a date is recorded once, whichever run records it first.
    [{ tenantId: 1, key: 1 }, { name: 'bills_key_unique', unique: true }],
    // And one bill per position: of runs that read the same bills, one records the next (BillState.position).
    [{ slot: 1 }, { name: 'bills_slot_unique', unique: true, sparse: true }],
    [{ tenantId: 1, partnershipId: 1, billingDate: 1 }, { name: 'bills_by_partnership_date' }],
    [{ tenantId: 1, invoiceId: 1 }, { name: 'bills_by_invoice' }],
    [{ tenantId: 1, runId: 1, key: 1 }, { name: 'bills_by_run_key' }],
  ],
);

/** Billing runs: their progress and outcome (`state`, replaced as they go). */
export const billingRunSchema = schemaOf({ id: { type: String, required: true }, startedAt: { type: Date, required: true }, state: String }, [
  [{ tenantId: 1, id: 1 }, { name: 'billing_runs_id_unique', unique: true }],
  // A tenant's runs, newest first.
  [{ tenantId: 1, startedAt: -1, id: -1 }, { name: 'billing_runs_by_start' }],
]);

/** Collection name → schema of billing's collections. */
export const BILLING_COLLECTIONS = {
  billing_plans: billingPlanSchema,
  usage_events: usageEventSchema,
  one_off_charges: oneOffChargeSchema,
  bills: billSchema,
  billing_runs: billingRunSchema,
} as const;

export type BillingCollectionName = keyof typeof BILLING_COLLECTIONS;
export type BillingModels = { readonly [Name in BillingCollectionName]: Model<Record<string, unknown>> };

/** The models of billing's collections on a connection (created once per connection). */
export function billingModelsOf(connection: Connection): BillingModels {
  return Object.fromEntries(
    Object.entries(BILLING_COLLECTIONS).map(([name, schema]) => [name, connection.models[name] ?? connection.model(name, schema, name)]),
  ) as unknown as BillingModels;
}

/** Creates billing's collections and indexes that are missing, idempotently. Returns the index names per collection. */
export async function ensureBillingIndexes(connection: Connection): Promise<Record<string, string[]>> {
  const created: Record<string, string[]> = {};
  for (const [name, model] of Object.entries(billingModelsOf(connection))) {
    await model.createCollection().catch((error: { codeName?: string; code?: number }) => {
      if (error.codeName !== 'NamespaceExists' && error.code !== 48) throw error;
    });
    if (name === 'billing_plans') {
      // The outbox's index until 6 December 2026 ({ outboxSince, _id }): found by `outboxPending` since, it only cost writes.
      await model.collection.dropIndex('outbox_pending').catch((error: { codeName?: string; code?: number }) => {
        if (error.codeName !== 'IndexNotFound' && error.code !== 27) throw error;
      });
    }
    await model.createIndexes();
    created[name] = model.schema.indexes().map(([, options]) => String(options.name));
  }
  return created;
}
