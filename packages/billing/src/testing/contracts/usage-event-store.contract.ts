import { Decimal, type TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillingAdapters } from '../../billing-adapters';
import type { MeasuredUsage } from '../../pricing/price-usage';
import { AGGREGATIONS, aggregate, type BillableMetric } from '../../usage/billable-metric';
import type { InstantRange, RecordedUsageEvent, UsageEventStore } from '../../usage/usage-event-store.port';
import { aPartnershipId, anEvent } from './billing-builders';
import { jestGlobals } from './jest-globals';

const RANGE: InstantRange = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };

/** A measure in plain values: units as text, and each event's amount (in no particular order) when there are any. */
function figures(measured: MeasuredUsage & { readonly events: number }): { units: string; events: number; eventAmounts?: string[] } {
  jestGlobals().expect(measured.units).toBeInstanceOf(Decimal);
  return {
    units: measured.units.toString(),
    events: measured.events,
    ...(measured.eventAmounts === undefined ? {} : { eventAmounts: measured.eventAmounts.map(String).sort() }),
  };
}

/**
 * A partnership's `transfers` events in {@link RANGE}, as stored (first of each id), and the events around them that
 * must never count: outside the range (its end is excluded), another metric, another partnership, another tenant, a
 * resend and another event under a taken id. `tie-b` and `tie-a` are the last events, at the same instant, stored in
 * that order: `latest` takes `tie-b` by its id.
 */
async function storedTransfers(store: UsageEventStore): Promise<{ tenant: TenantId; partnership: PartnershipId; counted: RecordedUsageEvent[] }> {
  const tenant = aTenant();
  const partnership = aPartnershipId();
  const transfer = (eventId: string, timestamp: string, properties: Record<string, string | boolean>, where: { tenant?: TenantId; partnership?: PartnershipId; metricCode?: string } = {}) =>
    anEvent(where.tenant ?? tenant, where.partnership ?? partnership, { eventId, timestamp, metricCode: where.metricCode ?? 'transfers', properties });
  const counted = [
    transfer('e01', '2026-03-01T00:00:00Z', { amount: '0.1', user: 'u1', region: 'eu', flag: true }),
    transfer('e02', '2026-03-02T10:00:00Z', { amount: '0.2', user: 'u2', region: 'us' }),
    transfer('e03', '2026-03-03T10:00:00+01:00', { amount: '999999999999.9999999999', user: true, region: 'eu', flag: 'true' }),
    transfer('e04', '2026-03-04T10:00:00Z', { amount: '-5', user: 'true', region: 'apac', 'tier.name': 'gold' }),
    transfer('e05', '2026-03-05T10:00:00Z', { amount: '12.50', user: 'u1', region: 'eu', 'tier.name': 'gold', flag: false }),
    transfer('tie-b', '2026-03-31T23:59:59.999Z', { amount: '7', user: 'u3', region: 'us', gb: '3.5' }),
    transfer('tie-a', '2026-03-31T23:59:59.999Z', { amount: '6', user: 'u3', region: 'us' }),
  ];
  const never = [
    transfer('at-end', '2026-04-01T00:00:00Z', { amount: '1000', user: 'x', region: 'eu' }),
    transfer('before', '2026-02-28T23:59:59.999Z', { amount: '1000', user: 'x', region: 'eu' }),
    transfer('calls', '2026-03-10T10:00:00Z', { amount: '1000', user: 'x', region: 'eu' }, { metricCode: 'api_calls' }),
    transfer('elsewhere', '2026-03-10T10:00:00Z', { amount: '1000', user: 'x', region: 'eu' }, { partnership: aPartnershipId() }),
    transfer('e01', '2026-03-10T10:00:00Z', { amount: '1000', user: 'x', region: 'eu' }, { tenant: aTenant() }),
    transfer('e02', '2026-03-10T10:00:00Z', { amount: '1000', user: 'x', region: 'eu' }),
  ];
  const outcomes = await store.append([...counted.slice(0, 4), ...never, ...counted.slice(4), counted[0] as RecordedUsageEvent]);
  jestGlobals().expect(outcomes).toEqual([...counted.slice(0, 4).map(() => 'stored'), 'stored', 'stored', 'stored', 'stored', 'stored', 'id_taken', ...counted.slice(4).map(() => 'stored'), 'duplicate']);
  return { tenant, partnership, counted };
}

