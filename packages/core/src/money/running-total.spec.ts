import fc from 'fast-check';
import { MONEY_MAX_MINOR, RUNNING_TOTAL_MAX_MINOR } from './limits';
import { Money } from './money';
import { RunningTotal } from './running-total';

describe('RunningTotal', () => {
  it('sums amounts past the range of one amount, exactly, up to what a 64-bit integer holds', () => {
    const largest = Money.largest('VND');
    const twice = RunningTotal.zero('VND').add(largest).add(largest);
    expect(twice.minor).toBe(2n * MONEY_MAX_MINOR);
    expect(twice.toString()).toBe('1999999999999998');
    expect(twice.subtract(largest).equals(largest)).toBe(true);
    expect(RunningTotal.ofMinor(RUNNING_TOTAL_MAX_MINOR, 'EUR').toJSON()).toEqual({ amount: '92233720368547758.07', currency: 'EUR' });
  });

  it('refuses a total past 2^63 − 1 minor units in either direction, and amounts of another currency', () => {
    const top = RunningTotal.ofMinor(RUNNING_TOTAL_MAX_MINOR, 'EUR');
    expect(() => top.add(Money.ofMinor(1n, 'EUR'))).toThrow(expect.objectContaining({ code: 'money.total_out_of_range' }));
    expect(() => RunningTotal.ofMinor(-RUNNING_TOTAL_MAX_MINOR - 1n, 'EUR')).toThrow(expect.objectContaining({ code: 'money.total_out_of_range' }));
    expect(() => top.subtract(Money.ofMinor(1n, 'USD') as never)).toThrow(expect.objectContaining({ code: 'money.currency_mismatch' }));
    expect(() => RunningTotal.ofMinor(2 ** 60, 'EUR')).toThrow(expect.objectContaining({ code: 'money.malformed' }));
    expect(RunningTotal.zero('EUR').equals(Money.zero('USD') as never)).toBe(false);
  });

  it('adds as bigint arithmetic does, whatever the amounts', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -MONEY_MAX_MINOR, max: MONEY_MAX_MINOR }), { maxLength: 50 }), (amounts) => {
        const total = amounts.reduce((sum, minor) => sum.add(Money.ofMinor(minor, 'JPY')), RunningTotal.zero('JPY'));
        expect(total.minor).toBe(amounts.reduce((sum, minor) => sum + minor, 0n));
      }),
    );
  });
});
