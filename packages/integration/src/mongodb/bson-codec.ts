import { Decimal, Money, type CurrencyCode } from '@invoicing/core';

/**
 * How domain states become BSON and back, without losing a cent or a digit:
 * - `Money` → `{ minor: Int64, currency }`: integer minor units the database can sum exactly;
 * - `Decimal` (quantities, unit prices, rates) → `{ decimal: '0.0125' }`: a string, since FerretDB has no Decimal128;
 * - `Date` stays a BSON date; `undefined` fields are left out; everything else is copied as is.
 * The shapes are recognised by their exact keys, which no domain object uses.
 */
export interface EncodedMoney {
  readonly minor: bigint;
  readonly currency: string;
}

export function encodeMoney(money: Money): EncodedMoney {
  return { minor: money.minor, currency: money.currency };
}

export function encode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Money) return encodeMoney(value);
  if (Decimal.isDecimal(value)) return { decimal: (value as Decimal).toString() };
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(encode);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = encode(field);
  return out;
}

function isMoney(value: Record<string, unknown>, keys: string[]): boolean {
  return keys.length === 2 && 'minor' in value && 'currency' in value && typeof value.currency === 'string';
}

/** The reverse of {@link encode}; int64 may arrive as bigint (useBigInt64) or number (older servers, `$sum` of small values). */
export function decode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (isMoney(record, keys)) return Money.ofMinor(toBigInt(record.minor), record.currency as CurrencyCode);
  if (keys.length === 1 && typeof record.decimal === 'string') return new Decimal(record.decimal);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = decode(record[key]);
  return out;
}

/** An int64 from the driver as a bigint, whichever way it was promoted. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (value !== null && typeof value === 'object' && 'toBigInt' in value && typeof value.toBigInt === 'function') return (value as { toBigInt(): bigint }).toBigInt();
  throw new TypeError(`not a 64-bit integer: ${String(value)}`);
}
