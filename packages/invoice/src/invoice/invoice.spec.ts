import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DomainError, InvalidStateError, Money, ValidationError, parseCalendarDate, tenantId } from '@invoicing/core';
import { Partner } from '../partner/partner';
import type { ContactId, InvoiceId, PartnerId, PartnershipId, PaymentId } from '../shared/ids';
import { DOCUMENT_TYPE_CODES, Invoice, type AppliedCredit, type AppliedPayment, type IssueContext, type NewDraft } from './invoice';
import type { InvoiceLineInput } from './invoice-line';
import { INVOICE_COMMANDS, INVOICE_STATUSES, INVOICE_TRANSITIONS, type InvoiceCommand, type InvoiceStatus } from './invoice-lifecycle';
import { partySnapshot, type PartySnapshot } from './party-snapshot';
import { issuesOf, thrown } from '../testing/assertions';
import { attempt, tamperWith } from '../testing/tamper';
import { invoiceToEn16931 } from '../en16931/from-invoice';
import { UNTDID_5189, UNTDID_7161, VATEX } from '../en16931/rules/code-list-values';
import { codeListRules } from '../en16931/rules/code-lists';
import { validDocument } from '../en16931/testing';

const tenant = tenantId('acme');
const at = new Date('2026-01-15T09:00:00Z');
const later = new Date('2026-01-20T10:00:00Z');
const issueDay = parseCalendarDate('2026-01-15');
const sellerId = 'p-seller' as PartnerId;
const buyerId = 'p-buyer' as PartnerId;

const eur = (amount: string): Money => Money.of(amount, 'EUR');

/** 2 hours at 50.00, VAT S 20 %: net 100.00, VAT 20.00, amount due 120.00. */
function line(overrides: Partial<InvoiceLineInput> = {}): InvoiceLineInput {
  return { name: 'Consulting', quantity: '2', unitCode: 'HUR', netPrice: '50.00', vat: { code: 'S', rate: '20' }, ...overrides };
}

function newDraft(overrides: Partial<NewDraft> = {}): NewDraft {
  return {
    partnershipId: 'ps-1' as PartnershipId,
    sellerId,
    buyerId,
    currency: 'EUR',
    paymentTerms: { kind: 'net', days: 30 },
    series: 'INV',
    lines: [line()],
    ...overrides,
  };
}

function draft(overrides: Partial<NewDraft> = {}, id = 'inv-1'): Invoice {
  return Invoice.draft(newDraft(overrides), { tenantId: tenant, id: id as InvoiceId, at });
}

