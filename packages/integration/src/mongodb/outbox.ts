import type { DomainEvent } from '@invoicing/core';
import { causeOf, type EventCause, type Outbox } from '@invoicing/invoice';
import type { Model } from 'mongoose';
import { lockIdOf } from './aggregate-store';
import { documentId } from './mappers/aggregate-document';
import { eventToDomain, storedEventOf, type StoredEvent } from './mappers/domain-event.mapper';
import type { DocumentLocks } from './document-lock';
import { guarded } from './mongo-errors';
import { op } from './query-support';
import type { Models } from './schemas';
import { SEAL_PENDING, type InvoiceDocument } from './mappers/invoice.mapper';

interface WaitingDocument {
  _id: string;
  tenantId: string;
  version: number;
  outbox: (StoredEvent | string)[];
  outboxSince: Date;
  /** Invoices: 1 while issued and not sealed yet (read whole, so that the write that empties the outbox seals too). */
  sealPending?: number;
}

/** Seals issued documents in the write that empties their outbox (`MongoDocumentSealer`). */
export interface SealOnPublish {
  /**
   * The fields that seal each document that needs them, by `_id`, their links appended first (in number order per
   * series). A pending document missing from the answer could not be sealed now and is left to `sealPending()`.
   */
  sealFieldsOfAll(documents: readonly InvoiceDocument[]): Promise<ReadonlyMap<string, Record<string, unknown>>>;
}

/** A waiting document as read, and its collection. */
interface Waiting {
  readonly model: Model<Record<string, unknown>>;
  readonly document: WaitingDocument;
}

/** Batches of waiting documents read per query (see `readWaiting`). */
const READ_AHEAD = 5;
/** How long documents read ahead are handed out before they are read again. */
const READ_AHEAD_MAX_AGE_MS = 10_000;
/** How many documents the relay updates at once when it removes what it published. */
const REMOVE_CONCURRENCY = 16;
/**
 * How long an event waits for the document of its cause (`causeOf`) to be stored: a credit note is stored just after
 * the invoice it credits. Past that (a crash between the two writes) it is relayed without.
 */
const CAUSE_WAIT_MS = 10_000;

export interface OutboxOptions {
  /** See {@link CAUSE_WAIT_MS}. */
  readonly causeWaitMs?: number;
}

/**
 * The outbox over the aggregate collections: each save appends its events to the document it writes (same write,
 * no transaction) and sets `outboxPending` and `outboxSince`; this reads them back oldest document first, each
 * document's events in order, and removes them once published. An event whose cause is another record's event
 * (`causeOf`: a payment's before what it applies to an invoice) comes after it: see {@link inOrder}. Delivery is at
 * least once: a relay that crashes after publishing and before `markPublished` publishes again.
 */
export class MongoOutbox implements Outbox {
  private readonly collections: readonly Model<Record<string, unknown>>[];
  /** Documents an older release left waiting have `outboxSince` and no `outboxPending`: looked for by a scan until none is left. */
  private legacyLeft = true;
  /**
   * The events read and not handed out yet, in the order they are to be logged, each with its document (a relay far
   * behind reads several batches at once). A document may be handed out over several rounds.
   */
  private readAhead: { readonly waiting: Waiting; readonly event: DomainEvent }[] = [];
  private readAheadAt = 0;
  /** When each event held back for its cause's document (see {@link CAUSE_WAIT_MS}) was first held. */
  private readonly heldSince = new Map<string, number>();
  private readonly causeWaitMs: number;
  /**
   * What `pending` last handed out, by collection and id (a billing plan has its partnership's id), so that
   * `markPublished` knows each document's version without reading it again; and the document of each event.
   */
  private readonly lastRead = new Map<string, Waiting>();
  private readonly handedOut = new Map<string, string>();

  private readonly invoices: Model<Record<string, unknown>>;
  /** The collections of the records that cause other records' events. */
  private readonly causes: Readonly<Record<EventCause['aggregateType'], Model<Record<string, unknown>>>>;

