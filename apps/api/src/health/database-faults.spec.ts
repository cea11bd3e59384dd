import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { IdempotencyStore } from '@invoicing/integration';
import { IDEMPOTENCY_STORE } from '../composition/tokens';
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

/**
 * Issue 12, "Faults mapped once": PostgreSQL killed under FerretDB (which then answers InternalError, code 1, with
 * PostgreSQL's or its driver's message), and FerretDB killed under the API's driver. Every answer while the storage is
 * down is 503 with Retry-After, never 500; once it is back, a write that failed is taken again with its key.
 */
describe('the API while its PostgreSQL or FerretDB is killed', () => {
  /** Short, so that the attempts caught by a kill run out quickly. */
  const KILL_REQUEST_TIMEOUT_MS = 2_000;
  /** How long a key stays locked past the request deadline by an attempt that could not free it (the default). */
  const IDEMPOTENCY_LOCK_MARGIN_MS = 2_000;
  /** How long the storage stays down while clients write. */
  const DOWN_MS = 4_000;
  let database: OwnDatabase | undefined;
  let t: TestApi;

  beforeAll(async () => {
    database = await OwnDatabase.start('db-kills');
    t = await startTestApi('db_kills', {
      MONGO_URL: database.url,
      READY_TIMEOUT_MS: String(READY_TIMEOUT_MS),
      REQUEST_TIMEOUT_MS: String(KILL_REQUEST_TIMEOUT_MS),
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '1500',
      MONGO_SOCKET_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await t?.close();
    await database?.stop();
  });

  /** One logical write: its key and body, resent as they are. */
  interface Write {
    readonly key: string;
    readonly path: string;
    readonly body: unknown;
    readonly answers: Answer[];
  }

  /**
   * Clients writing partners and payments (each a new key) and reading, one after the other, until `stop()`; after a
   * refusal a client waits a little, as a real one backs off.
   */
  async function load(label: string, buyerId: string, stop: () => boolean, writes: Write[], reads: Answer[]): Promise<void> {
    const client = async (index: number) => {
      for (let round = 0; !stop(); round += 1) {
        const write: Write =
          round % 2 === 0
            ? { key: randomUUID(), path: '/v1/partners', body: { kind: 'company', legalName: `${label} ${index}-${round} Ltd` }, answers: [] }
            : { key: randomUUID(), path: `/v1/partners/${buyerId}/payments`, body: { amount: `${index + 1}.${String(round).padStart(2, '0')}`, currency: 'EUR', receivedOn: '2026-10-01' }, answers: [] };
        writes.push(write);
        const answer = await t.call('POST', write.path, { headers: { 'idempotency-key': write.key }, body: write.body });
        write.answers.push(answer);
        reads.push(await t.call('GET', '/v1/partners?limit=5'));
        if (answer.status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await Promise.all(Array.from({ length: 6 }, (_, index) => client(index)));
  }

  /**
   * The answers that are not "retry later" (503 database.unavailable or request.deadline_exceeded, with Retry-After),
   * counted by status and code: none is expected while the storage is down.
   */
  function notUnavailable(answers: readonly Answer[]): Record<string, number> {
    const wrong: Record<string, number> = {};
    for (const answer of answers) {
      const code = answer.body?.code as string | undefined;
      const retryAfter = answer.headers.get('retry-after');
      if (answer.status === 503 && (code === 'database.unavailable' || code === 'request.deadline_exceeded') && retryAfter !== null && /^\d+$/.test(retryAfter)) continue;
      const label = `${answer.status} ${code ?? ''}${retryAfter === null ? ' without Retry-After' : ''}`;
      wrong[label] = (wrong[label] ?? 0) + 1;
    }
    return wrong;
  }

  /** Kills one server under a running load, keeps it down DOWN_MS, restarts it; what the clients got. */
  async function underLoad(label: string, kill: () => Promise<void>, restart: () => Promise<void>): Promise<{ buyerId: string; writes: Write[]; reads: Answer[] }> {
    const buyer = await t.call('POST', '/v1/partners', { body: { kind: 'company', legalName: `Buyer ${randomUUID()} GmbH` } });
    expect(buyer.status).toBe(201);
    const writes: Write[] = [];
    const reads: Answer[] = [];
    let stopping = false;
    const running = load(label, buyer.body.id, () => stopping, writes, reads);
    // The load is under way (some writes answered) when the server dies.
    while (writes.filter((write) => write.answers[0]?.status === 201).length < 6) await new Promise((resolve) => setTimeout(resolve, 20));
    await kill();
    try {
      await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    } finally {
      stopping = true;
      await running;
      await restart();
    }
    return { buyerId: buyer.body.id, writes, reads };
  }

  /** Resends a write until it is answered 2xx or 4xx, as a client does. */
  async function settle(write: Write): Promise<void> {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const answer = await t.call('POST', write.path, { headers: { 'idempotency-key': write.key }, body: write.body });
      write.answers.push(answer);
      if (answer.status < 500 && !(answer.status === 409 && answer.body.code === 'idempotency.in_progress')) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function listAll(path: string): Promise<Answer['body'][]> {
    const items: Answer['body'][] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: Answer = await t.call('GET', `${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    return items;
  }

  /** The 500s the API answered since the log line `from`. */
  const answered500 = (from: number) => t.logs.slice(from).filter((line) => (line['res'] as { statusCode?: number } | undefined)?.statusCode === 500 || line['status'] === 500);

  it.each([
    ['PostgreSQL', () => (database as OwnDatabase).killPostgres(), () => (database as OwnDatabase).restartPostgres()],
    ['FerretDB', () => (database as OwnDatabase).killFerretDb(), () => (database as OwnDatabase).restartFerretDb()],
  ])('answers 503 with Retry-After, never 500, while %s is down; the writes that failed then are stored once when retried', async (server, kill, restart) => {
    const logsBefore = t.logs.length;
    const { buyerId, writes, reads } = await underLoad(`${server} killed`, kill, restart);

    // Those in flight when the server died too.
    const failed = writes.filter((write) => write.answers[0]?.status !== 201);
    expect(failed.length).toBeGreaterThan(0);
    expect(notUnavailable(failed.map((write) => write.answers[0] as Answer))).toEqual({});
    expect(notUnavailable(reads.filter((read) => read.status !== 200))).toEqual({});

    // Back: each write that failed, retried with its key and body, is answered 201; every write is stored once.
    for (const write of failed) await settle(write);
    const answered = (write: Write) => write.answers[write.answers.length - 1] as Answer;
    expect(failed.map((write) => answered(write).status)).toEqual(failed.map(() => 201));
    const names = writes.map((write) => (write.body as { legalName?: string }).legalName).filter((name) => name !== undefined);
    const partners = (await listAll('/v1/partners')).filter((partner) => partner['legalName'].startsWith(`${server} killed `));
    expect(partners.map((partner) => partner['legalName']).sort()).toEqual(names.sort());
    const payments = await listAll(`/v1/partners/${buyerId}/payments`);
    expect(payments.map((payment) => payment['id']).sort()).toEqual(writes.filter((write) => write.path.endsWith('/payments')).map((write) => answered(write).body.id).sort());
    expect(answered500(logsBefore)).toEqual([]);
  });

  it('takes a write again once the deadline of its failed attempt has passed, though that attempt could not free its key while PostgreSQL was down', async () => {
    const db = database as OwnDatabase;
    const store = t.api.app.get<IdempotencyStore>(IDEMPOTENCY_STORE);
    const begin = store.begin.bind(store);
    let lockedAt = 0;
    // PostgreSQL dies just after the attempt took the key: the partner cannot be stored, nor the key forgotten.
    store.begin = async (...args) => {
      store.begin = begin;
      const outcome = await begin(...args);
      lockedAt = Date.now();
      await db.killPostgres();
      return outcome;
    };
    const write = { key: randomUUID(), body: { kind: 'company', legalName: 'Stuck Key Ltd' } };
    try {
      const first = await t.call('POST', '/v1/partners', { headers: { 'idempotency-key': write.key }, body: write.body });
      expect(notUnavailable([first])).toEqual({});
    } finally {
      store.begin = begin;
      await db.restartPostgres();
    }

    // The retry is refused as in progress while the failed attempt might still run, then taken: no longer than the
    // request deadline and the lock's margin after the key was taken (it was a fixed minute).
    const answers: Answer[] = [];
    for (let answer: Answer | undefined; !answer || answer.status >= 500 || answer.body.code === 'idempotency.in_progress'; ) {
      if (Date.now() - lockedAt > 70_000) break;
      if (answer) await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await t.call('POST', '/v1/partners', { headers: { 'idempotency-key': write.key }, body: write.body });
      answers.push(answer);
    }
    const last = answers[answers.length - 1] as Answer;
    expect(last.status).toBe(201);
    expect(answers.some((answer) => answer.body.code === 'idempotency.in_progress')).toBe(true); // the key was held
    expect(Date.now() - lockedAt).toBeLessThan(KILL_REQUEST_TIMEOUT_MS + IDEMPOTENCY_LOCK_MARGIN_MS + 3_000);
    expect((await t.call('GET', `/v1/partners/${last.body.id}`)).body.legalName).toBe('Stuck Key Ltd');
  });
});
