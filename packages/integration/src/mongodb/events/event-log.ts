import type { DomainEvent, TenantId } from '@invoicing/core';
import type { Model } from 'mongoose';
import type { EventLog, EventPage, EventQuery, LoggedEvent } from '../../events/event-log.port';
import { SYSTEM_ACTOR } from '../../events/event-origin';
import { decodeState, encodeState } from '../mappers/stored-state';
import { guarded, isDuplicateKey } from '../mongo-errors';
import type { Models } from '../schemas';
import { EVENT_BUCKET_SIZE } from './event-schemas';

interface EventDocument {
  _id: string;
  tenantId: string;
  sequence: number;
  bucket: number;
  type: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  index: number;
  occurredAt: Date;
  loggedAt: Date;
  actor: LoggedEvent['actor'];
  requestId?: string;
  payload: string;
}

/** How often a writer re-reads the head and tries again when another writer took its sequence. */
const MAX_CONFLICTS = 50;
/** How often a writer raises a tenant's head hint again when reading it back finds it lower (another raise overwrote it). */
const HEAD_RAISES = 5;
const MAX_BUCKETS_PER_READ = 64;
/**
 * Events per insert. FerretDB 1.x splits a larger ordered insert into batches of 100 and, after a duplicate in one,
 * goes on with the next (measured: a duplicate at index 90 of 222 left 190 inserted), which would leave a hole in
 * the sequence with later events after it; within one batch it stops at the duplicate as an ordered insert must.
 */
const INSERT_CHUNK = 50;

function toLogged(document: EventDocument): LoggedEvent {
  return {
    id: document._id,
    type: document.type,
    tenantId: document.tenantId as TenantId,
    aggregateType: document.aggregateType,
    aggregateId: document.aggregateId,
    aggregateVersion: document.aggregateVersion,
    index: document.index,
    occurredAt: document.occurredAt,
    payload: decodeState<{ value: unknown }>(document.payload).value,
    actor: document.actor ?? SYSTEM_ACTOR,
    ...(document.requestId === undefined ? {} : { requestId: document.requestId }),
    sequence: document.sequence,
    loggedAt: document.loggedAt,
  };
}

/**
 * The event logs on MongoDB (or FerretDB 1.x), collection `events`. The writer gives each tenant's events sequences
 * 1, 2, 3 … without gaps, in one ordered insert per tenant and batch; the unique keys `_id` (the event id) and
 * `{tenantId, sequence}` make a re-published event a no-op and two writers at once harmless: the one that loses a
 * sequence re-reads the head and goes on after it. The head is cached by the writer and kept in `event_heads` as a
 * hint, which the writer corrects by probing the next sequences when it first needs a tenant's head.
 */
export class MongoEventLog implements EventLog {
  private readonly events: Model<Record<string, unknown>>;
  private readonly heads: Model<Record<string, unknown>>;
  private readonly cachedHeads = new Map<string, number>();

  constructor(models: Models) {
    this.events = models.events;
    this.heads = models.event_heads;
  }

  async append(events: readonly DomainEvent[]): Promise<readonly LoggedEvent[]> {
    const byTenant = new Map<string, DomainEvent[]>();
    for (const event of events) byTenant.set(event.tenantId, [...(byTenant.get(event.tenantId) ?? []), event]);
    const logged = new Map<string, LoggedEvent>();
    for (const [tenantId, tenantEvents] of byTenant) {
      for (const event of await this.appendForTenant(tenantId, tenantEvents)) logged.set(event.id, event);
    }
    return events.map((event) => logged.get(event.id) as LoggedEvent);
  }

  private async appendForTenant(tenantId: string, events: readonly DomainEvent[]): Promise<LoggedEvent[]> {
    const done: LoggedEvent[] = [];
    let rest = [...events];
    for (let conflicts = 0; rest.length > 0; ) {
      if (conflicts >= MAX_CONFLICTS) throw new Error(`the event log of ${tenantId} kept changing under this writer`);
      const head = await this.headForWriting(tenantId);
      const loggedAt = new Date();
      const documents: EventDocument[] = rest.slice(0, INSERT_CHUNK).map((event, offset) => {
        const sequence = head + 1 + offset;
        return {
          _id: event.id,
          tenantId,
          sequence,
          bucket: Math.floor(sequence / EVENT_BUCKET_SIZE),
          type: event.type,
          aggregateType: event.aggregateType,
          aggregateId: event.aggregateId,
          aggregateVersion: event.aggregateVersion,
          index: event.index,
          occurredAt: event.occurredAt,
          loggedAt,
          actor: event.actor ?? SYSTEM_ACTOR,
          ...(event.requestId === undefined ? {} : { requestId: event.requestId }),
          payload: encodeState({ value: event.payload ?? null }),
        };
      });
      let inserted = documents.length;
      try {
        await guarded(() => this.events.collection.insertMany(documents as never[], { ordered: true }));
      } catch (error) {
        const writeError = (error as { writeErrors?: { index: number }[] }).writeErrors?.[0];
        if (!isDuplicateKey(error) || writeError === undefined) throw error;
        inserted = writeError.index;
      }
      done.push(...documents.slice(0, inserted).map(toLogged));
      let next = head + inserted;
      rest = rest.slice(inserted);
      if (inserted < documents.length) {
        // The first event not inserted is logged already (a relay publishing again), or its sequence was taken.
        const first = rest[0] as DomainEvent;
        const existing = await guarded(() => this.events.collection.findOne({ _id: first.id as never }));
        if (existing) {
          const logged = existing as unknown as EventDocument;
          // Another aggregate's event under the same id would be taken for this one, which would never be logged. Ids
          // carry the aggregate type, so that cannot happen; an id of an older release (four parts, without the type:
          // a billing plan's and its partnership's were alike) keeps the old reading rather than stop the relay.
          const another = logged.aggregateType !== first.aggregateType || logged.aggregateId !== first.aggregateId || logged.aggregateVersion !== first.aggregateVersion || logged.index !== first.index;
          if (another && first.id.split('/').length !== 4) {
            throw new Error(`event ${first.id} of ${first.aggregateType} ${first.aggregateId} has the id of a logged event of ${logged.aggregateType} ${logged.aggregateId}`);
          }
          done.push(toLogged(logged));
          rest = rest.slice(1);
        } else {
          this.cachedHeads.delete(tenantId);
          conflicts += 1;
          next = -1;
        }
      }
      if (next >= 0) this.cachedHeads.set(tenantId, next);
    }
    await this.raiseHead(tenantId, Math.max(0, ...done.map((event) => event.sequence)));
    return done;
  }

