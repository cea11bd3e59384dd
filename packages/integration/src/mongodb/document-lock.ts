import { ConflictError } from '@invoicing/core';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { guarded, isDuplicateKey } from './mongo-errors';

/** Runs tasks one after the other per key, within this process. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after the tasks of `key` queued before it; `task` is told whether it had to wait for one. */
  async run<T>(key: string, task: (waited: boolean) => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const current = (previous ?? Promise.resolve()).catch(() => undefined).then(() => task(previous !== undefined));
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}

/** How long a write may wait for another writer of the same document before giving up with a conflict. */
const WAIT_MS = 10_000;
/** A lock older than this belongs to a writer that died (writes take milliseconds). */
const STALE_MS = 15_000;

/**
 * One writer at a time per document, across processes. FerretDB 1.x applies an update by reading the document,
 * changing it in memory and writing it back, without isolation: two concurrent conditional updates can both match
 * and the last one wins (measured: 50 concurrent `updateOne({ _id, version: 1 })` matched up to 12 times). Inserts
 * against a unique index are atomic everywhere, so a writer first inserts a lock document for the document it
 * changes, and removes it after. Within a process, writers queue on a mutex instead of polling.
 */
export class DocumentLocks {
  private readonly local = new KeyedMutex();

  /** `staleMs`: the age past which a lock's writer is presumed dead (15 s; tests shorten it). */
  constructor(
    private readonly locks: Model<Record<string, unknown>>,
    private readonly staleMs: number = STALE_MS,
  ) {}

  /**
   * Runs `task` holding the lock. A `precheck` runs when the task waited behind another writer of this process, and
   * when it answers false the task is not run (undefined) and the lock not taken: the writer before may have made the
   * task's copy stale, and a stale copy then fails on one read. A task that waited for no one skips it, since the lock
   * and the task's own conditional write decide anyway: one round trip less on every uncontended write.
   */
  async withLock<T>(lockId: string, tenantId: string, task: () => Promise<T>, options: { precheck?: () => Promise<boolean>; staleMs?: number } = {}): Promise<T | undefined> {
    return this.local.run(lockId, async (waited) => {
      if (waited && options.precheck && !(await options.precheck())) return undefined;
      const owner = await this.acquire(lockId, tenantId, options.staleMs);
      try {
        return await task();
      } finally {
        // Only this writer's lock: a writer that outlived it (a stalled server) must not free the next writer's.
        await guarded(() => this.locks.collection.deleteOne({ _id: lockId, owner } as never)).catch(() => undefined);
      }
    });
  }

  /**
   * Takes the lock; answers the owner it is held under. `staleMs`: how old this lock may grow before a waiter takes
   * its holder for dead, recorded in the lock so that every process judges it alike (a task holding it across several
   * writes outlives the default).
   */
  private async acquire(lockId: string, tenantId: string, staleMs?: number): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    const owner = randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      try {
        await guarded(() => this.locks.collection.insertOne({ _id: lockId as never, tenantId, at: new Date(), owner, ...(staleMs === undefined ? {} : { staleMs }) }));
        return owner;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const holder = await guarded(() => this.locks.collection.findOne({ _id: lockId as never }));
      if (holder && Date.now() - (holder.at as Date).getTime() > ((holder.staleMs as number | undefined) ?? this.staleMs)) {
        // Its writer died: free it (the insert above decides who takes it next).
        await guarded(() => this.locks.collection.deleteOne({ _id: lockId as never, at: holder.at }));
        continue;
      }
      if (Date.now() > deadline) {
        throw new ConflictError('concurrency.conflict', `another writer has held ${lockId} for too long`, { lock: lockId });
      }
      await sleep(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()));
    }
  }

  /**
   * Runs `task` holding the locks of as many of `documents` as are free, taken together: one insert of all the lock
   * documents, one read of which are this call's, one delete after (three round trips for any number, where one lock
   * at a time takes two each). The documents whose lock another writer holds are left out: `task` gets the held ones.
   * For background work that can come back for the rest (the relay emptying outboxes); a request waits with
   * {@link withLock} instead.
   */
  async withLocksOf<T>(documents: readonly { readonly lockId: string; readonly tenantId: string }[], task: (held: ReadonlySet<string>, lease: Lease) => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const at = new Date();
    const wanted = [...new Map(documents.map((document) => [document.lockId, document])).values()];
    const release = async (): Promise<void> => {
      await guarded(() => this.locks.collection.deleteMany({ owner } as never)).catch(() => undefined);
    };
    if (wanted.length > 0) {
      await guarded(() => this.locks.collection.insertMany(wanted.map(({ lockId, tenantId }) => ({ _id: lockId as never, tenantId, at, owner })), { ordered: false })).catch(async (error: unknown) => {
        if (isDuplicateKey(error)) return;
        // Some inserts of an unordered batch may have gone in before the failure.
        await release();
        throw error;
      });
    }
    // Which inserts won is read back rather than taken from the error: the lock collection holds only the locks in use.
    const mine = wanted.length === 0 ? [] : await guarded(() => this.locks.collection.find({ owner } as never, { projection: { _id: 1 } }).toArray());
    const held = new Set(mine.map((lock) => String(lock._id)));
    if (held.size < wanted.length) await this.freeStale(wanted.map((each) => each.lockId).filter((lockId) => !held.has(lockId)));
    const lease: Lease = { expired: () => Date.now() - at.getTime() > this.staleMs / 3 };
    try {
      return await task(held, lease);
    } finally {
      if (held.size > 0) await release();
    }
  }

  /**
   * Frees the locks among these whose writer died (older than the stale age), as a waiting writer does: background
   * work comes back for those documents in its next round, and would otherwise skip them for good.
   */
  private async freeStale(lockIds: readonly string[]): Promise<void> {
    // The lock collection holds only the locks in use: reading them by `$in` (which FerretDB does in Go) reads few.
    const taken = await guarded(() => this.locks.collection.find({ _id: { $in: lockIds } } as never, { projection: { _id: 1, at: 1 } }).toArray());
    for (const holder of taken) {
      if (Date.now() - (holder.at as Date).getTime() > ((holder.staleMs as number | undefined) ?? this.staleMs)) await guarded(() => this.locks.collection.deleteOne({ _id: holder._id, at: holder.at } as never));
    }
  }
}

/**
 * How long the locks of {@link DocumentLocks.withLocksOf} are safe to write under. Another writer frees a lock once it
 * is older than the stale age (its holder is presumed dead); a holder that would write past a third of that age stops
 * and leaves the rest for its next round, so that no slow round writes over a save made after its lock was freed.
 */
export interface Lease {
  expired(): boolean;
}
