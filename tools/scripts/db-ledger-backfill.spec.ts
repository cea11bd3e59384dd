// `npm run db:ledger-backfill` end to end on the real server: a tenant recorded through the use cases, whose ledger is
// then dropped (as a version before the ledger would have left it), is carried back into the ledger, after which
// `npm run db:check` finds nothing; a second run carries nothing.
import { describe, expect, it, jest } from '@jest/globals';
import { createMongoAdapters } from '@invoicing/integration/mongodb';
import { CreateCreditNote, CreateInvoiceDraft, IssueInvoice, MarkInvoiceUncollectible, RecordPayment, RefundCredit } from '@invoicing/invoice';
import { createScenario } from '@invoicing/invoice/testing';
import { main as check } from './db-check';
import { main as backfill } from './db-ledger-backfill';
import { runScript, useScriptDatabase } from './script-spec-support';

jest.setTimeout(120_000);

const database = useScriptDatabase('test_ledger_backfill');
const run = runScript;

describe('npm run db:ledger-backfill', () => {
  it('carries older data into the ledger once, after which the checker finds nothing', async () => {
    const mongo = database.mongo();
    const adapters = createMongoAdapters(mongo);
    await adapters.ensureIndexes();
    const bed = await createScenario({ adapters, tenantId: 'backfill' });
    const issued = [];
    for (const quantity of ['1', '2', '1']) {
      const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity }] });
      issued.push(await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id }));
    }
    const [paid, credited, written] = issued as [(typeof issued)[number], (typeof issued)[number], (typeof issued)[number]];
    await bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: paid.totals.amountDue.add(paid.totals.amountDue).toString(), currency: 'EUR', receivedOn: '2026-01-20', applyTo: [paid.id] });
    await bed.use(RefundCredit).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '4.00', currency: 'EUR', refundedOn: '2026-01-21' });
    await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: credited.id, reason: 'returned' });
    await bed.use(MarkInvoiceUncollectible).execute({ tenantId: bed.tenantId, invoiceId: written.id });
    expect(await run(check)).toMatchObject({ code: 0 });

    // What a version before the ledger left: the documents, and no ledger.
    await mongo.connection.collection('ledger_transactions').deleteMany({});
    await mongo.connection.collection('ledger_heads').deleteMany({});
    const before = await run(check, ['--json']);
    expect(before.code).toBe(1);
    expect(before.out).toContain('integrity.projection_mismatch');

    const carried = await run(backfill);
    expect(carried.code).toBe(0);
    expect(carried.out).toContain('backfill: carried 1 payments, 1 credits, 1 write-offs, 0 voids; 0 already in the ledger; 0 refused');
    expect(await run(check)).toMatchObject({ code: 0 });

    const again = await run(backfill, ['--tenant', 'backfill']);
    expect(again.out).toContain('backfill: carried 0 payments, 0 credits, 0 write-offs, 0 voids; 3 already in the ledger; 0 refused');
    expect(await run(backfill, ['--repair'])).toMatchObject({ code: 2 });
  });
});