  /**
   * `more`: other collections of aggregates stored by `AggregateStore` (billing plans, webhook endpoints). `sealer`:
   * seals issued invoices in the write that empties their outbox; without it they wait for `sealPending()`.
   */
  constructor(
    models: Models,
    private readonly locks: DocumentLocks,
    more: readonly Model<Record<string, unknown>>[] = [],
    private readonly sealer?: SealOnPublish,
    options: OutboxOptions = {},
  ) {
    this.invoices = models.invoices as unknown as Model<Record<string, unknown>>;
    this.collections = [models.partners, models.marketables, models.partnerships, models.invoices, models.payments, ...more];
    this.causes = { payment: models.payments as unknown as Model<Record<string, unknown>>, invoice: this.invoices };
    this.causeWaitMs = options.causeWaitMs ?? CAUSE_WAIT_MS;
  }

  async pending(limit: number): Promise<DomainEvent[]> {
    // What was handed out last time and not marked published (the relay failed in between) comes again first, and a
    // read-ahead left for long (a relay that lost its lease) is read again rather than trusted.
    if (this.lastRead.size > 0 || Date.now() - this.readAheadAt > READ_AHEAD_MAX_AGE_MS) this.readAhead = [];
    if (this.readAhead.length === 0) {
      this.readAhead = await this.inOrder(await this.readWaiting(limit * READ_AHEAD));
      this.readAheadAt = Date.now();
    }
    this.lastRead.clear();
    this.handedOut.clear();
    // A document whose events do not all fit keeps the rest in the read-ahead, in their place, for the next rounds.
    const taken = this.readAhead.splice(0, limit);
    for (const { waiting, event } of taken) {
      const key = keyOf(waiting.model, waiting.document._id);
      this.lastRead.set(key, waiting);
      this.handedOut.set(event.id, key);
    }
    return taken.map(({ event }) => event);
  }

