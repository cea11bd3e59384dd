import { BSON } from 'mongodb';
import { decodeState, encodeState } from './stored-state';

describe('a stored state', () => {
  it('keeps int64 as bigint, dates as dates, and every other JSON value as it was', () => {
    const state = {
      amount: { minor: 999_999_999_999_999n, currency: 'EUR' },
      negative: -9_223_372_036_854_775_808n,
      at: new Date('2026-01-15T09:00:00.123Z'),
      days: 30,
      rate: 0.5,
      flags: [true, false, null],
      nested: { lines: [{ id: '1', quantity: { decimal: '0.0125' } }], empty: {} },
      text: 'Müller & Söhne "quoted" \\ back\nslash',
    };
    const stored = encodeState(state);
    expect(typeof stored).toBe('string');
    expect(decodeState(stored)).toEqual(state);
    expect(typeof decodeState<typeof state>(stored).amount.minor).toBe('bigint');
    expect(decodeState<typeof state>(stored).at).toBeInstanceOf(Date);
  });

  it('reads what Extended JSON reads from the same text, int64 and dates in arrays and at the extremes included', () => {
    const state = {
      amounts: [0n, 1n, -1n, 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n],
      dates: [new Date(0), new Date(-86_400_000), new Date('9999-12-31T23:59:59.999Z')],
      table: [[1, 2.5, 0], [{ at: new Date('2026-12-05T00:00:00Z'), minor: 12_345n }]],
      numbers: { big: 2 ** 53, small: -(2 ** 31) - 1, fraction: 1e-7 },
      empty: { list: [], object: {}, nothing: null, text: '' },
    };
    const stored = encodeState(state);
    expect(decodeState(stored)).toEqual(BSON.EJSON.parse(stored, { relaxed: true, useBigInt64: true }));
    expect(decodeState(stored)).toEqual(state);
  });

  it('reads a format-1 subdocument as it is', () => {
    const subdocument = { amount: { minor: 5n, currency: 'EUR' } };
    expect(decodeState(subdocument)).toBe(subdocument);
  });

  it('refuses a key that Extended JSON would read back as a type', () => {
    expect(() => encodeState({ notes: { $date: 'not a date' } })).toThrow(/cannot hold the key \$date/);
  });
});
