import { describe, expect, it } from '@jest/globals';
import { parseCalendarDate, tenantId } from '@invoicing/core';
import type { InvoiceId, PartnerId, PartnershipId } from '../shared/ids';
import { Invoice } from './invoice';
import type { InvoiceLineInput } from './invoice-line';
import { issueProblems, type IssueParties } from './issue-rules';

const NOT_SUBJECT = { code: 'O', exemptionReason: 'Imported total: the source system gave no tax detail' };

/** A credit note of these lines, as a credit note of an imported invoice is drafted. */
function creditNote(lines: InvoiceLineInput[]): Invoice {
  return Invoice.draft(
    { kind: 'credit_note', partnershipId: 'ps-1' as PartnershipId, sellerId: 'p-seller' as PartnerId, buyerId: 'p-buyer' as PartnerId, currency: 'EUR', paymentTerms: { kind: 'due_on_receipt' }, series: 'CN', lines },
    { tenantId: tenantId('acme'), id: 'cn-1' as InvoiceId, at: new Date('2026-03-10T09:00:00Z') },
  );
}

function line(netPrice: string, quantity = '1', vat: InvoiceLineInput['vat'] = NOT_SUBJECT): InvoiceLineInput {
  return { name: 'Invoice AR-1001', quantity, unitCode: 'C62', netPrice, vat };
}

/** The parties as an accounts-receivable import records them: a seller with a VAT id, a customer without address. */
const RECORDED: IssueParties = {
  seller: { partnerId: 'p-seller' as PartnerId, legalName: 'Atelier Lumière SAS', identifiers: { vatId: 'FR12345678901' } },
  buyer: { partnerId: 'p-buyer' as PartnerId, legalName: 'Harbor Freight Supply', identifiers: { vatId: 'DE123456789' } },
  issueDate: parseCalendarDate('2026-03-10'),
};

const codes = (document: Invoice, parties: IssueParties) => issueProblems(document.toState(), parties).map(({ path, code }) => `${path}:${code}`);

describe('issueProblems', () => {
  describe('with partiesAsRecorded (a credit note of an invoice recorded from another system, audit recon F2)', () => {
    it('applies none of the rules about the parties, which the recorded invoice never met', () => {
      const note = creditNote([line('100.00')]);

      expect(codes(note, RECORDED)).toEqual([
        'seller.address:invoice.seller_address_required',
        'buyer.address:invoice.buyer_address_required',
        'seller.identifiers.vatId:invoice.not_subject_vat_id',
        'buyer.identifiers.vatId:invoice.not_subject_vat_id',
      ]);
      expect(codes(note, { ...RECORDED, partiesAsRecorded: true })).toEqual([]);
    });

    it('still applies the rules about the document itself', () => {
      const recorded = { ...RECORDED, partiesAsRecorded: true };

      expect(codes(creditNote([line('100.00', '-1')]), recorded)).toEqual(['totals.amountDue:credit_note.negative_amount']);
      expect(codes(creditNote([line('100.00'), line('10.00', '1', { code: 'S', rate: '20' })]), recorded)).toEqual(['vatBreakdown:invoice.not_subject_mixed']);
      expect(codes(creditNote([]), recorded)).toEqual(['lines:invoice.no_lines']);
    });
  });
});
