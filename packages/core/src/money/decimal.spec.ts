import { describe, expect, it } from '@jest/globals';
import { Decimal as DecimalJs } from 'decimal.js';
import fc from 'fast-check';
import { Decimal, decimal, formatDecimal } from './decimal';
import { DECIMAL_MAX_DIGITS, DECIMAL_MAX_LENGTH } from './limits';

const validationError = (code: string) => expect.objectContaining({ name: 'ValidationError', code });

describe('Decimal', () => {
  it('computes with 34 significant digits, rounding half up, when a result does not fit', () => {
    // 2/3 = 0.666… : the 34th significant digit is rounded up from the 35th (6).
    expect(new Decimal(2).dividedBy(3).toString()).toBe(`0.${'6'.repeat(33)}7`);
  });

  it('leaves the global decimal.js settings alone', () => {
    expect(DecimalJs.precision).toBe(20);
    expect(new DecimalJs(2).dividedBy(3).toString()).toBe(`0.${'6'.repeat(19)}7`);
  });

  it('prints large and tiny values without exponent notation', () => {
    expect(new Decimal('1e30').toString()).toBe(`1${'0'.repeat(30)}`);
    expect(new Decimal('1e-30').toString()).toBe(`0.${'0'.repeat(29)}1`);
  });
});

describe('decimal', () => {
  it.each([
    ['1234.50', '1234.5'],
    ['0', '0'],
    ['-0.125', '-0.125'],
    ['0.001', '0.001'],
    ['10', '10'],
    ['123456789012345678901234567890.1234', '123456789012345678901234567890.1234'],
  ])('parses the plain decimal string %j exactly', (text, expected) => {
    expect(decimal(text).toString()).toBe(expected);
  });

  it('keeps every digit of a string of 34 digits, the most it takes', () => {
    const longest = `-0.${'4'.repeat(32)}9`;

    expect(decimal(longest).toFixed(33)).toBe(longest);
    expect(decimal(`${'9'.repeat(30)}.1234`).toFixed(4)).toBe(`${'9'.repeat(30)}.1234`);
  });

  it.each([`0.${'4'.repeat(33)}9`, '1'.repeat(35), `-${'1'.repeat(20)}.${'2'.repeat(15)}`])('throws decimal.out_of_range for %j, which has 35 digits', (text) => {
    expect(() => decimal(text)).toThrow(validationError('decimal.out_of_range'));
  });

  it('throws decimal.out_of_range for a bigint of more than 34 digits, and takes one of 34', () => {
    expect(() => decimal(10n ** 34n)).toThrow(validationError('decimal.out_of_range'));
    expect(() => decimal(-(10n ** 34n))).toThrow(validationError('decimal.out_of_range'));
    expect(decimal(-(10n ** 34n - 1n)).toFixed(0)).toBe(`-${'9'.repeat(34)}`);
  });

  it('refuses text longer than DECIMAL_MAX_LENGTH before matching it, however long it is', () => {
    const megabyte = '9'.repeat(1_000_000);
    const started = performance.now();

    expect(() => decimal(megabyte)).toThrow(validationError('decimal.out_of_range'));
    expect(() => decimal('x'.repeat(DECIMAL_MAX_LENGTH + 1))).toThrow(validationError('decimal.out_of_range'));
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('takes a Decimal of any length, since it was computed rather than received', () => {
    const long = new Decimal(`0.${'4'.repeat(40)}9`);

    expect(decimal(long).toFixed(41)).toBe(long.toFixed(41));
  });

  it('accepts safe integers and bigints', () => {
    expect(decimal(42).toString()).toBe('42');
    expect(decimal(-7).toString()).toBe('-7');
    expect(decimal(Number.MAX_SAFE_INTEGER).toString()).toBe('9007199254740991');
    expect(decimal(123456789012345678901234567890n).toString()).toBe('123456789012345678901234567890');
    expect(DECIMAL_MAX_DIGITS).toBe(34);
  });

  it('returns an equal Decimal when given a Decimal, including one from another decimal.js constructor', () => {
    expect(decimal(new Decimal('1.5')).equals('1.5')).toBe(true);
    expect(decimal(new DecimalJs('2.25')).toString()).toBe('2.25');
  });

  it.each([['-0'], ['-0.00'], [-0], [new Decimal('-0.000')], [new DecimalJs('-0')]])('makes negative zero %p plain zero, as stored and printed', (value) => {
    // Review: "-0.00" was kept as negative zero and answered "-0" (decimal.js keeps the sign in toJSON and isNeg).
    const zero = decimal(value);

    expect([zero.isNeg(), zero.toJSON(), zero.toString(), formatDecimal(zero, 2)]).toEqual([false, '0', '0', '0.00']);
  });

  it.each(['12,3.4', '1,000', '1e5', '1E5', 'NaN', 'Infinity', '-Infinity', '+1', ' 1', '1 ', '01', '-01', '00.5', '', '.5', '1.', '-', '1.2.3', '0x10', '١٢'])(
    'throws decimal.malformed for the string %j',
    (text) => {
      expect(() => decimal(text)).toThrow(validationError('decimal.malformed'));
    },
  );

  it.each([12.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, 1e21])('throws decimal.malformed for the JS number %p', (value) => {
    expect(() => decimal(value)).toThrow(validationError('decimal.malformed'));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('throws decimal.malformed for a Decimal holding %p', (value) => {
    expect(() => decimal(new Decimal(value))).toThrow(validationError('decimal.malformed'));
  });

  it('throws decimal.malformed for values that are not decimals at all', () => {
    for (const value of [null, undefined, {}, [], true]) {
      expect(() => decimal(value as never)).toThrow(validationError('decimal.malformed'));
    }
  });

  it('parses back what formatDecimal prints, for any decimal of up to 34 digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 33 }), (digits, scale) => {
        const value = new Decimal(`${digits}e-${scale}`);

        expect(decimal(formatDecimal(value)).equals(value)).toBe(true);
      }),
    );
  });

  it('refuses every string of more than 34 digits with decimal.out_of_range, and parses every shorter one exactly', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?[1-9]\d{0,40}(\.\d{1,10})?$/), (text) => {
        const digits = text.replace(/[-.]/g, '').length;

        if (digits > DECIMAL_MAX_DIGITS) expect(() => decimal(text)).toThrow(validationError('decimal.out_of_range'));
        else expect(formatDecimal(decimal(text), text.split('.')[1]?.length ?? 0)).toBe(text);
      }),
    );
  });
});

describe('formatDecimal', () => {
  it('prints the shortest plain form when no minimum scale is given', () => {
    expect(formatDecimal(decimal('1234.50'))).toBe('1234.5');
    expect(formatDecimal(decimal('-0.125'))).toBe('-0.125');
    expect(formatDecimal(decimal('100'))).toBe('100');
  });

  it('pads with zeros to the minimum scale but never cuts decimals', () => {
    expect(formatDecimal(decimal('1234.5'), 2)).toBe('1234.50');
    expect(formatDecimal(decimal('7'), 3)).toBe('7.000');
    expect(formatDecimal(decimal('0.125'), 2)).toBe('0.125');
  });

  it('never uses exponent notation', () => {
    expect(formatDecimal(new Decimal('1.5e25'))).toBe('15000000000000000000000000');
    expect(formatDecimal(new Decimal('-2.5e-12'))).toBe('-0.0000000000025');
  });

  it('prints zero without a sign when the value is negative zero', () => {
    expect(formatDecimal(decimal('-0.001').toDecimalPlaces(2), 2)).toBe('0.00');
  });
});
