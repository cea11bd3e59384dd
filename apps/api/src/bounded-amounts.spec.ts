import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { InvoiceState, PartnerState } from '@invoicing/invoice';
import { startTestApi, type TestApi } from './testing/harness';
import { InvoiceSeed } from './testing/invoice-seed';

// Regression tests of issue 12 ("money is never lost or created", "bounded everything"): amounts beyond 64 bits were
// stored wrapped around, and huge quantities or prices made the API answer 500. FerretDB scans on every query, so a
// test here takes a few seconds.
jest.setTimeout(120_000);

const eur = (amount: string) => ({ amount, currency: 'EUR' });
const line = (quantity: string, netPrice: string) => ({ name: 'Consulting', quantity, unitCode: 'HUR', netPrice, vat: { code: 'S', rate: '20' } });

describe('bounded amounts, quantities and prices over HTTP', () => {
  let t: TestApi;
  let seed: InvoiceSeed;
  beforeAll(async () => {
    t = await startTestApi('bounded');
    seed = new InvoiceSeed(t);
  });
  afterAll(() => t?.close());

  describe('POST /v1/partners/:partnerId/payments', () => {
    let buyer: PartnerState;
    let invoice: InvoiceState;
    beforeAll(async () => {
      buyer = await seed.buyer('Overflow GmbH');
      // One line of 100.00 at 20 % VAT: 120.00 owed.
      invoice = await seed.invoice(await seed.partnership(buyer.id), '100', '2026-09-01');
    });

    /** What must not change when a payment is refused: the balance, the payments, the invoice it named. */
    async function unchanged(): Promise<void> {
      const balance = await t.call('GET', `/v1/partners/${buyer.id}/balance`);
      expect(balance.status).toBe(200);
      expect(balance.body).toEqual({ balances: [{ currency: 'EUR', outstanding: eur('120.00'), unappliedCredit: eur('0.00'), balance: eur('120.00') }] });
      expect((await t.call('GET', `/v1/partners/${buyer.id}/payments`)).body.items).toEqual([]);
      expect((await t.call('GET', `/v1/invoices/${invoice.id}`)).body).toMatchObject({ status: 'issued', paid: eur('0.00'), outstanding: eur('120.00') });
    }

    it.each([
      // 2^64 + 1 cents: stored as 0.01 with an unapplied credit of -119.99, and the invoice marked paid.
      ['184467440737095516.17'],
      // 2^63 cents: stored as a negative amount, after which the balance answered 500.
      ['92233720368547758.08'],
      // One cent beyond the largest amount.
      ['10000000000000.00'],
    ])('refuses %s EUR with 400 money.out_of_range, and stores nothing', async (amount) => {
      const answer = await t.call('POST', `/v1/partners/${buyer.id}/payments`, {
        as: 'acme-accountant',
        body: { amount, currency: 'EUR', receivedOn: '2026-09-05', applyTo: [invoice.id] },
      });

      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ status: 400, code: 'money.out_of_range', errors: [{ path: 'amount', code: 'money.out_of_range' }] });
      expect(answer.body.errors[0].message).toContain('9999999999999.99 EUR');
      await unchanged();
    });

    it('refuses an amount of 400 digits at the edge with 400, and stores nothing', async () => {
      const answer = await t.call('POST', `/v1/partners/${buyer.id}/payments`, {
        body: { amount: '9'.repeat(400), currency: 'EUR', receivedOn: '2026-09-05', applyTo: [invoice.id] },
      });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'request.invalid', errors: [{ path: 'amount', code: 'request.max_length' }] });
      await unchanged();
    });

    it('records the largest amount exactly, and reads it back and in the balance to the cent', async () => {
      const other = await seed.buyer('Largest Payer AG');
      const recorded = await t.call('POST', `/v1/partners/${other.id}/payments`, { body: { amount: '9999999999999.99', currency: 'EUR', receivedOn: '2026-09-05' } });

      expect(recorded.status).toBe(201);
      expect(recorded.body).toMatchObject({ amount: eur('9999999999999.99'), unapplied: eur('9999999999999.99') });
      expect((await t.call('GET', `/v1/payments/${recorded.body.id}`)).body.amount).toEqual(eur('9999999999999.99'));
      const balance = await t.call('GET', `/v1/partners/${other.id}/balance`);
      expect(balance.status).toBe(200);
      expect(balance.body.balances).toEqual([{ currency: 'EUR', outstanding: eur('0.00'), unappliedCredit: eur('9999999999999.99'), balance: eur('-9999999999999.99') }]);
    });
  });

  describe('POST /v1/invoices and PUT /v1/invoices/:invoiceId', () => {
    let buyer: PartnerState;
    let partnershipId: string;
    beforeAll(async () => {
      buyer = await seed.buyer('Huge Lines SARL');
      partnershipId = await seed.partnership(buyer.id);
    });

    const draftsOfBuyer = async () => (await t.call('GET', `/v1/invoices?partner_id=${buyer.id}`)).body.items.map((item: { id: string }) => item.id);

    it.each([
      ['the quantity', line('99999999999999999999999999', '10.00'), 'lines.0.quantity', 'line.quantity_out_of_range'],
      ['the net price', line('1', '99999999999999999999.99'), 'lines.0.netPrice', 'line.price_out_of_range'],
      // In bounds each, but 10^9 × 10^12 EUR is beyond the largest amount.
      ['the line amount', line('1000000000', '1000000000000'), 'lines.0', 'money.out_of_range'],
      // 9 × 1 000 000 000 000.00 + 20 % VAT = 10 800 000 000 000.00: the total is beyond the largest amount.
      ['the total with VAT', line('9', '1000000000000'), '', 'money.out_of_range'],
    ])('refuses a draft when %s is out of range with 400, and stores nothing', async (_what, given, path, code) => {
      const before = await draftsOfBuyer();

      const answer = await t.call('POST', '/v1/invoices', { body: { partnershipId, issueDate: '2026-09-01', lines: [given] } });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: 400, code, errors: [{ path, code }] });
      expect(await draftsOfBuyer()).toEqual(before);
    });

    it('refuses a change of a draft to an out-of-range line with 400, and leaves the draft as it was', async () => {
      const created = await t.call('POST', '/v1/invoices', { body: { partnershipId, issueDate: '2026-09-01', lines: [line('2', '10.00')] } });
      expect(created.status).toBe(201);

      const answer = await t.call('PUT', `/v1/invoices/${created.body.id}`, { body: { lines: [line('1', '99999999999999999999.99')] } });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'line.price_out_of_range', errors: [{ path: 'lines.0.netPrice', code: 'line.price_out_of_range' }] });
      expect(await t.call('GET', `/v1/invoices/${created.body.id}`)).toMatchObject({
        status: 200,
        body: { version: created.body.version, totals: { amountDue: eur('24.00') }, lines: [{ quantity: '2', netPrice: '10' }] },
      });
    });

    it('refuses a quantity of 400 digits at the edge with 400', async () => {
      const answer = await t.call('POST', '/v1/invoices', { body: { partnershipId, lines: [line('9'.repeat(400), '1.00')] } });

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'request.invalid', errors: [{ path: 'lines.0.quantity', code: 'request.max_length' }] });
    });
  });
});
