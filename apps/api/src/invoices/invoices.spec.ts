import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EventRelay } from '@invoicing/integration';
import { createMongoAdapters, type MongoConnection, type MongoEventAdapters } from '@invoicing/integration/mongodb';
import { demoUser } from '@invoicing/stack';
import { DATABASE, EVENT_ADAPTERS } from '../composition/tokens';
import { startTestApi, type Caller, type TestApi } from '../testing/harness';

// The api project's own testTimeout is not applied when Jest runs from the workspace root, and FerretDB scans on
// every query: a test here makes a few dozen requests.
jest.setTimeout(120_000);

const eur = (amount: string) => ({ amount, currency: 'EUR' });
const line = (quantity: string, netPrice: string, rate = '20') => ({ name: 'Consulting', quantity, unitCode: 'HUR', netPrice, vat: { code: 'S', rate } });
/** The invoice most tests draft: 2 × 10.00 at 20 % VAT, due 30 days after 2026-03-02. */
const simple = { issueDate: '2026-03-02', lines: [line('2', '10.00')] };

const sellerDetails = {
  legalName: 'Acme Seller SAS',
  identifiers: { vatId: 'FR32123456789' },
  addresses: [{ lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
};
const buyerAt = (legalName: string) => ({
  legalName,
  identifiers: { vatId: 'DE123456789' },
  addresses: [{ lines: ['Hauptstraße 1'], city: 'Berlin', postalCode: '10115', countryCode: 'DE' }],
  contacts: [{ name: 'Bea Buyer', email: 'bea@buyer.example' }],
});

describe('invoices and credit notes over HTTP', () => {
  let t: TestApi;
  let seller: { id: string };
  let buyer: { id: string; contacts: { id: string }[] };
  let listBuyer: { id: string };
  let idemBuyer: { id: string };
  /** Partnership ids by use: each gets its own series where a test asserts exact numbers. */
  const partnerships: Record<'main' | 'life' | 'gap' | 'approval' | 'list' | 'idem' | 'now' | 'nowApproval', string> = {
    main: '',
    life: '',
    gap: '',
    approval: '',
    list: '',
    idem: '',
    now: '',
    nowApproval: '',
  };

  async function partner(body: object): Promise<{ id: string; contacts: { id: string }[] }> {
    const answer = await t.call('POST', '/v1/partners', { body });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  async function partnership(buyerId: string, terms: object = {}): Promise<string> {
    const body = { sellerId: seller.id, buyerId, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01', ...terms };
    const answer = await t.call('POST', '/v1/partnerships', { body });
    expect(answer.status).toBe(201);
    return answer.body.id;
  }

  async function draft(partnershipId: string, body: object = simple, as: Caller = 'acme-admin') {
    const answer = await t.call('POST', '/v1/invoices', { as, body: { partnershipId, ...body } });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  async function issued(partnershipId: string, body: object = simple) {
    const answer = await t.call('POST', `/v1/invoices/${(await draft(partnershipId, body)).id}/issue`);
    expect(answer.status).toBe(200);
    return answer.body;
  }

  const get = async (id: string) => (await t.call('GET', `/v1/invoices/${id}`)).body;
  const pay = (id: string, amount: string, as: Caller = 'acme-accountant') =>
    t.call('POST', `/v1/invoices/${id}/payments`, { as, body: { amount, currency: 'EUR', receivedOn: '2026-03-15', reference: 'SEPA-1' } });

  beforeAll(async () => {
    t = await startTestApi('invoices');
    seller = await partner(sellerDetails);
    buyer = await partner({ ...buyerAt('Buyer GmbH') });
    listBuyer = await partner(buyerAt('List Buyer AG'));
    idemBuyer = await partner(buyerAt('Retry Buyer AG'));
    partnerships.main = await partnership(buyer.id, { buyerReference: 'CONTRACT-7' });
    partnerships.life = await partnership(buyer.id, { numbering: { invoice: 'LIFE', creditNote: 'LCN' } });
    partnerships.gap = await partnership(buyer.id, { numbering: { invoice: 'GAP' } });
    partnerships.approval = await partnership(buyer.id, { policy: { approval: { kind: 'always' } } });
    partnerships.list = await partnership(listBuyer.id, { numbering: { invoice: 'LIST' } });
    partnerships.idem = await partnership(idemBuyer.id);
    partnerships.now = await partnership(buyer.id, { numbering: { invoice: 'NOW' } });
    partnerships.nowApproval = await partnership(buyer.id, { numbering: { invoice: 'NOWA' }, policy: { approval: { kind: 'always' } } });
  });
  afterAll(() => t?.close());

  describe('POST /v1/invoices', () => {
    it('drafts an invoice with exact totals per VAT rate, answering 201 with Location and ETag, and reads it back', async () => {
      const created = await t.call('POST', '/v1/invoices', {
        body: {
          partnershipId: partnerships.main,
          issueDate: '2026-03-02',
          purchaseOrderReference: 'PO-1',
          notes: ['Thank you'],
          buyerContactId: buyer.contacts[0]?.id,
          // 1.5 × 33.33 = 49.995: rounded half-up once, on the line's gross amount.
          lines: [line('2', '10.00'), { ...line('1.5', '33.33', '5.5'), name: 'Training', unitCode: 'DAY' }],
        },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/v1/invoices/${created.body.id}`);
      expect(created.headers.get('etag')).toBe(`"${created.body.version}"`);
      expect(created.body).not.toHaveProperty('tenantId');
      expect(created.body).not.toHaveProperty('number');
      expect(created.body).toMatchObject({
        kind: 'invoice',
        status: 'draft',
        series: 'INV',
        partnershipId: partnerships.main,
        sellerId: seller.id,
        buyerId: buyer.id,
        buyerContactId: buyer.contacts[0]?.id,
        currency: 'EUR',
        issueDate: '2026-03-02',
        paymentTerms: { kind: 'net', days: 30 },
        purchaseOrderReference: 'PO-1',
        buyerReference: 'CONTRACT-7',
        notes: ['Thank you'],
        payments: [],
        credits: [],
      });
      expect(created.body.lines).toEqual([
        expect.objectContaining({ id: '1', name: 'Consulting', quantity: '2', unitCode: 'HUR', netPrice: '10', priceBaseQuantity: '1', vat: { code: 'S', rate: '20' }, netAmount: eur('20.00') }),
        expect.objectContaining({ id: '2', name: 'Training', quantity: '1.5', unitCode: 'DAY', netPrice: '33.33', vat: { code: 'S', rate: '5.5' }, netAmount: eur('50.00') }),
      ]);
      expect(created.body.vatBreakdown).toEqual([
        { category: { code: 'S', rate: '20' }, taxableAmount: eur('20.00'), taxAmount: eur('4.00') },
        { category: { code: 'S', rate: '5.5' }, taxableAmount: eur('50.00'), taxAmount: eur('2.75') },
      ]);
      expect(created.body.totals).toEqual({
        lineTotal: eur('70.00'),
        allowanceTotal: eur('0.00'),
        chargeTotal: eur('0.00'),
        taxExclusive: eur('70.00'),
        taxTotal: eur('6.75'),
        taxInclusive: eur('76.75'),
        prepaid: eur('0.00'),
        rounding: eur('0.00'),
        amountDue: eur('76.75'),
      });

      const read = await t.call('GET', created.headers.get('location') ?? '', { as: 'acme-viewer' });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
      expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
    });

    it('applies line and document allowances and charges before VAT', async () => {
      const body = {
        ...simple,
        lines: [{ ...line('4', '25.00'), allowances: [{ percent: '10', reason: 'Volume' }] }],
        charges: [{ amount: '5.00', reason: 'Shipping', vat: { code: 'S', rate: '20' } }],
        allowances: [{ amount: '10.00', reasonCode: '95', vat: { code: 'S', rate: '20' } }],
      };
      const created = await draft(partnerships.main, body);
      // 4 × 25.00 = 100.00, −10 % = 90.00; − 10.00 + 5.00 = 85.00; VAT 17.00.
      expect(created.lines[0].netAmount).toEqual(eur('90.00'));
      expect(created.totals).toMatchObject({ lineTotal: eur('90.00'), allowanceTotal: eur('10.00'), chargeTotal: eur('5.00'), taxExclusive: eur('85.00'), taxTotal: eur('17.00'), amountDue: eur('102.00') });
    });

    it('refuses a malformed body field by field, before anything runs (400 request.invalid)', async () => {
      const invalid = await t.call('POST', '/v1/invoices', {
        body: { partnershipId: 42, lines: [{ quantity: 2, netPrice: 10, vat: { code: 'X' } }], color: 'blue' },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.headers.get('content-type')).toContain('application/problem+json');
      expect(invalid.body.code).toBe('request.invalid');
      const issues = invalid.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`);
      expect(issues).toEqual(
        expect.arrayContaining(['partnershipId:request.is_string', 'lines.0.quantity:request.is_string', 'lines.0.netPrice:request.is_string', 'lines.0.vat.code:request.is_in', 'color:request.unknown_property']),
      );
    });

    it('refuses a quantity, price or rate given as a JSON number with its type issue only, whole or not (400 request.is_string)', async () => {
      const answer = await t.call('POST', '/v1/invoices', {
        body: { partnershipId: partnerships.main, lines: [{ name: 'Consulting', quantity: 0.1, unitCode: 'HUR', netPrice: 10, vat: { code: 'S', rate: 20 } }] },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('request.invalid');
      // No "shorter than or equal to 36 characters" as well: a number has no length.
      const issues = answer.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`);
      expect(issues.sort()).toEqual(['lines.0.netPrice:request.is_string', 'lines.0.quantity:request.is_string', 'lines.0.vat.rate:request.is_string']);
    });

    it('refuses reason and exemption codes outside their code lists on a draft and its update (400), and leaves an imported file\'s to the validator (422) (audit D3)', async () => {
      const S20 = { code: 'S', rate: '20' };
      const bad = {
        lines: [{ name: 'Consulting', quantity: '1', unitCode: 'HUR', netPrice: '100.00', vat: { code: 'E', exemptionReasonCode: 'VATEX-FAKE' }, allowances: [{ amount: '1.00', reasonCode: 'ZZ' }] }],
        charges: [{ amount: '1.00', reason: 'Freight', reasonCode: '95', vat: S20 }],
      };
      const expected = ['charges.0.reasonCode:allowance_charge.unknown_reason_code', 'lines.0.allowances.0.reasonCode:allowance_charge.unknown_reason_code', 'lines.0.vat.exemptionReasonCode:vat.unknown_exemption_code'];
      const issuesOf = (answer: { body: { errors: { path: string; code: string }[] } }) => answer.body.errors.map((issue) => `${issue.path}:${issue.code}`).sort();

      const created = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.main, ...bad } });
      expect([created.status, created.body.code, issuesOf(created)]).toEqual([400, 'validation.failed', expected]);
      const stored = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.main, ...simple } });
      const updated = await t.call('PUT', `/v1/invoices/${stored.body.id}`, { body: bad, headers: { 'if-match': stored.headers.get('etag') ?? '' } });
      expect([updated.status, issuesOf(updated)]).toEqual([400, expected]);
      expect((await get(stored.body.id)).version).toBe(stored.body.version);

      // A file read from elsewhere is refused by the EN 16931 validator with its findings, before any draft is made.
      const issuedOne = await issued(partnerships.main, { ...simple, charges: [{ amount: '1.00', reason: 'Freight', reasonCode: 'FC', vat: S20 }] });
      const file = (await t.call('GET', `/v1/invoices/${issuedOne.id}/e-invoice`)).text;
      expect(file).toContain('<cbc:AllowanceChargeReasonCode>FC</cbc:AllowanceChargeReasonCode>');
      const imported = await t.call('POST', `/v1/e-invoices/import?partnership_id=${partnerships.main}`, {
        body: file.replace('<cbc:AllowanceChargeReasonCode>FC<', '<cbc:AllowanceChargeReasonCode>95<').replace(/<cbc:ID>[^<]*<\/cbc:ID>/, '<cbc:ID>D3-IMPORT-1</cbc:ID>'),
        headers: { 'content-type': 'application/xml' },
      });
      expect([imported.status, imported.body.code]).toEqual([422, 'e_invoice.invalid']);
      expect(imported.body.findings).toEqual([expect.objectContaining({ rule: 'BR-CL-20', term: 'BT-105' })]);
    });

    it('refuses what the domain finds wrong, each problem under its field (400)', async () => {
      const answer = await t.call('POST', '/v1/invoices', {
        body: {
          partnershipId: partnerships.main,
          dueDate: '2026-02-30',
          prepaidAmount: '1.234',
          lines: [{ name: 'X', quantity: '2,5', unitCode: 'C62', netPrice: '10.00', vat: { code: 'S' } }],
        },
      });
      expect(answer.status).toBe(400);
      const issues = answer.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`);
      expect(issues).toEqual(expect.arrayContaining(['lines.0.quantity:decimal.malformed', 'lines.0.vat.rate:vat.rate_required', 'dueDate:date.malformed', 'prepaidAmount:money.precision_exceeded']));
    });

    it('drafts and issues an invoice dated after its partnership ended for an invoicing period within it (BG-14)', async () => {
      const ended = await partnership(buyer.id, { numbering: { invoice: 'END' }, validUntil: '2026-01-31' });
      const lines = [{ ...line('2', '10.00'), period: { start: '2026-01-01', end: '2026-01-15' } }, { ...line('1', '5.00'), period: { end: '2026-01-31' } }];
      const body = { ...simple, lines, issueDate: '2026-02-01', invoicePeriod: { start: '2026-01-01', end: '2026-01-31' } };

      const created = await draft(ended, body);
      expect(created.invoicePeriod).toEqual({ start: '2026-01-01', end: '2026-01-31' });
      expect(created.lines.map((each: { period?: object }) => each.period)).toEqual([{ start: '2026-01-01', end: '2026-01-15' }, { end: '2026-01-31' }]);
      const done = await t.call('POST', `/v1/invoices/${created.id}/issue`);
      expect([done.status, done.body.number, done.body.invoicePeriod]).toEqual([200, 'END-000001', { start: '2026-01-01', end: '2026-01-31' }]);
      expect((await get(created.id)).invoicePeriod).toEqual({ start: '2026-01-01', end: '2026-01-31' });
      // Credited in full after the end: for the same days, its own and its lines'.
      const credited = await t.call('POST', `/v1/invoices/${created.id}/credit-notes`, { body: { reason: 'Cancelled' } });
      expect([credited.status, credited.body.invoicePeriod, credited.body.lines.map((each: { period?: object }) => each.period)]).toEqual([
        201,
        { start: '2026-01-01', end: '2026-01-31' },
        [{ start: '2026-01-01', end: '2026-01-15' }, { end: '2026-01-31' }],
      ]);

      const past = await t.call('POST', '/v1/invoices', { body: { partnershipId: ended, ...body, invoicePeriod: { start: '2026-01-15', end: '2026-02-01' } } });
      expect([past.status, past.body.code]).toEqual([409, 'partnership.not_active']);
      const without = await t.call('POST', '/v1/invoices', { body: { partnershipId: ended, ...simple, issueDate: '2026-02-01' } });
      expect([without.status, without.body.code]).toEqual([409, 'partnership.not_active']);
    });

    it("refuses an invoicing or line period that is malformed, empty or ends before it starts, with the content's other issues (400)", async () => {
      const malformed = await t.call('POST', '/v1/invoices', {
        body: { partnershipId: partnerships.main, ...simple, invoicePeriod: { start: 20260101, until: '2026-01-31' }, lines: [{ ...line('1', '1.00'), period: { end: false } }] },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`)).toEqual(
        expect.arrayContaining(['invoicePeriod.start:request.is_string', 'invoicePeriod.until:request.unknown_property', 'lines.0.period.end:request.is_string']),
      );
      const reversed = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.main, ...simple, lines: [{ ...line('1', '1.00'), period: { start: '2026-01-02', end: '2026-01-01' } }] } });
      expect([reversed.status, reversed.body.errors?.[0]?.path, reversed.body.errors?.[0]?.code]).toEqual([400, 'lines.0.period.end', 'invoice.invalid_period']);
      for (const [invoicePeriod, path] of [[{}, 'invoicePeriod'], [{ start: '2026-01-31', end: '2026-01-01' }, 'invoicePeriod.end']] as const) {
        const refused = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.main, ...simple, dueDate: '2026-02-30', invoicePeriod } });
        expect(refused.status).toBe(400);
        expect(refused.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`).sort()).toEqual(['dueDate:date.malformed', `${path}:invoice.invalid_period`]);
      }
    });

    it('answers 404 for an unknown partnership and 409 for an external reference used before', async () => {
      const missing = await t.call('POST', '/v1/invoices', { body: { partnershipId: 'no-such-partnership', ...simple } });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('partnership.not_found');

      const first = await draft(partnerships.main, { ...simple, externalReference: 'ERP-1' });
      expect(first.externalReference).toBe('ERP-1');
      const again = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.main, ...simple, externalReference: 'ERP-1' } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'invoice.duplicate_external_reference' });
    });

    it('flags a look-alike of an existing invoice without refusing it', async () => {
      const first = await draft(partnerships.idem, { issueDate: '2026-05-04', lines: [line('7', '3.00')] });
      const second = await draft(partnerships.idem, { issueDate: '2026-05-06', lines: [line('7', '3.00')] });
      expect(first).not.toHaveProperty('possibleDuplicateOf');
      expect(second.possibleDuplicateOf).toBe(first.id);
    });
  });

  describe('POST /v1/invoices with issue: true', () => {
    it('creates the invoice issued and numbered in one request; a retry with the same key answers the same invoice', async () => {
      const key = randomUUID();
      const body = { partnershipId: partnerships.now, issue: true, ...simple };

      const created = await t.call('POST', '/v1/invoices', { body, headers: { 'idempotency-key': key } });
      const retried = await t.call('POST', '/v1/invoices', { body, headers: { 'idempotency-key': key } });

      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/v1/invoices/${created.body.id}`);
      expect(created.body).toMatchObject({ status: 'issued', number: 'NOW-000001', issueDate: '2026-03-02', dueDate: '2026-04-01', version: 1, totals: { amountDue: eur('24.00') } });
      expect(created.body.seller).toMatchObject({ partnerId: seller.id, legalName: 'Acme Seller SAS' });
      expect(retried).toMatchObject({ status: 201, body: created.body });
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(await get(created.body.id)).toEqual(created.body);
      // The next one, in two steps, is next in the same series.
      expect((await issued(partnerships.now)).number).toBe('NOW-000002');
    });

    it('answers what issuing answers when it cannot issue, and then stores nothing and consumes no number', async () => {
      const refused = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.nowApproval, issue: true, ...simple } });

      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'invoice.approval_required', partnershipId: partnerships.nowApproval });
      // Nothing was stored: the problem offers no invoice id to read (a GET on it answered 404).
      expect(refused.body).not.toHaveProperty('invoiceId');
      expect(refused.body.detail).toBe(`partnership ${partnerships.nowApproval} requires approval before an invoice is issued: create a draft, approve it, then issue it`);
      const listed = await t.call('GET', `/v1/invoices?partner_id=${buyer.id}&limit=100`);
      // A partner id is an id, as in a path: a control character never reaches a filter.
      for (const path of ['/v1/invoices', '/v1/partnerships', '/v1/reports/aging']) {
        const refused = await t.call('GET', `${path}?partner_id=${encodeURIComponent('ptr\u0000x')}`);
        expect([path, refused.status, refused.body.errors?.[0]?.path]).toEqual([path, 400, 'partner_id']);
      }
      expect(listed.body.items.filter((item: { partnershipId: string }) => item.partnershipId === partnerships.nowApproval)).toEqual([]);
      const pending = await draft(partnerships.nowApproval);
      expect((await t.call('POST', `/v1/invoices/${pending.id}/approve`)).status).toBe(200);
      expect((await t.call('POST', `/v1/invoices/${pending.id}/issue`)).body.number).toBe('NOWA-000001');
    });
  });

  describe('PUT /v1/invoices/:invoiceId', () => {
    it('replaces the whole content of a draft with If-Match, and refuses a stale version with 412', async () => {
      const created = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.main, ...simple, purchaseOrderReference: 'PO-2', notes: ['first'] } });
      const etag = created.headers.get('etag') ?? '';
      const changed = await t.call('PUT', `/v1/invoices/${created.body.id}`, {
        as: 'acme-accountant',
        body: { issueDate: '2026-03-03', dueDate: '2026-03-20', lines: [line('3', '10.00')] },
        headers: { 'if-match': etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe(`"${created.body.version + 1}"`);
      expect(changed.body).toMatchObject({ id: created.body.id, version: created.body.version + 1, status: 'draft', issueDate: '2026-03-03', dueDate: '2026-03-20', notes: [], buyerReference: 'CONTRACT-7' });
      // Left out of the update, hence removed.
      expect(changed.body).not.toHaveProperty('purchaseOrderReference');
      expect(changed.body.totals).toMatchObject({ taxExclusive: eur('30.00'), taxTotal: eur('6.00'), amountDue: eur('36.00') });

      const stale = await t.call('PUT', `/v1/invoices/${created.body.id}`, { body: { lines: [] }, headers: { 'if-match': etag } });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ status: 412, code: 'concurrency.stale_version' });
      expect((await get(created.body.id)).totals.amountDue).toEqual(eur('36.00'));

      const malformed = await t.call('PUT', `/v1/invoices/${created.body.id}`, { body: { lines: [] }, headers: { 'if-match': 'version 3' } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('precondition.malformed');

      const invalid = await t.call('PUT', `/v1/invoices/${created.body.id}`, { body: { lines: [line('1', '-5.00')] } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors).toEqual([expect.objectContaining({ path: 'lines.0.netPrice', code: 'line.negative_price' })]);

      const missing = await t.call('PUT', '/v1/invoices/no-such-invoice', { body: simple });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('invoice.not_found');
    });
  });

  describe('lifecycle', () => {
    it('issues with the next number of the series, takes a part payment then the rest, and ends paid', async () => {
      const first = await draft(partnerships.life);
      const issuedFirst = await t.call('POST', `/v1/invoices/${first.id}/issue`, { as: 'acme-accountant', headers: { 'if-match': `"${first.version}"` } });
      expect(issuedFirst.status).toBe(200);
      expect(issuedFirst.headers.get('etag')).toBe(`"${issuedFirst.body.version}"`);
      expect(issuedFirst.body).toMatchObject({
        status: 'issued',
        number: 'LIFE-000001',
        issueDate: '2026-03-02',
        dueDate: '2026-04-01',
        seller: { partnerId: seller.id, legalName: 'Acme Seller SAS', identifiers: { vatId: 'FR32123456789' }, address: { countryCode: 'FR', city: 'Paris' } },
        buyer: { partnerId: buyer.id, legalName: 'Buyer GmbH', identifiers: { vatId: 'DE123456789' }, address: { countryCode: 'DE' } },
        totals: { amountDue: eur('24.00') },
      });
      expect(typeof issuedFirst.body.issuedAt).toBe('string');
      // Sealed after issue (ADR 0022): null until the sealer has run, then the document's link in its series' chain.
      expect(issuedFirst.body.seal).toBeNull();
      await createMongoAdapters(t.api.app.get<MongoConnection>(DATABASE)).sealer.sealPending();
      const hex = expect.stringMatching(/^[0-9a-f]{64}$/);
      expect((await t.call('GET', `/v1/invoices/${first.id}`)).body.seal).toEqual({ position: 1, contentHash: hex, previousHash: '0'.repeat(64), hash: hex });
      const second = await issued(partnerships.life);
      expect(second.number).toBe('LIFE-000002');

      const reissue = await t.call('POST', `/v1/invoices/${first.id}/issue`);
      expect(reissue.status).toBe(409);
      expect(reissue.body.code).toBe('invoice.already_issued');
      const edit = await t.call('PUT', `/v1/invoices/${first.id}`, { body: simple });
      expect(edit.status).toBe(409);
      expect(edit.body.code).toBe('invoice.not_draft');

      const part = await pay(first.id, '10.00');
      expect(part.status).toBe(201);
      expect(part.headers.get('location')).toBe(`/v1/payments/${part.body.id}`);
      expect(part.body).toMatchObject({
        partnerId: buyer.id,
        amount: eur('10.00'),
        receivedOn: '2026-03-15',
        reference: 'SEPA-1',
        applications: [{ invoiceId: first.id, amount: eur('10.00'), appliedOn: '2026-03-15' }],
        unapplied: eur('0.00'),
      });
      const partlyPaid = await get(first.id);
      expect(partlyPaid).toMatchObject({ status: 'partially_paid', payments: [{ paymentId: part.body.id, amount: eur('10.00'), appliedOn: '2026-03-15' }] });
      expect(partlyPaid).toMatchObject({ paid: eur('10.00'), credited: eur('0.00'), outstanding: eur('14.00') });

      // 20.00 against 14.00 owed: 14.00 settles the invoice, 6.00 stays on the payment as the buyer's credit.
      const rest = await pay(first.id, '20.00');
      expect(rest.status).toBe(201);
      expect(rest.body.applications).toEqual([{ invoiceId: first.id, amount: eur('14.00'), appliedOn: '2026-03-15' }]);
      expect(rest.body.unapplied).toEqual(eur('6.00'));
      const paid = await get(first.id);
      expect(paid.status).toBe('paid');
      expect(paid).toMatchObject({ paid: eur('24.00'), outstanding: eur('0.00') });
      expect(paid.payments.map((payment: { amount: unknown }) => payment.amount)).toEqual([eur('10.00'), eur('14.00')]);

      const more = await pay(first.id, '1.00');
      expect(more.status).toBe(409);
      expect(more.body.code).toBe('invoice.already_paid');
      const voided = await t.call('POST', `/v1/invoices/${first.id}/void`);
      expect(voided.status).toBe(409);
      expect(voided.body.code).toBe('invoice.already_paid');
    });

    it('refuses to issue an incomplete draft, listing every problem, and consumes no number', async () => {
      const empty = await draft(partnerships.gap, { lines: [] });
      const refused = await t.call('POST', `/v1/invoices/${empty.id}/issue`);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'invoice.not_issuable', errors: [{ path: 'lines', code: 'invoice.no_lines' }] });

      const completed = await t.call('PUT', `/v1/invoices/${empty.id}`, { body: { ...simple, dueDate: '2026-03-01' } });
      const early = await t.call('POST', `/v1/invoices/${empty.id}/issue`, { headers: { 'if-match': `"${completed.body.version}"` } });
      expect(early.status).toBe(400);
      expect(early.body.errors).toEqual([expect.objectContaining({ path: 'dueDate', code: 'invoice.due_before_issue' })]);

      await t.call('PUT', `/v1/invoices/${empty.id}`, { body: simple });
      const issuedNow = await t.call('POST', `/v1/invoices/${empty.id}/issue`);
      expect(issuedNow.status).toBe(200);
      expect(issuedNow.body.number).toBe('GAP-000001');
    });

    it('refuses to issue an invoice due below zero (a return), as draft then issue or at once, and consumes no number (audit recon F1)', async () => {
      const returned = { ...simple, lines: [{ ...simple.lines[0], quantity: '-1' }] };
      const at = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.gap, issue: true, ...returned } });
      expect(at.status).toBe(400);
      expect(at.body).toMatchObject({ code: 'invoice.not_issuable', errors: [{ path: 'totals.amountDue', code: 'invoice.negative_amount_due' }] });
      const kept = await draft(partnerships.gap, returned);
      const refused = await t.call('POST', `/v1/invoices/${kept.id}/issue`);
      expect(refused.body).toMatchObject({ code: 'invoice.not_issuable', errors: [{ path: 'totals.amountDue', code: 'invoice.negative_amount_due' }] });
      expect((await get(kept.id)).status).toBe('draft');
      // The refusals took no number: the next one issued follows the test before's GAP-000001.
      const next = await t.call('POST', '/v1/invoices', { body: { partnershipId: partnerships.gap, issue: true, ...simple } });
      expect(next.body.number).toBe('GAP-000002');
    });

    it('needs approval where the partnership says so, and records who approved', async () => {
      const created = await draft(partnerships.approval);
      const unapproved = await t.call('POST', `/v1/invoices/${created.id}/issue`);
      expect(unapproved.status).toBe(409);
      expect(unapproved.body.code).toBe('invoice.approval_required');

      const approved = await t.call('POST', `/v1/invoices/${created.id}/approve`, { as: 'acme-accountant', headers: { 'if-match': `"${created.version}"` } });
      expect(approved.status).toBe(200);
      expect(approved.body.approval).toEqual({ by: demoUser('acme', 'accountant').username, at: expect.any(String) });
      const issuedNow = await t.call('POST', `/v1/invoices/${created.id}/issue`);
      expect(issuedNow.status).toBe(200);
      expect(issuedNow.body.status).toBe('issued');

      const late = await t.call('POST', `/v1/invoices/${created.id}/approve`);
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('invoice.not_draft');
    });

    it('asks someone who is none of the draft\'s authors to approve it, at the version they reviewed, where the partnership says so (four eyes)', async () => {
      const strict = await partnership(buyer.id, { numbering: { invoice: 'FOUR' }, policy: { approval: { kind: 'above', threshold: '0.00', separateApprover: true } } });
      expect((await t.call('GET', `/v1/partnerships/${strict}`)).body.policy.approval).toEqual({ kind: 'above', threshold: { amount: '0.00', currency: 'EUR' }, separateApprover: true });
      const created = await draft(strict, simple, 'acme-accountant');
      expect(created.authors).toEqual([demoUser('acme', 'accountant').username]);
      const at = { 'if-match': `"${created.version}"` };

      const own = await t.call('POST', `/v1/invoices/${created.id}/approve`, { as: 'acme-accountant', headers: at });
      expect([own.status, own.body.code]).toEqual([409, 'invoice.self_approval']);
      // Approving under four eyes names the version reviewed: none named could approve a change made meanwhile.
      const unseen = await t.call('POST', `/v1/invoices/${created.id}/approve`, { as: 'acme-admin' });
      expect([unseen.status, unseen.body.code, unseen.body.version]).toEqual([409, 'invoice.approval_version_required', created.version]);
      const other = await t.call('POST', `/v1/invoices/${created.id}/approve`, { as: 'acme-admin', headers: at });
      expect([other.status, other.body.approval?.by]).toEqual([200, demoUser('acme', 'admin').username]);
      expect((await t.call('POST', `/v1/invoices/${created.id}/issue`)).body.number).toBe('FOUR-000001');

      // The admin changes another of the accountant's drafts: both are its authors now, and neither approves it.
      const second = await draft(strict, simple, 'acme-accountant');
      const changed = await t.call('PUT', `/v1/invoices/${second.id}`, { as: 'acme-admin', body: { ...simple, notes: ['Changed'] } });
      expect([changed.status, changed.body.authors]).toEqual([200, [demoUser('acme', 'accountant').username, demoUser('acme', 'admin').username]]);
      for (const as of ['acme-admin', 'acme-accountant'] as const) {
        expect((await t.call('POST', `/v1/invoices/${second.id}/approve`, { as, headers: { 'if-match': `"${changed.body.version}"` } })).body.code).toBe('invoice.self_approval');
      }
      const none = await t.call('POST', '/v1/partnerships', { body: { sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01', policy: { approval: { kind: 'none', separateApprover: true } } } });
      expect([none.status, none.body.code, none.body.errors]).toEqual([400, 'partnership.invalid_approval', [expect.objectContaining({ path: 'policy.approval.separateApprover', code: 'partnership.invalid_approval' })]]);
    });

    it('voids an issued invoice with its reason; a void invoice is never issued, paid, credited or voided again', async () => {
      const invoice = await issued(partnerships.main);
      const stale = await t.call('POST', `/v1/invoices/${invoice.id}/void`, { body: { reason: 'Sent twice' }, headers: { 'if-match': `"${invoice.version - 1}"` } });
      expect(stale.status).toBe(412);
      expect(stale.body.code).toBe('concurrency.stale_version');

      const voided = await t.call('POST', `/v1/invoices/${invoice.id}/void`, { as: 'acme-accountant', body: { reason: 'Sent twice' }, headers: { 'if-match': `"${invoice.version}"` } });
      expect(voided.status).toBe(200);
      expect(voided.body).toMatchObject({ status: 'void', voidReason: 'Sent twice', number: invoice.number, version: invoice.version + 1 });

      for (const [path, body, code] of [
        ['issue', undefined, 'invoice.not_draft'],
        ['void', undefined, 'invoice.voided'],
        ['mark-uncollectible', undefined, 'invoice.voided'],
        ['credit-notes', {}, 'invoice.voided'],
        ['payments', { amount: '1.00', currency: 'EUR', receivedOn: '2026-03-15' }, 'invoice.voided'],
      ] as const) {
        const answer = await t.call('POST', `/v1/invoices/${invoice.id}/${path}`, { body });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 409, code });
      }

      const aDraft = await draft(partnerships.main);
      const notIssued = await t.call('POST', `/v1/invoices/${aDraft.id}/void`);
      expect(notIssued.status).toBe(409);
      expect(notIssued.body.code).toBe('invoice.not_issued');
    });

    it('writes an invoice off; a payment naming it is still accepted and settles it', async () => {
      const invoice = await issued(partnerships.main);
      const writtenOff = await t.call('POST', `/v1/invoices/${invoice.id}/mark-uncollectible`, { as: 'acme-accountant', headers: { 'if-match': `"${invoice.version}"` } });
      expect(writtenOff.status).toBe(200);
      expect(writtenOff.body.status).toBe('uncollectible');
      const again = await t.call('POST', `/v1/invoices/${invoice.id}/mark-uncollectible`);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('invoice.already_uncollectible');

      const part = await pay(invoice.id, '4.00');
      expect(part.status).toBe(201);
      expect((await get(invoice.id)).status).toBe('uncollectible');
      expect((await pay(invoice.id, '20.00')).status).toBe(201);
      expect((await get(invoice.id)).status).toBe('paid');
    });
  });

  describe('POST /v1/invoices/:invoiceId/credit-notes', () => {
    it('credits part of an invoice by lines, reducing what is owed, then the rest with a credit without lines; never in a VAT category the invoice did not charge', async () => {
      const invoice = await issued(partnerships.main);
      const partial = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, {
        as: 'acme-accountant',
        body: { lines: [line('1', '10.00')], reason: 'One hour not worked', externalReference: 'ERP-CN-1' },
      });
      expect(partial.status).toBe(201);
      expect(partial.headers.get('location')).toBe(`/v1/invoices/${partial.body.id}`);
      expect(partial.body).toMatchObject({
        kind: 'credit_note',
        status: 'issued',
        series: 'CN',
        currency: 'EUR',
        paymentTerms: { kind: 'due_on_receipt' },
        notes: ['One hour not worked'],
        externalReference: 'ERP-CN-1',
        buyerReference: 'CONTRACT-7',
        precedingInvoice: { id: invoice.id, number: invoice.number, issueDate: '2026-03-02' },
        seller: invoice.seller,
        buyer: invoice.buyer,
        totals: { taxExclusive: eur('10.00'), taxTotal: eur('2.00'), amountDue: eur('12.00') },
      });
      expect(partial.body.number).toMatch(/^CN-\d{6}$/);
      expect((await t.call('GET', partial.headers.get('location') ?? '')).body).toEqual(partial.body);

      const credited = await get(invoice.id);
      expect(credited).toMatchObject({ status: 'issued', credits: [{ creditNoteId: partial.body.id, creditNoteNumber: partial.body.number, amount: eur('12.00') }] });
      const listed = await t.call('GET', `/v1/invoices?partner_id=${buyer.id}&status=issued&kind=invoice&limit=200`);
      expect(listed.body.items.find((item: { id: string }) => item.id === invoice.id)).toMatchObject({ total: eur('24.00'), credited: eur('12.00'), paid: eur('0.00'), outstanding: eur('12.00') });

      const otherRate = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, { body: { lines: [line('1', '5.00', '10')] } });
      expect(otherRate.status).toBe(422);
      expect(otherRate.body).toMatchObject({
        status: 422,
        code: 'invoice.credit_exceeds_vat_category',
        category: { code: 'S', rate: '10' },
        remaining: { taxableAmount: eur('0.00'), taxAmount: eur('0.00') },
      });

      // Without lines, what the first credit note left: 10.00 at 20 %.
      const rest = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, { body: {} });
      expect(rest.status).toBe(201);
      expect(rest.body.number).not.toBe(partial.body.number);
      expect(rest.body.totals).toMatchObject({ taxExclusive: eur('10.00'), taxTotal: eur('2.00'), amountDue: eur('12.00') });
      expect((await get(invoice.id)).status).toBe('credited');

      for (const [path, code] of [
        ['void', 'invoice.fully_credited'],
        ['credit-notes', 'invoice.fully_credited'],
      ] as const) {
        const answer = await t.call('POST', `/v1/invoices/${invoice.id}/${path}`, { body: {} });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 409, code });
      }
      const ofCreditNote = await t.call('POST', `/v1/invoices/${partial.body.id}/credit-notes`, { body: {} });
      expect(ofCreditNote.status).toBe(409);
      expect(ofCreditNote.body.code).toBe('credit_note.not_creditable');
      const writeOffCreditNote = await t.call('POST', `/v1/invoices/${partial.body.id}/mark-uncollectible`);
      expect(writeOffCreditNote.status).toBe(409);
      expect(writeOffCreditNote.body.code).toBe('credit_note.not_payable');
    });

    it('credits a whole invoice by default, copying its lines', async () => {
      const invoice = await issued(partnerships.main);
      const stale = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, { body: {}, headers: { 'if-match': `"${invoice.version - 1}"` } });
      expect(stale.status).toBe(412);

      const creditNote = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, { body: { reason: 'Cancelled order' }, headers: { 'if-match': `"${invoice.version}"` } });
      expect(creditNote.status).toBe(201);
      expect(creditNote.body.lines).toEqual(invoice.lines);
      expect(creditNote.body.totals).toEqual(invoice.totals);
      expect((await get(invoice.id)).status).toBe('credited');

      const ofDraft = await t.call('POST', `/v1/invoices/${(await draft(partnerships.main)).id}/credit-notes`, { body: {} });
      expect(ofDraft.status).toBe(409);
      expect(ofDraft.body.code).toBe('invoice.not_issued');
    });

    it('credits what was paid as the buyer\'s credit, which a refund pays back; once, however often retried; and refuses a credit of what is credited in full', async () => {
      // A buyer of its own: a refund draws on the buyer's oldest credit, and other tests leave some on theirs.
      const returning = await partner(buyerAt('Returns Buyer KG'));
      const invoice = await issued(await partnership(returning.id), { issueDate: '2026-03-02', lines: [line('1', '100.00')] });
      expect(invoice.totals.amountDue).toEqual(eur('120.00'));
      const payment = await pay(invoice.id, '120.00');
      expect(payment.status).toBe(201);
      expect((await get(invoice.id)).status).toBe('paid');

      // 25.00 at 20 %: 30.00 of what was paid goes back to the payment.
      const key = { 'idempotency-key': randomUUID() };
      const request = { body: { lines: [line('1', '25.00')], reason: 'One unit returned after payment' }, headers: key };
      const first = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, request);
      expect(first.status).toBe(201);
      expect(first.body.totals.amountDue).toEqual(eur('30.00'));
      const retried = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, request);
      expect(retried.status).toBe(201);
      expect(retried.body.id).toBe(first.body.id);

      const credited = await get(invoice.id);
      expect(credited).toMatchObject({ status: 'paid', paid: eur('90.00'), credited: eur('30.00'), outstanding: eur('0.00') });
      expect(credited.payments).toEqual([{ paymentId: payment.body.id, amount: eur('120.00'), appliedOn: '2026-03-15' }]);
      expect(credited.credits).toEqual([
        { creditNoteId: first.body.id, creditNoteNumber: first.body.number, amount: eur('30.00'), appliedOn: first.body.issueDate, paymentsReturned: [{ paymentId: payment.body.id, amount: eur('30.00') }] },
      ]);
      const listed = await t.call('GET', `/v1/invoices?partner_id=${returning.id}&kind=invoice`);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: invoice.id, status: 'paid', paid: eur('90.00'), credited: eur('30.00'), outstanding: eur('0.00') })]);
      const returned = (await t.call('GET', `/v1/payments/${payment.body.id}`)).body;
      expect(returned).toMatchObject({
        applications: [{ invoiceId: invoice.id, amount: eur('120.00') }],
        returns: [{ invoiceId: invoice.id, creditNoteId: first.body.id, amount: eur('30.00'), returnedOn: first.body.issueDate }],
        refunds: [],
        // Returned once, though the credit note was asked for twice.
        unapplied: eur('30.00'),
      });
      expect((await t.call('GET', `/v1/partners/${returning.id}/balance`)).body.balances).toEqual([
        { currency: 'EUR', outstanding: eur('0.00'), unappliedCredit: eur('30.00'), balance: eur('-30.00') },
      ]);

      const refund = await t.call('POST', `/v1/partners/${returning.id}/refunds`, { as: 'acme-accountant', body: { amount: '30.00', currency: 'EUR', refundedOn: '2026-03-20' } });
      expect(refund.status).toBe(201);
      expect(refund.body).toMatchObject({ amount: eur('30.00'), payments: [payment.body.id] });
      const again = await t.call('POST', `/v1/partners/${returning.id}/refunds`, { body: { amount: '0.01', currency: 'EUR', refundedOn: '2026-03-20' } });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('account.insufficient_credit');

      // Without lines: the rest, 90.00, all of it paid.
      const rest = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, { body: {} });
      expect(rest.status).toBe(201);
      expect(rest.body.totals.amountDue).toEqual(eur('90.00'));
      const whole = await get(invoice.id);
      expect(whole).toMatchObject({ status: 'credited', paid: eur('0.00'), credited: eur('120.00'), outstanding: eur('0.00') });
      expect(whole.credits[1]).toMatchObject({ creditNoteId: rest.body.id, amount: eur('90.00'), paymentsReturned: [{ paymentId: payment.body.id, amount: eur('90.00') }] });
      expect((await t.call('GET', `/v1/payments/${payment.body.id}`)).body).toMatchObject({
        returns: [{ creditNoteId: first.body.id, amount: eur('30.00') }, { creditNoteId: rest.body.id, amount: eur('90.00') }],
        refunds: [{ amount: eur('30.00') }],
        unapplied: eur('90.00'),
      });

      const third = await t.call('POST', `/v1/invoices/${invoice.id}/credit-notes`, { body: { lines: [line('1', '1.00')] } });
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('invoice.fully_credited');

      // The change feed tells each return once, with the payment's credit after it.
      const events = t.api.app.get<MongoEventAdapters>(EVENT_ADAPTERS);
      const relay = new EventRelay({ outbox: events.outbox, log: events.log, endpoints: events.endpoints, deliveries: events.deliveries, lease: events.lease() });
      while ((await relay.relayOnce()) > 0);
      const feed = await t.call('GET', '/v1/events?after=0&limit=100&types=payment.application_returned');
      expect(feed.status).toBe(200);
      const mine = feed.body.items.filter((event: { aggregateId: string }) => event.aggregateId === payment.body.id);
      expect(mine.map((event: { payload: unknown }) => event.payload)).toEqual([
        { paymentId: payment.body.id, invoiceId: invoice.id, creditNoteId: first.body.id, amount: eur('30.00'), unapplied: eur('30.00') },
        { paymentId: payment.body.id, invoiceId: invoice.id, creditNoteId: rest.body.id, amount: eur('90.00'), unapplied: eur('90.00') },
      ]);
    });
  });

  describe('POST /v1/invoices/:invoiceId/payments', () => {
    it('refuses malformed payments and invoices that cannot take one', async () => {
      const invoice = await issued(partnerships.main);
      const number = await t.call('POST', `/v1/invoices/${invoice.id}/payments`, { body: { amount: 24, currency: 'EUR', receivedOn: '2026-03-15' } });
      expect(number.status).toBe(400);
      expect(number.body.errors).toContainEqual(expect.objectContaining({ path: 'amount', code: 'request.is_string' }));
      const zero = await pay(invoice.id, '0.00');
      expect(zero.status).toBe(400);
      expect(zero.body.errors).toEqual([expect.objectContaining({ path: 'amount', code: 'payment.invalid_amount' })]);
      const otherCurrency = await t.call('POST', `/v1/invoices/${invoice.id}/payments`, { body: { amount: '24.00', currency: 'USD', receivedOn: '2026-03-15' } });
      expect(otherCurrency.status).toBe(400);
      expect(otherCurrency.body.errors[0].code).toBe('payment.invoice_mismatch');
      const badDate = await t.call('POST', `/v1/invoices/${invoice.id}/payments`, { body: { amount: '24.00', currency: 'EUR', receivedOn: '15/03/2026' } });
      expect(badDate.status).toBe(400);
      expect(badDate.body.errors).toEqual([expect.objectContaining({ path: 'receivedOn', code: 'date.malformed' })]);
      expect((await get(invoice.id)).payments).toEqual([]);

      const ofDraft = await pay((await draft(partnerships.main)).id, '24.00');
      expect(ofDraft.status).toBe(409);
      expect(ofDraft.body.code).toBe('invoice.not_issued');
      const missing = await pay('no-such-invoice', '24.00');
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('invoice.not_found');
    });
  });

  describe('GET /v1/invoices', () => {
    it('filters by partner, status, kind, issue dates and overdue, newest first, page by page', async () => {
      const aDraft = await draft(partnerships.list, { lines: [line('1', '10.00')] });
      const early = await issued(partnerships.list, { issueDate: '2025-01-10', dueDate: '2025-02-09', lines: [line('2', '10.00')] });
      const later = await issued(partnerships.list, { issueDate: '2025-03-10', lines: [line('3', '10.00')] });
      const creditNote = (await t.call('POST', `/v1/invoices/${later.id}/credit-notes`, { body: { lines: [line('1', '10.00')] } })).body;
      const ids = async (query: string) => {
        const answer = await t.call('GET', `/v1/invoices?partner_id=${listBuyer.id}${query}`, { as: 'acme-viewer' });
        expect(answer.status).toBe(200);
        return answer.body.items.map((item: { id: string }) => item.id);
      };

      expect(await ids('')).toEqual([creditNote.id, later.id, early.id, aDraft.id]);
      expect(await ids('&status=draft')).toEqual([aDraft.id]);
      expect(await ids('&status=draft,issued')).toEqual([creditNote.id, later.id, early.id, aDraft.id]);
      expect(await ids('&status=draft&status=issued&kind=invoice')).toEqual([later.id, early.id, aDraft.id]);
      expect(await ids('&kind=credit_note')).toEqual([creditNote.id]);
      expect(await ids('&issued_from=2025-01-01&issued_to=2025-01-31')).toEqual([early.id]);
      expect(await ids('&issued_from=2025-01-11&kind=invoice')).toEqual([later.id]);
      expect(await ids('&overdue_as_of=2025-03-01')).toEqual([early.id]);
      expect(await ids('&overdue_as_of=2025-05-01')).toEqual([later.id, early.id]);

      const summaries = (await t.call('GET', `/v1/invoices?partner_id=${listBuyer.id}&kind=invoice&status=issued`)).body.items;
      expect(summaries).toEqual([
        {
          id: later.id,
          kind: 'invoice',
          status: 'issued',
          number: 'LIST-000002',
          partnershipId: partnerships.list,
          sellerId: seller.id,
          buyerId: listBuyer.id,
          currency: 'EUR',
          issueDate: '2025-03-10',
          dueDate: '2025-04-09',
          total: eur('36.00'),
          prepaid: eur('0.00'),
          rounding: eur('0.00'),
          amountDue: eur('36.00'),
          paid: eur('0.00'),
          credited: eur('12.00'),
          outstanding: eur('24.00'),
          seal: null,
        },
        expect.objectContaining({ id: early.id, number: 'LIST-000001', dueDate: '2025-02-09', total: eur('24.00'), outstanding: eur('24.00') }),
      ]);

      const first = await t.call('GET', `/v1/invoices?partner_id=${listBuyer.id}&limit=3`);
      expect(first.body.items).toHaveLength(3);
      expect(typeof first.body.nextCursor).toBe('string');
      const second = await t.call('GET', `/v1/invoices?partner_id=${listBuyer.id}&limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(second.body).toEqual({ items: [expect.objectContaining({ id: aDraft.id })], nextCursor: null });
    });

    it('refuses malformed filters (400)', async () => {
      for (const [query, path, code] of [
        ['status=bogus', 'status', 'request.is_in'],
        ['kind=receipt', 'kind', 'request.is_in'],
        ['issued_from=2025-02-30', 'issued_from', 'date.malformed'],
        ['overdue_as_of=yesterday', 'overdue_as_of', 'date.malformed'],
        ['limit=0', 'limit', 'pagination.invalid_limit'],
        ['cursor=garbage', 'cursor', 'pagination.invalid_cursor'],
        ['color=blue', 'color', 'request.unknown_property'],
      ]) {
        const answer = await t.call('GET', `/v1/invoices?${query}`);
        expect({ query, status: answer.status, issue: answer.body.errors?.[0] }).toEqual({ query, status: 400, issue: expect.objectContaining({ path, code }) });
      }
    });
  });

  describe('permissions and tenants', () => {
    it('lets viewers only read, and integrators only read and create drafts', async () => {
      const invoice = await issued(partnerships.main);
      const byIntegrator = await draft(partnerships.main, simple, 'acme-integrator');
      expect(byIntegrator).toMatchObject({ status: 'draft', totals: { amountDue: eur('24.00') } });
      expect((await t.call('GET', `/v1/invoices/${byIntegrator.id}`, { as: 'acme-integrator' })).status).toBe(200);

      const writes = [
        ['POST', '/v1/invoices', { partnershipId: partnerships.main, ...simple }, 'invoices:create'],
        ['PUT', `/v1/invoices/${byIntegrator.id}`, simple, 'invoices:write'],
        ['POST', `/v1/invoices/${byIntegrator.id}/approve`, undefined, 'invoices:write'],
        ['POST', `/v1/invoices/${byIntegrator.id}/issue`, undefined, 'invoices:write'],
        ['POST', `/v1/invoices/${invoice.id}/void`, {}, 'invoices:write'],
        ['POST', `/v1/invoices/${invoice.id}/mark-uncollectible`, undefined, 'invoices:write'],
        ['POST', `/v1/invoices/${invoice.id}/credit-notes`, {}, 'invoices:write'],
        ['POST', `/v1/invoices/${invoice.id}/payments`, { amount: '1.00', currency: 'EUR', receivedOn: '2026-03-15' }, 'payments:write'],
      ] as const;
      for (const caller of ['acme-viewer', 'acme-integrator'] as const) {
        for (const [method, path, body, permission] of writes) {
          if (caller === 'acme-integrator' && permission === 'invoices:create') continue;
          const answer = await t.call(method, path, { as: caller, body });
          expect({ caller, method, path, status: answer.status, code: answer.body.code, permission: answer.body.permission }).toEqual({
            caller,
            method,
            path,
            status: 403,
            code: 'auth.forbidden',
            permission,
          });
        }
      }
      // Issuing in the create request is issuing: the integrator's request takes no number.
      const issuing = await t.call('POST', '/v1/invoices', { as: 'acme-integrator', body: { partnershipId: partnerships.main, issue: true, ...simple } });
      expect({ status: issuing.status, code: issuing.body.code, permission: issuing.body.permission }).toEqual({ status: 403, code: 'auth.forbidden', permission: 'invoices:write' });
      // Review of 7 December 2026: a key's refusal for want of a permission was stored and replayed to the next caller
      // sending that key, who may hold it; and a key is its sender's: another caller's request under it is refused.
      const key = { 'idempotency-key': 'issue-as-integrator-1' };
      const body = { partnershipId: partnerships.main, issue: true, ...simple };
      expect((await t.call('POST', '/v1/invoices', { as: 'acme-integrator', body, headers: key })).status).toBe(403);
      const allowed = await t.call('POST', '/v1/invoices', { as: 'acme-accountant', body, headers: key });
      expect([allowed.status, allowed.headers.get('idempotent-replayed'), allowed.body.status]).toEqual([201, null, 'issued']);
      const replayed = await t.call('POST', '/v1/invoices', { as: 'acme-accountant', body, headers: key });
      expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.id]).toEqual([201, 'true', allowed.body.id]);
      const otherCaller = await t.call('POST', '/v1/invoices', { as: 'acme-integrator', body, headers: key });
      expect([otherCaller.status, otherCaller.body.code]).toEqual([422, 'idempotency.key_reused']);
      const next = await issued(partnerships.main);
      expect(Number(next.number?.replace(/\D/g, ''))).toBe(Number(invoice.number?.replace(/\D/g, '')) + 2);

      expect((await get(invoice.id)).status).toBe('issued');
      expect((await get(byIntegrator.id)).status).toBe('draft');
      const anonymous = await t.call('GET', `/v1/invoices/${invoice.id}`, { as: null });
      expect(anonymous.status).toBe(401);
    });

    it("keeps tenants apart: another tenant's invoice answers exactly like a missing one", async () => {
      const invoice = await issued(partnerships.main);
      const aDraft = await draft(partnerships.main);
      const routes = [
        ['GET', `/v1/invoices/${invoice.id}`],
        ['PUT', `/v1/invoices/${aDraft.id}`, simple],
        ['POST', `/v1/invoices/${aDraft.id}/approve`],
        ['POST', `/v1/invoices/${aDraft.id}/issue`],
        ['POST', `/v1/invoices/${invoice.id}/void`, { reason: 'Hijacked' }],
        ['POST', `/v1/invoices/${invoice.id}/mark-uncollectible`],
        ['POST', `/v1/invoices/${invoice.id}/credit-notes`, {}],
        ['POST', `/v1/invoices/${invoice.id}/payments`, { amount: '24.00', currency: 'EUR', receivedOn: '2026-03-15' }],
      ] as const;
      for (const [method, path, body] of routes) {
        const foreign = await t.call(method, path, { as: 'globex-admin', body });
        const missing = await t.call(method, path.replace(/\/v1\/invoices\/[^/]+/, '/v1/invoices/no-such-invoice'), { as: 'globex-admin', body });
        expect({ method, path, status: foreign.status, code: foreign.body.code }).toEqual({ method, path, status: 404, code: 'invoice.not_found' });
        expect({ status: missing.status, code: missing.body.code }).toEqual({ status: 404, code: 'invoice.not_found' });
      }
      const drafted = await t.call('POST', '/v1/invoices', { as: 'globex-admin', body: { partnershipId: partnerships.main, ...simple } });
      expect({ status: drafted.status, code: drafted.body.code }).toEqual({ status: 404, code: 'partnership.not_found' });
      expect((await t.call('GET', `/v1/invoices?partner_id=${buyer.id}`, { as: 'globex-admin' })).body).toEqual({ items: [], nextCursor: null });

      expect(await get(invoice.id)).toEqual(invoice);
      expect(await get(aDraft.id)).toEqual(aDraft);
    });
  });

  describe('idempotency', () => {
    const countFor = async (partnerId: string) => (await t.call('GET', `/v1/invoices?partner_id=${partnerId}&limit=200`)).body.items.length as number;

    it('replays a draft created with the same key and body, and refuses the key with another body (422)', async () => {
      const before = await countFor(idemBuyer.id);
      const key = randomUUID();
      const body = { partnershipId: partnerships.idem, ...simple, notes: ['retry me'] };
      const first = await t.call('POST', '/v1/invoices', { body, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      // Same body with its keys in another order: the same request.
      const replay = await t.call('POST', '/v1/invoices', { body: { notes: ['retry me'], ...simple, partnershipId: partnerships.idem }, headers: { 'idempotency-key': key } });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.headers.get('location')).toBe(first.headers.get('location'));
      expect(replay.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(replay.body).toEqual(first.body);

      const reused = await t.call('POST', '/v1/invoices', { body: { ...body, notes: ['another'] }, headers: { 'idempotency-key': key } });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency.key_reused');
      expect(await countFor(idemBuyer.id)).toBe(before + 1);
    });

    it('creates one invoice when the same request is sent twice at once', async () => {
      const before = await countFor(idemBuyer.id);
      const key = randomUUID();
      const body = { partnershipId: partnerships.idem, ...simple, notes: ['at once'] };
      const answers = await Promise.all([0, 1].map(() => t.call('POST', '/v1/invoices', { body, headers: { 'idempotency-key': key } })));
      const created = answers.filter((answer) => answer.status === 201 && answer.headers.get('idempotent-replayed') === null);
      const others = answers.filter((answer) => !created.includes(answer));
      expect(created).toHaveLength(1);
      expect(others).toHaveLength(1);
      const other = others[0];
      if (other?.status === 201) {
        expect(other.headers.get('idempotent-replayed')).toBe('true');
        expect(other.body.id).toBe(created[0]?.body.id);
      } else {
        expect({ status: other?.status, code: other?.body.code }).toEqual({ status: 409, code: 'idempotency.in_progress' });
        expect(other?.headers.get('retry-after')).toBe('1');
      }
      expect(await countFor(idemBuyer.id)).toBe(before + 1);
    });

    it('replays an issue with the same key, keeping its number', async () => {
      const created = await draft(partnerships.idem);
      const key = randomUUID();
      const first = await t.call('POST', `/v1/invoices/${created.id}/issue`, { headers: { 'idempotency-key': key } });
      expect(first.status).toBe(200);
      const retried = await t.call('POST', `/v1/invoices/${created.id}/issue`, { headers: { 'idempotency-key': key } });
      expect(retried.status).toBe(200);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(retried.body.number).toBe(first.body.number);
      const withoutKey = await t.call('POST', `/v1/invoices/${created.id}/issue`);
      expect(withoutKey.status).toBe(409);
      expect(withoutKey.body.code).toBe('invoice.already_issued');
    });

    it('records a payment once when retried with the same key', async () => {
      const invoice = await issued(partnerships.idem);
      const key = randomUUID();
      const body = { amount: '5.00', currency: 'EUR', receivedOn: '2026-03-15' };
      const first = await t.call('POST', `/v1/invoices/${invoice.id}/payments`, { body, headers: { 'idempotency-key': key } });
      const retried = await t.call('POST', `/v1/invoices/${invoice.id}/payments`, { body, headers: { 'idempotency-key': key } });
      expect([first.status, retried.status]).toEqual([201, 201]);
      expect(retried.body).toEqual(first.body);
      expect((await get(invoice.id)).payments).toEqual([expect.objectContaining({ paymentId: first.body.id, amount: eur('5.00') })]);
    });
  });
});
