import { describe, expect, it } from '@jest/globals';
import { Decimal, tenantId } from '@invoicing/core';
import type { MarketableId, PartnershipId } from '@invoicing/invoice';
import { createBillingScenario } from '../testing';
import { BillingPlan, MAX_PLAN_VERSIONS } from './billing-plan';
import { GetBillingPlan, SetBillingPlan } from './billing-plan.use-cases';
import { MAX_CHARGES, planTerms, type PlanTermsInput } from './plan-terms';

const VAT = { code: 'S', rate: '20' } as const;
const AT = new Date('2026-01-01T00:00:00Z');
const SEATS = { kind: 'recurring', code: 'seats', name: 'Seats', unitPrice: '25', vat: VAT } as const;
const terms = (extra: Partial<PlanTermsInput> = {}): PlanTermsInput => ({ interval: 'monthly', charges: [SEATS], ...extra });
const start = (effectiveFrom: string, input: PlanTermsInput = terms()) =>
  BillingPlan.start({ partnershipId: 'p-1' as PartnershipId, currency: 'EUR', effectiveFrom, terms: input }, { tenantId: tenantId('t'), at: AT });
const codesOf = (action: () => unknown): string[] => {
  try {
    action();
  } catch (error) {
    return ((error as { issues?: { path: string; code: string }[] }).issues ?? []).map((issue) => `${issue.path}: ${issue.code}`);
  }
  throw new Error('no error thrown');
};

