import type { TenantId } from '@invoicing/core';
import { idempotencyTimes, type IdempotencyOptions, type IdempotencyOutcome, type IdempotencyStore, type StoredResponse } from '../idempotency/idempotency-store.port';
import { recordToDomain, recordToPersistence, responseToPersistence, type IdempotencyRecordDocument } from './mappers/idempotency-record.mapper';
import { DocumentLocks } from './document-lock';
import { guarded, isDuplicateKey } from './mongo-errors';
import { op } from './query-support';
import type { Models } from './schemas';

/** Expired keys deleted per delete by `purgeExpired`, well under FerretDB's 65,535. */
const PURGE_CHUNK = 20_000;

/**
 * Idempotency records in MongoDB. The unique (tenant, key) index decides between concurrent duplicates: exactly one
 * insert succeeds. Expired keys are replaced on use and deleted by `purgeExpired` (FerretDB has no TTL index).
 */
export class MongoIdempotencyStore implements IdempotencyStore {
  private readonly times: { retentionMs: number; lockTimeoutMs: number };
  private readonly locks: DocumentLocks;

  constructor(
    private readonly models: Models,
    options: IdempotencyOptions = {},
  ) {
    this.times = idempotencyTimes(options);
    this.locks = new DocumentLocks(models.document_locks);
  }

  async begin(tenantId: TenantId, key: string, fingerprint: string, now: Date, formerly?: string): Promise<IdempotencyOutcome> {
    const records = this.models.idempotency_keys;
    const fresh = { tenantId, key, fingerprint, state: 'in_progress' as const, createdAt: now, expiresAt: new Date(now.getTime() + this.times.retentionMs) };
    try {
      await guarded(() => records.collection.insertOne(recordToPersistence(fresh)));
      return { outcome: 'started' };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const stored = await guarded(() => records.findOne({ tenantId, key }).lean<IdempotencyRecordDocument>().exec());
    if (!stored) return this.begin(tenantId, key, fingerprint, now, formerly);
    const existing = recordToDomain(stored);
    if (existing.expiresAt.getTime() <= now.getTime()) {
      // An expired record is forgotten and the key used afresh (only that record: one written since is kept).
      await guarded(() => records.deleteOne({ tenantId, key, expiresAt: existing.expiresAt }).exec());
      return this.begin(tenantId, key, fingerprint, now, formerly);
    }
    if (existing.fingerprint !== fingerprint && existing.fingerprint !== formerly) return { outcome: 'mismatch' };
    if (existing.state === 'completed') return { outcome: 'replay', response: existing.response as StoredResponse };
    if (now.getTime() - existing.createdAt.getTime() < this.times.lockTimeoutMs) return { outcome: 'in_progress' };
    // The request that started it died: the first to take it over runs it. Under the key's lock, since FerretDB does
    // not isolate the conditional update: every retry arriving at once matched it, and all of them ran.
    const takenOver = await this.locks.withLock(`${tenantId}/${key}|idempotency_keys`, tenantId, async () => {
      const current = await guarded(() => records.findOne({ tenantId, key }).lean<IdempotencyRecordDocument>().exec());
      if (!current || current.state !== 'in_progress' || recordToDomain(current).createdAt.getTime() !== existing.createdAt.getTime()) return false;
      const result = await guarded(() =>
        records.updateOne({ tenantId, key, state: 'in_progress', createdAt: existing.createdAt }, { $set: { createdAt: now, expiresAt: fresh.expiresAt } }).exec(),
      );
      return result.modifiedCount === 1;
    });
    return takenOver === true ? { outcome: 'started' } : { outcome: 'in_progress' };
  }

  async complete(tenantId: TenantId, key: string, response: StoredResponse): Promise<void> {
    await guarded(() =>
      this.models.idempotency_keys.updateOne({ tenantId, key, state: 'in_progress' }, { $set: { state: 'completed', response: responseToPersistence(response) } }).exec(),
    );
  }

  async abandon(tenantId: TenantId, key: string, startedAt: Date): Promise<void> {
    // Only the lock this attempt took: one taken over since (createdAt moved on) belongs to a running attempt.
    await guarded(() => this.models.idempotency_keys.deleteOne({ tenantId, key, state: 'in_progress', createdAt: startedAt }).exec());
  }

  /**
   * Deletes the expired keys oldest first, up to {@link PURGE_CHUNK} (and those expiring at the same instant as the
   * last of them) per delete: FerretDB hands PostgreSQL one parameter per document a delete matches and refuses a
   * delete of more than 65,535.
   */
  async purgeExpired(now: Date): Promise<number> {
    const records = this.models.idempotency_keys;
    let purged = 0;
    for (;;) {
      const oldest = await guarded(() =>
        records.find({ expiresAt: op({ $lte: now }) }, { _id: 0, expiresAt: 1 }).sort({ expiresAt: 1 }).limit(PURGE_CHUNK).lean<{ expiresAt: Date }[]>().exec(),
      );
      const last = oldest.at(-1);
      if (last === undefined) return purged;
      const through = oldest.length < PURGE_CHUNK ? now : last.expiresAt;
      const result = await guarded(() => records.deleteMany({ expiresAt: op({ $lte: through }) }).exec());
      purged += result.deletedCount;
      if (oldest.length < PURGE_CHUNK) return purged;
    }
  }
}
