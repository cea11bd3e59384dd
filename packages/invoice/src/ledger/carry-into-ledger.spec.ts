import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Money } from '@invoicing/core';
import { InMemoryIntegrityReader } from '../integrity/in-memory-integrity-reader';
import { checkIntegrity } from '../integrity/check-integrity';
import type { InvoiceState } from '../invoice/invoice';
import { CreateCreditNote, CreateInvoiceDraft, IssueInvoice, MarkInvoiceUncollectible, VoidInvoice } from '../invoice/invoice.use-cases';
import { Payment } from '../payment/payment';
import { RecordPayment, RefundCredit } from '../payment/payment.use-cases';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { InMemoryLedger } from '../testing/in-memory/in-memory-ledger';
import { createScenario, type Scenario } from '../testing/scenario';
import { carryIntoLedger } from './carry-into-ledger';
import type { LedgerAccount } from './ledger';

const AT = new Date('2026-03-10T09:00:00Z');

async function invoice(s: Scenario, netPrice: string): Promise<InvoiceState> {
  const draft = await s.use(CreateInvoiceDraft).execute({
    tenantId: s.tenantId,
    partnershipId: s.partnership.id,
    lines: [{ name: 'Service', quantity: '1', unitCode: 'C62', netPrice, vat: { code: 'Z' } }],
  });
  return s.use(IssueInvoice).execute({ tenantId: s.tenantId, invoiceId: draft.id });
}

/**
 * A tenant as a version before the ledger left it: the same documents, recorded through the use cases, beside a ledger
 * that holds none of it (the one the use cases wrote is kept to compare with).
 */
