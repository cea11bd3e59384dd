// The ranges of every number the domain accepts. Why these values: docs/adr/0011-bounded-amounts-and-quantities.md.

/**
 * The largest amount, in minor units, that any `Money` may hold in either direction: 10^15 − 1. That is
 * 9 999 999 999 999.99 EUR, 999 999 999 999 999 JPY, 999 999 999 999.999 BHD. Every factory and every arithmetic
 * result is checked against it (`money.out_of_range`), so a stored amount always fits a 64-bit integer, and so do the
 * database's sums of up to 9 223 amounts at the limit. `Money.largest(currency)` gives it in a currency.
 */
export const MONEY_MAX_MINOR = 10n ** 15n - 1n;

/**
 * The largest running total, in minor units, in either direction: 2^63 − 1, what the database's 64-bit integers hold.
 * A sum of amounts over an account's life outgrows `MONEY_MAX_MINOR` (10^15 dong are about 40 million USD), so the
 * ledger's lifetime totals are `RunningTotal`s, bounded by what they are stored in (`money.total_out_of_range`).
 */
export const RUNNING_TOTAL_MAX_MINOR = 2n ** 63n - 1n;

/**
 * Most digits (before and after the point together) a decimal string may have: the 34 significant digits decimal.js
 * computes with here. `decimal()` and `Money.of` refuse longer text before any arithmetic (`decimal.out_of_range`,
 * `money.out_of_range`).
 */
export const DECIMAL_MAX_DIGITS = 34;

/**
 * Longest text a decimal string may be: `DECIMAL_MAX_DIGITS` digits, a sign and a point (36 characters). The API
 * refuses longer strings at the edge, before they are parsed.
 */
export const DECIMAL_MAX_LENGTH = DECIMAL_MAX_DIGITS + 2;

/** Largest quantity of a line in either direction (BT-129), and largest price base quantity (BT-149): 10^9. */
export const QUANTITY_MAX = 1_000_000_000;

/** Most decimals a quantity or price base quantity may have (trailing zeros do not count). */
export const QUANTITY_MAX_DECIMALS = 6;

/** Largest net price of a line (BT-146), in the invoice currency's major unit: 10^12. */
export const UNIT_PRICE_MAX = 1_000_000_000_000;

/** Most decimals a net price may have (trailing zeros do not count), e.g. `0.0000012345` per API call. */
export const UNIT_PRICE_MAX_DECIMALS = 10;
