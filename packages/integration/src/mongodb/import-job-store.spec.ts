import { aRunningJob, describeImportJobStore } from '../imports/import-job-store.contract';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';
import { MongoImportJobStore } from './import-job-store';
import { ensureIndexes, modelsOf } from './schemas';

// The import-job contract on the real server (FerretDB from the stack in `npm test`).
let database: TestDatabase;
let store: MongoImportJobStore;

beforeAll(async () => {
  database = await createTestDatabase('import_jobs');
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
});
