import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateInvoiceDraft, IssueInvoice, type ContactId, type InvoiceState, type PartnerState } from '@invoicing/invoice';
import { InvoiceSeed } from '../testing/invoice-seed';
import { startTestApi, type TestApi } from '../testing/harness';

const eur = (amount: string) => ({ amount, currency: 'EUR' });
const usd = (amount: string) => ({ amount, currency: 'USD' });
const jpy = (amount: string) => ({ amount, currency: 'JPY' });

/**
 * The dataset (every line at VAT 20 %, so a total is 1.2 × net):
 *
 * | doc | buyer | cur | issued     | due (terms)    | total   | what happened        | outstanding |
 * |-----|-------|-----|------------|----------------|---------|----------------------|-------------|
 * | A   | B1    | EUR | 2026-06-05 | 2026-07-05 n30 | 1200.00 | paid 200.00          | 1000.00     |
 * | B   | B1    | EUR | 2026-07-10 | 2026-08-09 n30 |  600.00 | —                    |  600.00     |
 * | C   | B2    | EUR | 2026-07-20 | 2026-08-04 n15 |  360.00 | —                    |  360.00     |
 * | D   | B1    | USD | 2026-07-25 | 2026-08-24 n30 |  240.00 | —                    |  240.00     |
 * | E   | B2    | EUR | 2026-07-28 | 2026-08-12 n15 |  120.00 | paid in full         |    0        |
 * | F   | B2    | EUR | 2026-07-30 | 2026-08-14 n15 |   60.00 | void                 |    0        |
 *
 * B1 is created before B2, so its rows come first. Jonas (B1's first contact) is named on A and B, Mia on nothing.
 */
