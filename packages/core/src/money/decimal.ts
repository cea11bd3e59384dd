import { Decimal as DecimalJs } from 'decimal.js';
import { ValidationError } from '../errors/domain-error';
import { DECIMAL_MAX_DIGITS, DECIMAL_MAX_LENGTH } from './limits';

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

/** A decimal written with more than `DECIMAL_MAX_DIGITS` digits. */
function tooManyDigits(): ValidationError {
  return ValidationError.of('', 'decimal.out_of_range', `a decimal has at most ${DECIMAL_MAX_DIGITS} digits`);
}

/**
 * Parses a plain decimal (`"1234.50"`, `"-0.125"`, `42`) of at most `DECIMAL_MAX_DIGITS` (34) digits.
 * Rejects what would hide a mistake: thousands separators, exponents, `NaN`, infinities, leading `+` or zeros,
 * and fractional JS numbers (binary floats never carry an amount here). Text longer than `DECIMAL_MAX_LENGTH` is
 * refused before it is even matched, so a huge string costs nothing. A `Decimal` is taken at any length: it was
 * computed, not received. Negative zero (`"-0.00"`) is zero: decimal.js keeps its sign, and `toJSON` printed it `"-0"`.
 * @throws ValidationError `decimal.malformed`; `decimal.out_of_range` for more than 34 digits
 */
export function decimal(value: DecimalInput): Decimal {
  const parsed = parse(value);
  return parsed.isZero() && parsed.isNeg() ? new Decimal(0) : parsed;
}

function parse(value: DecimalInput): Decimal {
  if (value instanceof DecimalJs) {
    // A Decimal can hold NaN or ±Infinity; no quantity, price or rate may.
    if (!value.isFinite()) throw ValidationError.of('', 'decimal.malformed', `${value.toString()} is not a finite decimal`);
    return new Decimal(value);
  }
  if (typeof value === 'bigint') {
    const text = value.toString();
    if (text.replace('-', '').length > DECIMAL_MAX_DIGITS) throw tooManyDigits();
    return new Decimal(text);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw ValidationError.of('', 'decimal.malformed', `${value} is not a safe integer; pass decimals as strings, e.g. "12.50"`);
    }
    return new Decimal(value);
  }
  if (typeof value === 'string' && value.length > DECIMAL_MAX_LENGTH) throw tooManyDigits();
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw ValidationError.of('', 'decimal.malformed', `${JSON.stringify(value)} is not a plain decimal such as "1234.50"`);
  }
  // Every character but a sign and a point is a digit.
  if (value.replace(/[-.]/g, '').length > DECIMAL_MAX_DIGITS) throw tooManyDigits();
  return new Decimal(value);
}

/** Canonical text of a decimal: plain notation, no exponent, at least `minScale` decimals. */
export function formatDecimal(value: Decimal, minScale = 0): string {
  return value.toFixed(Math.max(minScale, value.decimalPlaces()));
}
