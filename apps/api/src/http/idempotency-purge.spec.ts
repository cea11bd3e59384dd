import { randomUUID } from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';
import { connectMongo } from '@invoicing/integration/mongodb';
import { stackEnv, startTestApi } from '../testing/harness';

// The relay inside the API purges expired idempotency keys (FerretDB has no TTL index), once when it starts and hourly
// after: on the real stack, a key that expired before the API started is gone after the relay's first round, and a
// live one stays.
jest.setTimeout(120_000);

describe('expired idempotency keys', () => {
  it('are deleted by the relay, and live ones kept', async () => {
    const database = `api_purge_${randomUUID().slice(0, 8)}`;
    const mongo = await connectMongo({ url: stackEnv().MONGO_URL, dbName: database });
    const keys = mongo.connection.collection('idempotency_keys');
    const hours = (count: number) => new Date(Date.now() + count * 3_600_000);
    await keys.insertMany([
      { tenantId: 'acme', key: 'expired', fingerprint: 'f', state: 'completed', createdAt: hours(-48), expiresAt: hours(-24) },
      { tenantId: 'acme', key: 'live', fingerprint: 'f', state: 'completed', createdAt: hours(-1), expiresAt: hours(23) },
    ]);
    const t = await startTestApi('purge', { EVENTS_RELAY: 'in-process', EVENTS_POLL_MS: '50', MONGO_DB: database });
    try {
      const deadline = Date.now() + 60_000;
      while ((await keys.countDocuments({ key: 'expired' })) > 0) {
        if (Date.now() > deadline) throw new Error('the expired key is still there after a minute');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await keys.countDocuments({ key: 'live' })).toBe(1);
    } finally {
      await t.close();
      await mongo.close();
    }
  });
});
