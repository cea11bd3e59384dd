import { describe, expect, it } from '@jest/globals';
import { CLOCK, SystemClock } from './clock.port';

describe('SystemClock', () => {
  describe('now', () => {
    it('returns the current instant as a new Date on each call', () => {
      const clock = new SystemClock();
      const before = Date.now();
      const first = clock.now();
      const second = clock.now();
      const after = Date.now();

      expect(first.getTime()).toBeGreaterThanOrEqual(before);
      expect(second.getTime()).toBeLessThanOrEqual(after);
      expect(second).not.toBe(first);
    });
  });
});

describe('CLOCK', () => {
  it('is a registered symbol, so two copies of the package bind the same token', () => {
    expect(Symbol.keyFor(CLOCK)).toBe('@invoicing/core/Clock');
  });
});
