import { ValidationError, collectIssues } from '@invoicing/core';
import { optionalText, requiredText } from './text';

/** A postal address as EN 16931 holds it (BG-5 / BG-8): up to three lines, city, post code, subdivision and country. */
export interface PostalAddress {
  /** Street, building, floor … (BT-35..37 / BT-50..52), at most three lines. */
  readonly lines: readonly string[];
  readonly city?: string;
  readonly postalCode?: string;
  /** Region, state or province (BT-39 / BT-54). */
  readonly subdivision?: string;
  /** ISO 3166-1 alpha-2 country code, e.g. `FR` (BT-40 / BT-55). */
  readonly countryCode: string;
}

const COUNTRY = /^[A-Z]{2}$/;

/**
 * Checks and normalises a postal address.
 * @throws ValidationError with one issue per bad field
 */
export function postalAddress(input: PostalAddress): PostalAddress {
  return collectIssues((attempt) => {
    const lines = attempt('lines', () => {
      const given = input.lines ?? [];
      if (!Array.isArray(given) || given.length > 3) throw ValidationError.of('', 'address.too_many_lines', 'at most three address lines');
      return given.map((line, index) => requiredText(line, String(index)));
    });
    const countryCode = attempt('countryCode', () => {
      if (typeof input.countryCode !== 'string' || !COUNTRY.test(input.countryCode)) {
        throw ValidationError.of('', 'address.invalid_country', 'must be an ISO 3166-1 alpha-2 code such as "FR"');
      }
      return input.countryCode;
    });
    const city = attempt('city', () => optionalText(input.city, ''));
    const postalCode = attempt('postalCode', () => optionalText(input.postalCode, '', 20));
    const subdivision = attempt('subdivision', () => optionalText(input.subdivision, ''));
    return stripUndefined({ lines: lines ?? [], city, postalCode, subdivision, countryCode: countryCode ?? '' });
  });
}

/** Drops keys whose value is undefined, so stored and compared objects carry no empty keys. */
export function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
