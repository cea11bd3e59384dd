import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MONEY_MAX_MINOR, Money, addDays, decimal, parseCalendarDate, type CurrencyCode } from '@invoicing/core';
import { issuesOf } from '../testing/assertions';
import { describePaymentTerms, dueDate, paymentSchedule, paymentTerms, paymentTermsToInput, type PaymentTerms, type PaymentTermsInput } from './payment-terms';

const day = parseCalendarDate;

const instalments = (...parts: [string, number][]): PaymentTerms => paymentTerms({ kind: 'instalments', instalments: parts.map(([percent, days]) => ({ percent, days })) });

describe('paymentTerms', () => {
  it('accepts the simple kinds as they are', () => {
    expect(paymentTerms({ kind: 'due_on_receipt' })).toEqual({ kind: 'due_on_receipt' });
    expect(paymentTerms({ kind: 'net', days: 30 })).toEqual({ kind: 'net', days: 30 });
    expect(paymentTerms({ kind: 'end_of_month', days: 0 })).toEqual({ kind: 'end_of_month', days: 0 });
    expect(paymentTerms({ kind: 'net', days: 3650 })).toEqual({ kind: 'net', days: 3650 });
  });

  it.each([-1, 1.5, 3651, Number.NaN, '30' as unknown as number, undefined as unknown as number])('refuses %p days', (days) => {
    expect(issuesOf(() => paymentTerms({ kind: 'net', days }))).toEqual([{ path: 'days', code: 'payment_terms.invalid_days' }]);
  });

  it('refuses an unknown kind, or no terms at all', () => {
    expect(issuesOf(() => paymentTerms({ kind: 'whenever' } as unknown as PaymentTermsInput))).toEqual([{ path: 'kind', code: 'payment_terms.unknown_kind' }]);
    expect(issuesOf(() => paymentTerms(undefined as unknown as PaymentTermsInput))).toEqual([{ path: 'kind', code: 'payment_terms.unknown_kind' }]);
  });

  describe('with instalments', () => {
    it('keeps the percents exactly and sorts the instalments by days', () => {
      const terms = instalments(['66.67', 30], ['33.33', 0]);

      expect(terms.kind).toBe('instalments');
      if (terms.kind !== 'instalments') return;
      expect(terms.instalments.map((part) => [part.percent.toString(), part.days])).toEqual([
        ['33.33', 0],
        ['66.67', 30],
      ]);
    });

    it.each([
      [['50', '49.99']],
      [['50', '50.01']],
      [['100', '0.000001']],
      [['99']],
    ])('refuses percents %j that do not add up to 100', (percents) => {
      const input: PaymentTermsInput = { kind: 'instalments', instalments: percents.map((percent, index) => ({ percent, days: index * 30 })) };

      expect(issuesOf(() => paymentTerms(input))).toEqual([{ path: 'instalments', code: 'payment_terms.instalments_must_total_100' }]);
    });

    it('refuses an empty schedule', () => {
      expect(issuesOf(() => paymentTerms({ kind: 'instalments', instalments: [] }))).toEqual([{ path: 'instalments', code: 'payment_terms.no_instalments' }]);
      // Review of 7 December 2026: 10,000 instalments of 0.01 % were accepted, and every document stated them all.
      const parts = (count: number) => Array.from({ length: count }, () => ({ percent: (100 / count).toString(), days: 30 }));
      expect(paymentTerms({ kind: 'instalments', instalments: parts(50) })).toMatchObject({ kind: 'instalments' });
      expect(issuesOf(() => paymentTerms({ kind: 'instalments', instalments: parts(100) }))).toEqual([{ path: 'instalments', code: 'payment_terms.too_many_instalments' }]);
    });

    it('refuses a zero or negative percent, and bad days, under the instalment path', () => {
      expect(issuesOf(() => instalments(['100', 0], ['0', 30]))).toEqual([{ path: 'instalments.1.percent', code: 'payment_terms.invalid_percent' }]);
      expect(issuesOf(() => instalments(['110', 0], ['-10', 30]))).toEqual([{ path: 'instalments.1.percent', code: 'payment_terms.invalid_percent' }]);
      expect(issuesOf(() => instalments(['50', 0], ['50', -30]))).toEqual([{ path: 'instalments.1.days', code: 'payment_terms.invalid_days' }]);
    });

    it('refuses a malformed percent under the instalment path', () => {
      expect(issuesOf(() => instalments(['50', 0], ['fifty', 30]))).toEqual([{ path: 'instalments.1.percent', code: 'decimal.malformed' }]);
    });
  });
});

describe('dueDate', () => {
  it('is the issue date when due on receipt', () => {
    expect(dueDate({ kind: 'due_on_receipt' }, day('2026-01-15'))).toBe('2026-01-15');
  });

  it.each([
    [30, '2026-01-15', '2026-02-14'],
    [0, '2026-01-15', '2026-01-15'],
    [30, '2026-12-15', '2027-01-14'],
    [1, '2026-02-28', '2026-03-01'],
    [1, '2028-02-28', '2028-02-29'],
    [365, '2027-03-01', '2028-02-29'],
  ])('is net %i days after %s on %s', (days, issued, due) => {
    expect(dueDate({ kind: 'net', days }, day(issued))).toBe(due);
  });

  it.each([
    [0, '2026-02-10', '2026-02-28'],
    [0, '2028-02-10', '2028-02-29'],
    [0, '2100-02-10', '2100-02-28'],
    [0, '2000-02-10', '2000-02-29'],
    [1, '2026-02-10', '2026-03-01'],
    [1, '2028-02-10', '2028-03-01'],
    [30, '2026-01-31', '2026-03-02'],
    [30, '2026-12-15', '2027-01-30'],
    [10, '2026-12-31', '2027-01-10'],
    [45, '2026-04-01', '2026-06-14'],
  ])('is %i days after the end of the month of %s on %s', (days, issued, due) => {
    expect(dueDate({ kind: 'end_of_month', days }, day(issued))).toBe(due);
  });

  it('is the date of the last instalment', () => {
    expect(dueDate(instalments(['30', 0], ['40', 60], ['30', 30]), day('2026-01-15'))).toBe('2026-03-16');
  });
});

