import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestApi, type Answer, type TestApi } from '../testing/harness';
import { OwnDatabase } from '../testing/own-database';

// Starts its own PostgreSQL and FerretDB (a few seconds), so that freezing the database hurts no other test.
jest.setTimeout(180_000);

const READY_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 5_000;
const SHORT_REQUEST_TIMEOUT_MS = 1_500;
/** Generous: a loaded machine may be slow to answer, never this slow when the deadlines hold. */
const MARGIN_MS = 4_000;

/** A database that stops answering (SIGSTOP: it keeps its sockets open, as a hung server does), then comes back. */
describe('the API while its database is frozen', () => {
  let database: OwnDatabase | undefined;
  let t: TestApi;
  /** The same database, but a request deadline shorter than the database's own timeouts. */
  let impatient: TestApi;

  beforeAll(async () => {
    database = await OwnDatabase.start('db-faults');
    t = await startTestApi('db_faults', {
      MONGO_URL: database.url,
      READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '1500',
      MONGO_SOCKET_TIMEOUT_MS: '2000',
    });
    impatient = await startTestApi('db_faults_deadline', {
      MONGO_URL: database.url,
      REQUEST_TIMEOUT_MS: String(SHORT_REQUEST_TIMEOUT_MS),
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '30000',
      MONGO_SOCKET_TIMEOUT_MS: '60000',
    });
  });
  afterAll(async () => {
    database?.thaw();
    await t?.close();
    await impatient?.close();
    await database?.stop();
  });

  const timed = async (call: Promise<Answer>) => {
    const started = Date.now();
    const answer = await call;
    return { answer, ms: Date.now() - started };
  };

  it('answers 503 with Retry-After within the deadlines while frozen, and serves again once it thaws', async () => {
    expect((await t.call('GET', '/health/ready', { as: null })).status).toBe(200);
    expect((await t.call('POST', '/v1/partners', { body: { legalName: 'Before The Freeze Ltd' } })).status).toBe(201);

    database?.freeze();
    try {
      // Sent at once, before the impatient API's driver can notice the freeze on its own.
      const lateWrite = timed(impatient.call('POST', '/v1/partners', { body: { legalName: 'Past Its Deadline Ltd' } }));
      const ready = await timed(t.call('GET', '/health/ready', { as: null }));
      expect(ready.answer.status).toBe(503);
      expect(ready.answer.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(ready.answer.body).toMatchObject({ code: 'health.not_ready', checks: { database: 'down', keycloak: 'up' } });
      expect(ready.ms).toBeLessThan(READY_TIMEOUT_MS + MARGIN_MS);

      // Concurrent writes: the first to time out clears the connection pool under the others (PoolClearedOnNetworkError).
      const writes = await Promise.all(Array.from({ length: 6 }, (_, index) => timed(t.call('POST', '/v1/partners', { body: { legalName: `Frozen ${index} Ltd` } }))));
      for (const { answer, ms } of writes) {
        expect({ status: answer.status, code: answer.body.code, retryAfter: answer.headers.get('retry-after') }).toEqual({
          status: 503,
          code: expect.stringMatching(/^(database\.unavailable|request\.deadline_exceeded)$/),
          retryAfter: expect.stringMatching(/^\d+$/),
        });
        expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);
      }
      const read = await timed(t.call('GET', '/v1/partners'));
      expect(read.answer.status).toBe(503);
      expect(read.ms).toBeLessThan(REQUEST_TIMEOUT_MS + MARGIN_MS);

      // Where the database would keep a call waiting for a minute, the request's own deadline answers first.
      const late = await lateWrite;
      expect(late.answer.status).toBe(503);
      expect(late.answer.body).toMatchObject({ code: 'request.deadline_exceeded', status: 503 });
      expect(late.answer.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(late.ms).toBeGreaterThanOrEqual(SHORT_REQUEST_TIMEOUT_MS - 100);
      expect(late.ms).toBeLessThan(SHORT_REQUEST_TIMEOUT_MS + MARGIN_MS);
    } finally {
      database?.thaw();
    }

    // The driver reconnects on its own; readiness says when.
    let ready = await t.call('GET', '/health/ready', { as: null });
    for (let attempt = 0; ready.status !== 200 && attempt < 60; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      ready = await t.call('GET', '/health/ready', { as: null });
    }
    expect(ready.status).toBe(200);
    expect((await t.call('POST', '/v1/partners', { body: { legalName: 'After The Thaw Ltd' } })).status).toBe(201);
    expect(t.logs.filter((line) => line['status'] === 500 || (line['res'] as { statusCode?: number } | undefined)?.statusCode === 500)).toEqual([]);
  });
});
