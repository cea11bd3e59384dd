import { describe, expect, it } from '@jest/globals';
import { Money, type CalendarDate, type TenantId } from '@invoicing/core';
import type { InvoiceId, PartnershipId } from '@invoicing/invoice';
import type { BillAllowance, BillLine, BillState } from './bill';
import { invoicedPart, withCreditNotes } from './final-credit';

const VAT = { code: 'S', rate: '20' } as const;

function line(id: string, item: string, amount: string, periodStart = '2026-04-01'): BillLine {
  const money = Money.of(amount, 'EUR');
  return {
    line: { id, name: item, quantity: money.isNegative() ? '-1' : '1', unitCode: 'C62', netPrice: money.abs().toString(), vat: VAT },
    amount: money,
    computation: { item, kind: 'recurring', purpose: money.isNegative() ? 'correction' : 'charge', period: { start: periodStart as CalendarDate, end: '2026-05-01' as CalendarDate }, amount, formula: amount },
  };
}

function bill(position: number, lines: readonly BillLine[], allowances: readonly BillAllowance[] = [], creditNotes?: BillState['creditNotes']): BillState {
  return {
    tenantId: 't' as TenantId,
    key: `p/${position}`,
    partnershipId: 'p' as PartnershipId,
    billingDate: `2026-0${position}-01` as CalendarDate,
    planVersion: 1,
    invoiceMode: 'issue',
    currency: 'EUR',
    lines,
    allowances,
    usageCutoff: new Date(0),
    invoiceId: `invoice-${position}` as InvoiceId,
    status: lines.length === 0 ? 'empty' : 'invoiced',
    position,
    createdAt: new Date(0),
    ...(creditNotes === undefined ? {} : { creditNotes }),
  };
}

const ids = () => {
  let next = 0;
  return () => `credit-${++next}` as InvoiceId;
};

describe('withCreditNotes', () => {
  it('credits each line on the invoice of the latest bill that charged its item, split over earlier ones when that one charged less', () => {
    const earlier = [bill(1, [line('a', 'seats', '100.00')]), bill(2, [line('b', 'seats', '30.00'), line('c', 'storage', '10.00')]), bill(3, [])];
    const final = bill(4, [line('d', 'seats', '-120.00'), line('e', 'storage', '-10.00'), line('f', 'usage', '5.00')]);

    const split = withCreditNotes(final, earlier, ids());

    expect(split?.creditNotes).toEqual([
      { invoiceId: 'invoice-2', creditNoteId: 'credit-1', lines: [{ lineId: 'd', amount: Money.of('30.00', 'EUR') }, { lineId: 'e', amount: Money.of('10.00', 'EUR') }], allowances: [] },
      { invoiceId: 'invoice-1', creditNoteId: 'credit-2', lines: [{ lineId: 'd', amount: Money.of('90.00', 'EUR') }], allowances: [] },
    ]);
    // What no credit note takes is the bill's own invoice.
    expect(invoicedPart(split as BillState).lines.map((each) => each.line.id)).toEqual(['f']);
  });

  it("counts what earlier bills' credit notes took back of an invoice as credited", () => {
    const first = bill(1, [line('a', 'seats', '100.00')]);
    const taken = bill(2, [line('b', 'seats', '-80.00')], [], [{ invoiceId: 'invoice-1' as InvoiceId, creditNoteId: 'old' as InvoiceId, lines: [{ lineId: 'b', amount: Money.of('80.00', 'EUR') }], allowances: [] }]);

    expect(withCreditNotes(bill(3, [line('c', 'seats', '-20.00')]), [first, taken], ids())?.creditNotes?.map((note) => note.invoiceId)).toEqual(['invoice-1']);
    // More than was charged and not credited yet: no credit note can carry it, and the bill stays due.
    expect(withCreditNotes(bill(3, [line('c', 'seats', '-20.01')]), [first, taken], ids())).toBeUndefined();
  });

  it("gives a discount back on the credit note that credits most of its period's days in its VAT category", () => {
    const earlier = [bill(1, [line('a', 'seats', '100.00', '2026-03-01')]), bill(2, [line('b', 'seats', '100.00', '2026-04-01')])];
    const giveBack: BillAllowance = { discountCode: 'launch', planVersion: 1, side: 'charge', periodStart: '2026-03-01' as CalendarDate, allowance: { amount: '5.00', reason: 'Launch', vat: VAT } };
    const final = bill(3, [line('c', 'seats', '-150.00', '2026-03-01')], [giveBack]);

    const split = withCreditNotes(final, earlier, ids());

    expect(split?.creditNotes?.map((note) => [note.invoiceId, note.lines.map((part) => part.amount.toString()), note.allowances])).toEqual([
      ['invoice-2', ['100.00'], [0]],
      ['invoice-1', ['50.00'], []],
    ]);
    expect(invoicedPart(split as BillState)).toEqual({ lines: [], allowances: [] });
    // A discount of a period none of the credit notes credits has nowhere to go.
    expect(withCreditNotes(bill(3, [line('c', 'seats', '-150.00', '2026-03-01')], [{ ...giveBack, periodStart: '2026-02-01' as CalendarDate }]), earlier, ids())).toBeUndefined();
  });

  it('leaves a bill with nothing credited, or a discount and nothing charged, to be dealt with as before', () => {
    const earlier = [bill(1, [line('a', 'seats', '100.00')])];
    const discount: BillAllowance = { discountCode: 'launch', planVersion: 1, side: 'allowance', allowance: { amount: '5.00', vat: VAT } };
    expect(withCreditNotes(bill(2, [line('b', 'seats', '10.00')]), earlier, ids())).toBeUndefined();
    expect(withCreditNotes(bill(2, [line('b', 'seats', '-10.00')], [discount]), earlier, ids())).toBeUndefined();
  });
});
