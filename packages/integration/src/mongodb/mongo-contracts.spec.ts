import { describeInvoicePortContracts } from '@invoicing/invoice/testing';
import { describeIdempotencyStoreContract } from '../idempotency/idempotency-store.contract';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';
import { MongoIdempotencyStore } from './idempotency-store';

// Every contract of @invoicing/invoice's ports, on the server MONGO_URL names (FerretDB from the stack in `npm test`).
jest.setTimeout(30_000);

describeInvoicePortContracts('MongoDB', {
  async setUp() {
    database = await createTestDatabase('contracts');
    return database.adapters;
  },
  async tearDown() {
    await database?.drop();
  },
});

let database: TestDatabase | undefined;

describe('MongoDB idempotency records', () => {
  let records: TestDatabase | undefined;
  beforeAll(async () => {
    records = await createTestDatabase('idempotency');
  });
  afterAll(async () => {
    await records?.drop();
  });
  describeIdempotencyStoreContract('MongoDB', (options) => {
    if (!records) throw new Error('the test database is not set up');
    return options ? new MongoIdempotencyStore(records.adapters.models, options) : records.adapters.idempotency;
  });
});
