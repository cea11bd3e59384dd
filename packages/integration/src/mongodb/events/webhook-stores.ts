import { ConflictError, NotFoundError, requireExpectedVersion, type DomainEvent, type ExpectedVersion, type TenantId } from '@invoicing/core';
import type { Model } from 'mongoose';
import type { LoggedEvent } from '../../events/event-log.port';
import { ATTEMPTS_KEPT, type WebhookEndpointEvent, type DeliveryAttempt, type DeliveryStatus, type EndpointSecret, type WebhookDelivery, type WebhookEndpoint } from '../../webhooks/webhook';
import type { DeliveryPage, EndpointChange, NewEndpoint, WebhookDeliveryStore, WebhookEndpointStore } from '../../webhooks/webhook.port';
import { lockIdOf } from '../aggregate-store';
import type { DocumentLocks } from '../document-lock';
import { outboxEntryOf } from '../mappers/domain-event.mapper';
import { guarded, isDuplicateKey } from '../mongo-errors';
import { op } from '../query-support';
import type { Models } from '../schemas';
import { EVENT_BUCKET_SIZE } from './event-schemas';

/** Secrets that sign a delivery at once at most: the current one and up to three in their overlap. */
const MAX_SECRETS = 4;

interface EndpointDocument {
  _id: string;
  tenantId: string;
  id: string;
  version: number;
  url: string;
  description?: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason?: 'by_request' | 'failing';
  secrets: EndpointSecret[];
  createdAt: Date;
  updatedAt: Date;
  lastSuccessAt?: Date;
  deletedAt?: Date;
}

const AGGREGATE_TYPE = 'webhook_endpoint';
/** The outbox's fields are the relay's: an endpoint is read without them, so a change never writes them back. */
const OUTBOX_LEFT_OUT = { outbox: 0, outboxSince: 0, outboxPending: 0 };

function endpointOf(document: EndpointDocument): WebhookEndpoint {
  return {
    tenantId: document.tenantId,
    id: document.id,
    version: document.version,
    url: document.url,
    ...(document.description === undefined ? {} : { description: document.description }),
    eventTypes: document.eventTypes,
    enabled: document.enabled,
    ...(document.disabledReason === undefined ? {} : { disabledReason: document.disabledReason }),
    secrets: document.secrets,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    ...(document.lastSuccessAt === undefined ? {} : { lastSuccessAt: document.lastSuccessAt }),
  };
}

/** An endpoint's event, as the domain's aggregates raise theirs; it never carries a secret. */
function eventOf(document: EndpointDocument, version: number, index: number, type: WebhookEndpointEvent, payload: Record<string, unknown>, at: Date): DomainEvent {
  return {
    id: `${document.tenantId}/${document.id}/${version}/${index}`,
    type: `${AGGREGATE_TYPE}.${type}`,
    tenantId: document.tenantId as TenantId,
    aggregateType: AGGREGATE_TYPE,
    aggregateId: document.id,
    aggregateVersion: version,
    index,
    occurredAt: at,
    payload,
  };
}

function summary(document: EndpointDocument): Record<string, unknown> {
  return { url: document.url, eventTypes: document.eventTypes, enabled: document.enabled, ...(document.disabledReason ? { disabledReason: document.disabledReason } : {}) };
}

/**
 * Webhook endpoints on MongoDB (collection `webhook_endpoints`): each change is one write under the document's lock
 * with a version check, its event appended to the document's outbox in the same write, as `AggregateStore` does.
 * Deleting keeps the document (marked deleted, secrets erased) so that its events and the audit stay readable.
 */
export class MongoWebhookEndpointStore implements WebhookEndpointStore {
  private readonly model: Model<Record<string, unknown>>;

  constructor(
    models: Models,
    private readonly locks: DocumentLocks,
  ) {
    this.model = models.webhook_endpoints;
  }

