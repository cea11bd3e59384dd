import type { CommandStartedEvent } from 'mongodb';
import { aRunningJob, describeImportJobStore } from '../imports/import-job-store.contract';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';
import { MongoImportJobStore } from './import-job-store';
import { ensureIndexes, modelsOf } from './schemas';

// The import-job contract on the real server (FerretDB from the stack in `npm test`).
let database: TestDatabase;
let store: MongoImportJobStore;

beforeAll(async () => {
  database = await createTestDatabase('import_jobs', { monitorCommands: true });
  await ensureIndexes(database.mongo.connection);
  store = new MongoImportJobStore(modelsOf(database.mongo.connection));
});
afterAll(async () => {
  await database?.drop();
});

describeImportJobStore(() => store);

describe('MongoImportJobStore on PostgreSQL (FerretDB)', () => {
  it('stores a job and refused rows holding control characters, which PostgreSQL refuses, as their Unicode pictures (audit `files`, F4)', async () => {
    // Before, a NUL in a refused row's values (or in the header) failed the insert ("unsupported Unicode escape
    // sequence"): the import stopped `failed` at its first batch, on every run, and a NUL in the header answered 500.
    const job = aRunningJob({ header: ['Invoice #', 'Memo\u0000X'], ignoredColumns: ['Memo\u0000X'] });
    expect(await store.start(job, 60_000)).toEqual({ started: true });
    await store.addRefused(job.tenantId, job.id, [
      {
        row: 2,
        invoiceNumber: 'N\u00001',
        problems: [{ column: 'Memo\u0000X', code: 'text.control_character', message: 'a\u0000b' }],
        values: ['N\u00001', 'copied from\u0000legacy\u0007\u007F, tab\tand\r\nlines kept'],
      },
    ]);
    expect(await store.update({ ...job, status: 'failed', error: { code: 'csv.malformed', message: 'at \u0000' } })).toBe(true);
    expect(await store.get(job.tenantId, job.id)).toMatchObject({ header: ['Invoice #', 'Memo␀X'], ignoredColumns: ['Memo␀X'], error: { message: 'at ␀' } });
    const rows = [];
    for await (const row of store.refused(job.tenantId, job.id)) rows.push(row);
    expect(rows).toEqual([
      {
        row: 2,
        invoiceNumber: 'N␀1',
        problems: [{ column: 'Memo␀X', code: 'text.control_character', message: 'a␀b' }],
        values: ['N␀1', 'copied from␀legacy␇␡, tab\tand\r\nlines kept'],
      },
    ]);
  });

  it('writes a job\'s progress and end without its header again: each update stays small whatever the file (audit `dos`, DOS-3)', async () => {
    // Before, every update (each 200 rows) wrote the whole job again, header included: up to the 1 MiB of a header
    // line, and past 16 MB with the 538,185 columns of the audit's file, which no update could then store.
    const header = ['Invoice #', ...Array.from({ length: 499 }, (_, index) => `Column ${index} ${'x'.repeat(2000)}`)];
    const job = aRunningJob({ header });
    expect(await store.start(job, 60_000)).toEqual({ started: true });
    const sizes: number[] = [];
    const listener = (event: CommandStartedEvent) => {
      if (event.commandName === 'update' && event.command['update'] === 'import_jobs') sizes.push(JSON.stringify(event.command['updates']).length);
    };
    const client = database.mongo.connection.getClient();
    client.on('commandStarted', listener);
    try {
      expect(await store.update({ ...job, counts: { ...job.counts, rowsRead: 200, imported: 200 }, ignoredColumns: ['Column 0'], updatedAt: new Date(job.startedAt.getTime() + 1000) })).toBe(true);
      expect(await store.update({ ...job, status: 'completed', counts: { ...job.counts, rowsRead: 250, imported: 250 }, finishedAt: new Date(job.startedAt.getTime() + 2000) })).toBe(true);
    } finally {
      client.off('commandStarted', listener);
    }
    expect(sizes).toHaveLength(2);
    expect(Math.max(...sizes)).toBeLessThan(2_000);
    expect(await store.get(job.tenantId, job.id)).toMatchObject({ status: 'completed', header, counts: { rowsRead: 250 }, ignoredColumns: [] });
  });
});
