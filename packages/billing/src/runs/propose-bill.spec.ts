import { describe, expect, it } from '@jest/globals';
import { Decimal, Money, addDays, daysBetween, startOfDay, tenantId, type CalendarDate } from '@invoicing/core';
import type { InvoiceId, PartnershipId } from '@invoicing/invoice';
import fc from 'fast-check';
import type { OneOffCharge } from '../one-off/one-off-charge';
import { oneOffCharge } from '../one-off/one-off-charge';
import { BillingPlan } from '../plans/billing-plan';
import type { PlanTermsInput } from '../plans/plan-terms';
import type { PriceModelInput } from '../pricing/price-model';
import { aggregate, type Aggregation } from '../usage/billable-metric';
import type { UsageEvent } from '../usage/usage-event';
import { billKey, type BillAllowance, type BillState } from './bill';
import { billNetTotal } from './bill-partnership';
import { BillLedger, dueBillingDates, nextBillingDate, proposeBill } from './propose-bill';

const TENANT = tenantId('tenant-a');
const PARTNERSHIP = 'partnership-1' as PartnershipId;
const ZONE = 'Europe/Paris';
const VAT = { code: 'S', rate: '20' } as const;
const AT = new Date('2026-01-01T00:00:00Z');

const seats = (quantity: string, unitPrice: string, timing: 'advance' | 'arrears' = 'advance') => ({ kind: 'recurring' as const, code: 'seats', name: 'Seats', quantity, unitPrice, timing, vat: VAT });
const calls = (price: PriceModelInput) => ({
  kind: 'usage' as const,
  code: 'api_calls',
  name: 'API calls',
  metric: { code: 'api_calls', aggregation: 'count' as const },
  price,
  vat: VAT,
});
const monthly = (charges: PlanTermsInput['charges'], extra: Partial<PlanTermsInput> = {}): PlanTermsInput => ({ interval: 'monthly', charges, ...extra });

/** Bills a plan date by date up to `asOf`, as a run does, keeping every bill; usage as received by then. */
class Ledger {
  bills: BillState[] = [];
  events: (UsageEvent & { receivedAt: Date })[] = [];
  /** How many times a metric was measured. */
  measured = 0;
  oneOffs: OneOffCharge[] = [];
  constructor(readonly plan: BillingPlan) {}

  use(count: number, at: string, receivedAt = new Date(at)): void {
    const start = this.events.length;
    for (let index = 0; index < count; index += 1) {
      this.events.push({ tenantId: TENANT, eventId: `e${start + index}`, metricCode: 'api_calls', timestamp: new Date(at), subject: { partnershipId: PARTNERSHIP }, properties: {}, receivedAt });
    }
  }

  /** One event of any metric, with its properties. */
  record(metricCode: string, at: string, properties: UsageEvent['properties'] = {}): void {
    this.events.push({ tenantId: TENANT, eventId: `e${this.events.length}`, metricCode, timestamp: new Date(at), subject: { partnershipId: PARTNERSHIP }, properties, receivedAt: new Date(at) });
  }

  /**
   * `windowed`: as a run does (BillPartnership), each date after the first worked out from what the bills before it
   * settled, with what they charged kept as they are made, and late usage looked for by the first date only.
   */
  async run(asOf: CalendarDate, now = new Date(`${asOf}T12:00:00Z`), options: { readonly windowed?: boolean } = {}): Promise<BillState[]> {
    const made: BillState[] = [];
    const kept = options.windowed ? new BillLedger(this.plan, this.bills) : undefined;
    let settledThrough: CalendarDate | undefined;
    for (const date of dueBillingDates(this.plan, this.oneOffs, this.bills, asOf)) {
      const lastCutoff = this.bills.reduce((latest, bill) => Math.max(latest, bill.usageCutoff.getTime()), -Infinity);
      const late = new Map<string, Date>();
      for (const event of this.events) {
        if (event.receivedAt.getTime() > lastCutoff - 300_000 && event.receivedAt <= now) {
          const known = late.get(event.metricCode);
          if (!known || event.timestamp < known) late.set(event.metricCode, event.timestamp);
        }
      }
      const proposed = await proposeBill(
        {
          plan: this.plan,
          bills: this.bills,
          oneOffs: this.oneOffs,
          timeZone: ZONE,
          lateUsage: Number.isFinite(lastCutoff) && settledThrough === undefined ? late : new Map(),
          ...(kept === undefined ? {} : { ledger: kept }),
          ...(settledThrough === undefined ? {} : { settledThrough }),
          measure: async (charge, range) => {
            this.measured += 1;
            const [from, to] = [startOfDay(range.start, ZONE), startOfDay(range.end, ZONE)];
            return aggregate(charge.metric, this.events.filter((event) => event.metricCode === charge.metric.code && event.receivedAt <= now && event.timestamp >= from && event.timestamp < to));
          },
        },
        date,
      );
      const bill: BillState = {
        tenantId: TENANT,
        key: billKey(PARTNERSHIP, date),
        partnershipId: PARTNERSHIP,
        billingDate: date,
        planVersion: proposed.planVersion,
        invoiceMode: 'draft',
        currency: 'EUR',
        lines: proposed.lines,
        allowances: proposed.allowances,
        usageCutoff: now,
        invoiceId: `invoice-${date}` as InvoiceId,
        settled: proposed.settled,
        status: proposed.lines.length === 0 ? 'empty' : 'invoiced',
        createdAt: now,
      };
      if (kept !== undefined) {
        const last = kept.lastBillingDate;
        settledThrough = last !== undefined && last > date ? last : date;
        kept.add(bill);
      }
      this.bills.push(bill);
      made.push(bill);
    }
    return made;
  }

  total(): Money {
    return Money.sum('EUR', this.bills.map((bill) => billNetTotal(bill)));
  }
}

const planFrom = (effectiveFrom: string, terms: PlanTermsInput): BillingPlan =>
  BillingPlan.start({ partnershipId: PARTNERSHIP, currency: 'EUR', effectiveFrom, terms }, { tenantId: TENANT, at: AT });