async function olderData() {
  const s = await createScenario();
  const [paid, credited, written, voided] = [await invoice(s, '100.00'), await invoice(s, '80.00'), await invoice(s, '50.00'), await invoice(s, '30.00')];
  const payment = await s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '130.00', currency: 'EUR', receivedOn: '2026-03-02', applyTo: [paid.id] });
  await s.use(RefundCredit).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '10.00', currency: 'EUR', refundedOn: '2026-03-03', reference: 'RF-1' });
  await s.use(CreateCreditNote).execute({ tenantId: s.tenantId, invoiceId: credited.id, reason: 'returned' });
  await s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: written.id });
  const late = await s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '20.00', currency: 'EUR', receivedOn: '2026-03-05', applyTo: [written.id] });
  await s.use(VoidInvoice).execute({ tenantId: s.tenantId, invoiceId: voided.id, reason: 'sent twice' });
  const invoices = await Promise.all([paid, credited, written, voided].map(async (state) => (await s.adapters.invoices.get(s.tenantId, state.id))?.toState() as InvoiceState));
  const creditNote = (await s.adapters.invoices.get(s.tenantId, invoices[1]?.credits[0]?.creditNoteId as InvoiceId))?.toState() as InvoiceState;
  const payments = await Promise.all([payment.id, late.id].map(async (id) => (await s.adapters.payments.get(s.tenantId, id))?.toState()));
  const ledger = new InMemoryLedger();
  const all = [...invoices, creditNote];
  const reservations = all.map((state) => ({ tenantId: s.tenantId, series: state.series, sequence: Number(state.number?.split('-').pop()), documentId: state.id }));
  const documents = { partners: [s.seller, s.buyer], payments: payments as NonNullable<(typeof payments)[number]>[], invoices: all, reservations };
  return { s, ledger, documents, account: { tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' } as LedgerAccount };
}

async function ledgerOf(ledger: InMemoryLedger, account: LedgerAccount) {
  return (await ledger.transactions(account, { limit: 100 })).items;
}

describe('carryIntoLedger', () => {
  it('carries payments, credits, write-offs and voids into the ledger, to the totals the ledger-first path records, and the checker finds nothing', async () => {
    const { s, ledger, documents, account } = await olderData();
    const reader = () => new InMemoryIntegrityReader({ ...documents, ledger: [] });
    const before = await checkIntegrity(reader(), { tenantId: s.tenantId });
    expect(before.findings.map((finding) => finding.code)).toContain('integrity.projection_mismatch');

    const report = await carryIntoLedger({ reader: reader(), payments: s.adapters.payments, invoices: s.adapters.invoices, ledger }, s.tenantId, AT);

    expect(report).toEqual({ tenantId: s.tenantId, carried: { payments: 2, credits: 1, writeOffs: 1, voids: 1 }, alreadyInLedger: 0, refused: [] });
    const carried = await ledgerOf(ledger, account);
    expect(carried.every((transaction) => transaction.kind === 'opening')).toBe(true);
    const recorded = (await s.adapters.ledger.head(account))?.totalsAfter;
    const { writtenOff, ...totals } = carried.at(-1)?.totalsAfter ?? ({} as never);
    // The ledger-first path wrote 50.00 off and took 20.00 back with the late payment; carried, the 30.00 still owed is written off.
    expect(writtenOff).toEqual(Money.of('30.00', 'EUR'));
    expect(recorded?.writtenOff).toEqual(Money.of('30.00', 'EUR'));
    expect(totals).toEqual({ received: recorded?.received, applied: recorded?.applied, credited: recorded?.credited, refunded: recorded?.refunded, unapplied: recorded?.unapplied });
    const after = await checkIntegrity(new InMemoryIntegrityReader({ ...documents, ledger: carried }), { tenantId: s.tenantId });
    expect(after.findings).toEqual([]);
  });

  it('carries nothing twice: a second run finds every movement in the ledger', async () => {
    const { s, ledger, documents, account } = await olderData();
    const ports = { payments: s.adapters.payments, invoices: s.adapters.invoices, ledger };
    await carryIntoLedger({ ...ports, reader: new InMemoryIntegrityReader({ ...documents, ledger: [] }) }, s.tenantId, AT);
    const carried = await ledgerOf(ledger, account);

    const again = await carryIntoLedger({ ...ports, reader: new InMemoryIntegrityReader({ ...documents, ledger: carried }) }, s.tenantId, AT);
    // Even read from a stale ledger, the operation ids find what was carried.
    const stale = await carryIntoLedger({ ...ports, reader: new InMemoryIntegrityReader({ ...documents, ledger: [] }) }, s.tenantId, AT);

    expect(again).toEqual({ tenantId: s.tenantId, carried: { payments: 0, credits: 0, writeOffs: 0, voids: 0 }, alreadyInLedger: 5, refused: [] });
    expect(stale.carried).toEqual({ payments: 0, credits: 0, writeOffs: 0, voids: 0 });
    expect(await ledgerOf(ledger, account)).toHaveLength(carried.length);
  });

  it('reports what breaks the ledger’s checks, and carries it not, nor anything as it is', async () => {
    const { s, ledger, documents } = await olderData();
    const [payment] = documents.payments;
    // A document a faulty writer left: refunded more than the payment received.
    const stored = ((await s.adapters.payments.get(s.tenantId, payment?.id as PaymentId)) as Payment).toState();
    const refunds = [...stored.refunds, { refundId: 'broken-refund' as never, amount: Money.of('25.00', 'EUR'), refundedOn: '2026-03-04' as never }];
    await s.adapters.payments.save(Payment.restore({ ...stored, refunds }));

    const report = await carryIntoLedger({ reader: new InMemoryIntegrityReader({ ...documents, ledger: [] }), payments: s.adapters.payments, invoices: s.adapters.invoices, ledger }, s.tenantId, AT);

    expect(report.refused).toEqual([{ operationId: `opening:payment:${payment?.id}`, code: 'ledger.insufficient_unapplied', message: expect.any(String) }]);
    expect(await ledger.byOperation(s.tenantId, `opening:payment:${payment?.id}`)).toBeUndefined();
    expect(report.carried.payments).toBe(1);
  });

  it('carries no payment a credit note took back from, nor such a credit: it reports each, and carries the rest', async () => {
    const { s, ledger, documents, account } = await olderData();
    // Money taken back exists only since the ledger: a document holding it and missing from the ledger means the ledger
    // lost it. Carried as it is, the payment would be applied in full (its credit lost) and the credit refused as overpaying.
    const paid = await invoice(s, '100.00');
    const payment = await s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '100.00', currency: 'EUR', receivedOn: '2026-03-06', applyTo: [paid.id] });
    const creditNote = await s.use(CreateCreditNote).execute({
      tenantId: s.tenantId,
      invoiceId: paid.id,
      lines: [{ name: 'Service', quantity: '1', unitCode: 'C62', netPrice: '30.00', vat: { code: 'Z' } }],
    });
    const returning = ((await s.adapters.payments.get(s.tenantId, payment.id)) as Payment).toState();
    const credited = (await s.adapters.invoices.get(s.tenantId, paid.id))?.toState() as InvoiceState;
    expect([returning.returns?.length, credited.credits[0]?.paymentsReturned?.length]).toEqual([1, 1]);
    const withReturns = { ...documents, payments: [...documents.payments, returning], invoices: [...documents.invoices, credited] };

    const report = await carryIntoLedger({ reader: new InMemoryIntegrityReader({ ...withReturns, ledger: [] }), payments: s.adapters.payments, invoices: s.adapters.invoices, ledger }, s.tenantId, AT);

    expect(report.refused).toEqual([
      { operationId: `opening:payment:${payment.id}`, code: 'ledger.return_not_carried', message: expect.stringContaining('30.00') },
      { operationId: `opening:credit:${creditNote.id}`, code: 'ledger.return_not_carried', message: expect.stringContaining('30.00') },
    ]);
    expect(report.carried).toEqual({ payments: 2, credits: 1, writeOffs: 1, voids: 1 });
    expect(await ledger.byOperation(s.tenantId, `opening:payment:${payment.id}`)).toBeUndefined();
    expect(await ledger.byOperation(s.tenantId, `opening:credit:${creditNote.id}`)).toBeUndefined();
    expect((await ledgerOf(ledger, account)).flatMap((transaction) => transaction.postings).some((posting) => 'paymentId' in posting && posting.paymentId === payment.id)).toBe(false);
  });
});