  async create(endpoint: NewEndpoint, limit?: number): Promise<WebhookEndpoint> {
    if (limit === undefined) return this.insert(endpoint);
    // Under a lock on the tenant's endpoints: a count then an insert, by two requests at once, went past the limit.
    const created = await this.locks.withLock(`${endpoint.tenantId}|webhook_endpoints.limit`, endpoint.tenantId, async () => {
      if ((await this.list(endpoint.tenantId)).length >= limit) {
        throw new ConflictError('webhook_endpoint.too_many', `a tenant has at most ${limit} webhook endpoints; delete one first`, { limit });
      }
      return this.insert(endpoint);
    });
    return created as WebhookEndpoint;
  }

  private async insert(endpoint: NewEndpoint): Promise<WebhookEndpoint> {
    const document: EndpointDocument = {
      _id: `${endpoint.tenantId}/${endpoint.id}`,
      tenantId: endpoint.tenantId,
      id: endpoint.id,
      version: 1,
      url: endpoint.url,
      ...(endpoint.description === undefined ? {} : { description: endpoint.description }),
      eventTypes: [...endpoint.eventTypes],
      enabled: endpoint.enabled,
      ...(endpoint.enabled ? {} : { disabledReason: 'by_request' as const }),
      secrets: [{ secret: endpoint.secret, createdAt: endpoint.at }],
      createdAt: endpoint.at,
      updatedAt: endpoint.at,
    };
    const event = eventOf(document, 1, 0, 'created', summary(document), endpoint.at);
    try {
      await guarded(() => this.model.collection.insertOne({ ...document, outbox: [outboxEntryOf(event)], outboxSince: endpoint.at, outboxPending: true } as never));
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError('webhook_endpoint.already_exists', `webhook endpoint ${endpoint.id} exists already`, { id: endpoint.id });
      throw error;
    }
    return endpointOf(document);
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const document = await this.read(tenantId, id);
    return document ? endpointOf(document) : undefined;
  }

  async list(tenantId: string): Promise<readonly WebhookEndpoint[]> {
    const documents = await guarded(() => this.model.find({ tenantId }, OUTBOX_LEFT_OUT).lean<EndpointDocument[]>().exec());
    return documents.filter((document) => !document.deletedAt).map(endpointOf).sort((left, right) => (left.id < right.id ? -1 : 1));
  }

  update(tenantId: string, id: string, change: EndpointChange, at: Date, expectedVersion?: ExpectedVersion): Promise<WebhookEndpoint> {
    return this.change(tenantId, id, at, expectedVersion, (document) => {
      const next: EndpointDocument = {
        ...document,
        ...(change.url === undefined ? {} : { url: change.url }),
        ...(change.eventTypes === undefined ? {} : { eventTypes: [...change.eventTypes] }),
        ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
      };
      if (change.description === null) delete next.description;
      else if (change.description !== undefined) next.description = change.description;
      if (change.enabled === true) delete next.disabledReason;
      if (change.enabled === false) next.disabledReason = 'by_request';
      const type: WebhookEndpointEvent = change.enabled === true && !document.enabled ? 'enabled' : change.enabled === false && document.enabled ? 'disabled' : 'updated';
      return { document: next, events: [[type, summary(next)]] };
    });
  }

  rotateSecret(tenantId: string, id: string, secret: string, overlapUntil: Date, at: Date, expectedVersion?: ExpectedVersion): Promise<WebhookEndpoint> {
    return this.change(tenantId, id, at, expectedVersion, (document) => {
      // The current secret overlaps the new one. Older ones still in their own overlap keep it (a second rotation soon
      // after the first, whose answer the caller may never have read, must not end the secret the receiver verifies
      // with), up to MAX_SECRETS; no overlap asked (a leaked secret) ends them all now.
      const [current, ...older] = document.secrets;
      const overlapping = overlapUntil > at;
      const kept = overlapping ? older.filter((old) => old.expiresAt !== undefined && old.expiresAt > at) : [];
      const secrets: EndpointSecret[] = [{ secret, createdAt: at }, ...(current && overlapping ? [{ ...current, expiresAt: overlapUntil }] : []), ...kept].slice(0, MAX_SECRETS);
      return { document: { ...document, secrets }, events: [['secret_rotated', { previousSecretExpiresAt: overlapUntil.toISOString() }]] };
    });
  }

