import { MONEY_MAX_MINOR, Money, tenantId, type CurrencyCode } from '@invoicing/core';
import { ApplyPayment, CreateCreditNote, CreateInvoiceDraft, IssueInvoice, RecordPayment, RefundCredit } from '../index';
import { createScenario, InMemoryIntegrityReader, postingsIn, type IntegrityStates } from '../testing';
import type { InvoiceState } from '../invoice/invoice';
import { importedHolder } from '../invoice/number-sequence.port';
import type { PaymentState } from '../payment/payment';
import { foldTotals, zeroTotals, type LedgerTransaction, type LedgerTransactionKind, type Posting } from '../ledger/ledger';
import type { InvoiceId, PartnerId, PaymentId, RefundId } from '../shared/ids';
import { checkIntegrity } from './check-integrity';
import { checkPayments, checkTenant, decimal, invoiceFacts, paymentFacts, summarizeAccounts, type InvoiceFacts, type PaymentFacts, type TenantSnapshot } from './integrity';

const EUR = 'EUR' as CurrencyCode;
const eur = (amount: string) => Money.of(amount, EUR);

function ledger(): LedgerTransaction[] {
  const postings: Posting[][] = [
    [
      { type: 'received', amount: eur('70.00'), paymentId: 'pay-1' as PaymentId, receivedOn: '2026-01-20' as never },
      { type: 'applied', amount: eur('60.00'), paymentId: 'pay-1' as PaymentId, invoiceId: 'inv-1' as InvoiceId, invoiceDue: eur('100.00'), appliedOn: '2026-01-20' as never },
      { type: 'credited', amount: eur('40.00'), creditNoteId: 'cn-1' as InvoiceId, creditNoteNumber: 'CN-000001', invoiceId: 'inv-1' as InvoiceId, invoiceDue: eur('100.00'), creditedOn: '2026-01-20' as never },
    ],
    [{ type: 'refunded', amount: eur('5.00'), paymentId: 'pay-1' as PaymentId, refundId: 'ref-1' as RefundId, refundedOn: '2026-01-21' as never }],
  ];
  let totals = zeroTotals(EUR);
  return postings.map((list, index) => {
    totals = foldTotals(totals, list);
    return {
      tenantId: tenantId('t1'),
      partnerId: 'buyer' as PartnerId,
      currency: EUR,
      seq: index + 1,
      operationId: `op-${index + 1}`,
      kind: 'opening',
      postings: list,
      totalsAfter: totals,
      at: new Date('2026-01-20T10:00:00Z'),
    };
  });
}

const invoice: InvoiceFacts = {
  id: 'inv-1',
  kind: 'invoice',
  status: 'paid',
  number: 'INV-000001',
  series: 'INV',
  sellerId: 'seller',
  buyerId: 'buyer',
  currency: 'EUR',
  amountDue: 10000n,
  payments: [{ paymentId: 'pay-1', amount: 6000n, currency: 'EUR' }],
  credits: [{ creditNoteId: 'cn-1', amount: 4000n, currency: 'EUR' }],
};
const creditNote: InvoiceFacts = {
  id: 'cn-1',
  kind: 'credit_note',
  status: 'issued',
  number: 'CN-000001',
  series: 'CN',
  sellerId: 'seller',
  buyerId: 'buyer',
  currency: 'EUR',
  amountDue: 4000n,
  payments: [],
  credits: [],
  precedingInvoiceId: 'inv-1',
};
const payment: PaymentFacts = {
  id: 'pay-1',
  partnerId: 'buyer',
  currency: 'EUR',
  amount: 7000n,
  applications: [{ invoiceId: 'inv-1', amount: 6000n, currency: 'EUR' }],
  refunds: [{ refundId: 'ref-1', amount: 500n, currency: 'EUR' }],
  storedUnapplied: 500n,
};

/** A consistent tenant: an invoice of 100.00 paid 60.00 and credited 40.00, a payment of 70.00 with 5.00 refunded. */
function consistent(): TenantSnapshot {
  return {
    tenantId: 't1',
    partnerIds: new Set(['seller', 'buyer']),
    payments: [payment],
    invoices: [invoice, creditNote],
    reservations: [
      { series: 'INV', sequence: 1, documentId: 'inv-1' },
      { series: 'CN', sequence: 1, documentId: 'cn-1' },
    ],
    ledger: ledger(),
  };
}

const codes = (snapshot: TenantSnapshot) => checkTenant(snapshot).findings.map((found) => found.code);

