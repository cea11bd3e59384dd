import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IdempotencyStore } from '@invoicing/integration';
import { IDEMPOTENCY_STORE } from '../composition/tokens';
import { startTestApi, type TestApi } from '../testing/harness';
import { InvoiceSeed } from '../testing/invoice-seed';

const eur = (amount: string) => ({ amount, currency: 'EUR' });

/**
 * Issue 12, finding 3: a money-moving POST whose effect was stored but whose answer failed (here: the idempotency
 * record cannot be written after the effect, as when the database freezes right after the insert) answers 5xx; the
 * client, not knowing the outcome, retries with the same `Idempotency-Key` and body. That must never move the money
 * twice: the retry answers what the first attempt stored.
 */
describe('retries of money-moving requests whose outcome the client does not know', () => {
  let t: TestApi;
  let seed: InvoiceSeed;
  let store: IdempotencyStore;
  beforeAll(async () => {
    t = await startTestApi('idempotent_retries');
    seed = new InvoiceSeed(t);
    store = t.api.app.get<IdempotencyStore>(IDEMPOTENCY_STORE);
  });
  afterAll(() => t?.close());

  /** The next idempotency record cannot be written: the effect is stored, the client gets a 5xx. */
  function failNextRecord(): void {
    const complete = store.complete.bind(store);
    store.complete = async () => {
      store.complete = complete;
      throw new Error('injected: the idempotency record could not be written after the effect');
    };
  }

  async function payments(partnerId: string): Promise<{ id: string }[]> {
    const listed = await t.call('GET', `/v1/partners/${partnerId}/payments`);
    expect(listed.status).toBe(200);
    return listed.body.items;
  }

  it('POST /v1/partners/:id/payments: the retry after a 5xx answers the payment already recorded, never a second one', async () => {
    const buyer = await seed.buyer('Retry Partner Payments Ltd');
    const invoice = await seed.invoice(await seed.partnership(buyer.id), '100', '2026-09-01');
    const key = randomUUID();
    const body = { amount: '150.00', currency: 'EUR', receivedOn: '2026-10-01', reference: 'SEPA 1' };

    failNextRecord();
    const first = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { headers: { 'idempotency-key': key }, body });
    expect(first.status).toBeGreaterThanOrEqual(500);
    const stored = await payments(buyer.id);
    expect(stored).toHaveLength(1); // the effect happened although the client was told it failed

    const retry = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { headers: { 'idempotency-key': key }, body });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(stored[0]?.id);
    expect(retry.headers.get('location')).toBe(`/v1/payments/${retry.body.id}`);
    expect(retry.body).toEqual((await t.call('GET', `/v1/payments/${retry.body.id}`)).body);
    expect(retry.body).toMatchObject({ amount: eur('150.00'), applications: [{ invoiceId: invoice.id, amount: eur('120.00') }], unapplied: eur('30.00') });
    expect(await payments(buyer.id)).toHaveLength(1);

    // Its answer is stored now: a further retry is a replay.
    const again = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { headers: { 'idempotency-key': key }, body });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(retry.body);
    expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`)).body.balances).toEqual([
      { currency: 'EUR', outstanding: eur('0.00'), unappliedCredit: eur('30.00'), balance: eur('-30.00') },
    ]);
  });

  it('refuses the same key for another payment after a 5xx (422), and records nothing', async () => {
    const buyer = await seed.buyer('Retry Other Body Ltd');
    const key = randomUUID();
    failNextRecord();
    const first = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { headers: { 'idempotency-key': key }, body: { amount: '10.00', currency: 'EUR', receivedOn: '2026-10-01' } });
    expect(first.status).toBeGreaterThanOrEqual(500);
    const other = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { headers: { 'idempotency-key': key }, body: { amount: '11.00', currency: 'EUR', receivedOn: '2026-10-01' } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency.key_reused');
    expect(await payments(buyer.id)).toHaveLength(1);
  });

  it('refuses the same key after a 5xx for a payment naming an invoice the first request did not name (422), and pays nothing (audit L2)', async () => {
    // The first request named no invoice (an empty list): the retry naming one was answered 201 with the stored
    // payment, all of it credit, and the invoice still owed.
    const buyer = await seed.buyer('Retry Other Invoices Ltd');
    const invoice = await seed.invoice(await seed.partnership(buyer.id), '100', '2026-09-01');
    const key = randomUUID();
    const body = { amount: '50.00', currency: 'EUR', receivedOn: '2026-10-01' };
    failNextRecord();
    const first = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { headers: { 'idempotency-key': key }, body: { ...body, applyTo: [] } });
    expect(first.status).toBeGreaterThanOrEqual(500);

    for (const [path, retried] of [
      [`/v1/partners/${buyer.id}/payments`, { ...body, applyTo: [invoice.id] }],
      [`/v1/invoices/${invoice.id}/payments`, body],
      [`/v1/partners/${buyer.id}/payments`, body],
    ] as const) {
      const other = await t.call('POST', path, { headers: { 'idempotency-key': key }, body: retried });
      expect({ path, status: other.status, code: other.body.code }).toEqual({ path, status: 422, code: 'idempotency.key_reused' });
    }
    expect((await t.call('GET', `/v1/invoices/${invoice.id}`)).body.outstanding).toEqual(eur('120.00'));
    const stored = await payments(buyer.id);
    expect(stored).toEqual([expect.objectContaining({ applications: [], unapplied: eur('50.00') })]);
  });

  it('POST /v1/invoices/:id/payments: the retry after a 5xx answers the payment already recorded', async () => {
    const buyer = await seed.buyer('Retry Invoice Payments Ltd');
    const invoice = await seed.invoice(await seed.partnership(buyer.id), '100', '2026-09-01');
    const key = randomUUID();
    const body = { amount: '50.00', currency: 'EUR', receivedOn: '2026-10-02' };

    failNextRecord();
    const first = await t.call('POST', `/v1/invoices/${invoice.id}/payments`, { headers: { 'idempotency-key': key }, body });
    expect(first.status).toBeGreaterThanOrEqual(500);
    const retry = await t.call('POST', `/v1/invoices/${invoice.id}/payments`, { headers: { 'idempotency-key': key }, body });
    expect(retry.status).toBe(201);
    expect(await payments(buyer.id)).toEqual([expect.objectContaining({ id: retry.body.id })]);
    expect(retry.body).toMatchObject({ amount: eur('50.00'), applications: [{ invoiceId: invoice.id, amount: eur('50.00') }], unapplied: eur('0.00') });
    expect((await t.call('GET', `/v1/invoices/${invoice.id}`)).body.outstanding).toEqual(eur('70.00'));
  });

  it('POST /v1/partners/:id/refunds: the retry after a 5xx refunds nothing more and answers the same refund', async () => {
    const buyer = await seed.buyer('Retry Refunds Ltd');
    const credit = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body: { amount: '100.00', currency: 'EUR', receivedOn: '2026-10-01' } });
    expect(credit.status).toBe(201);
    const key = randomUUID();
    const body = { amount: '40.00', currency: 'EUR', refundedOn: '2026-10-03', reference: 'RF 1' };

    failNextRecord();
    const first = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { headers: { 'idempotency-key': key }, body });
    expect(first.status).toBeGreaterThanOrEqual(500);
    const retry = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { headers: { 'idempotency-key': key }, body });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual({ refundId: expect.any(String), amount: eur('40.00'), payments: [credit.body.id] });
    const payment = (await t.call('GET', `/v1/payments/${credit.body.id}`)).body;
    expect(payment.refunds).toEqual([expect.objectContaining({ refundId: retry.body.refundId, amount: eur('40.00') })]);
    expect(payment.unapplied).toEqual(eur('60.00'));

    const other = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { headers: { 'idempotency-key': randomUUID() }, body });
    expect(other.status).toBe(201);
    expect(other.body.refundId).not.toBe(retry.body.refundId);
    expect((await t.call('GET', `/v1/payments/${credit.body.id}`)).body.unapplied).toEqual(eur('20.00'));
  });

  it('POST /v1/invoices/:id/credit-notes: the retry after a 5xx (same If-Match) answers the credit note already made, never a second one', async () => {
    const buyer = await seed.buyer('Retry Credit Notes Ltd');
    const invoice = await seed.invoice(await seed.partnership(buyer.id), '100', '2026-09-01');
    const key = randomUUID();
    const request = { headers: { 'idempotency-key': key, 'if-match': `"${invoice.version}"` }, body: { reason: 'Cancelled' } };

    failNextRecord();
    const first = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, request);
    expect(first.status).toBeGreaterThanOrEqual(500);
    const retry = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, request);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ kind: 'credit_note', status: 'issued', precedingInvoice: { id: invoice.id } });
    expect(retry.headers.get('location')).toBe(`/v1/invoices/${retry.body.id}`);
    const credited = (await t.call('GET', `/v1/invoices/${invoice.id}`)).body;
    expect(credited.credits).toEqual([expect.objectContaining({ creditNoteId: retry.body.id })]);
    expect(credited.outstanding).toEqual(eur('0.00'));
    const notes = await t.call('GET', `/v1/invoices?kind=credit_note&partner_id=${buyer.id}`);
    expect(notes.status).toBe(200);
    expect(notes.body.items.map((note: { id: string }) => note.id)).toEqual([retry.body.id]);
  });

  describe('other creations: the retry of the very same request after a 5xx answers what the first attempt created', () => {
    async function count(path: string, matches: (item: Record<string, unknown>) => boolean): Promise<number> {
      const listed = await t.call('GET', path);
      expect(listed.status).toBe(200);
      return (listed.body.items as Record<string, unknown>[]).filter(matches).length;
    }

    const cases: [string, () => Promise<{ path: string; body: Record<string, unknown>; count: () => Promise<number> }>][] = [
      [
        'POST /v1/partners',
        async () => {
          const legalName = `Retried Partner ${randomUUID().slice(0, 8)} Ltd`;
          return { path: '/v1/partners', body: { kind: 'company', legalName }, count: () => count('/v1/partners?limit=200', (item) => item['legalName'] === legalName) };
        },
      ],
      [
        'POST /v1/marketables',
        async () => {
          const sku = `RETRY-${randomUUID().slice(0, 8)}`;
          const body = { sku, kind: 'service', name: 'Retried service', unitCode: 'HUR', prices: [{ currency: 'EUR', unitPrice: '10.00' }], defaultVat: { code: 'S', rate: '20' } };
          return { path: '/v1/marketables', body, count: () => count('/v1/marketables?limit=200', (item) => item['sku'] === sku) };
        },
      ],
      [
        'POST /v1/partnerships',
        async () => {
          const [seller, buyer] = [await seed.buyer('Retried Seller SA'), await seed.buyer('Retried Buyer SA')];
          const body = { sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' };
          return { path: '/v1/partnerships', body, count: () => count('/v1/partnerships?limit=200', (item) => item['buyerId'] === buyer.id) };
        },
      ],
      [
        'POST /v1/partners/:id/contacts',
        async () => {
          const partner = await seed.buyer('Retried Contacts Ltd');
          const body = { name: 'Ana Retry', email: `ana.${randomUUID().slice(0, 8)}@example.com` };
          return {
            path: `/v1/partners/${partner.id}/contacts`,
            body,
            count: async () => ((await t.call('GET', `/v1/partners/${partner.id}`)).body.contacts as { email?: string }[]).filter((contact) => contact.email === body.email).length,
          };
        },
      ],
      [
        'POST /v1/invoices (a draft)',
        async () => {
          const buyer = await seed.buyer('Retried Draft GmbH');
          const partnershipId = await seed.partnership(buyer.id);
          const body = { partnershipId, issueDate: '2026-10-01', lines: [{ name: 'Consulting', quantity: '1', unitCode: 'C62', netPrice: '10', vat: { code: 'S', rate: '20' } }] };
          return { path: '/v1/invoices', body, count: () => count(`/v1/invoices?partner_id=${buyer.id}&limit=200`, () => true) };
        },
      ],
    ];

    it.each(cases)('%s', async (_name, prepare) => {
      const { path, body, count: stored } = await prepare();
      const key = randomUUID();

      failNextRecord();
      const first = await t.call('POST', path, { headers: { 'idempotency-key': key }, body });
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(await stored()).toBe(1);

      const retry = await t.call('POST', path, { headers: { 'idempotency-key': key }, body });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('location')).toMatch(new RegExp(`/${retry.body.id}$`));
      expect(await stored()).toBe(1);
      const again = await t.call('POST', path, { headers: { 'idempotency-key': key }, body });
      expect({ status: again.status, replayed: again.headers.get('idempotent-replayed'), id: again.body.id }).toEqual({ status: 201, replayed: 'true', id: retry.body.id });
    });
  });
});
