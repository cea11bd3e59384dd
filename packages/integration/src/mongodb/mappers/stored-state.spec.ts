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

  it('reads a format-1 subdocument as it is', () => {
    const subdocument = { amount: { minor: 5n, currency: 'EUR' } };
    expect(decodeState(subdocument)).toBe(subdocument);
  });

  it('refuses a key that Extended JSON would read back as a type', () => {
    expect(() => encodeState({ notes: { $date: 'not a date' } })).toThrow(/cannot hold the key \$date/);
  });
});
