import { describe, expect, it } from '@jest/globals';
import { codes } from 'currency-codes';
import { ISO_4217_CODES } from './iso-4217';

describe('ISO_4217_CODES', () => {
  it('lists exactly the codes of the currency-codes package, in the same order, when the package data is updated', () => {
    // A new ISO amendment in currency-codes must show up here as a failing test, not as a silently unknown currency.
    expect([...ISO_4217_CODES]).toEqual(codes());
  });

  it('holds each code once, as three capital letters', () => {
    expect(new Set(ISO_4217_CODES).size).toBe(ISO_4217_CODES.length);
    for (const code of ISO_4217_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
  });
});
