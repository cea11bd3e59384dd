import { describe, expect, it } from '@jest/globals';
import { aBill, aPartnershipId } from '@invoicing/billing/testing';
import { Money } from '@invoicing/core';
import type { InvoiceId } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillLine } from '@invoicing/billing';
import { UnsupportedStoredFormatError } from '../mappers/stored-format';
import { billToDomain, billToPersistence } from './bill.mapper';

describe('bill mapper: a bill made into credit notes (formats 5 and 6, ADR 0030)', () => {
  const tenant = aTenant();
  const creditNotes = [{ invoiceId: 'invoice-1' as InvoiceId, creditNoteId: 'credit-1' as InvoiceId, lines: [{ lineId: '2', amount: Money.of('0.30', 'EUR') }] }];

  it('is written in format 5, and every other bill in format 2, as before', () => {
    expect(billToPersistence(aBill(tenant, aPartnershipId(), '2026-02-01', { creditNotes }))._v).toBe(5);
    expect(billToPersistence(aBill(tenant, aPartnershipId(), '2026-02-01'))._v).toBe(2);
  });

  it('is read back with its credit notes, and a format this release does not know is refused', () => {
    const bill = aBill(tenant, aPartnershipId(), '2026-02-01', { creditNotes });
    const document = billToPersistence(bill);

    expect(billToDomain(document)).toEqual(bill);
    // What a release before format 5 does with it: refuse it, rather than make an invoice of all its lines.
    expect(() => billToDomain({ ...document, _v: 99 })).toThrow(UnsupportedStoredFormatError);
  });

  it('is written in format 6 when its credit notes and invoice share a discount difference, and read back', () => {
    // The credit line of the same days and VAT category as the charged one and the bill's discount give-back.
    const plain = aBill(tenant, aPartnershipId(), '2026-02-01', { creditNotes });
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
