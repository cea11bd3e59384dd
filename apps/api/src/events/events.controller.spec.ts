// The relay's metrics as a tenant's admin reads them: the relay works for every tenant, so what it answers must not
// carry another tenant's names or ids (review of 6 December 2026: a failed round's message did).
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { tenantId } from '@invoicing/core';
import type { EventRelay } from '@invoicing/integration';
import type { MongoEventAdapters } from '@invoicing/integration/mongodb';
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
