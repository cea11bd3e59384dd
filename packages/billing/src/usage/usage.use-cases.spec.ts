import { describe, expect, it } from '@jest/globals';
import { ArchivePartner, CreatePartner, CreatePartnership, UpdatePartner } from '@invoicing/invoice';
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
      // 40 000 000 000 000.999999999999 GB at 0.2 with 20 % VAT: 9 600 000 000 000.24, within the largest amount.
      events: [gb('neg', '-5'), gb('huge', '1000000000000000'), gb('fine', '40000000000000.999999999999'), gb('digits', '0.0000000000001'), gb('zero', '0')],
    });

    expect(result.results.map((each) => (each.status === 'rejected' ? [each.eventId, each.error.code, each.error.issues[0]?.path] : [each.eventId, each.status]))).toEqual([
      ['neg', 'usage.negative', 'properties.gb'],
      ['huge', 'usage.value_out_of_range', 'properties.gb'],
      ['fine', 'stored'],
      ['digits', 'usage.value_out_of_range', 'properties.gb'],
      ['zero', 'stored'],
    ]);
  });

  it('refuses a figure the charges measuring its metric could not price, with its VAT, within the largest amount (audit F2)', async () => {
    // Audit of 7 December 2026: 999 999 999 999 999 GB at 0.01 (9 999 999 999 999.99, beyond it with 20 % VAT) was
    // stored, and no bill of the partnership could be made from then on, its fees included.
    const scenario = await scenarioWithPlan();
    const storage = (unitPrice: string, vat: { code: string; rate: string } = VAT) => ({ kind: 'usage' as const, code: 'storage', name: 'Storage', metric: { code: 'storage_gb', aggregation: 'max' as const, property: 'gb' }, price: { kind: 'per_unit' as const, unitPrice }, vat });
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, effectiveFrom: '2026-03-01', terms: { interval: 'monthly', charges: [storage('0.01')] }, expectedVersion: 1 });
    const gb = (eventId: string, value: string) => scenario.event(eventId, { metricCode: 'storage_gb', properties: { gb: value } });
    const outcome = (result: Awaited<ReturnType<RecordUsage['execute']>>) => result.results.map((each) => (each.status === 'rejected' ? [each.eventId, each.error.code, each.error.issues[0]?.path] : [each.eventId, each.status]));

    const first = await scenario.use(RecordUsage).execute({
      tenantId: scenario.tenantId,
      // 833 333 333 333 332 GB: 8 333 333 333 333.32 + 1 666 666 666 666.66 of VAT fits; one more GB makes 10 000 000 000 000.00.
      events: [gb('poison', '999999999999999'), gb('just-beyond', '833333333333333'), gb('largest', '833333333333332'), gb('legit', '50')],
    });
    // Without VAT the same figure fits: what a bill would make of the event alone is what is checked.
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, effectiveFrom: '2026-03-01', terms: { interval: 'monthly', charges: [storage('0.01', { code: 'Z', rate: '0' })] }, expectedVersion: 2 });
    const exempt = await scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: [gb('poison-0', '999999999999999')] });

    expect(outcome(first)).toEqual([
      ['poison', 'usage.amount_out_of_range', 'properties.gb'],
      ['just-beyond', 'usage.amount_out_of_range', 'properties.gb'],
      ['largest', 'stored'],
      ['legit', 'stored'],
    ]);
    expect(outcome(exempt)).toEqual([['poison-0', 'stored']]);
  });

  it("answers a stored event sent again `duplicate` once its buyer's external id resolves differently (audit F4)", async () => {
    // Audit of 7 December 2026: once the buyer had a second partnership with a plan, the resend was refused
    // (`usage.subject_ambiguous`; naming the partnership, `usage.event_id_taken`), for good.
    const scenario = await scenarioWithPlan();
    await scenario.use(UpdatePartner).execute({ tenantId: scenario.tenantId, partnerId: scenario.buyer.id, details: { ...SCENARIO_BUYER, externalId: 'CRM-42' } });
    const byBuyer = (eventId: string) => ({ ...scenario.event(eventId), partnershipId: undefined, buyerExternalId: 'CRM-42' });
    const record = (events: object[]) => scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: events as never });
    const codes = (result: Awaited<ReturnType<RecordUsage['execute']>>) => result.results.map((each) => [each.eventId, each.status === 'rejected' ? each.error.code : each.status]);
    const first = await record([byBuyer('b-1')]);
    const second = await scenario.use(CreatePartnership).execute({ tenantId: scenario.tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS });
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: second.id, effectiveFrom: '2026-03-01', terms: { interval: 'monthly', charges: [] } });

    const resent = await record([byBuyer('b-1'), scenario.event('b-1'), scenario.event('b-1', { partnershipId: second.id }), byBuyer('b-2')]);

    expect(codes(first)).toEqual([['b-1', 'stored']]);
    expect(codes(resent)).toEqual([
      ['b-1', 'duplicate'],
      // Naming the partnership the event counts for is the same event; naming another is not (its id is taken,
      // whatever else that partnership's plan would refuse).
      ['b-1', 'duplicate'],
      ['b-1', 'usage.event_id_taken'],
      ['b-2', 'usage.subject_ambiguous'],
    ]);
  });

  it("counts an event naming its buyer by an external id an archived partner had for the live partner that took it since (audit lifecycle F5)", async () => {
    // Audit: the archived partner kept the id for ever: the new partner could not take it (`partner.external_id_taken`),
    // and events naming it resolved to the archived partner, which buys under no billed partnership.
    const scenario = await scenarioWithPlan();
    const former = await scenario.use(CreatePartner).execute({ tenantId: scenario.tenantId, legalName: 'Former Buyer GmbH', externalId: 'CRM-42' });
    await scenario.use(ArchivePartner).execute({ tenantId: scenario.tenantId, partnerId: former.id });

    await scenario.use(UpdatePartner).execute({ tenantId: scenario.tenantId, partnerId: scenario.buyer.id, details: { ...SCENARIO_BUYER, externalId: 'CRM-42' } });
    const result = await scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: [{ ...scenario.event('f5-1'), partnershipId: undefined, buyerExternalId: 'CRM-42' }] as never });

    expect(result.results).toEqual([{ eventId: 'f5-1', status: 'stored' }]);
    expect((await scenario.billing.usage.find(scenario.tenantId, ['f5-1'])).get('f5-1')?.partnershipId).toBe(scenario.partnership.id);
  });

  it("resolves a buyer's external id by the plans in force around the event's day: a plan ended from its first day counts for nothing (audit F4)", async () => {
    const scenario = await scenarioWithPlan();
    await scenario.use(UpdatePartner).execute({ tenantId: scenario.tenantId, partnerId: scenario.buyer.id, details: { ...SCENARIO_BUYER, externalId: 'CRM-42' } });
    const byBuyer = (eventId: string, timestamp: string) => ({ ...scenario.event(eventId, { timestamp }), partnershipId: undefined, buyerExternalId: 'CRM-42' });
    const codes = (result: Awaited<ReturnType<RecordUsage['execute']>>) => result.results.map((each) => [each.eventId, each.status === 'rejected' ? each.error.code : each.status]);
    const calls = { kind: 'usage' as const, code: 'calls', name: 'API calls', metric: { code: 'api_calls', aggregation: 'count' as const }, price: { kind: 'per_unit' as const, unitPrice: '0.01' }, vat: VAT };
    // The first partnership's plan ends on 5 March; a second one bills the buyer from then on; a third never had a day.
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, effectiveFrom: '2026-03-05', terms: null, expectedVersion: 1 });
    const [second, never] = [
      await scenario.use(CreatePartnership).execute({ tenantId: scenario.tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS }),
      await scenario.use(CreatePartnership).execute({ tenantId: scenario.tenantId, sellerId: scenario.seller.id, buyerId: scenario.buyer.id, ...SCENARIO_TERMS }),
    ];
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: second.id, effectiveFrom: '2026-03-05', terms: { interval: 'monthly', charges: [calls] } });
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: never.id, effectiveFrom: '2026-03-01', terms: { interval: 'monthly', charges: [calls] } });
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: never.id, effectiveFrom: '2026-03-01', terms: null, expectedVersion: 1 });

    const result = await scenario.use(RecordUsage).execute({
      tenantId: scenario.tenantId,
      // 2 March: the first plan's; 10 March: the second's; 5 March, a day either side of both: not told apart.
      events: [byBuyer('early', '2026-03-02T10:00:00Z'), byBuyer('late', '2026-03-10T10:00:00Z'), byBuyer('edge', '2026-03-05T10:00:00Z')],
    });
    const measured = async (partnershipId: string) =>
      (await scenario.billing.usage.measure(scenario.tenantId, partnershipId as never, { code: 'api_calls', aggregation: 'count' }, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') })).events;

    expect(codes(result)).toEqual([
      ['early', 'stored'],
      ['late', 'stored'],
      ['edge', 'usage.subject_ambiguous'],
    ]);
    expect([await measured(scenario.partnership.id), await measured(second.id), await measured(never.id)]).toEqual([1, 1, 0]);
  });

  it('answers a stored event sent again `duplicate` whatever the plan now asks of it (audit F4)', async () => {
    const scenario = await scenarioWithPlan();
    const gb = (eventId: string) => scenario.event(eventId, { metricCode: 'storage_gb', properties: { gb: '2' } });
    const first = await scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: [gb('s-1')] });
    // Storage is measured by `tb` from the plan's first day: the stored event no longer carries what it sums.
    const byTb = { kind: 'usage' as const, code: 'storage', name: 'Storage', metric: { code: 'storage_gb', aggregation: 'max' as const, property: 'tb' }, price: { kind: 'per_unit' as const, unitPrice: '0.2' }, vat: VAT };
    await scenario.use(SetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, effectiveFrom: '2026-03-01', terms: { interval: 'monthly', charges: [byTb] }, expectedVersion: 1 });

    const resent = await scenario.use(RecordUsage).execute({ tenantId: scenario.tenantId, events: [gb('s-1'), gb('s-2')] });

    expect(first.results).toEqual([{ eventId: 's-1', status: 'stored' }]);
    expect(resent.results.map((each) => [each.eventId, each.status === 'rejected' ? each.error.code : each.status])).toEqual([
      ['s-1', 'duplicate'],
      ['s-2', 'usage.property_missing'],
    ]);
    expect(resent).toMatchObject({ stored: 0, duplicates: 1, rejected: 1 });
  });

  it('takes properties named like members of every JavaScript object, event by event, and measures them; `__proto__` is refused alone (audit F5)', async () => {
    // Audit of 7 December 2026: such a name refused the whole batch over HTTP; a metric of one of them read the
    // built-in member for an event without the property.
    const scenario = await scenarioWithPlan();
    const usage = (code: string, aggregation: 'sum' | 'unique_count', property: string) => ({ kind: 'usage' as const, code, name: code, metric: { code, aggregation, property }, price: { kind: 'per_unit' as const, unitPrice: '1' }, vat: VAT });
    await scenario.use(SetBillingPlan).execute({
      tenantId: scenario.tenantId,
      partnershipId: scenario.partnership.id,
      effectiveFrom: '2026-03-01',
      terms: { interval: 'monthly', charges: [usage('weight', 'sum', 'constructor'), usage('users', 'unique_count', 'toString')] },
      expectedVersion: 1,
    });
    const sent = (eventId: string, metricCode: string, json: string) => scenario.event(eventId, { metricCode, properties: JSON.parse(json) as Record<string, string> });

    const result = await scenario.use(RecordUsage).execute({
      tenantId: scenario.tenantId,
      events: [
        sent('w-1', 'weight', '{"constructor": "2.5", "toString": "x", "hasOwnProperty": "y", "valueOf": "1"}'),
        sent('w-2', 'weight', '{"constructor": "1"}'),
        sent('w-3', 'weight', '{"valueOf": "1"}'),
        sent('u-1', 'users', '{"toString": "ada"}'),
        sent('u-2', 'users', '{"other": "grace"}'),
        sent('p-1', 'weight', '{"constructor": "1", "__proto__": {"polluted": "yes"}}'),
      ],
    });
    const measure = (code: string, aggregation: 'sum' | 'unique_count', property: string) =>
      scenario.billing.usage.measure(scenario.tenantId, scenario.partnership.id, { code, aggregation, property }, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') });

    expect(result.results.map((each) => (each.status === 'rejected' ? [each.eventId, each.error.code, each.error.issues.map((issue) => issue.path)] : [each.eventId, each.status]))).toEqual([
      ['w-1', 'stored'],
      ['w-2', 'stored'],
      ['w-3', 'usage.property_missing', ['properties.constructor']],
      ['u-1', 'stored'],
      ['u-2', 'usage.property_missing', ['properties.toString']],
      ['p-1', 'usage.invalid_property_name', ['properties.__proto__']],
    ]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((await measure('weight', 'sum', 'constructor')).units.toString()).toBe('3.5');
    expect(await measure('users', 'unique_count', 'toString')).toMatchObject({ events: 1 });
    expect((await measure('users', 'unique_count', 'toString')).units.toString()).toBe('1');
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

  it("takes an event of the calendar's first instant, and refuses one before it as usage.invalid_timestamp at timestamp (audit dates F5)", async () => {
    const scenario = await scenarioWithPlan();

    const result = await scenario.use(RecordUsage).execute({
      tenantId: scenario.tenantId,
      events: [scenario.event('first', { timestamp: '0100-01-01T00:00:00Z' }), scenario.event('before', { timestamp: '0100-01-01T00:00:00+14:00' })],
    });

    // Before, both were refused as date.out_of_range, at no field.
    expect(result.results).toEqual([
      { eventId: 'first', status: 'stored' },
      { eventId: 'before', status: 'rejected', error: { code: 'usage.invalid_timestamp', message: expect.any(String), issues: [expect.objectContaining({ path: 'timestamp', code: 'usage.invalid_timestamp' })] } },
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
