import { Schema } from 'mongoose';

const OPTIONS = { strict: false, strictQuery: 'throw', versionKey: false, minimize: false, autoIndex: false, autoCreate: false } as const;

/** Events per bucket of a tenant's log: the change feed reads one bucket per round trip, by equality. */
export const EVENT_BUCKET_SIZE = 256;

/**
 * The tenants' event logs (`event-log.ts`): one document per relayed event, `_id` its event id, never changed.
 * `sequence` orders a tenant's events; `bucket` (sequence / 256, rounded down) lets the feed read a range by equality,
 * which FerretDB pushes down where it would scan for `$gt` (ADR 0002). `payload` is one string of Extended JSON.
 */
export const eventSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    sequence: { type: Number, required: true },
    bucket: { type: Number, required: true },
    aggregateId: { type: String, required: true },
  },
  OPTIONS,
);
// Two relays can never give one sequence twice: the second insert fails and re-reads the head.
eventSchema.index({ tenantId: 1, sequence: 1 }, { name: 'events_by_sequence', unique: true });
eventSchema.index({ tenantId: 1, bucket: 1 }, { name: 'events_by_bucket' });
eventSchema.index({ tenantId: 1, aggregateId: 1 }, { name: 'events_by_aggregate' });

/** The last sequence of each tenant's log, `_id` the tenant: a hint the writer corrects upward by probing. */
export const eventHeadSchema = new Schema({ _id: { type: String, required: true }, sequence: { type: Number, required: true } }, OPTIONS);

/**
 * Webhook endpoints (`webhook-stores.ts`), stored as aggregates are: `_id` is `tenantId/id`, a version, and an outbox
 * whose events the relay publishes like any other.
 */
export const webhookEndpointSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    id: { type: String, required: true },
    version: { type: Number, required: true },
    outbox: { type: [Schema.Types.Mixed], default: undefined },
    outboxSince: Date,
    outboxPending: Boolean,
  },
  OPTIONS,
);
webhookEndpointSchema.index({ tenantId: 1, id: 1 }, { name: 'webhook_endpoints_by_tenant' });
webhookEndpointSchema.index({ outboxPending: 1 }, { name: 'outbox_waiting', sparse: true });

/**
 * One delivery of one event to one endpoint, `_id` `tenantId/endpointId/sequence` (so an event is queued once per
 * endpoint however often it is relayed). `due` is set while it waits to be sent: the sender finds those by equality.
 */
export const webhookDeliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    endpointId: { type: String, required: true },
    sequence: { type: Number, required: true },
    bucket: { type: Number, required: true },
    due: Boolean,
  },
  OPTIONS,
);
webhookDeliverySchema.index({ due: 1 }, { name: 'webhook_deliveries_due', sparse: true });
webhookDeliverySchema.index({ tenantId: 1, endpointId: 1, bucket: 1 }, { name: 'webhook_deliveries_by_endpoint' });

/** Leases of background work that one process does at a time (`lease.ts`): `_id` names the work. */
export const workerLeaseSchema = new Schema({ _id: { type: String, required: true }, owner: { type: String, required: true }, until: { type: Date, required: true } }, OPTIONS);
