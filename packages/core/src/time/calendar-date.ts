import { ValidationError } from '../errors/domain-error';
import type { Clock } from './clock.port';

/**
 * A day of the calendar without time or zone, as ISO 8601 text (`2026-11-22`).
 * Invoice dates (issue, due, payment) are calendar days: comparing and adding days never crosses a time zone.
 */
export type CalendarDate = string & { readonly __brand: 'CalendarDate' };

/** A month as `YYYY-MM`. */
export type YearMonth = string & { readonly __brand: 'YearMonth' };

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * The day of a UTC instant. @throws ValidationError `date.out_of_range` past 9999-12-31, where ISO text would be
 * `+010000-01-01`, which sorts before every real date (and before 0100-01-01, the first day of the range).
 */
function fromUtc(time: number): CalendarDate {
  const text = Number.isFinite(time) ? new Date(time).toISOString() : '';
  if (!/^\d{4}-/.test(text) || text < '0100') throw outOfRange();
  return text.slice(0, 10) as CalendarDate;
}

function outOfRange(): ValidationError {
  return ValidationError.of('', 'date.out_of_range', 'a calendar date is between 0100-01-01 and 9999-12-31');
}

function toUtc(date: CalendarDate): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** The UTC time of a day; `Date.UTC` would read the years 0–99 as 1900–1999. Months and days past their end carry over. */
function utcTime(year: number, monthIndex: number, day: number): number {
  return new Date(0).setUTCFullYear(year, monthIndex, day);
}

/** 0100-01-01 at 00:00 UTC, the first instant of the range. */
const FIRST_DAY_MS = utcTime(100, 0, 1);

/**
 * `count` when it is a whole number: a fraction of a day or month has no calendar date, and would be rounded silently.
 * @throws ValidationError `request.is_int`
 */
function wholeNumber(count: number, what: string): number {
  if (!Number.isSafeInteger(count)) throw ValidationError.of('', 'request.is_int', `${what} must be a whole number, not ${String(count)}`);
  return count;
}

/**
 * Parses `YYYY-MM-DD` and checks the day exists (no 2026-02-30).
 * @throws ValidationError `date.malformed` | `date.out_of_range` (before 0100-01-01)
 */
export function parseCalendarDate(value: string): CalendarDate {
  const match = typeof value === 'string' ? DATE_PATTERN.exec(value) : null;
  if (!match || fromUtc(utcTime(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) !== value) {
    throw ValidationError.of('', 'date.malformed', `${JSON.stringify(value)} is not a calendar date such as "2026-11-22"`);
  }
  return value as CalendarDate;
}

/**
 * Parses `YYYY-MM`, a month of the days a {@link CalendarDate} may be (0100-01 to 9999-12).
 * @throws ValidationError `date.malformed` | `date.out_of_range` (before 0100-01)
 */
export function parseYearMonth(value: string): YearMonth {
  const match = typeof value === 'string' ? MONTH_PATTERN.exec(value) : null;
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) {
    throw ValidationError.of('', 'date.malformed', `${JSON.stringify(value)} is not a month such as "2026-11"`);
  }
  fromUtc(utcTime(Number(match[1]), month - 1, 1));
  return value as YearMonth;
}

/**
 * `date` plus `days` (negative to go back).
 * @throws ValidationError `request.is_int` | `date.out_of_range`
 */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromUtc(toUtc(date) + wholeNumber(days, 'days') * DAY_MS);
}

/**
 * `date` plus `months`, clamped to the last day of the target month (Jan 31 + 1 month = Feb 28/29).
 * @throws ValidationError `request.is_int` | `date.out_of_range`
 */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const index = year * 12 + month - 1 + wholeNumber(months, 'months');
  const [targetYear, targetMonth] = [Math.floor(index / 12), index - Math.floor(index / 12) * 12];
  const lastDay = new Date(utcTime(targetYear, targetMonth + 1, 0)).getUTCDate();
  return fromUtc(utcTime(targetYear, targetMonth, Math.min(day, lastDay)));
}

