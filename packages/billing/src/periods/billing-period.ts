import { Money, ValidationError, addMonths, daysBetween, decimal, type CalendarDate, type CurrencyCode } from '@invoicing/core';

/** How often a plan bills. */
export type BillingInterval = 'monthly' | 'quarterly' | 'yearly';
export const BILLING_INTERVALS: readonly BillingInterval[] = ['monthly', 'quarterly', 'yearly'];

/**
 * Where periods start: on the calendar (the 1st of the month; of January, April, July and October; of January), or on
 * the anniversary of the plan's start (the 15th of each month for a plan that started on a 15th; the end of a month
 * for the 31st).
 */
export type PeriodAlignment = 'calendar' | 'anniversary';
export const PERIOD_ALIGNMENTS: readonly PeriodAlignment[] = ['calendar', 'anniversary'];

/** The periods a plan bills in: their length, their alignment, and the day anniversaries count from. */
export interface BillingCycle {
  readonly interval: BillingInterval;
  readonly alignment: PeriodAlignment;
  /** The plan's first day: anniversaries count from it. */
  readonly anchor: CalendarDate;
}

/** Days from `start` (included) to `end` (excluded): two periods that follow each other share a boundary, not a day. */
export interface DateRange {
  readonly start: CalendarDate;
  readonly end: CalendarDate;
}

/** A billing period: a {@link DateRange} of one cycle. */
export type BillingPeriod = DateRange;

const MONTHS: Record<BillingInterval, number> = { monthly: 1, quarterly: 3, yearly: 12 };

/** The period of `cycle` that contains `date`. */
export function periodContaining(cycle: BillingCycle, date: CalendarDate): BillingPeriod {
  const months = MONTHS[cycle.interval];
  if (cycle.alignment === 'calendar') {
    const [year, month] = date.split('-').map(Number) as [number, number];
    const firstMonth = Math.floor((month - 1) / months) * months + 1;
    const start = `${String(year).padStart(4, '0')}-${String(firstMonth).padStart(2, '0')}-01` as CalendarDate;
    return { start, end: addMonths(start, months) };
  }
  // Anniversaries count from the anchor each time (the 31st gives Feb 28, then Mar 31), never from the period before.
  let index = Math.floor(monthsBetween(cycle.anchor, date) / months);
  while (anniversary(cycle, index) > date) index -= 1;
  while (anniversary(cycle, index + 1) <= date) index += 1;
  return { start: anniversary(cycle, index), end: anniversary(cycle, index + 1) };
}

/** The period after `period` in `cycle`. */
export function nextPeriod(cycle: BillingCycle, period: BillingPeriod): BillingPeriod {
  return periodContaining(cycle, period.end);
}

/** The first and last days of the calendar (docs/README.md): billing knows no day outside them. */
export const FIRST_CALENDAR_DAY = '0100-01-01' as CalendarDate;
export const LAST_CALENDAR_DAY = '9999-12-31' as CalendarDate;

/**
 * The period of `cycle` that contains `date`, or undefined when that period would end after 9999-12-31, the last day of
 * the calendar (a month from 9999-12-01, a year from 9999-06-15): no date ends it, so none of its days is ever billed.
 */
export function billablePeriod(cycle: BillingCycle, date: CalendarDate): BillingPeriod | undefined {
  try {
    return periodContaining(cycle, date);
  } catch (error) {
    if (error instanceof ValidationError && error.issues.every((issue) => issue.code === 'date.out_of_range')) return undefined;
    throw error;
  }
}

/** The period after `period`, or undefined when it would end after the calendar's last day ({@link billablePeriod}). */
export function billablePeriodAfter(cycle: BillingCycle, period: BillingPeriod): BillingPeriod | undefined {
  return period.end >= LAST_CALENDAR_DAY ? undefined : billablePeriod(cycle, period.end);
}

/** Days in a range. */
export function daysIn(range: DateRange): number {
  return daysBetween(range.start, range.end);
}

/**
 * What a fee for a whole period comes to for the days of `part` (a range within the period). The rule: the share of the
 * fee up to a day is the fee × the days of the period before that day ÷ the days of the period, rounded half up to the
 * currency; a part's amount is the share up to its end less the share up to its start. So the parts of a period always
 * add up to the fee, whatever days it is cut at, to the cent (docs/billing-pricing.md#proration).
 * @throws ValidationError `billing.range_outside_period` when `part` is not within `period`
 */
export function prorate<C extends CurrencyCode>(fee: Money<C>, period: BillingPeriod, part: DateRange): Money<C> {
  const days = daysIn(period);
  const from = daysBetween(period.start, part.start);
  const to = daysBetween(period.start, part.end);
  if (from < 0 || to > days || from > to) {
    throw ValidationError.of('', 'billing.range_outside_period', `${part.start}…${part.end} is not within the period ${period.start}…${period.end}`);
  }
  return shareUpTo(fee, to, days).subtract(shareUpTo(fee, from, days));
}

function shareUpTo<C extends CurrencyCode>(fee: Money<C>, day: number, days: number): Money<C> {
  if (day === 0) return Money.zero(fee.currency);
  if (day === days) return fee;
  return Money.fromDecimal(fee.toDecimal().times(day).dividedBy(days), fee.currency);
}

function anniversary(cycle: BillingCycle, index: number): CalendarDate {
  return addMonths(cycle.anchor, index * MONTHS[cycle.interval]);
}

function monthsBetween(from: CalendarDate, to: CalendarDate): number {
  const [fromYear, fromMonth] = from.split('-').map(Number) as [number, number];
  const [toYear, toMonth] = to.split('-').map(Number) as [number, number];
  return (toYear - fromYear) * 12 + (toMonth - fromMonth);
}

/** The proration factor of a part, days over days, as the explanation of a prorated line shows it. */
export function prorationFactor(period: BillingPeriod, part: DateRange): { readonly days: number; readonly periodDays: number; readonly factor: string } {
  const days = daysIn(part);
  const periodDays = daysIn(period);
  return { days, periodDays, factor: decimal(days).dividedBy(periodDays).toSignificantDigits(10).toString() };
}
