import { Decimal } from '@invoicing/core';
import fc from 'fast-check';
import { aggregate, billableMetric, type BillableMetric, type MeteredEvent } from './billable-metric';

let sequence = 0;
const event = (properties: MeteredEvent['properties'], at = '2026-03-02T10:00:00Z', eventId = `e-${String(++sequence).padStart(4, '0')}`): MeteredEvent => ({ eventId, timestamp: new Date(at), properties });
const units = (metric: BillableMetric, events: readonly MeteredEvent[]) => aggregate(billableMetric(metric), events).units.toString();

describe('aggregate', () => {
  const calls = [
    event({ region: 'eu', amount: '12.50', customer: 'c1' }, '2026-03-02T10:00:00Z'),
    event({ region: 'us', amount: '100.00', customer: 'c2' }, '2026-03-05T10:00:00Z'),
    event({ region: 'eu', amount: '0.25', customer: 'c1' }, '2026-03-04T10:00:00Z'),
  ];

  it('counts, sums, takes the maximum, counts distinct values and reads the latest value', () => {
    expect(units({ code: 'api_calls', aggregation: 'count' }, calls)).toBe('3');
    expect(units({ code: 'volume', aggregation: 'sum', property: 'amount' }, calls)).toBe('112.75');
    expect(units({ code: 'peak', aggregation: 'max', property: 'amount' }, calls)).toBe('100');
    expect(units({ code: 'customers', aggregation: 'unique_count', property: 'customer' }, calls)).toBe('2');
    expect(units({ code: 'seats', aggregation: 'latest', property: 'amount' }, calls)).toBe('100');
  });

  it('keeps each amount of a sum, for per-event fees', () => {
    expect(aggregate({ code: 'volume', aggregation: 'sum', property: 'amount' }, calls).eventAmounts?.map(String)).toEqual(['12.5', '100', '0.25']);
  });

  it('counts only the events whose properties pass the filters', () => {
    const eu = { region: ['eu'] };
    expect(units({ code: 'api_calls', aggregation: 'count', filters: eu }, calls)).toBe('2');
    expect(units({ code: 'volume', aggregation: 'sum', property: 'amount', filters: eu }, calls)).toBe('12.75');
    expect(units({ code: 'api_calls', aggregation: 'count', filters: { region: ['eu', 'us'], tier: ['gold'] } }, calls)).toBe('0');
    expect(aggregate({ code: 'api_calls', aggregation: 'count', filters: eu }, calls).events).toBe(2);
  });

  it('breaks a tie of the latest by event id, so that the figure does not depend on the order events were read', () => {
    const same = '2026-03-31T23:59:59Z';
    const tied = [event({ seats: '7' }, same, 'b'), event({ seats: '9' }, same, 'c'), event({ seats: '8' }, same, 'a')];
    expect(units({ code: 'seats', aggregation: 'latest', property: 'seats' }, tied)).toBe('9');
    expect(units({ code: 'seats', aggregation: 'latest', property: 'seats' }, [...tied].reverse())).toBe('9');
  });

  it('gives 0 for no events', () => {
    for (const aggregation of ['count', 'sum', 'max', 'unique_count', 'latest'] as const) expect(units({ code: 'm', aggregation, property: 'p' }, [])).toBe('0');
  });

  it('refuses an amount that is not a decimal string, and a counted event without the property', () => {
    const sum = { code: 'volume', aggregation: 'sum', property: 'amount' } as const;
    expect(() => aggregate(sum, [event({ amount: '1e3' })])).toThrow(expect.objectContaining({ code: 'usage.property_not_decimal' }) as unknown as Error);
    expect(() => aggregate(sum, [event({ amount: true })])).toThrow(expect.objectContaining({ code: 'usage.property_not_decimal' }) as unknown as Error);
    expect(() => aggregate(sum, [event({ other: '1' })])).toThrow(expect.objectContaining({ code: 'usage.property_missing' }) as unknown as Error);
  });

  it('reads only the properties an event carries: one named like a member of every JavaScript object is a property like any other (audit F5)', () => {
    // Audit of 7 December 2026: an event without `toString` was counted with the built-in function's text as its value.
    const named = [event(JSON.parse('{"constructor": "2", "toString": "a"}') as MeteredEvent['properties']), event(JSON.parse('{"constructor": "3", "toString": "b"}') as MeteredEvent['properties'])];
    expect(units({ code: 'weight', aggregation: 'sum', property: 'constructor' }, named)).toBe('5');
    expect(units({ code: 'users', aggregation: 'unique_count', property: 'toString' }, named)).toBe('2');
    expect(units({ code: 'calls', aggregation: 'count', filters: JSON.parse('{"constructor": ["2"]}') as Record<string, string[]> }, named)).toBe('1');
    expect(units({ code: 'calls', aggregation: 'count', filters: { valueOf: ['function valueOf() { [native code] }'] } }, named)).toBe('0');
    expect(() => aggregate({ code: 'users', aggregation: 'unique_count', property: 'valueOf' }, named)).toThrow(expect.objectContaining({ code: 'usage.property_missing' }) as unknown as Error);
  });

  it('is the same whatever order the events come in (sum, max, unique count, latest)', () => {
    const events = fc.array(
      fc.record({ amount: fc.integer({ min: 0, max: 1_000_000 }), customer: fc.constantFrom('a', 'b', 'c', 'd'), second: fc.integer({ min: 0, max: 100 }) }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(events, fc.integer(), (rows, seed) => {
        const built = rows.map((row, index) => event({ amount: new Decimal(row.amount).dividedBy(100).toString(), customer: row.customer }, new Date(Date.UTC(2026, 2, 1, 0, 0, row.second)).toISOString(), `id-${index}`));
        const shuffled = [...built].sort((a, b) => ((a.eventId.length * seed) % 7) - ((b.eventId.length * seed) % 7) || (a.eventId < b.eventId ? 1 : -1));
        for (const metric of [
          { code: 'v', aggregation: 'sum', property: 'amount' },
          { code: 'v', aggregation: 'max', property: 'amount' },
          { code: 'v', aggregation: 'unique_count', property: 'customer' },
          { code: 'v', aggregation: 'latest', property: 'amount' },
        ] as const) {
          expect(aggregate(metric, shuffled).units.equals(aggregate(metric, built).units)).toBe(true);
        }
      }),
    );
  });
});

describe('billableMetric', () => {
  it('refuses a code that is not lower-case letters, digits and _, an unknown aggregation, and a missing property', () => {
    expect(() => billableMetric({ code: 'API Calls', aggregation: 'count' })).toThrow(expect.objectContaining({ code: 'metric.invalid_code' }) as unknown as Error);
    expect(() => billableMetric({ code: 'calls', aggregation: 'median' as never })).toThrow(expect.objectContaining({ code: 'metric.unknown_aggregation' }) as unknown as Error);
    expect(() => billableMetric({ code: 'volume', aggregation: 'sum' })).toThrow(expect.objectContaining({ code: 'metric.property_required' }) as unknown as Error);
    expect(billableMetric({ code: 'api_calls', aggregation: 'count' })).toEqual({ code: 'api_calls', aggregation: 'count' });
  });

  it.each([
    ['a string for a list', { region: 'eu' }, 'filters.region'],
    ['a number among the values', { region: [5] }, 'filters.region'],
    ['an operator among the values', { region: [{ $ne: null }] }, 'filters.region'],
    ['an empty list', { region: [] }, 'filters.region'],
    ['a property name no event can have', { $where: ['1'] }, 'filters.$where'],
    ['null for the filters', null, 'filters'],
    ['a list for the filters', [['eu']], 'filters'],
  ])('refuses filters with %s (metric.invalid_filter), which a billing run could not apply as meant', (_, filters, path) => {
    expect(() => billableMetric({ code: 'api_calls', aggregation: 'count', filters: filters as never })).toThrow(expect.objectContaining({ code: 'metric.invalid_filter', issues: [expect.objectContaining({ path })] }) as unknown as Error);
  });

  it('takes filters of string lists, and refuses a property no event can be named', () => {
    expect(billableMetric({ code: 'api_calls', aggregation: 'count', filters: { region: ['eu', 'us'], 'plan.tier': ['true'] } }).filters).toEqual({ region: ['eu', 'us'], 'plan.tier': ['true'] });
    expect(() => billableMetric({ code: 'volume', aggregation: 'sum', property: '$bytes' })).toThrow(expect.objectContaining({ code: 'metric.invalid_property' }) as unknown as Error);
    // No event carries `__proto__` (usage-event.ts): a metric of it could measure nothing.
    expect(() => billableMetric({ code: 'volume', aggregation: 'sum', property: '__proto__' })).toThrow(expect.objectContaining({ code: 'metric.invalid_property' }) as unknown as Error);
    expect(() => billableMetric({ code: 'calls', aggregation: 'count', filters: JSON.parse('{"__proto__": ["x"]}') as Record<string, string[]> })).toThrow(expect.objectContaining({ code: 'metric.invalid_filter' }) as unknown as Error);
    expect(billableMetric({ code: 'volume', aggregation: 'sum', property: 'constructor' }).property).toBe('constructor');
  });
});
