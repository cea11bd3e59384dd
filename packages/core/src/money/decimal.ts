import { Decimal as DecimalJs } from 'decimal.js';
import { ValidationError } from '../errors/domain-error';

/**
 * Exact decimal numbers for quantities, unit prices and rates: a private decimal.js constructor with
 * 34 significant digits (IEEE 754 decimal128), so settings here never leak into a user's own decimal.js.
 */
export const Decimal = DecimalJs.clone({ precision: 34, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
/** An exact decimal value (immutable). */
export type Decimal = DecimalJs;

/** What may be turned into a Decimal: a decimal string, a bigint, a safe integer or a Decimal. Never a fractional JS number. */
export type DecimalInput = string | bigint | number | Decimal;

const DECIMAL_PATTERN = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * Parses a plain decimal (`"1234.50"`, `"-0.125"`, `42`).
 * Rejects what would hide a mistake: thousands separators, exponents, `NaN`, infinities, leading `+` or zeros,
 * and fractional JS numbers (binary floats never carry an amount here).
 * @throws ValidationError `decimal.malformed`
 */
export function decimal(value: DecimalInput): Decimal {
  if (value instanceof DecimalJs) {
    // A Decimal can hold NaN or ±Infinity; no quantity, price or rate may.
    if (!value.isFinite()) throw ValidationError.of('', 'decimal.malformed', `${value.toString()} is not a finite decimal`);
    return new Decimal(value);
  }
  if (typeof value === 'bigint') return new Decimal(value.toString());
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw ValidationError.of('', 'decimal.malformed', `${value} is not a safe integer; pass decimals as strings, e.g. "12.50"`);
    }
    return new Decimal(value);
  }
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw ValidationError.of('', 'decimal.malformed', `${JSON.stringify(value)} is not a plain decimal such as "1234.50"`);
  }
  return new Decimal(value);
}

/** Canonical text of a decimal: plain notation, no exponent, at least `minScale` decimals. */
export function formatDecimal(value: Decimal, minScale = 0): string {
  return value.toFixed(Math.max(minScale, value.decimalPlaces()));
}
