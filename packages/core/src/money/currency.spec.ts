import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../errors/domain-error';
import { currencyOf, isCurrencyCode, parseCurrencyCode } from './currency';
import { ISO_4217_CODES } from './iso-4217';
import { Money } from './money';

/** The ISO 4217 codes whose minor unit is "N.A.": metals, fund and testing codes, not currencies for money. */
const notMoney = ['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX'];

describe('currency', () => {
  describe('isCurrencyCode', () => {
    it('accepts ISO 4217 codes', () => {
      expect(isCurrencyCode('EUR')).toBe(true);
      expect(isCurrencyCode('JPY')).toBe(true);
    });

    it.each(notMoney)('rejects %s, whose ISO minor unit is N.A.', (code) => {
      expect(isCurrencyCode(code)).toBe(false);
    });

    it('rejects unknown, lower-case and non-string values', () => {
      for (const value of ['ABC', 'eur', 'EURO', '', ' EUR', 978, null, undefined, {}]) {
        expect(isCurrencyCode(value)).toBe(false);
      }
    });
  });

  describe('currencyOf', () => {
    it.each([
      ['JPY', 0],
      ['KRW', 0],
      ['EUR', 2],
      ['USD', 2],
      ['BHD', 3],
      ['KWD', 3],
      ['TND', 3],
      ['CLF', 4],
      ['UYW', 4],
    ] as const)('gives %s an exponent of %i', (code, exponent) => {
      expect(currencyOf(code)).toEqual({ code, exponent });
    });

    it('gives every listed money code an integer exponent from 0 to 4', () => {
      for (const code of ISO_4217_CODES.filter(isCurrencyCode)) {
        const { exponent } = currencyOf(code);
        expect([code, Number.isInteger(exponent) && exponent >= 0 && exponent <= 4]).toEqual([code, true]);
      }
    });

    it('returns the same frozen object on every call', () => {
      const first = currencyOf('EUR');

      expect(currencyOf('EUR')).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
    });

    it.each(['ABC', 'eur', '', 'EURO', 'constructor', '__proto__'])('throws money.unknown_currency for %j', (code) => {
      expect(() => currencyOf(code)).toThrow(ValidationError);
      expect(() => currencyOf(code)).toThrow(expect.objectContaining({ code: 'money.unknown_currency' }));
    });

    it.each(notMoney)('throws money.unknown_currency for %s, an ISO code but not a currency for money', (code) => {
      // currency-codes gives these 0 decimals, so 0.4 XAU would round to 0 without a word.
      expect(() => currencyOf(code)).toThrow(
        expect.objectContaining({ code: 'money.unknown_currency', message: expect.stringContaining('not a currency for money') }),
      );
      expect(() => Money.of('0.4', code as never)).toThrow(expect.objectContaining({ code: 'money.unknown_currency' }));
    });
  });

  describe('parseCurrencyCode', () => {
    it('returns the code when it is an ISO 4217 code', () => {
      expect(parseCurrencyCode('CHF')).toBe('CHF');
    });

    it('throws money.unknown_currency under the path currency when it is not', () => {
      expect(() => parseCurrencyCode('XYZ')).toThrow(
        expect.objectContaining({ code: 'money.unknown_currency', issues: [expect.objectContaining({ path: '' })] }),
      );
    });
  });
});
