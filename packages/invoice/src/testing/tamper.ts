import { Decimal, Money, isPlainData } from '@invoicing/core';

/** Runs a change a caller might try on data handed out; frozen data refuses it with a TypeError, as it should. */
export function attempt(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    // By name: data of another realm throws that realm's TypeError.
    if ((error as Error | undefined)?.name !== 'TypeError') throw error;
  }
}

/**
 * Tries every change a caller could make to what it was handed: rewrites and adds fields of plain objects, appends to
 * and empties arrays, moves Dates, rewrites Money and Decimals (decimal.js types a Decimal's digits `d` as a mutable
 * array, so a caller needs no cast to write into them).
 */
export function tamperWith(value: unknown): void {
  const seen = new Set<unknown>();
  const visit = (item: unknown): void => {
    if (typeof item !== 'object' || item === null || seen.has(item)) return;
    seen.add(item);
    if (item instanceof Date) {
      attempt(() => item.setTime(0));
      return;
    }
    if (item instanceof Decimal) {
      const digits = item.d as number[] | null;
      attempt(() => digits?.push(1));
      attempt(() => {
        if (digits) digits[0] = 7;
      });
      attempt(() => Object.assign(item, { e: 9, s: -item.s }));
      return;
    }
    if (item instanceof Money) {
      attempt(() => Object.assign(item, { minor: 0n, currency: 'XXX' }));
      return;
    }
    if (Array.isArray(item)) {
      item.forEach(visit);
      attempt(() => item.push('tampered'));
      attempt(() => item.reverse());
      attempt(() => {
        item.length = 0;
      });
      return;
    }
    // Plain data of any realm (structuredClone makes it in another under a test runner); no class instance.
    if (!isPlainData(item)) return;
    const fields = item as Record<string, unknown>;
    for (const [key, field] of Object.entries(fields)) {
      visit(field);
      attempt(() => {
        fields[key] = 'tampered';
      });
    }
    attempt(() => {
      fields.tampered = true;
    });
  };
  visit(value);
}
