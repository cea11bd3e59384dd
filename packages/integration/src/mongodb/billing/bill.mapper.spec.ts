import { describe, expect, it } from '@jest/globals';
import { aBill, aPartnershipId } from '@invoicing/billing/testing';
import { Money } from '@invoicing/core';
import type { InvoiceId } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillLine, BillState } from '@invoicing/billing';
import { UnsupportedStoredFormatError } from '../mappers/stored-format';
import { billToDomain, billToPersistence } from './bill.mapper';

describe('bill mapper: a bill made into credit notes, or naming its authors (formats 5, 6 and 9, ADR 0030, 0031)', () => {
  const tenant = aTenant();
  const creditNotes = [{ invoiceId: 'invoice-1' as InvoiceId, creditNoteId: 'credit-1' as InvoiceId, lines: [{ lineId: '2', amount: Money.of('0.30', 'EUR') }] }];
  /** The builder's bill without the authors of its invoice. */
  const anonymous = (overrides: Partial<BillState> = {}): BillState => {
    const { authors: _authors, ...bill } = aBill(tenant, aPartnershipId(), '2026-02-01', overrides);
    return bill;
  };

  it('is written in format 5, and every other bill in format 2, as before; a bill whose days it only credits have a discount stays in 5', () => {
    // The builder's credit line is of another VAT category than its charged line and its discounts.
    expect(billToPersistence(anonymous({ creditNotes }))._v).toBe(5);
    expect(billToPersistence(anonymous())._v).toBe(2);
  });

  it('is read back with its credit notes, and a format this release does not know is refused', () => {
    const bill = anonymous({ creditNotes });
    const document = billToPersistence(bill);

    expect(billToDomain(document)).toEqual(bill);
    // A newer format than this release knows: refused, rather than misread.
    expect(() => billToDomain({ ...document, _v: 99 })).toThrow(UnsupportedStoredFormatError);
  });

  it('is written in format 9 when it names its invoice\'s authors, with or without credit notes, and read back', () => {
    for (const bill of [aBill(tenant, aPartnershipId(), '2026-02-01'), aBill(tenant, aPartnershipId(), '2026-02-01', { creditNotes })]) {
      const document = billToPersistence(bill);
      expect([document._v, billToDomain(document).authors]).toEqual([9, ['alice@acme.example']]);
    }
  });

  it('is written in format 6 when its credit notes and invoice share a discount difference, and read back', () => {
    // The credit line of the same days and VAT category as the charged one and the bill's discount give-back.
    const plain = anonymous({ creditNotes });
    const [charged, credited] = plain.lines as [BillLine, BillLine];
    const shared = {
      ...plain,
      lines: [charged, { ...credited, line: { ...credited.line, vat: charged.line.vat }, computation: { ...credited.computation, period: charged.computation.period } }],
      // What the credit notes give back of the difference of those days (ADR 0030).
      allowances: plain.allowances.map((each) => (each.periodStart === undefined ? each : { ...each, givenBack: '0.27' })),
    };

    const document = billToPersistence(shared);

    expect(document._v).toBe(6);
    expect(billToDomain(document)).toEqual(shared);
  });
});
