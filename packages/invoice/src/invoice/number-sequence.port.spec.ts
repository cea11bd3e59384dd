import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@invoicing/core';
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

  it('formats every sequence from 1 to Number.MAX_SAFE_INTEGER', () => {
    expect(formatDocumentNumber('INV', 1)).toBe('INV-000001');
    expect(formatDocumentNumber('INV', Number.MAX_SAFE_INTEGER)).toBe('INV-9007199254740991');
  });

  // Review of 14 December 2026: -1 made `INV-0000-1`, 1.5 `INV-00001.5`, NaN `INV-000NaN`.
  it.each<[unknown, string]>([
    [-1, 'request.min'],
    [0, 'request.min'],
    [1.5, 'request.is_int'],
    [Number.NaN, 'request.is_int'],
    [Number.POSITIVE_INFINITY, 'request.is_int'],
    ['7', 'request.is_int'],
    [Number.MAX_SAFE_INTEGER + 1, 'request.max'],
    [1e20, 'request.max'],
  ])('refuses the sequence %p with %s, as importedHolder does', (sequence, code) => {
    for (const format of [() => formatDocumentNumber('INV', sequence as number), () => importedHolder('INV', sequence as number)]) {
      let error: unknown;
      try {
        format();
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([expect.objectContaining({ path: 'sequence', code })]);
    }
  });

  it('names an imported number\'s reservation after the number, which no document id of ours looks like', () => {
    expect(importedHolder('INV', 7)).toBe('imported:INV-000007');
    expect(isImportedHolder(importedHolder('INV', 7))).toBe(true);
    expect(isImportedHolder('0192f0c4-7d2e-7000-8000-000000000001')).toBe(false);
  });
});
