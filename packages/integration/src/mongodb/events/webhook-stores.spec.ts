import { NotFoundError } from '@invoicing/core';
import { DocumentLocks } from '../document-lock';
import { createTestDatabase, type TestDatabase } from '../../testing/mongo-test-database';
import type { LoggedEvent } from '../../events/event-log.port';
import { MongoWebhookDeliveryStore, MongoWebhookEndpointStore } from './webhook-stores';
import { signingSecrets } from '../../webhooks/webhook';

// Webhook endpoints on the real server: every change is one versioned write with its event, whatever fields it
// adds or removes; a deleted endpoint is gone for every change after.
jest.setTimeout(60_000);

let database: TestDatabase;
let store: MongoWebhookEndpointStore;
beforeAll(async () => {
  database = await createTestDatabase('webhook_stores');
  store = new MongoWebhookEndpointStore(database.adapters.models, new DocumentLocks(database.adapters.models.document_locks));
});
afterAll(async () => {
  await database.drop();
});

const at = new Date('2026-03-01T10:00:00Z');

describe('MongoWebhookEndpointStore', () => {
  it('creates at most the limit of endpoints for a tenant, however many creations run at once in two processes', async () => {
    // Review of 6 December 2026: the API counted the endpoints, then inserted: requests at once went past the limit.
    const other = new MongoWebhookEndpointStore(database.adapters.models, new DocumentLocks(database.adapters.models.document_locks));
    const creations = Array.from({ length: 12 }, (_, index) =>
      (index % 2 === 0 ? store : other).create({ tenantId: 'limited', id: `ep-${index}`, url: 'https://hooks.example.com/a', eventTypes: ['*'], enabled: true, secret: 'whsec_a', at }, 5),
    );
    const outcomes = await Promise.allSettled(creations);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'webhook_endpoint.too_many', details: { limit: 5 } });
    expect(await store.list('limited')).toHaveLength(5);
    // A deleted one frees its place.
    await store.delete('limited', (await store.list('limited'))[0]?.id as string, at);
    await store.create({ tenantId: 'limited', id: 'ep-after', url: 'https://hooks.example.com/a', eventTypes: ['*'], enabled: true, secret: 'whsec_a', at }, 5);
    expect(await store.list('limited')).toHaveLength(5);
  });

  it('changes, rotates, disables and deletes an endpoint, with or without a description, one version at a time', async () => {
    await store.create({ tenantId: 'acme', id: 'ep-1', url: 'https://hooks.example.com/a', eventTypes: ['*'], enabled: true, secret: 'whsec_a', at });
    expect(await store.update('acme', 'ep-1', { eventTypes: ['invoice.issued'] }, at)).toMatchObject({ version: 2, eventTypes: ['invoice.issued'] });
    expect(await store.update('acme', 'ep-1', { description: 'ERP' }, at)).toMatchObject({ version: 3, description: 'ERP' });
    expect(await store.update('acme', 'ep-1', { description: null, enabled: false }, at)).toMatchObject({ version: 4, enabled: false, disabledReason: 'by_request' });
    expect((await store.get('acme', 'ep-1'))?.description).toBeUndefined();
    expect(await store.update('acme', 'ep-1', { enabled: true }, at)).toMatchObject({ version: 5, enabled: true });
    expect((await store.get('acme', 'ep-1'))?.disabledReason).toBeUndefined();
    expect((await store.rotateSecret('acme', 'ep-1', 'whsec_b', new Date(at.getTime() + 3600_000), at)).secrets.map((secret) => secret.secret)).toEqual(['whsec_b', 'whsec_a']);
    // A second rotation within the overlap (a retry whose answer was lost) keeps the first secret until its own end:
    // the receiver, which never saw whsec_b, still verifies with whsec_a (review of 6 December 2026: it ended at once).
    const later = new Date(at.getTime() + 60_000);
    const twice = await store.rotateSecret('acme', 'ep-1', 'whsec_c', new Date(later.getTime() + 3600_000), later);
    expect(twice.secrets.map((secret) => [secret.secret, secret.expiresAt?.toISOString()])).toEqual([
      ['whsec_c', undefined],
      ['whsec_b', new Date(later.getTime() + 3600_000).toISOString()],
      ['whsec_a', new Date(at.getTime() + 3600_000).toISOString()],
    ]);
    expect(signingSecrets(twice, later)).toEqual(['whsec_c', 'whsec_b', 'whsec_a']);
    // No overlap (a secret leaked): every older secret ends at once.
    expect((await store.rotateSecret('acme', 'ep-1', 'whsec_d', later, later)).secrets.map((secret) => secret.secret)).toEqual(['whsec_d']);
    // Disabled for failing only as the relay read it: an endpoint changed since (its URL mended) stays enabled.
    const read = (await store.get('acme', 'ep-1')) as NonNullable<Awaited<ReturnType<typeof store.get>>>;
    await store.update('acme', 'ep-1', { url: 'https://hooks.example.com/mended' }, later);
    expect(await store.disableFailing('acme', 'ep-1', read.version, later)).toBe(false);
    expect(await store.get('acme', 'ep-1')).toMatchObject({ enabled: true, url: 'https://hooks.example.com/mended' });
    const current = (await store.get('acme', 'ep-1')) as NonNullable<Awaited<ReturnType<typeof store.get>>>;
    expect(await store.disableFailing('acme', 'ep-1', current.version, later)).toBe(true);
    expect(await store.get('acme', 'ep-1')).toMatchObject({ enabled: false, disabledReason: 'failing', version: current.version + 1 });
    await store.delete('acme', 'ep-1', at);
    expect(await store.get('acme', 'ep-1')).toBeUndefined();
    await expect(store.update('acme', 'ep-1', { enabled: true }, at)).rejects.toThrow(NotFoundError);
    await expect(store.rotateSecret('acme', 'ep-1', 'whsec_c', at, at)).rejects.toThrow(NotFoundError);
    await expect(store.delete('acme', 'ep-1', at)).rejects.toThrow(NotFoundError);
    // Another tenant's id is a missing endpoint.
    await expect(store.update('globex', 'ep-1', { enabled: true }, at)).rejects.toThrow(NotFoundError);
  });

  it('makes a change expecting a version only at that version (or one of those listed), and changes nothing otherwise', async () => {
    await store.create({ tenantId: 'acme', id: 'ep-v', url: 'https://hooks.example.com/v', eventTypes: ['*'], enabled: true, secret: 'whsec_a', at });
    const stale = { code: 'concurrency.stale_version', details: { resource: 'webhook_endpoint', id: 'ep-v', version: 2 } };
    expect(await store.update('acme', 'ep-v', { description: 'one' }, at, 1)).toMatchObject({ version: 2, description: 'one' });
    await expect(store.update('acme', 'ep-v', { description: 'stale' }, at, 1)).rejects.toMatchObject(stale);
    await expect(store.update('acme', 'ep-v', { description: 'none can match' }, at, [])).rejects.toMatchObject(stale);
    await expect(store.rotateSecret('acme', 'ep-v', 'whsec_b', at, at, [1, 3])).rejects.toMatchObject(stale);
    await expect(store.delete('acme', 'ep-v', at, 3)).rejects.toMatchObject(stale);
    expect(await store.get('acme', 'ep-v')).toMatchObject({ version: 2, description: 'one', secrets: [{ secret: 'whsec_a' }] });
    expect(await store.rotateSecret('acme', 'ep-v', 'whsec_b', at, at, [1, 2])).toMatchObject({ version: 3, secrets: [{ secret: 'whsec_b' }] });
    await store.delete('acme', 'ep-v', at, 3);
    expect(await store.get('acme', 'ep-v')).toBeUndefined();
  });
});