  async disableFailing(tenantId: string, id: string, version: number, at: Date): Promise<boolean> {
    let disabled = false;
    await this.change(tenantId, id, at, undefined, (document) => {
      disabled = document.enabled && document.version === version;
      return disabled ? { document: { ...document, enabled: false, disabledReason: 'failing' }, events: [['disabled', { ...summary({ ...document, enabled: false, disabledReason: 'failing' }) }]] } : undefined;
    });
    return disabled;
  }

  async recordSuccess(tenantId: string, id: string, at: Date): Promise<void> {
    // Not a change of the endpoint: no event, no version; written under the lock like any update (FerretDB rewrites the document).
    await this.locks.withLock(lockIdOf(this.model, { _id: `${tenantId}/${id}` }), tenantId, () =>
      guarded(() => this.model.collection.updateOne({ _id: `${tenantId}/${id}` as never }, { $set: { lastSuccessAt: at } })),
    );
  }

  async delete(tenantId: string, id: string, at: Date, expectedVersion?: ExpectedVersion): Promise<void> {
    await this.change(tenantId, id, at, expectedVersion, (document) => ({
      document: { ...document, enabled: false, secrets: [], deletedAt: at },
      events: [['deleted', { url: document.url }]],
    }));
  }

  private async read(tenantId: string, id: string): Promise<EndpointDocument | undefined> {
    const document = await guarded(() => this.model.findOne({ _id: `${tenantId}/${id}` }, OUTBOX_LEFT_OUT).lean<EndpointDocument>().exec());
    return document && !document.deletedAt ? document : undefined;
  }

  /**
   * One change: read, check the version expected (if any), decide, write at the next version with its events, all under
   * the document's lock; the write is guarded by the version read, so the check holds for the write.
   */
  private async change(
    tenantId: string,
    id: string,
    at: Date,
    expectedVersion: ExpectedVersion | undefined,
    decide: (document: EndpointDocument) => { document: EndpointDocument; events: [WebhookEndpointEvent, Record<string, unknown>][] } | undefined,
  ): Promise<WebhookEndpoint> {
    const _id = `${tenantId}/${id}`;
    const result = await this.locks.withLock(lockIdOf(this.model, { _id }), tenantId, async () => {
      const current = await this.read(tenantId, id);
      if (!current) throw new NotFoundError('webhook_endpoint', id);
      requireExpectedVersion(AGGREGATE_TYPE, id, current.version, expectedVersion);
      const decided = decide(current);
      if (!decided) return current;
      const version = current.version + 1;
      const next: EndpointDocument = { ...decided.document, version, updatedAt: at };
      const events = decided.events.map(([type, payload], index) => outboxEntryOf(eventOf(next, version, index, type, payload, at)));
      const { _id: _ignored, ...fields } = next;
      const unset = Object.fromEntries((['description', 'disabledReason'] as const).filter((field) => next[field] === undefined).map((field) => [field, '']));
      const written = await guarded(() =>
        this.model.collection.updateOne({ _id: _id as never, version: current.version }, {
          $set: { ...fields, outboxPending: true },
          ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
          $push: { outbox: { $each: events } },
          $min: { outboxSince: at },
        } as never),
      );
      if (written.matchedCount === 0) throw new ConflictError('concurrency.conflict', `webhook endpoint ${id} was changed by someone else`, { id });
      return next;
    });
    return endpointOf(result as EndpointDocument);
  }
}

interface DeliveryDocument {
  _id: string;
  tenantId: string;
  endpointId: string;
  sequence: number;
  bucket: number;
  eventId: string;
  eventType: string;
  aggregateId: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: Date;
  nextAttemptAt?: Date;
  firstAttemptAt?: Date;
  deliveredAt?: Date;
  history: DeliveryAttempt[];
  body: string;
  due?: boolean;
}

