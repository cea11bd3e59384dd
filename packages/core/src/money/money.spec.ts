import { describe, expect, it } from '@jest/globals';
import { Decimal as DecimalJs } from 'decimal.js';
import fc from 'fast-check';
import { DomainError } from '../errors/domain-error';
import { isCurrencyCode, type CurrencyCode } from './currency';
import { ISO_4217_CODES } from './iso-4217';
import { Decimal, decimal } from './decimal';
import { MONEY_MAX_MINOR } from './limits';
import { CurrencyMismatchError, Money } from './money';
import type { RoundingMode } from './rounding';

const validationError = (code: string) => expect.objectContaining({ name: 'ValidationError', code });
const mismatch = (left: string, right: string) =>
  expect.objectContaining({ name: 'CurrencyMismatchError', code: 'money.currency_mismatch', details: { left, right } });

/** A reference with far more digits than any generated value needs, so its products are exact. */
const Exact = DecimalJs.clone({ precision: 1_000 });
const exactRounding: Record<RoundingMode, DecimalJs.Rounding> = {
  'half-up': DecimalJs.ROUND_HALF_UP,
  'half-even': DecimalJs.ROUND_HALF_EVEN,
  down: DecimalJs.ROUND_DOWN,
  up: DecimalJs.ROUND_UP,
};
const modes: readonly RoundingMode[] = ['half-up', 'half-even', 'down', 'up'];

/** One currency per exponent the ISO list uses (0, 2, 3, 4). */
const byExponent = ['JPY', 'EUR', 'BHD', 'CLF'] as const;

const anyCurrency = fc.constantFrom(...ISO_4217_CODES.filter(isCurrencyCode));
/** Any amount in the range, its limits included. */
const anyMinor = fc.oneof(fc.bigInt({ min: -MONEY_MAX_MINOR, max: MONEY_MAX_MINOR }), fc.constantFrom(MONEY_MAX_MINOR, -MONEY_MAX_MINOR, 0n));
/**
 * A decimal string of up to 34 digits (the most `decimal` takes) with up to 33 decimals: as many digits as decimal.js'
 * working precision, so a product with an amount has more, and its magnitude reaches far beyond the range of Money.
 */
const anyDecimalText = fc
  .tuple(fc.bigInt({ min: -(10n ** 34n - 1n), max: 10n ** 34n - 1n }), fc.integer({ min: 0, max: 33 }))
  .map(([digits, scale]) => new Exact(`${digits}e-${scale}`).toFixed(scale));
/** True when `minor` is inside the range of Money. */
const inRange = (minor: bigint) => minor <= MONEY_MAX_MINOR && minor >= -MONEY_MAX_MINOR;
/**
 * Runs `operation`: when `expected` is inside the range of Money the result must be exactly it; outside, the
 * operation must throw money.out_of_range rather than return anything.
 */
function exactOrRefused(expected: bigint, operation: () => Money): void {
  if (inRange(expected)) expect(operation().minor).toBe(expected);
  else expect(operation).toThrow(validationError('money.out_of_range'));
}
const anyMoney = fc.tuple(anyMinor, anyCurrency).map(([minor, currency]) => Money.ofMinor(minor, currency));

