import { tenantId } from '@invoicing/core';
import type { ImportJobState, ImportJobStore } from './import-job-store.port';

const STARTED = new Date('2026-12-05T10:00:00Z');
let next = 0;

/** A running job of a new tenant (or of `tenant`), started at `at`. */
export function aRunningJob(overrides: Partial<ImportJobState> = {}): ImportJobState {
  next += 1;
  return {
    tenantId: tenantId(`tenant-jobs-${Date.now()}-${next}`),
    id: `job-${next}`,
    sellerId: 'seller-1',
    status: 'running',
    counts: { rowsRead: 0, imported: 0, updated: 0, unchanged: 0, refused: 0 },
    header: ['Invoice #', 'Customer'],
    ignoredColumns: [],
    startedAt: STARTED,
    updatedAt: STARTED,
    ...overrides,
  };
}

/** The contract every {@link ImportJobStore} keeps, run on the in-memory and the MongoDB stores. */
export function describeImportJobStore(store: () => ImportJobStore): void {
  // From globalThis, not @jest/globals: the build compiles this file into dist/ without Jest's types.
  const { describe, expect, it } = globalThis as unknown as typeof import('@jest/globals');
  describe('ImportJobStore', () => {
    it('keeps a job and its progress, and reads back the refused rows in row order', async () => {
      const job = aRunningJob();
      expect(await store().start(job, 60_000)).toEqual({ started: true });
      const progressed = { ...job, counts: { ...job.counts, rowsRead: 3, imported: 1, refused: 2 }, updatedAt: new Date(STARTED.getTime() + 1000) };
      expect(await store().update(progressed)).toBe(true);
      await store().addRefused(job.tenantId, job.id, [
        { row: 9, problems: [{ column: 'Customer', code: 'text.required', message: 'must be a non-empty text' }], values: ['9', ''] },
        { row: 4, invoiceNumber: '4', problems: [{ code: 'csv.column_count', message: 'short' }], values: ['4'] },
      ]);
      expect(await store().get(job.tenantId, job.id)).toEqual(progressed);
      const rows = [];
      for await (const row of store().refused(job.tenantId, job.id)) rows.push(row);
      expect(rows.map((row) => row.row)).toEqual([4, 9]);
      const later = [];
      for await (const row of store().refused(job.tenantId, job.id, 4)) later.push(row.row);
      expect(later).toEqual([9]);
      expect(rows[0]).toEqual({ row: 4, invoiceNumber: '4', problems: [{ code: 'csv.column_count', message: 'short' }], values: ['4'] });
      expect(await store().get(tenantId('someone-else'), job.id)).toBeUndefined();
    });

    it('runs one job per tenant at a time: a second start answers the running one, until it finishes', async () => {
      const first = aRunningJob();
      await store().start(first, 60_000);
      const second = aRunningJob({ tenantId: first.tenantId, startedAt: new Date(STARTED.getTime() + 5000), updatedAt: new Date(STARTED.getTime() + 5000) });
      expect(await store().start(second, 60_000)).toEqual({ started: false, running: first });
      // Another tenant is not held up.
      expect(await store().start(aRunningJob(), 60_000)).toEqual({ started: true });
      await store().update({ ...first, status: 'completed', finishedAt: second.startedAt, updatedAt: second.startedAt });
      expect(await store().start(second, 60_000)).toEqual({ started: true });
    });

    it('marks a job whose heartbeat went stale interrupted, lets the next one start, and ignores its late writes, telling its runner to stop', async () => {
      const stale = aRunningJob();
      await store().start(stale, 60_000);
      const later = new Date(STARTED.getTime() + 120_000);
      const next = aRunningJob({ tenantId: stale.tenantId, startedAt: later, updatedAt: later });
      expect(await store().start(next, 60_000)).toEqual({ started: true });
      expect(await store().get(stale.tenantId, stale.id)).toMatchObject({ status: 'interrupted', finishedAt: later });
      expect(await store().update({ ...stale, counts: { ...stale.counts, rowsRead: 99 } })).toBe(false);
      expect((await store().get(stale.tenantId, stale.id))?.status).toBe('interrupted');
    });

    it('starts exactly one of several jobs of a tenant started at once', async () => {
      const first = aRunningJob();
      const jobs = [first, ...Array.from({ length: 4 }, () => aRunningJob({ tenantId: first.tenantId }))];
      const outcomes = await Promise.all(jobs.map((job) => store().start(job, 60_000)));
      expect(outcomes.filter((outcome) => outcome.started)).toHaveLength(1);
    });
  });
}
