// `npm run db:ledger-backfill` end to end on the real server: a tenant recorded through the use cases, whose ledger is
// then dropped (as a version before the ledger would have left it), is carried back into the ledger, after which
// `npm run db:check` finds nothing; a second run carries nothing.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { connectMongo, createMongoAdapters, type MongoConnection } from '@invoicing/integration/mongodb';
import { CreateCreditNote, CreateInvoiceDraft, IssueInvoice, MarkInvoiceUncollectible, RecordPayment, RefundCredit } from '@invoicing/invoice';
import { createScenario } from '@invoicing/invoice/testing';
import { readEnvFile, stackEnvFile } from '@invoicing/stack';
import { main as check } from './db-check';
import { main as backfill } from './db-ledger-backfill';

jest.setTimeout(120_000);

const serverUrl = process.env.MONGO_URL || readEnvFile(stackEnvFile).MONGO_URL;
const dbName = `test_ledger_backfill_${randomBytes(4).toString('hex')}`;
let mongo: MongoConnection;
let previousUrl: string | undefined;

async function run(main: (args: string[]) => Promise<number>, args: string[] = []): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  try {
    return { code: await main(args), out: lines.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(async () => {
  if (!serverUrl) throw new Error('no MONGO_URL and no running stack (npm run stack:up)');
  mongo = await connectMongo({ url: serverUrl, dbName });
  previousUrl = process.env.MONGO_URL;
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  process.env.MONGO_URL = url.toString();
});
afterAll(async () => {
  if (previousUrl === undefined) delete process.env.MONGO_URL;
  else process.env.MONGO_URL = previousUrl;
  await mongo.connection.dropDatabase();
  await mongo.close();
});

describe('npm run db:ledger-backfill', () => {
  it('carries older data into the ledger once, after which the checker finds nothing', async () => {
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