describe('dueBillingDates', () => {
  it('bills on the first day of the plan, of each period, and on the day it ends', () => {
    const plan = planFrom('2026-01-15', monthly([seats('1', '10')]));
    plan.replaceFrom('2026-04-10', null, AT);

    expect(dueBillingDates(plan, [], [], '2026-12-31' as CalendarDate)).toEqual(['2026-01-15', '2026-02-01', '2026-03-01', '2026-04-01', '2026-04-10']);
  });

  it('bills on the run\'s date a change of terms recorded after the last bill and taking effect on a day billed (review of 6 December 2026)', async () => {
    // A yearly plan billed on 1 January, replaced on 5 January from 1 January with twice the seats: the difference
    // waited for the next year's bill.
    const plan = planFrom('2026-01-01', { interval: 'yearly', charges: [seats('10', '1200')] });
    const ledger = new Ledger(plan);
    await ledger.run('2026-01-01' as CalendarDate, new Date('2026-01-01T09:00:00Z'));
    expect(ledger.total().toString()).toBe('12000.00');
    plan.replaceFrom('2026-01-01', { interval: 'yearly', charges: [seats('20', '1200')] }, new Date('2026-01-05T08:00:00Z'));

    expect(dueBillingDates(plan, [], ledger.bills, '2026-01-05' as CalendarDate)).toEqual(['2026-01-05']);
    await ledger.run('2026-01-05' as CalendarDate, new Date('2026-01-05T09:00:00Z'));
    expect(ledger.total().toString()).toBe('24000.00');
    // Once billed, nothing more until the next year.
    expect(dueBillingDates(plan, [], ledger.bills, '2026-12-31' as CalendarDate)).toEqual([]);
  });

  it('bills on the run\'s date a change its last bill did not see, by version number, whatever the clocks say (review of 7 December 2026)', () => {
    const plan = planFrom('2026-01-01', { interval: 'yearly', charges: [seats('10', '1200')] });
    // Saved at 09:00:01, while a run that had read version 1 billed 1 January; its bill was recorded at 09:00:02.
    plan.replaceFrom('2026-01-01', null, new Date('2026-01-01T09:00:01Z'));
    const bill = (fields: Partial<BillState>) => ({ billingDate: '2026-01-01', lines: [], createdAt: new Date('2026-01-01T09:00:02Z'), ...fields }) as unknown as BillState;
    const asOf = '2026-01-05' as CalendarDate;

    expect(dueBillingDates(plan, [], [bill({ position: 1, planVersionsSeen: 1 })], asOf)).toEqual([asOf]);
    expect(dueBillingDates(plan, [], [bill({ position: 1, planVersionsSeen: 2 })], asOf)).toEqual([]);
    // The last bill recorded is what counts: one that read an older plan after one that read the change undid it.
    expect(dueBillingDates(plan, [], [bill({ position: 1, planVersionsSeen: 2 }), bill({ billingDate: '2026-01-03' as CalendarDate, position: 2, planVersionsSeen: 1 })], asOf)).toEqual([asOf]);
    // A bill recorded before bills said which versions they saw: the change counts when recorded after the bill.
    expect(dueBillingDates(plan, [], [bill({})], asOf)).toEqual([]);
    expect(dueBillingDates(plan, [], [bill({ createdAt: new Date('2026-01-01T09:00:00Z') })], asOf)).toEqual([asOf]);
  });

  it('leaves out dates already billed and dates after asOf, and adds one-off charges’ dates', () => {
    const plan = planFrom('2026-01-01', monthly([seats('1', '10')]));
    const oneOff = oneOffCharge({ date: '2026-02-20', name: 'Setup', unitPrice: '100', vat: VAT }, { tenantId: TENANT, id: 'setup', partnershipId: PARTNERSHIP, currency: 'EUR', at: AT });
    const billed = [{ billingDate: '2026-01-01' } as BillState];

    expect(dueBillingDates(plan, [oneOff], billed, '2026-03-01' as CalendarDate)).toEqual(['2026-02-01', '2026-02-20', '2026-03-01']);
  });

  it('bills up to the last period that ends by 9999-12-31, its arrears on that period’s end, instead of failing at the calendar’s end (audit dates F2, F3)', () => {
    const plan = planFrom('9999-10-01', monthly([seats('1', '10', 'arrears')]));
    const yearly = planFrom('9997-06-15', { interval: 'yearly', alignment: 'anniversary', charges: [seats('1', '10', 'arrears')] });

    // Before: date.out_of_range, the period after 9999-12 (or 9999-06-15) having no end.
    expect(dueBillingDates(plan, [], [], '9999-12-31' as CalendarDate)).toEqual(['9999-10-01', '9999-11-01', '9999-12-01']);
    expect(dueBillingDates(yearly, [], [], '9999-12-31' as CalendarDate)).toEqual(['9997-06-15', '9998-06-15', '9999-06-15']);
  });

  it('finds the first date due after a day, however far `through` is, as the first of the dates due by it', () => {
    const plan = planFrom('2027-01-01', monthly([seats('1', '10')]));
    const oneOff = oneOffCharge({ date: '2026-12-20', name: 'Setup', unitPrice: '100', vat: VAT }, { tenantId: TENANT, id: 'setup', partnershipId: PARTNERSHIP, currency: 'EUR', at: AT });
    const [after, through] = ['2026-12-07', '2027-06-30'] as CalendarDate[];

    expect(nextBillingDate(plan, [], [], after as CalendarDate, through as CalendarDate)).toBe(dueBillingDates(plan, [], [], through as CalendarDate)[0]);
    expect(nextBillingDate(plan, [oneOff], [], after as CalendarDate, through as CalendarDate)).toBe('2026-12-20');
    expect(nextBillingDate(plan, [], [{ billingDate: '2027-01-01', lines: [] } as unknown as BillState], after as CalendarDate, '9999-12-31' as CalendarDate)).toBe('2027-02-01');
    expect(nextBillingDate(plan, [], [], after as CalendarDate, '2026-12-31' as CalendarDate)).toBeUndefined();
  });

  it('adds asOf for a one-off charge dated on a day billed without it, unless a later date is due or a bill charged it', () => {
    const plan = planFrom('2026-01-01', monthly([seats('1', '10')]));
    const charge = (date: string) => oneOffCharge({ date, name: 'Service', unitPrice: '100', vat: VAT }, { tenantId: TENANT, id: `s-${date}`, partnershipId: PARTNERSHIP, currency: 'EUR', at: AT });
    const bill = (billingDate: string, items: string[] = []) => ({ billingDate, lines: [], settled: items.map((item) => ({ item })), createdAt: new Date(`${billingDate}T09:00:00Z`) }) as unknown as BillState;
    const asOf = (date: string) => date as CalendarDate;
    const billed = [bill('2026-01-01'), bill('2026-02-01')];

    expect(dueBillingDates(plan, [charge('2026-02-01')], billed, asOf('2026-02-10'))).toEqual(['2026-02-10']);
    expect(dueBillingDates(plan, [charge('2026-01-01')], billed, asOf('2026-02-10'))).toEqual(['2026-02-10']);
    // A later date due bills it; a bill that settled it, or a bill on asOf itself, leaves nothing to add.
    expect(dueBillingDates(plan, [charge('2026-02-01')], billed, asOf('2026-03-05'))).toEqual(['2026-03-01']);
    expect(dueBillingDates(plan, [charge('2026-01-01')], [bill('2026-01-01'), bill('2026-02-01', ['one_off:s-2026-01-01'])], asOf('2026-02-10'))).toEqual([]);
    expect(dueBillingDates(plan, [charge('2026-02-01')], billed, asOf('2026-02-01'))).toEqual([]);
  });
});