/**
 * Contract of `UsageEventStore`: each event id stored once per tenant, resends told from reuse, and every measure
 * exactly what the domain's `aggregate()` computes over the same events.
 */
export function describeUsageEventStoreContract(adapters: () => BillingAdapters): void {
  const { describe, expect, it } = jestGlobals();
  const store = (): UsageEventStore => adapters().usage;

  describe('UsageEventStore', () => {
    describe('append', () => {
      it('stores each event once and says, in the order given, what became of each: resends within the batch and across batches', async () => {
        const tenant = aTenant();
        const partnership = aPartnershipId();
        const event = (eventId: string, properties: Record<string, string | boolean> = { amount: '1' }, receivedAt?: string) =>
          anEvent(tenant, partnership, { eventId, timestamp: '2026-03-10T10:00:00Z', metricCode: 'transfers', properties }, receivedAt);
        const [a, b, c, d] = [event('a'), event('b', { amount: '2' }), event('c', { amount: '3', note: 'x', paid: true }), event('d', { amount: '4' })];

        const first = await store().append([a, b, a, event('a', { amount: '100' }), c]);
        const second = await store().append([event('b', { amount: '2' }, '2026-03-12T00:00:00Z'), event('c', { paid: true, note: 'x', amount: '3' }), d]);

        expect(first).toEqual(['stored', 'stored', 'duplicate', 'id_taken', 'stored']);
        expect(second).toEqual(['duplicate', 'duplicate', 'stored']);
        const sum = await store().measure(tenant, partnership, { code: 'transfers', aggregation: 'sum', property: 'amount' }, RANGE, { eventAmounts: true });
        expect(figures(sum)).toEqual({ units: '10', events: 4, eventAmounts: ['1', '2', '3', '4'] });
      });

      it('answers id_taken for an event that differs from the stored one in anything but its receipt', async () => {
        const tenant = aTenant();
        const partnership = aPartnershipId();
        const input = { eventId: 'e-1', timestamp: '2026-03-10T10:00:00Z', metricCode: 'transfers', properties: { amount: '1', region: 'eu' } };
        await store().append([anEvent(tenant, partnership, input)]);

        const outcomes = await store().append([
          anEvent(tenant, partnership, { ...input, timestamp: '2026-03-10T10:00:00.001Z' }),
          anEvent(tenant, partnership, { ...input, metricCode: 'api_calls' }),
          anEvent(tenant, aPartnershipId(), { ...input, partnershipId: undefined, buyerExternalId: 'CRM-1' }),
          anEvent(tenant, partnership, { ...input, properties: { amount: '1.0', region: 'eu' } }),
          anEvent(tenant, partnership, { ...input, properties: { amount: '1', region: 'eu', extra: false } }),
          anEvent(tenant, partnership, { ...input, properties: { amount: '1' } }),
          anEvent(tenant, partnership, { ...input, timestamp: '2026-03-10T11:00:00+01:00', properties: { region: 'eu', amount: '1' } }, '2026-03-20T00:00:00Z'),
          // Named by its buyer, counting for the same partnership: the same event (its buyer's id once led there).
          anEvent(tenant, partnership, { ...input, partnershipId: undefined, buyerExternalId: 'CRM-1' }),
        ]);

        expect(outcomes).toEqual(['id_taken', 'id_taken', 'id_taken', 'id_taken', 'id_taken', 'id_taken', 'duplicate', 'duplicate']);
      });

      it('finds the events stored under ids, in the tenant asked only', async () => {
        const [tenant, other] = [aTenant(), aTenant()];
        const partnership = aPartnershipId();
        const event = anEvent(tenant, partnership, { eventId: 'f-1', timestamp: '2026-03-10T10:00:00Z', metricCode: 'transfers', properties: { amount: '1', constructor: 'x' } });
        await store().append([event, anEvent(other, partnership, { eventId: 'f-2', timestamp: '2026-03-10T10:00:00Z' })]);

        const found = await store().find(tenant, ['f-1', 'f-2', 'never', 'f-1']);

        expect([...found.keys()]).toEqual(['f-1']);
        expect(found.get('f-1')).toEqual(event);
        expect(await store().find(other, ['f-1'])).toEqual(new Map());
      });

      it("keeps event ids per tenant: another tenant's event under the same id is stored", async () => {
        const partnership = aPartnershipId();
        const input = { eventId: 'shared-id', timestamp: '2026-03-10T10:00:00Z', metricCode: 'transfers', properties: { amount: '1' } };
        const [first, second] = [aTenant(), aTenant()];

        expect(await store().append([anEvent(first, partnership, input)])).toEqual(['stored']);
        expect(await store().append([anEvent(second, partnership, { ...input, properties: { amount: '2' } })])).toEqual(['stored']);
        const metric: BillableMetric = { code: 'transfers', aggregation: 'sum', property: 'amount' };
        expect(figures(await store().measure(second, partnership, metric, RANGE))).toEqual({ units: '2', events: 1 });
      });

      it('answers an empty batch with no outcomes', async () => {
        expect(await store().append([])).toEqual([]);
      });
    });

    describe('measure', () => {
      it("gives exactly what aggregate() gives over the partnership's events of the metric in [from, to), for every aggregation", async () => {
        const { tenant, partnership, counted } = await storedTransfers(store());
        const metrics: BillableMetric[] = [
          { code: 'transfers', aggregation: 'count' },
          { code: 'transfers', aggregation: 'sum', property: 'amount' },
          { code: 'transfers', aggregation: 'max', property: 'amount' },
          { code: 'transfers', aggregation: 'unique_count', property: 'user' },
          { code: 'transfers', aggregation: 'latest', property: 'amount' },
          { code: 'transfers', aggregation: 'latest', property: 'gb' },
        ];
        expect(new Set(metrics.map((metric) => metric.aggregation))).toEqual(new Set(AGGREGATIONS));

        for (const metric of metrics) {
          const { eventAmounts: _ignored, ...expected } = figures(aggregate(metric, counted));
          expect({ metric, measured: figures(await store().measure(tenant, partnership, metric, RANGE)) }).toEqual({ metric, measured: expected });
        }
        const figuresOf = async (metric: BillableMetric) => figures(await store().measure(tenant, partnership, metric, RANGE)).units;
        expect(await figuresOf({ code: 'transfers', aggregation: 'sum', property: 'amount' })).toBe('1000000000020.7999999999');
        expect(await figuresOf({ code: 'transfers', aggregation: 'max', property: 'amount' })).toBe('999999999999.9999999999');
        // true and "true" are one value, as String() makes them.
        expect(await figuresOf({ code: 'transfers', aggregation: 'unique_count', property: 'user' })).toBe('4');
        expect(await figuresOf({ code: 'transfers', aggregation: 'latest', property: 'amount' })).toBe('7');
      });

      it('measures a range that spans calendar months and years, as aggregate() does', async () => {
        const tenant = aTenant();
        const partnership = aPartnershipId();
        const at = (eventId: string, timestamp: string, gb: string) => anEvent(tenant, partnership, { eventId, metricCode: 'storage', timestamp, properties: { gb, user: eventId.slice(0, 1) } });
        const events = [
          at('a-before', '2025-11-30T22:59:59.999Z', '100'),
          at('b-first', '2025-11-30T23:00:00Z', '1.5'),
          at('c-dec', '2025-12-31T23:30:00Z', '2'),
          at('d-jan', '2026-01-15T10:00:00Z', '3.25'),
          at('e-last', '2026-02-28T22:59:59.999Z', '4'),
          at('f-after', '2026-02-28T23:00:00Z', '200'),
        ];
        await store().append(events);
        // December to February in Paris: from 1 December 00:00 (30 November 23:00 UTC) to 1 March 00:00.
        const range = { from: new Date('2025-11-30T23:00:00Z'), to: new Date('2026-02-28T23:00:00Z') };
        const counted = events.slice(1, 5);

        for (const metric of [
          { code: 'storage', aggregation: 'count' },
          { code: 'storage', aggregation: 'sum', property: 'gb' },
          { code: 'storage', aggregation: 'max', property: 'gb' },
          { code: 'storage', aggregation: 'unique_count', property: 'user' },
          { code: 'storage', aggregation: 'latest', property: 'gb' },
        ] as const) {
          expect({ metric, measured: figures(await store().measure(tenant, partnership, metric, range, { eventAmounts: metric.aggregation === 'sum' })) }).toEqual({
            metric,
            measured: figures(aggregate(metric, counted)),
          });
        }
      });

      it('measures properties named like members of every JavaScript object as any other', async () => {
        const tenant = aTenant();
        const partnership = aPartnershipId();
        const event = (eventId: string, properties: Record<string, string | boolean>) => anEvent(tenant, partnership, { eventId, timestamp: '2026-03-10T10:00:00Z', metricCode: 'transfers', properties });
        const events = [event('b-1', { constructor: '2.5', toString: 'ada', valueOf: 'eu' }), event('b-2', { constructor: '1', toString: 'grace', valueOf: 'us' }), event('b-3', { constructor: '4', toString: 'ada', valueOf: 'eu' })];
        await store().append(events);
        const metrics: BillableMetric[] = [
          { code: 'transfers', aggregation: 'sum', property: 'constructor' },
          { code: 'transfers', aggregation: 'max', property: 'constructor' },
          { code: 'transfers', aggregation: 'latest', property: 'constructor' },
          { code: 'transfers', aggregation: 'unique_count', property: 'toString' },
          { code: 'transfers', aggregation: 'count', filters: { valueOf: ['eu'] } },
        ];

        const measured = await Promise.all(metrics.map(async (metric) => figures(await store().measure(tenant, partnership, metric, RANGE)).units));

        expect(measured).toEqual(metrics.map((metric) => aggregate(metric, events).units.toString()));
        expect(measured).toEqual(['7.5', '4', '4', '2', '2']);
      });

      it('counts only the events whose properties hold one of the values each filter allows, booleans as "true" and "false"', async () => {
        const { tenant, partnership, counted } = await storedTransfers(store());
        const filters: Readonly<Record<string, readonly string[]>>[] = [
          { region: ['eu'] },
          { region: ['eu', 'us'], flag: ['true'] },
          { flag: ['false', 'nope'] },
          { 'tier.name': ['gold'] },
          { region: [] },
          { missing: ['eu'] },
        ];
        for (const filter of filters) {
          for (const metric of [
            { code: 'transfers', aggregation: 'count', filters: filter },
            { code: 'transfers', aggregation: 'sum', property: 'amount', filters: filter },
            { code: 'transfers', aggregation: 'unique_count', property: 'user', filters: filter },
            { code: 'transfers', aggregation: 'latest', property: 'amount', filters: filter },
          ] satisfies BillableMetric[]) {
            const expected = figures(aggregate(metric, counted));
            const measured = figures(await store().measure(tenant, partnership, metric, RANGE, { eventAmounts: true }));
            expect({ metric, measured }).toEqual({ metric, measured: expected });
          }
        }
        const count = await store().measure(tenant, partnership, { code: 'transfers', aggregation: 'count', filters: { region: ['eu', 'us'], flag: ['true'] } }, RANGE);
        expect(count.events).toBe(2);
      });

      it("gives each event's amount of a sum only when asked", async () => {
        const { tenant, partnership } = await storedTransfers(store());
        const sum: BillableMetric = { code: 'transfers', aggregation: 'sum', property: 'amount', filters: { region: ['us'] } };

        const plain = await store().measure(tenant, partnership, sum, RANGE);
        const asked = await store().measure(tenant, partnership, sum, RANGE, { eventAmounts: true });
        const count = await store().measure(tenant, partnership, { code: 'transfers', aggregation: 'count' }, RANGE, { eventAmounts: true });

        expect('eventAmounts' in plain).toBe(false);
        expect(figures(asked)).toEqual({ units: '13.2', events: 3, eventAmounts: ['0.2', '6', '7'] });
        expect(asked.eventAmounts?.every((amount) => amount instanceof Decimal)).toBe(true);
        expect('eventAmounts' in count).toBe(false);
      });

      it('measures 0 over no events, for every aggregation', async () => {
        const { tenant, partnership } = await storedTransfers(store());
        const empty: InstantRange = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2025-02-01T00:00:00Z') };
        for (const aggregation of AGGREGATIONS) {
          const metric: BillableMetric = { code: 'transfers', aggregation, ...(aggregation === 'count' ? {} : { property: 'amount' }) };
          expect(figures(await store().measure(tenant, partnership, metric, empty))).toMatchObject({ units: '0', events: 0 });
          expect(figures(await store().measure(aTenant(), partnership, metric, RANGE))).toMatchObject({ units: '0', events: 0 });
        }
      });

      it('fails as aggregate() does when a counted event lacks the property or holds no decimal', async () => {
        const { tenant, partnership, counted } = await storedTransfers(store());
        const cases: [BillableMetric, string][] = [
          [{ code: 'transfers', aggregation: 'sum', property: 'absent' }, 'usage.property_missing'],
          [{ code: 'transfers', aggregation: 'max', property: 'gb' }, 'usage.property_missing'],
          [{ code: 'transfers', aggregation: 'unique_count', property: 'tier.name' }, 'usage.property_missing'],
          [{ code: 'transfers', aggregation: 'latest', property: 'flag' }, 'usage.property_missing'],
          [{ code: 'transfers', aggregation: 'sum', property: 'region' }, 'usage.property_not_decimal'],
          [{ code: 'transfers', aggregation: 'max', property: 'flag', filters: { region: ['eu'] } }, 'usage.property_not_decimal'],
          [{ code: 'transfers', aggregation: 'latest', property: 'region' }, 'usage.property_not_decimal'],
          // Named like members of every JavaScript object: read as the events' own properties, which they lack.
          [{ code: 'transfers', aggregation: 'sum', property: 'toString' }, 'usage.property_missing'],
          [{ code: 'transfers', aggregation: 'max', property: 'constructor' }, 'usage.property_missing'],
          [{ code: 'transfers', aggregation: 'unique_count', property: 'valueOf' }, 'usage.property_missing'],
        ];
        for (const [metric, code] of cases) {
          expect(() => aggregate(metric, counted)).toThrow(expect.objectContaining({ code }));
          await expect(store().measure(tenant, partnership, metric, RANGE)).rejects.toMatchObject({ code });
        }
      });
    });

    describe('lateUsage', () => {
      it('gives, per metric, the earliest timestamp of the events received after one instant and dated before another', async () => {
        const tenant = aTenant();
        const partnership = aPartnershipId();
        const event = (eventId: string, metricCode: string, timestamp: string, receivedAt: string, where: { tenant?: TenantId; partnership?: PartnershipId } = {}) =>
          anEvent(where.tenant ?? tenant, where.partnership ?? partnership, { eventId, metricCode, timestamp }, receivedAt);
        await store().append([
          event('late-1', 'api_calls', '2026-03-20T10:00:00Z', '2026-04-01T10:00:00.001Z'),
          event('late-2', 'api_calls', '2026-03-05T10:00:00Z', '2026-04-02T00:00:00Z'),
          event('at-receipt', 'api_calls', '2026-03-01T10:00:00Z', '2026-04-01T10:00:00Z'),
          event('late-3', 'transfers', '2026-03-31T23:59:59.999Z', '2026-04-03T00:00:00Z'),
          event('at-period-end', 'storage', '2026-04-01T00:00:00Z', '2026-04-03T00:00:00Z'),
          event('on-time', 'api_calls', '2026-02-01T10:00:00Z', '2026-03-01T00:00:00Z'),
          event('elsewhere', 'api_calls', '2026-03-01T10:00:00Z', '2026-04-02T00:00:00Z', { partnership: aPartnershipId() }),
          event('late-1', 'api_calls', '2026-03-01T10:00:00Z', '2026-04-02T00:00:00Z', { tenant: aTenant() }),
        ]);

        const window = { after: new Date('2026-04-01T10:00:00Z'), upTo: new Date('2026-04-03T00:00:00Z') };
        const late = await store().lateUsage(tenant, partnership, window, new Date('2026-04-01T00:00:00Z'));

        expect(late).toEqual(new Map([
          ['api_calls', new Date('2026-03-05T10:00:00Z')],
          ['transfers', new Date('2026-03-31T23:59:59.999Z')],
        ]));
        expect(await store().lateUsage(tenant, partnership, { after: new Date('2026-04-05T00:00:00Z'), upTo: new Date('2026-05-01T00:00:00Z') }, new Date('2026-04-01T00:00:00Z'))).toEqual(new Map());
        // Received after the window's end: for a later run to find.
        expect(await store().lateUsage(tenant, partnership, { after: new Date('2026-04-01T10:00:00Z'), upTo: new Date('2026-04-02T23:59:59.999Z') }, new Date('2026-04-01T00:00:00Z'))).toEqual(
          new Map([['api_calls', new Date('2026-03-05T10:00:00Z')]]),
        );
        expect(await store().lateUsage(aTenant(), partnership, { after: new Date('2026-01-01T00:00:00Z'), upTo: new Date('2026-06-01T00:00:00Z') }, new Date('2026-05-01T00:00:00Z'))).toEqual(new Map());
      });
    });
  });
}
