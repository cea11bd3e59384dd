import { describe, expect, it } from '@jest/globals';
import { CreatePartnership, UpdatePartner } from '@invoicing/invoice';
import { SCENARIO_BUYER, SCENARIO_TERMS } from '@invoicing/invoice/testing';
import { SetBillingPlan } from '../plans/billing-plan.use-cases';
import { createBillingScenario } from '../testing';
import { MAX_USAGE_BATCH, RecordUsage } from './usage.use-cases';

const VAT = { code: 'S', rate: '20' } as const;

async function scenarioWithPlan() {
  const scenario = await createBillingScenario({ now: '2026-03-10T12:00:00Z' });
  await scenario.use(SetBillingPlan).execute({
    tenantId: scenario.tenantId,
    partnershipId: scenario.partnership.id,
    effectiveFrom: '2026-03-01',
    terms: {
      interval: 'monthly',
      charges: [
        { kind: 'usage', code: 'calls', name: 'API calls', metric: { code: 'api_calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.01' }, vat: VAT },
        { kind: 'usage', code: 'storage', name: 'Storage', metric: { code: 'storage_gb', aggregation: 'max', property: 'gb' }, price: { kind: 'per_unit', unitPrice: '0.2' }, vat: VAT },
        { kind: 'usage', code: 'users', name: 'Active users', metric: { code: 'active_users', aggregation: 'unique_count', property: 'user' }, price: { kind: 'per_unit', unitPrice: '1' }, vat: VAT },
      ],
    },
  });
  const event = (eventId: string, extra: Record<string, unknown> = {}) => ({ eventId, metricCode: 'api_calls', timestamp: '2026-03-10T10:00:00Z', partnershipId: scenario.partnership.id, ...extra });
  return { ...scenario, event };
}

