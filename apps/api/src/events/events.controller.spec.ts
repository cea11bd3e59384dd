// The relay's metrics as a tenant's admin reads them: the relay works for every tenant, so what it answers must not
// carry another tenant's names or ids (review of 6 December 2026: a failed round's message did).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { tenantId, type DomainEvent } from '@invoicing/core';
import type { EventRelay } from '@invoicing/integration';
import { dropDatabase, type MongoConnection, type MongoEventAdapters } from '@invoicing/integration/mongodb';
import type { RealmLocation } from '@invoicing/stack';
import { startApi, type RunningApi } from '../api';
import { DATABASE, EVENT_ADAPTERS } from '../composition/tokens';
import { loadConfig } from '../config';
import { stackEnv, startTestApi, tokenFor, type Caller, type TestApi } from '../testing/harness';
import { EventsController } from './events.controller';

describe('GET /v1/admin/events', () => {
  it('says when the relay last failed, not what failed: the message may name another tenant', async () => {
    const failedAt = new Date('2026-12-06T14:05:00.000Z');
    const events = {
      outbox: { backlog: async () => ({ documents: 0 }) },
      deliveries: { backlog: async () => ({ waiting: 0, oldestAgeMs: 0 }) },
    } as unknown as MongoEventAdapters;
    const relay = {
      metrics: () => ({
        holdsLease: true,
        relayed: 10,
        relayedPerSecond: 0,
        relayFailures: 1,
        deliveriesSent: 0,
        deliveriesFailedAttempts: 0,
        deliveriesGivenUp: 0,
        endpointsDisabled: 0,
        lastError: 'the event log of globex kept changing (partner globex/4711)',
        lastFailureAt: failedAt,
      }),
    } as unknown as EventRelay;

    const config = { events: { relay: 'off', idleMs: 250, streamsPerTenant: 20, streamsPerProcess: 1000 } } as const;
    const answer = await new EventsController(events, relay, config).getEventMetrics(tenantId('acme'));

    expect(answer.relay).toMatchObject({ relayFailures: 1, lastFailureAt: '2026-12-06T14:05:00.000Z' });
    expect(JSON.stringify(answer)).not.toMatch(/globex/);
  });
});