  /**
   * The events of the documents read, in the order to log them: document after document as read (oldest first), each
   * document's in its own order, except that an event whose cause (`causeOf`) is still waiting comes after it: the
   * cause's document is handed out first up to its cause, whichever document waited first (an invoice's
   * `invoice.issued` waits from before the payment that pays it). A cause whose document the read did not hold, or held
   * as it was before the cause was stored (collections are read at once, each as a query sees it, and a read is cut at
   * its size), is looked for by id. An event whose cause's document is not stored at all waits for it, the events of
   * its record after it too, for at most `causeWaitMs` from when it was first held; then it goes without.
   */
  private async inOrder(read: readonly Waiting[]): Promise<{ readonly waiting: Waiting; readonly event: DomainEvent }[]> {
    // Events another relay published since they were held, or whose record was removed, are not remembered for ever.
    for (const [id, since] of this.heldSince) if (Date.now() - since > Math.max(10 * this.causeWaitMs, 60_000)) this.heldSince.delete(id);
    const decoded: WaitingRecord[] = [];
    const asRead: { waiting: Waiting; event: DomainEvent }[] = [];
    let effects = false;
    for (const waiting of read) {
      const record = recordOf(waiting);
      decoded.push(record);
      for (const event of record.events) asRead.push({ waiting, event });
      effects ||= record.causes.some((cause) => cause !== undefined);
    }
    // Nothing waits for another record (most reads).
    if (!effects) return asRead;
    const records = new Map(decoded.map((record) => [keyOf(record.waiting.model, record.waiting.document._id), record]));
    const causeKey = (event: DomainEvent, cause: EventCause) => keyOf(this.causes[cause.aggregateType], documentId(event.tenantId, cause.aggregateId));
    const holds = (record: WaitingRecord | undefined, cause: EventCause) => record !== undefined && record.events.some(cause.is);
    const lookFor = new Map<string, { model: Model<Record<string, unknown>>; id: string }>();
    for (const record of records.values()) {
      record.events.forEach((event, index) => {
        const cause = record.causes[index];
        if (cause === undefined) return;
        const key = causeKey(event, cause);
        if (!holds(records.get(key), cause)) lookFor.set(key, { model: this.causes[cause.aggregateType], id: documentId(event.tenantId, cause.aggregateId) });
      });
    }
    const absent = new Set<string>();
    await Promise.all(
      [...lookFor].map(async ([key, { model, id }]) => {
        const document = await guarded(() => model.findOne({ _id: id }, this.projectionOf(model)).lean<WaitingDocument>().exec());
        if (!document) absent.add(key);
        // Its cause waiting: relayed with it (over an older copy of the read). Else logged already, or made by a repair
        // that stores it later: nothing to wait for.
        else if (document.outboxSince !== undefined && (document.outbox?.length ?? 0) > 0) records.set(key, recordOf({ model, document }));
      }),
    );
    // Held back: from an event whose cause's document is not stored yet, or is held back before its cause.
    const now = Date.now();
    for (let changed = true; changed; ) {
      changed = false;
      for (const record of records.values()) {
        for (let index = 0; index < record.end; index += 1) {
          const cause = record.causes[index];
          if (cause === undefined) continue;
          const event = record.events[index] as DomainEvent;
          const key = causeKey(event, cause);
          const source = records.get(key);
          const waitsForStore = absent.has(key) && now - (this.heldSince.get(event.id) ?? now) < this.causeWaitMs;
          const waitsForHold = source !== undefined && source !== record && source.events.findIndex(cause.is) >= source.end;
          if (!waitsForStore && !waitsForHold) continue;
          if (!this.heldSince.has(event.id)) this.heldSince.set(event.id, now);
          record.end = index;
          changed = true;
          break;
        }
      }
    }
    const ordered: { waiting: Waiting; event: DomainEvent }[] = [];
    const handing = new Set<WaitingRecord>();
    const handOutThrough = (record: WaitingRecord, last: number): void => {
      handing.add(record);
      for (; record.next <= last; record.next += 1) {
        const event = record.events[record.next] as DomainEvent;
        const cause = record.causes[record.next];
        const source = cause && records.get(causeKey(event, cause));
        if (cause && source && !handing.has(source)) {
          const at = source.events.findIndex((candidate, index) => index >= source.next && cause.is(candidate));
          if (at >= 0 && at < source.end) handOutThrough(source, at);
        }
        this.heldSince.delete(event.id);
        ordered.push({ waiting: record.waiting, event });
      }
      handing.delete(record);
    };
    for (const record of records.values()) handOutThrough(record, record.end - 1);
    return ordered;
  }

  /** What a read of waiting documents reads of each: invoices whole when they are sealed in the write that empties them. */
  private projectionOf(model: Model<Record<string, unknown>>): Record<string, number> {
    return this.sealer && model === this.invoices ? {} : { tenantId: 1, outbox: 1, outboxSince: 1, version: 1 };
  }

  /**
   * Up to `count` waiting documents of each collection, oldest first. FerretDB does not push a limit down: each query
   * costs about as much as there are documents waiting (2.5 s at 100,000), so reading a few batches at once and
   * serving them from memory is what keeps a relay that is far behind from spending its time re-reading the backlog.
   */
  private async readWaiting(count: number): Promise<Waiting[]> {
    const legacy = this.legacyLeft;
    let legacyFound = false;
    const perCollection = await Promise.all(
      this.collections.map(async (model) => {
        const read = (filter: Record<string, unknown>) =>
          guarded(() =>
            model
              .find(filter, this.projectionOf(model))
              .limit(count)
              .lean<WaitingDocument[]>()
              .exec(),
          );
        const documents = await read({ outboxPending: true });
        // Only the documents an older release left (no index serves this: a scan). It was asked of every document
        // waiting, and given up only once none was: a relay that always found some scanned for good (review of
        // 7 December 2026).
        const older = legacy ? await read({ outboxSince: op({ $exists: true }), outboxPending: op({ $exists: false }) }) : [];
        if (older.length > 0) legacyFound = true;
        return [...documents, ...older].map((document) => ({ model, document }));
      }),
    );
    if (legacy && !legacyFound) this.legacyLeft = false;
    return perCollection
      .flat()
      .filter(({ document }) => document.outboxSince !== undefined && (document.outbox?.length ?? 0) > 0)
      .sort((left, right) => left.document.outboxSince.getTime() - right.document.outboxSince.getTime() || (left.document._id < right.document._id ? -1 : 1));
  }

