import { Decimal, decimal } from '../money/decimal';
import { frozenState } from './frozen-state';

describe('frozenState', () => {
  it('shares nothing mutable with an object the caller froze only at its top', () => {
    const at = new Date('2026-03-10T00:00:00Z');
    const lines = [{ id: '1' }];
    const given = Object.freeze({ at, lines, nested: Object.freeze({ tags: ['a'] }) });
    const state = frozenState(given);
    // A part without a Date is frozen in place (then the caller's change throws), one with a Date is copied.
    const attempt = (change: () => unknown) => {
      try {
        change();
      } catch {
        // frozen
      }
    };
    attempt(() => at.setUTCFullYear(1999));
    attempt(() => lines.push({ id: '2' }));
    attempt(() => given.nested.tags.push('b'));
    expect(state.at.toISOString()).toBe('2026-03-10T00:00:00.000Z');
    expect(state.lines).toEqual([{ id: '1' }]);
    expect(state.nested.tags).toEqual(['a']);
    expect(Object.isFrozen(state.lines)).toBe(true);
    expect(Object.isFrozen(state.nested.tags)).toBe(true);
  });

  it('freezes the Decimals it keeps, digits included: decimal.js types its digits as a mutable array (review of 14 December 2026)', () => {
    const state = frozenState({ price: decimal('12.50'), rates: [new Decimal('20')] });
    const price = state.price as unknown as { d: number[]; e: number; s: number };
    const attempt = (change: () => unknown) => {
      try {
        change();
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
      }
    };

    attempt(() => {
      price.d[0] = 99;
    });
    attempt(() => price.d.push(1));
    attempt(() => Object.assign(price, { e: 5, s: -1 }));
    attempt(() => {
      (state.rates[0] as unknown as { d: number[] }).d[0] = 7;
    });

    expect(state.price.toString()).toBe('12.5');
    expect(state.rates[0]?.toString()).toBe('20');
    // Still a working Decimal: decimal.js never writes into the operands it reads.
    expect(state.price.times(state.rates[0] as Decimal).plus(state.price).toString()).toBe('262.5');
  });

  it('walks again none of what it made before', () => {
    const first = frozenState({ lines: [{ id: '1' }] });
    const next = frozenState({ ...first, status: 'issued' });
    expect(next.lines).toBe(first.lines);
  });
});