describe('RecordUsage', () => {
  it('checks an event against the plan versions of its day: a property a later version no longer sums is not asked of it', async () => {
    // Review of 6 December 2026: every version ever recorded was checked, so once storage was summed by `tb` from
    // 1 April, April's events still had to carry March's `gb`.
    const scenario = await scenarioWithPlan();
    const storage = (property: string) => ({ kind: 'usage' as const, code: 'storage', name: 'Storage', metric: { code: 'storage_gb', aggregation: 'max' as const, property }, price: { kind: 'per_unit' as const, unitPrice: '0.2' }, vat: VAT });
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, effectiveFrom: '2026-04-01', terms: { interval: 'monthly', charges: [storage('tb')] }, expectedVersion: 1 });
    const at = (eventId: string, timestamp: string, properties: Record<string, string>) => scenario.event(eventId, { metricCode: 'storage_gb', timestamp, properties });
    scenario.clock.set(new Date('2026-04-10T12:00:00Z'));

    const result = await scenario.use(RecordUsage).execute({
      tenantId: scenario.tenantId,
      events: [at('april', '2026-04-10T10:00:00Z', { tb: '2' }), at('march', '2026-03-20T10:00:00Z', { tb: '2' }), at('march-gb', '2026-03-20T10:00:00Z', { gb: '2' })],
    });

    expect(result.results.map((each) => (each.status === 'rejected' ? [each.eventId, each.error.code, each.error.issues[0]?.path] : [each.eventId, each.status]))).toEqual([
      ['april', 'stored'],
      ['march', 'usage.property_missing', 'properties.gb'],
      ['march-gb', 'stored'],
    ]);
  });

  it('refuses a negative figure, or one a bill could not price exactly, when the event comes, not when it is billed', async () => {
    const scenario = await scenarioWithPlan();
    const gb = (eventId: string, value: string) => scenario.event(eventId, { metricCode: 'storage_gb', properties: { gb: value } });

    const result = await scenario.use(RecordUsage).execute({
      tenantId: scenario.tenantId,
      events: [gb('neg', '-5'), gb('huge', '1000000000000000'), gb('fine', '999999999999999.999999999999'), gb('digits', '0.0000000000001'), gb('zero', '0')],
    });

    expect(result.results.map((each) => (each.status === 'rejected' ? [each.eventId, each.error.code, each.error.issues[0]?.path] : [each.eventId, each.status]))).toEqual([
      ['neg', 'usage.negative', 'properties.gb'],
      ['huge', 'usage.value_out_of_range', 'properties.gb'],
      ['fine', 'stored'],
      ['digits', 'usage.value_out_of_range', 'properties.gb'],
      ['zero', 'stored'],
    ]);
  });

  it('stores each event once, tells resends from new events, and refuses one bad event without refusing the batch', async () => {
    const scenario = await scenarioWithPlan();
    const record = (events: object[]) => scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: events as never });

    const first = await record([scenario.event('a'), scenario.event('b'), scenario.event('a'), scenario.event('c', { timestamp: 'yesterday' })]);
    const second = await record([scenario.event('b'), scenario.event('a', { timestamp: '2026-03-09T10:00:00Z' })]);

    expect(first).toMatchObject({ stored: 2, duplicates: 1, rejected: 1 });
    expect(first.results.map((result) => [result.eventId, result.status])).toEqual([
      ['a', 'stored'],
      ['b', 'stored'],
      ['a', 'duplicate'],
      ['c', 'rejected'],
    ]);
    expect(first.results[3]).toMatchObject({ error: { code: 'usage.invalid_timestamp', issues: [expect.objectContaining({ path: 'timestamp', code: 'usage.invalid_timestamp' })] } });
    expect(second.results).toEqual([
      { eventId: 'b', status: 'duplicate' },
      { eventId: 'a', status: 'rejected', error: expect.objectContaining({ code: 'usage.event_id_taken' }) },
    ]);
  });

  it('refuses events the plan cannot bill: another partnership, an unknown metric, a missing or non-decimal property', async () => {
    const scenario = await scenarioWithPlan();

    const result = await scenario.use(RecordUsage).execute({
      tenantId: scenario.tenantId,
      events: [
        scenario.event('1', { partnershipId: 'unknown' }),
        scenario.event('2', { metricCode: 'api_cals' }),
        scenario.event('3', { metricCode: 'storage_gb' }),
        scenario.event('4', { metricCode: 'storage_gb', properties: { gb: true } }),
        scenario.event('5', { metricCode: 'active_users', properties: { user: 'u-1' } }),
        scenario.event('6', { partnershipId: undefined, buyerExternalId: 'cust-9' }),
        scenario.event('7', { metricCode: 'storage_gb', properties: { gb: '12.5' } }),
      ],
    });

    expect(result.results.map((each) => (each.status === 'rejected' ? each.error.code : each.status))).toEqual([
      'usage.no_billing_plan',
      'usage.unknown_metric',
      'usage.property_missing',
      'usage.property_not_decimal',
      'stored',
      'usage.subject_unresolved',
      'stored',
    ]);
    expect(await scenario.billing.usage.lateUsage(scenario.tenantId, scenario.partnership.id, { after: new Date(0), upTo: new Date('2027-01-01') }, new Date('2027-01-01'))).toEqual(
      new Map([
        ['active_users', new Date('2026-03-10T10:00:00Z')],
        ['storage_gb', new Date('2026-03-10T10:00:00Z')],
      ]),
    );
  });

  it("finds the partnership of an event that names its buyer by the buyer's external id", async () => {
    const scenario = await scenarioWithPlan();
    await scenario.use(UpdatePartner).execute({ tenantId: scenario.tenantId, partnerId: scenario.buyer.id, details: { ...SCENARIO_BUYER, externalId: 'CRM-42' } });
    const byBuyer = (eventId: string, buyerExternalId: string) => ({ ...scenario.event(eventId), partnershipId: undefined, buyerExternalId });

    const first = await scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: [byBuyer('b-1', 'CRM-42'), byBuyer('b-2', 'CRM-404')] });
    // A second partnership with a plan, between the same seller and buyer, makes the buyer's id ambiguous.
    const second = await scenario.use(CreatePartnership).execute({ tenantId: scenario.tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS });
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: second.id, effectiveFrom: '2026-03-01', terms: { interval: 'monthly', charges: [] } });
    const then = await scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: [byBuyer('b-3', 'CRM-42')] });

    expect(first.results.map((each) => (each.status === 'rejected' ? each.error.code : each.status))).toEqual(['stored', 'usage.subject_unresolved']);
    expect(await scenario.billing.usage.measure(scenario.tenantId, scenario.partnership.id, { code: 'api_calls', aggregation: 'count' }, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') })).toMatchObject({ events: 1 });
    expect(then.results).toEqual([{ eventId: 'b-3', status: 'rejected', error: expect.objectContaining({ code: 'usage.subject_ambiguous' }) }]);
  });

  it('refuses an empty batch and one above the limit as a whole', async () => {
    const scenario = await scenarioWithPlan();
    const events = Array.from({ length: MAX_USAGE_BATCH + 1 }, (_, index) => scenario.event(`e${index}`));

    await expect(scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: [] })).rejects.toMatchObject({ code: 'usage.batch_empty' });
    await expect(scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events })).rejects.toMatchObject({ code: 'usage.batch_too_large' });
    await expect(scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: events.slice(1) })).resolves.toMatchObject({ stored: MAX_USAGE_BATCH });
  });
});
