import { code as lookUpCurrency } from 'currency-codes';
import { ValidationError } from '../errors/domain-error';
import { ISO_4217_CODES } from './iso-4217';

/** An ISO 4217 alphabetic currency code, e.g. `EUR`. */
export type CurrencyCode = (typeof ISO_4217_CODES)[number];

/** A currency and the number of decimals its minor unit has (JPY 0, EUR 2, BHD 3). */
export interface Currency {
  readonly code: CurrencyCode;
  readonly exponent: number;
}

const known = new Set<string>(ISO_4217_CODES);
const cache = new Map<string, Currency>();

/** True when `code` is an ISO 4217 alphabetic code. */
export function isCurrencyCode(code: unknown): code is CurrencyCode {
  return typeof code === 'string' && known.has(code);
}

/**
 * The currency for an ISO 4217 code.
 * @throws ValidationError `money.unknown_currency`
 */
export function currencyOf(code: string): Currency {
  const cached = cache.get(code);
  if (cached) return cached;
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