const seller: PartySnapshot = {
  partnerId: sellerId,
  legalName: 'Seller SAS',
  identifiers: { vatId: 'FR12345678901' },
  address: { lines: ['1 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' },
};
const buyer: PartySnapshot = {
  partnerId: buyerId,
  legalName: 'Buyer GmbH',
  identifiers: { vatId: 'DE123456789' },
  address: { lines: ['Hauptstraße 1'], city: 'Berlin', postalCode: '10115', countryCode: 'DE' },
};

function issueContext(overrides: Partial<IssueContext> = {}): IssueContext {
  return { number: 'INV-000001', issueDate: issueDay, seller, buyer, requiresApproval: false, at, ...overrides };
}

function issued(overrides: Partial<NewDraft> = {}): Invoice {
  const invoice = draft(overrides);
  invoice.issue(issueContext());
  invoice.markSaved();
  return invoice;
}

function payment(id: string, amount: string | Money): AppliedPayment {
  return { paymentId: id as PaymentId, amount: typeof amount === 'string' ? eur(amount) : amount, appliedOn: issueDay };
}

function credit(id: string, amount: string | Money): AppliedCredit {
  return { creditNoteId: id as InvoiceId, creditNoteNumber: `CN-${id}`, amount: typeof amount === 'string' ? eur(amount) : amount, appliedOn: issueDay };
}

/** The issues of the ValidationError `run` throws, without their messages. */

const types = (invoice: Invoice): string[] => invoice.pendingEvents.map((event) => event.type);

describe('Invoice', () => {
  describe('draft', () => {
    it('creates a draft invoice and raises invoice.drafted with its amount due', () => {
      const invoice = draft();

      expect(invoice.kind).toBe('invoice');
      expect(invoice.status).toBe('draft');
      expect(invoice.number).toBeUndefined();
      expect(invoice.version).toBe(0);
      expect(invoice.tenantId).toBe('acme');
      expect(invoice.pendingEvents).toEqual([
        expect.objectContaining({ type: 'invoice.drafted', aggregateId: 'inv-1', occurredAt: at, payload: { invoiceId: 'inv-1', amountDue: { amount: '120.00', currency: 'EUR' } } }),
      ]);
    });

    it('creates a credit note (type code 381) when the kind says so, and raises credit_note.drafted', () => {
      const note = draft({ kind: 'credit_note', precedingInvoice: { id: 'inv-0' as InvoiceId, number: 'INV-000007', issueDate: issueDay } });

      expect(note.kind).toBe('credit_note');
      expect(DOCUMENT_TYPE_CODES[note.kind]).toBe('381');
      expect(DOCUMENT_TYPE_CODES.invoice).toBe('380');
      expect(note.toState().precedingInvoice).toEqual({ id: 'inv-0', number: 'INV-000007', issueDate: '2026-01-15' });
      expect(types(note)).toEqual(['credit_note.drafted']);
    });

    it('computes the totals and the VAT breakdown per category and rate', () => {
      const invoice = draft({
        lines: [line({ quantity: '3', netPrice: '19.99' }), line({ quantity: '1', netPrice: '10.00', vat: { code: 'S', rate: '5.5' } })],
        allowances: [{ amount: '5.00', reason: 'Loyalty', vat: { code: 'S', rate: '20' } }],
        charges: [{ amount: '2.50', reason: 'Shipping', vat: { code: 'S', rate: '20' } }],
        prepaidAmount: '10.00',
        roundingAmount: '0.49',
      });
      const totals = Object.fromEntries(Object.entries(invoice.totals).map(([key, value]) => [key, value.toString()]));

      // S 20 %: 59.97 − 5.00 + 2.50 = 57.47, tax 11.494 → 11.49; S 5.5 %: 10.00, tax 0.55.
      expect(invoice.vatBreakdown.map((entry) => [entry.category.code, entry.category.rate?.toString(), entry.taxableAmount.toString(), entry.taxAmount.toString()])).toEqual([
        ['S', '20', '57.47', '11.49'],
        ['S', '5.5', '10.00', '0.55'],
      ]);
      expect(totals).toEqual({
        lineTotal: '69.97',
        allowanceTotal: '5.00',
        chargeTotal: '2.50',
        taxExclusive: '67.47',
        taxTotal: '12.04',
        taxInclusive: '79.51',
        prepaid: '10.00',
        rounding: '0.49',
        amountDue: '70.00',
      });
    });

    it('reports every bad field at once, each under its own path', () => {
      const issues = issuesOf(() =>
        draft({
          lines: [line({ quantity: 'two' }), line({ vat: { code: 'X' } })],
          issueDate: '2026-02-30',
          dueDate: 'soon',
          prepaidAmount: '1.234',
          roundingAmount: 'abc',
          notes: ['fine', 'x'.repeat(5001)],
        }),
      );

      expect(issues).toEqual([
        { path: 'lines.0.quantity', code: 'decimal.malformed' },
        { path: 'lines.1.vat.code', code: 'vat.unknown_category' },
        { path: 'issueDate', code: 'date.malformed' },
        { path: 'dueDate', code: 'date.malformed' },
        { path: 'notes.1', code: 'text.too_long' },
        { path: 'prepaidAmount', code: 'money.precision_exceeded' },
        { path: 'roundingAmount', code: 'money.malformed' },
      ]);
    });

    it('keeps two exemption reasons of one category and rate in its one breakdown entry, on a draft and an update', () => {
      const exempt = (exemptionReason: string, exemptionReasonCode?: string) => line({ vat: { code: 'E', exemptionReason, ...(exemptionReasonCode ? { exemptionReasonCode } : {}) } });

      expect(draft({ lines: [exempt('Reason A'), exempt('Reason B', 'VATEX-EU-132')] }).toState().vatBreakdown.map((entry) => entry.category)).toEqual([
        expect.objectContaining({ code: 'E', exemptionReason: 'Reason A; Reason B', exemptionReasonCode: 'VATEX-EU-132' }),
      ]);
      const updated = draft();
      updated.update({ lines: [exempt('Reason A'), exempt('Reason B')] }, at);
      expect(updated.toState().vatBreakdown.map((entry) => entry.category.exemptionReason)).toEqual(['Reason A; Reason B']);
    });

    it('keeps two lines the caller gives the same id (as an official EN 16931 example does), and numbers a line without one past the ids others give (review of 7 December 2026)', () => {
      expect(draft({ lines: [line({ id: 'A' }), line({ id: 'A' })] }).lines.map((item) => item.id)).toEqual(['A', 'A']);
      // Numbered by position alone, the second line here took the id the first was given.
      expect(draft({ lines: [line({ id: '2' }), line()] }).lines.map((item) => item.id)).toEqual(['2', '3']);
      expect(draft({ lines: [line({ id: '2' }), line(), line()] }).lines.map((item) => item.id)).toEqual(['2', '3', '4']);
      expect(draft({ lines: [line(), line({ id: '1' })] }).lines.map((item) => item.id)).toEqual(['2', '1']);
    });

    it('refuses lines that are not a list', () => {
      expect(issuesOf(() => draft({ lines: 'none' as unknown as InvoiceLineInput[] }))).toEqual([{ path: 'lines', code: 'invoice.lines_required' }]);
    });

    it('refuses an external reference longer than 100 characters', () => {
      expect(issuesOf(() => draft({ externalReference: 'r'.repeat(101) }))).toEqual([{ path: 'externalReference', code: 'text.too_long' }]);
    });

    it('accepts a draft without lines (it is refused at issue instead)', () => {
      const invoice = draft({ lines: [] });

      expect(invoice.lines).toEqual([]);
      expect(invoice.totals.amountDue.isZero()).toBe(true);
    });

    it('checks its payment terms as a partnership does: no negative or fractional days, no unknown kind, no empty schedule (review of 12 December 2026)', () => {
      const withTerms = (terms: unknown) => issuesOf(() => draft({ paymentTerms: terms as NewDraft['paymentTerms'] }));

      // Net -30 made a due date a month before the issue date; an unknown kind issued with no due date at all.
      expect(withTerms({ kind: 'net', days: -30 })).toEqual([{ path: 'paymentTerms.days', code: 'payment_terms.invalid_days' }]);
      expect(withTerms({ kind: 'net', days: 1.5 })).toEqual([{ path: 'paymentTerms.days', code: 'payment_terms.invalid_days' }]);
      expect(withTerms({ kind: 'weekly' })).toEqual([{ path: 'paymentTerms.kind', code: 'payment_terms.unknown_kind' }]);
      expect(withTerms(undefined)).toEqual([{ path: 'paymentTerms.kind', code: 'payment_terms.unknown_kind' }]);
      expect(withTerms({ kind: 'instalments', instalments: [] })).toEqual([{ path: 'paymentTerms.instalments', code: 'payment_terms.no_instalments' }]);
      // Reported with the content's issues, all at once.
      expect(issuesOf(() => draft({ paymentTerms: { kind: 'net', days: -1 }, lines: [line({ quantity: 'two' })] }))).toEqual([
        { path: 'lines.0.quantity', code: 'decimal.malformed' },
        { path: 'paymentTerms.days', code: 'payment_terms.invalid_days' },
      ]);
    });

    it('takes the instalments a partnership stored before their number was limited (60): a draft copies them, it does not refuse them', () => {
      const instalments = Array.from({ length: 61 }, (_, index) => ({ percent: index === 0 ? '40' : '1', days: index }));
      const invoice = draft({ paymentTerms: { kind: 'instalments', instalments } as unknown as NewDraft['paymentTerms'] });

      expect(invoice.toState().paymentTerms).toMatchObject({ kind: 'instalments', instalments: expect.arrayContaining([expect.objectContaining({ days: 60 })]) });
    });

    it('keeps valid payment terms as the partnership checked them, and issues with their due date', () => {
      const invoice = draft({ paymentTerms: { kind: 'end_of_month', days: 10 } });
      invoice.issue(issueContext());

      expect(invoice.toState().paymentTerms).toEqual({ kind: 'end_of_month', days: 10 });
      expect(invoice.dueDate).toBe('2026-02-10');
    });
  });

  describe('recordIssued', () => {
    function record(overrides: { issueDate?: string; dueDate?: string; paymentTerms?: unknown } = {}): Invoice {
      const { issueDate = '2025-11-03', dueDate = '2025-12-03', paymentTerms } = overrides;
      return Invoice.recordIssued(
        {
          ...newDraft(paymentTerms === undefined ? {} : { paymentTerms: paymentTerms as NewDraft['paymentTerms'] }),
          number: 'A/R 10443',
          issueDate: issueDate as ReturnType<typeof parseCalendarDate>,
          dueDate: dueDate as ReturnType<typeof parseCalendarDate>,
          seller,
          buyer,
        },
        { tenantId: tenant, id: 'inv-r' as InvoiceId, at },
      );
    }

    it('records an invoice issued elsewhere under its own number and dates', () => {
      const invoice = record();

      expect(invoice.status).toBe('issued');
      expect(invoice.number).toBe('A/R 10443');
      expect([invoice.issueDate, invoice.dueDate]).toEqual(['2025-11-03', '2025-12-03']);
      expect(invoice.importedAt).toEqual(at);
      expect(types(invoice)).toEqual(['invoice.imported']);
    });

    it('accepts a due date on the issue date', () => {
      expect(record({ dueDate: '2025-11-03' }).dueDate).toBe('2025-11-03');
    });

    it('refuses a due date before the issue date with invoice.due_before_issue, as issuing does (review of 12 December 2026)', () => {
      expect(issuesOf(() => record({ issueDate: '2026-03-10', dueDate: '2026-01-01' }))).toEqual([{ path: 'dueDate', code: 'invoice.due_before_issue' }]);
    });

    it('checks its payment terms as a draft does', () => {
      expect(issuesOf(() => record({ paymentTerms: { kind: 'net', days: -30 } }))).toEqual([{ path: 'paymentTerms.days', code: 'payment_terms.invalid_days' }]);
    });
  });

  describe('update', () => {
    it('replaces the whole content and recomputes the totals when the invoice is a draft', () => {
      const invoice = draft({ issueDate: '2026-01-20', dueDate: '2026-03-01', purchaseOrderReference: 'PO-1', buyerContactId: 'c-1' as ContactId, notes: ['old'] });
      invoice.markSaved();

      invoice.update({ lines: [line({ quantity: '3' })], notes: ['new'] }, later);

      const state = invoice.toState();
      expect(invoice.totals.amountDue.toString()).toBe('180.00');
      expect(state.notes).toEqual(['new']);
      // Whatever the new content does not give is gone: the content is replaced, not merged.
      expect(state.issueDate).toBeUndefined();
      expect(state.dueDate).toBeUndefined();
      expect(state.purchaseOrderReference).toBeUndefined();
      expect(state.buyerContactId).toBeUndefined();
      expect(state.updatedAt).toEqual(later);
      expect(state.createdAt).toEqual(at);
      expect(invoice.pendingEvents).toEqual([expect.objectContaining({ type: 'invoice.updated', payload: { invoiceId: 'inv-1', amountDue: { amount: '180.00', currency: 'EUR' } } })]);
    });

    it('withdraws an approval given before the change', () => {
      const invoice = draft();
      invoice.approve('alice', at);

      invoice.update({ lines: [line()] }, later);

      expect(invoice.approved).toBe(false);
      expect(invoice.toState().approval).toBeUndefined();
    });

    it('changes nothing when the new content is invalid', () => {
      const invoice = draft();
      invoice.markSaved();
      const before = invoice.toState();

      expect(issuesOf(() => invoice.update({ lines: [line({ netPrice: '-1' })] }, later))).toEqual([{ path: 'lines.0.netPrice', code: 'line.negative_price' }]);
      expect(invoice.toState()).toEqual(before);
      expect(invoice.pendingEvents).toEqual([]);
    });

    it('is refused with invoice.not_draft once the invoice is issued', () => {
      const invoice = issued();

      const error = thrown(() => invoice.update({ lines: [line({ quantity: '3' })] }, later));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'invoice.not_draft', details: { invoiceId: 'inv-1', status: 'issued', command: 'update' } });
      expect(invoice.totals.amountDue.toString()).toBe('120.00');
    });
  });

  describe('approve', () => {
    it('records who approved and when, and raises invoice.approved', () => {
      const invoice = draft();
      invoice.markSaved();

      invoice.approve('alice', later);

      expect(invoice.approved).toBe(true);
      expect(invoice.toState().approval).toEqual({ by: 'alice', at: later });
      expect(invoice.pendingEvents).toEqual([expect.objectContaining({ type: 'invoice.approved', payload: { invoiceId: 'inv-1', by: 'alice' } })]);
    });

    it('is refused with invoice.not_draft once the invoice is issued', () => {
      expect(thrown(() => issued().approve('alice', later))).toMatchObject({ code: 'invoice.not_draft' });
    });
  });

  describe('issue', () => {
    it('assigns the number and issue date, computes the due date from the payment terms and raises invoice.issued', () => {
      const invoice = draft({ issueDate: '2026-01-10' });
      invoice.markSaved();

      invoice.issue(issueContext({ at: later }));

      expect(invoice.status).toBe('issued');
      expect(invoice.number).toBe('INV-000001');
      expect(invoice.issueDate).toBe('2026-01-15');
      expect(invoice.dueDate).toBe('2026-02-14'); // net 30 from 15 January
      expect(invoice.toState().issuedAt).toEqual(later);
      expect(invoice.pendingEvents).toEqual([
        expect.objectContaining({
          type: 'invoice.issued',
          occurredAt: later,
          payload: { invoiceId: 'inv-1', number: 'INV-000001', issueDate: '2026-01-15', dueDate: '2026-02-14', amountDue: { amount: '120.00', currency: 'EUR' } },
        }),
      ]);
    });

    it('computes the due date from end-of-month terms', () => {
      const invoice = draft({ paymentTerms: { kind: 'end_of_month', days: 10 } });

      invoice.issue(issueContext());

      expect(invoice.dueDate).toBe('2026-02-10');
    });

    it('keeps the due date the draft gave instead of the payment terms', () => {
      const invoice = draft({ dueDate: '2026-03-31' });

      invoice.issue(issueContext());

      expect(invoice.dueDate).toBe('2026-03-31');
    });

    it('freezes the parties: later changes to the partners leave the issued invoice as it was', () => {
      const partnerIds = ['c-1', 'c-2'] as ContactId[];
      const partner = Partner.create(
        {
          legalName: 'Seller SAS',
          identifiers: { vatId: 'FR12345678901' },
          addresses: [{ lines: ['1 rue de la Paix'], city: 'Paris', countryCode: 'FR' }],
          contacts: [{ name: 'Anna Smith', email: 'anna@seller.example' }],
        },
        { tenantId: tenant, id: sellerId, newContactId: () => partnerIds.shift() as ContactId, at },
      );
      const snapshot = partySnapshot(partner, 'c-1' as ContactId);
      const invoice = draft();
      invoice.issue(issueContext({ seller: snapshot }));

      partner.update({ legalName: 'Renamed SAS', addresses: [{ lines: ['Elsewhere'], countryCode: 'BE' }] }, later);
      partner.updateContact('c-1' as ContactId, { email: 'new@seller.example' }, later);

      const expected = {
        partnerId: 'p-seller',
        legalName: 'Seller SAS',
        identifiers: { vatId: 'FR12345678901' },
        address: { lines: ['1 rue de la Paix'], city: 'Paris', countryCode: 'FR' },
        contact: { id: 'c-1', name: 'Anna Smith', email: 'anna@seller.example' },
      };
      expect(invoice.parties).toEqual({ seller: expected, buyer });
      expect(invoice.toState().seller).toEqual(expected);
    });

    it('has no parties while the invoice is a draft', () => {
      expect(draft().parties).toBeUndefined();
    });

    it('is refused with invoice.approval_required when the context requires an approval and none was given', () => {
      const invoice = draft();
      invoice.markSaved();

      const error = thrown(() => invoice.issue(issueContext({ requiresApproval: true })));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'invoice.approval_required' });
      expect(invoice.status).toBe('draft');
      expect(invoice.pendingEvents).toEqual([]);
    });

    it('issues an approved invoice when the context requires approval', () => {
      const invoice = draft();
      invoice.approve('alice', at);

      invoice.issue(issueContext({ requiresApproval: true }));

      expect(invoice.status).toBe('issued');
    });

    it('marks a fully prepaid invoice paid at issue', () => {
      const invoice = draft({ prepaidAmount: '120.00' });

      invoice.issue(issueContext());

      expect(invoice.totals.amountDue.isZero()).toBe(true);
      expect(invoice.status).toBe('paid');
      expect(invoice.outstanding.isZero()).toBe(true);
      expect(types(invoice).slice(-2)).toEqual(['invoice.issued', 'invoice.paid']);
    });

    it('refuses a due date before the issue date', () => {
      const invoice = draft({ dueDate: '2026-01-14' });

      expect(() => invoice.issue(issueContext({ issueDate: parseCalendarDate('2026-01-15') }))).toThrow(
        expect.objectContaining({ code: 'invoice.not_issuable', issues: [expect.objectContaining({ path: 'dueDate', code: 'invoice.due_before_issue' })] }),
      );
      expect(invoice.status).toBe('draft');
    });

    it('leaves an issued credit note in status issued, with nothing outstanding', () => {
      const note = draft({ kind: 'credit_note' });

      note.issue(issueContext({ number: 'CN-000001' }));

      expect(note.status).toBe('issued');
      expect(note.number).toBe('CN-000001');
      expect(note.outstanding.isZero()).toBe(true);
      expect(types(note)).toEqual(['credit_note.drafted', 'credit_note.issued']);
    });

    it('is refused with invoice.already_issued when issued twice', () => {
      const invoice = issued();

      expect(thrown(() => invoice.issue(issueContext({ number: 'INV-000002' })))).toMatchObject({ code: 'invoice.already_issued' });
      expect(invoice.number).toBe('INV-000001');
    });
  });

  describe('assertIssuable', () => {
    const noVatIds = { vatId: undefined };
    const withIds = (party: PartySnapshot, identifiers: PartySnapshot['identifiers']): PartySnapshot => ({ ...party, identifiers });
    const withoutAddress = (party: PartySnapshot): PartySnapshot => {
      const { address: _address, ...rest } = party;
      return rest;
    };
    const check = (invoice: Invoice, context: Partial<IssueContext> = {}): { path: string; code: string }[] => {
      const error = thrown(() => invoice.assertIssuable(issueContext(context)));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'invoice.not_issuable' });
      return (error as ValidationError).issues.map(({ path, code }) => ({ path, code }));
    };
    const reverseCharge = { code: 'AE', exemptionReason: 'Reverse charge' };
    const intraCommunity = { code: 'K', exemptionReasonCode: 'VATEX-EU-IC' };
    const notSubject = { code: 'O', exemptionReason: 'Not subject to VAT' };

    it('passes and changes nothing when the draft is complete', () => {
      const invoice = draft();
      invoice.markSaved();
      const before = invoice.toState();

      invoice.assertIssuable(issueContext());

      expect(invoice.toState()).toEqual(before);
      expect(invoice.pendingEvents).toEqual([]);
    });

    it('lists a missing line and missing seller and buyer addresses together', () => {
      expect(check(draft({ lines: [] }), { seller: withoutAddress(seller), buyer: withoutAddress(buyer) })).toEqual([
        { path: 'lines', code: 'invoice.no_lines' },
        { path: 'seller.address', code: 'invoice.seller_address_required' },
        { path: 'buyer.address', code: 'invoice.buyer_address_required' },
      ]);
    });

    it('requires the seller VAT id (or tax registration id) for category S', () => {
      expect(check(draft(), { seller: withIds(seller, { legalRegistration: { value: 'HRB 1234' } }) })).toEqual([{ path: 'seller.identifiers.vatId', code: 'invoice.seller_vat_id_required' }]);
      expect(() => draft().assertIssuable(issueContext({ seller: withIds(seller, { taxRegistrationId: '123/456/78901', legalRegistration: { value: 'HRB 1234' } }) }))).not.toThrow();
    });

    it('requires the seller VAT id or legal registration id, whatever the category (BR-CO-26; review of 7 December 2026)', () => {
      // A tax registration id alone let the invoice be issued and sealed, and its e-invoice was refused for good.
      expect(check(draft(), { seller: withIds(seller, { taxRegistrationId: '123/456/78901' }) })).toEqual([{ path: 'seller.identifiers', code: 'invoice.seller_identifier_required' }]);
      const invoice = draft({ lines: [line({ vat: notSubject })] });
      expect(check(invoice, { seller: withIds(seller, {}), buyer: withIds(buyer, {}) })).toEqual([{ path: 'seller.identifiers', code: 'invoice.seller_identifier_required' }]);
    });

    it('requires the buyer VAT id or legal registration id for reverse charge (AE)', () => {
      const invoice = draft({ lines: [line({ vat: reverseCharge })] });

      expect(check(invoice, { buyer: withIds(buyer, {}) })).toEqual([{ path: 'buyer.identifiers.vatId', code: 'invoice.buyer_vat_id_required' }]);
      expect(() => invoice.assertIssuable(issueContext({ buyer: withIds(buyer, { legalRegistration: { value: 'HRB 1234' } }) }))).not.toThrow();
    });

    it('requires the seller VAT id itself for AE: a tax registration id is not enough', () => {
      const invoice = draft({ lines: [line({ vat: reverseCharge })] });

      expect(check(invoice, { seller: withIds(seller, { taxRegistrationId: '123', legalRegistration: { value: 'HRB 1234' } }) })).toEqual([{ path: 'seller.identifiers.vatId', code: 'invoice.seller_vat_id_required' }]);
    });

    it('requires the buyer VAT id for an intra-community supply (K), a legal registration id is not enough', () => {
      const invoice = draft({ lines: [line({ vat: intraCommunity })] });

      expect(check(invoice, { buyer: withIds(buyer, { legalRegistration: { value: 'HRB 1234' } }) })).toEqual([
        { path: 'buyer.identifiers.vatId', code: 'invoice.buyer_vat_id_required' },
      ]);
      expect(() => invoice.assertIssuable(issueContext())).not.toThrow();
    });

    it('refuses category O mixed with another category', () => {
      const invoice = draft({ lines: [line({ vat: notSubject }), line()] });

      expect(check(invoice, { seller: withIds(seller, { taxRegistrationId: '123', legalRegistration: { value: 'HRB 1234' } }), buyer: withIds(buyer, noVatIds) })).toEqual([
        { path: 'vatBreakdown', code: 'invoice.not_subject_mixed' },
      ]);
    });

    it('refuses VAT ids on a document not subject to VAT (O), and accepts it without them', () => {
      const invoice = draft({ lines: [line({ vat: notSubject })] });

      expect(check(invoice, { buyer: withIds(buyer, {}) })).toEqual([{ path: 'seller.identifiers.vatId', code: 'invoice.not_subject_vat_id' }]);
      expect(check(invoice, { seller: withIds(seller, { legalRegistration: { value: 'HRB 1234' } }) })).toEqual([{ path: 'buyer.identifiers.vatId', code: 'invoice.not_subject_vat_id' }]);
      expect(() => invoice.assertIssuable(issueContext({ seller: withIds(seller, { legalRegistration: { value: 'HRB 1234' } }), buyer: withIds(buyer, {}) }))).not.toThrow();
    });

    it('refuses a credit note with a negative amount', () => {
      const note = draft({ kind: 'credit_note', lines: [line({ quantity: '-1' })] });

      expect(note.totals.amountDue.toString()).toBe('-60.00');
      expect(check(note)).toEqual([{ path: 'totals.amountDue', code: 'credit_note.negative_amount' }]);
    });

    it('refuses an invoice whose amount due is below zero (a return): what the tenant owes the buyer is a credit note, never an invoice issued as paid (audit recon F1)', () => {
      const invoice = draft({ lines: [line({ quantity: '1' }), line({ quantity: '-2' })] });

      expect(invoice.totals.amountDue.toString()).toBe('-60.00');
      expect(check(invoice)).toEqual([{ path: 'totals.amountDue', code: 'invoice.negative_amount_due' }]);
      expect(() => invoice.issue(issueContext())).toThrow(expect.objectContaining({ code: 'invoice.not_issuable' }));
      expect(invoice.status).toBe('draft');
      // Nothing due at all is still an invoice, paid at issue.
      expect(() => draft({ lines: [line({ quantity: '1' }), line({ quantity: '-1' })] }).assertIssuable(issueContext())).not.toThrow();
    });

    it('refuses a due date the terms put after 9999-12-31, with the other problems, and takes a due date of the draft\'s own (audit D4)', () => {
      const lastDay = parseCalendarDate('9999-12-31');
      const endOfMonth = draft({ paymentTerms: { kind: 'end_of_month', days: 0 } });

      expect(check(draft({ lines: [] }), { issueDate: lastDay })).toEqual([
        { path: 'lines', code: 'invoice.no_lines' },
        { path: 'dueDate', code: 'invoice.due_date_out_of_range' },
      ]);
      expect(check(draft({ paymentTerms: { kind: 'net', days: 3650 } }), { issueDate: parseCalendarDate('9990-01-03') })).toEqual([{ path: 'dueDate', code: 'invoice.due_date_out_of_range' }]);
      expect(() => draft({ dueDate: '9999-12-31' }).assertIssuable(issueContext({ issueDate: lastDay }))).not.toThrow();
      expect(() => endOfMonth.assertIssuable(issueContext({ issueDate: parseCalendarDate('9999-12-15') }))).not.toThrow();
      endOfMonth.issue(issueContext({ issueDate: parseCalendarDate('9999-12-15') }));
      expect(endOfMonth.dueDate).toBe('9999-12-31');
    });

    it('reports the approval before the completeness issues', () => {
      expect(thrown(() => draft({ lines: [] }).assertIssuable(issueContext({ requiresApproval: true })))).toMatchObject({ code: 'invoice.approval_required' });
    });
  });

  describe('applyPayment', () => {
    it('makes the invoice partially paid when part of the amount due is paid', () => {
      const invoice = issued();

      invoice.applyPayment(payment('pay-1', '20.00'), later);

      expect(invoice.status).toBe('partially_paid');
      expect(invoice.paidAmount.toString()).toBe('20.00');
      expect(invoice.outstanding.toString()).toBe('100.00');
      expect(invoice.payments).toEqual([payment('pay-1', '20.00')]);
      expect(invoice.pendingEvents).toEqual([
        expect.objectContaining({
          type: 'invoice.payment_applied',
          payload: { invoiceId: 'inv-1', paymentId: 'pay-1', amount: { amount: '20.00', currency: 'EUR' }, status: 'partially_paid' },
        }),
      ]);
    });

    it('makes the invoice paid and raises invoice.paid when the rest is paid', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '20.00'), later);

      invoice.applyPayment(payment('pay-2', '100.00'), later);

      expect(invoice.status).toBe('paid');
      expect(invoice.outstanding.isZero()).toBe(true);
      expect(types(invoice)).toEqual(['invoice.payment_applied', 'invoice.payment_applied', 'invoice.paid']);
      expect(invoice.pendingEvents[2]?.payload).toEqual({ invoiceId: 'inv-1', number: 'INV-000001' });
    });

    it('changes nothing when the same payment is applied again, even after the invoice was paid', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '120.00'), later);
      invoice.markSaved();
      const before = invoice.toState();

      invoice.applyPayment(payment('pay-1', '120.00'), later);
      invoice.applyPayment(payment('pay-1', '5.00'), later);

      expect(invoice.toState()).toEqual(before);
      expect(invoice.pendingEvents).toEqual([]);
    });

    it('is refused with invoice.payment_exceeds_outstanding when the payment is more than what is owed', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '100.00'), later);

      const error = thrown(() => invoice.applyPayment(payment('pay-2', '20.01'), later));

      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: 'invoice.payment_exceeds_outstanding',
        details: { invoiceId: 'inv-1', amount: { amount: '20.01', currency: 'EUR' }, outstanding: { amount: '20.00', currency: 'EUR' } },
      });
      expect(invoice.paidAmount.toString()).toBe('100.00');
    });

    it.each(['0.00', '-5.00'])('is refused with invoice.invalid_amount when the amount is %s', (amount) => {
      const invoice = issued();

      expect(issuesOf(() => invoice.applyPayment(payment('pay-1', amount), later))).toEqual([{ path: 'amount', code: 'invoice.invalid_amount' }]);
      expect(invoice.payments).toEqual([]);
      expect(invoice.status).toBe('issued');
    });

    it('keeps an uncollectible invoice uncollectible on a partial payment, and makes it paid on the rest', () => {
      const invoice = issued();
      invoice.markUncollectible(at);

      invoice.applyPayment(payment('pay-1', '50.00'), later);
      expect(invoice.status).toBe('uncollectible');
      expect(invoice.outstanding.toString()).toBe('70.00');

      invoice.applyPayment(payment('pay-2', '70.00'), later);
      expect(invoice.status).toBe('paid');
    });

    it('counts the credits already applied when it checks and settles', () => {
      const invoice = issued();
      invoice.applyCredit(credit('cn-1', '100.00'), at);

      expect(thrown(() => invoice.applyPayment(payment('pay-1', '20.01'), later))).toMatchObject({ code: 'invoice.payment_exceeds_outstanding' });
      invoice.applyPayment(payment('pay-1', '20.00'), later);
      expect(invoice.status).toBe('paid');
    });

    it('is refused with credit_note.not_payable on a credit note', () => {
      const note = draft({ kind: 'credit_note' });
      note.issue(issueContext());

      const error = thrown(() => note.applyPayment(payment('pay-1', '1.00'), later));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'credit_note.not_payable' });
    });
  });

  describe('applyCredit', () => {
    it('records a partial credit and keeps the status', () => {
      const invoice = issued();

      invoice.applyCredit(credit('cn-1', '20.00'), later);

      expect(invoice.status).toBe('issued');
      expect(invoice.creditedAmount.toString()).toBe('20.00');
      expect(invoice.outstanding.toString()).toBe('100.00');
      expect(invoice.credits).toEqual([credit('cn-1', '20.00')]);
      expect(invoice.pendingEvents).toEqual([
        expect.objectContaining({
          type: 'invoice.credited',
          payload: { invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: { amount: '20.00', currency: 'EUR' }, status: 'issued' },
        }),
      ]);
    });

    it('makes the invoice credited when nothing remains to pay', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '50.00'), at);

      invoice.applyCredit(credit('cn-1', '70.00'), later);

      expect(invoice.status).toBe('credited');
      expect(invoice.outstanding.isZero()).toBe(true);
      expect(invoice.pendingEvents.at(-1)?.payload).toMatchObject({ status: 'credited' });
    });

    it('changes nothing when the same credit note is applied again', () => {
      const invoice = issued();
      invoice.applyCredit(credit('cn-1', '120.00'), later);
      invoice.markSaved();
      const before = invoice.toState();

      invoice.applyCredit(credit('cn-1', '120.00'), later);

      expect(invoice.toState()).toEqual(before);
      expect(invoice.pendingEvents).toEqual([]);
    });

    it('is refused with invoice.credit_exceeds_outstanding when the credit takes more than what is owed and takes nothing back from payments', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '100.00'), at);

      const error = thrown(() => invoice.applyCredit(credit('cn-1', '20.01'), later));

      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'invoice.credit_exceeds_outstanding', details: { outstanding: { amount: '20.00', currency: 'EUR' } } });
      expect(invoice.credits).toEqual([]);
    });

    it('is refused with invoice.credit_exceeds_outstanding when the credit is more than was neither credited nor left unpaid', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '100.00'), at);
      invoice.applyCredit(credit('cn-1', '20.00'), at);

      const error = thrown(() => invoice.assertCreditable(eur('100.01')));

      expect(error).toMatchObject({ code: 'invoice.credit_exceeds_outstanding', details: { creditable: { amount: '100.00', currency: 'EUR' } } });
    });

    it('credits a paid invoice by taking back what the payment paid, and stays paid while something is still paid', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '120.00'), at);
      invoice.markSaved();

      invoice.applyCredit({ ...credit('cn-1', '30.00'), paymentsReturned: [{ paymentId: 'pay-1' as PaymentId, amount: eur('30.00') }] }, later);

      expect(invoice.status).toBe('paid');
      expect(invoice.paidAmount.toString()).toBe('90.00');
      expect(invoice.creditedAmount.toString()).toBe('30.00');
      expect(invoice.creditable.toString()).toBe('90.00');
      expect(invoice.pendingEvents).toEqual([
        expect.objectContaining({
          type: 'invoice.credited',
          payload: { invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: { amount: '30.00', currency: 'EUR' }, returnedToCredit: { amount: '30.00', currency: 'EUR' }, status: 'paid' },
        }),
      ]);

      invoice.applyCredit({ ...credit('cn-2', '90.00'), paymentsReturned: [{ paymentId: 'pay-1' as PaymentId, amount: eur('90.00') }] }, later);
      expect(invoice.status).toBe('credited');
      expect(invoice.paidAmount.isZero()).toBe(true);
      expect(thrown(() => invoice.assertCreditable(eur('0.01')))).toMatchObject({ code: 'invoice.fully_credited' });
    });

    it('takes what is owed first: a credit of a partly paid invoice takes back payments only for what is above it', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '100.00'), at);

      // 20.00 is still owed: a credit of 30.00 that takes back 20.00 would leave the buyer owing 10.00 and holding 20.00.
      const early = thrown(() => invoice.applyCredit({ ...credit('cn-1', '30.00'), paymentsReturned: [{ paymentId: 'pay-1' as PaymentId, amount: eur('20.00') }] }, later));
      expect(early).toMatchObject({ code: 'invoice.credit_exceeds_outstanding' });
      expect(invoice.credits).toEqual([]);

      invoice.applyCredit({ ...credit('cn-1', '30.00'), paymentsReturned: [{ paymentId: 'pay-1' as PaymentId, amount: eur('10.00') }] }, later);
      expect(invoice.status).toBe('credited');
      expect(invoice.paidAmount.toString()).toBe('90.00');
      expect(invoice.outstanding.isZero()).toBe(true);

      // Credited, and still holding what was paid: that is credited too, from the payment.
      invoice.applyCredit({ ...credit('cn-2', '90.00'), paymentsReturned: [{ paymentId: 'pay-1' as PaymentId, amount: eur('90.00') }] }, later);
      expect(invoice.status).toBe('credited');
      expect(invoice.paidAmount.isZero()).toBe(true);
      expect(invoice.creditedAmount.toString()).toBe('120.00');
    });

    it('is refused when it takes back more of a payment than the payment paid, or a payment that never paid it', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '60.00'), at);
      invoice.applyPayment(payment('pay-2', '60.00'), at);
      const before = invoice.toState();

      expect(thrown(() => invoice.applyCredit({ ...credit('cn-1', '70.00'), paymentsReturned: [{ paymentId: 'pay-1' as PaymentId, amount: eur('70.00') }] }, later))).toMatchObject({
        code: 'invoice.credit_exceeds_outstanding',
        details: { paymentId: 'pay-1' },
      });
      expect(thrown(() => invoice.applyCredit({ ...credit('cn-1', '10.00'), paymentsReturned: [{ paymentId: 'pay-9' as PaymentId, amount: eur('10.00') }] }, later))).toMatchObject({
        code: 'invoice.credit_exceeds_outstanding',
        details: { paymentId: 'pay-9' },
      });
      expect(invoice.toState()).toEqual(before);
    });

    it('is refused with invoice.invalid_amount when the credit is zero', () => {
      expect(issuesOf(() => issued().applyCredit(credit('cn-1', '0.00'), later))).toEqual([{ path: 'amount', code: 'invoice.invalid_amount' }]);
    });
  });

  describe('assertCreditable', () => {
    it('checks the amount against what is owed without applying anything', () => {
      const invoice = issued();
      const before = invoice.toState();

      invoice.assertCreditable(eur('120.00'));
      expect(thrown(() => invoice.assertCreditable(eur('120.01')))).toMatchObject({ code: 'invoice.credit_exceeds_outstanding' });
      expect(invoice.toState()).toEqual(before);
      expect(invoice.pendingEvents).toEqual([]);
    });

    it('follows the lifecycle: a draft cannot be credited', () => {
      expect(thrown(() => draft().assertCreditable(eur('1.00')))).toMatchObject({ code: 'invoice.not_issued' });
    });
  });

  describe('void', () => {
    it('voids an issued invoice, keeps its number and the reason, and raises invoice.voided', () => {
      const invoice = issued();

      invoice.void('  sent twice  ', later);

      expect(invoice.status).toBe('void');
      expect(invoice.number).toBe('INV-000001');
      expect(invoice.toState().voidReason).toBe('sent twice');
      expect(invoice.outstanding.isZero()).toBe(true);
      expect(invoice.pendingEvents).toEqual([expect.objectContaining({ type: 'invoice.voided', payload: { invoiceId: 'inv-1', number: 'INV-000001', reason: 'sent twice' } })]);
    });

    it('voids without a reason', () => {
      const invoice = issued();

      invoice.void(undefined, later);

      expect(invoice.toState()).not.toHaveProperty('voidReason');
      expect(invoice.pendingEvents[0]?.payload).toMatchObject({ reason: null });
    });

    it('is refused with invoice.has_payments when an uncollectible invoice received part of its amount', () => {
      const invoice = issued();
      invoice.markUncollectible(at);
      invoice.applyPayment(payment('pay-1', '10.00'), at);

      const error = thrown(() => invoice.void('oops', later));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'invoice.has_payments' });
      expect(invoice.status).toBe('uncollectible');
    });

    it('is refused with invoice.has_credits when part of the invoice was credited', () => {
      const invoice = issued();
      invoice.applyCredit(credit('cn-1', '10.00'), at);

      const error = thrown(() => invoice.void('oops', later));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'invoice.has_credits' });
      expect(invoice.status).toBe('issued');
    });

    it('is refused with a validation error, and changes nothing, when the reason is longer than 500 characters', () => {
      const invoice = issued();

      expect(issuesOf(() => invoice.void('r'.repeat(501), later))).toEqual([{ path: 'reason', code: 'text.too_long' }]);
      expect(invoice.status).toBe('issued');
    });
  });

  describe('markUncollectible', () => {
    it('writes the invoice off with what is still owed, keeping its payments', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '20.00'), at);
      invoice.markSaved();

      invoice.markUncollectible(later);

      expect(invoice.status).toBe('uncollectible');
      expect(invoice.outstanding.toString()).toBe('100.00');
      expect(invoice.paidAmount.toString()).toBe('20.00');
      expect(invoice.pendingEvents).toEqual([
        expect.objectContaining({ type: 'invoice.marked_uncollectible', payload: { invoiceId: 'inv-1', outstanding: { amount: '100.00', currency: 'EUR' } } }),
      ]);
    });
  });

  describe('outstanding', () => {
    it('is the amount due less payments and credits', () => {
      const invoice = issued();
      invoice.applyPayment(payment('pay-1', '30.00'), at);
      invoice.applyCredit(credit('cn-1', '45.50'), at);

      expect(invoice.outstanding.toString()).toBe('44.50');
    });

    it('is zero for a draft, a void invoice and a credit note', () => {
      const voided = issued();
      voided.void(undefined, at);
      const note = draft({ kind: 'credit_note' });
      note.issue(issueContext());

      expect(draft().outstanding.toString()).toBe('0.00');
      expect(voided.outstanding.toString()).toBe('0.00');
      expect(note.outstanding.toString()).toBe('0.00');
    });

    it('never goes below zero, even for stored state that is overpaid', () => {
      // No command can overpay (every amount is checked against what is owed), so only stored state can hold it:
      // data imported or written before a rule existed. Restore is the only way to build it.
      const state = issued().toState();
      const overpaid = Invoice.restore({ ...state, payments: [payment('pay-1', '150.00')] });

      expect(overpaid.outstanding.toString()).toBe('0.00');
    });
  });

  describe('credit notes', () => {
    const issuedNote = (): Invoice => {
      const note = draft({ kind: 'credit_note' });
      note.issue(issueContext({ number: 'CN-000001' }));
      note.markSaved();
      return note;
    };

    it.each<[string, (note: Invoice) => void]>([
      ['applyPayment', (note) => note.applyPayment(payment('pay-1', '1.00'), later)],
      ['applyCredit', (note) => note.applyCredit(credit('cn-9', '1.00'), later)],
      ['void', (note) => note.void(undefined, later)],
      ['markUncollectible', (note) => note.markUncollectible(later)],
    ])('refuses %s with credit_note.not_payable', (command, run) => {
      const note = issuedNote();

      const error = thrown(() => run(note));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'credit_note.not_payable', details: { command } });
      expect(note.status).toBe('issued');
      expect(note.pendingEvents).toEqual([]);
    });
  });

  describe('flagPossibleDuplicate', () => {
    it('marks a draft as a possible duplicate of another invoice and raises an event', () => {
      const invoice = draft();
      invoice.markSaved();

      invoice.flagPossibleDuplicate('inv-0' as InvoiceId, later);

      expect(invoice.toState().possibleDuplicateOf).toBe('inv-0');
      expect(invoice.pendingEvents).toEqual([
        expect.objectContaining({ type: 'invoice.flagged_possible_duplicate', payload: { invoiceId: 'inv-1', possibleDuplicateOf: 'inv-0' } }),
      ]);
    });

    it('keeps the flag through an update of the content', () => {
      const invoice = draft();
      invoice.flagPossibleDuplicate('inv-0' as InvoiceId, at);

      invoice.update({ lines: [line()] }, later);

      expect(invoice.toState().possibleDuplicateOf).toBe('inv-0');
    });

    it('is refused with invoice.not_draft once the invoice is issued', () => {
      expect(thrown(() => issued().flagPossibleDuplicate('inv-0' as InvoiceId, later))).toMatchObject({ code: 'invoice.not_draft' });
    });
  });

  describe('lifecycle', () => {
    type Outcome = { readonly becomes: InvoiceStatus } | { readonly refused: string };
    const ok = (becomes: InvoiceStatus): Outcome => ({ becomes });
    const no = (refused: string): Outcome => ({ refused });

    /**
     * Every status × every command, written out by hand. Payments and credits in this table are partial (10.00 of
     * an invoice of 120.00), so the resulting status shows what a partial amount does in each status.
     */
    const EXPECTED: Record<InvoiceStatus, Record<InvoiceCommand, Outcome>> = {
      draft: {
        update: ok('draft'),
        approve: ok('draft'),
        issue: ok('issued'),
        applyPayment: no('invoice.not_issued'),
        void: no('invoice.not_issued'),
        markUncollectible: no('invoice.not_issued'),
        applyCredit: no('invoice.not_issued'),
      },
      issued: {
        update: no('invoice.not_draft'),
        approve: no('invoice.not_draft'),
        issue: no('invoice.already_issued'),
        applyPayment: ok('partially_paid'),
        void: ok('void'),
        markUncollectible: ok('uncollectible'),
        applyCredit: ok('issued'),
      },
      partially_paid: {
        update: no('invoice.not_draft'),
        approve: no('invoice.not_draft'),
        issue: no('invoice.not_draft'),
        applyPayment: ok('partially_paid'),
        void: no('invoice.has_payments'),
        markUncollectible: ok('uncollectible'),
        applyCredit: ok('partially_paid'),
      },
      paid: {
        update: no('invoice.not_draft'),
        approve: no('invoice.not_draft'),
        issue: no('invoice.not_draft'),
        applyPayment: no('invoice.already_paid'),
        void: no('invoice.already_paid'),
        markUncollectible: no('invoice.already_paid'),
        // What was paid is taken back as the buyer's credit (10.00 of the set-up's payment).
        applyCredit: ok('paid'),
      },
      void: {
        update: no('invoice.not_draft'),
        approve: no('invoice.not_draft'),
        issue: no('invoice.not_draft'),
        applyPayment: no('invoice.voided'),
        void: no('invoice.voided'),
        markUncollectible: no('invoice.voided'),
        applyCredit: no('invoice.voided'),
      },
      uncollectible: {
        update: no('invoice.not_draft'),
        approve: no('invoice.not_draft'),
        issue: no('invoice.not_draft'),
        applyPayment: ok('uncollectible'),
        void: ok('void'),
        markUncollectible: no('invoice.already_uncollectible'),
        applyCredit: ok('uncollectible'),
      },
      credited: {
        update: no('invoice.not_draft'),
        approve: no('invoice.not_draft'),
        issue: no('invoice.not_draft'),
        applyPayment: no('invoice.fully_credited'),
        void: no('invoice.fully_credited'),
        markUncollectible: no('invoice.fully_credited'),
        applyCredit: no('invoice.fully_credited'),
      },
    };

    /** Reaches each status through the aggregate's own commands, then saves, so only the command under test raises events. */
    function invoiceIn(status: InvoiceStatus): Invoice {
      const invoice = draft();
      if (status !== 'draft') invoice.issue(issueContext());
      if (status === 'partially_paid') invoice.applyPayment(payment('pay-setup', '20.00'), at);
      if (status === 'paid') invoice.applyPayment(payment('pay-setup', '120.00'), at);
      if (status === 'void') invoice.void('sent twice', at);
      if (status === 'uncollectible') invoice.markUncollectible(at);
      if (status === 'credited') invoice.applyCredit(credit('cn-setup', '120.00'), at);
      if (invoice.status !== status) throw new Error(`set-up reached ${invoice.status}, not ${status}`);
      invoice.markSaved();
      return invoice;
    }

    const RUN: Record<InvoiceCommand, (invoice: Invoice) => void> = {
      update: (invoice) => invoice.update({ lines: [line({ quantity: '3' })] }, later),
      approve: (invoice) => invoice.approve('alice', later),
      issue: (invoice) => invoice.issue(issueContext({ number: 'INV-000002', at: later })),
      applyPayment: (invoice) => invoice.applyPayment(payment('pay-cmd', '10.00'), later),
      void: (invoice) => invoice.void('duplicate', later),
      markUncollectible: (invoice) => invoice.markUncollectible(later),
      // An invoice that owes nothing is credited from what was paid.
      applyCredit: (invoice) =>
        invoice.applyCredit(
          { ...credit('cn-cmd', '10.00'), ...(invoice.status === 'paid' ? { paymentsReturned: [{ paymentId: 'pay-setup' as PaymentId, amount: eur('10.00') }] } : {}) },
          later,
        ),
    };

    const cells = INVOICE_STATUSES.flatMap((status) => INVOICE_COMMANDS.map((command) => [status, command, EXPECTED[status][command]] as const));

    it('covers every status and every command', () => {
      expect(Object.keys(EXPECTED).sort()).toEqual([...INVOICE_STATUSES].sort());
      for (const status of INVOICE_STATUSES) expect(Object.keys(EXPECTED[status]).sort()).toEqual([...INVOICE_COMMANDS].sort());
      expect(cells).toHaveLength(49);
    });

    it.each(cells.filter(([, , outcome]) => 'becomes' in outcome))('in status %s, %s succeeds', (status, command, outcome) => {
      const invoice = invoiceIn(status);

      RUN[command](invoice);

      expect(invoice.status).toBe((outcome as { becomes: InvoiceStatus }).becomes);
      expect(invoice.pendingEvents.length).toBeGreaterThan(0);
      expect(invoice.toState().updatedAt).toEqual(later);
    });

    it.each(cells.filter(([, , outcome]) => 'refused' in outcome))('in status %s, %s is refused', (status, command, outcome) => {
      const invoice = invoiceIn(status);
      const before = invoice.toState();

      const error = thrown(() => RUN[command](invoice));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect((error as InvalidStateError).code).toBe((outcome as { refused: string }).refused);
      // Refused means untouched: no half-applied change, no event.
      expect(invoice.toState()).toEqual(before);
      expect(invoice.pendingEvents).toEqual([]);
    });

    it('agrees with INVOICE_TRANSITIONS in every cell', () => {
      const table = Object.fromEntries(
        INVOICE_STATUSES.map((status) => [status, Object.fromEntries(INVOICE_COMMANDS.map((command) => [command, INVOICE_TRANSITIONS[command][status]]))]),
      );
      const expected = Object.fromEntries(
        INVOICE_STATUSES.map((status) => [
          status,
          Object.fromEntries(INVOICE_COMMANDS.map((command) => {
            const outcome = EXPECTED[status][command];
            // The set-up's credited invoice has nothing paid, so the aggregate refuses what the table lets through: a
            // credited invoice that still holds a payment (part paid, the rest credited) is credited from it.
            if (status === 'credited' && command === 'applyCredit') return [command, true];
            return [command, 'becomes' in outcome ? true : outcome.refused];
          })),
        ]),
      );

      expect(table).toEqual(expected);
    });
  });

  describe('state handed out (review of 12 December 2026)', () => {
    /** An issued invoice holding everything a caller can reach: notes, allowances, charges, parties, approval, a payment and a credit. */
    function complete(id = 'inv-full'): Invoice {
      const invoice = draft(
        {
          notes: ['Thank you'],
          externalReference: 'ORDER-7',
          invoicePeriod: { start: '2026-01-01', end: '2026-01-31' },
          lines: [line({ allowances: [{ percent: '10', baseAmount: '100.00', amount: '10.00', reason: 'Loyalty' }] }), line({ quantity: '1', charges: [{ amount: '1.50', reasonCode: 'FC' }] })],
          allowances: [{ amount: '5.00', reason: 'Discount', vat: { code: 'S', rate: '20' } }],
        },
        id,
      );
      invoice.approve('alice', new Date(at));
      // Parties of its own: the tampering below must not reach the fixtures other tests share.
      invoice.issue(issueContext({ seller: structuredClone(seller), buyer: structuredClone(buyer), at: new Date(at) }));
      invoice.applyPayment(payment('pay-1', '20.00'), new Date(later));
      invoice.applyCredit(credit('cn-1', '10.00'), new Date(later));
      return invoice;
    }

    it('cannot be changed through what toState() returns: arrays, nested objects, Money, Dates', () => {
      const invoice = complete();
      const expected = complete().toState();
      const state = invoice.toState();

      // The review's attempts first (read-only types are no obstacle at run time), then every field reachable.
      attempt(() => state.issuedAt?.setUTCFullYear(1999));
      attempt(() => state.approval?.at.setTime(0));
      attempt(() => (state.lines as unknown[]).pop());
      attempt(() => (state.payments as AppliedPayment[]).push(payment('forged', '999.00')));
      attempt(() => Object.assign(state.seller as PartySnapshot, { legalName: 'Someone Else' }));
      attempt(() => Object.assign(state.totals, { amountDue: eur('0.00') }));
      tamperWith(state);

      expect(invoice.toState()).toEqual(expected);
      expect(invoice.outstanding.toString()).toBe('133.80');
      expect(invoice.status).toBe('partially_paid');
    });

    it('cannot be changed through its getters', () => {
      const invoice = complete();
      const expected = complete().toState();

      attempt(() => (invoice.payments as AppliedPayment[]).push(payment('forged', invoice.outstanding)));
      attempt(() => {
        (invoice.lines as unknown[]).length = 0;
      });
      attempt(() => Object.assign(invoice.parties?.seller as PartySnapshot, { legalName: 'Someone Else' }));
      for (const handedOut of [invoice.lines, invoice.notes, invoice.totals, invoice.vatBreakdown, invoice.payments, invoice.credits, invoice.parties, invoice.invoicePeriod, invoice.paidAmount, invoice.outstanding]) {
        tamperWith(handedOut);
      }

      expect(invoice.toState()).toEqual(expected);
      expect(invoice.outstanding.toString()).toBe('133.80');
    });

    it('cannot be changed through the Decimals it hands out: quantities, prices, rates, percents (review of 14 December 2026)', () => {
      const invoice = complete();
      const expected = complete().toState();
      const [first] = invoice.lines;
      // decimal.js types a Decimal's digits as a mutable array: no cast is needed to write into them.
      attempt(() => {
        if (first) first.quantity.d[0] = 9_999_999;
      });
      attempt(() => first?.netPrice.d.push(1));
      attempt(() => Object.assign(first?.vat.rate ?? {}, { e: 6 }));
      attempt(() => {
        const percent = invoice.toState().lines[0]?.allowances[0]?.percent;
        if (percent) percent.d[0] = 99;
      });

      expect(invoice.toState()).toEqual(expected);
      expect(invoice.lines[0]?.quantity.toString()).toBe('2');
      expect(invoice.lines[0]?.netPrice.toString()).toBe('50');
      expect(invoice.lines[0]?.vat.rate?.toString()).toBe('20');
    });

    it('hands out a copy of every Date, including when it was recorded from elsewhere', () => {
      const invoice = Invoice.recordIssued(
        { ...newDraft(), number: 'A/R 1', issueDate: issueDay, dueDate: issueDay, seller, buyer },
        { tenantId: tenant, id: 'inv-r' as InvoiceId, at: new Date(at) },
      );

      attempt(() => invoice.importedAt?.setTime(0));
      attempt(() => invoice.toState().importedAt?.setTime(0));
      attempt(() => invoice.toState().createdAt.setTime(0));

      expect(invoice.importedAt).toEqual(at);
      expect(invoice.toState()).toMatchObject({ importedAt: at, createdAt: at, updatedAt: at, issuedAt: at });
    });

    it('shares nothing it can be changed through with what it was built from: commands, contexts, Dates', () => {
      const now = new Date(at);
      const command = newDraft({ notes: ['Thank you'], lines: [line()], paymentTerms: { kind: 'net', days: 30 } });
      const invoice = Invoice.draft(command, { tenantId: tenant, id: 'inv-full' as InvoiceId, at: now });
      const approvedAt = new Date(later);
      invoice.approve('alice', approvedAt);
      const context = issueContext({ seller: structuredClone(seller), buyer: structuredClone(buyer), at: new Date(later) });
      invoice.issue(context);
      const applied = payment('pay-1', '20.00');
      invoice.applyPayment(applied, new Date(later));
      const expected = invoice.toState();

      now.setTime(0);
      approvedAt.setTime(0);
      context.at.setTime(0);
      tamperWith(command);
      tamperWith(context);
      tamperWith(applied);

      expect(invoice.toState()).toEqual(expected);
      expect(invoice.toState()).toMatchObject({ createdAt: at, issuedAt: later, approval: { by: 'alice', at: later }, seller, buyer, notes: ['Thank you'] });
      expect(invoice.payments).toEqual([payment('pay-1', '20.00')]);
    });

    it('shares nothing it can be changed through with the state it was restored from', () => {
      const state = complete().toState();
      const expected = complete().toState();
      const restored = Invoice.restore(state);

      tamperWith(state);

      expect(restored.toState()).toEqual(expected);
      expect(restored.outstanding.toString()).toBe('133.80');
    });
  });

  describe('properties', () => {
    // Net prices in cents up to 10 000.00; payments either small or up to twice the largest amount due.
    const netCents = fc.integer({ min: 1, max: 1_000_000 });
    const paymentCents = fc.array(fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 2_400_000 })), { maxLength: 25 });
    const issuedFor = (cents: number): Invoice => issued({ lines: [line({ quantity: '1', netPrice: Money.ofMinor(cents, 'EUR').toString() })] });
    // Typed like the invoice's amounts, whose currency is only known at run time.
    const inEur = (minor: number | bigint): Money => Money.ofMinor(minor, 'EUR');

    it('applying min(amount, outstanding) never makes outstanding negative, paid + outstanding is the amount due, and paid means nothing outstanding', () => {
      fc.assert(
        fc.property(netCents, paymentCents, (cents, payments) => {
          const invoice = issuedFor(cents);
          const due = invoice.totals.amountDue;
          let paid = inEur(0);
          for (const [index, minor] of payments.entries()) {
            if (invoice.status === 'paid') {
              expect(thrown(() => invoice.applyPayment(payment(`pay-${index}`, inEur(minor)), at))).toMatchObject({ code: 'invoice.already_paid' });
              continue;
            }
            const attempt = payment(`pay-${index}`, inEur(minor).min(invoice.outstanding));
            invoice.applyPayment(attempt, at);
            paid = paid.add(attempt.amount);
            const status: InvoiceStatus = invoice.status as InvoiceStatus; // the command changed it since the check above

            expect(invoice.outstanding.isNegative()).toBe(false);
            expect(invoice.paidAmount.equals(paid)).toBe(true);
            expect(paid.add(invoice.outstanding).equals(due)).toBe(true);
            expect(status === 'paid').toBe(invoice.outstanding.isZero());
            expect(status).toBe(invoice.outstanding.isZero() ? 'paid' : 'partially_paid');
          }
        }),
      );
    });

    it('a credit of exactly the outstanding amount, after partial payments, leaves nothing outstanding and makes the invoice credited', () => {
      fc.assert(
        fc.property(netCents, paymentCents, (cents, payments) => {
          const invoice = issuedFor(cents);
          const due = invoice.totals.amountDue;
          for (const [index, minor] of payments.entries()) {
            // Strictly partial: at least one cent stays owed.
            const amount = inEur(minor).min(invoice.outstanding.subtract(inEur(1)));
            if (amount.isPositive()) invoice.applyPayment(payment(`pay-${index}`, amount), at);
          }
          const rest = invoice.outstanding;

          invoice.applyCredit(credit('cn-1', rest), at);

          expect(invoice.outstanding.isZero()).toBe(true);
          expect(invoice.status).toBe('credited');
          expect(invoice.paidAmount.add(invoice.creditedAmount).equals(due)).toBe(true);
        }),
      );
    });
  });

  describe('codes from their code lists (audit D3)', () => {
    const S20 = { code: 'S', rate: '20' } as const;
    const withCharge = (reasonCode: string): Partial<NewDraft> => ({ charges: [{ amount: '1.00', reason: 'Freight', reasonCode, vat: S20 }] });

    it('refuses a draft, its update and a credit note whose document allowance, charge or VAT exemption code is outside its list, with the path', () => {
      const bad: Partial<NewDraft> = {
        allowances: [{ amount: '1.00', reasonCode: 'FC', vat: S20 }],
        charges: [{ amount: '1.00', reasonCode: '95', vat: { code: 'E', exemptionReasonCode: 'VATEX-FAKE' } }],
        lines: [line({ charges: [{ amount: '1.00', reasonCode: '95' }] })],
      };
      const expected = [
        { path: 'lines.0.charges.0.reasonCode', code: 'allowance_charge.unknown_reason_code' },
        { path: 'allowances.0.reasonCode', code: 'allowance_charge.unknown_reason_code' },
        { path: 'charges.0.reasonCode', code: 'allowance_charge.unknown_reason_code' },
        { path: 'charges.0.vat.exemptionReasonCode', code: 'vat.unknown_exemption_code' },
      ];

      expect(issuesOf(() => draft(bad))).toEqual(expected);
      expect(issuesOf(() => draft({ ...bad, kind: 'credit_note' }))).toEqual(expected);
      const invoice = draft();
      expect(issuesOf(() => invoice.update({ lines: bad.lines ?? [], allowances: bad.allowances, charges: bad.charges }, later))).toEqual(expected);
      expect(invoice.toState().lines[0]?.charges).toEqual([]);
      expect(draft(withCharge('FC')).toState().charges[0]?.reasonCode).toBe('FC');
    });

    it('keeps an invoice stored with such a code before as it was issued: readable, its e-invoice still refused (BR-CL-20)', () => {
      const state = issued(withCharge('FC')).toState();
      const stored = Invoice.restore({ ...state, charges: state.charges.map((charge) => ({ ...charge, reasonCode: '95' })) });

      expect(stored.toState().charges[0]?.reasonCode).toBe('95');
      expect(codeListRules(invoiceToEn16931(stored.toState())).map((finding) => finding.rule)).toEqual(['BR-CL-20']);
    });

    /** The BR-CL-19/20/22 findings of the validator on a document with `code` where `place` says. */
    const validatorFindings = (place: 'allowance' | 'charge' | 'vatex', code: string): string[] => {
      const doc = validDocument();
      const reason = { amount: '0.00', reason: 'x', vatCategory: 'S', vatRate: '19' };
      const patched =
        place === 'vatex'
          ? { ...doc, vatBreakdown: doc.vatBreakdown.map((entry) => ({ ...entry, exemptionReasonCode: code })) }
          : { ...doc, [place === 'allowance' ? 'allowances' : 'charges']: [{ ...reason, reasonCode: code }] };
      return codeListRules(patched).map((finding) => finding.rule).filter((rule) => ['BR-CL-19', 'BR-CL-20', 'BR-CL-22'].includes(rule));
    };

    /** Whether a draft takes `code` where `place` says, and when it does, what the validator finds on its e-invoice. */
    const drafted = (place: 'allowance' | 'charge' | 'vatex', code: string): string[] | 'refused' => {
      const content: Partial<NewDraft> =
        place === 'vatex'
          ? { lines: [line({ vat: { code: 'E', exemptionReasonCode: code } })] }
          : {
              lines: [line({ [place === 'allowance' ? 'allowances' : 'charges']: [{ amount: '1.00', reasonCode: code }] })],
              [place === 'allowance' ? 'allowances' : 'charges']: [{ amount: '1.00', reasonCode: code, vat: S20 }],
            };
      try {
        const invoice = issued(content);
        return codeListRules(invoiceToEn16931(invoice.toState())).map((finding) => finding.rule).filter((rule) => ['BR-CL-19', 'BR-CL-20', 'BR-CL-22'].includes(rule));
      } catch (error) {
        if (error instanceof ValidationError) return 'refused';
        throw error;
      }
    };

    it('takes exactly the codes the EN 16931 validator takes: every code of its lists, and none it refuses', () => {
      const listed = [...UNTDID_5189, ...UNTDID_7161, ...VATEX];
      const candidates = [...new Set([...listed, ...listed.map((code) => code.toLowerCase()), 'ZZ', 'VATEX-FAKE', 'VATEX-EU', '095', '9 5', 'C62'])];
      const disagreements: string[] = [];
      for (const place of ['allowance', 'charge', 'vatex'] as const) {
        for (const code of candidates) {
          const validator = validatorFindings(place, code);
          const draftAnswer = drafted(place, code);
          // Refused by the draft exactly when the validator refuses it; taken, its e-invoice has no code-list finding.
          const agree = draftAnswer === 'refused' ? validator.length > 0 : validator.length === 0 && draftAnswer.length === 0;
          if (!agree) disagreements.push(`${place} ${JSON.stringify(code)}: draft ${JSON.stringify(draftAnswer)}, validator ${JSON.stringify(validator)}`);
        }
      }

      expect(disagreements).toEqual([]);
      // Each list is taken whole where it applies.
      expect([...UNTDID_5189].filter((code) => drafted('allowance', code) === 'refused')).toEqual([]);
      expect([...UNTDID_7161].filter((code) => drafted('charge', code) === 'refused')).toEqual([]);
      expect([...VATEX].filter((code) => drafted('vatex', code) === 'refused')).toEqual([]);
    });
  });
});
