import { ValidationError } from '../errors/domain-error';
import { currencyOf, type CurrencyCode } from './currency';
import { Decimal } from './decimal';
import { RUNNING_TOTAL_MAX_MINOR } from './limits';
import { CurrencyMismatchError, type Money } from './money';

/**
 * An exact sum of amounts of one currency accumulated over time, such as what an account received over its life, in
 * minor units. Each amount added is a `Money`, bounded by `MONEY_MAX_MINOR`; their sum over years is not, so a running
 * total goes up to `RUNNING_TOTAL_MAX_MINOR` (2^63 − 1, what the database stores it in) and is refused past it
 * (`money.total_out_of_range`), never wrapped. It is only added to, subtracted from and compared: anything decided
 * from it (a partner's credit) is computed as `Money`, in `Money`'s range. Immutable.
 */
export class RunningTotal<C extends CurrencyCode = CurrencyCode> {
  private constructor(
    readonly minor: bigint,
    readonly currency: C,
  ) {
    if (minor > RUNNING_TOTAL_MAX_MINOR || minor < -RUNNING_TOTAL_MAX_MINOR) {
      throw ValidationError.of('', 'money.total_out_of_range', `a running total is at most ${RUNNING_TOTAL_MAX_MINOR} minor units of ${currency} in either direction`);
    }
  }

  static zero<C extends CurrencyCode>(currency: C): RunningTotal<C> {
    return RunningTotal.ofMinor(0n, currency);
  }

  /**
   * A total given in minor units, as stored.
   * @throws ValidationError `money.malformed` when a JS number is not a safe integer; `money.total_out_of_range`; `money.unknown_currency`
   */
  static ofMinor<C extends CurrencyCode>(minor: bigint | number, currency: C): RunningTotal<C> {
    currencyOf(currency);
    if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
      throw ValidationError.of('', 'money.malformed', `minor units must be a safe integer, got ${minor}`);
    }
    return new RunningTotal(BigInt(minor), currency);
  }

  /** @throws CurrencyMismatchError `money.currency_mismatch`; ValidationError `money.total_out_of_range` */
  add(amount: Money<C> | RunningTotal<C>): RunningTotal<C> {
    return new RunningTotal(this.minor + this.sameCurrency(amount).minor, this.currency);
  }

  /** @throws CurrencyMismatchError `money.currency_mismatch`; ValidationError `money.total_out_of_range` */
  subtract(amount: Money<C> | RunningTotal<C>): RunningTotal<C> {
    return new RunningTotal(this.minor - this.sameCurrency(amount).minor, this.currency);
  }

  /** True for the same currency and amount, whether `other` is a total or an amount; false for another currency. */
  equals(other: Money<C> | RunningTotal<C>): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  /** The total as a decimal string with exactly the currency's decimals, as `Money` writes amounts. */
  toString(): string {
    const { exponent } = currencyOf(this.currency);
    return new Decimal(`${this.minor}e-${exponent}`).toFixed(exponent);
  }

  toJSON(): { amount: string; currency: C } {
    return { amount: this.toString(), currency: this.currency };
  }

  private sameCurrency(other: Money<C> | RunningTotal<C>): Money<C> | RunningTotal<C> {
    if (other.currency !== this.currency) throw new CurrencyMismatchError(this.currency, other.currency);
    return other;
  }
}