  async markPublished(eventIds: readonly string[]): Promise<void> {
    // Each event's document (collection and id) as `pending` handed it out; an event it did not hand out is looked for
    // by the document id its own id carries, in every collection that has one.
    const byDocument = new Map<string, Set<string>>();
    const located = new Map<string, Waiting>();
    for (const eventId of eventIds) {
      const handed = this.handedOut.get(eventId);
      const keys = handed !== undefined ? [handed] : await this.locateEvent(eventId, located);
      for (const key of keys) byDocument.set(key, (byDocument.get(key) ?? new Set()).add(eventId));
    }
    const byModel = new Map<Model<Record<string, unknown>>, WaitingDocument[]>();
    for (const key of byDocument.keys()) {
      const found = this.lastRead.get(key) ?? located.get(key);
      if (found) byModel.set(found.model, [...(byModel.get(found.model) ?? []), found.document]);
    }
    for (const [model, documents] of byModel) await this.removeFrom(model, documents, byDocument);
    this.lastRead.clear();
    this.handedOut.clear();
  }

  /**
   * The keys of the documents that may hold an event `pending` did not hand out, found in every collection and added to
   * `located`. An event id is `tenant/type/aggregate/version/index` (`tenant/aggregate/version/index` before the type
   * was in it); ids never contain a slash, so the document id is `tenant/aggregate`.
   */
  private async locateEvent(eventId: string, located: Map<string, Waiting>): Promise<string[]> {
    const parts = eventId.split('/');
    const documentId = parts.length === 5 ? `${parts[0]}/${parts[2]}` : parts.length === 4 ? `${parts[0]}/${parts[1]}` : undefined;
    if (documentId === undefined) return [];
    const keys: string[] = [];
    for (const found of await this.locate(documentId)) {
      const key = keyOf(found.model, documentId);
      located.set(key, found);
      keys.push(key);
    }
    return keys;
  }

  /**
   * Removes published events from documents of one collection, under their locks so that a save cannot append events
   * in between (FerretDB 1.x rewrites the whole document on any update, and ignores `$pull` with a condition). The
   * locks are taken together; a document whose lock a writer holds keeps its events, which the next round publishes
   * again (at least once). The copy `pending` read is used while the document's version has not moved.
   *
   * One update per document, not one multi-statement update: FerretDB 1.24 holds a PostgreSQL connection per statement
   * until the command ends, and a command of more statements than its pool has connections (50) hangs the server.
   */
  private async removeFrom(model: Model<Record<string, unknown>>, documents: readonly WaitingDocument[], byDocument: Map<string, Set<string>>): Promise<void> {
    const locks = documents.map((document) => ({ lockId: lockIdOf(model, document), tenantId: document.tenantId }));
    await this.locks.withLocksOf(locks, async (held, lease) => {
      const mine = documents.filter((document) => held.has(lockIdOf(model, document)));
      const sealing = await this.sealFieldsOf(model, mine);
      for (let start = 0; start < mine.length; start += REMOVE_CONCURRENCY) {
        // A round slow enough that its locks could be freed as stale stops writing: the documents left keep their
        // published events, which the next round hands out again (at least once).
        if (lease.expired()) return;
        await Promise.all(
          mine.slice(start, start + REMOVE_CONCURRENCY).map(async (seen) => {
            const published = byDocument.get(keyOf(model, seen._id)) as Set<string>;
            const sealed = sealing.get(seen._id);
            let written = await this.rewrite(model, seen, published, sealed);
            const current = written ? undefined : await guarded(() => model.findOne({ _id: seen._id }, { outbox: 1, outboxSince: 1, version: 1, tenantId: 1 }).lean<WaitingDocument>().exec());
            if (current) written = await this.rewrite(model, current, published, sealed);
            // The copy the read-ahead holds the rest of its events with is now the document as written: a later round
            // writes from it without putting back what this one removed.
            if (written) Object.assign(seen, current && { version: current.version, outboxSince: current.outboxSince }, sealed, { outbox: written });
          }),
        );
      }
    });
  }