// A reader of the feed is let in by its token: what it reads live must end when that token does (audit of 7 December
// 2026, F2: a stream delivered an event 28 s after its token expired, and would have gone on for five minutes).
describe('GET /v1/events with a token about to expire', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('events-token-expiry');
  });
  afterAll(() => t?.close());

  /**
   * A real token of the stack's realm (5-minute tokens) with `seconds` left: the API's clock is moved to just before
   * its expiry, and runs on from there.
   */
  async function expiringIn(seconds: number): Promise<{ token: string; restore: () => void }> {
    const token = await t.token('acme-viewer');
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as { exp: number };
    const realNow = Date.now.bind(Date);
    const offset = exp * 1000 - seconds * 1000 - realNow();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    return { token, restore: () => clock.mockRestore() };
  }

  it('ends a live stream, cleanly, when the token it was opened with expires', async () => {
    const { token, restore } = await expiringIn(3);
    try {
      const started = performance.now();
      const response = await fetch(`${t.url}/v1/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: AbortSignal.timeout(15_000) });
      expect(response.status).toBe(200);
      // Before: the stream ran five minutes whatever the token's expiry, and this read was cut off by the timeout.
      const text = await response.text().catch((error: unknown) => `cut off: ${String(error)}`);
      const seconds = (performance.now() - started) / 1000;
      expect({ text: text.slice(0, 30), endedByItself: !text.startsWith('cut off'), afterTheToken: seconds > 2, soonAfter: seconds < 10 }).toEqual({ text: 'retry: 1000\n\n', endedByItself: true, afterTheToken: true, soonAfter: true });
    } finally {
      restore();
    }
  });

  it('answers a long poll when the token expires rather than wait past it', async () => {
    const { head } = (await t.call('GET', '/v1/events?after=0&limit=1', { as: 'acme-viewer' })).body as { head: number };
    const { token, restore } = await expiringIn(2);
    try {
      const started = performance.now();
      const answer = await t.call('GET', `/v1/events?after=${head}&wait=10`, { as: null, headers: { authorization: `Bearer ${token}` } });
      const seconds = (performance.now() - started) / 1000;
      expect({ status: answer.status, body: answer.body, waitedPastTheToken: seconds > 6 }).toEqual({ status: 200, body: { items: [], next: head, head }, waitedPastTheToken: false });
      expect(seconds).toBeGreaterThan(1);
    } finally {
      restore();
    }
  });
});

/** A live stream of the feed read as it comes, in the background: what it received so far, and how to close it. */
interface OpenStream {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a problem document, read field by field
  readonly problem: any;
  readonly headers: Headers;
  /** Everything received so far. */
  text(): string;
  close(): void;
}

async function openStream(url: string, token: string, lastEventId?: number): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) },
    signal: controller.signal,
  });
  if (response.status !== 200) {
    const problem = await response.json();
    return { status: response.status, problem, headers: response.headers, text: () => '', close: () => undefined };
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
    }
  })().catch(() => undefined);
  return { status: 200, problem: undefined, headers: response.headers, text: () => text, close: () => controller.abort() };
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Audit DOS-1: one tenant held 1,000 streams within the default rate limits, each polling the database every 250 ms
// through the pool all tenants share; another tenant's reads went from 11 ms to 1.3 s.
describe('GET /v1/events: the streams and long polls a tenant may hold at once', () => {
  let t: TestApi;
  const streams: OpenStream[] = [];
  beforeAll(async () => {
    t = await startTestApi('events-caps', { EVENTS_STREAMS_PER_TENANT: '3', EVENTS_STREAMS_PER_PROCESS: '5' });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await t?.close();
  });

  const open = async (as: Caller) => {
    const stream = await openStream(t.url, await t.token(as));
    streams.push(stream);
    return stream;
  };
  const expectRefused = (status: number, problem: { code?: string; limit?: string } | undefined, headers: Headers, limit: string) => {
    expect({ status, code: problem?.code, limit: problem?.limit, type: headers.get('content-type'), retryAfter: Number(headers.get('retry-after')) > 0 }).toEqual({
      status: 429,
      code: 'events.too_many_streams',
      limit,
      type: expect.stringContaining('application/problem+json'),
      retryAfter: true,
    });
  };

  it('refuses a tenant one more than its streams and long polls, whichever of its clients asks, and not another tenant', async () => {
    // Three clients of one tenant: the cap is the tenant's.
    for (const as of ['acme-viewer', 'acme-integrator', 'acme-admin'] as const) expect((await open(as)).status).toBe(200);
    const fourth = await open('acme-viewer');
    expectRefused(fourth.status, fourth.problem, fourth.headers, 'tenant');
    // A long poll waits like a stream: it takes a place too. A plain read does not.
    const polled = await t.call('GET', '/v1/events?after=0&wait=5', { as: 'acme-admin' });
    expectRefused(polled.status, polled.body, polled.headers, 'tenant');
    expect((await t.call('GET', '/v1/events?after=0', { as: 'acme-admin' })).status).toBe(200);

    // Another tenant still follows its feed, up to what the process holds (5).
    expect((await open('globex-accountant')).status).toBe(200);
    expect((await open('globex-admin')).status).toBe(200);
    const beyond = await open('globex-integrator');
    expectRefused(beyond.status, beyond.problem, beyond.headers, 'process');
  });

  it('gives a place back once a stream is closed', async () => {
    (streams.find((stream) => stream.status === 200) as OpenStream).close();
    // The place is given back when the stream sees its client gone (at its next look, within a poll).
    let again: OpenStream | undefined;
    for (let tries = 0; tries < 100 && again?.status !== 200; tries += 1) {
      again = await open('acme-viewer');
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(again?.status).toBe(200);
  });
});

/** The `find` commands an API sends, as the driver's command monitoring reports them. */
interface FindCommand {
  readonly collection: string;
  readonly filter: Record<string, unknown>;
}

// DOS-1's cause: each stream and long poll looked at the tenant's head every 250 ms, and read the log itself when it
// moved. Counted here command by command, against another tenant's single stream as the clock.
describe('GET /v1/events: what following the feed costs the database', () => {
  let api: RunningApi;
  let mongoUrl: string;
  const database = `api_events_cost_${randomUUID().slice(0, 8)}`;
  const finds: FindCommand[] = [];
  const streams: OpenStream[] = [];
  let acme: OpenStream[] = [];
  let realm: RealmLocation;
  beforeAll(async () => {
    const stack = stackEnv();
    realm = { keycloakUrl: stack.KEYCLOAK_URL, realm: stack.KEYCLOAK_REALM };
    const unlimited = { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_INVALID_TOKENS_PER_IP: '0', RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_PER_TENANT: '0' };
    const config = loadConfig({ ...stack, PORT: '0', HOST: '127.0.0.1', MONGO_DB: database, LOG_LEVEL: 'silent', EVENTS_RELAY: 'off', ...unlimited });
    mongoUrl = config.mongoUrl;
    api = await startApi(config, { monitorCommands: true });
    const client = api.app.get<symbol, MongoConnection>(DATABASE).connection.getClient();
    client.on('commandStarted', (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === 'find') finds.push({ collection: String(event.command['find']), filter: (event.command['filter'] ?? {}) as Record<string, unknown> });
    });
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await api?.close();
    await dropDatabase(mongoUrl, database).catch(() => undefined);
  });

  const headLooks = (tenant: string) => finds.filter((find) => find.collection === 'event_heads' && find.filter['_id'] === tenant).length;
  const logReads = (tenant: string) => finds.filter((find) => find.collection === 'events' && find.filter['tenantId'] === tenant && 'bucket' in find.filter).length;
  const follow = async (as: Caller) => {
    const stream = await openStream(api.url, await tokenFor(realm, as));
    expect(stream.status).toBe(200);
    streams.push(stream);
    return stream;
  };
  const longPoll = async (as: Caller, after: number) => {
    const response = await fetch(`${api.url}/v1/events?after=${after}&wait=10`, { headers: { authorization: `Bearer ${await tokenFor(realm, as)}` } });
    return { status: response.status, body: (await response.json()) as { items: { sequence: number }[] } };
  };

  it('looks at a tenant\'s head once per poll, however many of its streams and long polls wait', async () => {
    acme = await Promise.all(Array.from({ length: 8 }, () => follow('acme-viewer')));
    await follow('globex-accountant');
    const polled = longPoll('acme-admin', 0);
    // Settled: globex's one stream has looked twice since every stream began.
    const globexBefore = headLooks('globex');
    await until('globex\'s stream to look twice', () => headLooks('globex') >= globexBefore + 2);
    const [acmeFrom, globexFrom] = [headLooks('acme'), headLooks('globex')];
    await until('globex\'s stream to look 8 more times', () => headLooks('globex') >= globexFrom + 8);
    const [acmeLooks, globexLooks] = [headLooks('acme') - acmeFrom, headLooks('globex') - globexFrom];
    // Before: each of acme's nine readers looked on its own, nine times as often as globex's one.
    expect(acmeLooks).toBeLessThanOrEqual(globexLooks + 1);
    expect(acme.every((stream) => stream.text().startsWith('retry: 1000'))).toBe(true);
    await polled;
  });

  it('reads a new event from the log once for all the tenant\'s streams and long polls', async () => {
    const polled = longPoll('acme-admin', 0);
    // The long poll's own first read (nothing yet), then it waits with the streams.
    const readsBefore = logReads('acme');
    await until('the long poll to read once', () => logReads('acme') > readsBefore);
    const globexBefore = headLooks('globex');
    await until('another look of the feed', () => headLooks('globex') >= globexBefore + 2);
    const from = logReads('acme');

    const event: DomainEvent = { id: `acme/partner/p-1/1/0`, type: 'partner.created', tenantId: tenantId('acme'), aggregateType: 'partner', aggregateId: 'p-1', aggregateVersion: 1, index: 0, occurredAt: new Date(), payload: { partnerId: 'p-1' } };
    await api.app.get<symbol, MongoEventAdapters>(EVENT_ADAPTERS).log.append([event]);
    await until('every acme stream to receive the event', () => acme.every((stream) => /^id: 1$/m.test(stream.text())));
    expect((await polled).body.items.map((item) => item.sequence)).toEqual([1]);

    // Before: each of the eight streams and the long poll read the log itself (nine reads).
    expect(logReads('acme') - from).toBe(1);
  });
});
