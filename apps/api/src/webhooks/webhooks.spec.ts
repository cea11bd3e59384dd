import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { verifyWebhook, type EventJson } from '@invoicing/integration';
import { Webhook } from 'standardwebhooks';
import { connectMongo } from '@invoicing/integration/mongodb';
import { stackEnv, startTestApi, type TestApi } from '../testing/harness';

// Events out on the real stack (FerretDB, Keycloak tokens), the relay running inside the API: a receiver on loopback
// gets every event of a scenario exactly once after de-duplication, in order per aggregate, signed; one that fails
// three times gets each event on the fourth try; one that is down while the API restarts still gets everything. The
// change feed, the audit trail and the relay's metrics read the same log.
jest.setTimeout(300_000);

/** Fast retries and a relay that looks often, so that the scenarios take seconds. */
const RELAY = {
  EVENTS_RELAY: 'in-process',
  EVENTS_POLL_MS: '50',
  WEBHOOK_INSECURE_TENANTS: 'acme',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_MAX_DELAY_MS: '200',
};

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A webhook receiver on loopback: answers 204, or what `answer` says for the n-th request of an event id. */
class Receiver {
  readonly received: Received[] = [];
  private readonly attempts = new Map<string, number>();
  answer: (attempt: number, event: EventJson) => number = () => 204;
  private server?: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: request.headers, body });
        const id = String(request.headers['webhook-id']);
        const attempt = (this.attempts.get(id) ?? 0) + 1;
        this.attempts.set(id, attempt);
        response.statusCode = this.answer(attempt, JSON.parse(body) as EventJson);
        response.end();
      });
    });
    await new Promise<void>((resolve) => (this.server as Server).listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server?.closeAllConnections();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** The events accepted (2xx), de-duplicated by id, in the order they were accepted. */
  accepted(secret: string): EventJson[] {
    const seen = new Map<string, EventJson>();
    const verifier = new Webhook(secret);
    for (const request of this.received) {
      const event = verifier.verify(request.body, request.headers as Record<string, string>) as EventJson;
      const id = String(request.headers['webhook-id']);
      expect(event.id).toBe(id);
      if (!seen.has(id) && this.wasAccepted(request)) seen.set(id, event);
    }
    return [...seen.values()];
  }

  private wasAccepted(request: Received): boolean {
    const id = String(request.headers['webhook-id']);
    const index = this.received.filter((one) => String(one.headers['webhook-id']) === id).indexOf(request);
    const event = JSON.parse(request.body) as EventJson;
    return this.answer(index + 1, event) < 300;
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectInOrderPerAggregate(events: readonly EventJson[]): void {
  const last = new Map<string, number>();
  for (const event of events) {
    const position = event.aggregateVersion * 1000 + event.index;
    expect([event.aggregateId, position > (last.get(event.aggregateId) ?? -1)]).toEqual([event.aggregateId, true]);
    last.set(event.aggregateId, position);
  }
}

describe('events out', () => {
  let t: TestApi;
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApi('webhooks', RELAY);
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  /** Every event of the tenant's log, read through the change feed. */
  async function feed(as: 'acme-admin' | 'globex-admin' = 'acme-admin'): Promise<EventJson[]> {
    const all: EventJson[] = [];
    for (let after = 0; ; ) {
      const page = await t.call('GET', `/v1/events?after=${after}&limit=100`, { as });
      expect(page.status).toBe(200);
      all.push(...(page.body.items as EventJson[]));
      if (page.body.next === after) return all;
      after = page.body.next;
    }
  }

  /** Waits until the relay has nothing waiting and every delivery is done. */
  async function settled(): Promise<void> {
    await eventually('the relay to settle', async () => {
      const metrics = await t.call('GET', '/v1/admin/events');
      return metrics.body.outbox.waiting === 0 && metrics.body.deliveries.waiting === 0 ? true : undefined;
    });
  }

  let endpoint: { id: string; secret: string };
  let invoiceId: string;
  let draftRequestId: string;

  it('registers an endpoint, showing its secret once, and refuses URLs that are not allowed', async () => {
    const created = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body: { url: receiver.url, eventTypes: ['*'], description: 'spec receiver' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: receiver.url, eventTypes: ['*'], enabled: true, disabledReason: null, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
    expect(created.headers.get('location')).toBe(`/v1/webhook-endpoints/${created.body.id}`);
    endpoint = { id: created.body.id, secret: created.body.secret };
    const read = await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await t.call('GET', '/v1/webhook-endpoints')).body)).not.toContain(endpoint.secret);

    // globex is not allowed plain http nor private addresses.
    const refusals = await Promise.all([
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-admin', body: { url: receiver.url, eventTypes: ['*'] } }),
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-admin', body: { url: 'https://127.0.0.1/hooks', eventTypes: ['*'] } }),
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-admin', body: { url: 'https://169.254.169.254/latest', eventTypes: ['*'] } }),
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-admin', body: { url: 'https://[::ffff:10.0.0.1]/x', eventTypes: ['*'] } }),
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-admin', body: { url: 'https://localhost/x', eventTypes: ['*'] } }),
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-admin', body: { url: 'https://user:pw@hooks.example.com/x', eventTypes: ['*'] } }),
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-admin', body: { url: 'https://hooks.example.com/x', eventTypes: ['invoice.issued', 'invoice.exploded'] } }),
      t.call('POST', '/v1/webhook-endpoints', { as: 'globex-accountant', body: { url: 'https://hooks.example.com/x', eventTypes: ['*'] } }),
    ]);
    expect(refusals.map((answer) => [answer.status, answer.body.code])).toEqual([
      [400, 'webhook_endpoint.insecure_url'],
      [400, 'webhook_endpoint.private_address'],
      [400, 'webhook_endpoint.private_address'],
      [400, 'webhook_endpoint.private_address'],
      [400, 'webhook_endpoint.private_address'],
      [400, 'webhook_endpoint.invalid_url'],
      [400, 'webhook_endpoint.unknown_event_type'],
      [403, 'auth.forbidden'],
    ]);
    // Another tenant's endpoint does not exist for globex.
    expect((await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}`, { as: 'globex-admin' })).status).toBe(404);
  });

  it('delivers every event of a scenario once after de-duplication, in order per aggregate, signed, with who did it', async () => {
    const ok = async (status: number, call: Promise<{ status: number; body: { id: string; version: number; code?: string }; headers: Headers }>) => {
      const answer = await call;
      expect([answer.status, answer.body.code]).toEqual([status, undefined]);
      return answer;
    };
    const seller = (
      await ok(
        201,
        t.call('POST', '/v1/partners', {
          body: { legalName: 'Acme Consulting SAS', identifiers: { vatId: 'FR32123456789' }, addresses: [{ lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }] },
        }),
      )
    ).body;
    const buyer = (
      await ok(
        201,
        t.call('POST', '/v1/partners', {
          body: {
            legalName: 'Initech GmbH',
            identifiers: { vatId: 'DE123456789' },
            addresses: [{ lines: ['Hauptstraße 1'], city: 'Berlin', postalCode: '10115', countryCode: 'DE' }],
            contacts: [{ name: 'Ina', email: 'ina@initech.example' }],
          },
        }),
      )
    ).body;
    const day = (
      await ok(
        201,
        t.call('POST', '/v1/marketables', { body: { sku: 'DAY', kind: 'service', name: 'Consulting day', unitCode: 'DAY', prices: [{ currency: 'EUR', unitPrice: '800.00' }], defaultVat: { code: 'S', rate: '20' } } }),
      )
    ).body;
    const partnership = (await ok(201, t.call('POST', '/v1/partnerships', { body: { sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' } }))).body;
    const drafted = await ok(201, t.call('POST', '/v1/invoices', { as: 'acme-integrator', body: { partnershipId: partnership.id, issueDate: '2026-03-02', lines: [{ marketableId: day.id, quantity: '2' }] } }));
    invoiceId = drafted.body.id;
    draftRequestId = drafted.headers.get('x-request-id') as string;
    await ok(200, t.call('POST', `/v1/invoices/${invoiceId}/issue`, { as: 'acme-accountant', headers: { 'if-match': `"${drafted.body.version}"` } }));
    await ok(201, t.call('POST', `/v1/partners/${buyer.id}/payments`, { as: 'acme-accountant', body: { amount: '1920.00', currency: 'EUR', receivedOn: '2026-03-20', applyTo: [invoiceId] } }));
    await settled();

    const logged = await feed();
    expect(logged.map((event) => event.sequence)).toEqual(logged.map((_, index) => index + 1));
    const accepted = receiver.accepted(endpoint.secret);
    expect(accepted.map((event) => event.id)).toEqual(expect.arrayContaining(logged.map((event) => event.id)));
    expect(accepted).toHaveLength(logged.length);
    expectInOrderPerAggregate(accepted);
    expect(accepted.map((event) => event.type)).toEqual(
      expect.arrayContaining(['webhook_endpoint.created', 'partner.created', 'marketable.created', 'partnership.created', 'invoice.drafted', 'invoice.issued', 'payment.received', 'invoice.paid']),
    );
    // The delivered event is the feed's, to the byte; signed as Standard Webhooks says, verifiable with our helper too.
    const issued = logged.find((event) => event.type === 'invoice.issued') as EventJson;
    const delivery = receiver.received.find((request) => request.headers['webhook-id'] === issued.id) as Received;
    expect(JSON.parse(delivery.body)).toEqual(issued);
    expect(verifyWebhook(endpoint.secret, delivery.headers as Record<string, string>, delivery.body)).toEqual(issued);
    expect(() => verifyWebhook(endpoint.secret, delivery.headers as Record<string, string>, delivery.body.replace('issued', 'paid'))).toThrow(/no signature/);

    // Who did what: the user, the client, in which request.
    const byType = (type: string) => logged.filter((event) => event.type === type);
    expect(byType('partner.created').map((event) => event.actor)).toEqual([
      { type: 'user', id: expect.any(String), name: 'acme-admin' },
      { type: 'user', id: expect.any(String), name: 'acme-admin' },
    ]);
    expect(byType('invoice.drafted')[0]).toMatchObject({ actor: { type: 'client', id: 'integrator-acme' }, requestId: draftRequestId });
    expect(byType('invoice.issued')[0]).toMatchObject({ actor: { type: 'user', name: 'acme-accountant' } });
    expect(byType('webhook_endpoint.created')[0]?.actor).toEqual({ type: 'client', id: 'integrator-acme' });
    expect(byType('webhook_endpoint.created')[0]?.payload).toEqual({ url: receiver.url, eventTypes: ['*'], enabled: true });

    const log = await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=5`);
    expect(log.body.items).toHaveLength(5);
    expect(log.body.items[0]).toMatchObject({ sequence: logged.length, status: 'delivered', attempts: 1, history: [{ status: 204, latencyMs: expect.any(Number), error: null }] });
    const older = await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries?limit=100&cursor=${log.body.nextCursor}`);
    expect([...log.body.items, ...older.body.items].map((item: { sequence: number }) => item.sequence)).toEqual(logged.map((event) => event.sequence).reverse());
  });

  it('retries a receiver that fails three times: each event arrives on the fourth try', async () => {
    receiver.answer = (attempt, event) => (event.aggregateType === 'partner' && attempt <= 3 ? 503 : 204);
    const partner = await t.call('POST', '/v1/partners', { body: { legalName: 'Flaky Receiver Ltd' } });
    await t.call('PUT', `/v1/partners/${partner.body.id}`, { body: { legalName: 'Flaky Receiver Limited' }, headers: { 'if-match': `"${partner.body.version}"` } });
    await settled();
    const events = (await feed()).filter((event) => event.aggregateId === partner.body.id);
    expect(events.map((event) => event.type)).toEqual(['partner.created', 'partner.updated']);
    for (const event of events) {
      const delivery = await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${event.sequence}`);
      expect(delivery.body).toMatchObject({ status: 'delivered', attempts: 4, eventId: event.id });
      expect(delivery.body.history.map((attempt: { status: number }) => attempt.status)).toEqual([503, 503, 503, 204]);
      expect(receiver.received.filter((request) => request.headers['webhook-id'] === event.id)).toHaveLength(4);
    }
    // Its events were held back behind the failing first one: accepted in order.
    expectInOrderPerAggregate(receiver.accepted(endpoint.secret).filter((event) => event.aggregateId === partner.body.id));
    receiver.answer = () => 204;
  });

  it('still delivers everything when the receiver is down while the API restarts', async () => {
    await receiver.stop();
    const partner = await t.call('POST', '/v1/partners', { body: { legalName: 'Down Time Co' } });
    await t.call('POST', `/v1/partners/${partner.body.id}/archive`, { headers: { 'if-match': `"${partner.body.version}"` } });
    const during = await eventually('the events to be logged', async () => {
      const events = (await feed()).filter((event) => event.aggregateId === partner.body.id);
      return events.length === 2 ? events : undefined;
    });
    // The API stops with the deliveries still waiting (and a live stream open, which does not hold the stop back), and
    // a new one starts on the same database.
    const stream = await fetch(`${t.url}/v1/events`, { headers: { authorization: `Bearer ${await t.token('acme-admin')}`, accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const stopping = Date.now();
    await t.api.close();
    expect(Date.now() - stopping).toBeLessThan(3_000);
    await stream.body?.cancel().catch(() => undefined);
    const before = receiver.received.length;
    t = await startTestApi('webhooks', { ...RELAY, MONGO_DB: t.database });
    await receiver.start();
    await settled();
    const delivered = receiver.received.slice(before).map((request) => String(request.headers['webhook-id']));
    expect(delivered).toEqual(expect.arrayContaining(during.map((event) => event.id)));
    for (const event of during) expect((await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/${event.sequence}`)).body.status).toBe('delivered');
  });

  it('follows the feed by cursor, by type, by long poll and as server-sent events; other tenants see none of it', async () => {
    const all = await feed();
    const issued = await t.call('GET', '/v1/events?after=0&types=invoice.issued,payment.received');
    expect(issued.body.items.map((event: EventJson) => event.type)).toEqual(['invoice.issued', 'payment.received']);
    expect(issued.body.next).toBe(all.at(-1)?.sequence);
    expect((await feed('globex-admin')).filter((event) => event.tenantId !== 'globex')).toEqual([]);
    expect((await t.call('GET', '/v1/events?after=-1')).status).toBe(400);

    // Long poll: the answer comes when the next event is logged, well before the wait is over.
    const head = all.at(-1)?.sequence as number;
    const waiting = t.call('GET', `/v1/events?after=${head}&wait=10`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await t.call('POST', '/v1/partners', { body: { legalName: 'Long Poll SA' } });
    const polled = await waiting;
    expect(polled.body.items.map((event: EventJson) => [event.sequence, event.type])).toEqual([[head + 1, 'partner.created']]);
    expect(Date.now() - started).toBeLessThan(8_000);

    // Server-sent events, resumed from Last-Event-ID.
    const controller = new AbortController();
    const response = await fetch(`${t.url}/v1/events`, {
      headers: { authorization: `Bearer ${await t.token('acme-viewer')}`, accept: 'text/event-stream', 'last-event-id': String(head - 2) },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while ((text.match(/\n\n/g) ?? []).length < 4) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const messages = text.split('\n\n').filter((block) => block.startsWith('id:'));
    expect(messages.slice(0, 3).map((block) => /^id: (\d+)/.exec(block)?.[1])).toEqual([String(head - 1), String(head), String(head + 1)]);
    expect(JSON.parse(/\ndata: (.*)/.exec(messages[2] as string)?.[1] as string)).toMatchObject({ sequence: head + 1, type: 'partner.created' });
  });

  it('refuses a cursor past the tenant\'s newest event (another tenant\'s, or from a log restored since) rather than answer it as up to date (audit T3)', async () => {
    // acme's cursor taken from globex's longer feed was answered `next` = `head` = that cursor: up to date, while
    // every acme event up to it would be skipped.
    await t.call('POST', '/v1/partners', { as: 'globex-admin', body: { legalName: 'Longer Feed GmbH' } });
    await settled();
    const head = (await t.call('GET', '/v1/events?after=0&limit=1')).body.head as number;
    const ahead = head + 1_000;

    const page = await t.call('GET', `/v1/events?after=${ahead}`);
    expect([page.status, page.body.code, page.body.errors?.[0]?.path]).toEqual([400, 'pagination.invalid_cursor', 'after']);
    const polled = await t.call('GET', `/v1/events?after=${ahead}&wait=1`);
    expect([polled.status, polled.body.code]).toEqual([400, 'pagination.invalid_cursor']);
    const stream = await fetch(`${t.url}/v1/events`, { headers: { authorization: `Bearer ${await t.token('acme-viewer')}`, accept: 'text/event-stream', 'last-event-id': String(ahead) } });
    expect([stream.status, ((await stream.json()) as { code: string }).code]).toEqual([400, 'pagination.invalid_cursor']);
    // The newest event itself is a cursor the feed gives: up to date.
    expect((await t.call('GET', `/v1/events?after=${head}`)).body).toEqual({ items: [], next: head, head });
  });

  it('answers an aggregate\'s audit trail to admins: every change, who made it, in which request', async () => {
    const trail = await t.call('GET', `/v1/audit?aggregate=${invoiceId}`);
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((event: EventJson) => event.type)).toEqual(['invoice.drafted', 'invoice.issued', 'invoice.payment_applied', 'invoice.paid']);
    expect(trail.body.items[0]).toMatchObject({ actor: { type: 'client', id: 'integrator-acme' }, requestId: draftRequestId, aggregateVersion: 1 });
    expect(trail.body.items[1]).toMatchObject({ actor: { type: 'user', name: 'acme-accountant' }, aggregateVersion: 2 });
    expect((await t.call('GET', `/v1/audit?aggregate=${invoiceId}`, { as: 'acme-accountant' })).status).toBe(403);
    expect((await t.call('GET', `/v1/audit?aggregate=${invoiceId}`, { as: 'globex-admin' })).body.items).toEqual([]);
    expect((await t.call('GET', '/v1/audit')).status).toBe(400);

    const metrics = await t.call('GET', '/v1/admin/events');
    expect(metrics.body).toMatchObject({ outbox: { waiting: 0, oldestAgeMs: 0 }, relay: { holdsLease: true, relayFailures: 0 } });
    expect(metrics.body.relay.relayed).toBeGreaterThan(0);
  });

  it('signs with both secrets while a rotated one overlaps, and with the new one alone after', async () => {
    const rotated = await t.call('POST', `/v1/webhook-endpoints/${endpoint.id}/secret-rotations`, { body: { overlapHours: 1 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(rotated.body.previousSecretExpiresAt).toEqual(expect.any(String));
    const before = receiver.received.length;
    await t.call('POST', '/v1/partners', { body: { legalName: 'Rotation AG' } });
    await settled();
    const [first] = receiver.received.slice(before);
    expect(String(first?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // The receiver may check with either secret while it switches.
    for (const secret of [endpoint.secret, rotated.body.secret as string]) expect(verifyWebhook(secret, first?.headers as Record<string, string>, first?.body as string)).toMatchObject({ type: expect.any(String) });

    const ended = await t.call('POST', `/v1/webhook-endpoints/${endpoint.id}/secret-rotations`, { body: { overlapHours: 0 } });
    const after = receiver.received.length;
    await t.call('POST', '/v1/partners', { body: { legalName: 'Rotation 2 AG' } });
    await settled();
    const next = receiver.received.slice(after);
    expect(next.every((request) => String(request.headers['webhook-signature']).split(' ').length === 1)).toBe(true);
    expect(() => verifyWebhook(rotated.body.secret, next[0]?.headers as Record<string, string>, next[0]?.body as string)).toThrow(/no signature/);
    expect(verifyWebhook(ended.body.secret, next[0]?.headers as Record<string, string>, next[0]?.body as string)).toMatchObject({ type: expect.any(String) });
    endpoint = { id: endpoint.id, secret: ended.body.secret };
  });

  it('re-sends a delivery on request, and stops delivering to a disabled or deleted endpoint', async () => {
    const before = receiver.received.length;
    const resent = await t.call('POST', `/v1/webhook-endpoints/${endpoint.id}/deliveries/1/resend`);
    expect(resent.status).toBe(202);
    await settled();
    expect(receiver.received.slice(before).map((request) => JSON.parse(request.body).sequence)).toEqual([1]);
    expect((await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/1`)).body).toMatchObject({ status: 'delivered', attempts: 2 });

    const disabled = await t.call('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { body: { enabled: false } });
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: 'by_request' });
    const quiet = receiver.received.length;
    await t.call('POST', '/v1/partners', { body: { legalName: 'Unheard GmbH' } });
    await eventually('the partner to be logged', async () => ((await feed()).some((event) => event.type === 'partner.created' && (event.payload as { legalName: string }).legalName === 'Unheard GmbH') ? true : undefined));
    expect(receiver.received.length).toBe(quiet);

    expect((await t.call('DELETE', `/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(204);
    expect((await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}`)).status).toBe(404);
    // Its delivery log went with it: listed or read one by one, by anyone (audit E4: one by one answered 200).
    for (const as of ['acme-admin', 'acme-viewer'] as const) {
      const list = await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`, { as });
      const one = await t.call('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries/1`, { as });
      expect([list.status, list.body.code, one.status, one.body.code]).toEqual([404, 'webhook_endpoint.not_found', 404, 'webhook_endpoint.not_found']);
    }
    const types = await eventually('the deletion to be logged', async () => {
      const all = (await feed()).filter((event) => event.aggregateId === endpoint.id).map((event) => event.type);
      return all.includes('webhook_endpoint.deleted') ? all : undefined;
    });
    expect(types).toEqual(['webhook_endpoint.created', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.disabled', 'webhook_endpoint.deleted']);
  });

  it('shows a secret again only to a retry of the request that created it, never once it was rotated', async () => {
    const mongo = await connectMongo({ url: stackEnv().MONGO_URL, dbName: t.database });
    try {
      const key = { 'idempotency-key': 'create-hook-k1' };
      const body = { url: receiver.url, eventTypes: ['invoice.issued'], enabled: false };
      const created = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body, headers: key });
      expect(created.status).toBe(201);
      // The key's record gone (expired, or never stored after a crash): the endpoint it made is found by its id.
      const forget = () => mongo.connection.collection('idempotency_keys').deleteMany({ key: 'create-hook-k1' });
      await forget();
      const retried = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body, headers: key });
      expect([retried.status, retried.body.id, retried.body.secret]).toEqual([201, created.body.id, created.body.secret]);
      const rotated = await t.call('POST', `/v1/webhook-endpoints/${created.body.id}/secret-rotations`, { body: { overlapHours: 0 } });
      await forget();
      const after = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body, headers: key });
      expect([after.status, after.body.code]).toEqual([409, 'webhook_endpoint.already_exists']);
      expect(after.text).not.toContain(rotated.body.secret);
      expect((await t.call('DELETE', `/v1/webhook-endpoints/${created.body.id}`)).status).toBe(204);
    } finally {
      await mongo.close();
    }
  });

  it('does not keep a secret in the key\'s record, nor replay it once rotated or deleted', async () => {
    // Review of 7 December 2026: the first answer, secret included, was stored with the key and replayed for 24 hours,
    // after a rotation (the old secret still signing during its overlap) and after a deletion.
    const mongo = await connectMongo({ url: stackEnv().MONGO_URL, dbName: t.database });
    try {
      const key = { 'idempotency-key': 'create-hook-k2' };
      const body = { url: receiver.url, eventTypes: ['invoice.issued'], enabled: false };
      const created = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body, headers: key });
      expect(created.status).toBe(201);
      const record = await mongo.connection.collection('idempotency_keys').findOne({ key: 'create-hook-k2' });
      expect(record?.['state']).toBe('completed');
      expect(JSON.stringify(record)).not.toContain(created.body.secret);
      const retried = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body, headers: key });
      expect([retried.status, retried.body.id, retried.body.secret]).toEqual([201, created.body.id, created.body.secret]);
      await t.call('POST', `/v1/webhook-endpoints/${created.body.id}/secret-rotations`, { body: { overlapHours: 24 } });
      const rotated = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body, headers: key });
      expect([rotated.status, rotated.body.code]).toEqual([409, 'webhook_endpoint.already_exists']);
      expect(rotated.text).not.toContain(created.body.secret);
      expect((await t.call('DELETE', `/v1/webhook-endpoints/${created.body.id}`)).status).toBe(204);
      const deleted = await t.call('POST', '/v1/webhook-endpoints', { as: 'acme-integrator', body, headers: key });
      expect([deleted.status, deleted.body.code]).toEqual([409, 'webhook_endpoint.already_exists']);
      expect(deleted.text).not.toContain(created.body.secret);
    } finally {
      await mongo.close();
    }
  });

  it('changes, rotates and deletes an endpoint under If-Match only at the version named, as every versioned resource', async () => {
    // Review: the endpoint answered an ETag but ignored If-Match: a stale or garbage one changed, rotated and deleted it.
    const created = await t.call('POST', '/v1/webhook-endpoints', { body: { url: receiver.url, eventTypes: ['invoice.issued'], enabled: false } });
    expect([created.status, created.headers.get('etag')]).toEqual([201, '"1"']);
    const id = created.body.id as string;
    const changed = await t.call('PATCH', `/v1/webhook-endpoints/${id}`, { body: { description: 'first' }, headers: { 'if-match': '"1"' } });
    expect([changed.status, changed.headers.get('etag'), changed.body.description]).toEqual([200, '"2"', 'first']);

    const refusals = [
      await t.call('PATCH', `/v1/webhook-endpoints/${id}`, { body: { description: 'stale' }, headers: { 'if-match': '"1"' } }),
      await t.call('PATCH', `/v1/webhook-endpoints/${id}`, { body: { description: 'weak' }, headers: { 'if-match': 'W/"2"' } }),
      await t.call('PATCH', `/v1/webhook-endpoints/${id}`, { body: { description: 'garbage' }, headers: { 'if-match': 'garbage' } }),
      await t.call('POST', `/v1/webhook-endpoints/${id}/secret-rotations`, { body: { overlapHours: 0 }, headers: { 'if-match': '"1"' } }),
      await t.call('DELETE', `/v1/webhook-endpoints/${id}`, { headers: { 'if-match': '"1"' } }),
      await t.call('PATCH', `/v1/webhook-endpoints/${id}`, { as: 'globex-admin', body: { description: 'elsewhere' }, headers: { 'if-match': '"2"' } }),
    ];
    expect(refusals.map((answer) => `${answer.status} ${answer.body.code}`)).toEqual([
      '412 concurrency.stale_version',
      '412 concurrency.stale_version',
      '400 precondition.malformed',
      '412 concurrency.stale_version',
      '412 concurrency.stale_version',
      '404 webhook_endpoint.not_found',
    ]);
    const unchanged = await t.call('GET', `/v1/webhook-endpoints/${id}`);
    expect([unchanged.status, unchanged.headers.get('etag'), unchanged.body.description]).toEqual([200, '"2"', 'first']);

    const rotated = await t.call('POST', `/v1/webhook-endpoints/${id}/secret-rotations`, { body: { overlapHours: 0 }, headers: { 'if-match': '"1", "2"' } });
    expect([rotated.status, rotated.headers.get('etag'), rotated.body.secret === created.body.secret]).toEqual([200, '"3"', false]);
    // Without If-Match, as before: the change is made at whatever version is current.
    expect((await t.call('PATCH', `/v1/webhook-endpoints/${id}`, { body: { description: 'unconditional' } })).headers.get('etag')).toBe('"4"');
    expect((await t.call('DELETE', `/v1/webhook-endpoints/${id}`, { headers: { 'if-match': '"4"' } })).status).toBe(204);
    expect((await t.call('GET', `/v1/webhook-endpoints/${id}`)).status).toBe(404);
  });
});
