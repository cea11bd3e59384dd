import { describe, expect, it } from '@jest/globals';
import { Money, parseCalendarDate } from '@invoicing/core';
import { billInvoicePeriod, billLinePeriod, daysOf, type BillLine, type LineComputation } from './bill';

const day = (text: string) => parseCalendarDate(text);
const range = (start: string, end: string) => ({ start: day(start), end: day(end) });

/** A bill line as a bill recorded before lines had a period: only its computation says which days. */
function line(fields: Partial<LineComputation>, period?: { start: string; end: string }): BillLine {
  return {
    line: { id: '1', name: 'Seats', quantity: '1', unitCode: 'C62', netPrice: '10.00', vat: { code: 'S', rate: '20' }, ...(period ? { period } : {}) },
    amount: Money.of('10.00', 'EUR'),
    computation: { item: 'seats@v1:2026-03-01', kind: 'recurring', purpose: 'charge', amount: '10.00', formula: '1 × 10.00', ...fields },
  };
}

describe('daysOf', () => {
  it('makes the excluded end the last day included, and an empty range none', () => {
    expect(daysOf(range('2026-03-01', '2026-04-01'))).toEqual({ start: '2026-03-01', end: '2026-03-31' });
    expect(daysOf(range('2026-03-31', '2026-04-01'))).toEqual({ start: '2026-03-31', end: '2026-03-31' });
    expect(daysOf(range('2026-03-31', '2026-03-31'))).toBeUndefined();
    expect(daysOf(undefined)).toBeUndefined();
  });
});

describe('billLinePeriod', () => {
  it('is the period the bill recorded on the line', () => {
    expect(billLinePeriod(line({ kind: 'one_off', item: 'one_off:setup' }, { start: '2026-03-12', end: '2026-03-12' }))).toEqual({ start: '2026-03-12', end: '2026-03-12' });
  });

  it('is, for a line recorded without one, the days the plan version covered, else its billing period', () => {
    expect(billLinePeriod(line({ period: range('2026-03-01', '2026-04-01'), range: range('2026-03-10', '2026-04-01') }))).toEqual({ start: '2026-03-10', end: '2026-03-31' });
    expect(billLinePeriod(line({ period: range('2026-03-01', '2026-04-01') }))).toEqual({ start: '2026-03-01', end: '2026-03-31' });
    expect(billLinePeriod(line({ purpose: 'correction', reason: 'late_usage', range: range('2026-02-01', '2026-03-01') }))).toEqual({ start: '2026-02-01', end: '2026-02-28' });
  });

  it('is, for a correction, the days its item covers now, never its whole period; none when the item was removed', () => {
    const period = range('2026-03-01', '2026-04-01');
    expect(billLinePeriod(line({ purpose: 'correction', reason: 'plan_change', period, range: range('2026-03-01', '2026-03-16') }))).toEqual({ start: '2026-03-01', end: '2026-03-15' });
    expect(billLinePeriod(line({ purpose: 'correction', reason: 'plan_change', period }))).toBeUndefined();
  });

  it('is none for a one-off charge recorded without one', () => {
    expect(billLinePeriod(line({ kind: 'one_off', item: 'one_off:setup' }))).toBeUndefined();
  });
});

describe('billInvoicePeriod', () => {
  it('spans the first to the last day of its lines, whatever their order; lines without days do not widen it', () => {
    const lines = [
      line({ range: range('2026-04-01', '2026-05-01') }),
      line({ kind: 'one_off', item: 'one_off:setup' }),
      line({ kind: 'usage', range: range('2026-03-01', '2026-04-01') }),
      line({ purpose: 'correction', reason: 'late_usage', range: range('2026-02-01', '2026-03-01') }),
      line({ purpose: 'correction', reason: 'plan_change', period: range('2026-04-01', '2026-05-01') }),
    ];

    expect(billInvoicePeriod({ lines })).toEqual({ start: '2026-02-01', end: '2026-04-30' });
  });

  it('is undefined for a bill whose lines are for no days', () => {
    expect(billInvoicePeriod({ lines: [line({ kind: 'one_off', item: 'one_off:setup' })] })).toBeUndefined();
  });
});
