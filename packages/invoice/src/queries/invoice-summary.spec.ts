import { describe, expect, it } from '@jest/globals';
import { Money, parseCalendarDate, tenantId } from '@invoicing/core';
import { Invoice, type NewDraft } from '../invoice/invoice';
import type { InvoiceStatus } from '../invoice/invoice-lifecycle';
import type { PartySnapshot } from '../invoice/party-snapshot';
import type { ContactId, InvoiceId, PartnerId, PartnershipId, PaymentId } from '../shared/ids';
import { AGING_BUCKETS, agingBucket, daysPastDue, isPastDue, summarize, type InvoiceSummary } from './invoice-summary';

const day = parseCalendarDate;
const at = new Date('2026-01-15T09:00:00Z');
const eur = (amount: string): Money => Money.of(amount, 'EUR');

const party = (partnerId: string, vatId: string, countryCode: string): PartySnapshot => ({
  partnerId: partnerId as PartnerId,
  legalName: partnerId,
  identifiers: { vatId },
  address: { lines: ['1 Main Street'], countryCode },
});

/** 2 × 50.00 at 20 % VAT: 120.00 due, net 30. */
function draft(overrides: Partial<NewDraft> = {}): Invoice {
  return Invoice.draft(
    {
      partnershipId: 'ps-1' as PartnershipId,
      sellerId: 'p-seller' as PartnerId,
      buyerId: 'p-buyer' as PartnerId,
      currency: 'EUR',
      paymentTerms: { kind: 'net', days: 30 },
      series: 'INV',
      lines: [{ name: 'Consulting', quantity: '2', unitCode: 'HUR', netPrice: '50.00', vat: { code: 'S', rate: '20' } }],
      ...overrides,
    },
    { tenantId: tenantId('acme'), id: 'inv-1' as InvoiceId, at },
  );
}

function issue(invoice: Invoice, number = 'INV-000001'): Invoice {
  invoice.issue({ number, issueDate: day('2026-01-15'), seller: party('p-seller', 'FR12345678901', 'FR'), buyer: party('p-buyer', 'DE123456789', 'DE'), requiresApproval: false, at });
  return invoice;
}

const receivable = (overrides: Partial<Pick<InvoiceSummary, 'kind' | 'status' | 'issueDate' | 'dueDate' | 'outstanding'>> = {}) => ({
  kind: 'invoice' as const,
  status: 'issued' as InvoiceStatus,
  issueDate: day('2026-01-01'),
  dueDate: day('2026-01-31'),
  outstanding: eur('120.00'),
  ...overrides,
});

describe('daysPastDue', () => {
  it.each([
    ['2026-01-31', '2026-01-01', 0],
    ['2026-01-31', '2026-01-31', 0],
    ['2026-01-31', '2026-02-01', 1],
    ['2026-01-31', '2026-03-02', 30],
    ['2026-12-31', '2027-01-01', 1],
    ['2026-02-28', '2026-03-01', 1],
    ['2028-02-28', '2028-03-01', 2],
    ['2026-01-01', '2027-01-01', 365],
  ])('is %s due, as of %s: %i days', (due, asOf, days) => {
    expect(daysPastDue(day(due), day(asOf))).toBe(days);
  });
});

describe('isPastDue', () => {
  it('is true when money is owed and the due date is before the as-of date', () => {
    expect(isPastDue(receivable(), day('2026-02-01'))).toBe(true);
    expect(isPastDue(receivable({ status: 'partially_paid', outstanding: eur('0.01') }), day('2026-02-01'))).toBe(true);
  });

  it('is false as of a date before its issue: it was not owed then (an invoice whose due date precedes its issue date)', () => {
    expect(isPastDue(receivable({ issueDate: day('2026-03-01'), dueDate: day('2026-01-31') }), day('2026-02-15'))).toBe(false);
    expect(isPastDue(receivable({ issueDate: day('2026-03-01'), dueDate: day('2026-01-31') }), day('2026-03-01'))).toBe(true);
  });

  it('is false on the due date itself and before it', () => {
    expect(isPastDue(receivable(), day('2026-01-31'))).toBe(false);
    expect(isPastDue(receivable(), day('2026-01-15'))).toBe(false);
  });

  it.each(['draft', 'paid', 'void', 'uncollectible', 'credited'] as const)('is false for a %s invoice', (status) => {
    expect(isPastDue(receivable({ status }), day('2026-06-01'))).toBe(false);
  });

  it('is false for a credit note, with nothing outstanding, or without a due date', () => {
    expect(isPastDue(receivable({ kind: 'credit_note' }), day('2026-06-01'))).toBe(false);
    expect(isPastDue(receivable({ outstanding: eur('0.00') }), day('2026-06-01'))).toBe(false);
    const { dueDate: _dueDate, ...undated } = receivable();
    expect(isPastDue(undated, day('2026-06-01'))).toBe(false);
  });

  it('follows a real invoice through payment', () => {
    const invoice = issue(draft());
    expect(isPastDue(summarize(invoice), day('2026-02-15'))).toBe(true);

    invoice.applyPayment({ paymentId: 'pay-1' as PaymentId, amount: eur('120.00'), appliedOn: day('2026-02-20') }, at);

    expect(isPastDue(summarize(invoice), day('2026-02-21'))).toBe(false);
  });
});

