import { Decimal } from '../money/decimal';
import { Money } from '../money/money';

/** An object literal, or one without prototype; of any realm (a test runner's `structuredClone` makes them in another). */
export function isPlainData(value: object): boolean {
  const prototype: object | null = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/**
 * `value` deeply frozen, for an aggregate to keep as its state: its plain objects, arrays, `Money` and `Decimal`s (with
 * their digits) are frozen, and its Dates (which freezing cannot protect) are replaced by copies. A part with no Date
 * inside is frozen in place; a part holding a Date is copied, so that the caller, who may still hold the original, never
 * reaches the copy. Other class instances are kept as they are, and parts this function already made are taken as done:
 * each change of an aggregate reuses most of its previous state, which is therefore not walked again. Only its own: an
 * object a caller froze may still hold a mutable array or Date.
 */
export function frozenState<T>(value: T): T {
  return (typeof value === 'object' && value !== null ? own(value) : value) as T;
}

/** What `frozenState` made: deeply frozen, holding no Date anyone else can reach. */
const owned = new WeakSet<object>();

function done<T extends object>(value: T): T {
  owned.add(Object.freeze(value));
  return value;
}

// Objects only: the loops skip primitives (most fields) without a call.
function own(value: object): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) {
    if (owned.has(value)) return value;
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      if (typeof item !== 'object' || item === null) continue;
      const made = own(item);
      if (made !== item) (copy ??= value.slice())[index] = made;
    }
    return done(copy ?? value);
  }
  if (!isPlainData(value)) {
    if (value instanceof Decimal) {
      // decimal.js types its digits `d` as a mutable array, and never writes into a Decimal it reads.
      Object.freeze((value as { readonly d: readonly number[] | null }).d);
      return Object.freeze(value);
    }
    return value instanceof Money ? Object.freeze(value) : value;
  }
  if (owned.has(value)) return value;
  const fields = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const field = fields[key];
    if (typeof field !== 'object' || field === null) continue;
    const made = own(field);
    if (made !== field) (copy ??= { ...fields })[key] = made;
  }
  return done(copy ?? fields);
}

/**
 * A shallow copy of a frozen state for a caller, its top-level Dates copied: the rest is frozen and safe to share.
 * An aggregate with a Date further down copies that one itself.
 */
export function handedOut<S extends object>(state: S): S {
  const copy = { ...state } as Record<string, unknown>;
  for (const key in copy) {
    const field = copy[key];
    if (field instanceof Date) copy[key] = new Date(field.getTime());
  }
  return copy as S;
}

/**
 * `value` with every Date in it, at any depth, replaced by a copy; the parts without a Date are the same objects. For
 * small frozen data handed out whole, such as a domain event and its payload: a Date is the one part freezing leaves
 * mutable.
 */
export function withOwnDates<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const made = withOwnDates(item);
      if (made !== item) (copy ??= value.slice())[index] = made;
    });
    return (copy ?? value) as T;
  }
  if (!isPlainData(value)) return value;
  const fields = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const field = fields[key];
    if (typeof field !== 'object' || field === null) continue;
    const made = withOwnDates(field);
    if (made !== field) (copy ??= { ...fields })[key] = made;
  }
  return (copy ?? fields) as T;
}