describe('the invariant checker', () => {
  it('finds nothing in a consistent tenant, and sums each partner account', () => {
    const result = checkTenant(consistent());
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([]);
    expect(result.accounts).toEqual([
      { tenantId: 't1', partnerId: 'buyer', currency: 'EUR', payments: 1, received: '70.00', applied: '60.00', refunded: '5.00', unapplied: '5.00', balanced: true },
    ]);
  });

  // Audit recon F4: "received 1999999999999998 = applied 0.00 + unapplied 9999999999999.99 + refunded 9999999999999.99".
  it.each([
    ['USD', '19999999999999.98', '9999999999999.99'],
    ['JPY', '1999999999999998', '999999999999999'],
    ['BHD', '1999999999999.998', '999999999999.999'],
  ])('writes an account’s sums past the largest amount with the decimals of %s, never in minor units', (code, twice, largest) => {
    const currency = code as CurrencyCode;
    const refunded: PaymentFacts = { id: 'pay-1', partnerId: 'buyer', currency, amount: MONEY_MAX_MINOR, applications: [], refunds: [{ refundId: 'ref-1', amount: MONEY_MAX_MINOR, currency }], storedUnapplied: 0n };
    const unapplied: PaymentFacts = { id: 'pay-2', partnerId: 'buyer', currency, amount: MONEY_MAX_MINOR, applications: [], refunds: [], storedUnapplied: MONEY_MAX_MINOR };
    const zero = decimal(0n, currency);

    expect(summarizeAccounts({ ...consistent(), payments: [refunded, unapplied] })).toEqual([
      { tenantId: 't1', partnerId: 'buyer', currency, payments: 2, received: twice, applied: zero, refunded: largest, unapplied: largest, balanced: true },
    ]);
    // A finding's amounts alike: a payment that applied twice what it received.
    const overdrawn = { ...unapplied, applications: [{ invoiceId: 'inv-1', amount: 2n * MONEY_MAX_MINOR, currency }], storedUnapplied: -MONEY_MAX_MINOR };
    expect(checkPayments({ ...consistent(), payments: [overdrawn] })[0]?.amounts).toEqual({ received: largest, applied: twice, refunded: zero, unapplied: `-${largest}` });
  });

  it('writes any sum with its currency’s decimals: below one unit, negative, past 64 bits', () => {
    expect(decimal(5n, 'BHD')).toBe('0.005');
    expect(decimal(-5n, 'BHD')).toBe('-0.005');
    expect(decimal(-1n, 'USD')).toBe('-0.01');
    expect(decimal(0n, 'JPY')).toBe('0');
    expect(decimal(2n ** 64n + 1n, 'USD')).toBe('184467440737095516.17');
    expect(decimal(-(2n ** 64n), 'JPY')).toBe('-18446744073709551616');
    // No stored document has another currency (the readers refuse it); should one, its figure says what it is.
    expect(decimal(1999n, 'XYZ')).toBe('1999 minor units of XYZ');
  });

  it('finds a payment that applied and refunded more than it received', () => {
    const snapshot = { ...consistent(), payments: [{ ...payment, refunds: [{ refundId: 'ref-1', amount: 1500n, currency: 'EUR' }], storedUnapplied: -500n }] };
    const found = checkTenant(snapshot).findings;
    // The document no longer says what the ledger does either.
    expect(found.map((item) => item.code)).toEqual(['integrity.payment_unbalanced', 'integrity.projection_mismatch']);
    expect(found[0]).toMatchObject({ tenantId: 't1', ids: { paymentId: 'pay-1' }, amounts: { received: '70.00', applied: '60.00', refunded: '15.00', unapplied: '-5.00' } });
    expect(found[1]?.amounts).toMatchObject({ refundedStored: '15.00', refundedLedger: '5.00' });
    expect(checkTenant(snapshot).accounts[0]?.balanced).toBe(false);
  });

  it('finds a payment whose stored unapplied amount is not what its parts give', () => {
    expect(codes({ ...consistent(), payments: [{ ...payment, storedUnapplied: 900n }] })).toEqual(['integrity.payment_unbalanced']);
  });

  it('finds an invoice paid and credited above its amount due', () => {
    const snapshot = { ...consistent(), invoices: [{ ...invoice, amountDue: 9000n }, { ...creditNote }] };
    const found = checkTenant(snapshot).findings;
    expect(found.map((item) => item.code)).toEqual(['integrity.invoice_overpaid']);
    expect(found[0]?.amounts).toEqual({ amountDue: '90.00', paid: '60.00', credited: '40.00' });
  });

  it('finds nothing in an invoice whose amount due is below zero, paid at issue, nor in a draft with a return line (review: a return reported overpaid)', async () => {
    // Issued before 7 December 2026, when an invoice due below zero was still issued, as paid (now
    // `invoice.negative_amount_due`): such documents stay stored, and are not findings.
    const bed = await createScenario();
    const returned = [{ name: 'Return', quantity: '-1', unitCode: 'C62', netPrice: '10', vat: { code: 'S', rate: '20' } }];
    const issued = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: returned });
    await expect(bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: issued.id })).rejects.toMatchObject({ code: 'invoice.not_issuable' });
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: returned });
    const [before, kept] = await Promise.all([issued.id, draft.id].map(async (id) => (await bed.adapters.invoices.get(bed.tenantId, id))?.toState() as InvoiceState));
    const issuedBefore = before as InvoiceState;
    const stored = [{ ...issuedBefore, status: 'paid', number: `${issuedBefore.series}-000001`, issueDate: issuedBefore.createdAt.toISOString().slice(0, 10), issuedAt: issuedBefore.createdAt } as InvoiceState, kept as InvoiceState];
    expect(stored.map((state) => [state.status, state.totals.amountDue.toString()])).toEqual([
      ['paid', '-12.00'],
      ['draft', '-12.00'],
    ]);
    const ledger = (await bed.adapters.ledger.transactions({ tenantId: bed.tenantId, partnerId: bed.buyer.id, currency: EUR }, { limit: 100 })).items;
    const states: IntegrityStates = {
      partners: [bed.seller, bed.buyer],
      payments: [],
      invoices: stored,
      reservations: [{ tenantId: bed.tenantId, series: stored[0]?.series as string, sequence: Number(stored[0]?.number?.split('-').pop()), documentId: issued.id }],
      ledger,
    };
    expect(await checkIntegrity(new InMemoryIntegrityReader(states))).toMatchObject({ findings: [], clean: true });
  });

  it('finds an invoice whose amount due is below zero with a payment or credit recorded against it: nothing may be settled below zero', () => {
    const negative = { ...consistent(), invoices: [{ ...invoice, amountDue: -1200n }, creditNote] };
    const found = checkTenant(negative).findings.filter((item) => item.code === 'integrity.invoice_overpaid');
    expect(found.map((item) => item.amounts)).toEqual([{ amountDue: '-12.00', paid: '60.00', credited: '40.00' }]);
    // A draft's amounts are checked once it is issued.
    expect(checkTenant({ ...consistent(), payments: [], ledger: [], invoices: [{ ...invoice, status: 'draft', amountDue: -1200n, payments: [], credits: [] }] }).findings).toEqual([]);
  });

  it('finds both sides of an application disagreeing: amounts, a side missing, a credit of another amount', () => {
    const raised = { ...consistent(), payments: [{ ...payment, applications: [{ invoiceId: 'inv-1', amount: 6500n, currency: 'EUR' }], storedUnapplied: 0n }] };
    const found = checkTenant(raised).findings;
    expect(found.map((item) => item.code)).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch']);
    expect(found[0]?.amounts).toEqual({ onPayment: '65.00', onInvoice: '60.00' });
    // An interrupted projection (ADR 0006): the invoice holds the payment, the payment not yet, as the ledger has it.
    expect(codes({ ...consistent(), payments: [{ ...payment, applications: [], storedUnapplied: 6500n }] })).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch']);
    expect(codes({ ...consistent(), invoices: [{ ...invoice, payments: [], credits: invoice.credits }, creditNote] })).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch']);
    expect(codes({ ...consistent(), invoices: [invoice, { ...creditNote, amountDue: 3000n }] })).toEqual(['integrity.application_mismatch']);
    expect(codes({ ...consistent(), invoices: [{ ...invoice, credits: [] }, creditNote] })).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch']);
    // A void the document does not show, and a payment the ledger never received.
    expect(codes({ ...consistent(), invoices: [{ ...invoice, status: 'void' }, creditNote] })).toEqual(['integrity.projection_mismatch']);
    const unrecorded = checkTenant({ ...consistent(), ledger: [] }).findings.filter((item) => item.code === 'integrity.projection_mismatch');
    expect(unrecorded.map((item) => item.message)).toEqual(['payment pay-1 is not in the ledger', 'invoice inv-1 records other amounts or another state than the ledger']);
  });

  it('finds a status its amounts do not allow: settled while owing, owing while settled, paid without a payment (review of 6 December 2026)', () => {
    const withStatus = (status: InvoiceFacts['status'], changes: Partial<InvoiceFacts> = {}) => ({ ...consistent(), invoices: [{ ...invoice, status, ...changes }, creditNote] });
    // Paid 60.00 and credited 40.00 of 100.00: paid or credited (whichever came last), nothing else.
    expect(codes(withStatus('paid'))).toEqual([]);
    expect(codes(withStatus('credited'))).toEqual([]);
    for (const status of ['issued', 'partially_paid', 'uncollectible'] as const) expect([status, codes(withStatus(status))]).toEqual([status, ['integrity.projection_mismatch']]);
    // Owing 100.00 with nothing paid or credited: issued (or written off), never partially paid, paid or credited.
    const owing = (status: InvoiceFacts['status']) => checkTenant({ ...consistent(), payments: [], ledger: [], invoices: [{ ...invoice, status, payments: [], credits: [] }] }).findings.map((found) => found.code);
    expect(owing('issued')).toEqual([]);
    for (const status of ['partially_paid', 'paid', 'credited'] as const) expect([status, owing(status)]).toEqual([status, ['integrity.projection_mismatch']]);
    // Nothing was due at issue: paid at once.
    expect(checkTenant({ ...consistent(), payments: [], ledger: [], invoices: [{ ...invoice, status: 'paid', amountDue: 0n, payments: [], credits: [] }] }).findings).toEqual([]);
  });

  it('finds an invoice written off in the ledger that its document does not show, and one shown written off that the ledger never wrote off (review of 6 December 2026)', () => {
    const due = eur('100.00');
    const transactions = (...lists: Posting[][]): LedgerTransaction[] => {
      let totals = zeroTotals(EUR);
      return lists.map((postings, index) => {
        totals = foldTotals(totals, postings);
        return { tenantId: tenantId('t1'), partnerId: 'buyer' as PartnerId, currency: EUR, seq: index + 1, operationId: `w-${index + 1}`, kind: 'opening', postings, totalsAfter: totals, at: new Date('2026-02-01T10:00:00Z') };
      });
    };
    const writtenOff: Posting = { type: 'written_off', amount: due, invoiceId: 'inv-1' as InvoiceId, invoiceDue: due };
    const owingInvoice = (status: InvoiceFacts['status'], ledgerTransactions: LedgerTransaction[], changes: Partial<InvoiceFacts> = {}) =>
      codes({ ...consistent(), payments: [], ledger: ledgerTransactions, invoices: [{ ...invoice, status, payments: [], credits: [], ...changes }] });
    // A write-off appended, its document not saved: the invoice still shows as owed in aging, balances and reports.
    expect(owingInvoice('issued', transactions([writtenOff]))).toEqual(['integrity.projection_mismatch']);
    expect(owingInvoice('uncollectible', transactions([writtenOff]))).toEqual([]);
    expect(owingInvoice('uncollectible', [])).toEqual(['integrity.projection_mismatch']);
    // Reversed in part by a payment of 30.00 that came after: still written off for the rest, and partly paid.
    const paid: Posting[] = [
      { type: 'received', amount: eur('30.00'), paymentId: 'pay-9' as PaymentId, receivedOn: '2026-02-02' as never },
      { type: 'write_off_reversed', amount: eur('30.00'), invoiceId: 'inv-1' as InvoiceId, invoiceDue: due },
      { type: 'applied', amount: eur('30.00'), paymentId: 'pay-9' as PaymentId, invoiceId: 'inv-1' as InvoiceId, invoiceDue: due, appliedOn: '2026-02-02' as never },
    ];
    const partly = { payments: [{ paymentId: 'pay-9', amount: 3000n, currency: 'EUR' }] };
    const payment9: PaymentFacts = { id: 'pay-9', partnerId: 'buyer', currency: 'EUR', amount: 3000n, applications: [{ invoiceId: 'inv-1', amount: 3000n, currency: 'EUR' }], refunds: [], storedUnapplied: 0n };
    const withPayment = (status: InvoiceFacts['status']) =>
      codes({ ...consistent(), payments: [payment9], ledger: transactions([writtenOff], paid), invoices: [{ ...invoice, status, credits: [], ...partly }] });
    expect(withPayment('uncollectible')).toEqual([]);
    expect(withPayment('partially_paid')).toEqual(['integrity.projection_mismatch']);
  });

  it('finds a number held twice, a number reserved for a document that does not hold it, and one never reserved', () => {
    const twice = { ...consistent(), invoices: [invoice, { ...creditNote, number: 'INV-000001' }] };
    expect(codes(twice)).toEqual(['integrity.number_duplicate', 'integrity.number_gap', 'integrity.number_unreserved']);
    const gap = { ...consistent(), reservations: [...consistent().reservations, { series: 'INV', sequence: 3, documentId: 'inv-1' }] };
    expect(checkTenant(gap).findings.map((item) => [item.code, item.ids['number']])).toEqual([
      ['integrity.number_gap', 'INV-000002'],
      ['integrity.number_gap', 'INV-000003'],
    ]);
    const unreserved = { ...consistent(), reservations: consistent().reservations.filter((item) => item.series !== 'CN') };
    expect(codes(unreserved)).toEqual(['integrity.number_unreserved']);
  });

  it('reports the numbers missing below a reservation as far off as 10^12 as one range, at once (review of 6 December 2026: a loop per number)', () => {
    const far = { ...consistent(), reservations: [...consistent().reservations, { series: 'INV', sequence: 1_000_000_000_000, documentId: 'inv-9' }] };
    const found = checkTenant(far).findings.filter((item) => item.code === 'integrity.number_gap');
    expect(found.map((item) => [item.ids['number'], item.ids['to'], item.ids['missing']])).toEqual([['INV-000002', 'INV-999999999999', 999_999_999_998]]);
  });

  it('finds a number reserved twice, for two documents (past the unique index: a restore, a hand edit)', () => {
    const twice = { ...consistent(), reservations: [...consistent().reservations, { series: 'INV', sequence: 1, documentId: 'inv-9' }] };
    const found = checkTenant(twice).findings.filter((item) => item.code === 'integrity.number_duplicate');
    expect(found.map((item) => [item.ids['number'], item.ids['documentIds']])).toEqual([['INV-000001', 'inv-1,inv-9']]);
  });

  it('reports a document the reader could not read, and checks the rest', () => {
    const found = checkTenant({ ...consistent(), unreadable: [{ collection: 'invoices', id: 't1/inv-7', message: 'stored format 9 is not one this version reads' }] }).findings;
    expect(found.map((item) => [item.code, item.ids['collection'], item.ids['documentId']])).toEqual([['integrity.unreadable_document', 'invoices', 't1/inv-7']]);
  });

  it('counts a number an imported document took out of a series as held: no gap at it, none for imported numbers above the series', () => {
    const importedAt = (id: string, number: string) => ({ ...invoice, id, number, imported: true as const, payments: [], credits: [], amountDue: 0n });
    const platform = { ...invoice, id: 'inv-3', number: 'INV-000003', payments: [], credits: [], amountDue: 0n };
    const snapshot = {
      ...consistent(),
      invoices: [invoice, creditNote, importedAt('imp-2', 'INV-000002'), platform, importedAt('imp-9', 'INV-000009')],
      reservations: [
        ...consistent().reservations,
        { series: 'INV', sequence: 2, documentId: importedHolder('INV', 2) },
        { series: 'INV', sequence: 3, documentId: 'inv-3' },
        { series: 'INV', sequence: 9, documentId: importedHolder('INV', 9) },
      ],
    };
    const result = checkTenant(snapshot);
    expect(result.findings.filter((item) => item.code.startsWith('integrity.number'))).toEqual([]);
    expect(result.notes).toEqual([]);
    // An import that claimed number 2 and stopped before storing its invoice: a note, until it is run again.
    const stopped = checkTenant({ ...snapshot, invoices: snapshot.invoices.filter((item) => item.id !== 'imp-2') });
    expect(stopped.findings.filter((item) => item.code.startsWith('integrity.number'))).toEqual([]);
    expect(stopped.notes.map((item) => item.ids['number'])).toEqual(['INV-000002']);
  });

  it('finds an imported document that holds a number of a series of ours without having taken it out of the series (audit E3)', () => {
    const importedAt = (id: string, number: string) => ({ ...invoice, id, number, imported: true as const, payments: [], credits: [], amountDue: 0n });
    // A forged "import" of INV-000004: nothing stops the series from giving that number to a document of ours later.
    const forged = checkTenant({ ...consistent(), invoices: [...consistent().invoices, importedAt('imp-4', 'INV-000004')] });
    expect(forged.findings.map((item) => [item.code, item.ids['documentId'], item.ids['number']])).toEqual([['integrity.number_unreserved', 'imp-4', 'INV-000004']]);
    // Held by another claim's holder, or reserved for a document of ours: not its claim either.
    const elsewhere = checkTenant({
      ...consistent(),
      invoices: [...consistent().invoices, importedAt('imp-4', 'INV-000004')],
      reservations: [...consistent().reservations, { series: 'INV', sequence: 4, documentId: 'inv-4' }],
    });
    expect(elsewhere.findings.map((item) => [item.code, item.ids['documentId']])).toContainEqual(['integrity.number_unreserved', 'imp-4']);
    // A number no series of ours can give (another system's format) needs no claim.
    for (const number of ['AR-1001', '2025/17', 'INV-00004', 'inv-000004']) {
      expect(checkTenant({ ...consistent(), invoices: [...consistent().invoices, importedAt('imp-x', number)] }).findings).toEqual([]);
    }
  });

  it('checks a series of 150,000 numbers and a ledger account of 20,000 transactions without running out of stack or time', () => {
    const count = 150_000;
    const invoices = Array.from({ length: count }, (_, index) => ({ ...invoice, id: `inv-${index}`, number: `INV-${String(index + 1).padStart(6, '0')}`, payments: [], credits: [] }));
    const reservations = invoices.map((item, index) => ({ series: 'INV', sequence: index + 1, documentId: item.id }));
    const [first, second] = ledger() as [LedgerTransaction, LedgerTransaction];
    let totals = first.totalsAfter;
    const received = (index: number): Posting => ({ type: 'received', amount: eur('0.01'), paymentId: `p-${index}` as PaymentId, receivedOn: '2026-01-20' as never });
    const transactions = [first, ...Array.from({ length: 20_000 }, (_, index) => ({ ...second, seq: index + 2, postings: [received(index)] }))].map((transaction) => {
      if (transaction.seq === 1) return transaction;
      totals = foldTotals(totals, transaction.postings);
      return { ...transaction, totalsAfter: totals };
    });
    const snapshot = { ...consistent(), payments: [{ ...payment, applications: [], refunds: [], storedUnapplied: undefined }], invoices, reservations, ledger: transactions };
    const started = Date.now();
    // Only the ledger and numbering checks are at stake here: the documents of these postings are not part of the snapshot.
    expect(checkTenant(snapshot).findings.filter((item) => item.code !== 'integrity.dangling_reference' && item.code !== 'integrity.projection_mismatch')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('notes, without a finding, a number reserved for a document never stored: the refused credit note of ADR 0006', () => {
    const refused = { ...consistent(), reservations: [...consistent().reservations, { series: 'CN', sequence: 2, documentId: 'never-stored' }] };
    const result = checkTenant(refused);
    expect(result.findings).toEqual([]);
    expect(result.notes.map((note) => [note.code, note.ids['number']])).toEqual([['integrity.number_gap_refused_credit_note', 'CN-000002']]);
  });

  it('finds, rather than notes, a number reserved for a credit note never stored whose credit the ledger holds (review of 6 December 2026)', () => {
    const base = consistent();
    const credited: Posting = { type: 'credited', amount: eur('10.00'), creditNoteId: 'cn-lost' as InvoiceId, creditNoteNumber: 'CN-000002', invoiceId: 'inv-other' as InvoiceId, invoiceDue: eur('50.00'), creditedOn: '2026-01-22' as never };
    const last = base.ledger.at(-1) as LedgerTransaction;
    const ledger = [...base.ledger, { ...last, seq: last.seq + 1, operationId: 'op-lost', kind: 'credit_note' as const, postings: [credited], totalsAfter: foldTotals(last.totalsAfter, [credited]) }];
    const lost = { ...base, ledger, reservations: [...base.reservations, { series: 'CN', sequence: 2, documentId: 'cn-lost' }] };
    const result = checkTenant(lost);
    expect(result.notes).toEqual([]);
    expect(result.findings.filter((item) => item.code === 'integrity.number_gap').map((item) => [item.ids['number'], item.ids['documentId']])).toEqual([['CN-000002', 'cn-lost']]);
  });

  it('finds references to what does not exist', () => {
    expect(codes({ ...consistent(), partnerIds: new Set(['seller']) }).every((code) => code === 'integrity.dangling_reference')).toBe(true);
    expect(checkTenant({ ...consistent(), partnerIds: new Set(['seller']) }).findings.map((item) => item.ids)).toEqual([
      { paymentId: 'pay-1', partnerId: 'buyer' },
      { invoiceId: 'inv-1', buyerId: 'buyer' },
      { invoiceId: 'cn-1', buyerId: 'buyer' },
      { partnerId: 'buyer', currency: 'EUR', seq: 1 },
      { partnerId: 'buyer', currency: 'EUR', seq: 2 },
    ]);
    const withoutPayment = { ...consistent(), payments: [] };
    expect(checkTenant(withoutPayment).findings.map((item) => item.ids)).toEqual([
      { invoiceId: 'inv-1', paymentId: 'pay-1' },
      { partnerId: 'buyer', currency: 'EUR', seq: 1, paymentId: 'pay-1' },
      { partnerId: 'buyer', currency: 'EUR', seq: 1, paymentId: 'pay-1' },
      { partnerId: 'buyer', currency: 'EUR', seq: 2, paymentId: 'pay-1' },
    ]);
    // The credit note is gone: the invoice's credit and the ledger's credited posting name it.
    expect(codes({ ...consistent(), invoices: [invoice], reservations: consistent().reservations.filter((item) => item.series === 'INV') })).toEqual([
      'integrity.dangling_reference',
      'integrity.dangling_reference',
    ]);
    expect(codes({ ...consistent(), payments: [{ ...payment, applications: [...payment.applications, { invoiceId: 'gone', amount: 100n, currency: 'EUR' }], storedUnapplied: 400n }] })).toEqual([
      'integrity.dangling_reference',
      'integrity.projection_mismatch',
    ]);
  });

  it('finds ledger totals that are not the fold of the postings, a seq gap, an overdrawn payment, an overpaid invoice, a foreign posting and a payment in two accounts', () => {
    // The ledger's own checks; the documents, left as they were, differ from these ledgers too (checked above).
    const ledgerFindings = (snapshot: TenantSnapshot) => checkTenant(snapshot).findings.filter((item) => item.code !== 'integrity.projection_mismatch');
    const ledgerCodes = (snapshot: TenantSnapshot) => ledgerFindings(snapshot).map((item) => item.code);
    const [first, second] = ledger() as [LedgerTransaction, LedgerTransaction];
    const wrongHead = { ...second, totalsAfter: { ...second.totalsAfter, unapplied: eur('9.00') } };
    const found = ledgerFindings({ ...consistent(), ledger: [first, wrongHead] });
    expect(found.map((item) => item.code)).toEqual(['integrity.ledger_totals_mismatch']);
    expect(found[0]?.amounts).toEqual({ unappliedStored: '9.00', unappliedFolded: '5.00' });
    expect(ledgerCodes({ ...consistent(), ledger: [first, { ...second, seq: 3 }] })).toEqual(['integrity.ledger_seq_gap']);
    // A transaction stored twice: the repeat breaks the seqs, the totals after it, and applies 60.00 twice to an invoice of 100.00.
    expect(ledgerCodes({ ...consistent(), ledger: [first, first, second] })).toEqual(['integrity.ledger_seq_gap', 'integrity.ledger_totals_mismatch', 'integrity.ledger_invoice_overpaid', 'integrity.ledger_totals_mismatch']);
    const overdrawn = { ...second, postings: [{ ...(second.postings[0] as Posting), amount: eur('10.01') }], totalsAfter: foldTotals(first.totalsAfter, [{ ...(second.postings[0] as Posting), amount: eur('10.01') }]) };
    const drawn = ledgerFindings({ ...consistent(), ledger: [first, overdrawn] });
    expect(drawn.map((item) => item.code)).toEqual(['integrity.ledger_payment_overdrawn']);
    expect(drawn[0]?.amounts).toEqual({ received: '70.00', appliedAndRefunded: '70.01' });
    const settled = [{ type: 'credited' as const, amount: eur('40.01'), creditNoteId: 'cn-1' as InvoiceId, creditNoteNumber: 'CN-1', invoiceId: 'inv-1' as InvoiceId, invoiceDue: eur('100.00'), creditedOn: '2026-01-22' as never }];
    const overpaid = { ...second, postings: settled, totalsAfter: foldTotals(first.totalsAfter, settled) };
    const paid = ledgerFindings({ ...consistent(), ledger: [first, overpaid] });
    expect(paid.map((item) => item.code)).toEqual(['integrity.ledger_invoice_overpaid']);
    expect(paid[0]?.amounts).toEqual({ amountDue: '100.00', settled: '140.01' });
    const foreign = { ...second, postings: [{ type: 'refunded' as const, amount: Money.of('5.00', 'USD' as CurrencyCode), paymentId: 'pay-1' as PaymentId, refundId: 'ref-1' as RefundId, refundedOn: '2026-01-21' as never }] };
    expect(ledgerCodes({ ...consistent(), ledger: [first, foreign] })).toEqual(['integrity.ledger_currency_mismatch']);
    const elsewhere = { ...first, partnerId: 'seller' as PartnerId };
    expect(ledgerCodes({ ...consistent(), ledger: [first, second, elsewhere] })).toEqual(['integrity.ledger_payment_in_two_accounts']);
  });

  it('checks a tenant seeded through the use cases, read in batches through the in-memory reader, and only the tenant asked for', async () => {
    const bed = await createScenario();
    const drafts = [];
    for (const quantity of ['2', '1']) {
      drafts.push(await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity }] }));
    }
    const [a, b] = await Promise.all(drafts.map((draft) => bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id })));
    const note = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: (b as { id: InvoiceId }).id, reason: 'returned' });
    const paid = await bed.use(RecordPayment).execute({
      tenantId: bed.tenantId,
      partnerId: bed.buyer.id,
      amount: a?.totals.amountDue.add(eur('10.00')).toString() as string,
      currency: 'EUR',
      receivedOn: '2026-01-20',
    });
    await bed.use(RefundCredit).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '4.00', currency: 'EUR', refundedOn: '2026-01-21' });
    const invoices = await Promise.all([a, b, note].map((state) => bed.adapters.invoices.get(bed.tenantId, (state as { id: InvoiceId }).id)));
    const payments = [(await bed.adapters.payments.get(bed.tenantId, paid.id))?.toState() as PaymentState];
    const documents = {
      partners: [bed.seller, bed.buyer],
      payments,
      invoices: invoices.map((stored) => stored?.toState() as InvoiceState),
      reservations: invoices.map((stored) => ({ tenantId: bed.tenantId, series: stored?.toState().series as string, sequence: Number(stored?.number?.split('-').pop()), documentId: stored?.id as string })),
    };
    const ledger = (await bed.adapters.ledger.transactions({ tenantId: bed.tenantId, partnerId: bed.buyer.id, currency: EUR }, { limit: 100 })).items;
    expect(ledger.map((transaction) => transaction.kind)).toEqual(['credit_note', 'payment', 'refund']);
    const states = { ...documents, ledger };
    const report = await checkIntegrity(new InMemoryIntegrityReader(states, 1));
    expect(report).toMatchObject({ tenants: [bed.tenantId], findings: [], notes: [], clean: true });
    expect(report.accounts).toMatchObject([{ partnerId: bed.buyer.id, currency: 'EUR', refunded: '4.00', unapplied: '6.00', balanced: true }]);

    const raised = payments[0] as PaymentState;
    const corrupted: IntegrityStates = { ...states, payments: [{ ...raised, applications: raised.applications.map((part) => ({ ...part, amount: part.amount.add(eur('1.00')) })) }] };
    const other: IntegrityStates = { ...corrupted, partners: [...(states.partners as NonNullable<IntegrityStates['partners']>), { tenantId: tenantId('other'), id: 'x' as PartnerId }] };
    const onlyOne = await checkIntegrity(new InMemoryIntegrityReader(other), { tenantId: bed.tenantId });
    expect(onlyOne.tenants).toEqual([bed.tenantId]);
    expect(onlyOne.findings.map((item) => item.code)).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch']);
    expect((await checkIntegrity(new InMemoryIntegrityReader(other))).tenants).toEqual(['other', bed.tenantId].sort());
  });
});

