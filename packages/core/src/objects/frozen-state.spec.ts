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

  it('walks again none of what it made before', () => {
    const first = frozenState({ lines: [{ id: '1' }] });
    const next = frozenState({ ...first, status: 'issued' });
    expect(next.lines).toBe(first.lines);
  });
});