describe('planTerms', () => {
  it('fills defaults: calendar periods anchored on the first day, fees in advance, quantity 1, unit C62, drafts', () => {
    const parsed = planTerms(terms(), 'EUR', '2026-03-15' as never);

    expect(parsed.cycle).toEqual({ interval: 'monthly', alignment: 'calendar', anchor: '2026-03-15' });
    expect(parsed.charges[0]).toMatchObject({ kind: 'recurring', timing: 'advance', unitCode: 'C62', vat: { code: 'S' } });
    expect(parsed.charges[0]?.kind === 'recurring' && parsed.charges[0].quantity.toString()).toBe('1');
    expect(parsed.invoiceMode).toBe('draft');
    expect(parsed.discounts).toEqual([]);
  });

  it('names every faulty field at once', () => {
    const input = {
      interval: 'weekly',
      alignment: 'lunar',
      invoiceMode: 'email',
      charges: [
        { ...SEATS, code: 'Seats', unitPrice: '-1', quantity: '0.1234567', timing: 'later' },
        { kind: 'usage', code: 'calls', name: '', vat: VAT, metric: { code: 'calls', aggregation: 'sum' }, price: { kind: 'per_unit', unitPrice: '1' } },
        { kind: 'gift', code: 'x' },
        { ...SEATS, unitCode: 'piece' },
        SEATS,
      ],
      minimum: { amount: '-5', vat: VAT },
      discounts: [
        { code: 'a', kind: 'percentage', percent: '120' },
        { code: 'b', kind: 'fixed', amount: '0', periods: 0 },
        { code: 'a', kind: 'fixed', amount: '5' },
      ],
    } as unknown as PlanTermsInput;

    expect(codesOf(() => planTerms(input, 'EUR', '2026-03-01' as never))).toEqual(
      expect.arrayContaining([
        'interval: plan.unknown_interval',
        'alignment: plan.unknown_alignment',
        'invoiceMode: plan.unknown_invoice_mode',
        'charges.0.code: plan.invalid_charge_code',
        'charges.0.unitPrice: plan.out_of_range',
        'charges.0.quantity: plan.out_of_range',
        'charges.0.timing: plan.unknown_timing',
        'charges.1.name: plan.invalid_text',
        'charges.1.metric.property: metric.property_required',
        'charges.2.kind: plan.unknown_charge_kind',
        'charges.3.unitCode: unit_code.malformed',
        'minimum.amount: plan.negative_amount',
        'discounts.0.percent: plan.invalid_discount_percent',
        'discounts.1.amount: plan.invalid_discount_amount',
        'discounts.1.periods: plan.invalid_discount_periods',
      ]),
    );
  });

  it('refuses two charges or two discounts with one code, and more charges than a plan holds', () => {
    expect(codesOf(() => planTerms(terms({ charges: [SEATS, SEATS] }), 'EUR', '2026-03-01' as never))).toEqual(['charges.1.code: plan.duplicate_charge_code']);
    // A charge coded as the minimum's true-up would share its bills (review of 6 December 2026: they credited each other).
    expect(codesOf(() => planTerms(terms({ charges: [{ ...SEATS, code: 'minimum' }] }), 'EUR', '2026-03-01' as never))).toEqual(['charges.0.code: plan.reserved_charge_code']);
    const twice = [{ code: 'a', kind: 'fixed', amount: '5' } as const, { code: 'a', kind: 'percentage', percent: '5' } as const];
    expect(codesOf(() => planTerms(terms({ discounts: twice }), 'EUR', '2026-03-01' as never))).toEqual(['discounts.1.code: plan.duplicate_discount_code']);
    const many = Array.from({ length: MAX_CHARGES + 1 }, (_, index) => ({ ...SEATS, code: `c${index}` }));
    expect(codesOf(() => planTerms(terms({ charges: many }), 'EUR', '2026-03-01' as never))).toEqual(['charges: plan.too_many_charges']);
  });

  it('reads a minimum and a fixed discount in the currency, refusing more decimals than it has', () => {
    expect(codesOf(() => planTerms(terms({ minimum: { amount: '10.5', vat: VAT }, discounts: [{ code: 'd', kind: 'fixed', amount: '1.5' }] }), 'JPY', '2026-03-01' as never))).toEqual([
      'minimum.amount: money.precision_exceeded',
      'discounts.0.amount: money.precision_exceeded',
    ]);
  });

  it('refuses a fee whose quantity and unit price fit a line each but whose product is beyond the largest amount', () => {
    const fee = (quantity: string, unitPrice: string) => terms({ charges: [{ ...SEATS, quantity, unitPrice }] });
    // 10^9 × 10^12: each at its largest. Before, set; then every bill of the plan failed with money.out_of_range.
    expect(codesOf(() => planTerms(fee('1000000000', '1000000000000'), 'EUR', '2026-03-01' as never))).toEqual(['charges.0: plan.out_of_range']);
    expect(codesOf(() => planTerms(fee('10', '1000000000000'), 'EUR', '2026-03-01' as never))).toEqual(['charges.0: plan.out_of_range']);
    // 9 × 10^12 fits the currency, not with its 20 % VAT. Before, set; then its bill stayed pending for good.
    expect(codesOf(() => planTerms(fee('9', '1000000000000'), 'EUR', '2026-03-01' as never))).toEqual(['charges.0: plan.out_of_range']);
    expect(planTerms(fee('8', '1000000000000'), 'EUR', '2026-03-01' as never).charges).toHaveLength(1);
  });

  it('refuses a percentage price with a fee or limits per event on a metric that is not a sum: it has no amount per event', () => {
    const percentageOn = (aggregation: 'count' | 'max' | 'unique_count' | 'latest' | 'sum', price: Record<string, string>) =>
      terms({
        charges: [
          SEATS,
          {
            kind: 'usage',
            code: 'payments',
            name: 'Payments',
            metric: { code: 'payments', aggregation, ...(aggregation === 'count' ? {} : { property: 'amount' }) },
            price: { kind: 'percentage', rate: '2.9', ...price },
            vat: VAT,
          },
        ],
      });
    // Before, set; then every period's bill failed with usage.events_required, even without events.
    for (const aggregation of ['count', 'max', 'unique_count', 'latest'] as const) {
      for (const perEvent of [{ fixedFeePerEvent: '0.30' }, { minPerEvent: '1' }, { maxPerEvent: '50' }] as Record<string, string>[]) {
        expect(codesOf(() => planTerms(percentageOn(aggregation, perEvent), 'EUR', '2026-03-01' as never))).toEqual(['charges.1.price: price_model.per_event_needs_sum']);
      }
      // A rate alone prices the figure, whatever it aggregates; a fee of 0 charges nothing per event.
      expect(planTerms(percentageOn(aggregation, { fixedFeePerEvent: '0' }), 'EUR', '2026-03-01' as never).charges).toHaveLength(2);
    }
    expect(planTerms(percentageOn('sum', { fixedFeePerEvent: '0.30', minPerEvent: '1', maxPerEvent: '50' }), 'EUR', '2026-03-01' as never).charges).toHaveLength(2);
  });

  it('refuses a minimum no invoice line could carry as its true-up (above the largest unit price), which would stop every bill short of it', () => {
    expect(codesOf(() => planTerms(terms({ minimum: { amount: '1000000000000.01', vat: VAT } }), 'EUR', '2026-03-01' as never))).toEqual(['minimum.amount: plan.out_of_range']);
    expect(planTerms(terms({ minimum: { amount: '1000000000000.00', vat: VAT } }), 'EUR', '2026-03-01' as never).minimum?.amount.toString()).toBe('1000000000000.00');
  });

  it('refuses an exemption code outside the VATEX list on any charge and on the minimum, as drafting their invoice would (review of 7 December 2026)', () => {
    // Taken, every bill of the plan was refused as an invoice (vat.unknown_exemption_code) and none was recorded.
    const fake = { code: 'E', exemptionReason: 'Exempt', exemptionReasonCode: 'VATEX-FAKE' } as const;
    const calls = { kind: 'usage', code: 'calls', name: 'Calls', metric: { code: 'calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.01' }, vat: fake } as const;
    const input = terms({ charges: [{ ...SEATS, vat: fake }, calls], minimum: { amount: '10', vat: fake } });

    expect(codesOf(() => planTerms(input, 'EUR', '2026-03-01' as never))).toEqual([
      'charges.0.vat.exemptionReasonCode: vat.unknown_exemption_code',
      'charges.1.vat.exemptionReasonCode: vat.unknown_exemption_code',
      'minimum.vat.exemptionReasonCode: vat.unknown_exemption_code',
    ]);
    const listed = { code: 'E', exemptionReasonCode: 'vatex-eu-132-1i' } as const;
    expect(planTerms(terms({ charges: [{ ...SEATS, vat: listed }, { ...calls, vat: listed }], minimum: { amount: '10', vat: listed } }), 'EUR', '2026-03-01' as never).charges).toHaveLength(2);
  });
});

