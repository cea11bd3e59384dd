import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import type { Lease } from '../../events/event-relay';
import { guarded, isDuplicateKey } from '../mongo-errors';
import type { Models } from '../schemas';

/**
 * A lease on a piece of background work (collection `worker_leases`): taken by inserting its document (an insert
 * against the unique `_id` is atomic on every server), renewed by its holder before it runs out, taken over by another
 * process only once it ran out. FerretDB's updates are not isolated, so in a race two processes may both believe they
 * hold it for a moment; the work it guards must stay correct then (the event log's unique keys make it so), and the
 * lease makes that the rare case instead of the usual one.
 */
export class MongoLease implements Lease {
  private readonly model: Model<Record<string, unknown>>;
  private heldUntil = 0;
  readonly owner = randomUUID();

  constructor(
    models: Models,
    private readonly name: string,
    private readonly durationMs = 15_000,
  ) {
    this.model = models.worker_leases;
  }

  async acquire(): Promise<boolean> {
    const now = Date.now();
    const until = new Date(now + this.durationMs);
    if (this.heldUntil - now > this.durationMs / 2) return true;
    if (this.heldUntil > now) {
      const renewed = await guarded(() => this.model.collection.updateOne({ _id: this.name as never, owner: this.owner }, { $set: { until } }));
      if (renewed.matchedCount === 1) {
        this.heldUntil = until.getTime();
        return true;
      }
    }
    this.heldUntil = 0;
    try {
      await guarded(() => this.model.collection.insertOne({ _id: this.name as never, owner: this.owner, until }));
      this.heldUntil = until.getTime();
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const holder = await guarded(() => this.model.collection.findOne({ _id: this.name as never }));
    if (holder && (holder.until as Date).getTime() < now) {
      // Its holder stopped renewing: free it; the insert of the next round decides who takes it.
      await guarded(() => this.model.collection.deleteOne({ _id: this.name as never, owner: holder.owner, until: holder.until }));
    }
    return false;
  }

  async release(): Promise<void> {
    if (this.heldUntil === 0) return;
    this.heldUntil = 0;
    await guarded(() => this.model.collection.deleteOne({ _id: this.name as never, owner: this.owner })).catch(() => undefined);
  }
}
