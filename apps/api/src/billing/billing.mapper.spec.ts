import { describe, expect, it } from '@jest/globals';
import { invoicedPart } from '@invoicing/billing';
import { aBill, aPartnershipId } from '@invoicing/billing/testing';
import { Money } from '@invoicing/core';
import type { InvoiceId } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import { toInvoiceBillingResponse, toRunBillResponse } from './billing.mapper';

describe('the views of a bill made into credit notes (ADR 0030, audit finalcredit F4)', () => {
  // aBill's lines: "1", a charge of 249.99, and "2", a credit of 0.30; the credit goes on a credit note.
  const bill = aBill(aTenant(), aPartnershipId(), '2026-02-01', {
    creditNotes: [{ invoiceId: 'earlier' as InvoiceId, creditNoteId: 'credit-1' as InvoiceId, lines: [{ lineId: '2', amount: Money.of('0.30', 'EUR') }] }],
  });

  it("explains the bill's invoice with its own lines, and names the credit notes", () => {
    const view = toInvoiceBillingResponse(bill);

    expect(view.lines.map((line) => line.id)).toEqual(['1']);
    // Its own lines and discount differences, as its invoice carries them; not the whole bill's.
    const own = { ...bill, ...invoicedPart(bill), creditNotes: undefined };
    expect(view.netTotal.amount).toBe(toInvoiceBillingResponse(own).netTotal.amount);
    expect(view.netTotal.amount).not.toBe(toInvoiceBillingResponse({ ...bill, creditNotes: undefined }).netTotal.amount);
    expect(view.creditNotes).toEqual([{ invoiceId: 'earlier', creditNoteId: 'credit-1', netTotal: { amount: '0.30', currency: 'EUR' } }]);
  });

  it('names no invoice for a bill all of which went on credit notes', () => {
    const credits = { ...bill, lines: bill.lines.slice(1) };
    expect(toRunBillResponse(credits).invoiceId).toBeUndefined();
    expect(toRunBillResponse(bill).invoiceId).toBe(bill.invoiceId);
  });
});
