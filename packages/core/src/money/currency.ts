import { code as lookUpCurrency } from 'currency-codes';
import { ValidationError } from '../errors/domain-error';
import { ISO_4217_CODES, NON_MONEY_CODES } from './iso-4217';

/** An ISO 4217 alphabetic currency code with a minor unit, e.g. `EUR` (not `XAU`, `XDR` or `XXX`). */
export type CurrencyCode = Exclude<(typeof ISO_4217_CODES)[number], (typeof NON_MONEY_CODES)[number]>;

/** A currency and the number of decimals its minor unit has (JPY 0, EUR 2, BHD 3). */
export interface Currency {
  readonly code: CurrencyCode;
  readonly exponent: number;
}

const notMoney = new Set<string>(NON_MONEY_CODES);
const known = new Set<string>(ISO_4217_CODES.filter((code) => !notMoney.has(code)));
const cache = new Map<string, Currency>();

/** True when `code` is an ISO 4217 alphabetic code of a currency for money (one with a minor unit). */
export function isCurrencyCode(code: unknown): code is CurrencyCode {
  return typeof code === 'string' && known.has(code);
}

/**
 * The currency for an ISO 4217 code.
 * @throws ValidationError `money.unknown_currency`, also for codes without a minor unit (`XAU`, `XDR`, `XXX` …)
 */
export function currencyOf(code: string): Currency {
  const cached = cache.get(code);
  if (cached) return cached;
  if (notMoney.has(code)) {
    throw ValidationError.of('', 'money.unknown_currency', `${code} is an ISO 4217 code without a minor unit, not a currency for money`);
  }
  const record = isCurrencyCode(code) ? lookUpCurrency(code) : undefined;
  if (!record || !isCurrencyCode(code)) {
    throw ValidationError.of('', 'money.unknown_currency', `${JSON.stringify(code)} is not an ISO 4217 currency code`);
  }
  const currency: Currency = Object.freeze({ code, exponent: record.digits });
  cache.set(code, currency);
  return currency;
}

/**
 * Narrows a string to a currency code.
 * @throws ValidationError `money.unknown_currency`
 */
export function parseCurrencyCode(code: string): CurrencyCode {
  return currencyOf(code).code;
}
