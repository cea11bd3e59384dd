import { tenantId, type TenantId } from '@invoicing/core';
import type { IdempotencyOptions, IdempotencyStore } from './idempotency-store.port';

const HOUR = 60 * 60 * 1000;
const T0 = new Date('2026-03-01T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
let tenants = 0;
const aTenant = (): TenantId => tenantId(`idem-${process.pid}-${Date.now()}-${(tenants += 1)}`);
const response = { status: 201, headers: { location: '/v1/invoices/1' }, body: { id: '1', total: { amount: '12.50', currency: 'EUR' }, $ref: 'a.b' } };

/**
 * Contract of `IdempotencyStore` (Stripe's semantics), run on every implementation. `store(options)` gives the store
 * under test: with no options the one shared by the tests, with options one configured so.
 */
export function describeIdempotencyStoreContract(name: string, store: (options?: IdempotencyOptions) => IdempotencyStore): void {
  const { describe, expect, it } = globalThis as unknown as typeof import('@jest/globals');
  describe(`${name} idempotency store`, () => {
    it('starts a new key, then replays the stored response for the same request', async () => {
      const tenant = aTenant();
      expect(await store().begin(tenant, 'key-1', 'POST /v1/invoices #abc', T0)).toEqual({ outcome: 'started' });
      await store().complete(tenant, 'key-1', response);
      expect(await store().begin(tenant, 'key-1', 'POST /v1/invoices #abc', later(HOUR))).toEqual({ outcome: 'replay', response });
    });

    it('refuses the same key for a different request', async () => {
      const tenant = aTenant();
      await store().begin(tenant, 'key-1', 'fingerprint-a', T0);
      await store().complete(tenant, 'key-1', response);
      expect(await store().begin(tenant, 'key-1', 'fingerprint-b', later(1000))).toEqual({ outcome: 'mismatch' });
    });

    it('answers in_progress to a duplicate while the first is running, and lets exactly one of many concurrent requests start', async () => {
      const tenant = aTenant();
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => store().begin(tenant, 'key-1', 'fingerprint', T0)));
      expect(outcomes.filter((outcome) => outcome.outcome === 'started')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.outcome === 'in_progress')).toHaveLength(9);
    });

    it('answers a record written under the fingerprint an earlier release computed, when the request says it was its', async () => {
      const tenant = aTenant();
      await store().begin(tenant, 'key-1', 'former', T0);
      await store().complete(tenant, 'key-1', { status: 201, headers: {}, body: { id: 'p-1' } });
      expect(await store().begin(tenant, 'key-1', 'current', later(1_000), 'former')).toEqual({ outcome: 'replay', response: { status: 201, headers: {}, body: { id: 'p-1' } } });
      expect(await store().begin(tenant, 'key-1', 'current', later(1_000), 'another')).toEqual({ outcome: 'mismatch' });
    });

    it('keeps keys apart per tenant', async () => {
      const [first, second] = [aTenant(), aTenant()];
      await store().begin(first, 'key-1', 'fingerprint-a', T0);
      await store().complete(first, 'key-1', response);
      expect(await store().begin(second, 'key-1', 'fingerprint-b', T0)).toEqual({ outcome: 'started' });
    });

    it('forgets an abandoned key, but never a completed one', async () => {
      const tenant = aTenant();
      await store().begin(tenant, 'key-1', 'fingerprint', T0);
      await store().abandon(tenant, 'key-1', T0);
      expect(await store().begin(tenant, 'key-1', 'other-fingerprint', later(1))).toEqual({ outcome: 'started' });
      await store().complete(tenant, 'key-1', response);
      await store().abandon(tenant, 'key-1', later(1));
      expect(await store().begin(tenant, 'key-1', 'other-fingerprint', later(2))).toEqual({ outcome: 'replay', response });
    });

    it('lets a later request take over a key whose request died in progress', async () => {
      const tenant = aTenant();
      await store().begin(tenant, 'key-1', 'fingerprint', T0);
      expect(await store().begin(tenant, 'key-1', 'fingerprint', later(30_000))).toEqual({ outcome: 'in_progress' });
      expect(await store().begin(tenant, 'key-1', 'fingerprint', later(61_000))).toEqual({ outcome: 'started' });
    });

    it('lets exactly one of many concurrent retries take over a key whose request died', async () => {
      // Review of 7 December 2026: the takeover was a conditional update, which FerretDB does not isolate: several
      // retries could all take the key over and run at once.
      const tenant = aTenant();
      await store().begin(tenant, 'key-1', 'fingerprint', T0);
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => store().begin(tenant, 'key-1', 'fingerprint', later(61_000))));
      expect(outcomes.filter((outcome) => outcome.outcome === 'started')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.outcome === 'in_progress')).toHaveLength(19);
    });

    it('locks a started key for the configured time only', async () => {
      const tenant = aTenant();
      const short = store({ lockTimeoutMs: 5_000 });
      await short.begin(tenant, 'key-1', 'fingerprint', T0);
      expect(await short.begin(tenant, 'key-1', 'fingerprint', later(4_999))).toEqual({ outcome: 'in_progress' });
      expect(await short.begin(tenant, 'key-1', 'fingerprint', later(5_000))).toEqual({ outcome: 'started' });
      expect(await short.begin(tenant, 'key-1', 'fingerprint', later(9_999))).toEqual({ outcome: 'in_progress' });
    });

    it('lets an attempt that outlived its lock neither free the key of the attempt that took it over, nor replace its answer', async () => {
      const tenant = aTenant();
      const late = response;
      const first = { ...response, body: { id: '1', answeredBy: 'the attempt that took the key over' } };
      await store().begin(tenant, 'key-1', 'fingerprint', T0);
      expect(await store().begin(tenant, 'key-1', 'fingerprint', later(61_000))).toEqual({ outcome: 'started' });
      await store().abandon(tenant, 'key-1', T0); // the first attempt fails late: the key is not its own any more
      expect(await store().begin(tenant, 'key-1', 'fingerprint', later(62_000))).toEqual({ outcome: 'in_progress' });
      await store().complete(tenant, 'key-1', first);
      await store().complete(tenant, 'key-1', late); // the first attempt answers late: the stored answer stays
      expect(await store().begin(tenant, 'key-1', 'fingerprint', later(63_000))).toEqual({ outcome: 'replay', response: first });
    });

    it('lets the attempt holding a key free it after a takeover', async () => {
      const tenant = aTenant();
      await store().begin(tenant, 'key-1', 'fingerprint', T0);
      await store().begin(tenant, 'key-1', 'fingerprint', later(61_000));
      await store().abandon(tenant, 'key-1', later(61_000));
      expect(await store().begin(tenant, 'key-1', 'fingerprint', later(61_001))).toEqual({ outcome: 'started' });
    });

    it('remembers keys for 24 hours, then forgets and purges them', async () => {
      const tenant = aTenant();
      await store().begin(tenant, 'key-1', 'fingerprint-a', T0);
      await store().complete(tenant, 'key-1', response);
      expect((await store().begin(tenant, 'key-1', 'fingerprint-a', later(24 * HOUR - 1))).outcome).toBe('replay');
      expect(await store().begin(tenant, 'key-1', 'fingerprint-b', later(24 * HOUR + 1))).toEqual({ outcome: 'started' });
      await store().begin(tenant, 'key-2', 'fingerprint', T0);
      expect(await store().purgeExpired(later(48 * HOUR))).toBeGreaterThanOrEqual(2);
      expect(await store().begin(tenant, 'key-2', 'another', later(48 * HOUR))).toEqual({ outcome: 'started' });
    });
  });
}