describe('Money', () => {
  describe('of', () => {
    it.each([
      ['1234.50', 'EUR', 123450n],
      ['1234.5', 'EUR', 123450n],
      ['1234', 'EUR', 123400n],
      ['0.01', 'USD', 1n],
      ['-0.01', 'USD', -1n],
      ['0', 'USD', 0n],
      ['-0', 'USD', 0n],
      ['1234', 'JPY', 1234n],
      ['1.234', 'BHD', 1234n],
      ['-0.001', 'KWD', -1n],
      ['0.0001', 'CLF', 1n],
    ] as const)('reads %j %s as %p minor units', (amount, currency, minor) => {
      const money = Money.of(amount, currency);

      expect(money.minor).toBe(minor);
      expect(money.currency).toBe(currency);
    });

    it('reads the largest amounts of every exponent exactly', () => {
      expect(Money.of('9999999999999.99', 'USD').minor).toBe(MONEY_MAX_MINOR);
      expect(Money.of('-9999999999999.99', 'USD').minor).toBe(-MONEY_MAX_MINOR);
      expect(Money.of('999999999999999', 'JPY').minor).toBe(MONEY_MAX_MINOR);
      expect(Money.of('999999999999.999', 'BHD').minor).toBe(MONEY_MAX_MINOR);
      expect(Money.of('99999999999.9999', 'CLF').minor).toBe(MONEY_MAX_MINOR);
    });

    it.each([
      ['10000000000000.00', 'EUR', '9999999999999.99 EUR'],
      ['-10000000000000', 'EUR', '9999999999999.99 EUR'],
      ['1000000000000000', 'JPY', '999999999999999 JPY'],
      ['1000000000000.000', 'BHD', '999999999999.999 BHD'],
      // 2^64 + 1 and 2^63 cents: what a 64-bit integer would store as 0.01 and as a negative amount.
      ['184467440737095516.17', 'EUR', '9999999999999.99 EUR'],
      ['92233720368547758.08', 'EUR', '9999999999999.99 EUR'],
    ] as const)('throws money.out_of_range naming the limit for %j %s', (amount, currency, limit) => {
      expect(() => Money.of(amount, currency)).toThrow(validationError('money.out_of_range'));
      expect(() => Money.of(amount, currency)).toThrow(`an amount is at most ${limit} in either direction`);
    });

    it('throws money.out_of_range for an amount of 400 digits, or of a megabyte, before parsing it', () => {
      const started = performance.now();

      expect(() => Money.of('9'.repeat(400), 'EUR')).toThrow(validationError('money.out_of_range'));
      expect(() => Money.of(`1.${'0'.repeat(1_000_000)}`, 'EUR')).toThrow(validationError('money.out_of_range'));
      expect(performance.now() - started).toBeLessThan(50);
    });

    it('accepts zeros beyond the currency exponent because the amount is still exact', () => {
      expect(Money.of('12.500', 'USD').minor).toBe(1250n);
      expect(Money.of('100.00', 'JPY').minor).toBe(100n);
    });

    it.each(['12,3.4', '1,234.50', '1e5', '1E-2', 'NaN', 'Infinity', '+1', ' 1', '1 ', '01', '00.50', '', '.5', '5.', '1.2.3', '12 EUR', '€12'])(
      'throws money.malformed for %j',
      (amount) => {
        expect(() => Money.of(amount, 'EUR')).toThrow(validationError('money.malformed'));
      },
    );

    it('reports a malformed amount under the path amount', () => {
      expect(() => Money.of('1e5', 'EUR')).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: '', code: 'money.malformed' })] }));
    });

    it.each([12.5, 12, Number.NaN, 12n, null, undefined])('throws money.malformed when the amount is the non-string %p', (amount) => {
      expect(() => Money.of(amount as never, 'EUR')).toThrow(validationError('money.malformed'));
    });

    it.each([
      ['1.234', 'USD'],
      ['-0.001', 'EUR'],
      ['1.5', 'JPY'],
      ['0.1', 'KRW'],
      ['1.2345', 'BHD'],
      ['0.00001', 'CLF'],
    ] as const)('throws money.precision_exceeded for %j %s', (amount, currency) => {
      expect(() => Money.of(amount, currency)).toThrow(validationError('money.precision_exceeded'));
    });

    it('throws money.unknown_currency for a code outside ISO 4217', () => {
      // @ts-expect-error 'ABC' is not a CurrencyCode, so the compiler refuses it already
      expect(() => Money.of('1.00', 'ABC')).toThrow(validationError('money.unknown_currency'));
      expect(() => Money.of('1.00', 'eur' as CurrencyCode)).toThrow(validationError('money.unknown_currency'));
    });

    it('parses back what toString prints, for every currency exponent', () => {
      fc.assert(
        fc.property(anyMoney, (money) => {
          expect(Money.of(money.toString(), money.currency).equals(money)).toBe(true);
        }),
      );
    });
  });

  describe('ofMinor', () => {
    it('takes minor units as a bigint or a safe integer', () => {
      expect(Money.ofMinor(1250n, 'EUR').toString()).toBe('12.50');
      expect(Money.ofMinor(-1250, 'EUR').toString()).toBe('-12.50');
      expect(Money.ofMinor(1250, 'JPY').toString()).toBe('1250');
      expect(Money.ofMinor(1250, 'BHD').toString()).toBe('1.250');
    });

    it('takes the limits of the range and throws money.out_of_range one unit beyond them', () => {
      expect(Money.ofMinor(MONEY_MAX_MINOR, 'EUR').toString()).toBe('9999999999999.99');
      expect(Money.ofMinor(-MONEY_MAX_MINOR, 'JPY').toString()).toBe('-999999999999999');
      expect(() => Money.ofMinor(MONEY_MAX_MINOR + 1n, 'EUR')).toThrow(validationError('money.out_of_range'));
      expect(() => Money.ofMinor(-MONEY_MAX_MINOR - 1n, 'EUR')).toThrow(validationError('money.out_of_range'));
      expect(() => Money.ofMinor(2n ** 64n + 1n, 'EUR')).toThrow(validationError('money.out_of_range'));
      expect(() => Money.ofMinor(Number.MAX_SAFE_INTEGER, 'EUR')).toThrow(validationError('money.out_of_range'));
    });

    it.each([12.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('throws money.malformed for the JS number %p', (minor) => {
      expect(() => Money.ofMinor(minor, 'EUR')).toThrow(validationError('money.malformed'));
    });

    it('throws money.unknown_currency for a code outside ISO 4217', () => {
      expect(() => Money.ofMinor(1n, 'XYZ' as CurrencyCode)).toThrow(validationError('money.unknown_currency'));
    });
  });

  describe('zero', () => {
    it('is zero in the given currency', () => {
      const zero = Money.zero('BHD');

      expect(zero.minor).toBe(0n);
      expect(zero.currency).toBe('BHD');
      expect(zero.toString()).toBe('0.000');
    });
  });

  describe('fromDecimal', () => {
    // Ties at the currency's minor unit, positive and negative: the four modes must each pick their neighbour.
    it.each([
      ['2.5', 'JPY', '3', '2', '2', '3'],
      ['-2.5', 'JPY', '-3', '-2', '-2', '-3'],
      ['3.5', 'JPY', '4', '4', '3', '4'],
      ['-3.5', 'JPY', '-4', '-4', '-3', '-4'],
      ['2.45', 'JPY', '2', '2', '2', '3'],
      ['-2.45', 'JPY', '-2', '-2', '-2', '-3'],
      ['0.125', 'EUR', '0.13', '0.12', '0.12', '0.13'],
      ['-0.125', 'EUR', '-0.13', '-0.12', '-0.12', '-0.13'],
      ['0.135', 'EUR', '0.14', '0.14', '0.13', '0.14'],
      ['2.4549', 'EUR', '2.45', '2.45', '2.45', '2.46'],
      ['1.0005', 'BHD', '1.001', '1.000', '1.000', '1.001'],
      ['-1.0015', 'BHD', '-1.002', '-1.002', '-1.001', '-1.002'],
      ['7.25', 'EUR', '7.25', '7.25', '7.25', '7.25'],
    ] as const)('rounds %s %s as half-up %s, half-even %s, down %s, up %s', (value, currency, halfUp, halfEven, down, up) => {
      const exact = decimal(value);

      expect(Money.fromDecimal(exact, currency, 'half-up').toString()).toBe(halfUp);
      expect(Money.fromDecimal(exact, currency, 'half-even').toString()).toBe(halfEven);
      expect(Money.fromDecimal(exact, currency, 'down').toString()).toBe(down);
      expect(Money.fromDecimal(exact, currency, 'up').toString()).toBe(up);
    });

    it('rounds half up when no mode is given', () => {
      expect(Money.fromDecimal(decimal('0.125'), 'EUR').toString()).toBe('0.13');
      expect(Money.fromDecimal(decimal('-0.125'), 'EUR').toString()).toBe('-0.13');
    });

    it('rounds a value longer than 34 significant digits only once', () => {
      // 0.004999…9 is below half a cent; rounding it to 34 digits first would make it a tie and round up to 0.01.
      const justBelowHalfACent = new Exact(`0.004${'9'.repeat(40)}`);

      expect(Money.fromDecimal(justBelowHalfACent, 'EUR').toString()).toBe('0.00');
      expect(Money.fromDecimal(new Exact(`0.00${'9'.repeat(40)}`), 'EUR', 'down').toString()).toBe('0.00');
    });

    it('throws money.out_of_range when the rounded amount is beyond the range, and not when it rounds into it', () => {
      expect(Money.fromDecimal(decimal('9999999999999.994'), 'EUR').minor).toBe(MONEY_MAX_MINOR);
      expect(() => Money.fromDecimal(decimal('9999999999999.995'), 'EUR')).toThrow(validationError('money.out_of_range'));
      expect(() => Money.fromDecimal(decimal(`-1${'0'.repeat(30)}`), 'EUR')).toThrow(validationError('money.out_of_range'));
    });

    it('prints zero without a sign when a small negative value rounds to zero', () => {
      expect(Money.fromDecimal(decimal('-0.001'), 'EUR').toString()).toBe('0.00');
    });

    it('throws decimal.malformed for a Decimal that is not finite', () => {
      expect(() => Money.fromDecimal(new Decimal(Number.NaN), 'EUR')).toThrow(validationError('decimal.malformed'));
      expect(() => Money.fromDecimal(new Decimal(Number.POSITIVE_INFINITY), 'EUR')).toThrow(validationError('decimal.malformed'));
    });

    it('throws money.unknown_currency for a code outside ISO 4217', () => {
      expect(() => Money.fromDecimal(decimal('1'), 'XYZ' as CurrencyCode)).toThrow(validationError('money.unknown_currency'));
    });

    it('equals the exact value rounded to the currency exponent, for any decimal, currency and mode', () => {
      fc.assert(
        fc.property(anyDecimalText, anyCurrency, fc.constantFrom(...modes), (text, currency, mode) => {
          const exponent = Money.zero(currency).exponent;
          const expected = new Exact(text).toDecimalPlaces(exponent, exactRounding[mode]).times(new Exact(10).pow(exponent));

          exactOrRefused(BigInt(expected.toFixed(0)), () => Money.fromDecimal(decimal(text), currency, mode));
        }),
      );
    });
  });

  describe('sum', () => {
    it('is zero of the currency when there is no amount', () => {
      expect(Money.sum('EUR', []).equals(Money.zero('EUR'))).toBe(true);
    });

    it('adds every amount of any iterable', () => {
      function* lines(): Generator<Money<'EUR'>> {
        yield Money.of('0.10', 'EUR');
        yield Money.of('0.20', 'EUR');
        yield Money.of('-0.05', 'EUR');
      }

      expect(Money.sum('EUR', lines()).toString()).toBe('0.25');
    });

    it('throws money.currency_mismatch when an amount is in another currency', () => {
      const amounts: Money[] = [Money.of('1', 'EUR'), Money.of('1', 'USD')];

      expect(() => Money.sum<CurrencyCode>('EUR', amounts)).toThrow(mismatch('EUR', 'USD'));
    });
  });

  describe('exponent', () => {
    it.each([
      ['JPY', 0],
      ['EUR', 2],
      ['BHD', 3],
      ['CLF', 4],
    ] as const)('is the number of decimals of %s (%i)', (currency, exponent) => {
      expect(Money.zero(currency).exponent).toBe(exponent);
    });
  });

  describe('add', () => {
    it('adds the minor units of two amounts in the same currency', () => {
      expect(Money.of('0.10', 'EUR').add(Money.of('0.20', 'EUR')).toString()).toBe('0.30');
      expect(Money.of('5', 'JPY').add(Money.of('-7', 'JPY')).toString()).toBe('-2');
    });

    it('returns a new value and leaves both operands unchanged', () => {
      const left = Money.of('1.00', 'EUR');
      const right = Money.of('2.00', 'EUR');
      const total = left.add(right);

      expect(total).not.toBe(left);
      expect([left.toString(), right.toString(), total.toString()]).toEqual(['1.00', '2.00', '3.00']);
    });

    it('does not compile when the currencies are known to differ, and throws when run anyway', () => {
      const eur = Money.of('1.00', 'EUR');
      const usd = Money.of('1.00', 'USD');

      // @ts-expect-error Money<'USD'> cannot be added to Money<'EUR'>
      expect(() => eur.add(usd)).toThrow(mismatch('EUR', 'USD'));
    });

    it('throws money.currency_mismatch when the currencies are only known at run time', () => {
      const eur: Money = Money.of('1.00', 'EUR' as CurrencyCode);
      const usd: Money = Money.of('1.00', 'USD' as CurrencyCode);

      expect(() => eur.add(usd)).toThrow(CurrencyMismatchError);
      expect(() => eur.add(usd)).toThrow(mismatch('EUR', 'USD'));
    });

    it('throws money.out_of_range one unit beyond the range, in either direction', () => {
      const largest = Money.largest('EUR');
      const cent = Money.of('0.01', 'EUR');

      expect(() => largest.add(cent)).toThrow(validationError('money.out_of_range'));
      expect(() => largest.negate().subtract(cent)).toThrow(validationError('money.out_of_range'));
      expect(() => Money.sum('EUR', [largest, largest, largest.negate()])).toThrow(validationError('money.out_of_range'));
      expect(largest.subtract(cent).add(cent).equals(largest)).toBe(true);
    });

    it('is exact inside the range and throws money.out_of_range outside it, for any two amounts', () => {
      fc.assert(
        fc.property(anyMinor, anyMinor, anyCurrency, (a, b, currency) => {
          const left = Money.ofMinor(a, currency);
          const right = Money.ofMinor(b, currency);

          exactOrRefused(a + b, () => left.add(right));
          exactOrRefused(a - b, () => left.subtract(right));
        }),
      );
    });

    it('is undone by subtract, for any two amounts whose sum is in the range', () => {
      fc.assert(
        fc.property(anyMinor, anyMinor, anyCurrency, (a, b, currency) => {
          fc.pre(inRange(a + b) && inRange(a - b));
          const left = Money.ofMinor(a, currency);
          const right = Money.ofMinor(b, currency);

          expect(left.add(right).subtract(right).equals(left)).toBe(true);
          expect(left.subtract(right).add(right).equals(left)).toBe(true);
          expect(left.add(right).equals(right.add(left))).toBe(true);
        }),
      );
    });
  });

  describe('subtract', () => {
    it('subtracts the minor units of two amounts in the same currency', () => {
      expect(Money.of('0.30', 'EUR').subtract(Money.of('0.10', 'EUR')).toString()).toBe('0.20');
      expect(Money.of('1.000', 'BHD').subtract(Money.of('1.001', 'BHD')).toString()).toBe('-0.001');
    });

    it('does not compile when the currencies are known to differ, and throws when run anyway', () => {
      const eur = Money.of('1.00', 'EUR');
      const usd = Money.of('1.00', 'USD');

      // @ts-expect-error Money<'EUR'> cannot be subtracted from Money<'USD'>
      expect(() => usd.subtract(eur)).toThrow(mismatch('USD', 'EUR'));
    });
  });

  describe('multiply', () => {
    it.each([
      ['19.99', '3', '59.97'],
      ['19.99', '0.5', '10.00'],
      ['10.00', '-1', '-10.00'],
      ['10.00', '0', '0.00'],
      ['100.00', '0.19', '19.00'],
      ['0.01', '0.333', '0.00'],
    ])('gives %s EUR × %s = %s EUR', (amount, factor, product) => {
      expect(Money.of(amount, 'EUR').multiply(factor).toString()).toBe(product);
    });

    it('takes a factor as a Decimal, a bigint or a safe integer', () => {
      const price = Money.of('2.50', 'EUR');

      expect(price.multiply(decimal('1.5')).toString()).toBe('3.75');
      expect(price.multiply(4n).toString()).toBe('10.00');
      expect(price.multiply(-2).toString()).toBe('-5.00');
    });

    // Each row is a tie at the minor unit: 5 × 0.5 = 2.5 yen, 0.05 × 0.5 = 0.025 EUR …
    it.each([
      ['5', 'JPY', '0.5', '3', '2', '2', '3'],
      ['-5', 'JPY', '0.5', '-3', '-2', '-2', '-3'],
      ['7', 'JPY', '0.5', '4', '4', '3', '4'],
      ['7', 'JPY', '-0.5', '-4', '-4', '-3', '-4'],
      ['0.05', 'EUR', '0.5', '0.03', '0.02', '0.02', '0.03'],
      ['-0.05', 'EUR', '0.5', '-0.03', '-0.02', '-0.02', '-0.03'],
      ['4.90', 'EUR', '0.5', '2.45', '2.45', '2.45', '2.45'],
      ['4.90', 'EUR', '0.05', '0.25', '0.24', '0.24', '0.25'],
      ['-4.90', 'EUR', '0.05', '-0.25', '-0.24', '-0.24', '-0.25'],
      ['1.001', 'BHD', '0.5', '0.501', '0.500', '0.500', '0.501'],
      ['10', 'JPY', '0.245', '2', '2', '2', '3'],
    ] as const)('rounds %s %s × %s as half-up %s, half-even %s, down %s, up %s', (amount, currency, factor, halfUp, halfEven, down, up) => {
      const money = Money.of(amount, currency);

      expect(money.multiply(factor, 'half-up').toString()).toBe(halfUp);
      expect(money.multiply(factor, 'half-even').toString()).toBe(halfEven);
      expect(money.multiply(factor, 'down').toString()).toBe(down);
      expect(money.multiply(factor, 'up').toString()).toBe(up);
    });

    it('rounds half up when no mode is given', () => {
      expect(Money.of('5', 'JPY').multiply('0.5').toString()).toBe('3');
      expect(Money.of('-5', 'JPY').multiply('0.5').toString()).toBe('-3');
    });

    it('rounds a product longer than 34 significant digits only once', () => {
      const cent = Money.of('0.01', 'EUR');

      // 1 cent × 0.4999…9 is just under half a cent, and 1 cent × 0.999…9 just under a whole one.
      expect(cent.multiply(`0.4${'9'.repeat(32)}`).toString()).toBe('0.00');
      expect(cent.multiply(new Exact(`0.${'9'.repeat(40)}`), 'down').toString()).toBe('0.00');
      // 15 digits × 34 digits: a product of 49 digits, rounded once.
      expect(Money.largest('EUR').multiply(`0.${'9'.repeat(33)}`, 'down').minor).toBe(MONEY_MAX_MINOR - 1n);
    });

    it('throws money.out_of_range when the rounded product is beyond the range', () => {
      expect(() => Money.largest('EUR').multiply('1.000000000000001')).toThrow(validationError('money.out_of_range'));
      expect(() => Money.of('0.01', 'EUR').multiply(10n ** 16n)).toThrow(validationError('money.out_of_range'));
      expect(() => Money.of('-1', 'JPY').multiply(`1${'0'.repeat(33)}`)).toThrow(validationError('money.out_of_range'));
      expect(Money.largest('EUR').multiply('-1').minor).toBe(-MONEY_MAX_MINOR);
    });

    it('throws decimal.malformed for a fractional JS number, so no binary float reaches an amount', () => {
      expect(() => Money.of('10.00', 'EUR').multiply(0.1)).toThrow(validationError('decimal.malformed'));
      expect(() => Money.of('10.00', 'EUR').multiply('1e2')).toThrow(validationError('decimal.malformed'));
    });

    it('equals the exact product rounded once inside the range, and throws money.out_of_range outside it, for any amount, factor and mode', () => {
      fc.assert(
        fc.property(anyMinor, anyDecimalText, fc.constantFrom(...modes), (minor, factor, mode) => {
          const expected = new Exact(minor.toString()).times(factor).toDecimalPlaces(0, exactRounding[mode]);

          exactOrRefused(BigInt(expected.toFixed(0)), () => Money.ofMinor(minor, 'EUR').multiply(factor, mode));
        }),
      );
    });

    it('is exact for any amount and any factor of magnitude at most 1 (rates, shares), which cannot leave the range', () => {
      const share = fc.tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.constant(12)).map(([digits, scale]) => new Exact(`${digits}e-${scale}`).toFixed(scale));
      fc.assert(
        fc.property(anyMinor, share, fc.constantFrom(...modes), (minor, factor, mode) => {
          const expected = new Exact(minor.toString()).times(factor).toDecimalPlaces(0, exactRounding[mode]);

          expect(Money.ofMinor(minor, 'EUR').multiply(factor, mode).minor).toBe(BigInt(expected.toFixed(0)));
        }),
      );
    });
  });

  describe('negate', () => {
    it('flips the sign', () => {
      expect(Money.of('1.50', 'EUR').negate().toString()).toBe('-1.50');
      expect(Money.of('-1.50', 'EUR').negate().toString()).toBe('1.50');
      expect(Money.zero('EUR').negate().toString()).toBe('0.00');
    });
  });

  describe('abs', () => {
    it('drops the sign of a negative amount and keeps others as they are', () => {
      expect(Money.of('-1.50', 'EUR').abs().toString()).toBe('1.50');
      expect(Money.of('1.50', 'EUR').abs().toString()).toBe('1.50');
      expect(Money.zero('EUR').abs().toString()).toBe('0.00');
    });
  });

  describe('allocate', () => {
    const split = (amount: string, currency: CurrencyCode, ratios: (string | number)[]): string[] =>
      Money.of(amount, currency)
        .allocate(ratios)
        .map((part) => part.toString());

    it('hands the remainder out one minor unit at a time, first parts first', () => {
      expect(split('19.99', 'EUR', [1, 1, 1])).toEqual(['6.67', '6.66', '6.66']);
      expect(split('0.05', 'EUR', [1, 1, 1])).toEqual(['0.02', '0.02', '0.01']);
      expect(split('100', 'JPY', [1, 1, 1])).toEqual(['34', '33', '33']);
    });

    it('mirrors a positive split when the amount is negative', () => {
      expect(split('-19.99', 'EUR', [1, 1, 1])).toEqual(['-6.67', '-6.66', '-6.66']);
      expect(split('-100', 'JPY', [1, 1, 1])).toEqual(['-34', '-33', '-33']);
    });

    it('splits by uneven and decimal ratios', () => {
      // 1.01 × 0.5 = 50.5 cents → 50, 1.01 × 0.25 = 25.25 → 25 twice; the one cent left goes to the first part.
      expect(split('1.01', 'EUR', ['0.5', '0.25', '0.25'])).toEqual(['0.51', '0.25', '0.25']);
      // 0.05 × 70 % = 3.5 cents → 3, × 30 % = 1.5 → 1; the cent left goes to the first part.
      expect(split('0.05', 'EUR', [70, 30])).toEqual(['0.04', '0.01']);
      expect(split('1000.000', 'BHD', ['1', '2', '7'])).toEqual(['100.000', '200.000', '700.000']);
    });

    it('gives nothing to a zero ratio, not even a remainder unit', () => {
      expect(split('1.01', 'EUR', [0, 1, 1])).toEqual(['0.00', '0.51', '0.50']);
      expect(split('0.03', 'EUR', [1, 0, 1, 0, 1])).toEqual(['0.01', '0.00', '0.01', '0.00', '0.01']);
    });

    it('returns the whole amount when there is one ratio', () => {
      expect(split('12.34', 'EUR', ['0.3'])).toEqual(['12.34']);
    });

    it('splits zero into zeros', () => {
      expect(split('0', 'EUR', [1, 2])).toEqual(['0.00', '0.00']);
    });

    it('keeps the currency on every part', () => {
      expect(Money.of('1', 'JPY').allocate([1, 1]).map((part) => part.currency)).toEqual(['JPY', 'JPY']);
    });

    it.each([
      ['no ratio', []],
      ['a negative ratio', [2, -1]],
      ['only zero ratios', [0, '0.00']],
    ])('throws money.invalid_ratios when given %s', (_, ratios) => {
      expect(() => Money.of('1.00', 'EUR').allocate(ratios)).toThrow(validationError('money.invalid_ratios'));
    });

    it('throws decimal.malformed when a ratio is a fractional JS number', () => {
      expect(() => Money.of('1.00', 'EUR').allocate([0.5, 0.5])).toThrow(validationError('decimal.malformed'));
    });

    it('sums to the whole, and each part is within one minor unit of its exact share, for any amount and ratios', () => {
      const ratio = fc
        .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 8 }))
        .map(([digits, scale]) => new Exact(`${digits}e-${scale}`).toFixed(scale));
      const ratios = fc.array(ratio, { minLength: 1, maxLength: 12 }).filter((list) => list.some((text) => !new Exact(text).isZero()));

      fc.assert(
        fc.property(anyMinor, ratios, (minor, texts) => {
          const parts = Money.ofMinor(minor, 'EUR').allocate(texts);

          expect(parts).toHaveLength(texts.length);
          expect(parts.reduce((total, part) => total + part.minor, 0n)).toBe(minor);
          // Exact share of part i is minor × rᵢ / Σr; |part − share| < 1 ⇔ |part·Σr − minor·rᵢ| < Σr (all in bigint).
          const total = texts.reduce((sum, text) => sum.plus(text), new Exact(0));
          parts.forEach((part, index) => {
            const distance = new Exact(part.minor.toString()).times(total).minus(new Exact(minor.toString()).times(texts[index] ?? '0')).abs();
            expect(distance.lessThan(total)).toBe(true);
            if (new Exact(texts[index] ?? '0').isZero()) expect(part.minor).toBe(0n);
          });
        }),
      );
    });
  });

  describe('compare', () => {
    it('orders amounts of the same currency', () => {
      const one = Money.of('1.00', 'EUR');
      const two = Money.of('2.00', 'EUR');

      expect(one.compare(two)).toBe(-1);
      expect(two.compare(one)).toBe(1);
      expect(one.compare(Money.of('1', 'EUR'))).toBe(0);
      expect(Money.of('-5.00', 'EUR').compare(Money.of('-4.99', 'EUR'))).toBe(-1);
    });

    it('throws money.currency_mismatch when the currencies differ', () => {
      const eur: Money = Money.of('1.00', 'EUR');
      const usd: Money = Money.of('1.00', 'USD');

      expect(() => eur.compare(usd)).toThrow(mismatch('EUR', 'USD'));
      expect(() => eur.lessThan(usd)).toThrow(CurrencyMismatchError);
      expect(() => eur.max(usd)).toThrow(CurrencyMismatchError);
    });

    it('agrees with the order of the minor units, for any two amounts', () => {
      fc.assert(
        fc.property(anyMinor, anyMinor, (a, b) => {
          expect(Money.ofMinor(a, 'EUR').compare(Money.ofMinor(b, 'EUR'))).toBe(a < b ? -1 : a > b ? 1 : 0);
        }),
      );
    });
  });

  describe('equals', () => {
    it('is true for the same amount and currency however it was written', () => {
      expect(Money.of('1.5', 'EUR').equals(Money.of('1.50', 'EUR'))).toBe(true);
      expect(Money.of('1.50', 'EUR').equals(Money.ofMinor(150n, 'EUR'))).toBe(true);
    });

    it('is false for another amount, and false rather than an error for another currency', () => {
      const eur: Money = Money.of('1.00', 'EUR');

      expect(eur.equals(Money.of('1.01', 'EUR'))).toBe(false);
      expect(eur.equals(Money.of('1.00', 'USD'))).toBe(false);
      expect(Money.ofMinor(100n, 'JPY' as CurrencyCode).equals(Money.ofMinor(100n, 'EUR'))).toBe(false);
    });
  });

  describe('lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual', () => {
    it('compare strictly and loosely', () => {
      const one = Money.of('1.00', 'EUR');
      const two = Money.of('2.00', 'EUR');
      const otherOne = Money.of('1', 'EUR');

      expect([one.lessThan(two), two.lessThan(one), one.lessThan(otherOne)]).toEqual([true, false, false]);
      expect([one.lessThanOrEqual(two), two.lessThanOrEqual(one), one.lessThanOrEqual(otherOne)]).toEqual([true, false, true]);
      expect([one.greaterThan(two), two.greaterThan(one), one.greaterThan(otherOne)]).toEqual([false, true, false]);
      expect([one.greaterThanOrEqual(two), two.greaterThanOrEqual(one), one.greaterThanOrEqual(otherOne)]).toEqual([false, true, true]);
    });
  });

  describe('min and max', () => {
    it('pick the smaller and the larger amount', () => {
      const low = Money.of('-3.00', 'EUR');
      const high = Money.of('2.00', 'EUR');

      expect(low.min(high)).toBe(low);
      expect(high.min(low)).toBe(low);
      expect(low.max(high)).toBe(high);
      expect(high.max(low)).toBe(high);
    });
  });

  describe('isZero, isPositive, isNegative', () => {
    it.each([
      ['0.00', true, false, false],
      ['0.01', false, true, false],
      ['-0.01', false, false, true],
    ])('classify %s', (amount, zero, positive, negative) => {
      const money = Money.of(amount, 'EUR');

      expect([money.isZero(), money.isPositive(), money.isNegative()]).toEqual([zero, positive, negative]);
    });
  });

  describe('toDecimal', () => {
    it('is the exact amount in major units', () => {
      expect(Money.of('1234.56', 'EUR').toDecimal().toString()).toBe('1234.56');
      expect(Money.of('-0.005', 'BHD').toDecimal().toString()).toBe('-0.005');
      expect(Money.of('42', 'JPY').toDecimal().toString()).toBe('42');
    });

    it('keeps every digit of the largest amounts', () => {
      expect(Money.largest('EUR').negate().toDecimal().toFixed(2)).toBe('-9999999999999.99');
      expect(Money.largest('CLF').toDecimal().toString()).toBe('99999999999.9999');
    });
  });

  describe('toString', () => {
    it.each([
      ['1234.5', 'EUR', '1234.50'],
      ['-3', 'JPY', '-3'],
      ['0', 'JPY', '0'],
      ['1.2', 'BHD', '1.200'],
      ['-0.05', 'EUR', '-0.05'],
      ['0.0001', 'CLF', '0.0001'],
    ] as const)('prints %j %s as %j, with exactly the currency exponent of decimals', (amount, currency, text) => {
      expect(Money.of(amount, currency).toString()).toBe(text);
    });

    it('prints plain decimals with exactly the currency exponent of decimals, for any amount', () => {
      fc.assert(
        fc.property(anyMinor, fc.constantFrom(...byExponent), (minor, currency) => {
          const money = Money.ofMinor(minor, currency);
          const pattern = money.exponent === 0 ? /^-?(0|[1-9]\d*)$/ : new RegExp(`^-?(0|[1-9]\\d*)\\.\\d{${money.exponent}}$`);

          expect(money.toString()).toMatch(pattern);
          expect(BigInt(money.toString().replace('.', ''))).toBe(minor);
        }),
      );
    });
  });

  describe('toJSON', () => {
    it('carries the amount as a decimal string, never as a number', () => {
      const money = Money.of('1234.50', 'EUR');

      expect(money.toJSON()).toEqual({ amount: '1234.50', currency: 'EUR' });
      expect(JSON.stringify({ total: money })).toBe('{"total":{"amount":"1234.50","currency":"EUR"}}');
    });
  });
});

describe('CurrencyMismatchError', () => {
  describe('constructor', () => {
    it('is a DomainError with a stable code and both currencies in the details', () => {
      const error = new CurrencyMismatchError('EUR', 'USD');

      expect(error).toBeInstanceOf(DomainError);
      expect(error.name).toBe('CurrencyMismatchError');
      expect(error.code).toBe('money.currency_mismatch');
      expect(error.details).toEqual({ left: 'EUR', right: 'USD' });
      expect(error.message).toBe('cannot combine EUR with USD');
    });
  });
});
