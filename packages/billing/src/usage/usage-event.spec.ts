import { ValidationError, tenantId } from '@invoicing/core';
import { MAX_EVENT_PROPERTIES, sameUsage, usageEvent, type UsageEventInput } from './usage-event';

const acme = tenantId('acme');
const now = new Date('2026-03-02T12:00:00Z');
const input: UsageEventInput = { eventId: 'evt-0001', metricCode: 'api_calls', timestamp: '2026-03-02T10:00:00+01:00', partnershipId: 'p-1', properties: { region: 'eu', amount: '12.50', units: 3, test: false } };

function issuesOf(event: UsageEventInput): { path: string; code: string }[] {
  try {
    usageEvent(acme, event, now);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map(({ path, code }) => ({ path, code }));
    throw error;
  }
  throw new Error('accepted');
}

describe('usageEvent', () => {
  it('reads an event: the instant with its zone, whole numbers as decimal strings', () => {
    expect(usageEvent(acme, input, now)).toEqual({
      tenantId: acme,
      eventId: 'evt-0001',
      metricCode: 'api_calls',
      timestamp: new Date('2026-03-02T09:00:00Z'),
      subject: { partnershipId: 'p-1' },
      properties: { region: 'eu', amount: '12.50', units: '3', test: false },
    });
    expect(usageEvent(acme, { ...input, partnershipId: undefined, buyerExternalId: 'CRM-42', properties: undefined }, now)).toMatchObject({ subject: { buyerExternalId: 'CRM-42' }, properties: {} });
  });

  it('names every faulty field at once', () => {
    expect(issuesOf({ eventId: '', metricCode: 'API Calls', timestamp: '2026-03-02 10:00', properties: { amount: 12.5, 'bad name': 'x', note: 'x'.repeat(1001) } })).toEqual([
      { path: 'eventId', code: 'usage.invalid_event_id' },
      { path: 'metricCode', code: 'usage.invalid_metric_code' },
      { path: 'timestamp', code: 'usage.invalid_timestamp' },
      { path: 'partnershipId', code: 'usage.subject_required' },
      { path: 'properties.amount', code: 'usage.property_not_whole_number' },
      { path: 'properties.bad name', code: 'usage.invalid_property_name' },
      { path: 'properties.note', code: 'usage.property_too_long' },
    ]);
  });

  it('refuses a time of day that does not exist, hour 24 included (RFC 3339 has none), and takes the last instant of a day (audit billinghttp F7)', () => {
    // Before, 24:00:00 was stored as the next day's midnight, and deduplicated with it.
    for (const timestamp of ['2026-03-01T24:00:00Z', '2026-03-01T24:00:00.000+01:00', '2026-03-01T25:00:00Z', '2026-03-01T10:60:00Z', '2026-03-01T10:00:61Z', '2026-03-01T10:00:00+01:60']) {
      expect([timestamp, issuesOf({ ...input, timestamp })]).toEqual([timestamp, [{ path: 'timestamp', code: 'usage.invalid_timestamp' }]]);
    }
    expect(usageEvent(acme, { ...input, timestamp: '2026-03-01T23:59:59.999999999+23:59' }, now).timestamp).toEqual(new Date('2026-03-01T00:00:59.999Z'));
    expect(usageEvent(acme, { ...input, timestamp: '2026-03-02T00:00:00-00:00' }, now).timestamp).toEqual(new Date('2026-03-02T00:00:00Z'));
  });

  it("refuses an instant before the calendar's first day, which no day holds, as a malformed timestamp (audit dates F5)", () => {
    // Before, taken here, and then refused as date.out_of_range at no field.
    for (const timestamp of ['0100-01-01T00:00:00+14:00', '0100-01-01T00:00:00.000+00:01', '0099-12-31T23:59:59Z']) {
      expect([timestamp, issuesOf({ ...input, timestamp })]).toEqual([timestamp, [{ path: 'timestamp', code: 'usage.invalid_timestamp' }]]);
    }
    expect(usageEvent(acme, { ...input, timestamp: '0100-01-01T00:00:00Z' }, now).timestamp).toEqual(new Date('0100-01-01T00:00:00Z'));
    expect(usageEvent(acme, { ...input, timestamp: '0100-01-01T00:00:00-12:00' }, now).timestamp).toEqual(new Date('0100-01-01T12:00:00Z'));
  });

  it('refuses an event dated in the future beyond clock drift, an event naming both subjects, and too many properties', () => {
    expect(issuesOf({ ...input, timestamp: '2026-03-02T12:05:01Z' })).toEqual([{ path: 'timestamp', code: 'usage.timestamp_in_future' }]);
    expect(usageEvent(acme, { ...input, timestamp: '2026-03-02T12:05:00Z' }, now).timestamp).toEqual(new Date('2026-03-02T12:05:00Z'));
    expect(issuesOf({ ...input, buyerExternalId: 'CRM-42' })).toEqual([{ path: 'partnershipId', code: 'usage.subject_required' }]);
    expect(issuesOf({ ...input, timestamp: '2026-02-30T10:00:00Z' })).toEqual([{ path: 'timestamp', code: 'usage.invalid_timestamp' }]);
    const many = Object.fromEntries(Array.from({ length: MAX_EVENT_PROPERTIES + 1 }, (_, index) => [`p${index}`, 'x']));
    expect(issuesOf({ ...input, properties: many })).toEqual([{ path: 'properties', code: 'usage.too_many_properties' }]);
  });

  it('refuses a control character in a property, and an id that cannot name a partnership or a buyer', () => {
    expect(issuesOf({ ...input, properties: { note: 'a\u0000b', ok: 'tab\tand\nline', lone: '\uD800' } })).toEqual([
      { path: 'properties.note', code: 'usage.property_invalid_character' },
      { path: 'properties.lone', code: 'usage.property_invalid_character' },
    ]);
    expect(issuesOf({ ...input, partnershipId: '{"$ne":null}' })).toEqual([{ path: 'partnershipId', code: 'id.malformed' }]);
    expect(issuesOf({ ...input, partnershipId: undefined, buyerExternalId: 'CRM 42' })).toEqual([{ path: 'buyerExternalId', code: 'usage.invalid_buyer_external_id' }]);
  });

  it('takes property names like members of every JavaScript object as they are, and refuses `__proto__` without taking it as a prototype (audit F5)', () => {
    const properties = JSON.parse('{"constructor": "1", "toString": "x", "hasOwnProperty": "y", "valueOf": "2"}') as Record<string, string>;
    const read = usageEvent(acme, { ...input, properties }, now).properties;
    expect(Object.entries(read)).toEqual([['constructor', '1'], ['toString', 'x'], ['hasOwnProperty', 'y'], ['valueOf', '2']]);
    expect(issuesOf({ ...input, properties: JSON.parse('{"ok": "1", "__proto__": {"polluted": "yes"}}') as Record<string, string> })).toEqual([{ path: 'properties.__proto__', code: 'usage.invalid_property_name' }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('tells a resend (stored once) from another event under a taken id (refused)', () => {
    const first = usageEvent(acme, input, now);
    const resent = usageEvent(acme, { ...input, timestamp: '2026-03-02T09:00:00Z', properties: { test: false, units: '3', amount: '12.50', region: 'eu' } }, now);
    expect(sameUsage(first, resent)).toBe(true);
    expect(sameUsage(first, usageEvent(acme, { ...input, properties: { ...input.properties, amount: '12.51' } }, now))).toBe(false);
    expect(sameUsage(first, usageEvent(tenantId('globex'), input, now))).toBe(false);
  });

  it('takes an event naming its buyer and one naming the partnership the first counts for as the same usage (audit F4)', () => {
    const counted = { ...usageEvent(acme, { ...input, partnershipId: undefined, buyerExternalId: 'CRM-42' }, now), partnershipId: 'p-1', receivedAt: now };
    expect(sameUsage(counted, { ...usageEvent(acme, input, now), partnershipId: 'p-1', receivedAt: now } as never)).toBe(true);
    expect(sameUsage(counted, usageEvent(acme, { ...input, partnershipId: 'p-1' }, now))).toBe(true);
    expect(sameUsage(counted, usageEvent(acme, { ...input, partnershipId: 'p-2' }, now))).toBe(false);
    // Named as it was, it is the same event wherever its buyer's id leads now.
    expect(sameUsage(counted, { ...usageEvent(acme, { ...input, partnershipId: undefined, buyerExternalId: 'CRM-42' }, now), partnershipId: 'p-2', receivedAt: now } as never)).toBe(true);
  });
});