describe('BillingPlan', () => {
  it('cannot be changed through what it hands out (state, history and their Dates)', () => {
    const plan = start('2026-01-01');
    const before = JSON.stringify(plan.toState());
    const attempt = (change: () => unknown) => {
      try {
        change();
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
      }
    };
    const state = plan.toState();
    attempt(() => (state.versions as unknown[]).push({}));
    attempt(() => ((state.versions[0] as { effectiveFrom: string }).effectiveFrom = '1999-01-01'));
    state.versions[0]?.recordedAt.setTime(0);
    state.createdAt.setTime(0);
    plan.history[0]?.recordedAt.setTime(0);
    attempt(() => ((plan.history as unknown[]).length = 0));

    expect(JSON.stringify(plan.toState())).toBe(before);
    expect(plan.history).toHaveLength(1);
  });

  it('keeps every version, and the segments in effect day by day', () => {
    const plan = start('2026-01-01');
    plan.replaceFrom('2026-03-10', terms({ charges: [{ ...SEATS, quantity: '2' }] }), AT);
    plan.replaceFrom('2026-06-01', null, AT);
    plan.replaceFrom('2026-09-01', terms(), AT);

    expect(plan.history.map((version) => [version.version, version.effectiveFrom, version.terms === null, version.replacedBy])).toEqual([
      [1, '2026-01-01', false, undefined],
      [2, '2026-03-10', false, undefined],
      [3, '2026-06-01', true, undefined],
      [4, '2026-09-01', false, undefined],
    ]);
    expect(plan.segments().map((segment) => [segment.version, segment.start, segment.end])).toEqual([
      [1, '2026-01-01', '2026-03-10'],
      [2, '2026-03-10', '2026-06-01'],
      [4, '2026-09-01', undefined],
    ]);
    expect(plan.segmentOn('2026-07-01' as never)).toBeUndefined();
    expect(plan.segmentOn('2026-03-09' as never)?.version).toBe(1);
    expect(plan.pendingEvents.map((event) => event.type)).toEqual(['billing_plan.changed', 'billing_plan.changed', 'billing_plan.changed', 'billing_plan.changed']);
  });

  it('replaces the versions that start on or after a change’s first day, keeping them in the history', () => {
    const plan = start('2026-01-01');
    plan.replaceFrom('2026-05-01', terms(), AT);
    plan.replaceFrom('2026-04-01', terms({ interval: 'quarterly' }), AT);

    expect(plan.history.map((version) => [version.version, version.replacedBy])).toEqual([
      [1, undefined],
      [2, 3],
      [3, undefined],
    ]);
    expect(plan.segments().map((segment) => [segment.version, segment.start, segment.end])).toEqual([
      [1, '2026-01-01', '2026-04-01'],
      [3, '2026-04-01', undefined],
    ]);
  });

  it('keeps the anchor of anniversary periods across a change of the same interval, unless the change gives one', () => {
    const plan = start('2026-01-15', terms({ alignment: 'anniversary' }));
    plan.replaceFrom('2026-03-02', terms({ alignment: 'anniversary' }), AT);
    plan.replaceFrom('2026-05-02', terms({ alignment: 'anniversary', interval: 'yearly' }), AT);

    expect(plan.segments().map((segment) => segment.terms.cycle.anchor)).toEqual(['2026-01-15', '2026-01-15', '2026-05-02']);
  });

  it('keeps reading a version stored with an exemption code outside the VATEX list, and takes new terms after it', () => {
    const stored = start('2026-01-01').toState();
    const [first] = stored.versions;
    const charge = first?.terms?.charges[0];
    if (!first?.terms || !charge) throw new Error('no charge');
    const old = { ...first, terms: { ...first.terms, charges: [{ ...charge, vat: { code: 'E', rate: new Decimal(0), exemptionReasonCode: 'VATEX-FAKE' } }] } } as typeof first;
    const plan = BillingPlan.restore({ ...stored, versions: [old] });

    expect(plan.segmentOn('2026-01-15' as never)?.terms.charges[0]?.vat.exemptionReasonCode).toBe('VATEX-FAKE');
    plan.replaceFrom('2026-02-01', terms(), AT);
    expect(plan.segments().map((segment) => segment.terms.charges[0]?.vat.code)).toEqual(['E', 'S']);
  });

  it('refuses a malformed first day and more versions than a plan keeps', () => {
    expect(codesOf(() => start('2026-02-30'))).toEqual(['effectiveFrom: date.malformed']);
    const plan = start('2026-01-01');
    for (let index = 1; index < MAX_PLAN_VERSIONS; index += 1) plan.replaceFrom('2026-02-01', terms(), AT);
    expect(codesOf(() => plan.replaceFrom('2026-02-01', terms(), AT))).toEqual(['effectiveFrom: plan.too_many_versions']);
  });
});

