import { ConflictError, type AggregateRoot, type TenantId } from '@invoicing/core';
import type { Model } from 'mongoose';
import type { DocumentLocks } from './document-lock';
import { documentId, type AggregateDocument, type AggregateIdentity, type AggregateMapper } from './mappers/aggregate-document';
import { outboxEntryOf, type StoredEvent } from './mappers/domain-event.mapper';
import { guarded, isDuplicateKey } from './mongo-errors';

/** Bulk saves update this many loaded aggregates at once. */
const UPDATE_CONCURRENCY = 16;

/** The lock of a document: its `_id` (which starts with the tenant) and its collection. */
export function lockIdOf(model: Model<Record<string, unknown>>, filter: { _id: string }): string {
  return `${filter._id}|${model.collection.collectionName}`;
}

/** An aggregate's document with its outbox, as written and as read with `lean()`. */
export type StoredDocument<D extends AggregateDocument<object, object | undefined> = AggregateDocument<object, object | undefined>> = D & {
  readonly outbox?: readonly (StoredEvent | string)[];
  readonly outboxSince?: Date;
};

/** Some aggregates of a bulk save were not written (stale version, duplicate key); the others were. */
export class BulkSaveError extends ConflictError {
  override readonly name = 'BulkSaveError';

  constructor(
    readonly failures: readonly { readonly id: string; readonly reason: string }[],
    readonly saved: number,
  ) {
    super('bulk_save.partial', `${failures.length} of ${failures.length + saved} aggregates were not saved`, { failures, saved });
  }
}

/** A unique key other than the id: the domain's error code when it is taken, and how to find the holder. */
export interface UniqueConstraint<S> {
  readonly code: string;
  /** The filter that finds another document holding the key of `state`, or undefined when `state` has none. */
  readonly holder: (state: S) => Record<string, unknown> | undefined;
}

/** How one aggregate type is stored: its collection, its mapper, and how to rebuild it from its state. */
export interface AggregateMapping<A extends AggregateRoot & { toState(): S }, S extends AggregateIdentity, D extends AggregateDocument<object, object | undefined>> {
  readonly model: Model<Record<string, unknown>>;
  readonly mapper: AggregateMapper<S, D>;
  readonly restore: (state: S) => A;
  readonly unique?: readonly UniqueConstraint<S>[];
  /**
   * Top-level numeric fields of the mapper's documents that another writer lowers (the sealer sets an invoice's
   * `sealPending` from 1 to 0): saves write them with `$min`, which sets a missing field and never raises one again.
   */
  readonly lowered?: readonly string[];
}

/**
 * Reads and writes one aggregate type with optimistic versioning, its pending events in the same document write.
 * A first save inserts (an existing id fails); later saves update only the version they loaded. Either way
 * the write is one document: state, version and events land together or not at all.
 */
export class AggregateStore<A extends AggregateRoot & { toState(): S }, S extends AggregateIdentity, D extends AggregateDocument<object, object | undefined>> {
  constructor(
    readonly mapping: AggregateMapping<A, S, D>,
    private readonly locks: DocumentLocks,
  ) {}

  get model(): Model<Record<string, unknown>> {
    return this.mapping.model;
  }

  async get(tenantId: TenantId, id: string): Promise<A | undefined> {
    // Straight to the driver, as `lean()` would read it: the filter is our own key, nothing for mongoose to cast or
    // sanitise, and building its query was a tenth of the API's time to read an invoice.
    const document = (await guarded(() => this.model.collection.findOne({ _id: documentId(tenantId, id) } as never))) as D | null;
    return document ? this.restore(document) : undefined;
  }

  /**
   * The tenant's aggregates with these ids (those that exist, each once): one `findOne` by `_id` each, sent at once.
   * Not one `find` with `$in`: FerretDB 1.x does not push `$in` (nor `$or`) on `_id` down to PostgreSQL, and its
   * `explain` shows a sequential scan of the collection where `_id` equality reads the index.
   */
  async getMany(tenantId: TenantId, ids: readonly string[]): Promise<A[]> {
    const found: (A | undefined)[] = await Promise.all([...new Set(ids)].map((id) => this.get(tenantId, id)));
    return found.filter((aggregate): aggregate is A => aggregate !== undefined);
  }

  /** The domain state stored in a document. @throws UnsupportedStoredFormatError */
  stateOf(document: D): S {
    return this.mapping.mapper.toDomain(document);
  }

  /** Rebuilds the aggregate stored in a document. @throws UnsupportedStoredFormatError */
  restore(document: D): A {
    return this.mapping.restore(this.stateOf(document));
  }

  /**
   * The document a new aggregate is inserted as: its state at the next version and its pending events, waiting
   * since `waitingSince`. Public for the repository benchmark, which writes the same documents with the bare driver.
   */
  insertion(aggregate: A, waitingSince: Date): StoredDocument<D> {
    const events = aggregate.pendingEvents.map(outboxEntryOf);
    return { ...this.toDocument(aggregate), outbox: events, ...(events.length > 0 ? { outboxSince: waitingSince, outboxPending: true } : {}) };
  }

  /** The document an aggregate is stored as once saved: its state at the next version. */
  private toDocument(aggregate: A): D {
    return this.mapping.mapper.toPersistence({ ...aggregate.toState(), version: aggregate.version + 1 });
  }

