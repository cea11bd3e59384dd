import { Money, tenantId, type CurrencyCode } from '@invoicing/core';
import {
  CreateCreditNote,
  CreateInvoiceDraft,
  IssueInvoice,
  MarkInvoiceUncollectible,
  RecordPayment,
  RefundCredit,
  checkIntegrity,
  type InvoiceState,
  type LedgerAccount,
} from '@invoicing/invoice';
import { createScenario, createTestBed, type Scenario } from '@invoicing/invoice/testing';
import { createTestDatabase, tamperWithStoredState, type TestDatabase } from '../testing/mongo-test-database';
import { documentId } from './mappers/aggregate-document';
import { ledgerTransactionId } from './mappers/ledger-transaction.mapper';
import { MongoIntegrityReader } from './integrity-reader';

// The invariant checker on the real server (FerretDB in the stack): a tenant seeded through the use cases has no
// finding; one stored document corrupted with the driver gives exactly the finding it breaks.
jest.setTimeout(120_000);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('integrity');
});
afterAll(async () => {
  await database.drop();
});

const eur = (amount: string) => Money.of(amount, 'EUR' as CurrencyCode);

async function seed(id: string): Promise<{ bed: Scenario; paymentId: string; invoices: InvoiceState[] }> {
  const bed = await createScenario({ adapters: database.adapters, tenantId: id });
  const invoices: InvoiceState[] = [];
  for (const quantity of ['2', '1', '3']) {
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity }] });
    invoices.push(await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id }));
  }
  const [a, b] = invoices as [InvoiceState, InvoiceState];
  invoices.push(await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: b.id, reason: 'returned' }));
  const payment = await bed.use(RecordPayment).execute({
    tenantId: bed.tenantId,
    partnerId: bed.buyer.id,
    amount: a.totals.amountDue.add(eur('10.00')).toString(),
    currency: 'EUR',
    receivedOn: '2026-01-20',
    applyTo: [a.id],
  });
  await bed.use(RefundCredit).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '4.00', currency: 'EUR', refundedOn: '2026-01-21' });
  return { bed, paymentId: payment.id, invoices };
}