describe('SetBillingPlan and GetBillingPlan', () => {
  it('starts a plan in the partnership’s currency, then changes it from a day', async () => {
    const scenario = await createBillingScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id };

    const started = await scenario.use(SetBillingPlan).execute({ ...command, effectiveFrom: '2026-03-01', terms: terms({ charges: [{ ...SEATS, marketableId: scenario.marketable.id }] }) });
    const changed = await scenario.use(SetBillingPlan).execute({ ...command, effectiveFrom: '2026-04-01', terms: null, expectedVersion: 1 });

    expect(started).toMatchObject({ id: scenario.partnership.id, currency: 'EUR', version: 1 });
    expect(changed.versions.map((version) => version.terms === null)).toEqual([false, true]);
    expect(await scenario.use(GetBillingPlan).execute(command)).toEqual(changed);
  });

  it('refuses an unknown partnership, an unknown or inactive marketable, a stale version, and ending a plan that does not exist', async () => {
    const scenario = await createBillingScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, effectiveFrom: '2026-03-01' };

    await expect(scenario.use(SetBillingPlan).execute({ ...command, partnershipId: 'nope' as PartnershipId, terms: terms() })).rejects.toMatchObject({ code: 'partnership.not_found' });
    await expect(scenario.use(SetBillingPlan).execute({ ...command, terms: terms({ charges: [{ ...SEATS, marketableId: 'nope' as MarketableId }] }) })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'terms.charges.0.marketableId', code: 'line.marketable_not_found' })],
    });
    await expect(scenario.use(SetBillingPlan).execute({ ...command, terms: null })).rejects.toMatchObject({ code: 'plan.nothing_to_end' });
    // A version named for a plan that does not exist yet cannot match (HTTP: If-Match on a missing resource is 412).
    await expect(scenario.use(SetBillingPlan).execute({ ...command, terms: terms(), expectedVersion: 1 })).rejects.toMatchObject({ code: 'concurrency.stale_version' });
    await expect(scenario.use(GetBillingPlan).execute(command)).rejects.toMatchObject({ code: 'billing_plan.not_found' });
    await scenario.use(SetBillingPlan).execute({ ...command, terms: terms() });
    await expect(scenario.use(SetBillingPlan).execute({ ...command, terms: terms(), expectedVersion: 7 })).rejects.toMatchObject({ code: 'concurrency.stale_version' });
    await expect(scenario.use(GetBillingPlan).execute({ tenantId: scenario.tenantId, partnershipId: 'nope' as PartnershipId })).rejects.toMatchObject({ code: 'billing_plan.not_found' });
  });

  it('takes expectedVersion "*" as "a plan exists": refused without one (writing nothing), any version with one', async () => {
    const scenario = await createBillingScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id, effectiveFrom: '2026-03-01', expectedVersion: '*' } as const;

    await expect(scenario.use(SetBillingPlan).execute({ ...command, terms: terms() })).rejects.toMatchObject({ code: 'concurrency.stale_version', details: { resource: 'billing_plan' } });
    await expect(scenario.use(SetBillingPlan).execute({ ...command, terms: null })).rejects.toMatchObject({ code: 'concurrency.stale_version' });
    await expect(scenario.use(GetBillingPlan).execute(command)).rejects.toMatchObject({ code: 'billing_plan.not_found' });
    await expect(scenario.use(SetBillingPlan).execute({ ...command, partnershipId: 'nope' as PartnershipId, terms: terms() })).rejects.toMatchObject({ code: 'partnership.not_found' });

    await scenario.use(SetBillingPlan).execute({ ...command, expectedVersion: undefined, terms: terms() });
    expect((await scenario.use(SetBillingPlan).execute({ ...command, terms: terms() })).version).toBe(2);
    expect((await scenario.use(SetBillingPlan).execute({ ...command, terms: null })).version).toBe(3);
  });

  it('refuses a charge with an exemption code outside the VATEX list, at its VAT, and sets no plan', async () => {
    const scenario = await createBillingScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id };
    const fake = { code: 'AE', exemptionReasonCode: 'VATEX-FAKE' } as const;

    await expect(scenario.use(SetBillingPlan).execute({ ...command, effectiveFrom: '2026-03-01', terms: terms({ charges: [{ ...SEATS, vat: fake }] }) })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'terms.charges.0.vat.exemptionReasonCode', code: 'vat.unknown_exemption_code' })],
    });
    await expect(scenario.use(GetBillingPlan).execute(command)).rejects.toMatchObject({ code: 'billing_plan.not_found' });
  });

  it('refuses a percentage price with a fee per event on a count, at the price, and sets no plan', async () => {
    const scenario = await createBillingScenario();
    const command = { tenantId: scenario.tenantId, partnershipId: scenario.partnership.id };
    const payments = { kind: 'usage', code: 'payments', name: 'Payments', metric: { code: 'payments', aggregation: 'count' }, price: { kind: 'percentage', rate: '1', fixedFeePerEvent: '0.30' }, vat: VAT } as const;

    await expect(scenario.use(SetBillingPlan).execute({ ...command, effectiveFrom: '2026-03-01', terms: terms({ charges: [payments] }) })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'terms.charges.0.price', code: 'price_model.per_event_needs_sum' })],
    });
    await expect(scenario.use(GetBillingPlan).execute(command)).rejects.toMatchObject({ code: 'billing_plan.not_found' });
  });
});