describe('the invariant checker, once credit notes take back what was paid (account credit)', () => {
  const post = postingsIn({ currency: EUR });
  const [pay1, pay2] = ['pay-1', 'pay-2'] as [PaymentId, PaymentId];
  const [inv1, inv2, cn1, cn2] = ['inv-1', 'inv-2', 'cn-1', 'cn-2'] as [InvoiceId, InvoiceId, InvoiceId, InvoiceId];

  /** Transactions of the buyer's EUR account, numbered from 1, with the totals their postings fold to. */
  function account(...lists: [LedgerTransactionKind, Posting[]][]): LedgerTransaction[] {
    let totals = zeroTotals(EUR);
    return lists.map(([kind, postings], index) => {
      totals = foldTotals(totals, postings);
      return { tenantId: tenantId('t1'), partnerId: 'buyer' as PartnerId, currency: EUR, seq: index + 1, operationId: `r-${index + 1}`, kind, postings, totalsAfter: totals, at: new Date('2026-02-01T10:00:00Z') };
    });
  }

  const paying: [LedgerTransactionKind, Posting[]][] = [
    ['payment', [post.received(pay1, '110.00'), post.applied(pay1, inv1, '60.00', '100.00'), post.applied(pay1, inv2, '50.00', '50.00')]],
    ['payment', [post.received(pay2, '40.00'), post.applied(pay2, inv1, '40.00', '100.00')]],
  ];
  const creditingInv1: [LedgerTransactionKind, Posting[]] = ['credit_note', [post.applicationReturned(pay2, inv1, cn1, '30.00', '100.00'), post.credited(cn1, inv1, '30.00', '100.00')]];
  const creditingInv2: [LedgerTransactionKind, Posting[]] = ['credit_note', [post.applicationReturned(pay1, inv2, cn2, '50.00', '50.00'), post.credited(cn2, inv2, '50.00', '50.00')]];
  const refunding: [LedgerTransactionKind, Posting[]] = ['refund', [post.refunded(pay1, '20.00', 'ref-1' as RefundId)]];

  const paidThenCredited: InvoiceFacts = {
    ...invoice,
    payments: [
      { paymentId: 'pay-1', amount: 6000n, currency: 'EUR' },
      { paymentId: 'pay-2', amount: 4000n, currency: 'EUR' },
    ],
    credits: [{ creditNoteId: 'cn-1', amount: 3000n, currency: 'EUR', paymentsReturned: [{ paymentId: 'pay-2', amount: 3000n, currency: 'EUR' }] }],
  };
  const creditedInFull: InvoiceFacts = {
    ...invoice,
    id: 'inv-2',
    number: 'INV-000002',
    status: 'credited',
    amountDue: 5000n,
    payments: [{ paymentId: 'pay-1', amount: 5000n, currency: 'EUR' }],
    credits: [{ creditNoteId: 'cn-2', amount: 5000n, currency: 'EUR', paymentsReturned: [{ paymentId: 'pay-1', amount: 5000n, currency: 'EUR' }] }],
  };
  const note1: InvoiceFacts = { ...creditNote, amountDue: 3000n };
  const note2: InvoiceFacts = { ...creditNote, id: 'cn-2', number: 'CN-000002', amountDue: 5000n, precedingInvoiceId: 'inv-2' };
  const payment1: PaymentFacts = {
    id: 'pay-1',
    partnerId: 'buyer',
    currency: 'EUR',
    amount: 11000n,
    applications: [
      { invoiceId: 'inv-1', amount: 6000n, currency: 'EUR' },
      { invoiceId: 'inv-2', amount: 5000n, currency: 'EUR' },
    ],
    returns: [{ invoiceId: 'inv-2', creditNoteId: 'cn-2', amount: 5000n, currency: 'EUR' }],
    refunds: [{ refundId: 'ref-1', amount: 2000n, currency: 'EUR' }],
    storedUnapplied: 3000n,
  };
  const payment2: PaymentFacts = {
    id: 'pay-2',
    partnerId: 'buyer',
    currency: 'EUR',
    amount: 4000n,
    applications: [{ invoiceId: 'inv-1', amount: 4000n, currency: 'EUR' }],
    returns: [{ invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: 3000n, currency: 'EUR' }],
    refunds: [],
    storedUnapplied: 3000n,
  };

  /**
   * inv-1 (100.00) paid 60.00 by pay-1 and 40.00 by pay-2, then credited 30.00 by cn-1, taken back from pay-2 (the
   * last applied): still paid. inv-2 (50.00) paid by pay-1, then credited in full by cn-2: credited. pay-1 refunded
   * 20.00 of what came back to it.
   */
  function returned(): TenantSnapshot {
    return {
      tenantId: 't1',
      partnerIds: new Set(['seller', 'buyer']),
      payments: [payment1, payment2],
      invoices: [paidThenCredited, creditedInFull, note1, note2],
      reservations: [
        { series: 'INV', sequence: 1, documentId: 'inv-1' },
        { series: 'INV', sequence: 2, documentId: 'inv-2' },
        { series: 'CN', sequence: 1, documentId: 'cn-1' },
        { series: 'CN', sequence: 2, documentId: 'cn-2' },
      ],
      ledger: account(...paying, creditingInv1, creditingInv2, refunding),
    };
  }
  const withPayment = (changed: PaymentFacts): TenantSnapshot => ({ ...returned(), payments: returned().payments.map((each) => (each.id === changed.id ? changed : each)) });
  const withInvoice = (changed: InvoiceFacts): TenantSnapshot => ({ ...returned(), invoices: returned().invoices.map((each) => (each.id === changed.id ? changed : each)) });
  const withCredit = (changes: Partial<InvoiceFacts['credits'][number]>): TenantSnapshot => withInvoice({ ...paidThenCredited, credits: [{ ...(paidThenCredited.credits[0] as InvoiceFacts['credits'][number]), ...changes }] });
  const ledgerCodes = (snapshot: TenantSnapshot) => codes(snapshot).filter((code) => code !== 'integrity.projection_mismatch');

  it('finds nothing in a tenant whose paid invoices were credited in part and in full, and counts what came back as unapplied credit', () => {
    const result = checkTenant(returned());
    expect(result.findings).toEqual([]);
    // Applied is net of what came back: 150.00 received = 70.00 applied + 60.00 unapplied + 20.00 refunded.
    expect(result.accounts).toEqual([{ tenantId: 't1', partnerId: 'buyer', currency: 'EUR', payments: 2, received: '150.00', applied: '70.00', refunded: '20.00', unapplied: '60.00', balanced: true }]);
  });

  it('finds nothing in a tenant seeded through the use cases: paid invoices credited in part and in full, the credit refunded and applied again', async () => {
    const bed = await createScenario();
    const issued = async (quantity: string) => {
      const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity }] });
      return bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id });
    };
    const pay = (amount: string, invoiceId: InvoiceId) => bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount, currency: 'EUR', receivedOn: '2026-03-10', applyTo: [invoiceId] });
    // a: 2 days (1,920.00) paid 1,000.00 then 920.00, then 1 day credited: 920.00 comes back to the second payment, 40.00 to the first.
    const a = await issued('2');
    const [p1, p2] = [await pay('1000.00', a.id), await pay('920.00', a.id)];
    const partly = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: a.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    // b: 1 day paid, then credited in full: all of it comes back, applied to c, and 100.00 of the account's credit refunded.
    const b = await issued('1');
    const p3 = await pay('960.00', b.id);
    const whole = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: b.id });
    const c = await issued('1');
    await bed.use(ApplyPayment).execute({ tenantId: bed.tenantId, paymentId: p3.id, applyTo: [c.id] });
    await bed.use(RefundCredit).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '100.00', currency: 'EUR', refundedOn: '2026-03-11' });

    const invoices = await Promise.all([a, b, c, partly, whole].map(async (state) => (await bed.adapters.invoices.get(bed.tenantId, state.id))?.toState() as InvoiceState));
    const payments = await Promise.all([p1, p2, p3].map(async (state) => (await bed.adapters.payments.get(bed.tenantId, state.id))?.toState() as PaymentState));
    expect(invoices.slice(0, 3).map((state) => state.status)).toEqual(['paid', 'credited', 'paid']);
    // What the checker reads of them carries what the credits took back.
    expect(paymentFacts(payments[1] as PaymentState).returns).toEqual([{ invoiceId: a.id, creditNoteId: partly.id, amount: 92000n, currency: 'EUR' }]);
    expect(invoiceFacts(invoices[0] as InvoiceState).credits).toEqual([
      {
        creditNoteId: partly.id,
        amount: 96000n,
        currency: 'EUR',
        paymentsReturned: [
          { paymentId: p2.id, amount: 92000n, currency: 'EUR' },
          { paymentId: p1.id, amount: 4000n, currency: 'EUR' },
        ],
      },
    ]);
    const ledger = (await bed.adapters.ledger.transactions({ tenantId: bed.tenantId, partnerId: bed.buyer.id, currency: EUR }, { limit: 100 })).items;
    const states: IntegrityStates = {
      partners: [bed.seller, bed.buyer],
      payments,
      invoices,
      reservations: invoices.map((state) => ({ tenantId: bed.tenantId, series: state.series, sequence: Number(state.number?.split('-').pop()), documentId: state.id })),
      ledger,
    };
    const report = await checkIntegrity(new InMemoryIntegrityReader(states));
    expect(report).toMatchObject({ findings: [], notes: [], clean: true });
    // 2,880.00 received = 1,920.00 applied (960.00 on a, 960.00 on c) + 860.00 unapplied + 100.00 refunded.
    expect(report.accounts).toMatchObject([{ received: '2880.00', applied: '1920.00', unapplied: '860.00', refunded: '100.00', balanced: true }]);
  });

  it('finds a payment whose stored unapplied amount leaves out what came back to it, or whose return is above what it applied to that invoice or in another currency', () => {
    // Stored as received − applied − refunded: 0.00, where 30.00 came back.
    expect(codes(withPayment({ ...payment2, storedUnapplied: 0n }))).toEqual(['integrity.payment_unbalanced']);
    const above = withPayment({ ...payment2, returns: [{ invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: 4001n, currency: 'EUR' }], storedUnapplied: 4001n });
    expect(checkPayments(above)).toEqual([
      expect.objectContaining({ code: 'integrity.payment_unbalanced', ids: { paymentId: 'pay-2', partnerId: 'buyer', invoiceId: 'inv-1' }, amounts: { appliedToInvoice: '40.00', returnedFromInvoice: '40.01' } }),
    ]);
    // Its counterparts and the ledger say 30.00.
    expect(codes(above)).toEqual(['integrity.payment_unbalanced', 'integrity.application_mismatch', 'integrity.projection_mismatch']);
    expect(codes(withPayment({ ...payment2, returns: [{ invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: 3000n, currency: 'USD' }] }))).toEqual(['integrity.payment_unbalanced']);
  });

  it('finds an invoice whose credit does not say what it took back: then it is paid and credited above its amount due', () => {
    const forgotten = withCredit({ paymentsReturned: undefined });
    expect(codes(forgotten)).toEqual(['integrity.invoice_overpaid', 'integrity.application_mismatch', 'integrity.projection_mismatch']);
    expect(checkTenant(forgotten).findings[0]?.amounts).toEqual({ amountDue: '100.00', paid: '100.00', credited: '30.00' });
    // Said, in another currency.
    expect(codes(withCredit({ paymentsReturned: [{ paymentId: 'pay-2', amount: 3000n, currency: 'USD' }] }))).toEqual(['integrity.invoice_overpaid']);
  });

  it('finds a return the payment and the credit record differently: another amount, another payment, another credit note, one side only', () => {
    const lower = withPayment({ ...payment2, returns: [{ invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: 2000n, currency: 'EUR' }], storedUnapplied: 2000n });
    const found = checkTenant(lower).findings;
    expect(found.map((item) => item.code)).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch']);
    expect(found[0]).toMatchObject({ ids: { paymentId: 'pay-2', invoiceId: 'inv-1', creditNoteId: 'cn-1' }, amounts: { onPayment: '20.00', onInvoice: '30.00' } });
    expect(found[1]?.amounts).toMatchObject({ returnedStored: '20.00', returnedLedger: '30.00' });
    // The payment does not record it: an interrupted projection (its credit note's ledger entry holds it).
    expect(codes(withPayment({ ...payment2, returns: undefined, storedUnapplied: 0n }))).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch']);
    // The credit says it took back from pay-1; pay-2 says it gave back.
    const otherPayment = checkTenant(withCredit({ paymentsReturned: [{ paymentId: 'pay-1', amount: 3000n, currency: 'EUR' }] })).findings;
    expect(otherPayment.map((item) => [item.code, item.ids['paymentId']])).toEqual([
      ['integrity.application_mismatch', 'pay-2'],
      ['integrity.application_mismatch', 'pay-1'],
    ]);
    const otherNote = withPayment({ ...payment2, returns: [{ invoiceId: 'inv-1', creditNoteId: 'cn-2', amount: 3000n, currency: 'EUR' }] });
    expect(checkTenant(otherNote).findings.map((item) => [item.code, item.ids['creditNoteId']])).toEqual([
      ['integrity.application_mismatch', 'cn-2'],
      ['integrity.application_mismatch', 'cn-1'],
    ]);
  });

  it('finds a credit that takes back more than it credits, though the payment agrees', () => {
    const more = {
      ...withCredit({ paymentsReturned: [{ paymentId: 'pay-2', amount: 4000n, currency: 'EUR' }] }),
      payments: [payment1, { ...payment2, returns: [{ invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: 4000n, currency: 'EUR' }], storedUnapplied: 4000n }],
    };
    const found = checkTenant(more).findings;
    // Both documents agree with each other, not with the ledger.
    expect(found.map((item) => item.code)).toEqual(['integrity.application_mismatch', 'integrity.projection_mismatch', 'integrity.projection_mismatch']);
    expect(found[0]).toMatchObject({ ids: { invoiceId: 'inv-1', creditNoteId: 'cn-1' }, amounts: { credited: '30.00', returned: '40.00' } });
  });

  it('finds a return naming a credit note or a payment that does not exist', () => {
    const dangling = (snapshot: TenantSnapshot) => checkTenant(snapshot).findings.filter((item) => item.code === 'integrity.dangling_reference').map((item) => item.ids);
    expect(dangling(withPayment({ ...payment2, returns: [{ invoiceId: 'inv-1', creditNoteId: 'cn-9', amount: 3000n, currency: 'EUR' }] }))).toEqual([{ paymentId: 'pay-2', invoiceId: 'inv-1', creditNoteId: 'cn-9' }]);
    expect(dangling(withCredit({ paymentsReturned: [{ paymentId: 'pay-9', amount: 3000n, currency: 'EUR' }] }))).toEqual([{ invoiceId: 'inv-1', creditNoteId: 'cn-1', paymentId: 'pay-9' }]);
  });

  it('allows paid or credited after a credit that took back part, and only credited once nothing stays paid', () => {
    expect(codes(withInvoice({ ...paidThenCredited, status: 'credited' }))).toEqual([]);
    expect(codes(withInvoice({ ...paidThenCredited, status: 'partially_paid' }))).toEqual(['integrity.projection_mismatch']);
    const stillPaid = checkTenant(withInvoice({ ...creditedInFull, status: 'paid' })).findings;
    expect(stillPaid.map((item) => [item.code, item.message])).toEqual([['integrity.projection_mismatch', 'invoice inv-2 is paid, which its amounts do not allow: nothing was paid']]);
  });

  it('finds in the ledger a return without its credit, one above the credit, one beyond what the payment paid the invoice, and one while the invoice owes', () => {
    // The credit in a transaction of its own, after the return.
    const apart = { ...returned(), ledger: account(...paying, ['credit_note', [creditingInv1[1][0] as Posting]], ['credit_note', [creditingInv1[1][1] as Posting]], creditingInv2, refunding) };
    const found = checkTenant(apart).findings;
    expect(found.map((item) => item.code)).toEqual(['integrity.ledger_return_without_credit']);
    expect(found[0]?.ids).toMatchObject({ seq: 3, paymentId: 'pay-2', invoiceId: 'inv-1', creditNoteId: 'cn-1' });
    // 40.00 taken back for a credit of 30.00.
    const above = { ...returned(), ledger: account(...paying, ['credit_note', [post.applicationReturned(pay2, inv1, cn1, '40.00', '100.00'), post.credited(cn1, inv1, '30.00', '100.00')]], creditingInv2, refunding) };
    expect(ledgerCodes(above)).toEqual(['integrity.ledger_return_without_credit']);
    // 50.00 taken back from pay-2, which paid 40.00 of inv-1 (pay-1 paid the rest).
    const beyond = { ...returned(), ledger: account(...paying, ['credit_note', [post.applicationReturned(pay2, inv1, cn1, '50.00', '100.00'), post.credited(cn1, inv1, '50.00', '100.00')]], creditingInv2, refunding) };
    const exceeded = checkTenant(beyond).findings.filter((item) => item.code !== 'integrity.projection_mismatch');
    expect(exceeded.map((item) => item.code)).toEqual(['integrity.ledger_return_exceeded']);
    expect(exceeded[0]).toMatchObject({ ids: { seq: 3, paymentId: 'pay-2', invoiceId: 'inv-1' }, amounts: { applied: '40.00', returned: '50.00' } });
    // pay-2 paid 30.00 of inv-1, which owed 10.00: a credit of 10.00 takes that, never 10.00 back from pay-2.
    const owing: [LedgerTransactionKind, Posting[]][] = [paying[0] as [LedgerTransactionKind, Posting[]], ['payment', [post.received(pay2, '40.00'), post.applied(pay2, inv1, '30.00', '100.00')]]];
    const whileOwed = { ...returned(), ledger: account(...owing, ['credit_note', [post.applicationReturned(pay2, inv1, cn1, '10.00', '100.00'), post.credited(cn1, inv1, '10.00', '100.00')]], creditingInv2, refunding) };
    const owed = checkTenant(whileOwed).findings.filter((item) => item.code !== 'integrity.projection_mismatch');
    expect(owed.map((item) => item.code)).toEqual(['integrity.ledger_return_while_owed']);
    expect(owed[0]).toMatchObject({ ids: { seq: 3, invoiceId: 'inv-1' }, amounts: { amountDue: '100.00', settled: '90.00' } });
  });

  it('counts what came back in the ledger: a payment drawn again above it, an invoice credited above what was taken back, totals that do not take it off applied', () => {
    // pay-1 got 50.00 back; a refund of 50.01 (20.00 + 30.01) draws more than it received, though the account keeps credit.
    const overdrawn = { ...returned(), ledger: account(...paying, creditingInv1, creditingInv2, refunding, ['refund', [post.refunded(pay1, '30.01', 'ref-2' as RefundId)]]) };
    const drawn = checkTenant(overdrawn).findings.filter((item) => item.code !== 'integrity.projection_mismatch' && item.code !== 'integrity.dangling_reference');
    expect(drawn.map((item) => item.code)).toEqual(['integrity.ledger_payment_overdrawn']);
    expect(drawn[0]?.amounts).toEqual({ received: '110.00', appliedAndRefunded: '110.01' });
    // Credited 30.01 of an invoice paid 100.00, of which 30.00 was taken back.
    const overpaid = { ...returned(), ledger: account(...paying, ['credit_note', [creditingInv1[1][0] as Posting, post.credited(cn1, inv1, '30.01', '100.00')]], creditingInv2, refunding) };
    const settled = checkTenant(overpaid).findings.filter((item) => item.code !== 'integrity.projection_mismatch');
    expect(settled.map((item) => item.code)).toEqual(['integrity.ledger_invoice_overpaid']);
    expect(settled[0]?.amounts).toEqual({ amountDue: '100.00', settled: '100.01' });
    // Totals stored as if the return had applied nothing back.
    const ledger = returned().ledger;
    const third = ledger[2] as LedgerTransaction;
    const stale = [...ledger.slice(0, 2), { ...third, totalsAfter: { ...third.totalsAfter, applied: (ledger[1] as LedgerTransaction).totalsAfter.applied, unapplied: eur('0.00') } }, ...ledger.slice(3)];
    const totals = checkTenant({ ...returned(), ledger: stale }).findings;
    expect(totals.map((item) => item.code)).toEqual(['integrity.ledger_totals_mismatch']);
    expect(totals[0]?.amounts).toEqual({ appliedStored: '150.00', appliedFolded: '120.00', unappliedStored: '0.00', unappliedFolded: '30.00' });
  });

  it('finds documents that hold a return the ledger does not, as a projection mismatch', () => {
    // The credit note's transaction without its return: the ledger credits 30.00 of an invoice it holds paid 100.00.
    const without = { ...returned(), ledger: account(...paying, ['credit_note', [creditingInv1[1][1] as Posting]], creditingInv2, refunding) };
    const found = checkTenant(without).findings;
    expect(found.map((item) => item.code)).toEqual(['integrity.ledger_invoice_overpaid', 'integrity.projection_mismatch', 'integrity.projection_mismatch']);
    expect(found.slice(1).map((item) => item.amounts)).toEqual([
      expect.objectContaining({ returnedStored: '30.00', returnedLedger: '0.00' }),
      expect.objectContaining({ paidStored: '70.00', paidLedger: '100.00', returnedStored: '30.00', returnedLedger: '0.00' }),
    ]);
  });
});