describe('paymentSchedule', () => {
  it('has one entry for the whole amount with simple terms', () => {
    const amount = Money.of('120.00', 'EUR');

    expect(paymentSchedule({ kind: 'net', days: 30 }, day('2026-01-15'), amount)).toEqual([{ dueDate: '2026-02-14', amount }]);
  });

  it('splits the amount by the percents, each due its days after the issue date', () => {
    const schedule = paymentSchedule(instalments(['30', 0], ['70', 30]), day('2026-01-15'), Money.of('1000.00', 'EUR'));

    expect(schedule.map((entry) => [entry.dueDate, entry.amount.toString()])).toEqual([
      ['2026-01-15', '300.00'],
      ['2026-02-14', '700.00'],
    ]);
  });

  it('hands out the remainder so the parts sum to the amount exactly', () => {
    const schedule = paymentSchedule(instalments(['33.33', 0], ['33.33', 30], ['33.34', 60]), day('2026-01-15'), Money.of('100.00', 'EUR'));

    expect(schedule.map((entry) => entry.amount.toString())).toEqual(['33.33', '33.33', '33.34']);
    expect(paymentSchedule(instalments(['50', 0], ['50', 30]), day('2026-01-15'), Money.of('0.01', 'EUR')).map((entry) => entry.amount.toString())).toEqual(['0.01', '0.00']);
    expect(paymentSchedule(instalments(['50', 0], ['50', 30]), day('2026-01-15'), Money.of('101', 'JPY')).map((entry) => entry.amount.toString())).toEqual(['51', '50']);
  });

  it('sums to the amount due exactly, each part at most one minor unit from its share, for any percents that add up to 100', () => {
    // Percents in hundredths (basis points): cut 10 000 at up to five distinct points.
    const percents = fc
      .uniqueArray(fc.integer({ min: 1, max: 9_999 }), { maxLength: 5 })
      .map((cuts) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), 10_000];
        return bounds.slice(1).map((bound, index) => bound - (bounds[index] as number));
      });
    const currency = fc.constantFrom<CurrencyCode>('EUR', 'JPY', 'BHD');

    fc.assert(
      fc.property(percents, fc.array(fc.integer({ min: 0, max: 365 }), { minLength: 6, maxLength: 6 }), fc.bigInt({ min: 0n, max: MONEY_MAX_MINOR }), currency, (basisPoints, days, minor, code) => {
        const parts = basisPoints.map((bp, index) => ({ percent: `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`, days: days[index] as number }));
        const terms = paymentTerms({ kind: 'instalments', instalments: parts });
        const amount = Money.ofMinor(minor, code);
        const issued = day('2026-01-15');

        const schedule = paymentSchedule(terms, issued, amount);

        expect(schedule).toHaveLength(parts.length);
        expect(Money.sum(code, schedule.map((entry) => entry.amount)).equals(amount)).toBe(true);
        if (terms.kind !== 'instalments') throw new Error('instalments expected');
        for (const [index, entry] of schedule.entries()) {
          const part = terms.instalments[index];
          if (!part) throw new Error('one entry per instalment');
          const share = decimal(minor.toString()).times(part.percent).dividedBy(100);
          // At most, not less than, one unit: the remainder goes to the first parts even when their share is already whole.
          expect(decimal(entry.amount.minor.toString()).minus(share).abs().lessThanOrEqualTo(1)).toBe(true);
          expect(entry.dueDate).toBe(addDays(issued, part.days));
        }
        expect(dueDate(terms, issued)).toBe(addDays(issued, Math.max(...parts.map((part) => part.days))));
      }),
    );
  });
});

describe('describePaymentTerms', () => {
  it('says the terms in plain language', () => {
    expect(describePaymentTerms({ kind: 'due_on_receipt' })).toBe('Due on receipt');
    expect(describePaymentTerms({ kind: 'net', days: 30 })).toBe('Net 30 days');
    expect(describePaymentTerms({ kind: 'end_of_month', days: 45 })).toBe('45 days end of month');
    expect(describePaymentTerms(instalments(['69.5', 30], ['30.50', 0]))).toBe('30.5% at 0 days, 69.5% at 30 days');
  });
});

describe('paymentTermsToInput', () => {
  it('gives input that parses back to the same terms', () => {
    const all: PaymentTerms[] = [{ kind: 'due_on_receipt' }, { kind: 'net', days: 14 }, { kind: 'end_of_month', days: 30 }, instalments(['12.5', 0], ['87.5', 45])];

    for (const terms of all) expect(paymentTerms(paymentTermsToInput(terms))).toEqual(terms);
    expect(paymentTermsToInput(instalments(['12.5', 0], ['87.5', 45]))).toEqual({
      kind: 'instalments',
      instalments: [
        { percent: '12.5', days: 0 },
        { percent: '87.5', days: 45 },
      ],
    });
  });
});
