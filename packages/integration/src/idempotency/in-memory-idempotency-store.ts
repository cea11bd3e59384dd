import type { TenantId } from '@invoicing/core';
import { idempotencyTimes, type IdempotencyOptions, type IdempotencyOutcome, type IdempotencyStore, type StoredResponse } from './idempotency-store.port';

interface MemoryRecord {
  fingerprint: string;
  response?: StoredResponse;
  startedAt: Date;
  expiresAt: Date;
}

/** Idempotency records in a map: for tests and single-process use. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, MemoryRecord>();
  private readonly times: { retentionMs: number; lockTimeoutMs: number };

  constructor(options: IdempotencyOptions = {}) {
    this.times = idempotencyTimes(options);
  }

  async begin(tenantId: TenantId, key: string, fingerprint: string, now: Date, formerly?: string): Promise<IdempotencyOutcome> {
    const id = `${tenantId}\u0000${key}`;
    const record = this.records.get(id);
    if (record && record.expiresAt > now) {
      if (record.fingerprint !== fingerprint && record.fingerprint !== formerly) return { outcome: 'mismatch' };
      if (record.response) return { outcome: 'replay', response: record.response };
      if (now.getTime() - record.startedAt.getTime() < this.times.lockTimeoutMs) return { outcome: 'in_progress' };
    }
    this.records.set(id, { fingerprint, startedAt: now, expiresAt: new Date(now.getTime() + this.times.retentionMs) });
    return { outcome: 'started' };
  }

  async complete(tenantId: TenantId, key: string, response: StoredResponse): Promise<void> {
    const record = this.records.get(`${tenantId}\u0000${key}`);
    if (record && record.response === undefined) record.response = response;
  }

  async abandon(tenantId: TenantId, key: string, startedAt: Date): Promise<void> {
    const id = `${tenantId}\u0000${key}`;
    const record = this.records.get(id);
    if (record && record.response === undefined && record.startedAt.getTime() === startedAt.getTime()) this.records.delete(id);
  }

  async purgeExpired(now: Date): Promise<number> {
    let purged = 0;
    for (const [id, record] of this.records) {
      if (record.expiresAt <= now) {
        this.records.delete(id);
        purged += 1;
      }
    }
    return purged;
  }
}
