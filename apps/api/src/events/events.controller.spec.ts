// The relay's metrics as a tenant's admin reads them: the relay works for every tenant, so what it answers must not
// carry another tenant's names or ids (review of 6 December 2026: a failed round's message did).
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { tenantId } from '@invoicing/core';
import type { EventRelay } from '@invoicing/integration';
import type { MongoEventAdapters } from '@invoicing/integration/mongodb';
import { startTestApi, type TestApi } from '../testing/harness';
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

    const answer = await new EventsController(events, relay).getEventMetrics(tenantId('acme'));

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
