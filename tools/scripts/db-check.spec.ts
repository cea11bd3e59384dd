// `npm run db:check` end to end on the real server: a tenant seeded through the use cases is clean (exit 0), one
// stored document corrupted with the driver gives its finding (exit 1), in text and in --json.
import { describe, expect, it, jest } from '@jest/globals';
import { createMongoAdapters, documentId } from '@invoicing/integration/mongodb';
import { CreateInvoiceDraft, IssueInvoice, RecordPayment, type IntegrityReport } from '@invoicing/invoice';
import { createScenario } from '@invoicing/invoice/testing';
import { tamperWithStoredState } from '@invoicing/integration/testing';
import { main, parseArgs } from './db-check';
import { runScript, useScriptDatabase } from './script-spec-support';

jest.setTimeout(120_000);

const database = useScriptDatabase('test_db_check');
const run = (args: string[]) => runScript(main, args);

describe('parseArgs', () => {
  it('takes --json and --tenant, and refuses anything else', () => {
    expect(parseArgs([])).toEqual({ json: false });
    expect(parseArgs(['--json', '--tenant', 'acme'])).toEqual({ json: true, tenantId: 'acme' });
    expect(parseArgs(['--tenant=acme'])).toEqual({ json: false, tenantId: 'acme' });
    expect(parseArgs(['--tenant'])).toEqual(expect.stringContaining('usage'));
    expect(parseArgs(['--repair'])).toEqual(expect.stringContaining('usage'));
  });
});

describe('npm run db:check', () => {
  it('exits 0 on a consistent tenant, 1 with the finding once a stored payment is corrupted, 2 on bad usage', async () => {
    const mongo = database.mongo();
    const adapters = createMongoAdapters(mongo);
    await adapters.ensureIndexes();
    const bed = await createScenario({ adapters, tenantId: 'db-check' });
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id });
    const payment = await bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '5.00', currency: 'EUR', receivedOn: '2026-01-20', applyTo: [invoice.id] });

    const clean = await run([]);
    expect(clean).toMatchObject({ code: 0 });
    expect(clean.out).toContain('No findings.');
    expect(clean.out).toMatch(/Checked: \d+ partners, 1 payments, 1 invoices, 0 credit notes, 1 number reservations, 1 ledger transactions \(2 postings, 1 accounts\)/);
    expect(clean.out).toContain(`db-check ${bed.buyer.id} EUR: received 5.00 = applied 5.00 + unapplied 0.00 + refunded 0.00`);

    // Raise the payment's applied amount above what it received, as a faulty writer would.
    await tamperWithStoredState<{ applications: { amount: { minor: bigint } }[] }>(mongo.connection.collection<{ _id: string }>('payments'), documentId(bed.tenantId, payment.id), (state) => {
      (state.applications[0] as { amount: { minor: bigint } }).amount.minor = 700n;
    });
    const text = await run(['--tenant', 'db-check']);
    expect(text.code).toBe(1);
    expect(text.out).toContain('integrity.payment_unbalanced');
    const json = await run(['--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out) as IntegrityReport;
    expect(report.findings.map((found) => [found.code, found.ids])).toEqual([
      ['integrity.payment_unbalanced', { paymentId: payment.id, partnerId: bed.buyer.id }],
      ['integrity.application_mismatch', { paymentId: payment.id, invoiceId: invoice.id }],
      ['integrity.projection_mismatch', { paymentId: payment.id, partnerId: bed.buyer.id }],
    ]);
    expect(report.findings[0]?.amounts).toEqual({ received: '5.00', applied: '7.00', refunded: '0.00', unapplied: '-2.00' });

    expect(await run(['--tenant', 'nobody'])).toMatchObject({ code: 0 });
    expect(await run(['--fix'])).toMatchObject({ code: 2 });
  });
});

describe('npm run db:check on the hash chain of issued documents', () => {
  it('exits 0 once the documents are sealed, then 1 naming the first broken link when a sealed invoice is edited in the database', async () => {
    const mongo = database.mongo();
    const adapters = createMongoAdapters(mongo);
    await adapters.ensureIndexes();
    const bed = await createScenario({ adapters, tenantId: 'db-check-seals' });
    const issued = [];
    for (const quantity of ['1', '2', '3']) {
      const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity }] });
      issued.push(await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id }));
    }
    expect(await adapters.sealer.sealPending()).toBeGreaterThanOrEqual(3);
    expect(await run(['--tenant', bed.tenantId])).toMatchObject({ code: 0 });

    // The second invoice's line raised by 1.00 inside its stored state, the seal left as it was.
    const second = issued[1] as (typeof issued)[number];
    await tamperWithStoredState<{ lines: { netAmount: { minor: bigint } }[] }>(mongo.connection.collection<{ _id: string }>('invoices'), documentId(bed.tenantId, second.id), (state) => {
      (state.lines[0] as { netAmount: { minor: bigint } }).netAmount.minor += 100n;
    });
    const text = await run(['--tenant', bed.tenantId]);
    expect(text.code).toBe(1);
    expect(text.out).toContain(`integrity.seal_content_mismatch [${bed.tenantId}] document ${second.id} (${second.number}) no longer has the content it was sealed with`);
    const report = JSON.parse((await run(['--json', '--tenant', bed.tenantId])).out) as IntegrityReport;
    expect(report.findings.map((found) => [found.code, found.ids])).toEqual([
      ['integrity.seal_content_mismatch', { series: second.series, position: 2, documentId: second.id, number: second.number }],
    ]);
  });
});