describe('reports over HTTP', () => {
  let t: TestApi;
  let b1: PartnerState;
  let b2: PartnerState;
  let docs: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', InvoiceState>;

  beforeAll(async () => {
    t = await startTestApi('reports');
    const seed = new InvoiceSeed(t);
    b1 = await seed.buyer('Nordwind GmbH', [{ name: 'Jonas Weber' }, { name: 'Mia Richter' }]);
    b2 = await seed.buyer('Südwind AG');
    const b1Eur = await seed.partnership(b1.id);
    const b1Usd = await seed.partnership(b1.id, 'USD');
    const b2Eur = await seed.partnership(b2.id, 'EUR', 15);
    const jonas = b1.contacts[0]?.id as ContactId;
    const A = await seed.invoice(b1Eur, '1000', '2026-06-05', jonas);
    await seed.pay(b1.id, A.id, '200.00', '2026-07-01');
    const B = await seed.invoice(b1Eur, '500', '2026-07-10', jonas);
    const C = await seed.invoice(b2Eur, '300', '2026-07-20');
    const D = await seed.invoice(b1Usd, '200', '2026-07-25');
    const E = await seed.invoice(b2Eur, '100', '2026-07-28');
    await seed.pay(b2.id, E.id, '120.00', '2026-08-01');
    const F = await seed.invoice(b2Eur, '50', '2026-07-30');
    await seed.void(F.id);
    docs = { A, B, C, D, E, F };
    // A few dozen writes on FerretDB: longer than the 5 s hook timeout this run applies (the api project's testTimeout is not used).
  }, 60_000);
  afterAll(() => t?.close());

  /** Names the invoices of a list by their letter in the dataset. */
  const names = (items: { id: string }[]) => items.map((item) => Object.entries(docs).find(([, doc]) => doc.id === item.id)?.[0] ?? item.id);

  describe('GET /v1/reports/past-due', () => {
    it('lists what buyers still owe past the due date, oldest due date first, with the days past due', async () => {
      const answer = await t.call('GET', '/v1/reports/past-due?as_of=2026-09-01', { as: 'acme-viewer' });
      expect(answer.status).toBe(200);
      expect(answer.body.asOf).toBe('2026-09-01');
      expect(answer.body.nextCursor).toBeNull();
      expect(names(answer.body.items)).toEqual(['A', 'C', 'B', 'D']);
      expect(answer.body.items.map((row: { dueDate: string; daysPastDue: number }) => [row.dueDate, row.daysPastDue])).toEqual([
        ['2026-07-05', 58],
        ['2026-08-04', 28],
        ['2026-08-09', 23],
        ['2026-08-24', 8],
      ]);
      expect(answer.body.items[0]).toMatchObject({
        id: docs.A.id,
        kind: 'invoice',
        status: 'partially_paid',
        number: docs.A.number,
        buyerId: b1.id,
        buyerContactId: b1.contacts[0]?.id,
        currency: 'EUR',
        issueDate: '2026-06-05',
        total: eur('1200.00'),
        amountDue: eur('1200.00'),
        paid: eur('200.00'),
        credited: eur('0.00'),
        outstanding: eur('1000.00'),
      });
      expect(answer.body.items[3]).toMatchObject({ status: 'issued', currency: 'USD', outstanding: usd('240.00') });
      expect(answer.body.items[0]).not.toHaveProperty('tenantId');
    });

    it('sorts by due date descending, filters by buyer, and leaves out invoices not yet due on the date', async () => {
      expect(names((await t.call('GET', '/v1/reports/past-due?as_of=2026-09-01&sort=due_date.desc')).body.items)).toEqual(['D', 'B', 'C', 'A']);
      expect(names((await t.call('GET', `/v1/reports/past-due?as_of=2026-09-01&partner_id=${b2.id}`)).body.items)).toEqual(['C']);
      const early = await t.call('GET', '/v1/reports/past-due?as_of=2026-08-05');
      expect(early.body.items.map((row: { id: string; daysPastDue: number }) => [names([row])[0], row.daysPastDue])).toEqual([
        ['A', 31],
        ['C', 1],
      ]);
      // Due that very day is not yet past due.
      expect(names((await t.call('GET', '/v1/reports/past-due?as_of=2026-07-05')).body.items)).toEqual([]);
    });

    it('pages with a cursor, every row exactly once', async () => {
      const first = await t.call('GET', '/v1/reports/past-due?as_of=2026-09-01&limit=3', { as: 'acme-integrator' });
      expect(names(first.body.items)).toEqual(['A', 'C', 'B']);
      expect(typeof first.body.nextCursor).toBe('string');
      const second = await t.call('GET', `/v1/reports/past-due?as_of=2026-09-01&limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(names(second.body.items)).toEqual(['D']);
      expect(second.body.nextCursor).toBeNull();
    });

    it('judges lateness on today when as_of is absent, and says which day that was', async () => {
      const answer = await t.call('GET', '/v1/reports/past-due');
      expect(answer.status).toBe(200);
      expect(answer.body.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      // The seeded due dates are all before the day these tests were written (2026-11-29).
      expect(names(answer.body.items)).toEqual(['A', 'C', 'B', 'D']);
    });

    it('refuses a malformed as_of, limit, sort or cursor with 400 naming the parameter', async () => {
      for (const [query, path] of [
        ['as_of=2026-02-30', 'as_of'],
        ['as_of=15/09/2026', 'as_of'],
        ['as_of=2026-09-01T00:00:00Z', 'as_of'],
        ['limit=1.5', 'limit'],
        ['sort=amount.asc', 'sort'],
        ['sort=due_date', 'sort'],
        ['color=blue', 'color'],
      ] as const) {
        const answer = await t.call('GET', `/v1/reports/past-due?${query}`);
        expect({ query, status: answer.status, code: answer.body.code, paths: answer.body.errors?.map((issue: { path: string }) => issue.path) }).toEqual({
          query,
          status: 400,
          code: 'request.invalid',
          paths: [path],
        });
      }
      // The range of a page is the domain's rule, with the same code for every list.
      for (const limit of ['0', '201']) {
        const answer = await t.call('GET', `/v1/reports/past-due?limit=${limit}`);
        expect({ limit, status: answer.status, code: answer.body.code, paths: answer.body.errors?.map((issue: { path: string }) => issue.path) }).toEqual({
          limit,
          status: 400,
          code: 'pagination.invalid_limit',
          paths: ['limit'],
        });
      }
      const cursor = await t.call('GET', '/v1/reports/past-due?cursor=bm90IGEgY3Vyc29y');
      expect(cursor.body).toMatchObject({ status: 400, code: 'pagination.invalid_cursor' });
    });
  });

  describe('GET /v1/reports/monthly-summary', () => {
    it('sums what was issued in the month per currency, leaving void invoices out', async () => {
      const answer = await t.call('GET', '/v1/reports/monthly-summary?month=2026-07', { as: 'acme-viewer' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        month: '2026-07',
        rows: [
          { currency: 'EUR', invoiceCount: 3, invoiceTotal: eur('1080.00'), creditNoteCount: 0, creditNoteTotal: eur('0.00'), net: eur('1080.00') },
          { currency: 'USD', invoiceCount: 1, invoiceTotal: usd('240.00'), creditNoteCount: 0, creditNoteTotal: usd('0.00'), net: usd('240.00') },
        ],
      });
      expect((await t.call('GET', '/v1/reports/monthly-summary?month=2026-06')).body.rows).toEqual([
        { currency: 'EUR', invoiceCount: 1, invoiceTotal: eur('1200.00'), creditNoteCount: 0, creditNoteTotal: eur('0.00'), net: eur('1200.00') },
      ]);
      expect((await t.call('GET', '/v1/reports/monthly-summary?month=2026-05')).body).toEqual({ month: '2026-05', rows: [] });
    });

    it('narrows to one partner', async () => {
      expect((await t.call('GET', `/v1/reports/monthly-summary?month=2026-07&partner_id=${b2.id}`)).body.rows).toEqual([
        { currency: 'EUR', invoiceCount: 2, invoiceTotal: eur('480.00'), creditNoteCount: 0, creditNoteTotal: eur('0.00'), net: eur('480.00') },
      ]);
    });

    it('refuses a missing or malformed month', async () => {
      for (const query of ['', 'month=2026-13', 'month=2026-7', 'month=July']) {
        const answer = await t.call('GET', `/v1/reports/monthly-summary?${query}`);
        expect({ query, status: answer.status, paths: answer.body.errors?.map((issue: { path: string }) => issue.path) }).toEqual({ query, status: 400, paths: ['month'] });
      }
    });
  });

  describe('GET /v1/reports/aging', () => {
    it('puts each buyer\'s outstanding amounts in buckets of days past due', async () => {
      const early = await t.call('GET', '/v1/reports/aging?as_of=2026-08-05', { as: 'acme-viewer' });
      expect(early.status).toBe(200);
      const zeroEur = eur('0.00');
      const zeroUsd = usd('0.00');
      expect(early.body).toEqual({
        asOf: '2026-08-05',
        rows: [
          { partnerId: b1.id, currency: 'EUR', current: eur('600.00'), days1To30: zeroEur, days31To60: eur('1000.00'), days61To90: zeroEur, over90: zeroEur, total: eur('1600.00') },
          { partnerId: b1.id, currency: 'USD', current: usd('240.00'), days1To30: zeroUsd, days31To60: zeroUsd, days61To90: zeroUsd, over90: zeroUsd, total: usd('240.00') },
          { partnerId: b2.id, currency: 'EUR', current: zeroEur, days1To30: eur('360.00'), days31To60: zeroEur, days61To90: zeroEur, over90: zeroEur, total: eur('360.00') },
        ],
      });

      const late = await t.call('GET', '/v1/reports/aging?as_of=2026-10-15');
      expect(late.body.rows).toEqual([
        { partnerId: b1.id, currency: 'EUR', current: zeroEur, days1To30: zeroEur, days31To60: zeroEur, days61To90: eur('600.00'), over90: eur('1000.00'), total: eur('1600.00') },
        { partnerId: b1.id, currency: 'USD', current: zeroUsd, days1To30: zeroUsd, days31To60: usd('240.00'), days61To90: zeroUsd, over90: zeroUsd, total: usd('240.00') },
        { partnerId: b2.id, currency: 'EUR', current: zeroEur, days1To30: zeroEur, days31To60: zeroEur, days61To90: eur('360.00'), over90: zeroEur, total: eur('360.00') },
      ]);
    });

    it('narrows to one buyer, and refuses a malformed as_of', async () => {
      expect((await t.call('GET', `/v1/reports/aging?as_of=2026-10-15&partner_id=${b2.id}`)).body.rows.map((row: { partnerId: string; total: unknown }) => [row.partnerId, row.total])).toEqual([
        [b2.id, eur('360.00')],
      ]);
      const bad = await t.call('GET', '/v1/reports/aging?as_of=2026-10-32');
      expect(bad.body).toMatchObject({ status: 400, code: 'request.invalid', errors: [{ path: 'as_of', code: 'request.is_calendar_date' }] });
    });
  });

  describe('GET /v1/reports/partner-totals', () => {
    it('sums what each buyer was invoiced over the last n calendar months up to the as-of date', async () => {
      const answer = await t.call('GET', '/v1/reports/partner-totals?months=2&as_of=2026-07-31', { as: 'acme-integrator' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        asOf: '2026-07-31',
        months: 2,
        rows: [
          { partnerId: b1.id, currency: 'EUR', invoiceCount: 2, total: eur('1800.00') },
          { partnerId: b1.id, currency: 'USD', invoiceCount: 1, total: usd('240.00') },
          { partnerId: b2.id, currency: 'EUR', invoiceCount: 2, total: eur('480.00') },
        ],
      });
      // months=1 is the as-of date's month up to that day: only B (2026-07-10) by 2026-07-15.
      expect((await t.call('GET', '/v1/reports/partner-totals?months=1&as_of=2026-07-15')).body.rows).toEqual([
        { partnerId: b1.id, currency: 'EUR', invoiceCount: 1, total: eur('600.00') },
      ]);
    });

    it('refuses months outside 1–36 and a malformed as_of', async () => {
      for (const query of ['', 'months=0', 'months=37', 'months=two', 'months=2&as_of=yesterday']) {
        const answer = await t.call('GET', `/v1/reports/partner-totals?${query}`);
        expect({ query, status: answer.status, code: answer.body.code }).toEqual({ query, status: 400, code: 'request.invalid' });
      }
    });
  });

  describe('GET /v1/partners/:partnerId/contacts/last-seen', () => {
    it('gives each contact of the partner the last issued invoice that named it, or null', async () => {
      const answer = await t.call('GET', `/v1/partners/${b1.id}/contacts/last-seen`, { as: 'acme-viewer' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        rows: [
          { contact: expect.objectContaining({ id: b1.contacts[0]?.id, name: 'Jonas Weber' }), lastInvoiceDate: '2026-07-10', lastInvoiceId: docs.B.id },
          { contact: expect.objectContaining({ id: b1.contacts[1]?.id, name: 'Mia Richter' }), lastInvoiceDate: null, lastInvoiceId: null },
        ],
      });
      expect((await t.call('GET', `/v1/partners/${b2.id}/contacts/last-seen`)).body).toEqual({ rows: [] });
      const missing = await t.call('GET', '/v1/partners/no-such-partner/contacts/last-seen');
      expect(missing.body).toMatchObject({ status: 404, code: 'partner.not_found' });
    });
  });

  // Audit recon F3: once two buyers' invoices at the largest amount fell in one month, the summary answered 400
  // `money.out_of_range` for the whole tenant, the rows of other currencies with it.
  describe('sums past the largest amount (another tenant, March 2027)', () => {
    const as = 'globex-admin';
    let g1: PartnerState;
    let g2: PartnerState;

    beforeAll(async () => {
      const seed = new InvoiceSeed(t, 'globex');
      g1 = await seed.buyer('Largo SA');
      g2 = await seed.buyer('Yamato KK');
      const eurG1 = await seed.partnership(g1.id);
      const eurG2 = await seed.partnership(g2.id);
      const jpyG2 = await seed.partnership(g2.id, 'JPY');
      const issued = async (partnershipId: typeof eurG1, quantity: string, netPrice: string, issueDate: string) => {
        const draft = await t.api.app.get(CreateInvoiceDraft).execute({
          tenantId: seed.tenantId,
          partnershipId,
          issueDate,
          lines: [{ name: 'Asset', quantity, unitCode: 'C62', netPrice, vat: { code: 'Z', rate: '0' } }],
        });
        return t.api.app.get(IssueInvoice).execute({ tenantId: seed.tenantId, invoiceId: draft.id });
      };
      // 10 × 999 999 999 999.999 at 0 %: 9 999 999 999 999.99 EUR each, the largest amount.
      const largest = await issued(eurG1, '10', '999999999999.999', '2027-03-02');
      expect(largest.totals.amountDue.toString()).toBe('9999999999999.99');
      await issued(eurG1, '10', '999999999999.999', '2027-03-03');
      await issued(eurG2, '10', '999999999999.999', '2027-03-04');
      await issued(jpyG2, '1', '500', '2027-03-05');
    }, 60_000);

    it('answers every currency of the month, each sum to the minor unit with the currency’s decimals', async () => {
      const answer = await t.call('GET', '/v1/reports/monthly-summary?month=2027-03', { as });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 200,
        body: {
          month: '2027-03',
          rows: [
            { currency: 'EUR', invoiceCount: 3, invoiceTotal: eur('29999999999999.97'), creditNoteCount: 0, creditNoteTotal: eur('0.00'), net: eur('29999999999999.97') },
            { currency: 'JPY', invoiceCount: 1, invoiceTotal: jpy('500'), creditNoteCount: 0, creditNoteTotal: jpy('0'), net: jpy('500') },
          ],
        },
      });
      expect((await t.call('GET', `/v1/reports/monthly-summary?month=2027-03&partner_id=${g1.id}`, { as })).body.rows).toEqual([
        { currency: 'EUR', invoiceCount: 2, invoiceTotal: eur('19999999999999.98'), creditNoteCount: 0, creditNoteTotal: eur('0.00'), net: eur('19999999999999.98') },
      ]);
    });

    it('ages and totals a buyer owing two invoices at the largest amount', async () => {
      const aging = await t.call('GET', '/v1/reports/aging?as_of=2027-03-20', { as });
      expect(aging.status).toBe(200);
      expect(aging.body.rows.map((row: { partnerId: string; currency: string; current: unknown; total: unknown }) => [row.partnerId, row.currency, row.current, row.total])).toEqual([
        [g1.id, 'EUR', eur('19999999999999.98'), eur('19999999999999.98')],
        [g2.id, 'EUR', eur('9999999999999.99'), eur('9999999999999.99')],
        [g2.id, 'JPY', jpy('500'), jpy('500')],
      ]);
      const totals = await t.call('GET', '/v1/reports/partner-totals?months=1&as_of=2027-03-31', { as });
      expect({ status: totals.status, rows: totals.body.rows }).toEqual({
        status: 200,
        rows: [
          { partnerId: g1.id, currency: 'EUR', invoiceCount: 2, total: eur('19999999999999.98') },
          { partnerId: g2.id, currency: 'EUR', invoiceCount: 1, total: eur('9999999999999.99') },
          { partnerId: g2.id, currency: 'JPY', invoiceCount: 1, total: jpy('500') },
        ],
      });
    });
  });

  /**
   * A credit note of a paid invoice takes back what was paid: the invoice rows show paid net of it, nothing is owed, and
   * the buyer holds it as credit. X: 120.00 paid 120.00, credited 36.00 (36.00 taken back); Y: 120.00 paid 60.00,
   * credited 84.00 (60.00 owed first, 24.00 taken back). Issued in November 2026, after what the other globex tests read.
   */
  describe('after a credit note took back part of what was paid (another tenant)', () => {
    const as = 'globex-admin';
    let buyer: PartnerState;
    let x: InvoiceState;
    let y: InvoiceState;

    beforeAll(async () => {
      const seed = new InvoiceSeed(t, 'globex');
      buyer = await seed.buyer('Retour GmbH');
      const partnershipId = await seed.partnership(buyer.id);
      x = await seed.invoice(partnershipId, '100', '2026-11-02');
      y = await seed.invoice(partnershipId, '100', '2026-11-03');
      await seed.pay(buyer.id, x.id, '120.00', '2026-11-05');
      await seed.pay(buyer.id, y.id, '60.00', '2026-11-06');
      const credit = (invoiceId: string, netPrice: string) =>
        t.call('POST', `/v1/invoices/${invoiceId}/credit-notes`, { as, body: { lines: [{ name: 'Consulting', quantity: '1', unitCode: 'C62', netPrice, vat: { code: 'S', rate: '20' } }], reason: 'Returned' } });
      for (const [invoice, netPrice] of [[x, '30.00'], [y, '70.00']] as const) {
        const answer = await credit(invoice.id, netPrice);
        expect({ status: answer.status, body: answer.status === 201 ? undefined : answer.body }).toEqual({ status: 201, body: undefined });
      }
    }, 60_000);

    it('shows each invoice paid net of what the credit note took back, so that amount due − paid − credited = outstanding', async () => {
      const rows = (await t.call('GET', `/v1/invoices?partner_id=${buyer.id}&kind=invoice`, { as })).body.items as Record<string, unknown>[];
      const row = (id: string) => rows.find((item) => item.id === id);
      expect(row(x.id)).toMatchObject({ status: 'paid', amountDue: eur('120.00'), paid: eur('84.00'), credited: eur('36.00'), outstanding: eur('0.00') });
      expect(row(y.id)).toMatchObject({ status: 'credited', amountDue: eur('120.00'), paid: eur('36.00'), credited: eur('84.00'), outstanding: eur('0.00') });
    });

    it('ages and lists as past due nothing of them, and counts what was taken back as the buyer\'s credit', async () => {
      expect((await t.call('GET', `/v1/reports/aging?as_of=2027-06-01&partner_id=${buyer.id}`, { as })).body.rows).toEqual([]);
      expect((await t.call('GET', `/v1/reports/past-due?as_of=2027-06-01&partner_id=${buyer.id}`, { as })).body.items).toEqual([]);
      expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`, { as })).body).toEqual({
        balances: [{ currency: 'EUR', outstanding: eur('0.00'), unappliedCredit: eur('60.00'), balance: eur('-60.00') }],
      });
    });

    it('still shows them so once the payments are written again (the credit refunded)', async () => {
      const refund = await t.call('POST', `/v1/partners/${buyer.id}/refunds`, { as, body: { amount: '60.00', currency: 'EUR', refundedOn: '2026-12-01' } });
      expect({ status: refund.status, code: refund.body.code }).toEqual({ status: 201, code: undefined });
      expect((await t.call('GET', `/v1/partners/${buyer.id}/balance`, { as })).body).toEqual({ balances: [] });
      const rows = (await t.call('GET', `/v1/invoices?partner_id=${buyer.id}&kind=invoice`, { as })).body.items as Record<string, unknown>[];
      expect(rows.map((item) => [item.id, item.paid, item.outstanding])).toEqual(
        expect.arrayContaining([
          [x.id, eur('84.00'), eur('0.00')],
          [y.id, eur('36.00'), eur('0.00')],
        ]),
      );
    });
  });

  it('keeps tenants apart: another tenant sees none of these invoices, and this tenant\'s partner is missing to it', async () => {
    const as = 'globex-admin';
    expect((await t.call('GET', '/v1/reports/past-due?as_of=2026-09-01', { as })).body).toEqual({ asOf: '2026-09-01', items: [], nextCursor: null });
    expect((await t.call('GET', `/v1/reports/past-due?as_of=2026-09-01&partner_id=${b1.id}`, { as })).body.items).toEqual([]);
    expect((await t.call('GET', '/v1/reports/monthly-summary?month=2026-07', { as })).body).toEqual({ month: '2026-07', rows: [] });
    expect((await t.call('GET', `/v1/reports/monthly-summary?month=2026-07&partner_id=${b1.id}`, { as })).body.rows).toEqual([]);
    expect((await t.call('GET', '/v1/reports/aging?as_of=2026-10-15', { as })).body).toEqual({ asOf: '2026-10-15', rows: [] });
    expect((await t.call('GET', '/v1/reports/partner-totals?months=36&as_of=2026-10-15', { as })).body).toEqual({ asOf: '2026-10-15', months: 36, rows: [] });
    const contacts = await t.call('GET', `/v1/partners/${b1.id}/contacts/last-seen`, { as });
    expect({ status: contacts.status, code: contacts.body.code }).toEqual({ status: 404, code: 'partner.not_found' });
    expect((await t.call('GET', '/v1/reports/aging', { as: null })).status).toBe(401);
  });
});