/** The last day of `date`'s month. */
export function endOfMonth(date: CalendarDate): CalendarDate {
  const [year, month] = date.split('-').map(Number) as [number, number];
  return fromUtc(utcTime(year, month, 0));
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** The month a date falls in. */
export function yearMonthOf(date: CalendarDate): YearMonth {
  return date.slice(0, 7) as YearMonth;
}

/**
 * `month` plus `months` (negative to go back).
 * @throws ValidationError `request.is_int` | `date.out_of_range`
 */
export function addYearMonths(month: YearMonth, months: number): YearMonth {
  return yearMonthOf(addMonths(`${month}-01` as CalendarDate, months));
}

/**
 * `value` when it names an IANA time zone (`Europe/Paris`, `UTC`): what a setting is checked with when it is read,
 * so that a misspelt zone stops start-up instead of failing every request after.
 * @throws ValidationError `date.unknown_time_zone` at `timeZone`
 */
export function parseTimeZone(value: unknown): string {
  // Not a string: Intl would take `undefined` for the machine's own zone, and 5 for "5".
  if (typeof value !== 'string') throw unknownTimeZone(value);
  formatterFor(value);
  return value;
}

function unknownTimeZone(value: unknown): ValidationError {
  return ValidationError.of('timeZone', 'date.unknown_time_zone', `${JSON.stringify(value) ?? String(value)} is not an IANA time zone`);
}

/** Today's date in an IANA time zone (e.g. `Europe/Paris`), as the clock sees it. */
export function today(clock: Clock, timeZone = 'UTC'): CalendarDate {
  return calendarDateAt(clock.now(), timeZone);
}

/** One formatter per time zone: building an `Intl.DateTimeFormat` costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Zone names are matched without regard to case, so their spellings are many: past this many, formatters are not kept. */
const MAX_FORMATTERS = 1_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', numberingSystem: 'latn' });
    } catch {
      throw unknownTimeZone(timeZone);
    }
    if (formatters.size < MAX_FORMATTERS) formatters.set(timeZone, format);
  }
  return format;
}

/**
 * The calendar date of an instant in an IANA time zone.
 * @throws ValidationError `date.unknown_time_zone` | `date.malformed` (not a valid `Date`) | `date.out_of_range`
 */
export function calendarDateAt(instant: Date, timeZone = 'UTC'): CalendarDate {
  const format = formatterFor(timeZone);
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw ValidationError.of('', 'date.malformed', `${String(instant)} is not a valid instant`);
  }
  // Assembled from typed parts, not from a locale's layout: 'en-CA' prints YYYY-MM-DD only where full ICU data is present.
  const parts = format.formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes, width: number): string => (parts.find((part) => part.type === type)?.value ?? '').padStart(width, '0');
  const text = `${field('year', 4)}-${field('month', 2)}-${field('day', 2)}`;
  // Past 9999 the year has five digits; before year 1 the era is left out (500 BC prints as 0500): checked by instant.
  if (text.length !== 10 || text < '0100' || instant.getTime() < FIRST_DAY_MS - DAY_MS) throw outOfRange();
  return text as CalendarDate;
}

/** One wall-clock formatter per time zone (see {@link formatterFor}). */
const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** How far ahead of UTC the wall clock of `timeZone` is at an instant, in milliseconds (whole seconds). */
function offsetAt(instant: number, timeZone: string): number {
  let format = wallFormatters.get(timeZone);
  if (!format) {
    formatterFor(timeZone); // refuses an unknown zone with the usual error
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short', numberingSystem: 'latn' });
    if (wallFormatters.size < MAX_FORMATTERS) wallFormatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return wall.getTime() - (instant - (((instant % 1000) + 1000) % 1000));
}

/**
 * The first instant of a calendar date in an IANA time zone: its midnight, or, where a clock change skips midnight,
 * the moment the day begins; for a day the zone skipped altogether (Pacific/Apia 2011-12-30), the moment the next day
 * begins, so that it holds no instant. Billing periods of calendar dates start and end at these instants.
 * @throws ValidationError `date.unknown_time_zone`
 */
export function startOfDay(date: CalendarDate, timeZone = 'UTC'): Date {
  const midnight = toUtc(date);
  const day = midnight / DAY_MS;
  // The day of an instant on the zone's wall clock, counted from 1970-01-01: numbers rather than calendar dates, which
  // end at 0100-01-01 and 9999-12-31 while the day before the first and after the last must still compare.
  const dayOf = (instant: number): number => Math.floor((instant + offsetAt(instant, timeZone)) / DAY_MS);
  let start = midnight - offsetAt(midnight, timeZone);
  start = midnight - offsetAt(start, timeZone);
  // Rare: a clock change at midnight, or a skipped day. The day then starts at the first instant on it or after it.
  if (dayOf(start) !== day || dayOf(start - 1) >= day) {
    let low = start - 1;
    let high = start;
    // Widened until the day begins between them: a clock change moves it by hours, a skipped day by a day.
    while (dayOf(low) >= day) low -= 6 * 3_600_000;
    while (dayOf(high) < day) high += 6 * 3_600_000;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (dayOf(middle) >= day) high = middle;
      else low = middle;
    }
    start = high;
  }
  return new Date(start);
}
