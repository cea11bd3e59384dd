import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { codes } from 'currency-codes';
import { ISO_4217_CODES, NON_MONEY_CODES } from './iso-4217';

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

describe('NON_MONEY_CODES', () => {
  it('lists exactly the codes whose minor unit is N.A. in the ISO list the currency-codes package ships', () => {
    // The package's own data says 0 decimals for them, so the ISO file is the only place that tells them apart.
    const xml = readFileSync(join(dirname(require.resolve('currency-codes')), 'iso-4217-list-one.xml'), 'utf8');
    const entries = [...xml.matchAll(/<Ccy>([A-Z]{3})<\/Ccy>\s*<CcyNbr>\d+<\/CcyNbr>\s*<CcyMnrUnts>([^<]*)<\/CcyMnrUnts>/g)];
    const withoutMinorUnit = [...new Set(entries.filter(([, , units]) => units === 'N.A.').map(([, code]) => code))].sort();

    expect(entries.length).toBeGreaterThan(200);
    expect([...NON_MONEY_CODES]).toEqual(withoutMinorUnit);
  });
});