describe('agingBucket', () => {
  it.each([
    [-5, 'current'],
    [0, 'current'],
    [1, 'days1To30'],
    [30, 'days1To30'],
    [31, 'days31To60'],
    [60, 'days31To60'],
    [61, 'days61To90'],
    [90, 'days61To90'],
    [91, 'over90'],
    [1000, 'over90'],
  ] as const)('puts %i days past due in %s', (days, bucket) => {
    expect(agingBucket(days)).toBe(bucket);
  });

  it('lists the buckets from current to oldest', () => {
    expect(AGING_BUCKETS).toEqual(['current', 'days1To30', 'days31To60', 'days61To90', 'over90']);
  });
});

describe('summarize', () => {
  it('summarises an issued invoice with its payments and credits', () => {
    const invoice = draft({ purchaseOrderReference: 'PO-42', externalReference: 'ERP-7', buyerContactId: 'c-1' as ContactId, prepaidAmount: '20.00' });
    issue(invoice);
    invoice.applyPayment({ paymentId: 'pay-1' as PaymentId, amount: eur('30.00'), appliedOn: day('2026-01-20') }, at);
    invoice.applyCredit({ creditNoteId: 'cn-1' as InvoiceId, creditNoteNumber: 'CN-000001', amount: eur('10.00'), appliedOn: day('2026-01-21') }, at);

    const summary = summarize(invoice);

    expect(summary).toEqual({
      id: 'inv-1',
      kind: 'invoice',
      status: 'partially_paid',
      number: 'INV-000001',
      partnershipId: 'ps-1',
      sellerId: 'p-seller',
      buyerId: 'p-buyer',
      buyerContactId: 'c-1',
      currency: 'EUR',
      issueDate: '2026-01-15',
      dueDate: '2026-02-14',
      externalReference: 'ERP-7',
      purchaseOrderReference: 'PO-42',
      total: eur('120.00'),
      prepaid: eur('20.00'),
      rounding: eur('0.00'),
      amountDue: eur('100.00'),
      paid: eur('30.00'),
      credited: eur('10.00'),
      outstanding: eur('60.00'),
    });
  });

  it('shows what was paid net of what a credit note took back from the payment, so that amount due − paid − credited = outstanding', () => {
    const invoice = issue(draft());
    invoice.applyPayment({ paymentId: 'pay-1' as PaymentId, amount: eur('120.00'), appliedOn: day('2026-01-20') }, at);
    invoice.applyCredit(
      { creditNoteId: 'cn-1' as InvoiceId, creditNoteNumber: 'CN-000001', amount: eur('36.00'), appliedOn: day('2026-01-25'), paymentsReturned: [{ paymentId: 'pay-1' as PaymentId, amount: eur('36.00') }] },
      at,
    );

    const summary = summarize(invoice);

    expect([summary.status, ...[summary.amountDue, summary.paid, summary.credited, summary.outstanding].map(String)]).toEqual(['paid', '120.00', '84.00', '36.00', '0.00']);
    expect(summary.amountDue.subtract(summary.paid).subtract(summary.credited).equals(summary.outstanding)).toBe(true);
  });

  it('leaves out what a draft does not have yet, and shows nothing outstanding', () => {
    const flagged = draft();
    flagged.flagPossibleDuplicate('inv-0' as InvoiceId, new Date('2026-01-15T09:00:00Z'));
    const summary = summarize(flagged);

    expect(summary).not.toHaveProperty('number');
    expect(summary).not.toHaveProperty('issueDate');
    expect(summary).not.toHaveProperty('dueDate');
    expect(summary).not.toHaveProperty('buyerContactId');
    expect(summary.status).toBe('draft');
    expect(summary.possibleDuplicateOf).toBe('inv-0');
    expect(summary.outstanding.isZero()).toBe(true);
    expect(summary.amountDue.toString()).toBe('120.00');
  });

  it('shows a credit note with its total and nothing outstanding', () => {
    const summary = summarize(issue(draft({ kind: 'credit_note' }), 'CN-000001'));

    expect(summary).toMatchObject({ kind: 'credit_note', status: 'issued', number: 'CN-000001' });
    expect(summary.total.toString()).toBe('120.00');
    expect(summary.outstanding.isZero()).toBe(true);
  });
});
