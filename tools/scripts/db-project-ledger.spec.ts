// `npm run db:project-ledger` end to end on the real server: documents left behind the ledger by requests that stopped
// after their ledger entry (a payment, one before its own document, a write-off, a void, a credit note) are found,
// projected and checked clean; a second run has nothing to do.
import { describe, expect, it, jest } from '@jest/globals';
import { createMongoAdapters } from '@invoicing/integration/mongodb';
import { Money, type CalendarDate } from '@invoicing/core';
import { CreateCreditNote, CreateInvoiceDraft, IssueInvoice, MarkInvoiceUncollectible, Payment, RecordPayment, VoidInvoice, type InvoiceState, type PaymentId } from '@invoicing/invoice';
import { createScenario, createTestBed } from '@invoicing/invoice/testing';
import { main as check } from './db-check';
import { main as project } from './db-project-ledger';
import { runScript, useScriptDatabase } from './script-spec-support';

jest.setTimeout(120_000);

const database = useScriptDatabase('test_project_ledger');

describe('npm run db:project-ledger', () => {
  it('brings invoices a payment, a write-off and a void never reached, and a payment never stored, up to the ledger, once', async () => {
    const adapters = createMongoAdapters(database.mongo());
    await adapters.ensureIndexes();
    const bed = await createScenario({ adapters, tenantId: 'project-ledger' });
    const issued = [];
    for (const quantity of ['1', '2', '3', '4']) {
      const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity }] });
      issued.push(await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id }));
    }
    const [paid, written, voided, paidUnseen] = issued as [(typeof issued)[number], (typeof issued)[number], (typeof issued)[number], (typeof issued)[number]];
    // Each request stops after its ledger entry, before the invoice's document is saved; nobody retries.
    const invoices = Object.create(adapters.invoices) as typeof adapters.invoices;
    invoices.save = async () => {
      throw new Error('the process stopped');
    };
    const stopping = createTestBed({ adapters: { ...adapters, invoices } });
    const { tenantId } = bed;
    await expect(stopping.use(RecordPayment).execute({ tenantId, partnerId: bed.buyer.id, amount: paid.totals.amountDue.toString(), currency: 'EUR', receivedOn: '2026-01-20', applyTo: [paid.id] })).rejects.toThrow('stopped');
    await expect(stopping.use(MarkInvoiceUncollectible).execute({ tenantId, invoiceId: written.id })).rejects.toThrow('stopped');
    await expect(stopping.use(VoidInvoice).execute({ tenantId, invoiceId: voided.id, reason: 'issued in error' })).rejects.toThrow('stopped');
    // A payment whose process stopped before its own document was created: only the ledger has it.
    const payments = Object.create(adapters.payments) as typeof adapters.payments;
    payments.save = async () => {
      throw new Error('the process stopped');
    };
    await expect(
      createTestBed({ adapters: { ...adapters, payments } }).use(RecordPayment).execute({ tenantId, id: 'pay-unseen' as PaymentId, partnerId: bed.buyer.id, amount: paidUnseen.totals.amountDue.toString(), currency: 'EUR', receivedOn: '2026-01-21', applyTo: [paidUnseen.id] }),
    ).rejects.toThrow('stopped');
    expect((await Promise.all(issued.map((invoice) => adapters.invoices.get(tenantId, invoice.id)))).map((invoice) => invoice?.status)).toEqual(['issued', 'issued', 'issued', 'issued']);
    expect(await runScript(check)).toMatchObject({ code: 1 });

    const first = await runScript(project);
    expect(first.code).toBe(0);
    expect(first.out).toContain('1 payment(s) with their invoices, 3 invoice(s), 0 credit note(s)');
    expect(first.out).toContain('No document lags behind the ledger.');
    expect((await Promise.all(issued.map((invoice) => adapters.invoices.get(tenantId, invoice.id)))).map((invoice) => invoice?.status)).toEqual(['paid', 'uncollectible', 'void', 'paid']);
    expect((await adapters.payments.listByPartner(tenantId, bed.buyer.id, {})).items).toHaveLength(2);
    expect(await runScript(check)).toMatchObject({ code: 0 });

    expect((await runScript(project, ['--tenant', tenantId])).out).toContain('0 payment(s) with their invoices, 0 invoice(s), 0 credit note(s)');
    expect(await runScript(project, ['--json'])).toMatchObject({ code: 2 });
  });

  it('makes the credit note of a request without a key that stopped after its credit, from the ledger, as it was', async () => {
    // Known left on 6 December 2026: the ledger held the credit and not the lines, so no one could make the document.
    const adapters = createMongoAdapters(database.mongo());
    await adapters.ensureIndexes();
    const bed = await createScenario({ adapters, tenantId: 'project-credit' });
    const { tenantId } = bed;
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '3' }] });
    const invoice = await bed.use(IssueInvoice).execute({ tenantId, invoiceId: draft.id });
    // The process stops right after the ledger append: neither the invoice nor the credit note is saved.
    let lost: InvoiceState | undefined;
    const invoices = Object.create(adapters.invoices) as typeof adapters.invoices;
    invoices.save = async (document) => {
      if (document.kind === 'credit_note') lost = document.toState();
      throw new Error('the process stopped');
    };
    const stopping = createTestBed({ adapters: { ...adapters, invoices } });
    await expect(
      stopping.use(CreateCreditNote).execute({ tenantId, invoiceId: invoice.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }], reason: 'One day not delivered' }),
    ).rejects.toThrow('stopped');
    expect(lost).toBeUndefined(); // it stopped at the invoice's projection, before the credit note was even tried
    expect((await adapters.invoices.get(tenantId, invoice.id))?.status).toBe('issued');
    const checked = await runScript(check);
    expect(checked.code).toBe(1);
    expect(checked.out).toMatch(/names credit note \S+, which does not exist/);

    const first = await runScript(project, ['--tenant', tenantId]);
    expect(first.out).toContain('0 payment(s) with their invoices, 0 invoice(s), 1 credit note(s)');
    expect(first.code).toBe(0);
    const after = (await adapters.invoices.get(tenantId, invoice.id))?.toState();
    expect(after?.credits).toHaveLength(1);
    const [credited] = after?.credits ?? [];
    const note = (await adapters.invoices.get(tenantId, credited?.creditNoteId as never))?.toState();
    expect(note).toMatchObject({ kind: 'credit_note', status: 'issued', number: credited?.creditNoteNumber, notes: ['One day not delivered'], precedingInvoice: { id: invoice.id } });
    expect(note?.lines.map((line) => [line.marketableId, line.quantity.toString(), line.netPrice.toString()])).toEqual([[bed.marketable.id, '1', invoice.lines[0]?.netPrice.toString()]]);
    expect(note?.totals.amountDue.equals(credited?.amount as never)).toBe(true);
    expect(await runScript(check, ['--tenant', tenantId])).toMatchObject({ code: 0 });
    expect((await runScript(project, ['--tenant', tenantId])).out).toContain('0 payment(s) with their invoices, 0 invoice(s), 0 credit note(s)');
  });

  it('names a credit an earlier release recorded without its content, makes nothing up, and does not count it', async () => {
    const adapters = createMongoAdapters(database.mongo());
    await adapters.ensureIndexes();
    const bed = await createScenario({ adapters, tenantId: 'project-credit-old' });
    const { tenantId } = bed;
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    const invoice = await bed.use(IssueInvoice).execute({ tenantId, invoiceId: draft.id });
    const invoices = Object.create(adapters.invoices) as typeof adapters.invoices;
    invoices.save = async (document) => {
      if (document.kind === 'credit_note') throw new Error('the process stopped');
      return adapters.invoices.save(document);
    };
    // The ledger of the release before ADR 0024: the credit without the credit note's content.
    const ledger = Object.create(adapters.ledger) as typeof adapters.ledger;
    ledger.append = async ({ creditNote: _content, ...transaction }) => adapters.ledger.append(transaction);
    await expect(createTestBed({ adapters: { ...adapters, invoices, ledger } }).use(CreateCreditNote).execute({ tenantId, invoiceId: invoice.id })).rejects.toThrow('stopped');

    const run = await runScript(project, ['--tenant', tenantId]);
    expect(run.out).toMatch(/NOT MADE \[project-credit-old\] credit note \S+ of invoice \S+: its credit was recorded by a release before/);
    expect(run.out).toContain('No document lags behind the ledger.');
    expect(run.code).toBe(0);
    expect(await runScript(check, ['--tenant', tenantId])).toMatchObject({ code: 1 });
  });

  it('names a document it cannot bring up to the ledger and goes on with the others, of every tenant (audit credreturn F2)', async () => {
    const adapters = createMongoAdapters(database.mongo());
    await adapters.ensureIndexes();
    const broken = await createScenario({ adapters, tenantId: 'project-ledger-broken' });
    const draft = await broken.use(CreateInvoiceDraft).execute({ tenantId: broken.tenantId, partnershipId: broken.partnership.id, lines: [{ marketableId: broken.marketable.id, quantity: '1' }] });
    const invoice = await broken.use(IssueInvoice).execute({ tenantId: broken.tenantId, invoiceId: draft.id });
    // A payment document that says less than the ledger will (stored by hand, or tampered with): no projection can apply
    // the ledger's payment to it.
    await adapters.payments.save(Payment.received({ partnerId: broken.buyer.id, amount: Money.of('0.01', 'EUR'), receivedOn: '2026-01-20' as CalendarDate }, { tenantId: broken.tenantId, id: 'pay-tampered' as PaymentId, at: new Date() }));
    await expect(
      broken.use(RecordPayment).execute({ tenantId: broken.tenantId, id: 'pay-tampered' as PaymentId, partnerId: broken.buyer.id, amount: invoice.totals.amountDue.toString(), currency: 'EUR', receivedOn: '2026-01-20', applyTo: [invoice.id] }),
    ).rejects.toMatchObject({ code: 'payment.insufficient_unapplied' });
    // Another tenant's invoice behind its ledger, as in the first test.
    const other = await createScenario({ adapters, tenantId: 'project-ledger-other' });
    const otherDraft = await other.use(CreateInvoiceDraft).execute({ tenantId: other.tenantId, partnershipId: other.partnership.id, lines: [{ marketableId: other.marketable.id, quantity: '1' }] });
    const otherInvoice = await other.use(IssueInvoice).execute({ tenantId: other.tenantId, invoiceId: otherDraft.id });
    const invoices = Object.create(adapters.invoices) as typeof adapters.invoices;
    invoices.save = async () => {
      throw new Error('the process stopped');
    };
    await expect(createTestBed({ adapters: { ...adapters, invoices } }).use(VoidInvoice).execute({ tenantId: other.tenantId, invoiceId: otherInvoice.id })).rejects.toThrow('stopped');

    const run = await runScript(project);

    expect(run.out).toContain('NOT PROJECTED [project-ledger-broken] payment pay-tampered: payment.insufficient_unapplied');
    expect((await adapters.invoices.get(other.tenantId, otherInvoice.id))?.status).toBe('void');
    expect(run.code).toBe(1);
  });
});
