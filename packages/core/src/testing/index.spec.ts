import { describe, expect, it } from '@jest/globals';
import { FixedClock, SequentialIdGenerator } from './index';

describe('FixedClock', () => {
  describe('now', () => {
    it('returns 2026-01-15T09:00:00Z when built without an instant', () => {
      expect(new FixedClock().now().toISOString()).toBe('2026-01-15T09:00:00.000Z');
    });

    it('returns the instant it was built with, every time', () => {
      const clock = new FixedClock(new Date('2030-05-01T12:00:00Z'));

      expect(clock.now().toISOString()).toBe('2030-05-01T12:00:00.000Z');
      expect(clock.now().toISOString()).toBe('2030-05-01T12:00:00.000Z');
    });

    it('returns a copy, so a caller changing the Date does not move the clock', () => {
      const start = new Date('2030-05-01T12:00:00Z');
      const clock = new FixedClock(start);
      clock.now().setUTCFullYear(1999);
      start.setUTCFullYear(1998);

      expect(clock.now().toISOString()).toBe('2030-05-01T12:00:00.000Z');
    });
  });

  describe('set', () => {
    it('moves the clock to an ISO string or a Date', () => {
      const clock = new FixedClock();
      clock.set('2027-02-03T04:05:06Z');
      expect(clock.now().toISOString()).toBe('2027-02-03T04:05:06.000Z');

      clock.set(new Date('2028-01-01T00:00:00Z'));
      expect(clock.now().toISOString()).toBe('2028-01-01T00:00:00.000Z');
    });
  });

  describe('advance', () => {
    it('moves the clock forward by milliseconds', () => {
      const clock = new FixedClock(new Date('2026-01-31T23:59:59.500Z'));
      clock.advance(500);
      expect(clock.now().toISOString()).toBe('2026-02-01T00:00:00.000Z');

      clock.advance(86_400_000);
      expect(clock.now().toISOString()).toBe('2026-02-02T00:00:00.000Z');
    });
  });
});

describe('SequentialIdGenerator', () => {
  describe('next', () => {
    it('counts from 1 with a six-digit, zero-padded number after the prefix', () => {
      const ids = new SequentialIdGenerator('inv');

      expect([ids.next(), ids.next(), ids.next()]).toEqual(['inv-000001', 'inv-000002', 'inv-000003']);
    });

    it('uses the prefix id when none is given', () => {
      expect(new SequentialIdGenerator().next()).toBe('id-000001');
    });

    it('keeps one counter per generator', () => {
      const a = new SequentialIdGenerator('a');
      const b = new SequentialIdGenerator('b');
      a.next();

      expect(b.next()).toBe('b-000001');
      expect(a.next()).toBe('a-000002');
    });

    it('makes ids that sort in creation order', () => {
      const generator = new SequentialIdGenerator();
      const ids = Array.from({ length: 1_200 }, () => generator.next());

      expect([...ids].sort()).toEqual(ids);
    });
  });
});
