import { DomainError, ValidationError } from '../errors/domain-error';
import { currencyOf, type CurrencyCode } from './currency';
import { Decimal, decimal, type DecimalInput } from './decimal';
import { MONEY_MAX_MINOR } from './limits';
import { DEFAULT_ROUNDING, decimalRounding, type RoundingMode } from './rounding';

// decimal.js rounds every arithmetic result to 34 significant digits. Amounts must stay exact whatever their length,
// so conversions below go through `toFixed`/`toDecimalPlaces` (which round only where asked) and bigint arithmetic.

/** The integer `value × 10^places`; exact because `value` has at most `places` decimals. */
function shifted(value: Decimal, places: number): bigint {
  return BigInt(value.toFixed(places).replace('.', ''));
}

/** The error for an amount beyond the range of `Money`; the message names the limit in the currency. */
function outOfRange(currency: CurrencyCode): ValidationError {
  const { exponent } = currencyOf(currency);
  const largest = new Decimal(`${MONEY_MAX_MINOR}e-${exponent}`).toFixed(exponent);
  return ValidationError.of('', 'money.out_of_range', `an amount is at most ${largest} ${currency} in either direction`);
}

/** Two amounts of different currencies met in one operation. */
export class CurrencyMismatchError extends DomainError {
  override readonly name: string = 'CurrencyMismatchError';

  constructor(left: string, right: string) {
    super('money.currency_mismatch', `cannot combine ${left} with ${right}`, { left, right });
  }
}

/**
 * An exact amount of one currency, held as an integer count of the currency's minor unit (cents for EUR,
 * yen for JPY, fils for BHD). Immutable: every operation returns a new value.
 *
 * An amount is at most `MONEY_MAX_MINOR` (10^15 − 1) minor units in either direction: 9 999 999 999 999.99 EUR. No
 * factory and no operation returns a value outside that range; they throw `money.out_of_range` instead, so an amount
 * never wraps around when it is stored as a 64-bit integer.
 *
 * The currency is part of the type: `Money<'EUR'>` cannot be added to `Money<'USD'>` at compile time,
 * and amounts whose currency is only known at run time are checked then (`money.currency_mismatch`).
 *
 * @example
 * const price = Money.of('19.99', 'EUR');
 * const [a, b, c] = price.allocate([1, 1, 1]); // 6.67, 6.66, 6.66
 */
export class Money<C extends CurrencyCode = CurrencyCode> {
  private constructor(
    /** The amount in minor units (e.g. cents), from −`MONEY_MAX_MINOR` to `MONEY_MAX_MINOR`. */
    readonly minor: bigint,
    readonly currency: C,
  ) {
    // The one place every amount passes through, so no path can make one out of range.
    if (minor > MONEY_MAX_MINOR || minor < -MONEY_MAX_MINOR) throw outOfRange(currency);
  }

  /** The largest amount of a currency, `MONEY_MAX_MINOR` minor units: `Money.largest('EUR')` is 9999999999999.99 EUR. */
  static largest<C extends CurrencyCode>(currency: C): Money<C> {
    return new Money(MONEY_MAX_MINOR, currency);
  }

