import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FixedClock } from '../testing';
import {
  addDays,
  addMonths,
  addYearMonths,
  calendarDateAt,
  daysBetween,
  endOfMonth,
  parseCalendarDate,
  parseTimeZone,
  parseYearMonth,
  startOfDay,
  today,
  yearMonthOf,
  type CalendarDate,
  type YearMonth,
} from './calendar-date';

const validationError = (code: string) => expect.objectContaining({ name: 'ValidationError', code });
const date = (text: string): CalendarDate => parseCalendarDate(text);
const month = (text: string): YearMonth => parseYearMonth(text);

// Independent of the code under test: the Gregorian rules written out.
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, monthNumber: number): number =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][monthNumber - 1] ?? Number.NaN;
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** Any existing day from 1900 to 2399. */
const anyDate = fc
  .tuple(fc.integer({ min: 1900, max: 2399 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
  .map(([year, monthNumber, day]) => `${pad(year, 4)}-${pad(monthNumber, 2)}-${pad(Math.min(day, daysIn(year, monthNumber)), 2)}`);

describe('CalendarDate', () => {
  describe('parseCalendarDate', () => {
    it.each(['2026-11-22', '2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '1999-12-31'])('accepts the existing day %s', (text) => {
      expect(parseCalendarDate(text)).toBe(text);
    });

    it('accepts every existing day', () => {
      fc.assert(fc.property(anyDate, (text) => expect(parseCalendarDate(text)).toBe(text)));
    });

    it.each([
      '2026-02-29',
      '1900-02-29',
      '2026-02-30',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '2026-01-32',
      '2026-1-1',
      '2026-01-1',
      '26-01-01',
      '2026/01/01',
      '2026-01-01T00:00:00Z',
      ' 2026-01-01',
      '2026-01-01 ',
      '',
    ])('throws date.malformed for %j', (text) => {
      expect(() => parseCalendarDate(text)).toThrow(validationError('date.malformed'));
    });

    it('throws date.malformed for a value that is not a string', () => {
      expect(() => parseCalendarDate(20260101 as never)).toThrow(validationError('date.malformed'));
      expect(() => parseCalendarDate(new Date('2026-01-01') as never)).toThrow(validationError('date.malformed'));
    });
  });

  describe('parseYearMonth', () => {
    it.each(['2026-01', '2026-12', '1999-07'])('accepts %s', (text) => {
      expect(parseYearMonth(text)).toBe(text);
    });

    it.each(['2026-00', '2026-13', '2026-1', '26-01', '2026-01-01', '2026/01', '', ' 2026-01'])('throws date.malformed for %j', (text) => {
      expect(() => parseYearMonth(text)).toThrow(validationError('date.malformed'));
    });

    it('throws date.malformed for a value that is not a string', () => {
      expect(() => parseYearMonth(202601 as never)).toThrow(validationError('date.malformed'));
    });

    it('takes the months of the days a date may be, 0100-01 to 9999-12, and refuses earlier ones as parseCalendarDate does', () => {
      expect(parseYearMonth('0100-01')).toBe('0100-01');
      expect(parseYearMonth('9999-12')).toBe('9999-12');
      for (const text of ['0000-01', '0050-06', '0099-12']) {
        expect(() => parseYearMonth(text)).toThrow(validationError('date.out_of_range'));
        expect(() => parseCalendarDate(`${text}-01`)).toThrow(validationError('date.out_of_range'));
      }
    });
  });

  describe('the range of dates', () => {
    it('refuses a day past 9999-12-31 or before 0100-01-01 (date.out_of_range), which ISO text would write +010000-01-01', () => {
      expect(addDays(parseCalendarDate('9999-12-30'), 1)).toBe('9999-12-31');
      expect(() => addDays(parseCalendarDate('9999-12-31'), 30)).toThrow(expect.objectContaining({ code: 'date.out_of_range' }) as unknown as Error);
      expect(() => addMonths(parseCalendarDate('9999-12-15'), 1)).toThrow(expect.objectContaining({ code: 'date.out_of_range' }) as unknown as Error);
      expect(() => addDays(parseCalendarDate('0100-01-01'), -1)).toThrow(expect.objectContaining({ code: 'date.out_of_range' }) as unknown as Error);
    });

    it('counts months in the first centuries of the range as in any other (Date.UTC reads years 0–99 as 1900–1999)', () => {
      expect(addMonths(date('0100-01-31'), 1)).toBe('0100-02-28');
      expect(addMonths(date('0104-01-31'), 1)).toBe('0104-02-29');
      expect(addMonths(date('0100-03-15'), -2)).toBe('0100-01-15');
      expect(endOfMonth(date('0104-02-10'))).toBe('0104-02-29');
      expect(endOfMonth(date('0100-02-10'))).toBe('0100-02-28');
      expect(addYearMonths(month('0100-01'), 1)).toBe('0100-02');
      expect(addYearMonths(month('0100-12'), 1)).toBe('0101-01');
      expect(addYearMonths(month('9999-11'), 1)).toBe('9999-12');
    });

    it('refuses month arithmetic that leaves the range (date.out_of_range)', () => {
      expect(() => addMonths(date('0100-02-15'), -2)).toThrow(validationError('date.out_of_range'));
      expect(() => addYearMonths(month('0100-01'), -1)).toThrow(validationError('date.out_of_range'));
      expect(() => addYearMonths(month('9999-12'), 1)).toThrow(validationError('date.out_of_range'));
      expect(() => addMonths(date('2026-01-15'), 1e15)).toThrow(validationError('date.out_of_range'));
    });

    it('adds months exactly for any day of the range', () => {
      const anyDayOfTheRange = fc
        .tuple(fc.integer({ min: 100, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
        .map(([year, monthNumber, day]) => [year, monthNumber, Math.min(day, daysIn(year, monthNumber))] as const);
      fc.assert(
        fc.property(anyDayOfTheRange, fc.integer({ min: -2400, max: 2400 }), ([year, monthNumber, day], months) => {
          const index = year * 12 + (monthNumber - 1) + months;
          const [targetYear, targetMonth] = [Math.floor(index / 12), (index % 12) + 1];
          const from = date(`${pad(year, 4)}-${pad(monthNumber, 2)}-${pad(day, 2)}`);
          if (targetYear < 100 || targetYear > 9999) {
            expect(() => addMonths(from, months)).toThrow(validationError('date.out_of_range'));
            return;
          }
          expect(addMonths(from, months)).toBe(`${pad(targetYear, 4)}-${pad(targetMonth, 2)}-${pad(Math.min(day, daysIn(targetYear, targetMonth)), 2)}`);
          expect(endOfMonth(from)).toBe(`${pad(year, 4)}-${pad(monthNumber, 2)}-${pad(daysIn(year, monthNumber), 2)}`);
        }),
      );
    });
  });

  describe('whole numbers of days and months', () => {
    it.each([
      ['addDays', () => addDays(date('2026-03-01'), 1.5)],
      ['addDays', () => addDays(date('2026-03-01'), Number.NaN)],
      ['addDays', () => addDays(date('2026-03-01'), Number.POSITIVE_INFINITY)],
      ['addDays', () => addDays(date('2026-03-01'), '1' as never)],
      ['addMonths', () => addMonths(date('2026-03-31'), 0.5)],
      ['addMonths', () => addMonths(date('2026-03-31'), Number.NaN)],
      ['addYearMonths', () => addYearMonths(month('2026-03'), -0.25)],
    ])('%s refuses a count that is not a whole number (request.is_int)', (_name, run) => {
      expect(run).toThrow(validationError('request.is_int'));
      expect(run).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: '', code: 'request.is_int' })] }));
    });
  });

  describe('addDays', () => {
    it.each([
      ['2026-11-22', 30, '2026-12-22'],
      ['2026-01-31', 1, '2026-02-01'],
      ['2026-02-28', 1, '2026-03-01'],
      ['2024-02-28', 1, '2024-02-29'],
      ['2024-02-29', 1, '2024-03-01'],
      ['2026-12-31', 1, '2027-01-01'],
      ['2027-01-01', -1, '2026-12-31'],
      ['2024-03-01', -1, '2024-02-29'],
      ['2026-03-01', -1, '2026-02-28'],
      ['2024-01-01', 365, '2024-12-31'],
      ['2026-01-01', 365, '2027-01-01'],
      ['2026-03-28', 2, '2026-03-30'],
      ['2026-06-15', 0, '2026-06-15'],
    ])('gives %s + %i days = %s', (from, days, expected) => {
      expect(addDays(date(from), days)).toBe(expected);
    });

    it('moves by exactly the given number of days and back, for any date', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: -20_000, max: 20_000 }), (text, days) => {
          const moved = addDays(date(text), days);

          expect(parseCalendarDate(moved)).toBe(moved);
          expect(daysBetween(date(text), moved)).toBe(days);
          expect(addDays(moved, -days)).toBe(text);
        }),
      );
    });
  });

  describe('addMonths', () => {
    it.each([
      ['2026-01-31', 1, '2026-02-28'],
      ['2024-01-31', 1, '2024-02-29'],
      ['2026-03-31', 1, '2026-04-30'],
      ['2026-03-31', -1, '2026-02-28'],
      ['2026-05-31', -1, '2026-04-30'],
      ['2026-01-15', 1, '2026-02-15'],
      ['2026-12-15', 1, '2027-01-15'],
      ['2026-01-15', -1, '2025-12-15'],
      ['2024-02-29', 12, '2025-02-28'],
      ['2024-02-29', 48, '2028-02-29'],
      ['2026-08-31', -13, '2025-07-31'],
      ['2026-11-22', 0, '2026-11-22'],
    ])('gives %s + %i months = %s', (from, months, expected) => {
      expect(addMonths(date(from), months)).toBe(expected);
    });

    it('lands in the target month on the same day, or its last day when that month is shorter, for any date', () => {
      fc.assert(
        fc.property(anyDate, fc.integer({ min: -600, max: 600 }), (text, months) => {
          const [year, monthNumber, day] = text.split('-').map(Number) as [number, number, number];
          const index = year * 12 + (monthNumber - 1) + months;
          const targetYear = Math.floor(index / 12);
          const targetMonth = (index % 12) + 1;
          const expected = `${pad(targetYear, 4)}-${pad(targetMonth, 2)}-${pad(Math.min(day, daysIn(targetYear, targetMonth)), 2)}`;

          expect(addMonths(date(text), months)).toBe(expected);
        }),
      );
    });
  });

  describe('endOfMonth', () => {
    it.each([
      ['2026-02-10', '2026-02-28'],
      ['2024-02-01', '2024-02-29'],
      ['2000-02-15', '2000-02-29'],
      ['1900-02-15', '1900-02-28'],
      ['2026-04-30', '2026-04-30'],
      ['2026-12-05', '2026-12-31'],
      ['2026-01-01', '2026-01-31'],
    ])('gives the last day of %s as %s', (from, expected) => {
      expect(endOfMonth(date(from))).toBe(expected);
    });
  });

  describe('daysBetween', () => {
    it.each([
      ['2026-01-01', '2026-01-01', 0],
      ['2026-01-01', '2026-01-31', 30],
      ['2026-01-31', '2026-01-01', -30],
      ['2026-01-01', '2027-01-01', 365],
      ['2024-01-01', '2025-01-01', 366],
      ['2026-02-28', '2026-03-01', 1],
      ['2024-02-28', '2024-03-01', 2],
      ['2026-03-28', '2026-03-30', 2],
    ])('counts %s to %s as %i days', (from, to, days) => {
      expect(daysBetween(date(from), date(to))).toBe(days);
    });
  });

  describe('yearMonthOf', () => {
    it('is the year and month of the date', () => {
      expect(yearMonthOf(date('2026-11-22'))).toBe('2026-11');
      expect(yearMonthOf(date('2024-02-29'))).toBe('2024-02');
    });
  });

  describe('addYearMonths', () => {
    it.each([
      ['2026-11', 2, '2027-01'],
      ['2026-01', -1, '2025-12'],
      ['2026-06', 0, '2026-06'],
      ['2026-06', 24, '2028-06'],
      ['2026-06', -18, '2024-12'],
    ])('gives %s + %i months = %s', (from, months, expected) => {
      expect(addYearMonths(month(from), months)).toBe(expected);
    });
  });

  describe('today', () => {
    const clock = new FixedClock();

    it.each([
      // New Zealand is UTC+13 in January (daylight saving) and UTC+12 in July.
      ['2026-01-15T10:59:59.999Z', '2026-01-15', '2026-01-15'],
      ['2026-01-15T11:00:00.000Z', '2026-01-15', '2026-01-16'],
      ['2026-01-15T23:59:59.999Z', '2026-01-15', '2026-01-16'],
      ['2026-01-16T00:00:00.000Z', '2026-01-16', '2026-01-16'],
      ['2026-07-15T11:59:59.999Z', '2026-07-15', '2026-07-15'],
      ['2026-07-15T12:00:00.000Z', '2026-07-15', '2026-07-16'],
      ['2026-12-31T11:00:00.000Z', '2026-12-31', '2027-01-01'],
    ])('at %s is %s in UTC and %s in Pacific/Auckland', (instant, utc, auckland) => {
      clock.set(instant);

      expect(today(clock, 'UTC')).toBe(utc);
      expect(today(clock, 'Pacific/Auckland')).toBe(auckland);
    });

    it('is still yesterday west of UTC shortly after midnight UTC', () => {
      clock.set('2026-03-01T07:59:59Z');

      expect(today(clock, 'America/Los_Angeles')).toBe('2026-02-28');
    });

    it('uses UTC when no time zone is given', () => {
      clock.set('2026-01-15T23:30:00Z');

      expect(today(clock)).toBe('2026-01-15');
    });

    it.each(['Mars/Olympus', 'Europe/Pariss', ''])('throws date.unknown_time_zone for %j', (timeZone) => {
      expect(() => today(clock, timeZone)).toThrow(validationError('date.unknown_time_zone'));
      expect(() => today(clock, timeZone)).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'timeZone' })] }));
    });
  });

  describe('calendarDateAt', () => {
    it('gives the date of an instant in a zone as YYYY-MM-DD', () => {
      expect(calendarDateAt(new Date('2026-11-22T23:30:00Z'), 'Europe/Paris')).toBe('2026-11-23');
      expect(calendarDateAt(new Date('2026-11-22T23:30:00Z'))).toBe('2026-11-22');
    });

    it('pads years below 1000 to four digits', () => {
      expect(calendarDateAt(new Date('0999-06-01T12:00:00Z'))).toBe('0999-06-01');
    });

    it.each([
      ['an invalid date', new Date(Number.NaN), 'date.malformed'],
      ['a string', '2026-01-01T00:00:00Z', 'date.malformed'],
      ['null', null, 'date.malformed'],
      ['an instant past 9999-12-31', new Date('+010000-01-01T12:00:00Z'), 'date.out_of_range'],
      ['an instant before 0100-01-01', new Date('0099-12-31T12:00:00Z'), 'date.out_of_range'],
    ])('refuses %s with a typed error', (_case, instant, code) => {
      expect(() => calendarDateAt(instant as Date, 'UTC')).toThrow(validationError(code));
      expect(() => calendarDateAt(instant as Date, 'UTC')).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: '', code })] }));
    });

    it('agrees with the UTC calendar for any instant when the zone is UTC', () => {
      fc.assert(
        fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2399-12-31T23:59:59Z'), noInvalidDate: true }), (instant) => {
          expect(calendarDateAt(instant, 'UTC')).toBe(instant.toISOString().slice(0, 10));
        }),
      );
    });
  });

  describe('parseTimeZone', () => {
    it.each(['UTC', 'Europe/Paris', 'Pacific/Auckland', 'Etc/GMT+1'])('takes the IANA zone %s', (zone) => {
      expect(parseTimeZone(zone)).toBe(zone);
    });

    it.each(['Europe/Pariss', 'Mars/Olympus', '', ' UTC', '+01:00', 5, null, undefined])('throws date.unknown_time_zone at timeZone for %j', (zone) => {
      expect(() => parseTimeZone(zone)).toThrow(validationError('date.unknown_time_zone'));
      expect(() => parseTimeZone(zone)).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'timeZone' })] }));
    });
  });

  describe('startOfDay', () => {
    it('is midnight on the wall clock of the zone, summer or winter', () => {
      expect(startOfDay(date('2026-01-15'), 'Europe/Paris').toISOString()).toBe('2026-01-14T23:00:00.000Z');
      expect(startOfDay(date('2026-07-15'), 'Europe/Paris').toISOString()).toBe('2026-07-14T22:00:00.000Z');
      expect(startOfDay(date('2026-03-29'), 'Europe/Paris').toISOString()).toBe('2026-03-28T23:00:00.000Z');
      expect(startOfDay(date('2026-03-30'), 'Europe/Paris').toISOString()).toBe('2026-03-29T22:00:00.000Z');
      expect(startOfDay(date('2026-03-02'), 'Asia/Kolkata').toISOString()).toBe('2026-03-01T18:30:00.000Z');
      expect(startOfDay(date('2026-03-02')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    });

    it('is the moment the day begins where a clock change skips midnight', () => {
      // Brazil moved its clocks from 00:00 to 01:00 on 4 November 2018.
      expect(startOfDay(date('2018-11-04'), 'America/Sao_Paulo').toISOString()).toBe('2018-11-04T03:00:00.000Z');
      // …and from 00:00 back to 23:00 the day before on 17 February 2019: the 17th starts at the second midnight's end.
      expect(startOfDay(date('2019-02-17'), 'America/Sao_Paulo').toISOString()).toBe('2019-02-17T03:00:00.000Z');
    });

    it('starts the calendar\'s first and last days in every zone (a first day whose day before is outside the calendar)', () => {
      // Before, 0100-01-01 threw date.out_of_range in every zone, UTC too: it looked at the day before it.
      expect(startOfDay(date('0100-01-01')).toISOString()).toBe('0100-01-01T00:00:00.000Z');
      // Local mean time, the zones' offsets before their first rule: Paris +0:09:21, New York −4:56:02.
      expect(startOfDay(date('0100-01-01'), 'Europe/Paris').toISOString()).toBe('0099-12-31T23:50:39.000Z');
      expect(startOfDay(date('0100-01-01'), 'America/New_York').toISOString()).toBe('0100-01-01T04:56:02.000Z');
      expect(startOfDay(date('9999-12-31'), 'Pacific/Kiritimati').toISOString()).toBe('9999-12-30T10:00:00.000Z');
      expect(startOfDay(date('9999-12-31'), 'Etc/GMT+12').toISOString()).toBe('9999-12-31T12:00:00.000Z');
      for (const zone of ['UTC', 'Europe/Paris', 'America/New_York', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Kolkata']) {
        expect({ zone, day: calendarDateAt(startOfDay(date('0100-01-01'), zone), zone) }).toEqual({ zone, day: '0100-01-01' });
        expect({ zone, next: startOfDay(date('0100-01-02'), zone).getTime() - startOfDay(date('0100-01-01'), zone).getTime() }).toEqual({ zone, next: 86_400_000 });
      }
    });

    it('starts a day a zone skipped where the next day starts: the day before ends there, and the skipped day is empty', () => {
      // Samoa went from 29 December 2011 23:59:59 (UTC−10) to 31 December 00:00 (UTC+14); Kiritimati from 30 December
      // 1994 (UTC−10) to 1 January 1995 (UTC+14). Before, both days started inside the day before, 18 hours too early.
      expect(startOfDay(date('2011-12-30'), 'Pacific/Apia').toISOString()).toBe('2011-12-30T10:00:00.000Z');
      expect(startOfDay(date('2011-12-31'), 'Pacific/Apia').toISOString()).toBe('2011-12-30T10:00:00.000Z');
      expect(startOfDay(date('2011-12-29'), 'Pacific/Apia').toISOString()).toBe('2011-12-29T10:00:00.000Z');
      expect(startOfDay(date('1994-12-31'), 'Pacific/Kiritimati').toISOString()).toBe('1994-12-31T10:00:00.000Z');
      expect(startOfDay(date('1995-01-01'), 'Pacific/Kiritimati').toISOString()).toBe('1994-12-31T10:00:00.000Z');
      expect(calendarDateAt(new Date(Date.parse('1994-12-31T10:00:00.000Z') - 1), 'Pacific/Kiritimati')).toBe('1994-12-30');
    });

    it('starts each day where the day before ends, in any zone', () => {
      const zones = ['Europe/Paris', 'America/Sao_Paulo', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/Havana', 'UTC'];
      fc.assert(
        fc.property(fc.constantFrom(...zones), fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true }), (zone, instant) => {
          const day = calendarDateAt(instant, zone);
          const start = startOfDay(day, zone);
          expect(calendarDateAt(start, zone)).toBe(day);
          expect(calendarDateAt(new Date(start.getTime() - 1), zone)).toBe(addDays(day, -1));
          expect(start.getTime()).toBeLessThanOrEqual(instant.getTime());
        }),
      );
    });

    it('refuses an unknown zone', () => {
      expect(() => startOfDay(date('2026-03-02'), 'Mars/Olympus')).toThrow(validationError('date.unknown_time_zone'));
    });
  });
});