  async save(aggregate: A): Promise<void> {
    const state = aggregate.toState();
    const waitingSince = new Date();
    try {
      if (aggregate.version === 0) {
        await guarded(() => this.model.collection.insertOne(this.insertion(aggregate, waitingSince) as never));
      } else {
        const [filter, update] = this.update(aggregate, waitingSince);
        // Under the document's lock, so that the version check and the write are one step on every server.
        const result = await this.locks.withLock(lockIdOf(this.model, filter), state.tenantId, () => guarded(() => this.model.collection.updateOne(filter as never, update)), {
          // Behind another writer of this process, a stale copy fails on one read, without taking the lock (hot
          // documents see many of them); otherwise the version in the filter decides under the lock.
          precheck: async () => (await guarded(() => this.model.collection.findOne(filter as never, { projection: { _id: 1 } }))) !== null,
        });
        if (result === undefined || result.matchedCount === 0) throw this.conflict(aggregate);
      }
    } catch (error) {
      if (isDuplicateKey(error)) throw await this.duplicate(aggregate, state);
      throw error;
    }
    aggregate.markSaved();
  }

  /**
   * Saves many aggregates: the new ones in one unordered insert (one round trip per thousand), the others one by one
   * (each under its lock, a few at a time). Aggregates that could not be written stay unsaved and are reported
   * together by a {@link BulkSaveError}; the others are saved.
   */
  async saveMany(aggregates: readonly A[]): Promise<void> {
    const waitingSince = new Date();
    // Split before anything is saved: a saved new aggregate moves to version 1 and must not be saved again.
    const fresh = aggregates.filter((aggregate) => aggregate.version === 0);
    const loaded = aggregates.filter((aggregate) => aggregate.version > 0);
    const failed = new Map<A, string>();
    if (fresh.length > 0) {
      const documents = fresh.map((aggregate) => this.insertion(aggregate, waitingSince));
      try {
        await guarded(() => this.model.collection.insertMany(documents as never[], { ordered: false }));
      } catch (error) {
        // Per-document errors (duplicates) come as writeErrors; a whole batch refused (e.g. FerretDB's "database is
        // locked") comes with none, and the batches after it are never sent. What was stored is therefore read back.
        const writeErrors = (error as { writeErrors?: { index: number; errmsg?: string }[] }).writeErrors ?? [];
        for (const writeError of writeErrors) failed.set(fresh[writeError.index] as A, writeError.errmsg ?? 'duplicate key');
        const ids = fresh.map((aggregate) => documentId(aggregate.tenantId, aggregate.id));
        const stored = await guarded(() => this.model.collection.find({ _id: { $in: ids } } as never, { projection: { _id: 1 } }).toArray());
        const present = new Set(stored.map((document) => String(document._id)));
        fresh.forEach((aggregate, index) => {
          if (!present.has(ids[index] as string)) failed.set(aggregate, (error as Error).message);
        });
      }
      for (const aggregate of fresh) if (!failed.has(aggregate)) aggregate.markSaved();
    }
    for (let start = 0; start < loaded.length; start += UPDATE_CONCURRENCY) {
      await Promise.all(
        loaded.slice(start, start + UPDATE_CONCURRENCY).map((aggregate) =>
          this.save(aggregate).catch((error: unknown) => {
            if (!(error instanceof ConflictError)) throw error;
            failed.set(aggregate, error.code);
          }),
        ),
      );
    }
    if (failed.size > 0) {
      throw new BulkSaveError(
        [...failed.entries()].map(([aggregate, reason]) => ({ id: aggregate.id, reason })),
        aggregates.length - failed.size,
      );
    }
  }

  private update(aggregate: A, waitingSince: Date): [{ _id: string; version: number }, never] {
    const { _id, ...written } = this.toDocument(aggregate) as D & Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    const lowered: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(written)) {
      if (this.mapping.lowered?.includes(field)) lowered[field] = value;
      else fields[field] = value;
    }
    const events = aggregate.pendingEvents.map(outboxEntryOf);
    const min = { ...lowered, ...(events.length > 0 ? { outboxSince: waitingSince } : {}) };
    return [
      { _id, version: aggregate.version },
      {
        $set: events.length > 0 ? { ...fields, outboxPending: true } : fields,
        ...(events.length > 0 ? { $push: { outbox: { $each: events } } } : {}),
        ...(Object.keys(min).length > 0 ? { $min: min } : {}),
      } as never,
    ];
  }

  private conflict(aggregate: A): ConflictError {
    return new ConflictError('concurrency.conflict', `${aggregate.aggregateType} ${aggregate.id} was changed by someone else`, {
      id: aggregate.id,
      version: aggregate.version,
    });
  }

  /** Finds which unique key a refused write broke: another document's natural key, else the id itself. */
  private async duplicate(aggregate: A, state: S): Promise<ConflictError> {
    for (const constraint of this.mapping.unique ?? []) {
      const filter = constraint.holder(state);
      if (!filter) continue;
      const holder = await guarded(() =>
        this.model.collection.findOne({ ...filter, tenantId: state.tenantId, _id: { $ne: documentId(state.tenantId, state.id) } } as never, { projection: { id: 1 } }),
      );
      if (holder) return new ConflictError(constraint.code, `${constraint.code}: already used by ${String(holder.id)}`, { existingId: holder.id });
    }
    return this.conflict(aggregate);
  }
}
