import { describe, expect, it } from '@jest/globals';
import * as core from './index';
import * as testing from './testing';

describe('@invoicing/core', () => {
  it('exports the values other packages build on', () => {
    const classes = [
      'Money',
      'CurrencyMismatchError',
      'DomainError',
      'ValidationError',
      'NotFoundError',
      'ConflictError',
      'InvalidStateError',
      'AggregateRoot',
      'UuidV7IdGenerator',
      'SystemClock',
      'Decimal',
    ] as const;
    const functions = [
      'decimal',
      'formatDecimal',
      'currencyOf',
      'isCurrencyCode',
      'parseCurrencyCode',
      'atPath',
      'collectIssues',
      'definedFields',
      'requiredObject',
      'requiredList',
      'parseId',
      'tenantId',
      'pageOf',
      'pageLimit',
      'pageRequest',
      'encodeCursor',
      'decodeCursor',
      'addDays',
      'addMonths',
      'addYearMonths',
      'calendarDateAt',
      'daysBetween',
      'endOfMonth',
      'parseCalendarDate',
      'parseTimeZone',
      'parseYearMonth',
      'startOfDay',
      'today',
      'yearMonthOf',
    ] as const;

    for (const name of [...classes, ...functions]) expect([name, typeof core[name]]).toEqual([name, 'function']);
    for (const token of [core.CLOCK, core.ID_GENERATOR, core.EVENT_PUBLISHER]) expect(typeof token).toBe('symbol');
    expect(core.DEFAULT_ROUNDING).toBe('half-up');
    expect(core.DEFAULT_PAGE_LIMIT).toBe(50);
    expect(core.MAX_PAGE_LIMIT).toBe(200);
    expect(core.ISO_4217_CODES).toContain('EUR');
  });

  it('keeps the test doubles out of the main entry and in the testing entry', () => {
    expect(Object.keys(core)).not.toContain('FixedClock');
    expect(typeof testing.FixedClock).toBe('function');
    expect(typeof testing.SequentialIdGenerator).toBe('function');
  });

  it('works end to end through the public entry: the README example', () => {
    const price = core.Money.of('19.99', 'EUR');
    const net = price.multiply('3');
    const vat = net.multiply('0.19');
    const [first, second, third] = net.add(vat).allocate([1, 1, 1]);

    expect([net, vat, first, second, third].map(String)).toEqual(['59.97', '11.39', '23.79', '23.79', '23.78']);
  });
});