  /**
   * Raises the tenant's head hint to `sequence`. FerretDB's `$max` is not isolated: two writers raising at once can
   * leave the lower value, and the change feed's live readers, which wait for the hint to pass their cursor, would not
   * see the events above it until the next one. So it is read back and raised again until it holds.
   */
  private async raiseHead(tenantId: string, sequence: number): Promise<void> {
    for (let attempt = 0; attempt < HEAD_RAISES; attempt += 1) {
      await guarded(() => this.heads.collection.updateOne({ _id: tenantId as never }, { $max: { sequence } }, { upsert: true })).catch((error: unknown) => {
        // Two first raises upserting at once: the other created the hint, which the read below checks.
        if (!isDuplicateKey(error)) throw error;
      });
      if ((await this.head(tenantId)) >= sequence) return;
    }
  }

  /** The head as this writer knows it, else the stored hint moved past every sequence already taken. */
  private async headForWriting(tenantId: string): Promise<number> {
    const cached = this.cachedHeads.get(tenantId);
    if (cached !== undefined) return cached;
    let head = await this.head(tenantId);
    while (await guarded(() => this.events.collection.findOne({ tenantId, sequence: head + 1 } as never, { projection: { _id: 1 } }))) head += 1;
    this.cachedHeads.set(tenantId, head);
    return head;
  }

  async head(tenantId: string): Promise<number> {
    const document = await guarded(() => this.heads.collection.findOne({ _id: tenantId as never }));
    return (document?.sequence as number | undefined) ?? 0;
  }

  async isCursor(tenantId: string, after: number): Promise<boolean> {
    if (after <= (await this.head(tenantId))) return true;
    // The hint may lag the log by the events of an append under way: the log itself holds such a sequence.
    return (await guarded(() => this.events.collection.findOne({ tenantId, sequence: after } as never, { projection: { _id: 1 } }))) !== null;
  }

  async read(tenantId: string, query: EventQuery): Promise<EventPage> {
    const types = query.types && query.types.length > 0 ? new Set(query.types) : undefined;
    const head = await this.head(tenantId);
    const events: LoggedEvent[] = [];
    let scanned = query.after;
    // Bucket by bucket: a full bucket means the next may hold more; the head hint may lag the log, never lead it.
    const first = Math.floor((query.after + 1) / EVENT_BUCKET_SIZE);
    // A rare type over a long log: at most this many buckets per page; `next` lets the reader go on from there.
    for (let bucket = first; events.length < query.limit && bucket < first + MAX_BUCKETS_PER_READ; bucket += 1) {
      const documents = await guarded(() => this.events.find({ tenantId, bucket }).lean<EventDocument[]>().exec());
      const after = documents.filter((document) => document.sequence > query.after).sort((left, right) => left.sequence - right.sequence);
      for (const document of after) {
        if (events.length >= query.limit) break;
        scanned = document.sequence;
        if (!types || types.has(document.type)) events.push(toLogged(document));
      }
      const bucketEnd = (bucket + 1) * EVENT_BUCKET_SIZE - 1;
      if (documents.length === 0 || (after.at(-1)?.sequence ?? -1) < bucketEnd) {
        if ((bucket + 1) * EVENT_BUCKET_SIZE > head) break;
      }
    }
    return { events, next: scanned, head: Math.max(head, scanned) };
  }

  async ofAggregate(tenantId: string, aggregateId: string, query: { readonly after: number; readonly limit: number }): Promise<readonly LoggedEvent[]> {
    const documents = await guarded(() => this.events.find({ tenantId, aggregateId }).lean<EventDocument[]>().exec());
    return documents
      .filter((document) => document.sequence > query.after)
      .sort((left, right) => left.sequence - right.sequence)
      .slice(0, query.limit)
      .map(toLogged);
  }
}
