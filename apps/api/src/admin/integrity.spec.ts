import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documentId, type MongoConnection } from '@invoicing/integration/mongodb';
import { tamperWithStoredState } from '@invoicing/integration/testing';
import { INTEGRITY_READER, type IntegrityReader, type PartnerId } from '@invoicing/invoice';
import { DATABASE } from '../composition/tokens';
import { InvoiceSeed } from '../testing/invoice-seed';
import { startTestApi, type Caller, type TestApi } from '../testing/harness';

const PATH = '/v1/admin/integrity';

/**
 * Each tenant (acme, globex): a buyer owing one invoice of 120.00 EUR, paid in full through the API. The stored data is
 * then corrupted directly with the driver, as a bug or a hand edit would: a payment whose received amount is below what
 * was applied from it.
 */
describe('GET /v1/admin/integrity', () => {
  let t: TestApi;
  const payments: Record<'acme' | 'globex', { paymentId: string; partnerId: PartnerId }> = {} as never;

  beforeAll(async () => {
    t = await startTestApi('integrity');
    for (const tenant of ['acme', 'globex'] as const) {
      const seed = new InvoiceSeed(t, tenant);
      const buyer = await seed.buyer(`${tenant} Nordwind GmbH`);
      const invoice = await seed.invoice(await seed.partnership(buyer.id), '100', '2026-09-01');
      const paid = await t.call('POST', `/v1/partners/${buyer.id}/payments`, {
        as: `${tenant}-accountant`,
        body: { amount: '120.00', currency: 'EUR', receivedOn: '2026-10-01', applyTo: [invoice.id] },
      });
      expect(paid.status).toBe(201);
      payments[tenant] = { paymentId: paid.body.id, partnerId: buyer.id };
    }
  }, 60_000);
  afterAll(() => t?.close());

  /** Stores a payment's received amount as `minor` units, leaving its applications as they are. */
  async function corruptReceivedAmount(tenant: 'acme' | 'globex', minor: bigint): Promise<void> {
    const database = t.api.app.get<MongoConnection>(DATABASE).connection.db;
    if (!database) throw new Error('the API is not connected');
    await tamperWithStoredState<{ amount: { minor: bigint } }>(database.collection<{ _id: string }>('payments'), documentId(tenant, payments[tenant].paymentId), (state) => {
      state.amount.minor = minor;
    });
  }

  it("answers an admin a clean report of the tenant's data, with what it checked and how long it took", async () => {
    const answer = await t.call('GET', PATH, { as: 'acme-admin' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({
      clean: true,
      checkedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      durationMs: expect.any(Number),
      // The seller and the buyer, the payment, the invoice and the number reserved for it, and the payment's ledger
      // transaction (received and applied) in the buyer's account; nothing of globex.
      checked: { partners: 2, payments: 1, invoices: 1, creditNotes: 0, numberReservations: 1, ledgerTransactions: 1, ledgerPostings: 2, ledgerAccounts: 1 },
      findingCount: 0,
      findings: [],
      noteCount: 0,
      notes: [],
    });
    expect(Date.now() - Date.parse(answer.body.checkedAt)).toBeLessThan(60_000);
  });

  it.each<Caller>(['acme-viewer', 'acme-accountant', 'acme-integrator'])('refuses %s: only admins run the checker (403)', async (caller) => {
    const answer = await t.call('GET', PATH, { as: caller });
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 403, code: 'auth.forbidden' });
    expect(answer.body.detail).toContain('integrity:check');
  });

  it('reads the tenant once for checks asked at the same time: a retry after a deadline joins the run still going', async () => {
    // Review of 6 December 2026: each retry after a 503 started one more whole-tenant read beside the first.
    const reader = t.api.app.get<IntegrityReader>(INTEGRITY_READER);
    const payments = reader.payments.bind(reader);
    let reads = 0;
    reader.payments = (tenantId) => {
      reads += 1;
      return payments(tenantId);
    };
    try {
      const answers = await Promise.all([0, 1, 2].map(() => t.call('GET', PATH, { as: 'acme-admin' })));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(reads).toBe(1);
      expect((await t.call('GET', PATH, { as: 'acme-admin' })).status).toBe(200);
      expect(reads).toBe(2);
    } finally {
      reader.payments = payments;
    }
  });

  it('refuses a call without a token (401)', async () => {
    const answer = await t.call('GET', PATH, { as: null });
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 401, code: 'auth.token_missing' });
  });

  it("never reports another tenant's data: globex's corrupted payment shows to globex's admin only", async () => {
    await corruptReceivedAmount('globex', 10_000n);

    const acme = await t.call('GET', PATH, { as: 'acme-admin' });
    expect(acme.status).toBe(200);
    expect(acme.body).toMatchObject({ clean: true, findingCount: 0, findings: [], checked: { partners: 2, payments: 1, invoices: 1 } });
    expect(acme.text).not.toContain(payments.globex.paymentId);

    const globex = await t.call('GET', PATH, { as: 'globex-admin' });
    expect(globex.status).toBe(200);
    // The altered document breaks its own balance, and no longer says what the ledger does.
    expect(globex.body).toMatchObject({ clean: false, findingCount: 2 });
    expect(globex.body.findings.map((finding: { code: string }) => finding.code)).toEqual(['integrity.payment_unbalanced', 'integrity.projection_mismatch']);
    expect(globex.text).not.toContain(payments.acme.paymentId);
  });

  it('reports a stored payment whose applications exceed its amount, with its ids and the amounts compared', async () => {
    await corruptReceivedAmount('acme', 10_000n);
    const answer = await t.call('GET', PATH, { as: 'acme-admin' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ clean: false, findingCount: 2, noteCount: 0, notes: [] });
    expect(answer.body.findings[1]).toMatchObject({ code: 'integrity.projection_mismatch', amounts: expect.arrayContaining([{ name: 'receivedLedger', amount: '120.00', currency: 'EUR' }]) });
    expect(answer.body.findings.slice(0, 1)).toEqual([
      {
        code: 'integrity.payment_unbalanced',
        message: `payment ${payments.acme.paymentId} applied and refunded more than it received`,
        ids: [
          { name: 'paymentId', value: payments.acme.paymentId },
          { name: 'partnerId', value: payments.acme.partnerId },
        ],
        amounts: [
          { name: 'received', amount: '100.00', currency: 'EUR' },
          { name: 'applied', amount: '120.00', currency: 'EUR' },
          { name: 'refunded', amount: '0.00', currency: 'EUR' },
          { name: 'unapplied', amount: '-20.00', currency: 'EUR' },
        ],
      },
    ]);
  });
});