  /**
   * The seals of the issued invoices among documents whose locks are held, their links appended in number order per
   * series (the order the sealer keeps). A failure leaves them to `sealPending()`.
   */
  private async sealFieldsOf(model: Model<Record<string, unknown>>, documents: readonly WaitingDocument[]): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    const pending = documents.filter((document) => document.sealPending === SEAL_PENDING);
    if (!this.sealer || model !== this.invoices || pending.length === 0) return new Map();
    return this.sealer.sealFieldsOfAll(pending as unknown as InvoiceDocument[]).catch(() => new Map());
  }

  /**
   * Writes the document's outbox without the published events (and its seal), if its version is still
   * `document.version`: the outbox written, or undefined when the version moved.
   */
  private async rewrite(
    model: Model<Record<string, unknown>>,
    document: WaitingDocument,
    published: Set<string>,
    sealed: Record<string, unknown> = {},
  ): Promise<WaitingDocument['outbox'] | undefined> {
    const outbox = document.outbox ?? [];
    const remaining = outbox.filter((entry) => !published.has(storedEventOf(entry).id));
    // Events left keep their document waiting, `outboxSince` with them: another relay working from a newer copy may have
    // emptied it and removed that date meanwhile, and a document waiting without one would never be read again.
    const update =
      remaining.length === 0
        ? { $set: { outbox: [], ...sealed }, $unset: { outboxSince: '', outboxPending: '' } }
        : { $set: { outbox: remaining, outboxPending: true, outboxSince: document.outboxSince ?? new Date(), ...sealed } };
    const result = await guarded(() => model.collection.updateOne({ _id: document._id as never, version: document.version }, update));
    return result.matchedCount === 1 ? remaining : undefined;
  }

  /** The documents of this id in every collection: a billing plan and its partnership share one. */
  private async locate(documentId: string): Promise<Waiting[]> {
    const found = await Promise.all(
      this.collections.map(async (model) => {
        const document = await guarded(() => model.findOne({ _id: documentId }, { outbox: 1, outboxSince: 1, version: 1, tenantId: 1 }).lean<WaitingDocument>().exec());
        return document ? [{ model, document }] : [];
      }),
    );
    return found.flat();
  }

  /** How many documents (of a tenant, or all) have events waiting, and since when the oldest waits: the relay's lag. */
  async backlog(tenantId?: string): Promise<{ readonly documents: number; readonly oldestSince?: Date }> {
    const perCollection = await Promise.all(
      this.collections.map((model) => guarded(() => model.find({ outboxPending: true, ...(tenantId === undefined ? {} : { tenantId }) }, { outboxSince: 1 }).lean<{ outboxSince?: Date }[]>().exec())),
    );
    const all = perCollection.flat();
    const oldest = all.reduce<Date | undefined>((min, document) => (document.outboxSince && (!min || document.outboxSince < min) ? document.outboxSince : min), undefined);
    return { documents: all.length, ...(oldest ? { oldestSince: oldest } : {}) };
  }
}

/** A waiting document's events as a read holds them, and how far they are handed out. */
interface WaitingRecord {
  readonly waiting: Waiting;
  readonly events: readonly DomainEvent[];
  /** Each event's cause in another record, if it has one (`causeOf`). */
  readonly causes: readonly (EventCause | undefined)[];
  /** The next event to hand out. */
  next: number;
  /** The events from this one on wait for their cause's document (see `MongoOutbox.inOrder`). */
  end: number;
}

function recordOf(waiting: Waiting): WaitingRecord {
  const events = waiting.document.outbox.map((entry) => eventToDomain(storedEventOf(entry)));
  return { waiting, events, causes: events.map((event) => causeOf(event)), next: 0, end: events.length };
}

/** A document's key among every collection's: its collection's name and its id. */
function keyOf(model: Model<Record<string, unknown>>, documentId: string): string {
  return `${model.collection.collectionName}\u0000${documentId}`;
}
