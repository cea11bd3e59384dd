import { describeInvoicePortContracts } from '@invoicing/invoice/testing';
import { tenantId } from '@invoicing/core';
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

  it('lets exactly one of many processes take over a key whose request died', async () => {
    // Each store its own process: no lock in memory orders them, only the database's.
    if (!records) throw new Error('the test database is not set up');
    const models = records.adapters.models;
    const tenant = tenantId('takeover');
    await new MongoIdempotencyStore(models).begin(tenant, 'key-1', 'fingerprint', new Date('2026-12-07T00:00:00Z'));
    const retry = new Date('2026-12-07T00:01:01Z');
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => new MongoIdempotencyStore(models).begin(tenant, 'key-1', 'fingerprint', retry)));
    expect(outcomes.filter((outcome) => outcome.outcome === 'started')).toHaveLength(1);
  });

  // FerretDB passes each document a delete matches to PostgreSQL as a parameter, and refuses more than 65,535: one
  // delete of every expired key failed once that many had piled up, and every purge after it too.
  it('purges more expired keys than one delete of FerretDB can take, and keeps the live ones', async () => {
    if (!records) throw new Error('the test database is not set up');
    const collection = records.adapters.models.idempotency_keys.collection;
    const now = new Date('2026-12-06T12:00:00Z');
    const expired = 70_000;
    for (let start = 0; start < expired; start += 5_000) {
      await collection.insertMany(
        Array.from({ length: Math.min(5_000, expired - start) }, (_, index) => ({
          tenantId: 'purge',
          key: `old-${start + index}`,
          fingerprint: 'f',
          state: 'completed',
          createdAt: new Date(now.getTime() - 48 * 3_600_000),
          // Spread over a day, some sharing an instant, as a busy tenant's keys do.
          expiresAt: new Date(now.getTime() - 1 - Math.floor((start + index) / 3) * 1_000),
        })),
        { ordered: false },
      );
    }
    await collection.insertOne({ tenantId: 'purge', key: 'live', fingerprint: 'f', state: 'completed', createdAt: now, expiresAt: new Date(now.getTime() + 3_600_000) });
    // The contract's tests above may have left expired keys of their own: they go too.
    expect(await records.adapters.idempotency.purgeExpired(now)).toBeGreaterThanOrEqual(expired);
    expect(await collection.countDocuments({ expiresAt: { $lte: now } })).toBe(0);
    expect(await collection.countDocuments({ tenantId: 'purge' })).toBe(1);
  }, 300_000);
});
