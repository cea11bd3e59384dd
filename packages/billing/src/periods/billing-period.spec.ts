import { Money, addDays, parseCalendarDate, type CalendarDate } from '@invoicing/core';
import fc from 'fast-check';
import { daysIn, nextPeriod, periodContaining, prorate, prorationFactor, type BillingCycle, type BillingInterval, type PeriodAlignment } from './billing-period';

const day = (text: string) => parseCalendarDate(text);
const cycle = (interval: BillingInterval, alignment: PeriodAlignment, anchor = '2026-01-31'): BillingCycle => ({ interval, alignment, anchor: day(anchor) });

describe('billing periods', () => {
  it('on the calendar: months, quarters from January, April, July and October, years from January', () => {
    expect(periodContaining(cycle('monthly', 'calendar'), day('2026-02-14'))).toEqual({ start: '2026-02-01', end: '2026-03-01' });
    expect(periodContaining(cycle('quarterly', 'calendar'), day('2026-05-31'))).toEqual({ start: '2026-04-01', end: '2026-07-01' });
    expect(periodContaining(cycle('quarterly', 'calendar'), day('2026-12-31'))).toEqual({ start: '2026-10-01', end: '2027-01-01' });
    expect(periodContaining(cycle('yearly', 'calendar'), day('2028-02-29'))).toEqual({ start: '2028-01-01', end: '2029-01-01' });
  });

  it('on the anniversary: counted from the plan start each time, the 31st falling on the last day of shorter months', () => {
    const monthly = cycle('monthly', 'anniversary', '2026-01-31');
    expect(periodContaining(monthly, day('2026-01-31'))).toEqual({ start: '2026-01-31', end: '2026-02-28' });
    expect(periodContaining(monthly, day('2026-02-28'))).toEqual({ start: '2026-02-28', end: '2026-03-31' });
    expect(periodContaining(monthly, day('2026-04-30'))).toEqual({ start: '2026-04-30', end: '2026-05-31' });
    expect(periodContaining(monthly, day('2025-12-31'))).toEqual({ start: '2025-12-31', end: '2026-01-31' });
    expect(periodContaining(cycle('yearly', 'anniversary', '2024-02-29'), day('2025-03-01'))).toEqual({ start: '2025-02-28', end: '2026-02-28' });
    expect(periodContaining(cycle('quarterly', 'anniversary', '2026-01-15'), day('2026-04-14'))).toEqual({ start: '2026-01-15', end: '2026-04-15' });
  });

  it('tiles time: each period contains its days, and the next one starts where it ends', () => {
    const dates = fc.integer({ min: 0, max: 3 * 366 }).map((offset) => addDays(day('2025-01-01'), offset));
    const cycles = fc.record({
      interval: fc.constantFrom<BillingInterval>('monthly', 'quarterly', 'yearly'),
      alignment: fc.constantFrom<PeriodAlignment>('calendar', 'anniversary'),
      anchor: dates,
    });
    fc.assert(
      fc.property(cycles, dates, (billing, date) => {
        const period = periodContaining(billing, date);
        expect(period.start <= date && date < period.end).toBe(true);
        expect(nextPeriod(billing, period).start).toBe(period.end);
        expect(periodContaining(billing, addDays(period.end, -1))).toEqual(period);
        expect(daysIn(period)).toBeGreaterThanOrEqual(billing.interval === 'monthly' ? 28 : billing.interval === 'quarterly' ? 89 : 365);
      }),
    );
  });
});

describe('prorate', () => {
  const march = { start: day('2026-03-01'), end: day('2026-04-01') };

  it('charges the days a plan was active: 100.00 for March, from the 11th, is 21/31 of it', () => {
    expect(prorate(Money.of('100.00', 'EUR'), march, { start: day('2026-03-11'), end: march.end }).toString()).toBe('67.74');
    expect(prorate(Money.of('100.00', 'EUR'), march, { start: march.start, end: day('2026-03-11') }).toString()).toBe('32.26');
    expect(prorationFactor(march, { start: day('2026-03-11'), end: march.end })).toEqual({ days: 21, periodDays: 31, factor: '0.6774193548' });
    expect(prorate(Money.of('100.00', 'EUR'), march, march).toString()).toBe('100.00');
    expect(prorate(Money.of('100', 'JPY'), march, { start: march.start, end: march.start }).toString()).toBe('0');
  });

  it('refuses a range outside the period', () => {
    expect(() => prorate(Money.of('1.00', 'EUR'), march, { start: day('2026-02-28'), end: march.end })).toThrow(expect.objectContaining({ code: 'billing.range_outside_period' }) as unknown as Error);
    expect(() => prorate(Money.of('1.00', 'EUR'), march, { start: day('2026-03-20'), end: day('2026-03-10') })).toThrow(/not within/);
  });

  it('splitting a period at any days and billing the parts equals billing the whole period, to the cent', () => {
    const fees = fc.tuple(fc.bigInt({ min: -10_000_000_000n, max: 10_000_000_000n }), fc.constantFrom('EUR', 'JPY', 'BHD')).map(([minor, currency]) => Money.ofMinor(minor, currency));
    const periods = fc.record({ offset: fc.integer({ min: 0, max: 2000 }), length: fc.integer({ min: 1, max: 366 }) }).map(({ offset, length }) => {
      const start = addDays(day('2024-01-01'), offset);
      return { start, end: addDays(start, length) };
    });
    fc.assert(
      fc.property(fees, periods, fc.array(fc.nat(), { maxLength: 6 }), (fee, period, cuts) => {
        const days = daysIn(period);
        const bounds = [...new Set([0, days, ...cuts.map((cut) => cut % (days + 1))])].sort((a, b) => a - b);
        const parts = bounds.slice(1).map((to, index) => prorate(fee, period, { start: addDays(period.start, bounds[index] as number), end: addDays(period.start, to) as CalendarDate }));
        expect(Money.sum(fee.currency, parts).equals(fee)).toBe(true);
      }),
    );
  });
});