describe('MongoWebhookDeliveryStore', () => {
  const event = (tenantId: string, sequence: number): LoggedEvent => ({
    id: `${tenantId}/invoice/inv-${sequence}/1/0`,
    type: 'invoice.issued',
    tenantId: tenantId as never,
    aggregateType: 'invoice',
    aggregateId: `inv-${sequence}`,
    aggregateVersion: 1,
    index: 0,
    occurredAt: at,
    payload: {},
    actor: { type: 'system', id: 'system' },
    sequence,
    loggedAt: at,
  });

  it("reads the waiting deliveries of every endpoint when one endpoint's backlog is more than a read takes", async () => {
    const deliveries = new MongoWebhookDeliveryStore(database.adapters.models);
    // A receiver down (or an endpoint disabled) with 40 deliveries waiting, queued before two of another tenant's.
    await deliveries.enqueue(Array.from({ length: 40 }, (_, index) => ({ endpointId: 'ep-down', event: event('tenant-down', index + 1), body: '{}' })), at);
    await deliveries.enqueue([1, 2].map((sequence) => ({ endpointId: 'ep-up', event: event('tenant-up', sequence), body: '{}' })), at);

    const read = await deliveries.waiting(10);
    expect(read.length).toBeLessThanOrEqual(10);
    expect(read.filter((delivery) => delivery.tenantId === 'tenant-up').map((delivery) => delivery.sequence).sort()).toEqual([1, 2]);
    // What it reads of the backlog is its oldest, so that an aggregate's deliveries still go in order.
    const down = read.filter((delivery) => delivery.tenantId === 'tenant-down').map((delivery) => delivery.sequence);
    expect(down).toEqual(Array.from({ length: down.length }, (_, index) => index + 1));
    expect(await deliveries.waiting(100)).toHaveLength(42);
  });

  it('keeps a re-send asked while an attempt was in flight: the attempt ending after it does not settle the delivery', async () => {
    const deliveries = new MongoWebhookDeliveryStore(database.adapters.models);
    await deliveries.enqueue([{ endpointId: 'ep-resend', event: event('tenant-resend', 1), body: '{}' }], at);
    const [inFlight] = await deliveries.waiting(10).then((read) => read.filter((delivery) => delivery.tenantId === 'tenant-resend'));
    if (!inFlight) throw new Error('the delivery is not waiting');
    const later = new Date(at.getTime() + 60_000);
    await deliveries.resend('tenant-resend', 'ep-resend', 1, later);
    // The attempt that was in flight ends after the re-send, failed for good (its retry window was over).
    await deliveries.recordAttempt(inFlight, { at: later, latencyMs: 5, status: 500 }, { status: 'failed' });
    expect(await deliveries.get('tenant-resend', 'ep-resend', 1)).toMatchObject({ status: 'pending', nextAttemptAt: later });
    expect((await deliveries.waiting(100)).some((delivery) => delivery.tenantId === 'tenant-resend')).toBe(true);
  });
});
