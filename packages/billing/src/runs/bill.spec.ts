import { describe, expect, it } from '@jest/globals';
import { Money, parseCalendarDate } from '@invoicing/core';
import { billInvoicePeriod, billLinePeriod, type BillLine, type LineComputation } from './bill';

const day = (text: string) => parseCalendarDate(text);
const range = (start: string, end: string) => ({ start: day(start), end: day(end) });

function computation(fields: Partial<LineComputation>): LineComputation {
  return { item: 'seats@v1:2026-03-01', kind: 'recurring', purpose: 'charge', amount: '10.00', formula: '1 × 10.00', ...fields };
}

function line(fields: Partial<LineComputation>): BillLine {
  return {
    line: { id: '1', name: 'Seats', quantity: '1', unitCode: 'C62', netPrice: '10.00', vat: { code: 'S', rate: '20' } },
    amount: Money.of('10.00', 'EUR'),
    computation: computation(fields),
  };
}

describe('billLinePeriod', () => {
  it('is the days the plan version covered, the excluded end made the last day included', () => {
    expect(billLinePeriod(computation({ period: range('2026-03-01', '2026-04-01'), range: range('2026-03-10', '2026-04-01') }))).toEqual({ start: '2026-03-10', end: '2026-03-31' });
  });

  it('is the billing period when the line has no range of its own', () => {
    expect(billLinePeriod(computation({ period: range('2026-03-01', '2026-04-01') }))).toEqual({ start: '2026-03-01', end: '2026-03-31' });
  });

  it('is one day for a range of one day, and none for a one-off charge or an empty range', () => {
    expect(billLinePeriod(computation({ range: range('2026-03-31', '2026-04-01') }))).toEqual({ start: '2026-03-31', end: '2026-03-31' });
    expect(billLinePeriod(computation({ kind: 'one_off', item: 'one_off:setup' }))).toBeUndefined();
    expect(billLinePeriod(computation({ range: range('2026-03-31', '2026-03-31') }))).toBeUndefined();
  });
});

describe('billInvoicePeriod', () => {
  it('spans the first to the last day of its lines, whatever their order; one-off lines do not widen it', () => {
    const lines = [
      line({ range: range('2026-04-01', '2026-05-01') }),
      line({ kind: 'one_off', item: 'one_off:setup' }),
      line({ kind: 'usage', range: range('2026-03-01', '2026-04-01') }),
      line({ purpose: 'correction', reason: 'late_usage', range: range('2026-02-01', '2026-03-01') }),
    ];

    expect(billInvoicePeriod({ lines })).toEqual({ start: '2026-02-01', end: '2026-04-30' });
  });

  it('is undefined for a bill of one-off charges only', () => {
    expect(billInvoicePeriod({ lines: [line({ kind: 'one_off', item: 'one_off:setup' })] })).toBeUndefined();
  });
});