  /**
   * Parses a decimal string in the currency's major unit: `Money.of('1234.50', 'EUR')`.
   * @throws ValidationError `money.malformed` for anything but a plain decimal; `money.precision_exceeded` for more decimals than the currency has; `money.out_of_range` beyond `Money.largest(currency)` or for more than 34 digits (refused before parsing); `money.unknown_currency`
   */
  static of<C extends CurrencyCode>(amount: string, currency: C): Money<C> {
    const { exponent } = currencyOf(currency);
    if (typeof amount !== 'string') {
      throw ValidationError.of('', 'money.malformed', `amounts are decimal strings such as "12.50", got ${typeof amount}`);
    }
    let value: Decimal;
    try {
      value = decimal(amount);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'decimal.out_of_range') {
        throw outOfRange(currency);
      }
      throw ValidationError.of('', 'money.malformed', `${JSON.stringify(amount)} is not a decimal amount such as "1234.50"`);
    }
    if (value.decimalPlaces() > exponent) {
      throw ValidationError.of('', 'money.precision_exceeded', `${currency} has ${exponent} decimal(s); ${amount} has more`);
    }
    return new Money(shifted(value, exponent), currency);
  }

  /**
   * An amount given in minor units: `Money.ofMinor(1250n, 'EUR')` is 12.50 EUR.
   * @throws ValidationError `money.malformed` when a JS number is not a safe integer; `money.out_of_range` beyond `MONEY_MAX_MINOR`
   */
  static ofMinor<C extends CurrencyCode>(minor: bigint | number, currency: C): Money<C> {
    currencyOf(currency);
    if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
      throw ValidationError.of('', 'money.malformed', `minor units must be a safe integer, got ${minor}`);
    }
    return new Money(BigInt(minor), currency);
  }

  /** Zero of a currency. */
  static zero<C extends CurrencyCode>(currency: C): Money<C> {
    return Money.ofMinor(0n, currency);
  }

  /**
   * Rounds an exact decimal in major units to the currency's minor unit, once.
   * @throws ValidationError `decimal.malformed` for NaN or an infinity; `money.out_of_range` when the rounded amount is; `money.unknown_currency`
   */
  static fromDecimal<C extends CurrencyCode>(value: Decimal, currency: C, rounding: RoundingMode = DEFAULT_ROUNDING): Money<C> {
    const { exponent } = currencyOf(currency);
    // Rounded once, straight to the minor unit: multiplying by 10^exponent first could round at 34 digits.
    return new Money(shifted(decimal(value).toDecimalPlaces(exponent, decimalRounding(rounding)), exponent), currency);
  }

  /**
   * The sum of `amounts`, all in `currency` (zero when empty).
   * @throws ValidationError `money.out_of_range` when a partial sum leaves the range
   */
  static sum<C extends CurrencyCode>(currency: C, amounts: Iterable<Money<C>>): Money<C> {
    let total = Money.zero(currency);
    for (const amount of amounts) total = total.add(amount);
    return total;
  }

  /** Number of decimals of this amount's currency. */
  get exponent(): number {
    return currencyOf(this.currency).exponent;
  }

  /**
   * The sum of two amounts of the same currency.
   * @throws CurrencyMismatchError `money.currency_mismatch`; ValidationError `money.out_of_range`
   */
  add(other: Money<C>): Money<C> {
    return new Money(this.minor + this.sameCurrency(other).minor, this.currency);
  }

  /**
   * This amount minus `other`, of the same currency.
   * @throws CurrencyMismatchError `money.currency_mismatch`; ValidationError `money.out_of_range`
   */
  subtract(other: Money<C>): Money<C> {
    return new Money(this.minor - this.sameCurrency(other).minor, this.currency);
  }

  /**
   * Multiplies by an exact decimal (a quantity, a rate) and rounds the exact product once, back to minor units.
   * @throws ValidationError `decimal.malformed` for a factor that is not an exact decimal (e.g. the JS number `0.1`); `money.out_of_range` when the rounded product is
   */
  multiply(factor: DecimalInput, rounding: RoundingMode = DEFAULT_ROUNDING): Money<C> {
    const exact = decimal(factor);
    const scale = exact.decimalPlaces();
    // The exact product as an integer over 10^scale, built from text so that no digit is rounded before the one rounding.
    const product = new Decimal(`${this.minor * shifted(exact, scale)}e-${scale}`).toDecimalPlaces(0, decimalRounding(rounding));
    return new Money(BigInt(product.toFixed(0)), this.currency);
  }

  /** The same amount with the opposite sign. */
  negate(): Money<C> {
    return new Money(-this.minor, this.currency);
  }

  /** The amount without its sign. */
  abs(): Money<C> {
    return this.minor < 0n ? this.negate() : this;
  }

  /**
   * Splits this amount in proportion to `ratios`, without losing a minor unit: every part is rounded down,
   * then the remainder is handed out one unit at a time to the parts in order (skipping zero ratios),
   * so the parts always sum to the whole.
   * @throws ValidationError `money.invalid_ratios` when a ratio is negative or all are zero
   */
  allocate(ratios: readonly DecimalInput[]): Money<C>[] {
    const exact = ratios.map((ratio) => decimal(ratio));
    if (exact.length === 0 || exact.some((ratio) => ratio.isNegative()) || exact.every((ratio) => ratio.isZero())) {
      throw ValidationError.of('ratios', 'money.invalid_ratios', 'ratios must be non-negative and at least one must be positive');
    }
    // Scale ratios to integers so the whole split runs in exact bigint arithmetic.
    const scale = Math.max(...exact.map((ratio) => ratio.decimalPlaces()));
    const weights = exact.map((ratio) => shifted(ratio, scale));
    const totalWeight = weights.reduce((sum, weight) => sum + weight, 0n);
    const sign = this.minor < 0n ? -1n : 1n;
    const whole = this.minor * sign;
    const parts = weights.map((weight) => (whole * weight) / totalWeight);
    let remainder = whole - parts.reduce((sum, part) => sum + part, 0n);
    for (let index = 0; remainder > 0n; index = (index + 1) % parts.length) {
      if (weights[index] === 0n) continue;
      parts[index] = (parts[index] ?? 0n) + 1n;
      remainder -= 1n;
    }
    return parts.map((part) => new Money(part * sign, this.currency));
  }

  /**
   * -1, 0 or 1 as this amount is less than, equal to or greater than `other`.
   * @throws CurrencyMismatchError `money.currency_mismatch`
   */
  compare(other: Money<C>): -1 | 0 | 1 {
    const difference = this.minor - this.sameCurrency(other).minor;
    return difference < 0n ? -1 : difference > 0n ? 1 : 0;
  }

  /** True for the same currency and amount; false (not an error) for another currency. */
  equals(other: Money<C>): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  /** @throws CurrencyMismatchError `money.currency_mismatch` */
  lessThan(other: Money<C>): boolean {
    return this.compare(other) < 0;
  }

  /** @throws CurrencyMismatchError `money.currency_mismatch` */
  lessThanOrEqual(other: Money<C>): boolean {
    return this.compare(other) <= 0;
  }

  /** @throws CurrencyMismatchError `money.currency_mismatch` */
  greaterThan(other: Money<C>): boolean {
    return this.compare(other) > 0;
  }

  /** @throws CurrencyMismatchError `money.currency_mismatch` */
  greaterThanOrEqual(other: Money<C>): boolean {
    return this.compare(other) >= 0;
  }

  /** The smaller of two amounts. */
  min(other: Money<C>): Money<C> {
    return this.compare(other) <= 0 ? this : other;
  }

  /** The larger of two amounts. */
  max(other: Money<C>): Money<C> {
    return this.compare(other) >= 0 ? this : other;
  }

  /** True when the amount is zero. */
  isZero(): boolean {
    return this.minor === 0n;
  }

  /** True when the amount is above zero. */
  isPositive(): boolean {
    return this.minor > 0n;
  }

  /** True when the amount is below zero. */
  isNegative(): boolean {
    return this.minor < 0n;
  }

  /** The exact amount in major units. */
  toDecimal(): Decimal {
    // Built from text: the constructor keeps every digit, where a division would round at 34.
    return new Decimal(`${this.minor}e-${this.exponent}`);
  }

  /** The amount as a decimal string with exactly the currency's decimals: `"1234.50"`, `"-3"` for JPY. */
  toString(): string {
    return this.toDecimal().toFixed(this.exponent);
  }

  /** JSON form used across the API and files: amounts as strings, never numbers. */
  toJSON(): { amount: string; currency: C } {
    return { amount: this.toString(), currency: this.currency };
  }

  private sameCurrency(other: Money<C>): Money<C> {
    if (other.currency !== this.currency) throw new CurrencyMismatchError(this.currency, other.currency);
    return other;
  }
}
