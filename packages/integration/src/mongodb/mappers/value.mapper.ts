import { Decimal, Money, RunningTotal, parseCurrencyCode } from '@invoicing/core';

/**
 * The stored encodings of values, shared by every mapper. They are the encodings documents have always had (format 1):
 * - Money: `{ minor: Int64, currency }`, integer minor units the database can sum exactly;
 * - Decimal (quantities, unit prices, rates, percents): `{ decimal: '0.0125' }`, a string, since FerretDB has no Decimal128;
 * - dates: BSON dates; calendar dates (`2026-01-15`) are plain strings.
 */
/**
 * An object literal that names every field of `T`, optional ones included (as `undefined` when absent). Mappers build
 * each stored and each domain object as `{ … } satisfies AllFieldsOf<T>`: a field added to or renamed in the domain
 * then fails to compile until the mapper says how it is stored, instead of being silently dropped or leaked.
 */
export type AllFieldsOf<T> = Record<keyof T, unknown>;

export interface StoredMoney {
  readonly minor: bigint;
  readonly currency: string;
}

/** A decimal as stored: its exact string in a one-field subdocument. */
export interface StoredDecimal {
  readonly decimal: string;
}

export function moneyToPersistence(money: Money | RunningTotal): StoredMoney {
  return { minor: money.minor, currency: money.currency };
}

/** @throws ValidationError `money.unknown_currency`; TypeError when `minor` is no 64-bit integer */
export function moneyToDomain(stored: StoredMoney): Money {
  return Money.ofMinor(toBigInt(stored.minor), parseCurrencyCode(stored.currency));
}

/** A running total, stored as an amount is. @throws as {@link moneyToDomain} */
export function runningTotalToDomain(stored: StoredMoney): RunningTotal {
  return RunningTotal.ofMinor(toBigInt(stored.minor), parseCurrencyCode(stored.currency));
}

export function decimalToPersistence(value: Decimal): StoredDecimal {
  return { decimal: value.toString() };
}

/** @throws TypeError when the stored value is no decimal string */
export function decimalToDomain(stored: StoredDecimal): Decimal {
  if (typeof stored?.decimal !== 'string') throw new TypeError(`not a stored decimal: ${JSON.stringify(stored)}`);
  return new Decimal(stored.decimal);
}

/** @throws TypeError when the stored value is no date */
export function dateToDomain(stored: Date): Date {
  if (!(stored instanceof Date)) throw new TypeError(`not a stored date: ${String(stored)}`);
  return stored;
}

/** An int64 from the driver as a bigint, whichever way it was promoted (bigint with `useBigInt64`, number from `$sum` of small values, Long). */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (value !== null && typeof value === 'object' && 'toBigInt' in value && typeof value.toBigInt === 'function') return (value as { toBigInt(): bigint }).toBigInt();
  throw new TypeError(`not a 64-bit integer: ${String(value)}`);
}

/** Maps an optional value, keeping it absent when absent. */
export function optional<T, U>(value: T | undefined, map: (present: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}

/**
 * Drops the keys whose value is undefined: optional fields are left out of stored documents (the driver would store
 * them as null) and out of domain states (which never carry empty keys).
 */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