describe('proposeBill', () => {
  it('charges a fee in advance on the first day of its period, and one in arrears once the period is over', async () => {
    const ledger = new Ledger(planFrom('2026-03-01', monthly([seats('10', '25'), { ...seats('1', '5', 'arrears'), code: 'support', name: 'Support' }])));

    const [march] = await ledger.run('2026-03-01' as CalendarDate);
    const [april] = await ledger.run('2026-04-01' as CalendarDate);

    expect(march?.lines.map((line) => [line.line.name, line.line.quantity, line.line.netPrice, line.amount.toString()])).toEqual([['Seats', '10', '25', '250.00']]);
    expect(april?.lines.map((line) => [line.computation.item, line.amount.toString()])).toEqual([
      ['support@v1:2026-03-01', '5.00'],
      ['seats@v1:2026-04-01', '250.00'],
    ]);
    expect(april?.lines[0]?.computation).toMatchObject({ kind: 'recurring', purpose: 'charge', chargeCode: 'support', planVersion: 1, period: { start: '2026-03-01', end: '2026-04-01' }, fee: { quantity: '1', unitPrice: '5', amount: '5.00' } });
  });

  it('prorates the first period of a plan that starts mid-period and explains the days', async () => {
    const ledger = new Ledger(planFrom('2026-03-11', monthly([seats('1', '100')])));

    const [first] = await ledger.run('2026-03-11' as CalendarDate);

    expect(first?.lines[0]).toMatchObject({
      line: { quantity: '1', netPrice: '67.74', unitCode: 'C62', description: '2026-03-11 – 2026-03-31 (21/31 days)' },
      computation: { proration: { days: 21, periodDays: 31, factor: '0.6774193548' }, formula: '1 × 100 × 21/31 days', range: { start: '2026-03-11', end: '2026-04-01' } },
    });
    expect(first?.lines[0]?.amount.toString()).toBe('67.74');
  });

  it('prices usage in arrears, one line per tier, with the measured units in the explanation', async () => {
    const ledger = new Ledger(planFrom('2026-03-01', monthly([calls({ kind: 'graduated', tiers: [{ upTo: '100', unitPrice: '0.10' }, { unitPrice: '0.05', flatFee: '2' }] })])));
    ledger.use(150, '2026-03-31T21:30:00Z'); // 23:30 in Paris: still March
    ledger.use(7, '2026-03-31T22:30:00Z'); // 00:30 on 1 April in Paris

    await ledger.run('2026-04-01' as CalendarDate);
    const march = ledger.bills.find((bill) => bill.billingDate === '2026-04-01');

    expect(march?.lines.map((line) => [line.line.name, line.line.quantity, line.line.netPrice, line.amount.toString()])).toEqual([
      ['API calls — tier 1 (0 to 100)', '100', '0.1', '10.00'],
      ['API calls — tier 2 (100 to ∞)', '50', '0.05', '2.50'],
      ['API calls — tier 2 flat fee', '1', '2', '2.00'],
    ]);
    expect(march?.lines[0]?.computation).toMatchObject({ kind: 'usage', usage: { metric: 'api_calls', aggregation: 'count', units: '150', events: 150 }, pricePart: { kind: 'tier', tier: 1, from: '0', to: '100' } });
  });

  it('bills usage received after its period was invoiced on the next bill, as a late-usage correction', async () => {
    const ledger = new Ledger(planFrom('2026-03-01', monthly([calls({ kind: 'per_unit', unitPrice: '0.5' })])));
    ledger.use(10, '2026-03-10T10:00:00Z');
    await ledger.run('2026-04-01' as CalendarDate);
    ledger.use(4, '2026-03-31T10:00:00Z', new Date('2026-04-03T10:00:00Z'));
    ledger.use(2, '2026-04-02T10:00:00Z');

    const [may] = await ledger.run('2026-05-01' as CalendarDate);

    expect(may?.lines.map((line) => [line.line.name, line.amount.toString(), line.computation.purpose, line.computation.reason ?? ''])).toEqual([
      ['API calls — late usage', '2.00', 'correction', 'late_usage'],
      ['API calls', '1.00', 'charge', ''],
    ]);
    expect(may?.lines[0]?.computation).toMatchObject({ item: 'api_calls@v1:2026-03-01', previouslyBilled: '5.00', nowComputed: '7.00', period: { start: '2026-03-01', end: '2026-04-01' } });
    expect(ledger.total().toString()).toBe('8.00');
  });

  it('records a period without usage as settled at 0: no line, not measured again, and late usage for it corrected', async () => {
    const ledger = new Ledger(planFrom('2026-01-01', monthly([calls({ kind: 'per_unit', unitPrice: '0.5' })])));
    const measuredBy = async (asOf: string): Promise<number> => {
      const before = ledger.measured;
      await ledger.run(asOf as CalendarDate);
      return ledger.measured - before;
    };

    expect([await measuredBy('2026-02-01'), await measuredBy('2026-03-01'), await measuredBy('2026-04-01')]).toEqual([1, 1, 1]);
    const january = ledger.bills.find((bill) => bill.billingDate === '2026-02-01');
    expect(january).toMatchObject({ status: 'empty', lines: [], settled: [expect.objectContaining({ item: 'api_calls@v1:2026-01-01', amount: '0.00', usage: expect.objectContaining({ units: '0', events: 0 }) })] });
    ledger.use(4, '2026-01-20T10:00:00Z', new Date('2026-04-10T10:00:00Z'));

    const [may] = await ledger.run('2026-05-01' as CalendarDate);

    expect(may?.lines.map((line) => [line.computation.item, line.computation.reason ?? line.computation.purpose, line.amount.toString()])).toEqual([['api_calls@v1:2026-01-01', 'late_usage', '2.00']]);
    expect(ledger.total().toString()).toBe('2.00');
  });

  it('takes back what late usage took off under a volume price, with a negative line', async () => {
    const ledger = new Ledger(planFrom('2026-03-01', monthly([calls({ kind: 'volume', tiers: [{ upTo: '10', unitPrice: '1' }, { unitPrice: '0.5' }] })])));
    ledger.use(10, '2026-03-10T10:00:00Z');
    await ledger.run('2026-04-01' as CalendarDate);
    ledger.use(1, '2026-03-20T10:00:00Z', new Date('2026-04-02T10:00:00Z'));

    const [may] = await ledger.run('2026-05-01' as CalendarDate);

    expect(may?.lines[0]).toMatchObject({ line: { quantity: '-1', netPrice: '4.50' }, computation: { reason: 'late_usage', previouslyBilled: '10.00', nowComputed: '5.50' } });
    expect(ledger.total().toString()).toBe('5.50');
  });

  it('credits the unused time of an advance fee and charges the new terms when a plan changes mid-period', async () => {
    const plan = planFrom('2026-04-01', monthly([seats('10', '30')]));
    const ledger = new Ledger(plan);
    await ledger.run('2026-04-01' as CalendarDate);
    plan.replaceFrom('2026-04-11', monthly([seats('20', '30')]), AT);

    const [change] = await ledger.run('2026-04-11' as CalendarDate);

    expect(change?.lines.map((line) => [line.line.name, line.amount.toString()])).toEqual([
      ['Seats — unused time 2026-04-11 – 2026-04-30', '-200.00'],
      ['Seats', '400.00'],
    ]);
    expect(change?.lines[1]?.computation).toMatchObject({ planVersion: 2, proration: { days: 20, periodDays: 30 }, formula: '20 × 30 × 20/30 days' });
    // 10 seats for 10 days and 20 seats for 20 days of a 30-day month at 30.00 a seat.
    expect(ledger.total().toString()).toBe(String((10 * 10 + 20 * 20) * 1) + '.00');
  });

  it('bills a period split at any day by a change of nothing exactly as the whole period (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.stringMatching(/^(0|[1-9][0-9]{0,5})\.[0-9]{2}$/),
        fc.constantFrom<'advance' | 'arrears'>('advance', 'arrears'),
        async (day, quantity, unitPrice, timing) => {
          const terms = monthly([seats(String(quantity), unitPrice, timing)]);
          const whole = new Ledger(planFrom('2026-04-01', terms));
          await whole.run('2026-05-01' as CalendarDate);
          const split = new Ledger(planFrom('2026-04-01', terms));
          await split.run('2026-04-01' as CalendarDate);
          split.plan.replaceFrom(addDays('2026-04-01' as CalendarDate, day), terms, AT);
          await split.run('2026-05-01' as CalendarDate);
          const april = (ledger: Ledger) => Money.sum('EUR', ledger.bills.flatMap((bill) => bill.lines.filter((line) => line.computation.period?.start === '2026-04-01').map((line) => line.amount)));
          expect(april(split).toString()).toBe(april(whole).toString());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('creates nothing when run again on unchanged data (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 27 }), async (events, day) => {
        const ledger = new Ledger(planFrom('2026-01-01', monthly([seats('3', '9.99'), calls({ kind: 'package', size: '100', price: '5' })], { minimum: { amount: '20', vat: VAT } })));
        ledger.use(events, `2026-02-${String(day).padStart(2, '0')}T10:00:00Z`);
        await ledger.run('2026-04-01' as CalendarDate);
        const before = ledger.bills.length;

        expect(await ledger.run('2026-04-01' as CalendarDate)).toEqual([]);
        expect(ledger.bills).toHaveLength(before);
        // A bill for a later date charges only the new period: nothing of the past is corrected.
        const [next] = await ledger.run('2026-05-01' as CalendarDate);
        expect(next?.lines.filter((line) => line.computation.purpose === 'correction')).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('explains usage of part of a period without a proration factor, which its amount never had; fees and minimums keep theirs (audit billinghttp F7)', async () => {
    const graduated = calls({ kind: 'graduated', tiers: [{ upTo: '100', unitPrice: '0.015', flatFee: '2.50' }, { unitPrice: '0.01' }] });
    const ledger = new Ledger(planFrom('2026-03-13', monthly([seats('1', '31'), graduated], { minimum: { amount: '31', name: 'Monthly minimum', vat: VAT } })));
    ledger.use(150, '2026-03-20T10:00:00Z');

    await ledger.run('2026-04-01' as CalendarDate);
    const [march] = ledger.bills;
    const april = ledger.bills.find((bill) => bill.billingDate === '2026-04-01');
    const explained = [...(march?.lines ?? []), ...(april?.lines ?? [])].map((line) => [line.computation.kind, line.amount.toString(), line.computation.proration?.factor, line.line.description]);

    // Before, each usage line said `19/31 days`, factor 0.6129032258, while its amount was the formula's, not prorated.
    expect(explained).toEqual([
      ['recurring', '19.00', '0.6129032258', '2026-03-13 – 2026-03-31 (19/31 days)'],
      ['usage', '1.50', undefined, '2026-03-13 – 2026-03-31, 150 api_calls from 150 events'],
      ['usage', '2.50', undefined, '2026-03-13 – 2026-03-31, 150 api_calls from 150 events'],
      ['usage', '0.50', undefined, '2026-03-13 – 2026-03-31, 150 api_calls from 150 events'],
      ['minimum', '14.50', '0.6129032258', '2026-03-13 – 2026-03-31 (19/31 days)'],
      ['recurring', '31.00', undefined, '2026-04-01 – 2026-04-30'],
    ]);
    for (const line of april?.lines.filter((each) => each.computation.kind === 'usage') ?? []) {
      expect(line.computation.range).toEqual({ start: '2026-03-13', end: '2026-04-01' });
      expect(Money.fromDecimal(new Decimal(line.line.quantity).times(new Decimal(line.line.netPrice)), 'EUR').toString()).toBe(line.amount.toString());
    }
  });

  it('adds a true-up line when usage falls short of the minimum, prorated for a partial period', async () => {
    const ledger = new Ledger(planFrom('2026-04-16', monthly([calls({ kind: 'per_unit', unitPrice: '1' })], { minimum: { amount: '60', name: 'Monthly minimum', vat: VAT } })));
    ledger.use(12, '2026-04-20T10:00:00Z');

    await ledger.run('2026-05-01' as CalendarDate);
    const april = ledger.bills.find((bill) => bill.billingDate === '2026-05-01');

    expect(april?.lines.map((line) => [line.line.name, line.amount.toString()])).toEqual([
      ['API calls', '12.00'],
      ['Monthly minimum', '18.00'],
    ]);
    expect(april?.lines[1]?.computation).toMatchObject({ kind: 'minimum', minimum: { amount: '30.00', usageAmount: '12.00' } });
  });

  it('bills a one-off charge once, on the first bill on or after its date; a negative quantity credits', async () => {
    const ledger = new Ledger(planFrom('2026-03-01', monthly([seats('1', '10')])));
    ledger.oneOffs.push(
      oneOffCharge({ date: '2026-03-05', name: 'Setup', unitPrice: '150', vat: VAT }, { tenantId: TENANT, id: 'setup', partnershipId: PARTNERSHIP, currency: 'EUR', at: AT }),
      oneOffCharge({ date: '2026-03-05', name: 'Goodwill', quantity: '-1', unitPrice: '20', vat: VAT }, { tenantId: TENANT, id: 'goodwill', partnershipId: PARTNERSHIP, currency: 'EUR', at: AT }),
    );

    const bills = await ledger.run('2026-04-01' as CalendarDate);

    expect(bills.map((bill) => [bill.billingDate, bill.lines.map((line) => `${line.line.name} ${line.amount.toString()}`)])).toEqual([
      ['2026-03-01', ['Seats 10.00']],
      ['2026-03-05', ['Setup 150.00', 'Goodwill -20.00']],
      ['2026-04-01', ['Seats 10.00']],
    ]);
  });

  it('names each part of a package or percentage price on its own line', async () => {
    const sales = (price: PriceModelInput, code: string) => ({ ...calls(price), code, name: 'Sales fee', metric: { code: 'api_calls', aggregation: 'sum' as const, property: 'amount' } });
    const ledger = new Ledger(
      planFrom('2026-03-01', monthly([sales({ kind: 'percentage', rate: '2.5', fixedFeePerEvent: '0.30', maxPerEvent: '1' }, 'fee'), { ...sales({ kind: 'package', size: '100', price: '4', freeUnits: '50' }, 'packs'), name: 'Packs' }])),
    );
    for (const [index, amount] of ['10', '100'].entries()) {
      ledger.events.push({ tenantId: TENANT, eventId: `sale-${index}`, metricCode: 'api_calls', timestamp: new Date('2026-03-02T10:00:00Z'), subject: { partnershipId: PARTNERSHIP }, properties: { amount }, receivedAt: AT });
    }

    await ledger.run('2026-04-01' as CalendarDate);
    const lines = ledger.bills.find((bill) => bill.billingDate === '2026-04-01')?.lines ?? [];

    expect(lines.map((line) => [line.line.name, line.line.quantity, line.line.netPrice, line.amount.toString()])).toEqual([
      ['Sales fee — 2.5 %', '110', '0.025', '2.75'],
      ['Sales fee — fee per event', '2', '0.3', '0.60'],
      ['Sales fee — per-event minimum and maximum', '-1', '1.8', '-1.80'],
      ['Packs — packages of 100', '1', '4', '4.00'],
    ]);
  });

  it('puts a quantity beyond what a line carries on one line of its rounded amount, keeping the exact figures', async () => {
    const ledger = new Ledger(planFrom('2026-03-01', monthly([{ ...calls({ kind: 'per_unit', unitPrice: '0.000001' }), metric: { code: 'api_calls', aggregation: 'sum', property: 'bytes' } }])));
    ledger.events.push({ tenantId: TENANT, eventId: 'big', metricCode: 'api_calls', timestamp: new Date('2026-03-02T00:00:00Z'), subject: { partnershipId: PARTNERSHIP }, properties: { bytes: '123456789012.5' }, receivedAt: AT });

    await ledger.run('2026-04-01' as CalendarDate);
    const line = ledger.bills.find((bill) => bill.billingDate === '2026-04-01')?.lines[0];

    expect(line?.line).toMatchObject({ quantity: '1', netPrice: '123456.79', unitCode: 'C62' });
    expect(line?.computation).toMatchObject({ usage: { units: '123456789012.5' }, pricePart: { quantity: '123456789012.5', unitPrice: '0.000001', amount: '123456.7890125' } });
  });

  describe('discounts', () => {
    it('takes a percentage off the lines of the periods it covers, per VAT category, and gives it back on credits', async () => {
      const plan = planFrom(
        '2026-03-01',
        monthly([seats('10', '10'), { ...seats('1', '50'), code: 'books', name: 'Books', vat: { code: 'S', rate: '5.5' } }], { discounts: [{ code: 'launch', kind: 'percentage', percent: '10', periods: 2, reason: 'Launch offer' }] }),
      );
      const ledger = new Ledger(plan);

      const [march, april, may] = await ledger.run('2026-05-01' as CalendarDate);

      expect(march?.allowances.map((each) => [each.side, each.allowance.amount, each.allowance.vat.rate])).toEqual([
        ['allowance', '10.00', '20'],
        ['allowance', '5.00', '5.5'],
      ]);
      expect(april?.allowances).toHaveLength(2);
      expect(may?.allowances).toEqual([]);
      expect(march?.allowances[0]?.allowance).toMatchObject({ percent: '10', baseAmount: '100.00', reason: 'Launch offer', reasonCode: '95' });
    });

    it('gives a fixed discount once per period, shared over VAT categories in proportion, never more than the period’s lines less the discounts listed before', async () => {
      const plan = planFrom(
        '2026-03-01',
        monthly([seats('1', '30'), { ...seats('1', '10'), code: 'books', name: 'Books', vat: { code: 'S', rate: '5.5' } }], { discounts: [{ code: 'loyal', kind: 'fixed', amount: '10.01' }, { code: 'huge', kind: 'fixed', amount: '1000', periods: 1 }] }),
      );
      const ledger = new Ledger(plan);

      const [march, april] = await ledger.run('2026-04-01' as CalendarDate);

      const loyal = (bill: BillState | undefined) => bill?.allowances.filter((each) => each.discountCode === 'loyal').map((each) => each.allowance.amount);
      expect(loyal(march)).toEqual(['7.51', '2.50']);
      expect(loyal(april)).toEqual(['7.51', '2.50']);
      const huge = march?.allowances.filter((each) => each.discountCode === 'huge').map((each) => each.allowance.amount);
      // What loyal left of the 40.00 of lines, in proportion to what it left in each category (before: 30.00 and
      // 10.00, so 50.01 off 40.00).
      expect(huge).toEqual(['22.49', '7.50']);
      expect(april?.allowances.filter((each) => each.discountCode === 'huge')).toEqual([]);
    });
  });

  it('makes the lines of a percentage price with a minimum per event come to the fees due, rounded once', async () => {
    const sale = () => ({ kind: 'usage' as const, code: 'fee', name: 'Sales fee', metric: { code: 'api_calls', aggregation: 'sum' as const, property: 'amount' }, price: { kind: 'percentage' as const, rate: '1', minPerEvent: '1' }, vat: VAT });
    const ledger = new Ledger(planFrom('2026-03-01', monthly([sale()])));
    for (const [index, amount] of ['50.50', '150.50', '250.50'].entries()) {
      ledger.events.push({ tenantId: TENANT, eventId: `sale-${index}`, metricCode: 'api_calls', timestamp: new Date('2026-03-02T10:00:00Z'), subject: { partnershipId: PARTNERSHIP }, properties: { amount }, receivedAt: AT });
    }

    const [, april] = await ledger.run('2026-04-01' as CalendarDate);

    // 1.00 (the minimum, for 0.505) + 1.505 + 2.505 = 5.01; before, 4.52 + 0.50 = 5.02.
    expect(april?.lines.map((line) => [line.computation.pricePart?.['kind'], line.amount.toString()])).toEqual([
      ['percentage', '4.52'],
      ['event_limits', '0.49'],
    ]);
  });

  it('gives a fixed discount over every bill of a period, and takes back what credited days no longer come to', async () => {
    // A fee of 10.00 in advance and 100 calls at 1.00 in arrears: March's lines come to 110.00 over two bills.
    const plan = planFrom('2026-03-01', monthly([seats('1', '10'), calls({ kind: 'per_unit', unitPrice: '1' })], { discounts: [{ code: 'flat', kind: 'fixed', amount: '50' }] }));
    const ledger = new Ledger(plan);
    ledger.use(100, '2026-03-10T10:00:00Z');

    const [march, april] = await ledger.run('2026-04-01' as CalendarDate);

    const flat = (bill: BillState | undefined) => bill?.allowances.map((each) => [each.periodStart, each.side, each.allowance.amount]);
    // Before, March's 10.00 took the whole discount's place: 10.00 off, never the other 40.00.
    expect(flat(march)).toEqual([['2026-03-01', 'allowance', '10.00']]);
    expect(flat(april)).toEqual([
      ['2026-03-01', 'allowance', '40.00'],
      ['2026-04-01', 'allowance', '10.00'],
    ]);
    expect(ledger.total().toString()).toBe(String(110 - 50 + 10 - 10) + '.00');

    // March replaced from its first day by no fee at all: its lines are credited, and so is the discount they had.
    plan.replaceFrom('2026-03-01', monthly([calls({ kind: 'per_unit', unitPrice: '1' })]), AT);
    const [may] = await ledger.run('2026-05-01' as CalendarDate);
    expect(may?.allowances.filter((each) => each.planVersion === 1).map((each) => [each.periodStart, each.side, each.allowance.amount])).toEqual([
      ['2026-03-01', 'charge', '50.00'],
      ['2026-04-01', 'charge', '10.00'],
    ]);
  });

  it('shares a fixed discount given over several bills by the whole period’s net per VAT category, never more in a category than its lines', async () => {
    // A fee of 30.00 in advance at 20 % and 100 calls at 1.00 in arrears at 10 %: March comes to 130.00 over two bills.
    const usage = { ...calls({ kind: 'per_unit', unitPrice: '1' }), vat: { code: 'S', rate: '10' } as const };
    const plan = planFrom('2026-03-01', monthly([seats('1', '30'), usage], { discounts: [{ code: 'flat', kind: 'fixed', amount: '50' }] }));
    const ledger = new Ledger(plan);
    ledger.use(100, '2026-03-10T10:00:00Z');

    const [march, april] = await ledger.run('2026-04-01' as CalendarDate);

    const flat = (bill: BillState | undefined) => bill?.allowances.map((each) => [each.periodStart, each.side, each.allowance.amount, each.allowance.vat.rate]);
    expect(flat(march)).toEqual([['2026-03-01', 'allowance', '30.00', '20']]);
    // March's 50.00 in proportion to 30.00 and 100.00: 11.54 at 20 % and 38.46 at 10 %. The 20 % category had 30.00
    // on the first bill, so 18.46 of it comes back; before, it got 4.62 more (34.62 off 30.00 of lines).
    expect(flat(april)).toEqual([
      ['2026-03-01', 'charge', '18.46', '20'],
      ['2026-03-01', 'allowance', '38.46', '10'],
      ['2026-04-01', 'allowance', '30.00', '20'],
    ]);
    // A charge takes no allowance reason code: 95 is UNTDID 5189's, and BR-CL-20 refuses it on a charge (7161), which
    // made such an invoice impossible to hand out as an e-invoice. Its reason says what it is.
    expect(april?.allowances.map((each) => [each.side, each.allowance.reasonCode, each.allowance.reason])).toEqual([
      ['charge', undefined, expect.stringMatching(/\S/)],
      ['allowance', '95', expect.stringMatching(/\S/)],
      ['allowance', '95', expect.stringMatching(/\S/)],
    ]);
    const marchByRate = (rate: string) =>
      ledger.bills
        .flatMap((bill) => bill.allowances)
        .filter((each) => each.periodStart === '2026-03-01' && each.allowance.vat.rate === rate)
        .reduce((total, each) => total + Number(each.allowance.amount) * (each.side === 'charge' ? -1 : 1), 0)
        .toFixed(2);
    expect([marchByRate('20'), marchByRate('10')]).toEqual(['11.54', '38.46']);
    expect(ledger.total().toString()).toBe('80.00');
  });

  it('gives a fixed discount once in a period split between two versions that carry it (review of 6 December 2026: once each)', async () => {
    const discounts = [{ code: 'loyal', kind: 'fixed' as const, amount: '50', periods: 3 }];
    const plan = planFrom('2026-04-01', monthly([seats('10', '30')], { discounts }));
    const ledger = new Ledger(plan);
    await ledger.run('2026-04-01' as CalendarDate, new Date('2026-04-01T09:00:00Z'));
    plan.replaceFrom('2026-04-11', monthly([seats('20', '30')], { discounts }), new Date('2026-04-05T09:00:00Z'));
    await ledger.run('2026-04-11' as CalendarDate, new Date('2026-04-11T09:00:00Z'));

    const april = ledger.bills.flatMap((bill) => bill.allowances.filter((each) => each.periodStart === '2026-04-01'));
    const signed = (each: BillAllowance) => Number(each.allowance.amount) * (each.side === 'charge' ? -1 : 1);
    expect(april.reduce((total, each) => total + signed(each), 0)).toBe(50);
    // 10 seats for 10 days and 20 seats for 20 days, less the discount once.
    expect(ledger.total().toString()).toBe('450.00');
  });

  it('credits in full what replaced terms no longer make, and gives back the discount the credited days had', async () => {
    const plan = planFrom('2026-03-01', monthly([seats('10', '10'), { ...seats('1', '20'), code: 'support', name: 'Support' }], { discounts: [{ code: 'thanks', kind: 'percentage', percent: '10' }] }));
    const ledger = new Ledger(plan);
    await ledger.run('2026-03-01' as CalendarDate);
    plan.replaceFrom('2026-03-01', monthly([seats('10', '10')]), AT);

    const [april] = await ledger.run('2026-04-01' as CalendarDate);

    expect(april?.lines.map((line) => [line.computation.item, line.amount.toString(), line.computation.purpose])).toEqual([
      ['seats@v2:2026-03-01', '100.00', 'charge'],
      ['seats@v2:2026-04-01', '100.00', 'charge'],
      ['seats@v1:2026-03-01', '-100.00', 'correction'],
      ['support@v1:2026-03-01', '-20.00', 'correction'],
    ]);
    expect(april?.allowances).toEqual([expect.objectContaining({ discountCode: 'thanks', planVersion: 1, side: 'charge', allowance: expect.objectContaining({ amount: '12.00', baseAmount: '120.00' }) })]);
    // Two months of ten seats, without the discount of the replaced terms.
    expect(ledger.total().toString()).toBe('200.00');
  });

  it('bills a plan that ends: nothing after its last day, and credits the unused part of its advance fee', async () => {
    const plan = planFrom('2026-03-01', monthly([seats('1', '31')]));
    const ledger = new Ledger(plan);
    await ledger.run('2026-03-01' as CalendarDate);
    plan.replaceFrom('2026-03-21', null, AT);

    const bills = await ledger.run('2026-06-01' as CalendarDate);

    expect(bills.map((bill) => [bill.billingDate, bill.lines.map((line) => line.amount.toString())])).toEqual([['2026-03-21', ['-11.00']]]);
    expect(ledger.total().toString()).toBe('20.00');
    expect(daysBetween('2026-03-01' as CalendarDate, '2026-03-21' as CalendarDate)).toBe(20);
  });
});

/** A usage charge of its own metric, per unit. */
const metered = (code: string, aggregation: Aggregation, unitPrice: string, property?: string) => ({
  kind: 'usage' as const,
  code,
  name: code,
  metric: { code, aggregation, ...(property === undefined ? {} : { property }) },
  price: { kind: 'per_unit' as const, unitPrice },
  vat: VAT,
});

/** April billed by a plan from 1 April, whole or split on `splitOn` by a version with `changed` terms (by default, the same terms issuing invoices). */
async function april(terms: PlanTermsInput, use: (ledger: Ledger) => void, splitOn?: number, changed: PlanTermsInput = { ...terms, invoiceMode: 'issue' }): Promise<Ledger> {
  const ledger = new Ledger(planFrom('2026-04-01', terms));
  use(ledger);
  await ledger.run('2026-04-01' as CalendarDate);
  if (splitOn !== undefined) ledger.plan.replaceFrom(`2026-04-${String(splitOn).padStart(2, '0')}`, changed, AT);
  await ledger.run('2026-05-01' as CalendarDate);
  return ledger;
}

/** What the bills gave off (allowances less charges) for a period, by VAT rate. */
const discountsFor = (ledger: Ledger, periodStart: string): Record<string, string> => {
  const given: Record<string, Money> = {};
  for (const each of ledger.bills.flatMap((bill) => bill.allowances)) {
    const covered = each.periodStart ?? ledger.bills.find((bill) => bill.allowances.includes(each))?.lines[0]?.computation.period?.start;
    if (covered !== periodStart) continue;
    const rate = String(each.allowance.vat.rate);
    const amount = Money.of(each.allowance.amount as string, 'EUR');
    given[rate] = (given[rate] ?? Money.zero('EUR')).add(each.side === 'allowance' ? amount : amount.negate());
  }
  return Object.fromEntries(Object.entries(given).map(([rate, amount]) => [rate, amount.toString()]));
};

describe('proposeBill: a period split by a plan change (audit finding 2)', () => {
  const peakUsersAndCalls = (ledger: Ledger): void => {
    for (const day of ['03', '25']) {
      ledger.record('storage', `2026-04-${day}T10:00:00Z`, { gb: '100' });
      ledger.record('users', `2026-04-${day}T10:00:00Z`, { user: 'alice' });
    }
    for (let index = 0; index < 60; index += 1) ledger.record('calls', '2026-04-03T10:00:00Z');
  };

  it('measures a charge the change left as it was once over all its days: a peak or a distinct count is not billed twice', async () => {
    const terms = monthly([metered('storage', 'max', '1', 'gb'), metered('users', 'unique_count', '5', 'user'), metered('calls', 'count', '1')]);

    const whole = await april(terms, peakUsersAndCalls);
    const split = await april(terms, peakUsersAndCalls, 16);

    expect(whole.total().toString()).toBe('165.00');
    // Before: 270.00, the 100 GB peak and alice billed in each half.
    expect(split.total().toString()).toBe('165.00');
    const storage = split.bills.flatMap((bill) => bill.lines).filter((line) => line.computation.chargeCode === 'storage');
    expect(storage.map((line) => [line.computation.item, line.computation.range, line.computation.usage?.units])).toEqual([['storage@v1:2026-04-01', { start: '2026-04-01', end: '2026-05-01' }, '100']]);
  });

  it('checks a minimum the change left as it was over the whole period', async () => {
    const terms = monthly([metered('calls', 'count', '1')], { minimum: { amount: '60', name: 'Monthly minimum', vat: VAT } });
    const sixtyEarly = (ledger: Ledger) => Array.from({ length: 60 }, () => ledger.record('calls', '2026-04-03T10:00:00Z'));

    const whole = await april(terms, sixtyEarly);
    const split = await april(terms, sixtyEarly, 16);

    expect(whole.total().toString()).toBe('60.00');
    // Before: 90.00, a true-up of 30.00 for the second half, which had no calls.
    expect(split.total().toString()).toBe('60.00');
  });

  it('puts a minimum’s true-up right after its period’s usage, before the next period’s fees', async () => {
    const ledger = new Ledger(planFrom('2026-03-01', monthly([seats('1', '10'), calls({ kind: 'per_unit', unitPrice: '1' })], { minimum: { amount: '20', name: 'Monthly minimum', vat: VAT } })));
    ledger.use(5, '2026-03-10T10:00:00Z');

    const [, april] = await ledger.run('2026-04-01' as CalendarDate);

    expect(april?.lines.map((line) => [line.computation.item, line.amount.toString()])).toEqual([
      ['api_calls@v1:2026-03-01', '5.00'],
      ['minimum@v1:2026-03-01', '15.00'],
      ['seats@v1:2026-04-01', '10.00'],
    ]);
  });

  it('still bills a charge that changed for each version’s own days', async () => {
    const storage = (unitPrice: string) => monthly([metered('storage', 'max', unitPrice, 'gb')]);

    const split = await april(storage('1'), peakUsersAndCalls, 16, storage('2'));

    // The 100 GB peak at 1.00 for 1–15 April, and at 2.00 for 16–30 April.
    expect(split.total().toString()).toBe('300.00');
    expect(split.bills.flatMap((bill) => bill.lines).map((line) => [line.computation.item, line.amount.toString()])).toEqual([
      ['storage@v1:2026-04-01', '100.00'],
      ['storage@v2:2026-04-01', '200.00'],
    ]);
  });

  it('shares a charge measured over several versions by their days, for a minimum or a discount that changed', async () => {
    // 60 calls at 1.00 in April, all on 3 April; from 16 April the minimum is 100.00 instead of 60.00 and the 10 % discount ends.
    const terms = (minimum: string, discounts: PlanTermsInput['discounts']) => monthly([metered('calls', 'count', '1')], { minimum: { amount: minimum, name: 'Monthly minimum', vat: VAT }, discounts });
    const sixtyEarly = (ledger: Ledger) => Array.from({ length: 60 }, () => ledger.record('calls', '2026-04-03T10:00:00Z'));

    const split = await april(terms('60', [{ code: 'early', kind: 'percentage', percent: '10' }]), sixtyEarly, 16, terms('100', []));

    // The calls count 30.00 for each half (15 of April's 30 days): the first half's minimum, 30.00, is met; the
    // second's, 50.00, takes a true-up of 20.00. The discount is 10 % of the first half's 30.00.
    const lines = split.bills.flatMap((bill) => bill.lines);
    expect(lines.map((line) => [line.computation.item, line.amount.toString()])).toEqual([
      ['calls@v1:2026-04-01', '60.00'],
      ['minimum@v2:2026-04-01', '20.00'],
    ]);
    expect(discountsFor(split, '2026-04-01')).toEqual({ '20': '3.00' });
    expect(split.total().toString()).toBe('77.00');
  });

  it('changes nothing billed when a change over days billed leaves a charge as it was, and settles a discount that changed under it', async () => {
    // Storage only, 10 % off; on 5 May April is replaced from 16 April by the same terms without the discount.
    const discounted = monthly([metered('storage', 'max', '1', 'gb')], { discounts: [{ code: 'deal', kind: 'percentage', percent: '10' }] });
    const ledger = await april(discounted, peakUsersAndCalls, 16);
    expect(discountsFor(ledger, '2026-04-01')).toEqual({ '20': '10.00' });
    ledger.plan.replaceFrom('2026-04-16', monthly([metered('storage', 'max', '1', 'gb')]), new Date('2026-05-05T08:00:00Z'));

    const [change] = await ledger.run('2026-05-05' as CalendarDate);
    ledger.record('storage', '2026-05-10T10:00:00Z', { gb: '7' });
    const [june] = await ledger.run('2026-06-01' as CalendarDate);

    // April's storage is measured over all its days by version 1 either way: no line, so nothing for the discount on
    // a bill that carries nothing. The next bill with lines gives back the half of April's that was version 2's.
    expect(change).toMatchObject({ lines: [], allowances: [] });
    expect(june?.allowances.map((each) => [each.periodStart, each.side, each.allowance.amount])).toEqual([['2026-04-01', 'charge', '5.00']]);
    expect(discountsFor(ledger, '2026-04-01')).toEqual({ '20': '5.00' });
  });

  it('leaves a period billed per version by the rule before 7 December 2026 as it was billed', async () => {
    const terms = monthly([metered('storage', 'max', '1', 'gb')]);
    const ledger = await april(terms, peakUsersAndCalls, 16);
    // As the earlier rule billed April: the 100 GB peak once for each version's days.
    ledger.bills = ledger.bills.map((bill) => ({
      ...bill,
      lines: bill.lines.flatMap((line) =>
        line.computation.item !== 'storage@v1:2026-04-01'
          ? [line]
          : [
              { ...line, computation: { ...line.computation, range: { start: '2026-04-01' as CalendarDate, end: '2026-04-16' as CalendarDate } } },
              { ...line, line: { ...line.line, id: 'v2' }, computation: { ...line.computation, item: 'storage@v2:2026-04-01', planVersion: 2, range: { start: '2026-04-16' as CalendarDate, end: '2026-05-01' as CalendarDate } } },
            ],
      ),
    }));
    ledger.record('storage', '2026-05-10T10:00:00Z', { gb: '7' });

    const [june] = await ledger.run('2026-06-01' as CalendarDate);

    expect(june?.lines.map((line) => [line.computation.item, line.amount.toString()])).toEqual([['storage@v2:2026-05-01', '7.00']]);
  });

  it('bills a period split at any day by a version that changes nothing of its usage, minimum or discount exactly as the whole period, for every aggregation (property)', async () => {
    const PROPERTY = { count: undefined, sum: 'v', max: 'v', unique_count: 'v', latest: 'v' } as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Aggregation>('count', 'sum', 'max', 'unique_count', 'latest'),
        fc.constantFrom<PriceModelInput>({ kind: 'per_unit', unitPrice: '1.37' }, { kind: 'graduated', tiers: [{ upTo: '5', unitPrice: '2', flatFee: '3' }, { unitPrice: '0.5' }] }, { kind: 'package', size: '10', price: '7' }),
        fc.array(fc.record({ day: fc.integer({ min: 1, max: 30 }), hour: fc.integer({ min: 0, max: 23 }), value: fc.constantFrom('0', '1', '2.5', '9.99', '40', '100') }), { maxLength: 25 }),
        fc.integer({ min: 2, max: 30 }),
        fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
        fc.option(fc.constantFrom('10', '12.5', '33'), { nil: undefined }),
        async (aggregation, price, events, splitOn, minimum, percent) => {
          const property = PROPERTY[aggregation];
          const terms = monthly([{ ...metered('usage', aggregation, '1', property), price }], {
            ...(minimum === undefined ? {} : { minimum: { amount: String(minimum), vat: VAT } }),
            ...(percent === undefined ? {} : { discounts: [{ code: 'deal', kind: 'percentage', percent }] }),
          });
          const use = (ledger: Ledger) => {
            for (const { day, hour, value } of events) {
              const at = `2026-04-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
              ledger.record('usage', at, property === undefined ? {} : { [property]: value });
            }
          };

          const whole = await april(terms, use);
          const split = await april(terms, use, splitOn);

          expect(split.total().toString()).toBe(whole.total().toString());
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('proposeBill: discounts together (audit findings 3 and 7)', () => {
  const oneSeat = (price: string, discounts: PlanTermsInput['discounts']) => planFrom('2026-04-01', monthly([seats('1', price)], { discounts }));

  it('takes discounts in the order listed, never more together than the lines: no negative invoice, no negative VAT', async () => {
    const fixedTwice = new Ledger(oneSeat('100', [{ code: 'welcome', kind: 'fixed', amount: '80' }, { code: 'loyalty', kind: 'fixed', amount: '80' }]));
    const percentThenFixed = new Ledger(oneSeat('100', [{ code: 'launch', kind: 'percentage', percent: '60' }, { code: 'loyalty', kind: 'fixed', amount: '50' }]));

    const [first] = await fixedTwice.run('2026-04-01' as CalendarDate);
    const [second] = await percentThenFixed.run('2026-04-01' as CalendarDate);

    // Before: 160.00 off 100.00 of lines (−72.00 with VAT), and 110.00 off 100.00.
    expect(first?.allowances.map((each) => [each.discountCode, each.side, each.allowance.amount])).toEqual([
      ['welcome', 'allowance', '80.00'],
      ['loyalty', 'allowance', '20.00'],
    ]);
    expect(second?.allowances.map((each) => [each.discountCode, each.side, each.allowance.amount])).toEqual([
      ['launch', 'allowance', '60.00'],
      ['loyalty', 'allowance', '40.00'],
    ]);
    expect([billNetTotal(first as BillState).toString(), billNetTotal(second as BillState).toString()]).toEqual(['0.00', '0.00']);
  });

  it('never gives more off a period, in any VAT category, than its lines come to; billed without plan changes, no bill’s VAT goes negative (property)', async () => {
    const discount = fc.oneof(
      fc.record({ kind: fc.constant('percentage' as const), percent: fc.integer({ min: 1, max: 100 }).map(String) }),
      fc.record({ kind: fc.constant('fixed' as const), amount: fc.integer({ min: 1, max: 30000 }).map((cents) => (cents / 100).toFixed(2)) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(discount, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 20000 }),
        fc.integer({ min: 0, max: 20000 }),
        fc.integer({ min: 0, max: 300 }),
        async (discounts, fee, otherFee, callCount) => {
          const books = { ...seats('1', (otherFee / 100).toFixed(2)), code: 'books', name: 'Books', vat: { code: 'S', rate: '5.5' } as const };
          const terms = monthly([seats('1', (fee / 100).toFixed(2)), books, calls({ kind: 'per_unit', unitPrice: '0.37' })], {
            discounts: discounts.map((each, index) => ({ ...each, code: `d${index}` })),
          });
          const ledger = new Ledger(planFrom('2026-03-01', terms));
          ledger.use(callCount, '2026-03-10T10:00:00Z');
          ledger.use(callCount, '2026-04-10T10:00:00Z');
          await ledger.run('2026-05-01' as CalendarDate);

          for (const bill of ledger.bills) {
            for (const [rate, net] of Object.entries(netByRate(bill.lines.map((line) => [line.line.vat.rate, line.amount] as const)))) {
              const off = netByRate(bill.allowances.map((each) => [each.allowance.vat.rate, Money.of(each.allowance.amount as string, 'EUR').multiply(each.side === 'allowance' ? 1 : -1)] as const))[rate] ?? Money.zero('EUR');
              expect(off.lessThanOrEqual(net)).toBe(true);
            }
          }
          for (const period of ['2026-03-01', '2026-04-01']) {
            const lines = netByRate(ledger.bills.flatMap((bill) => bill.lines.filter((line) => line.computation.period?.start === period).map((line) => [line.line.vat.rate, line.amount] as const)));
            for (const [rate, off] of Object.entries(discountsFor(ledger, period))) expect((lines[rate] ?? Money.zero('EUR')).greaterThanOrEqual(Money.of(off, 'EUR'))).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives a percentage off a period billed in several bills rounded once, on the period’s lines together', async () => {
    // 15 % off seats at 3.33, changed four times in April: the period's lines come to 11.88, so 1.78 off (1.782).
    const discounts = [{ code: 'deal', kind: 'percentage' as const, percent: '15' }];
    const plan = oneSeat('3.33', discounts);
    const ledger = new Ledger(plan);
    await ledger.run('2026-04-01' as CalendarDate);
    for (const [day, quantity] of [['02', '2'], ['10', '5'], ['22', '5'], ['26', '2']] as const) {
      plan.replaceFrom(`2026-04-${day}`, monthly([seats(quantity, '3.33')], { discounts }), AT);
      await ledger.run(`2026-04-${day}` as CalendarDate);
    }

    const lines = Money.sum('EUR', ledger.bills.flatMap((bill) => bill.lines.map((line) => line.amount)));
    expect(lines.toString()).toBe('11.88');
    // Before: each bill rounded its own 15 %, and they came to 1.79.
    expect(discountsFor(ledger, '2026-04-01')).toEqual({ '20': '1.78' });
  });

  it('gives a percentage off a period, over any number of plan changes, of the period’s lines rounded once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 2, max: 30 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 6, maxLength: 6 }),
        fc.constantFrom('3.33', '0.07', '19.99', '1234.57'),
        fc.constantFrom('15', '12.5', '33.33', '7'),
        async (days, quantities, unitPrice, percent) => {
          const discounts = [{ code: 'deal', kind: 'percentage' as const, percent }];
          const plan = planFrom('2026-04-01', monthly([seats('1', unitPrice)], { discounts }));
          const ledger = new Ledger(plan);
          await ledger.run('2026-04-01' as CalendarDate);
          for (const [index, day] of [...days].sort((left, right) => left - right).entries()) {
            const on = `2026-04-${String(day).padStart(2, '0')}`;
            plan.replaceFrom(on, monthly([seats(String(quantities[index]), unitPrice)], { discounts }), AT);
            await ledger.run(on as CalendarDate);
          }

          const lines = Money.sum('EUR', ledger.bills.flatMap((bill) => bill.lines.map((line) => line.amount)));
          expect(discountsFor(ledger, '2026-04-01')['20'] ?? '0.00').toBe(lines.multiply(new Decimal(percent).dividedBy(100)).toString());
        },
      ),
      { numRuns: 100 },
    );
  });

  it('counts what a bill recorded before percentages were given per period gave off, without giving it again', async () => {
    // A bill of 1 April recorded until 7 December 2026 gave 10 % of the April fee with no period; April's usage comes on 1 May.
    const ledger = new Ledger(planFrom('2026-04-01', monthly([seats('1', '100'), calls({ kind: 'per_unit', unitPrice: '1' })], { discounts: [{ code: 'deal', kind: 'percentage', percent: '10' }] })));
    ledger.use(50, '2026-04-10T10:00:00Z');
    await ledger.run('2026-04-01' as CalendarDate);
    ledger.bills = ledger.bills.map((bill) => ({ ...bill, allowances: bill.allowances.map(({ periodStart: _period, ...each }) => each) }));

    const [may] = await ledger.run('2026-05-01' as CalendarDate);

    // April: 10 % of 150.00 in all, so 5.00 more; May: 10.00 of its fee.
    expect(may?.allowances.map((each) => [each.periodStart, each.side, each.allowance.amount])).toEqual([
      ['2026-04-01', 'allowance', '5.00'],
      ['2026-05-01', 'allowance', '10.00'],
    ]);
  });
});

function netByRate(amounts: readonly (readonly [unknown, Money])[]): Record<string, Money> {
  const sums: Record<string, Money> = {};
  for (const [rate, amount] of amounts) sums[String(rate)] = (sums[String(rate)] ?? Money.zero('EUR')).add(amount);
  return sums;
}


describe('proposeBill: the dates of one run (audit dates F1)', () => {
  it('works out the periods after the day a bill of the same run settled only: the same bill, the periods before it not measured again', async () => {
    const plan = planFrom('2026-01-01', monthly([seats('10', '25'), calls({ kind: 'per_unit', unitPrice: '0.10' })]));
    const ledger = new Ledger(plan);
    for (let month = 1; month <= 12; month += 1) ledger.use(month, `2026-${String(month).padStart(2, '0')}-10T10:00:00Z`);
    await ledger.run('2026-12-01' as CalendarDate);
    let measured = 0;
    // Late usage of the first day on: worked out in full, every period billed is measured again.
    const facts = {
      plan,
      bills: ledger.bills,
      oneOffs: [],
      timeZone: ZONE,
      lateUsage: new Map([['api_calls', new Date('2026-01-01T00:00:00Z')]]),
      measure: async (charge: Parameters<Parameters<typeof proposeBill>[0]['measure']>[0], range: { start: CalendarDate; end: CalendarDate }) => {
        measured += 1;
        const [from, to] = [startOfDay(range.start, ZONE), startOfDay(range.end, ZONE)];
        return aggregate(charge.metric, ledger.events.filter((event) => event.timestamp >= from && event.timestamp < to));
      },
    };
    const full = await proposeBill(facts, '2027-01-01' as CalendarDate);
    const inFull = measured;
    measured = 0;

    // The run's bill of 1 December compared every item up to it: only December's usage and January's fee are new.
    const settled = await proposeBill({ ...facts, settledThrough: '2026-12-01' as CalendarDate }, '2027-01-01' as CalendarDate);

    expect(settled).toEqual(full);
    expect(full.lines.map((line) => [line.computation.item, line.amount.toString()])).toEqual([
      ['api_calls@v1:2026-12-01', '1.20'],
      ['seats@v1:2027-01-01', '250.00'],
    ]);
    // Before, settledThrough was not known: 12 periods measured for each date, 1 + 2 + … + n for a run of n dates.
    expect([inFull, measured]).toEqual([12, 1]);
  });

  it('bills each date of a run worked out from what the run settled exactly as worked out in full, over plan changes, usage, one-off charges, minimums and discounts (property)', async () => {
    const version = fc.record({
      month: fc.integer({ min: 1, max: 11 }),
      day: fc.integer({ min: 1, max: 28 }),
      seats: fc.integer({ min: 0, max: 20 }),
      timing: fc.constantFrom<'advance' | 'arrears'>('advance', 'arrears'),
      interval: fc.constantFrom<'monthly' | 'quarterly'>('monthly', 'quarterly'),
      alignment: fc.constantFrom<'calendar' | 'anniversary'>('calendar', 'anniversary'),
      price: fc.constantFrom<PriceModelInput>({ kind: 'per_unit', unitPrice: '0.10' }, { kind: 'volume', tiers: [{ upTo: '10', unitPrice: '1' }, { unitPrice: '0.5' }] }),
      minimum: fc.option(fc.constantFrom('5', '40'), { nil: undefined }),
      discount: fc.option(fc.constantFrom({ code: 'deal', kind: 'percentage' as const, percent: '10' }, { code: 'off', kind: 'fixed' as const, amount: '15.00', periods: 3 }), { nil: undefined }),
      ended: fc.boolean(),
    });
    const terms = (each: typeof version extends fc.Arbitrary<infer V> ? V : never): PlanTermsInput => ({
      interval: each.interval,
      alignment: each.alignment,
      charges: [seats(String(each.seats), '30', each.timing), calls(each.price)],
      ...(each.minimum === undefined ? {} : { minimum: { amount: each.minimum, vat: VAT } }),
      ...(each.discount === undefined ? {} : { discounts: [each.discount] }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(version, { maxLength: 3 }),
        fc.array(fc.record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), count: fc.integer({ min: 1, max: 30 }) }), { maxLength: 8 }),
        fc.array(fc.record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), quantity: fc.constantFrom('1', '-1', '0') }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 11 }),
        async (versions, usage, charges, firstRun) => {
          const day = (month: number, date: number) => `2026-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`;
          const ledgers = [true, false].map(() => {
            const plan = planFrom('2026-01-01', monthly([seats('5', '30'), calls({ kind: 'per_unit', unitPrice: '0.10' })]));
            return new Ledger(plan);
          });
          for (const ledger of ledgers) {
            // Received when they happened: those of days billed by the first run come late to the second.
            for (const each of usage) ledger.use(each.count, `${day(each.month, each.day)}T10:00:00Z`);
            ledger.oneOffs = charges.map((each, index) =>
              oneOffCharge({ date: day(each.month, each.day), name: `Service ${index}`, quantity: each.quantity, unitPrice: '12.50', vat: VAT }, { tenantId: TENANT, id: `c${index}`, partnershipId: PARTNERSHIP, currency: 'EUR', at: AT }),
            );
            // A first run, then changes of the plan (some over days billed), then a run of the rest of the year.
            await ledger.run(`2026-${String(firstRun).padStart(2, '0')}-15` as CalendarDate, undefined, { windowed: ledger === ledgers[0] });
            for (const each of versions) ledger.plan.replaceFrom(day(each.month, each.day), each.ended ? null : terms(each), AT);
            await ledger.run('2026-12-31' as CalendarDate, undefined, { windowed: ledger === ledgers[0] });
          }
          const [windowed, full] = ledgers as [Ledger, Ledger];
          expect(windowed.bills).toEqual(full.bills);
        },
      ),
      { numRuns: 100 },
    );
  });
});