describe('MongoIntegrityReader', () => {
  it('finds nothing in a tenant seeded through the use cases, reading in batches smaller than a collection', async () => {
    const { bed } = await seed('integrity-clean');
    const report = await checkIntegrity(new MongoIntegrityReader(database.adapters.models, 2), { tenantId: bed.tenantId });
    expect(report.findings).toEqual([]);
    expect(report.notes).toEqual([]);
    expect(report.accounts).toMatchObject([{ partnerId: bed.buyer.id, currency: 'EUR', payments: 1, refunded: '4.00', unapplied: '6.00', balanced: true }]);
    expect(report.clean).toBe(true);
  });

  it('finds nothing after a credit note took back part of what was paid: the stored returns are read and counted (format 4)', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'integrity-returns' });
    const lines = (netPrice: string) => [{ name: 'Service', quantity: '1', unitCode: 'C62', netPrice, vat: { code: 'Z' as const } }];
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: lines('100.00') });
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id });
    await bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '100.00', currency: 'EUR', receivedOn: '2026-01-20', applyTo: [invoice.id] });
    await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: invoice.id, lines: lines('30.00') });

    const report = await checkIntegrity(new MongoIntegrityReader(database.adapters.models), { tenantId: bed.tenantId });
    expect(report.findings).toEqual([]);
    expect(report.accounts).toMatchObject([{ partnerId: bed.buyer.id, currency: 'EUR', payments: 1, received: '100.00', unapplied: '30.00', balanced: true }]);
  });

  it('finds exactly the application whose payment side was raised in the stored document, and only in that tenant', async () => {
    const { bed, paymentId, invoices } = await seed('integrity-corrupt');
    const payments = database.mongo.connection.collection<{ _id: string }>('payments');
    // A writer gone wrong: 1.00 more on the payment's application, its unapplied amount kept in step.
    const stored = (await payments.findOne({ _id: documentId(bed.tenantId, paymentId) })) as unknown as { derived: { unappliedMinor: bigint } };
    await tamperWithStoredState<{ applications: { amount: { minor: bigint } }[] }>(
      payments,
      documentId(bed.tenantId, paymentId),
      (state) => {
        (state.applications[0] as { amount: { minor: bigint } }).amount.minor += 100n;
      },
      { unappliedMinor: BigInt(stored.derived.unappliedMinor) - 100n },
    );
    const reader = new MongoIntegrityReader(database.adapters.models);
    const report = await checkIntegrity(reader, { tenantId: bed.tenantId });
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'integrity.application_mismatch', tenantId: bed.tenantId, ids: { paymentId, invoiceId: invoices[0]?.id }, currency: 'EUR' }),
      // The document also disagrees with the ledger it is projected from.
      expect.objectContaining({ code: 'integrity.projection_mismatch', tenantId: bed.tenantId, ids: expect.objectContaining({ paymentId }), currency: 'EUR' }),
    ]);
    const amounts = report.findings[0]?.amounts as Record<string, string>;
    expect(Money.of(amounts['onPayment'] as string, 'EUR' as CurrencyCode).subtract(Money.of(amounts['onInvoice'] as string, 'EUR' as CurrencyCode)).toString()).toBe('1.00');

    // The tenants the reader finds include both seeded ones; the clean one stays clean.
    const all = await checkIntegrity(reader);
    expect(all.tenants).toEqual(expect.arrayContaining([tenantId('integrity-clean'), bed.tenantId]));
    expect([...new Set(all.findings.map((found) => found.tenantId))]).toEqual([bed.tenantId]);
  });

  it('finds a number reserved for a draft whose issue was interrupted, and notes a number reserved for a document never stored', async () => {
    const { bed } = await seed('integrity-numbers');
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    // The issue stopped after its reservation; a credit note refused after its reservation (ADR 0006).
    expect(await database.adapters.numbers.reserve(bed.tenantId, 'INV', draft.id)).toBe(4);
    expect(await database.adapters.numbers.reserve(bed.tenantId, 'CN', 'never-stored')).toBe(2);
    const report = await checkIntegrity(new MongoIntegrityReader(database.adapters.models), { tenantId: bed.tenantId });
    expect(report.findings.map((found) => [found.code, found.ids['number']])).toEqual([['integrity.number_gap', 'INV-000004']]);
    expect(report.notes.map((note) => [note.code, note.ids['number']])).toEqual([['integrity.number_gap_refused_credit_note', 'CN-000002']]);
  });

  it('reports a document it cannot read, and a reservation whose number is not one, and checks the rest (review of 6 December 2026: the run threw)', async () => {
    const { bed, invoices } = await seed('integrity-unreadable');
    const [first] = invoices as [InvoiceState];
    await database.adapters.models.invoices.collection.updateOne({ _id: documentId(bed.tenantId, first.id) } as never, { $set: { state: '{"truncated' } });
    await database.adapters.models.number_reservations.collection.insertOne({ _v: 1, tenantId: bed.tenantId, series: 'INV', sequence: 'x', documentId: 'forged', reservedAt: new Date() } as never);

    const report = await checkIntegrity(new MongoIntegrityReader(database.adapters.models), { tenantId: bed.tenantId });

    const unreadable = report.findings.filter((found) => found.code === 'integrity.unreadable_document');
    expect(unreadable.map((found) => [found.ids['collection'], found.ids['documentId']]).sort()).toEqual(
      [
        ['invoices', documentId(bed.tenantId, first.id)],
        ['number_reservations', expect.any(String)],
      ].sort(),
    );
    // The rest was checked: three invoices and a credit note seeded, one invoice left out.
    expect([report.checked.invoices, report.checked.creditNotes]).toEqual([2, 1]);
  });

  it('finds the fields stored beside an invoice for queries and reports edited away from its state (review of 6 December 2026)', async () => {
    const { bed, invoices } = await seed('integrity-query-fields');
    const [first] = invoices as [InvoiceState];
    const reader = new MongoIntegrityReader(database.adapters.models);
    expect((await checkIntegrity(reader, { tenantId: bed.tenantId })).findings).toEqual([]);
    // Aging sums derived.outstandingMinor grouped by the top-level buyerId: both edited, the state and the seal untouched.
    await database.adapters.models.invoices.collection.updateOne({ _id: documentId(bed.tenantId, first.id) } as never, { $set: { 'derived.outstandingMinor': 1n, buyerId: 'someone-else' } });

    const report = await checkIntegrity(reader, { tenantId: bed.tenantId });

    expect(report.findings.map((found) => [found.code, found.ids['invoiceId'], found.ids['fields']])).toEqual([['integrity.projection_mismatch', first.id, 'buyerId,derived.outstandingMinor']]);
  });

  it('finds an invoice written off in the ledger whose document was never saved (review of 6 December 2026: reported clean)', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'integrity-write-off' });
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    const issued = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id });
    // The write-off is appended, then the process stops before the invoice's document is saved.
    const invoices = Object.create(database.adapters.invoices) as typeof database.adapters.invoices;
    invoices.save = async () => {
      throw new Error('the process stopped');
    };
    const interrupted = createTestBed({ adapters: { ...database.adapters, invoices } });
    await expect(interrupted.use(MarkInvoiceUncollectible).execute({ tenantId: bed.tenantId, invoiceId: issued.id })).rejects.toThrow('the process stopped');
    expect((await database.adapters.invoices.get(bed.tenantId, issued.id))?.status).toBe('issued');

    const report = await checkIntegrity(new MongoIntegrityReader(database.adapters.models), { tenantId: bed.tenantId });
    expect(report.findings).toEqual([expect.objectContaining({ code: 'integrity.projection_mismatch', ids: expect.objectContaining({ invoiceId: issued.id, writtenOffInLedger: 'true' }) })]);
    // Sent again, the write-off is found in the ledger and completed: clean.
    await bed.use(MarkInvoiceUncollectible).execute({ tenantId: bed.tenantId, invoiceId: issued.id });
    expect((await checkIntegrity(new MongoIntegrityReader(database.adapters.models), { tenantId: bed.tenantId })).findings).toEqual([]);
  });

  it('reads the ledger the use cases wrote: clean, and a stored head total raised is found', async () => {
    const { bed } = await seed('integrity-ledger');
    const account: LedgerAccount = { tenantId: bed.tenantId, partnerId: bed.buyer.id, currency: 'EUR' as CurrencyCode };
    const head = await database.adapters.ledger.head(account);
    // The credit note, the payment with its application, the refund.
    expect([head?.seq, head?.kind, head?.totalsAfter.unapplied.toString()]).toEqual([3, 'refund', '6.00']);
    const reader = new MongoIntegrityReader(database.adapters.models);
    expect((await checkIntegrity(reader, { tenantId: bed.tenantId })).findings).toEqual([]);

    await database.mongo.connection.collection<{ _id: string }>('ledger_transactions').updateOne({ _id: ledgerTransactionId(account, 3) }, { $set: { 'totalsAfter.unapplied.minor': 700n } });
    const report = await checkIntegrity(reader, { tenantId: bed.tenantId });
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'integrity.ledger_totals_mismatch', ids: expect.objectContaining({ partnerId: bed.buyer.id, seq: 3 }), amounts: { unappliedStored: '7.00', unappliedFolded: '6.00' } }),
    ]);
  });
});
