import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { SystemClock, tenantId } from '@invoicing/core';
import type { Receivable, ReceivablesImport } from '@invoicing/invoice';
import type { ImportJobState, ImportJobStore } from '@invoicing/integration';
import { MongoImportJobStore, ensureIndexes, modelsOf } from '@invoicing/integration/mongodb';
import { createTestDatabase, type TestDatabase } from '@invoicing/integration/testing';
import type { FastifyBaseLogger } from 'fastify';
import { ReceivablesImportRunner } from './receivables-import-runner';

// The runner on the real job store (FerretDB from the stack): what a job ends as, whatever the file.
jest.setTimeout(120_000);

const HEADER = 'Invoice #,Customer Name,Invoice Date,Due Date,Bill Total,Amount Applied,Currency,Status';
const ROW = '1,Acme Buyer,2024-01-02,2024-02-01,10.00,0.00,USD,Open';

/** An import that takes every row, as the domain's own would a clean one (its tests cover the rest). */
const TAKES_ALL = {
  async importBatch(receivables: readonly Receivable[]) {
    return receivables.map(() => ({ outcome: 'imported' as const, changes: [], problems: [] }));
  },
} as unknown as ReceivablesImport;

const quiet = { info: () => undefined, error: () => undefined } as unknown as FastifyBaseLogger;

let database: TestDatabase;
let store: MongoImportJobStore;
let next = 0;

beforeAll(async () => {
  database = await createTestDatabase('import_runner');
  await ensureIndexes(database.mongo.connection);
  store = new MongoImportJobStore(modelsOf(database.mongo.connection));
});
afterAll(async () => {
  await database?.drop();
});

/** A job as the API starts it, for a new tenant. */
async function started(): Promise<ImportJobState> {
  next += 1;
  const now = new Date();
  const job: ImportJobState = {
    tenantId: tenantId(`runner-${Date.now()}-${next}`),
    id: `job-${next}`,
    sellerId: 'seller-1',
    status: 'running',
    counts: { rowsRead: 0, imported: 0, updated: 0, unchanged: 0, refused: 0 },
    header: HEADER.split(','),
    delimiter: ',',
    ignoredColumns: [],
    startedAt: now,
    updatedAt: now,
  };
  expect(await store.start(job, 60_000)).toEqual({ started: true });
  return job;
}

async function carriedOut(jobs: ImportJobStore, file: string): Promise<ImportJobState | undefined> {
  const job = await started();
  const runner = new ReceivablesImportRunner(jobs, new SystemClock());
  runner.carryOut(job, TAKES_ALL, Buffer.from(file), {}, quiet);
  await runner.idle();
  return store.get(job.tenantId, job.id);
}

describe('ReceivablesImportRunner (audit `dos`, DOS-3)', () => {
  it('ends `failed` for a file whose header line is longer than 1 MiB, handed over in one piece, and leaves no job running', async () => {
    // Before, the 8 MiB header was read whole: its 1,078,000 names, stored as ignored columns, made the progress update
    // pass MongoDB's 16 MB, and the failure's update too (uncaught): the job stayed `running`, its counts 0, and the
    // tenant's next import was refused `import.in_progress` for 5 minutes.
    const extra: string[] = [];
    for (let size = HEADER.length; size < 8 * 2 ** 20; size += `,x${extra.length}`.length) extra.push(`x${extra.length}`);
    const job = await carriedOut(store, `${HEADER},${extra.join(',')}\n${ROW}\n`);
    expect([job?.status, job?.error?.code, job?.counts.rowsRead]).toEqual(['failed', 'csv.malformed', 0]);
    expect(JSON.stringify(job).length).toBeLessThan(10_000);
  });

  it('writes a minimal `failed` end (status, error, counts) when the full last write fails, so that no job stays running', async () => {
    let refusedWrites = 0;
    // The full last write refused, as a database refuses a document past its limit, or a write it cannot take.
    const failingEnd: ImportJobStore = Object.assign(Object.create(store) as MongoImportJobStore, {
      async update(job: ImportJobState) {
        if (job.status !== 'running' && refusedWrites === 0) {
          refusedWrites += 1;
          throw new Error('BSONObj size: 17825792 (0x1100000) is invalid. Size must be between 0 and 16793600(16MB)');
        }
        return store.update(job);
      },
    });
    const job = await carriedOut(failingEnd, `${HEADER},Memo\n${ROW},a\n${ROW.replace(/^1/, '2')},b\n`);
    expect(refusedWrites).toBe(1);
    expect(job).toMatchObject({ status: 'failed', error: { code: 'import.failed' }, counts: { rowsRead: 2, imported: 2, refused: 0 }, finishedAt: expect.any(Date) });
    expect(job?.error?.message).toBe('the import read its file to the end, but its outcome could not be recorded; send the file again: nothing is imported twice');
  });
});
