import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../testing/harness';

type Issue = { path: string; code: string };
const VAT = { code: 'S', rate: '20' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const today = () => new Date().toISOString().slice(0, 10);

/** The first day of the month `offset` months from this one (UTC, the API's default business time zone). */
function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}
const issuesOf = (body: { errors: Issue[] }) => body.errors.map((issue) => `${issue.path}:${issue.code}`);

describe('partnerships over HTTP', () => {
  let t: TestApi;
  /** Partners of acme: its own company, two customers and an archived one; and one of globex. */
  let seller: string, buyer: string, otherBuyer: string, archived: string, globexPartner: string;
  let marketable: { id: string; sku: string };

  /** Terms of a new partnership between acme's company and a customer. */
  const terms = (changes: Record<string, unknown> = {}) => ({
    sellerId: seller,
    buyerId: buyer,
    currency: 'EUR',
    paymentTerms: { kind: 'net', days: 30 },
    validFrom: '2026-01-01',
    ...changes,
  });

  async function partnership(changes: Record<string, unknown> = {}) {
    const created = await t.call('POST', '/v1/partnerships', { body: terms(changes) });
    expect(created.status).toBe(201);
    return created.body;
  }

  beforeAll(async () => {
    t = await startTestApi('partnerships');
    const partner = async (legalName: string, as: 'acme-admin' | 'globex-admin' = 'acme-admin') => {
      const created = await t.call('POST', '/v1/partners', { as, body: { legalName } });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    [seller, buyer, otherBuyer, archived, globexPartner] = [
      await partner('Acme SAS'),
      await partner('Customer One GmbH'),
      await partner('Customer Two Ltd'),
      await partner('Former Customer BV'),
      await partner('Globex Corp', 'globex-admin'),
    ];
    expect((await t.call('POST', `/v1/partners/${archived}/archive`)).status).toBe(200);
    const created = await t.call('POST', '/v1/marketables', {
      body: { sku: 'CONSULT-DAY', kind: 'service', name: 'Consulting day', unitCode: 'DAY', prices: [{ currency: 'EUR', unitPrice: '800' }], defaultVat: { code: 'S', rate: '20' } },
    });
    expect(created.status).toBe(201);
    marketable = created.body;
  });
  afterAll(() => t?.close());

  it('opens a partnership, answering 201 with Location and ETag, with money, percents and dates as strings, and reads it back', async () => {
    const created = await t.call('POST', '/v1/partnerships', {
      body: terms({
        paymentTerms: { kind: 'instalments', instalments: [{ percent: '70', days: 30 }, { percent: '30', days: 0 }] },
        policy: { approval: { kind: 'above', threshold: '10000.00' }, deliveryFormat: 'ubl' },
        validUntil: '2026-12-31',
        buyerReference: 'PO-2026-0042',
      }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/partnerships/${created.body.id}`);
    expect(created.headers.get('etag')).toBe(`"${created.body.version}"`);
    expect(created.body).toMatchObject({
      sellerId: seller,
      buyerId: buyer,
      currency: 'EUR',
      paymentTerms: { kind: 'instalments', instalments: [{ percent: '30', days: 0 }, { percent: '70', days: 30 }] },
      priceOverrides: [],
      numbering: { invoice: 'INV', creditNote: 'CN' },
      policy: { approval: { kind: 'above', threshold: { amount: '10000.00', currency: 'EUR' } }, deliveryFormat: 'ubl' },
      status: 'active',
      validFrom: '2026-01-01',
      validUntil: '2026-12-31',
      buyerReference: 'PO-2026-0042',
    });
    expect(created.body).not.toHaveProperty('tenantId');

    const read = await t.call('GET', created.headers.get('location') ?? '', { as: 'acme-viewer' });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
  });

  it('takes its own numbering series and defaults the policy to no approval and PDF', async () => {
    const created = await partnership({ numbering: { invoice: 'ACME-INV' }, paymentTerms: { kind: 'due_on_receipt' } });
    expect(created).toMatchObject({ numbering: { invoice: 'ACME-INV', creditNote: 'CN' }, policy: { approval: { kind: 'none' }, deliveryFormat: 'pdf' }, paymentTerms: { kind: 'due_on_receipt' } });
    expect(created).not.toHaveProperty('validUntil');
  });

  it('opens a partnership only between two different, existing, active partners', async () => {
    const unknown = await t.call('POST', '/v1/partnerships', { body: terms({ buyerId: 'no-such-partner' }) });
    expect(unknown.body).toMatchObject({ status: 404, code: 'partner.not_found' });
    const former = await t.call('POST', '/v1/partnerships', { body: terms({ buyerId: archived }) });
    expect(former.body).toMatchObject({ status: 409, code: 'partner.archived' });
    const same = await t.call('POST', '/v1/partnerships', { body: terms({ buyerId: seller }) });
    expect(same.body).toMatchObject({ status: 400, code: 'partnership.same_partner', errors: [expect.objectContaining({ path: 'buyerId' })] });
  });

  it('refuses invalid bodies field by field, and unknown fields', async () => {
    const invalid = await t.call('POST', '/v1/partnerships', {
      body: { sellerId: seller, buyerId: 42, currency: 'EUR', validFrom: '2026-01-01', policy: { approval: { kind: 'above' }, deliveryFormat: 'fax' }, color: 'blue' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('request.invalid');
    expect(issuesOf(invalid.body)).toEqual(
      expect.arrayContaining([
        'buyerId:request.is_string',
        'paymentTerms:request.is_object',
        'policy.approval.threshold:request.is_string',
        'policy.deliveryFormat:request.is_in',
        'color:request.unknown_property',
      ]),
    );

    const domain = await t.call('POST', '/v1/partnerships', {
      body: terms({
        currency: 'EURO',
        paymentTerms: { kind: 'instalments', instalments: [{ percent: '50', days: 0 }, { percent: '40', days: 30 }] },
        numbering: { invoice: 'inv' },
        validFrom: '2026-02-30',
        buyerReference: 'x'.repeat(101),
      }),
    });
    expect(domain.status).toBe(400);
    expect(issuesOf(domain.body)).toEqual(
      expect.arrayContaining([
        'paymentTerms.instalments:payment_terms.instalments_must_total_100',
        'numbering.invoice:partnership.invalid_series',
        'validFrom:date.malformed',
        'buyerReference:text.too_long',
      ]),
    );
    expect(domain.body.errors.map((issue: Issue) => issue.path)).toContain('currency');

    const rules = await t.call('POST', '/v1/partnerships', {
      body: terms({ paymentTerms: { kind: 'net' }, policy: { approval: { kind: 'above', threshold: '-5.00' } }, validUntil: '2025-12-31' }),
    });
    expect(rules.status).toBe(400);
    expect(issuesOf(rules.body)).toEqual(
      expect.arrayContaining(['paymentTerms.days:payment_terms.invalid_days', 'policy.approval.threshold:partnership.invalid_threshold', 'validUntil:partnership.invalid_validity']),
    );
  });

  it('lists partnerships page by page, and those of one partner as seller or buyer', async () => {
    const [first, second] = [await partnership({ buyerId: otherBuyer }), await partnership({ sellerId: otherBuyer, buyerId: buyer })];
    const ofOther = await t.call('GET', `/v1/partnerships?partner_id=${otherBuyer}`, { as: 'acme-integrator' });
    expect(ofOther.status).toBe(200);
    expect(ofOther.body.items.map((item: { id: string }) => item.id)).toEqual([first.id, second.id]);
    expect(ofOther.body.nextCursor).toBeNull();

    const page = await t.call('GET', '/v1/partnerships?limit=1');
    expect(page.body.items).toHaveLength(1);
    expect(typeof page.body.nextCursor).toBe('string');
    const next = await t.call('GET', `/v1/partnerships?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);

    expect((await t.call('GET', '/v1/partnerships?partner_id=no-such-partner')).body).toEqual({ items: [], nextCursor: null });
    const limit = await t.call('GET', '/v1/partnerships?limit=500');
    expect(limit.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: 'limit', code: 'pagination.invalid_limit' })] });
  });

  it('replaces the terms with If-Match, keeping numbering and policy rules left out, and refuses a stale version with 412', async () => {
    const created = await partnership({
      numbering: { invoice: 'KEEP', creditNote: 'KEEP-CN' },
      policy: { approval: { kind: 'always' }, deliveryFormat: 'cii' },
      validUntil: '2026-06-30',
      buyerReference: 'CONTRACT-1',
    });
    const etag = `"${created.version}"`;
    const changed = await t.call('PUT', `/v1/partnerships/${created.id}/terms`, {
      body: { currency: 'USD', paymentTerms: { kind: 'end_of_month', days: 10 }, validFrom: '2026-02-01', policy: { deliveryFormat: 'factur-x' } },
      headers: { 'if-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe(`"${created.version + 1}"`);
    expect(changed.body).toMatchObject({
      version: created.version + 1,
      currency: 'USD',
      paymentTerms: { kind: 'end_of_month', days: 10 },
      validFrom: '2026-02-01',
      numbering: { invoice: 'KEEP', creditNote: 'KEEP-CN' },
      policy: { approval: { kind: 'always' }, deliveryFormat: 'factur-x' },
    });
    expect(changed.body).not.toHaveProperty('validUntil');
    expect(changed.body).not.toHaveProperty('buyerReference');

    const stale = await t.call('PUT', `/v1/partnerships/${created.id}/terms`, { body: { currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body).toMatchObject({ status: 412, code: 'concurrency.stale_version' });
    expect((await t.call('GET', `/v1/partnerships/${created.id}`)).body.currency).toBe('USD');

    const invalid = await t.call('PUT', `/v1/partnerships/${created.id}/terms`, { body: { currency: 'EUR', paymentTerms: { kind: 'weekly' } } });
    expect(invalid.status).toBe(400);
    expect(issuesOf(invalid.body)).toEqual(expect.arrayContaining(['paymentTerms.kind:request.is_in', 'validFrom:request.is_string']));
  });

  it('refuses a change of currency that would carry the approval threshold into it, and takes one with a new threshold', async () => {
    const created = await partnership({ policy: { approval: { kind: 'above', threshold: '10000.00' }, deliveryFormat: 'pdf' } });
    const body = { currency: 'KWD', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' };
    const refused = await t.call('PUT', `/v1/partnerships/${created.id}/terms`, { body });
    expect(refused.body).toMatchObject({ status: 400, code: 'partnership.threshold_currency' });
    expect(issuesOf(refused.body)).toEqual(['policy.approval.threshold:partnership.threshold_currency']);
    const changed = await t.call('PUT', `/v1/partnerships/${created.id}/terms`, { body: { ...body, policy: { approval: { kind: 'above', threshold: '3000.000' } } } });
    expect(changed.status).toBe(200);
    expect(changed.body.policy.approval).toEqual({ kind: 'above', threshold: { amount: '3000.000', currency: 'KWD' } });
  });

  it('sets, replaces and removes negotiated prices, in the partnership\'s currency', async () => {
    const created = await partnership();
    const path = `/v1/partnerships/${created.id}/price-overrides/${marketable.id}`;
    const set = await t.call('PUT', path, { body: { unitPrice: '720.00' }, headers: { 'if-match': `"${created.version}"` } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ version: created.version + 1, priceOverrides: [{ marketableId: marketable.id, unitPrice: '720' }] });
    const replaced = await t.call('PUT', path, { body: { unitPrice: '0.0125' } });
    expect(replaced.body.priceOverrides).toEqual([{ marketableId: marketable.id, unitPrice: '0.0125' }]);

    const currency = await t.call('PUT', `/v1/partnerships/${created.id}/terms`, { body: { currency: 'USD', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' } });
    expect(currency.body).toMatchObject({ status: 400, code: 'partnership.currency_has_prices' });

    const stale = await t.call('DELETE', path, { headers: { 'if-match': `"${created.version}"` } });
    expect(stale.body).toMatchObject({ status: 412, code: 'concurrency.stale_version' });
    const removed = await t.call('DELETE', path, { headers: { 'if-match': `"${replaced.body.version}"` } });
    expect(removed.status).toBe(200);
    expect(removed.body.priceOverrides).toEqual([]);
    expect((await t.call('GET', `/v1/partnerships/${created.id}`)).body.priceOverrides).toEqual([]);
  });

  it('refuses a negative, malformed or missing price, and a marketable that does not exist', async () => {
    const created = await partnership();
    const path = `/v1/partnerships/${created.id}/price-overrides/${marketable.id}`;
    const negative = await t.call('PUT', path, { body: { unitPrice: '-1' } });
    expect(negative.body).toMatchObject({ status: 400, code: 'partnership.negative_price', errors: [expect.objectContaining({ path: 'unitPrice' })] });
    const malformed = await t.call('PUT', path, { body: { unitPrice: '1,50' } });
    expect(malformed.body).toMatchObject({ status: 400, code: 'decimal.malformed', errors: [expect.objectContaining({ path: 'unitPrice' })] });
    const number = await t.call('PUT', path, { body: { unitPrice: 1.5 } });
    expect(issuesOf(number.body)).toEqual(['unitPrice:request.is_string']);
    const unknown = await t.call('PUT', `/v1/partnerships/${created.id}/price-overrides/no-such-marketable`, { body: { unitPrice: '10' } });
    expect(unknown.body).toMatchObject({ status: 404, code: 'marketable.not_found' });
    expect((await t.call('GET', `/v1/partnerships/${created.id}`)).body).toMatchObject({ version: created.version, priceOverrides: [] });
  });

  it('suspends, resumes and ends a partnership, refusing what its status does not allow with 409', async () => {
    const created = await partnership();
    const base = `/v1/partnerships/${created.id}`;
    const suspended = await t.call('POST', `${base}/suspend`, { headers: { 'if-match': `"${created.version}"` } });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', version: created.version + 1 });
    expect((await t.call('POST', `${base}/suspend`)).body).toMatchObject({ status: 409, code: 'partnership.not_active' });
    expect((await t.call('POST', `${base}/resume`, { headers: { 'if-match': `"${created.version}"` } })).body).toMatchObject({ status: 412, code: 'concurrency.stale_version' });

    const resumed = await t.call('POST', `${base}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('active');
    expect((await t.call('POST', `${base}/resume`)).body).toMatchObject({ status: 409, code: 'partnership.not_suspended' });

    const ended = await t.call('POST', `${base}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('ended');
    // Its last day in force: the end of its validity (ADR 0027).
    expect(ended.body.validUntil).toBe(today());
    for (const [method, path, body] of [
      ['POST', `${base}/end`],
      ['PUT', `${base}/terms`, { currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' }],
      ['PUT', `${base}/price-overrides/${marketable.id}`, { unitPrice: '1' }],
      ['DELETE', `${base}/price-overrides/${marketable.id}`],
    ] as const) {
      const answer = await t.call(method, path, { body });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 409, code: 'partnership.ended' });
    }
    expect((await t.call('POST', `${base}/suspend`)).body).toMatchObject({ status: 409, code: 'partnership.not_active' });
    expect((await t.call('GET', base)).body).toMatchObject({ status: 'ended', version: ended.body.version });
  });

  it('replays an opening retried with the same Idempotency-Key, and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': 'partnership-open-0001' };
    const body = terms({ buyerReference: 'IDEMPOTENT' });
    const first = await t.call('POST', '/v1/partnerships', { body, headers });
    expect(first.status).toBe(201);
    const replay = await t.call('POST', '/v1/partnerships', { body, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(replay.body).toEqual(first.body);

    const reused = await t.call('POST', '/v1/partnerships', { body: { ...body, currency: 'USD' }, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency.key_reused');
    const all = (await t.call('GET', `/v1/partnerships?limit=200`)).body.items;
    expect(all.filter((item: { buyerReference?: string }) => item.buyerReference === 'IDEMPOTENT')).toHaveLength(1);
  });

  it('answers 404 partnership.not_found for an unknown id on every route', async () => {
    const base = '/v1/partnerships/no-such-partnership';
    for (const [method, path, body] of [
      ['GET', base],
      ['PUT', `${base}/terms`, { currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' }],
      ['PUT', `${base}/price-overrides/${marketable.id}`, { unitPrice: '1' }],
      ['DELETE', `${base}/price-overrides/${marketable.id}`],
      ['POST', `${base}/suspend`],
      ['POST', `${base}/resume`],
      ['POST', `${base}/end`],
    ] as const) {
      const answer = await t.call(method, path, { body });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 404, code: 'partnership.not_found' });
    }
  });

  it('keeps tenants apart: another tenant\'s partnership, partners and marketables are missing', async () => {
    const secret = await partnership({ buyerReference: 'SECRET' });
    const base = `/v1/partnerships/${secret.id}`;
    for (const [method, path, body] of [
      ['GET', base],
      ['PUT', `${base}/terms`, { currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' }],
      ['PUT', `${base}/price-overrides/${marketable.id}`, { unitPrice: '1' }],
      ['DELETE', `${base}/price-overrides/${marketable.id}`],
      ['POST', `${base}/suspend`],
      ['POST', `${base}/resume`],
      ['POST', `${base}/end`],
    ] as const) {
      const answer = await t.call(method, path, { as: 'globex-admin', body });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({ method, path, status: 404, code: 'partnership.not_found' });
    }
    expect((await t.call('GET', '/v1/partnerships', { as: 'globex-admin' })).body).toEqual({ items: [], nextCursor: null });
    expect((await t.call('GET', `/v1/partnerships?partner_id=${buyer}`, { as: 'globex-admin' })).body.items).toEqual([]);

    const withAcmePartners = await t.call('POST', '/v1/partnerships', { as: 'globex-admin', body: terms({ sellerId: globexPartner }) });
    expect(withAcmePartners.body).toMatchObject({ status: 404, code: 'partner.not_found' });
    const withGlobexPartner = await t.call('POST', '/v1/partnerships', { body: terms({ buyerId: globexPartner }) });
    expect(withGlobexPartner.body).toMatchObject({ status: 404, code: 'partner.not_found' });

    const globexMarketable = await t.call('POST', '/v1/marketables', {
      as: 'globex-admin',
      body: { sku: 'GLOBEX-1', kind: 'product', name: 'Widget', unitCode: 'C62', defaultVat: { code: 'S', rate: '19' } },
    });
    expect(globexMarketable.status).toBe(201);
    const foreignPrice = await t.call('PUT', `${base}/price-overrides/${globexMarketable.body.id}`, { body: { unitPrice: '5' } });
    expect(foreignPrice.body).toMatchObject({ status: 404, code: 'marketable.not_found' });
    expect((await t.call('GET', base)).body).toEqual(secret);
  });

  describe('and their billing plans (audit billinghttp)', () => {
    /** Runs billing for one partnership and waits for the run to finish. */
    async function run(partnershipId: string, asOf?: string) {
      const started = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { partnershipIds: [partnershipId], ...(asOf === undefined ? {} : { asOf }) } });
      expect(started.status).toBe(202);
      for (let polls = 0; polls < 600; polls += 1) {
        const current = await t.call('GET', `/v1/billing-runs/${started.body.id}`);
        if (current.body.status !== 'running') return current.body;
        await sleep(50);
      }
      throw new Error('run still running');
    }

    /** A partnership's invoices made by billing, oldest first, each with its explanation's amounts. */
    async function billed(partnershipId: string) {
      const listed = (await t.call('GET', '/v1/invoices?limit=200')).body.items.filter((each: { partnershipId: string }) => each.partnershipId === partnershipId);
      const invoices = await Promise.all(
        listed.map(async (each: { id: string }) => {
          const [invoice, billing] = await Promise.all([t.call('GET', `/v1/invoices/${each.id}`), t.call('GET', `/v1/invoices/${each.id}/billing`)]);
          return { billingDate: billing.body.billingDate as string, invoice: invoice.body, explained: billing.body.lines.map((line: { amount: { amount: string } }) => line.amount.amount) };
        }),
      );
      return invoices.sort((left, right) => (left.billingDate < right.billingDate ? -1 : 1));
    }

    const send = (partnershipId: string, events: { eventId: string; timestamp: string }[]) =>
      t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: events.map((each) => ({ ...each, metricCode: 'calls', partnershipId })) } });
    const calls = (unitPrice: string) => ({ kind: 'usage', code: 'calls', name: 'Calls', metric: { code: 'calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice }, vat: VAT });

    it('refuses a change of currency while the billing plan bills in it (409), and takes it once its last bill is invoiced: new terms then bill in the new one', async () => {
      const created = await partnership({ validFrom: '2020-01-01' });
      const base = `/v1/partnerships/${created.id}`;
      const fee = (code: string, unitPrice: string, timing = 'advance') => ({ kind: 'recurring', code, name: code, quantity: '10', unitPrice, timing, vat: VAT });
      const yen = { currency: 'JPY', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01' };
      const euroPlan = { interval: 'monthly', charges: [fee('platform', '30.55'), fee('support', '0.032', 'arrears')] };
      expect((await t.call('PUT', `${base}/billing-plan`, { body: { effectiveFrom: monthStart(-2), terms: euroPlan } })).status).toBe(200);
      expect((await run(created.id, monthStart(-2))).counts).toMatchObject({ invoicesDrafted: 1, failed: 0 });

      // Before, 200: the plan's 305.50 EUR were then invoiced as 306 JPY, and 0.32 EUR as 0 JPY.
      const locked = await t.call('PUT', `${base}/terms`, { body: yen });
      expect(locked.body).toMatchObject({ status: 409, code: 'partnership.currency_locked', currency: 'JPY', planCurrency: 'EUR' });
      expect((await t.call('GET', base)).body).toMatchObject({ currency: 'EUR', version: created.version });

      // The documented way: end the plan, let its last bill be invoiced, change the currency, start new terms.
      expect((await t.call('PUT', `${base}/billing-plan`, { body: { effectiveFrom: monthStart(-1), terms: null } })).status).toBe(200);
      expect((await run(created.id)).counts).toMatchObject({ invoicesDrafted: 1, failed: 0 });
      const changed = await t.call('PUT', `${base}/terms`, { body: yen });
      expect([changed.status, changed.body.currency]).toEqual([200, 'JPY']);
      const onBilledDay = await t.call('PUT', `${base}/billing-plan`, { body: { effectiveFrom: monthStart(-1), terms: { interval: 'monthly', charges: [fee('platform', '4000')] } } });
      expect(onBilledDay.body).toMatchObject({ status: 400, code: 'plan.billed_in_other_currency' });
      expect(issuesOf(onBilledDay.body)).toEqual(['effectiveFrom:plan.billed_in_other_currency']);
      const restarted = await t.call('PUT', `${base}/billing-plan`, { body: { effectiveFrom: today(), terms: { interval: 'monthly', charges: [fee('platform', '4000')] } } });
      expect(restarted.status).toBe(200);
      expect([restarted.body.currency, restarted.body.versions.map((each: { currency?: string }) => each.currency ?? restarted.body.currency)]).toEqual(['JPY', ['EUR', 'EUR', 'JPY']]);
      const last = await run(created.id);

      expect([last.counts, last.failures]).toMatchObject([{ invoicesDrafted: 1, failed: 0 }, []]);
      const invoices = await billed(created.id);
      expect(invoices.map((each) => [each.invoice.currency, each.invoice.lines.map((line: { name: string; netAmount: { amount: string } }) => [line.name, line.netAmount.amount])])).toEqual([
        ['EUR', [['platform', '305.50']]],
        ['EUR', [['support', '0.32']]],
        ['JPY', [['platform', expect.stringMatching(/^[1-9][0-9]*$/)]]],
      ]);
      // Each invoice line is what its explanation says, in the invoice's currency.
      for (const each of invoices) expect(each.invoice.lines.map((line: { netAmount: { amount: string } }) => line.netAmount.amount)).toEqual(each.explained);
    });

    it('ends a partnership whose plan bills in arrears: its last bill is invoiced, its plan ends with it, and no run fails it', async () => {
      const created = await partnership({ validFrom: '2020-01-01' });
      const base = `/v1/partnerships/${created.id}`;
      const arrears = { kind: 'recurring', code: 'platform', name: 'Platform fee', unitPrice: '100.00', timing: 'arrears', vat: VAT };
      expect((await t.call('PUT', `${base}/billing-plan`, { body: { effectiveFrom: monthStart(-2), terms: { interval: 'monthly', charges: [calls('1.00'), arrears] } } })).status).toBe(200);
      const sent = await send(created.id, [
        { eventId: `${created.id}-o1`, timestamp: `${monthStart(-2)}T10:00:00Z` },
        { eventId: `${created.id}-n1`, timestamp: `${monthStart(-1)}T10:00:00Z` },
      ]);
      expect(sent.body.stored).toBe(2);
      expect((await run(created.id, monthStart(-1))).counts).toMatchObject({ invoicesDrafted: 1, failed: 0 });

      const ended = await t.call('POST', `${base}/end`);

      expect(ended.body).toMatchObject({ status: 'ended', validUntil: today() });
      const plan = (await t.call('GET', `${base}/billing-plan`)).body;
      expect(plan.versions.at(-1)).toMatchObject({ terms: null, effectiveFrom: new Date(Date.parse(today()) + 86_400_000).toISOString().slice(0, 10) });
      // Before, every run failed it with partnership.not_active, and last month's 101.00 was never invoiced.
      const first = await run(created.id);
      const again = await run(created.id);
      expect([first.counts, first.failures]).toMatchObject([{ invoicesDrafted: 1, failed: 0 }, []]);
      expect([again.counts, again.failures]).toMatchObject([{ bills: 0, failed: 0 }, []]);
      expect((await billed(created.id)).map((each) => [each.billingDate, each.invoice.status, each.invoice.totals.taxExclusive.amount])).toEqual([
        [monthStart(-1), 'draft', '101.00'],
        [monthStart(0), 'draft', '101.00'],
      ]);
    });
  });

  it('lets only admins change partnerships', async () => {
    const created = await partnership();
    const base = `/v1/partnerships/${created.id}`;
    for (const caller of ['acme-accountant', 'acme-viewer', 'acme-integrator'] as const) {
      for (const [method, path, body] of [
        ['POST', '/v1/partnerships', terms()],
        ['PUT', `${base}/terms`, { currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' }],
        ['PUT', `${base}/price-overrides/${marketable.id}`, { unitPrice: '1' }],
        ['DELETE', `${base}/price-overrides/${marketable.id}`],
        ['POST', `${base}/suspend`],
        ['POST', `${base}/resume`],
        ['POST', `${base}/end`],
      ] as const) {
        const answer = await t.call(method, path, { as: caller, body });
        expect({ caller, method, path, status: answer.status, code: answer.body.code }).toEqual({ caller, method, path, status: 403, code: 'auth.forbidden' });
      }
      expect((await t.call('GET', base, { as: caller })).status).toBe(200);
    }
    expect((await t.call('GET', base)).body).toEqual(created);
  });
});
