import { ConflictError, type AggregateRoot, type DomainEvent, type TenantId } from '@invoicing/core';
import type { Model } from 'mongoose';
import { decode, encode } from './bson-codec';
import type { DocumentLocks } from './document-lock';
import { guarded, isDuplicateKey } from './mongo-errors';

/** Bulk saves update this many loaded aggregates at once. */
const UPDATE_CONCURRENCY = 16;

/** The lock of a document: its `_id` (which starts with the tenant) and its collection. */
export function lockIdOf(model: Model<Record<string, unknown>>, filter: { _id: string }): string {
  return `${filter._id}|${model.collection.collectionName}`;
}

/** A stored aggregate document, as read with `lean()`. */
export type StoredDocument = Record<string, unknown> & { _id: string; tenantId: string; id: string; version: number };

/** The `_id` of an aggregate: its tenant and id, so that ids of different tenants never meet. */
export function documentId(tenantId: TenantId | string, id: string): string {
  return `${tenantId}/${id}`;
}

/** The domain state held by a document. */
export function stateOf<S>(document: Record<string, unknown>): S {
  return { ...(decode(document.state) as object), tenantId: document.tenantId, id: document.id, version: document.version } as S;
}

/** An event as stored in an aggregate's `outbox` array. */
export function encodeEvent(event: DomainEvent): Record<string, unknown> {
  return encode(event) as Record<string, unknown>;
}

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

/** How one aggregate type is stored. */
export interface AggregateMapping<A extends AggregateRoot & { toState(): S }, S extends { readonly tenantId: TenantId; readonly id: string }> {
  readonly model: Model<Record<string, unknown>>;
  readonly restore: (state: S) => A;
  /** Values computed at write time for queries and unique keys (`derived`). */
  readonly derive?: (aggregate: A, state: S) => Record<string, unknown>;
  readonly unique?: readonly UniqueConstraint<S>[];
}

/**
 * Reads and writes one aggregate type with optimistic versioning, its pending events in the same document write.
 * A first save inserts (an existing id fails); later saves update only the version they loaded. Either way
 * the write is one document: state, version and events land together or not at all.
 */
export class AggregateStore<A extends AggregateRoot & { toState(): S }, S extends { readonly tenantId: TenantId; readonly id: string }> {
  constructor(
    readonly mapping: AggregateMapping<A, S>,
    private readonly locks: DocumentLocks,
  ) {}

  get model(): Model<Record<string, unknown>> {
    return this.mapping.model;
  }

  async get(tenantId: TenantId, id: string): Promise<A | undefined> {
    const document = await guarded(() => this.model.findOne({ _id: documentId(tenantId, id) }).lean<StoredDocument>().exec());
    return document ? this.restore(document) : undefined;
  }

  /** Rebuilds the aggregate stored in a document. */
  restore(document: Record<string, unknown>): A {
    return this.mapping.restore(stateOf<S>(document));
  }

  /** The document an aggregate's state is stored as, at `version`. */
  toDocument(aggregate: A, state: S, version: number): StoredDocument {
    const { tenantId, id, version: _loaded, ...content } = state as S & { version?: number };
    return {
      _id: documentId(tenantId, id),
      tenantId,
      id,
      version,
      state: encode(content),
      ...(this.mapping.derive ? { derived: this.mapping.derive(aggregate, state) } : {}),
    };
  }

  async save(aggregate: A): Promise<void> {
    const state = aggregate.toState();
    const waitingSince = new Date();
    try {
      if (aggregate.version === 0) {
        await guarded(() => this.model.collection.insertOne(this.insertion(aggregate, state, waitingSince) as never));
      } else {
        const [filter, update] = this.update(aggregate, state, waitingSince);
        // Under the document's lock, so that the version check and the write are one step on every server.
        const result = await this.locks.withLock(lockIdOf(this.model, filter), state.tenantId, () => guarded(() => this.model.collection.updateOne(filter as never, update)), {
          // A stale copy fails on one read, without taking the lock (hot documents see many of them).
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
      const documents = fresh.map((aggregate) => this.insertion(aggregate, aggregate.toState(), waitingSince));
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

  private insertion(aggregate: A, state: S, waitingSince: Date): Record<string, unknown> {
    const events = aggregate.pendingEvents.map(encodeEvent);
    return { ...this.toDocument(aggregate, state, aggregate.version + 1), outbox: events, ...(events.length > 0 ? { outboxSince: waitingSince } : {}) };
  }

  private update(aggregate: A, state: S, waitingSince: Date): [{ _id: string; version: number }, never] {
    const { _id, ...fields } = this.toDocument(aggregate, state, aggregate.version + 1);
    const events = aggregate.pendingEvents.map(encodeEvent);
    return [
      { _id, version: aggregate.version },
      { $set: fields, ...(events.length > 0 ? { $push: { outbox: { $each: events } }, $min: { outboxSince: waitingSince } } : {}) } as never,
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
