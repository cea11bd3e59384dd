import { describe, expect, it } from '@jest/globals';
import { formatDocumentNumber, importedHolder, isImportedHolder, parseDocumentNumber } from './number-sequence.port';

describe('document numbers', () => {
  it('reads back the series and sequence of every number the platform formats, and nothing else', () => {
    for (const [series, sequence] of [['INV', 120], ['INV-2026', 1], ['CN', 999_999], ['FR-B2B', 1_000_000], ['2026', 42]] as const) {
      expect(parseDocumentNumber(formatDocumentNumber(series, sequence))).toEqual({ series, sequence });
    }
    for (const number of ['AR-1001', 'INV-12345', 'INV-0001000', 'inv-000001', 'INV-000000', 'INV 000001', '-000001', 'ABCDEFGHIJKLMNOPQRSTU-000001', '1001']) {
      expect(parseDocumentNumber(number)).toBeUndefined();
    }
  });

  it('names an imported number\'s reservation after the number, which no document id of ours looks like', () => {
    expect(importedHolder('INV', 7)).toBe('imported:INV-000007');
    expect(isImportedHolder(importedHolder('INV', 7))).toBe(true);
    expect(isImportedHolder('0192f0c4-7d2e-7000-8000-000000000001')).toBe(false);
  });
});