function deliveryOf(document: DeliveryDocument): WebhookDelivery {
  const { _id, bucket, due, ...delivery } = document;
  return delivery;
}

/** Endpoints whose waiting deliveries are read at once when there is a backlog. */
const WAITING_READ_CONCURRENCY = 8;

function deliveryId(tenantId: string, endpointId: string, sequence: number): string {
  return `${tenantId}/${endpointId}/${sequence}`;
}

/**
 * Deliveries on MongoDB (collection `webhook_deliveries`). Queued by unordered inserts whose duplicates are ignored
 * (an event relayed twice is queued once); the sender alone writes a delivery once queued, except a person's re-send.
 * `due: true` marks the waiting ones for the sender's equality query.
 */
export class MongoWebhookDeliveryStore implements WebhookDeliveryStore {
  private readonly model: Model<Record<string, unknown>>;
  private readonly heads: Model<Record<string, unknown>>;

  constructor(models: Models) {
    this.model = models.webhook_deliveries;
    this.heads = models.event_heads;
  }

  async enqueue(deliveries: readonly { readonly endpointId: string; readonly event: LoggedEvent; readonly body: string }[], at: Date): Promise<void> {
    if (deliveries.length === 0) return;
    const documents: DeliveryDocument[] = deliveries.map(({ endpointId, event, body }) => ({
      _id: deliveryId(event.tenantId, endpointId, event.sequence),
      tenantId: event.tenantId,
      endpointId,
      sequence: event.sequence,
      bucket: Math.floor(event.sequence / EVENT_BUCKET_SIZE),
      eventId: event.id,
      eventType: event.type,
      aggregateId: event.aggregateId,
      status: 'pending',
      attempts: 0,
      createdAt: at,
      nextAttemptAt: at,
      history: [],
      body,
      due: true,
    }));
    try {
      await guarded(() => this.model.collection.insertMany(documents as never[], { ordered: false }));
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { code?: number }[] }).writeErrors ?? [];
      if (!isDuplicateKey(error) || writeErrors.length === 0 || writeErrors.some((writeError) => writeError.code !== 11000)) throw error;
    }
  }

  /**
   * Every waiting delivery when there are fewer than `limit`. Past that (a receiver down for long, an endpoint
   * disabled with deliveries waiting), each endpoint gets its share of the read, its oldest first: one endpoint's
   * backlog read in storage order would fill every read, and no other tenant's delivery would be sent again.
   */
  async waiting(limit: number): Promise<readonly WebhookDelivery[]> {
    const documents = await guarded(() => this.model.find({ due: true }).limit(limit).lean<DeliveryDocument[]>().exec());
    if (documents.length < limit) return documents.map(deliveryOf);
    const tenants = (await guarded(() => this.model.distinct('tenantId', { due: true }).exec())) as string[];
    const endpoints: { tenantId: string; endpointId: string }[] = [];
    for (const tenantId of tenants) {
      const ids = (await guarded(() => this.model.distinct('endpointId', { due: true, tenantId }).exec())) as string[];
      endpoints.push(...ids.map((endpointId) => ({ tenantId, endpointId })));
    }
    const share = Math.max(1, Math.floor(limit / Math.max(1, endpoints.length)));
    const read: DeliveryDocument[] = [];
    for (let start = 0; start < endpoints.length; start += WAITING_READ_CONCURRENCY) {
      const chunk = await Promise.all(
        endpoints
          .slice(start, start + WAITING_READ_CONCURRENCY)
          .map(({ tenantId, endpointId }) => guarded(() => this.model.find({ due: true, tenantId, endpointId }).sort({ sequence: 1 }).limit(share).lean<DeliveryDocument[]>().exec())),
      );
      read.push(...chunk.flat());
    }
    return read.map(deliveryOf);
  }

  async recordAttempt(delivery: WebhookDelivery, attempt: DeliveryAttempt, outcome: { readonly status: DeliveryStatus; readonly nextAttemptAt?: Date }): Promise<void> {
    const history = [...delivery.history, attempt].slice(-ATTEMPTS_KEPT);
    const waiting = outcome.status === 'pending';
    // Only the delivery as the attempt read it: a re-send since (it sets `firstAttemptAt`) has queued it again, and the
    // attempt, which began before, must not settle it.
    const unchanged = delivery.firstAttemptAt === undefined ? { firstAttemptAt: op({ $exists: false }) } : { firstAttemptAt: delivery.firstAttemptAt };
    await guarded(() =>
      this.model.collection.updateOne({ _id: deliveryId(delivery.tenantId, delivery.endpointId, delivery.sequence) as never, ...unchanged } as never, {
        $set: {
          status: outcome.status,
          attempts: delivery.attempts + 1,
          history,
          firstAttemptAt: delivery.firstAttemptAt ?? attempt.at,
          ...(waiting ? { nextAttemptAt: outcome.nextAttemptAt ?? attempt.at, due: true } : {}),
          ...(outcome.status === 'delivered' ? { deliveredAt: attempt.at } : {}),
        },
        ...(waiting ? {} : { $unset: { due: '', nextAttemptAt: '' } }),
      } as never),
    );
  }

  async get(tenantId: string, endpointId: string, sequence: number): Promise<WebhookDelivery | undefined> {
    const document = await guarded(() => this.model.collection.findOne({ _id: deliveryId(tenantId, endpointId, sequence) as never }));
    return document ? deliveryOf(document as unknown as DeliveryDocument) : undefined;
  }

  async list(tenantId: string, endpointId: string, page: { readonly before?: number; readonly limit: number; readonly status?: DeliveryStatus }): Promise<DeliveryPage> {
    const found: DeliveryDocument[] = [];
    const before = page.before ?? Number.MAX_SAFE_INTEGER;
    let bucket = page.before === undefined ? await this.lastBucket(tenantId) : Math.floor((before - 1) / EVENT_BUCKET_SIZE);
    for (let read = 0; bucket >= 0 && found.length < page.limit && read < 64; bucket -= 1, read += 1) {
      const documents = await guarded(() => this.model.find({ tenantId, endpointId, bucket }).lean<DeliveryDocument[]>().exec());
      found.push(...documents.filter((document) => document.sequence < before && (!page.status || document.status === page.status)).sort((left, right) => right.sequence - left.sequence));
    }
    const deliveries = found.slice(0, page.limit);
    const more = found.length > page.limit || bucket >= 0;
    const last = deliveries.at(-1);
    return { deliveries: deliveries.map(deliveryOf), ...(more && last ? { next: last.sequence } : {}) };
  }

  /** The newest bucket any delivery of the tenant can be in: its event log head's (deliveries are queued after logging). */
  private async lastBucket(tenantId: string): Promise<number> {
    const head = await guarded(() => this.heads.collection.findOne({ _id: tenantId as never }));
    return Math.floor(((head?.sequence as number | undefined) ?? 0) / EVENT_BUCKET_SIZE);
  }

  async resend(tenantId: string, endpointId: string, sequence: number, at: Date): Promise<WebhookDelivery | undefined> {
    const _id = deliveryId(tenantId, endpointId, sequence);
    const result = await guarded(() =>
      this.model.collection.findOneAndUpdate(
        { _id: _id as never },
        { $set: { status: 'pending', due: true, nextAttemptAt: at, firstAttemptAt: at }, $unset: { deliveredAt: '' } },
        { returnDocument: 'after' },
      ),
    );
    return result ? deliveryOf(result as unknown as DeliveryDocument) : undefined;
  }

  async backlog(now: Date, tenantId?: string): Promise<{ readonly waiting: number; readonly oldestAgeMs: number }> {
    const documents = await guarded(() => this.model.find({ due: true, ...(tenantId === undefined ? {} : { tenantId }) }, { createdAt: 1 }).lean<{ createdAt: Date }[]>().exec());
    const oldest = documents.reduce((min, document) => Math.min(min, document.createdAt.getTime()), now.getTime());
    return { waiting: documents.length, oldestAgeMs: now.getTime() - oldest };
  }
}
