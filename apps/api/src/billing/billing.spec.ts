import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SetBillingPlan, StartBillingRun, type PlanTermsInput } from '@invoicing/billing';
import { documentId, type MongoConnection } from '@invoicing/integration/mongodb';
import { encodeCursor, tenantId } from '@invoicing/core';
import { CreatePartner, CreatePartnership, type PartnershipId } from '@invoicing/invoice';
import { DATABASE } from '../composition/tokens';
import { fingerprintOf } from '../http/idempotency.interceptor';
import { idempotentId } from '../http/idempotent-id';
import { startTestApi, type Caller, type TestApi } from '../testing/harness';

const DAY_MS = 86_400_000;
const VAT = { code: 'S', rate: '20' };

function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Issue = { path: string; code: string };
const issuesOf = (body: { errors?: Issue[] }) => (body.errors ?? []).map((issue) => `${issue.path}:${issue.code}`);

/** A monthly fee of 10 × 30.00 in advance and API calls at 0.10 each, from `from`. */
const plan = (from: string): { effectiveFrom: string; terms: PlanTermsInput } => ({
  effectiveFrom: from,
  terms: {
    interval: 'monthly',
    charges: [
      { kind: 'recurring', code: 'platform', name: 'Platform fee', quantity: '10', unitPrice: '30.00', vat: VAT },
      { kind: 'usage', code: 'api_calls', name: 'API calls', metric: { code: 'api_calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.10' }, vat: VAT },
    ],
  },
});

describe('billing over HTTP', () => {
  let t: TestApi;
  /** acme's partnerships: one billed since last month, one without a plan, one whose plan starts next month. */
  let billed: string, planless: string, future: string;
  let globexPartnership: string;

  async function partnership(as: Caller = 'acme-admin'): Promise<string> {
    const partner = async (legalName: string) => (await t.call('POST', '/v1/partners', { as, body: { legalName } })).body.id as string;
    const created = await t.call('POST', '/v1/partnerships', {
      as,
      body: { sellerId: await partner('Acme Cloud SAS'), buyerId: await partner('Customer GmbH'), currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01' },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function finished(runId: string, as: Caller = 'acme-viewer') {
    for (let polls = 0; polls < 600; polls += 1) {
      const current = await t.call('GET', `/v1/billing-runs/${runId}`, { as });
      if (current.body.status !== 'running') return current.body;
      await sleep(50);
    }
    throw new Error(`run ${runId} still running after 30 s`);
  }

  const event = (eventId: string, partnershipId: string, changes: Record<string, unknown> = {}) => ({
    eventId,
    metricCode: 'api_calls',
    timestamp: `${monthStart(-1)}T10:00:00Z`,
    partnershipId,
    ...changes,
  });

  beforeAll(async () => {
    // Two partnerships at a time: a run over many takes long enough to be seen running.
    t = await startTestApi('billing', { BILLING_RUN_CONCURRENCY: '2' });
    [billed, planless, future, globexPartnership] = [await partnership(), await partnership(), await partnership(), await partnership('globex-admin')];
    expect((await t.call('PUT', `/v1/partnerships/${billed}/billing-plan`, { body: plan(monthStart(-1)) })).status).toBe(200);
    expect((await t.call('PUT', `/v1/partnerships/${future}/billing-plan`, { body: plan(monthStart(1)) })).status).toBe(200);
    expect((await t.call('PUT', `/v1/partnerships/${globexPartnership}/billing-plan`, { as: 'globex-admin', body: plan(monthStart(-1)) })).status).toBe(200);
  });
  afterAll(() => t?.close());

  describe('the billing plan', () => {
    it('starts a plan with PUT and reads it back with its versions and an ETag', async () => {
      const id = await partnership();
      expect((await t.call('GET', `/v1/partnerships/${id}/billing-plan`)).body.code).toBe('billing_plan.not_found');
      const set = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('2026-01-01') });
      expect(set.status).toBe(200);
      const read = await t.call('GET', `/v1/partnerships/${id}/billing-plan`, { as: 'acme-viewer' });
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toBe('"1"');
      expect(read.body).toEqual(set.body);
      expect(read.body).not.toHaveProperty('tenantId');
      expect(read.body.versions[0]).toMatchObject({
        version: 1,
        effectiveFrom: '2026-01-01',
        terms: {
          cycle: { interval: 'monthly', alignment: 'calendar', anchor: '2026-01-01' },
          charges: [
            { kind: 'recurring', code: 'platform', name: 'Platform fee', unitCode: 'C62', quantity: '10', unitPrice: '30', timing: 'advance', vat: { code: 'S', rate: '20' } },
            { kind: 'usage', code: 'api_calls', metric: { code: 'api_calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.1' } },
          ],
          discounts: [],
          invoiceMode: 'draft',
        },
      });
    });

    it('replaces the terms from a day, keeping the history; If-Match guards the change (412 when stale)', async () => {
      const id = await partnership();
      await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('2026-01-01') });
      const stale = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('2026-03-01'), headers: { 'if-match': '"0"' } });
      expect([stale.status, stale.body.code]).toEqual([412, 'concurrency.stale_version']);
      const malformed = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('2026-03-01'), headers: { 'if-match': '1' } });
      expect([malformed.status, malformed.body.code]).toEqual([400, 'precondition.malformed']);
      const changed = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('2026-03-01'), headers: { 'if-match': '"1"' } });
      expect([changed.status, changed.headers.get('etag')]).toEqual([200, '"2"']);
      const ended = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: { effectiveFrom: '2026-03-01', terms: null } });
      expect(ended.status).toBe(200);
      expect(ended.body.versions.map((version: { version: number; effectiveFrom: string; terms: unknown; replacedBy?: number }) => [version.version, version.effectiveFrom, version.terms === null, version.replacedBy])).toEqual([
        [1, '2026-01-01', false, undefined],
        [2, '2026-03-01', false, 3],
        [3, '2026-03-01', true, undefined],
      ]);
    });

    it('takes If-Match: * as "a plan exists": 412 and nothing written without one, any version with one', async () => {
      // Review: `*` was taken for no condition, and started a plan (RFC 9110 §13.1.1: false when there is none).
      const id = await partnership();
      const put = (body: object, ifMatch = '*') => t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body, headers: { 'if-match': ifMatch } });
      for (const body of [plan('2026-01-01'), { effectiveFrom: '2026-01-01', terms: null }]) {
        const refused = await put(body);
        expect([refused.status, refused.body.code]).toEqual([412, 'concurrency.stale_version']);
      }
      expect((await t.call('GET', `/v1/partnerships/${id}/billing-plan`)).body.code).toBe('billing_plan.not_found');
      // As a tag would: the partnership is looked up first.
      const missing = await t.call('PUT', `/v1/partnerships/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b/billing-plan`, { body: plan('2026-01-01'), headers: { 'if-match': '*' } });
      expect([missing.status, missing.body.code]).toEqual([404, 'partnership.not_found']);

      expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('2026-01-01') })).status).toBe(200);
      const changed = [await put(plan('2026-02-01')), await put(plan('2026-03-01'), ' * ')];
      expect(changed.map((answer) => [answer.status, answer.headers.get('etag')])).toEqual([
        [200, '"2"'],
        [200, '"3"'],
      ]);
    });

    it('names every faulty field of the terms at once, by its path in the body', async () => {
      const terms = plan('2026-01-01').terms;
      const refused = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, { body: plan('2026-02-30') });
      // The day comes first: terms are worked out for the day they take effect.
      expect([refused.status, refused.body.code, issuesOf(refused.body)]).toEqual([400, 'date.malformed', ['effectiveFrom:date.malformed']]);

      const terms400 = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, {
        body: {
          effectiveFrom: '2026-01-01',
          terms: {
            ...terms,
            charges: [
              { kind: 'recurring', code: 'platform', name: 'Platform fee', vat: VAT },
              { ...terms.charges[1], price: { kind: 'graduated', tiers: [{ upTo: '100', unitPrice: '0.10' }, { upTo: '50', unitPrice: '0.05' }, { unitPrice: '0.01' }] } },
              { kind: 'recurring', code: 'platform', name: 'Again', unitPrice: '1', quantity: '-2', vat: VAT },
            ],
            minimum: { amount: '20.001', vat: VAT },
          },
        },
      });
      expect([terms400.status, terms400.body.code]).toEqual([400, 'validation.failed']);
      expect(issuesOf(terms400.body).sort()).toEqual(
        [
          'terms.charges.0.unitPrice:decimal.malformed',
          'terms.charges.1.price.tiers.1.upTo:price_model.tiers_not_rising',
          'terms.charges.2.quantity:plan.out_of_range',
          'terms.minimum.amount:money.precision_exceeded',
        ].sort(),
      );
      expect((await t.call('GET', `/v1/partnerships/${planless}/billing-plan`)).status).toBe(404);
    });

    it('refuses a charge or minimum without `vat` as a request that fails its checks, as every object left out', async () => {
      // Review: the domain's own `request.is_object` came back as the problem's code, which no table of the reference lists.
      const { vat: _vat, ...platform } = plan('2026-01-01').terms.charges[0] as PlanTermsInput['charges'][number];
      const refused = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, {
        body: { effectiveFrom: '2026-01-01', terms: { interval: 'monthly', charges: [platform], minimum: { amount: '20.00' } } },
      });
      expect([refused.status, refused.body.code, issuesOf(refused.body).sort()]).toEqual([400, 'request.invalid', ['terms.charges.0.vat:request.is_object', 'terms.minimum.vat:request.is_object']]);
    });

    it('refuses a percentage price with a fee per event on a metric that is not a sum, which has no amount per event', async () => {
      const terms = plan('2026-01-01').terms;
      const perEvent = { ...terms.charges[1], price: { kind: 'percentage', rate: '1', fixedFeePerEvent: '0.30' } };

      const refused = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, { body: { effectiveFrom: '2026-01-01', terms: { ...terms, charges: [terms.charges[0], perEvent] } } });

      expect([refused.status, refused.body.code, issuesOf(refused.body)]).toEqual([400, 'price_model.per_event_needs_sum', ['terms.charges.1.price:price_model.per_event_needs_sum']]);
      expect((await t.call('GET', `/v1/partnerships/${planless}/billing-plan`)).status).toBe(404);
    });

    it('refuses a VAT exemption code outside the VATEX list on a charge or the minimum, as drafting its invoices would, and sets no plan', async () => {
      // Taken, every run failed the partnership with vat.unknown_exemption_code and recorded no bill, until the plan changed.
      const terms = plan('2026-01-01').terms;
      const fake = { code: 'E', exemptionReason: 'Exempt', exemptionReasonCode: 'VATEX-FAKE' };

      const refused = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, {
        body: { effectiveFrom: '2026-01-01', terms: { ...terms, charges: [terms.charges[0], { ...terms.charges[1], vat: fake }], minimum: { amount: '20.00', vat: fake } } },
      });

      expect([refused.status, refused.body.code, issuesOf(refused.body).sort()]).toEqual([
        400,
        'validation.failed',
        ['terms.charges.1.vat.exemptionReasonCode:vat.unknown_exemption_code', 'terms.minimum.vat.exemptionReasonCode:vat.unknown_exemption_code'],
      ]);
      expect((await t.call('GET', `/v1/partnerships/${planless}/billing-plan`)).status).toBe(404);
    });

    it('refuses a body of the wrong shape before the domain: unknown kinds and members, a usage charge without its metric, filters that are no lists', async () => {
      const terms = plan('2026-01-01').terms;
      const refused = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, {
        body: {
          effectiveFrom: '2026-01-01',
          terms: { ...terms, charges: [{ ...terms.charges[0], kind: 'monthly', color: 'red' }, { kind: 'usage', code: 'x', name: 'X', vat: VAT }], interval: 'weekly' },
        },
      });
      expect([refused.status, refused.body.code]).toEqual([400, 'request.invalid']);
      expect(issuesOf(refused.body)).toEqual(
        expect.arrayContaining([
          'terms.interval:request.is_in',
          'terms.charges.0.kind:request.is_in',
          'terms.charges.0.color:request.unknown_property',
          'terms.charges.1.metric:request.is_object',
          'terms.charges.1.price:request.is_object',
        ]),
      );
      const filters = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, {
        body: { effectiveFrom: '2026-01-01', terms: { ...terms, charges: [{ ...terms.charges[1], metric: { code: 'api_calls', aggregation: 'count', filters: { region: 'eu' } } }] } },
      });
      expect(issuesOf(filters.body)).toEqual(['terms.charges.0.metric.filters.region:request.is_array']);
      // A list of nothing, or a name no event can have, is the domain's to refuse: no billing run could apply it.
      const empty = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, {
        body: { effectiveFrom: '2026-01-01', terms: { ...terms, charges: [{ ...terms.charges[1], metric: { code: 'api_calls', aggregation: 'count', filters: { region: [], $where: ['1'] } } }] } },
      });
      expect([empty.status, issuesOf(empty.body)]).toEqual([400, ['terms.charges.0.metric.filters.region:metric.invalid_filter']]);
      const missing = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, { body: { effectiveFrom: '2026-01-01' } });
      expect(issuesOf(missing.body)).toEqual(['terms:request.is_object']);
    });

    it('answers 400 for ending a plan that does not exist, 400 for an unknown marketable, and 404 for an unknown partnership', async () => {
      const nothing = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, { body: { effectiveFrom: '2026-01-01', terms: null } });
      expect([nothing.status, nothing.body.code]).toEqual([400, 'plan.nothing_to_end']);
      const terms = plan('2026-01-01').terms;
      const marketable = await t.call('PUT', `/v1/partnerships/${planless}/billing-plan`, {
        body: { effectiveFrom: '2026-01-01', terms: { ...terms, charges: [{ ...terms.charges[0], marketableId: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b' }] } },
      });
      expect([marketable.status, marketable.body.code, issuesOf(marketable.body)]).toEqual([400, 'line.marketable_not_found', ['terms.charges.0.marketableId:line.marketable_not_found']]);
      const unknown = await t.call('PUT', '/v1/partnerships/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b/billing-plan', { body: plan('2026-01-01') });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'partnership.not_found']);
    });

    it("refuses terms whose first period would end after 9999-12-31, which no run could bill (plan.period_out_of_range at effectiveFrom), and takes the calendar's first day (audit dates F3)", async () => {
      const id = await partnership();
      // Before: a plan from 9999-12-01 was taken, then failed every run; one from 0100-01-01 was refused at no field.
      for (const effectiveFrom of ['9999-12-01', '9999-12-31']) {
        const refused = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan(effectiveFrom) });
        expect([effectiveFrom, refused.status, refused.body.code, issuesOf(refused.body)]).toEqual([effectiveFrom, 400, 'plan.period_out_of_range', ['effectiveFrom:plan.period_out_of_range']]);
      }
      expect((await t.call('GET', `/v1/partnerships/${id}/billing-plan`)).status).toBe(404);
      const first = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('0100-01-01') });
      expect([first.status, first.body.versions?.[0]?.effectiveFrom]).toEqual([200, '0100-01-01']);
    });

    it('lets only partnerships:write change a plan (admin), and every role read it', async () => {
      for (const as of ['acme-accountant', 'acme-viewer', 'acme-integrator'] as const) {
        const refused = await t.call('PUT', `/v1/partnerships/${billed}/billing-plan`, { as, body: plan(monthStart(-1)) });
        expect([as, refused.status, refused.body.code, refused.body.detail]).toEqual([as, 403, 'auth.forbidden', expect.stringContaining('partnerships:write')]);
        expect((await t.call('GET', `/v1/partnerships/${billed}/billing-plan`, { as })).status).toBe(200);
      }
    });
  });

  describe('usage events', () => {
    it('stores a batch sent by an integrator, answering each event in order, a duplicate and a rejected one included', async () => {
      const sent = await t.call('POST', '/v1/usage-events', {
        as: 'acme-integrator',
        body: { events: [event('u-1', billed), event('u-1', billed), event('u-2', planless), event('u-3', billed, { timestamp: '2026-13-01T00:00:00Z', eventId: 'u 3' })] },
      });
      expect(sent.status).toBe(200);
      expect(sent.body).toEqual({
        stored: 1,
        duplicates: 1,
        rejected: 2,
        results: [
          { eventId: 'u-1', status: 'stored' },
          { eventId: 'u-1', status: 'duplicate' },
          { eventId: 'u-2', status: 'rejected', error: { code: 'usage.no_billing_plan', message: expect.any(String), issues: [{ path: 'partnershipId', code: 'usage.no_billing_plan', message: expect.any(String) }] } },
          {
            eventId: 'u 3',
            status: 'rejected',
            error: {
              code: 'validation.failed',
              message: expect.any(String),
              issues: [
                { path: 'eventId', code: 'usage.invalid_event_id', message: expect.any(String) },
                { path: 'timestamp', code: 'usage.invalid_timestamp', message: expect.any(String) },
              ],
            },
          },
        ],
      });
      const again = await t.call('POST', '/v1/usage-events', { body: { events: [event('u-1', billed)] } });
      expect(again.body.results).toEqual([{ eventId: 'u-1', status: 'duplicate' }]);
      const reused = await t.call('POST', '/v1/usage-events', { body: { events: [event('u-1', billed, { timestamp: `${monthStart(-1)}T11:00:00Z` })] } });
      expect(reused.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'usage.event_id_taken' } });
    });

    it("rejects an event before the calendar's first instant as usage.invalid_timestamp at timestamp, and stores one at it (audit dates F5)", async () => {
      const sent = await t.call('POST', '/v1/usage-events', {
        as: 'acme-integrator',
        body: { events: [event('f5-before', billed, { timestamp: '0100-01-01T00:00:00+14:00' }), event('f5-first', billed, { timestamp: '0100-01-01T00:00:00Z' })] },
      });
      // Before, both were rejected as date.out_of_range at no field.
      expect([sent.status, sent.body.results]).toEqual([
        200,
        [
          { eventId: 'f5-before', status: 'rejected', error: { code: 'usage.invalid_timestamp', message: expect.any(String), issues: [{ path: 'timestamp', code: 'usage.invalid_timestamp', message: expect.any(String) }] } },
          { eventId: 'f5-first', status: 'stored' },
        ],
      ]);
    });

    it('refuses the whole batch only when it is empty, too large or malformed', async () => {
      const empty = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: [] } });
      expect([empty.status, empty.body.code]).toEqual([400, 'usage.batch_empty']);
      const tooMany = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: Array.from({ length: 1001 }, (_, index) => event(`big-${index}`, billed)) } });
      expect([tooMany.status, tooMany.body.code]).toEqual([400, 'usage.batch_too_large']);
      const malformed = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: [event('ok', billed), { ...event('bad', billed), eventId: 42, properties: [] }, 'x'] } });
      expect([malformed.status, malformed.body.code]).toEqual([400, 'request.invalid']);
      expect(issuesOf(malformed.body)).toEqual(expect.arrayContaining(['events.1.eventId:request.is_string', 'events.1.properties:request.is_object']));
      const notAList = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: 'many' } });
      expect(issuesOf(notAList.body)).toEqual(expect.arrayContaining(['events:request.is_array']));
      // None of them stored anything.
      expect((await t.call('POST', '/v1/usage-events', { body: { events: [event('ok', billed)] } })).body.results).toEqual([{ eventId: 'ok', status: 'stored' }]);
    });

    it('takes 1,000 events of a realistic size in one body, well within the body limit', async () => {
      const events = Array.from({ length: 1000 }, (_, index) =>
        event(`0193a2b4-5c6d-7e8f-9a0b-${String(index).padStart(12, '0')}`, billed, { properties: { endpoint: '/v1/licences/verify', region: 'eu-west-1', status: 200, cached: false } }),
      );
      const body = JSON.stringify({ events });
      expect(body.length).toBeLessThan(300_000);
      const sent = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body });
      expect([sent.status, sent.body.stored, sent.body.rejected]).toEqual([200, 1000, 0]);
    });

    it('lets admin and integrator send usage, and refuses viewer and accountant', async () => {
      for (const [as, status] of [['acme-admin', 200], ['acme-integrator', 200], ['acme-viewer', 403], ['acme-accountant', 403]] as const) {
        const answer = await t.call('POST', '/v1/usage-events', { as, body: { events: [event(`role-${as}`, billed)] } });
        expect([as, answer.status]).toEqual([as, status]);
        if (status === 403) expect(answer.body).toMatchObject({ code: 'auth.forbidden', detail: expect.stringContaining('usage:write') });
      }
    });

    it("counts an event that names its buyer by the partner's external id for that buyer's billed partnership", async () => {
      const buyerId = (await t.call('GET', `/v1/partnerships/${billed}`)).body.buyerId as string;
      const named = await t.call('PUT', `/v1/partners/${buyerId}`, { body: { legalName: 'Customer GmbH', externalId: 'CRM-BILLED-1' } });
      expect([named.status, named.body.externalId]).toEqual([200, 'CRM-BILLED-1']);

      const sent = await t.call('POST', '/v1/usage-events', {
        as: 'acme-integrator',
        body: { events: [{ ...event('by-buyer', billed), partnershipId: undefined, buyerExternalId: 'CRM-BILLED-1' }, { ...event('by-nobody', billed), partnershipId: undefined, buyerExternalId: 'CRM-NOBODY' }] },
      });
      const elsewhere = await t.call('POST', '/v1/usage-events', { as: 'globex-integrator', body: { events: [{ ...event('g-buyer', billed), partnershipId: undefined, buyerExternalId: 'CRM-BILLED-1' }] } });

      expect(sent.body.results.map((result: { status: string; error?: { code: string } }) => result.error?.code ?? result.status)).toEqual(['stored', 'usage.subject_unresolved']);
      expect(elsewhere.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'usage.subject_unresolved' } });
    });

    it("counts an event naming its buyer by an external id an archived partner had for the live partner that took it since (audit lifecycle F5)", async () => {
      // Audit: the archived partner kept the id for ever: a customer re-created as a new partner could not take it
      // (409 `partner.external_id_taken`), and events naming it resolved to the archived partner.
      const partner = async (legalName: string, extra: Record<string, unknown> = {}) => t.call('POST', '/v1/partners', { body: { legalName, ...extra } });
      const former = (await partner('Customer Before GmbH', { externalId: 'CRM-LC-F5' })).body.id as string;
      const archived = await t.call('POST', `/v1/partners/${former}/archive`);
      expect([archived.status, archived.body.status, archived.body.externalId]).toEqual([200, 'archived', 'CRM-LC-F5']);

      const renewed = await partner('Customer Again GmbH', { externalId: 'CRM-LC-F5' });
      expect([renewed.status, renewed.body.externalId]).toEqual([201, 'CRM-LC-F5']);
      const twin = await partner('Customer Twin GmbH', { externalId: 'CRM-LC-F5' });
      expect([twin.status, twin.body.code, twin.body.partnerId]).toEqual([409, 'partner.external_id_taken', renewed.body.id]);
      const created = await t.call('POST', '/v1/partnerships', {
        body: { sellerId: (await partner('Acme Cloud SAS')).body.id, buyerId: renewed.body.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01' },
      });
      expect((await t.call('PUT', `/v1/partnerships/${created.body.id}/billing-plan`, { body: plan(monthStart(-1)) })).status).toBe(200);

      const sent = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: [{ ...event('lc-f5', created.body.id), partnershipId: undefined, buyerExternalId: 'CRM-LC-F5' }] } });
      // The same event naming the partnership it counts for is a duplicate; naming another, its id is taken.
      const resent = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: [event('lc-f5', created.body.id), event('lc-f5', billed)] } });

      expect(sent.body.results).toEqual([{ eventId: 'lc-f5', status: 'stored' }]);
      expect(resent.body.results.map((result: { status: string; error?: { code: string } }) => result.error?.code ?? result.status)).toEqual(['duplicate', 'usage.event_id_taken']);
    });

    it("answers a stored event sent again `duplicate` once its buyer buys under a second billed partnership, and resolves a buyer by the plans in force (audit F4)", async () => {
      // Audit of 7 December 2026: the resend was `rejected` (`usage.subject_ambiguous`, or `usage.event_id_taken`
      // naming the partnership), and the buyer's id refused every new event, even once the second plan never had a day.
      const partner = async (legalName: string, extra: Record<string, unknown> = {}) => (await t.call('POST', '/v1/partners', { body: { legalName, ...extra } })).body.id as string;
      const buyer = await partner('Buyer F4 GmbH', { externalId: 'CRM-F4' });
      const buying = async (seller: string) => {
        const created = await t.call('POST', '/v1/partnerships', { body: { sellerId: await partner(seller), buyerId: buyer, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01' } });
        expect(created.status).toBe(201);
        return created.body.id as string;
      };
      const [first, second] = [await buying('Seller One SAS'), await buying('Seller Two SAS')];
      const setPlan = async (id: string, terms: PlanTermsInput | null) => expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: { effectiveFrom: monthStart(-1), terms } })).status).toBe(200);
      const send = async (events: object[]) => {
        const answer = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events } });
        expect(answer.status).toBe(200);
        return answer.body.results.map((result: { eventId: string; status: string; error?: { code: string } }) => `${result.eventId}:${result.error?.code ?? result.status}`);
      };
      const byBuyer = (eventId: string) => ({ ...event(eventId, first), partnershipId: undefined, buyerExternalId: 'CRM-F4' });
      await setPlan(first, plan(monthStart(-1)).terms);
      const stored = await send([byBuyer('f4-1')]);
      await setPlan(second, plan(monthStart(-1)).terms);

      const resent = await send([byBuyer('f4-1'), event('f4-1', first), event('f4-1', second), byBuyer('f4-2')]);
      await setPlan(second, null);
      const afterEnd = await send([byBuyer('f4-1'), byBuyer('f4-3')]);

      expect(stored).toEqual(['f4-1:stored']);
      expect(resent).toEqual(['f4-1:duplicate', 'f4-1:duplicate', 'f4-1:usage.event_id_taken', 'f4-2:usage.subject_ambiguous']);
      expect(afterEnd).toEqual(['f4-1:duplicate', 'f4-3:stored']);
    });

    it('takes properties named like members of every JavaScript object, event by event, and bills what they measure (audit F5)', async () => {
      // Audit of 7 December 2026: `constructor`, `toString`… as a property's name refused the whole batch (400).
      const id = await partnership();
      const usage = (code: string, aggregation: 'sum' | 'unique_count', property: string) => ({ kind: 'usage' as const, code, name: code, metric: { code, aggregation, property }, price: { kind: 'per_unit' as const, unitPrice: '1.00' }, vat: VAT });
      const terms: PlanTermsInput = { interval: 'monthly', charges: [usage('weight', 'sum', 'constructor'), usage('users', 'unique_count', 'toString')] };
      expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: { effectiveFrom: monthStart(-1), terms } })).status).toBe(200);
      const named = (eventId: string, metricCode: string, properties: Record<string, unknown>) => event(eventId, id, { metricCode, properties });

      const sent = await t.call('POST', '/v1/usage-events', {
        as: 'acme-integrator',
        body: {
          events: [
            named('f5-1', 'weight', { constructor: '2.5', toString: 'ada', hasOwnProperty: 'y', valueOf: 1, isPrototypeOf: true }),
            named('f5-2', 'weight', { constructor: '1' }),
            named('f5-3', 'users', { toString: 'ada' }),
            named('f5-4', 'users', { toString: 'grace', constructor: 'x' }),
            named('f5-5', 'users', { other: 'x' }),
            named('f5-6', 'weight', { constructor: '1', 'bad name': 'x' }),
          ],
        },
      });
      const again = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: [named('f5-1', 'weight', { valueOf: 1, isPrototypeOf: true, hasOwnProperty: 'y', toString: 'ada', constructor: '2.5' })] } });
      const dry = await t.call('POST', '/v1/billing-runs', { body: { dryRun: true, partnershipIds: [id] } });
      const previews = (await finished(dry.body.id)).previews as { billingDate: string; lines: number; netTotal: { amount: string } }[];

      expect(sent.status).toBe(200);
      expect(sent.body.results.map((result: { eventId: string; status: string; error?: { code: string; issues: Issue[] } }) => [result.eventId, result.error?.code ?? result.status, ...(result.error?.issues ?? []).map((issue) => issue.path)])).toEqual([
        ['f5-1', 'stored'],
        ['f5-2', 'stored'],
        ['f5-3', 'stored'],
        ['f5-4', 'stored'],
        ['f5-5', 'usage.property_missing', 'properties.toString'],
        ['f5-6', 'usage.invalid_property_name', 'properties.bad name'],
      ]);
      expect(again.body.results).toEqual([{ eventId: 'f5-1', status: 'duplicate' }]);
      // Only the map's keys are free: such a name as a member of the event itself is still refused, and `__proto__`
      // anywhere is refused by the JSON parser, never taken as a prototype.
      const member = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: [{ ...named('f5-7', 'weight', { constructor: '1' }), toString: 'x' }] } });
      expect([member.status, issuesOf(member.body)]).toEqual([400, ['events.0.toString:request.unknown_property']]);
      const proto = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: JSON.stringify({ events: [named('f5-8', 'weight', { constructor: '1' })] }).replace('"constructor"', '"__proto__":{"x":"1"},"constructor"') });
      expect([proto.status, proto.body.code]).toEqual([400, 'request.malformed_json']);
      // 3.5 of weight and 2 users at 1.00, billed on the day after the month.
      expect(previews.find((bill) => bill.billingDate === monthStart(0))).toMatchObject({ lines: 2, netTotal: { amount: '5.50' } });
    });

    it("never stores usage for another tenant's partnership: it has no plan there", async () => {
      const sent = await t.call('POST', '/v1/usage-events', { as: 'globex-integrator', body: { events: [event('g-1', billed)] } });
      expect(sent.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'usage.no_billing_plan' } });
    });
  });

  describe('one-off charges', () => {
    const charge = { date: monthStart(-1), name: 'Setup', quantity: '1', unitPrice: '99.00', vat: VAT };

    it('adds a charge once per Idempotency-Key, and refuses the key reused for another charge', async () => {
      const first = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { as: 'acme-integrator', body: charge, headers: { 'idempotency-key': 'setup-1' } });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ partnershipId: future, date: monthStart(-1), name: 'Setup', unitCode: 'C62', quantity: '1', unitPrice: '99', vat: { code: 'S', rate: '20' } });
      const retry = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { as: 'acme-integrator', body: charge, headers: { 'idempotency-key': 'setup-1' } });
      expect([retry.status, retry.headers.get('idempotent-replayed'), retry.body.id]).toEqual([201, 'true', first.body.id]);
      const other = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { as: 'acme-integrator', body: { ...charge, unitPrice: '1.00' }, headers: { 'idempotency-key': 'setup-1' } });
      expect([other.status, other.body.code]).toEqual([422, 'idempotency.key_reused']);
      const credit = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { as: 'acme-accountant', body: { ...charge, name: 'Goodwill', quantity: '-1' } });
      expect([credit.status, credit.body.quantity]).toEqual([201, '-1']);
    });

    it('checks the charge, and answers 404 for a partnership that is not the caller\'s', async () => {
      const bad = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { body: { ...charge, name: ' ', unitPrice: '-1' } });
      expect([bad.status, bad.body.code, issuesOf(bad.body).sort()]).toEqual([400, 'validation.failed', ['name:one_off.invalid_name', 'unitPrice:one_off.out_of_range']]);
      const { vat: _vat, ...withoutVat } = charge;
      const noVat = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { body: withoutVat });
      expect([noVat.status, noVat.body.code, issuesOf(noVat.body)]).toEqual([400, 'request.invalid', ['vat:request.is_object']]);
      const exempt = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { body: { ...charge, vat: { code: 'E', exemptionReasonCode: 'VATEX-FAKE' } } });
      expect([exempt.status, exempt.body.code, issuesOf(exempt.body)]).toEqual([400, 'vat.unknown_exemption_code', ['vat.exemptionReasonCode:vat.unknown_exemption_code']]);
      for (const [as, id] of [['globex-admin', future], ['acme-admin', '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b']] as const) {
        const missing = await t.call('POST', `/v1/partnerships/${id}/one-off-charges`, { as, body: charge });
        expect([missing.status, missing.body.code]).toEqual([404, 'partnership.not_found']);
      }
      // A partnership without a billing plan: no run would ever bill the charge.
      const unplanned = await t.call('POST', `/v1/partnerships/${planless}/one-off-charges`, { body: charge });
      expect([unplanned.status, unplanned.body.code]).toEqual([409, 'one_off.no_billing_plan']);
      const viewer = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { as: 'acme-viewer', body: charge });
      expect([viewer.status, viewer.body.detail]).toEqual([403, expect.stringContaining('invoices:create')]);
    });

    it('refuses a charge whose quantity × unit price is beyond the largest amount of the currency, and stores nothing', async () => {
      // Each figure fits a line, their product (10^14 EUR) does not: every run of the partnership would fail for good.
      const charges = t.api.app.get<MongoConnection>(DATABASE).connection.collection('one_off_charges');
      const before = await charges.countDocuments({ partnershipId: future });
      const huge = { ...charge, name: 'Huge', quantity: '1000000', unitPrice: '100000000' };

      const refused = await t.call('POST', `/v1/partnerships/${future}/one-off-charges`, { body: huge, headers: { 'idempotency-key': 'huge-1' } });

      expect([refused.status, refused.body.code, issuesOf(refused.body)]).toEqual([400, 'one_off.out_of_range', [':one_off.out_of_range']]);
      expect(await charges.countDocuments({ partnershipId: future })).toBe(before);
    });
  });

  describe('billing runs', () => {
    it('answers 202 with the run running, before its work is done, and Location; the run then completes', async () => {
      const started = await t.call('POST', '/v1/billing-runs', { body: { partnershipIds: [billed], dryRun: true } });
      expect(started.status).toBe(202);
      expect(started.headers.get('location')).toBe(`/v1/billing-runs/${started.body.id}`);
      expect(started.body).toMatchObject({ asOf: today(), dryRun: true, partnershipIds: [billed], status: 'running', counts: { total: 1, processed: 0 }, failures: [], previews: [] });
      expect(started.body).not.toHaveProperty('finishedAt');
      const done = await finished(started.body.id);
      expect(done).toMatchObject({ status: 'completed', counts: { processed: 1, failed: 0 }, finishedAt: expect.any(String) });
      expect(done.previews.length).toBe(done.counts.bills);
    });

    it('lets admin and accountant start runs, and refuses viewer and integrator', async () => {
      for (const [as, status] of [['acme-accountant', 202], ['acme-admin', 202], ['acme-viewer', 403], ['acme-integrator', 403]] as const) {
        const answer = await t.call('POST', '/v1/billing-runs', { as, body: { dryRun: true, partnershipIds: [future] } });
        expect([as, answer.status]).toEqual([as, status]);
        if (status === 403) expect(answer.body).toMatchObject({ code: 'auth.forbidden', detail: expect.stringContaining('billing:run') });
        else await finished(answer.body.id);
      }
    });

    it('refuses a real run for a day not begun (a dry run may look ahead), and a list of no partnership', async () => {
      const ahead = await t.call('POST', '/v1/billing-runs', { body: { asOf: tomorrow() } });
      expect([ahead.status, ahead.body.code, issuesOf(ahead.body)]).toEqual([400, 'billing_run.as_of_in_future', ['asOf:billing_run.as_of_in_future']]);
      const dry = await t.call('POST', '/v1/billing-runs', { body: { asOf: tomorrow(), dryRun: true, partnershipIds: [future] } });
      expect(dry.status).toBe(202);
      await finished(dry.body.id);
      const none = await t.call('POST', '/v1/billing-runs', { body: { partnershipIds: [] } });
      expect([none.status, none.body.code]).toEqual([400, 'billing_run.too_many_partnerships']);
      const malformed = await t.call('POST', '/v1/billing-runs', { body: { asOf: '01/12/2026', dryRun: 'yes' } });
      expect(issuesOf(malformed.body)).toEqual(['dryRun:request.is_boolean']);
    });

    it('refuses a dry run as of more than a year after today (billing_run.as_of_too_far), which would work out a bill for every date up to it (audit dates F1)', async () => {
      // Before, 202: as of 9999-10-15, ~96,000 bills of one partnership, a core held for days and close() waiting on it.
      for (const asOf of ['9999-10-15', monthStart(13)]) {
        const far = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { dryRun: true, asOf, partnershipIds: [billed] } });
        expect([asOf, far.status, far.body.code, issuesOf(far.body)]).toEqual([asOf, 400, 'billing_run.as_of_too_far', ['asOf:billing_run.as_of_too_far']]);
      }
      const ahead = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { dryRun: true, asOf: monthStart(11), partnershipIds: [billed] } });
      expect(ahead.status).toBe(202);
      expect(await finished(ahead.body.id)).toMatchObject({ status: 'completed', counts: { failed: 0 } });
    });

    it('answers the same run to the same Idempotency-Key, and refuses the key for another request', async () => {
      const body = { dryRun: true, partnershipIds: [billed] };
      const first = await t.call('POST', '/v1/billing-runs', { body, headers: { 'idempotency-key': 'dry-1' } });
      const again = await t.call('POST', '/v1/billing-runs', { body, headers: { 'idempotency-key': 'dry-1' } });
      expect([first.status, again.status, again.body.id, again.headers.get('location')]).toEqual([202, 202, first.body.id, `/v1/billing-runs/${first.body.id}`]);
      const other = await t.call('POST', '/v1/billing-runs', { body: { dryRun: true }, headers: { 'idempotency-key': 'dry-1' } });
      expect([other.status, other.body.code]).toEqual([422, 'idempotency.key_reused']);
      await finished(first.body.id);
    });

    it("records the partnerships it could not bill: another tenant's is not found", async () => {
      const started = await t.call('POST', '/v1/billing-runs', { body: { dryRun: true, partnershipIds: [billed, globexPartnership] } });
      const done = await finished(started.body.id);
      expect(done.counts).toMatchObject({ total: 2, processed: 2, failed: 1 });
      expect(done.failures).toEqual([{ partnershipId: globexPartnership, code: 'billing_plan.not_found', message: expect.any(String) }]);
    });

    it('bills for real, lists the bills page by page with their invoices, and explains each invoice', async () => {
      const started = await t.call('POST', '/v1/billing-runs', { body: { partnershipIds: [billed] } });
      const done = await finished(started.body.id);
      expect(done).toMatchObject({ status: 'completed', dryRun: false, counts: { failed: 0 } });
      expect(done.counts.bills).toBeGreaterThanOrEqual(2);
      const all = (await t.call('GET', `/v1/billing-runs/${done.id}/bills?limit=200`)).body;
      expect(all.items).toHaveLength(done.counts.bills);
      expect(all.nextCursor).toBeNull();
      const first = await t.call('GET', `/v1/billing-runs/${done.id}/bills?limit=1`, { as: 'acme-viewer' });
      expect(first.body.items).toEqual(all.items.slice(0, 1));
      const rest = await t.call('GET', `/v1/billing-runs/${done.id}/bills?limit=200&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(rest.body.items).toEqual(all.items.slice(1));
      for (const bill of all.items) {
        expect(bill).toMatchObject({ partnershipId: billed, status: 'invoiced', invoiceStatus: 'draft', invoiceId: expect.any(String) });
        const explained = await t.call('GET', `/v1/invoices/${bill.invoiceId}/billing`, { as: 'acme-integrator' });
        expect(explained.body).toMatchObject({ invoiceId: bill.invoiceId, billingDate: bill.billingDate, runId: done.id, netTotal: bill.netTotal });
        expect(explained.body.lines.length).toBe(bill.lines);
        const elsewhere = await t.call('GET', `/v1/invoices/${bill.invoiceId}/billing`, { as: 'globex-admin' });
        expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'invoice_billing.not_found']);
      }
      const badCursor = await t.call('GET', `/v1/billing-runs/${done.id}/bills?cursor=nope`);
      expect([badCursor.status, badCursor.body.code]).toEqual([400, 'pagination.invalid_cursor']);
    });

    it('lists runs newest first, page by page, without dry runs\' previews', async () => {
      const first = await t.call('GET', '/v1/billing-runs?limit=2', { as: 'acme-viewer' });
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.items[0].startedAt >= first.body.items[1].startedAt).toBe(true);
      expect(first.body.items.some((run: object) => 'previews' in run)).toBe(false);
      const next = await t.call('GET', `/v1/billing-runs?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(next.body.items.map((run: { id: string }) => run.id)).not.toContain(first.body.items[0].id);
      // Review of 7 December 2026: a cursor naming an instant no date holds (past ±8.64e15 ms) answered 500.
      for (const position of [[9e15, 'x'], [-9e15, 'x'], [1.5, 'x']]) {
        const forged = await t.call('GET', `/v1/billing-runs?cursor=${encodeCursor(position)}`);
        expect([forged.status, forged.body.code]).toEqual([400, 'pagination.invalid_cursor']);
      }
      const tooMany = await t.call('GET', '/v1/billing-runs?limit=500');
      expect([tooMany.status, tooMany.body.code]).toEqual([400, 'pagination.invalid_limit']);
      expect((await t.call('GET', '/v1/billing-runs', { as: 'globex-admin' })).body.items).toEqual([]);
    });

    it('takes over a run whose process stopped, once its record has not moved for the stalled time, and only then', async () => {
      // Review of 6 December 2026: a run whose process stopped stayed `running` for good; the retry of its POST (same
      // key) is answered from the key's record, and nothing else carried it out.
      const start = (partnershipIds: string[]) => t.api.app.get(StartBillingRun).execute({ tenantId: tenantId('acme'), dryRun: true, partnershipIds: partnershipIds as PartnershipId[] });
      const [orphan, live] = [await start([billed]), await start([future])];
      // Started by a process that stopped before billing anything: nobody carries them out here. One was last written
      // ten minutes ago, the other just now (its process may still be running it).
      const runs = t.api.app.get<MongoConnection>(DATABASE).connection.collection('billing_runs');
      const stored = await runs.findOne({ _id: documentId(tenantId('acme'), orphan.id) as never });
      const state = JSON.parse(String(stored?.state)) as Record<string, unknown>;
      const tenMinutesAgo = { $date: { $numberLong: String(Date.now() - 10 * 60_000) } };
      await runs.updateOne({ _id: documentId(tenantId('acme'), orphan.id) as never }, { $set: { state: JSON.stringify({ ...state, updatedAt: tenMinutesAgo }) } });

      const done = await finished(orphan.id);
      expect(done).toMatchObject({ status: 'completed', counts: { total: 1, processed: 1, failed: 0 } });
      expect(t.logs.filter((line) => line.msg === 'billing run taken over: its process had stopped' && line.billingRunId === orphan.id)).toHaveLength(1);
      await sleep(300);
      expect((await t.call('GET', `/v1/billing-runs/${live.id}`)).body).toMatchObject({ status: 'running', counts: { processed: 0 } });
    });

    it('does not carry out again a run another process is carrying out, when the retry of its start finds no key record', async () => {
      // Known left on 6 December 2026: the retry answered the run an earlier attempt started and carried it out here at
      // once, beside the process still running it.
      const body = { dryRun: true, partnershipIds: [future] };
      const id = idempotentId(tenantId('acme'), 'BillingRun', 'lost-key-1', fingerprintOf({ method: 'POST', url: '/v1/billing-runs', body } as never));
      // Started by another process, which carries it out (its record written just now); the key's record is gone.
      const live = await t.api.app.get(StartBillingRun).execute({ tenantId: tenantId('acme'), id, dryRun: true, partnershipIds: [future as PartnershipId] });

      const retry = await t.call('POST', '/v1/billing-runs', { body, headers: { 'idempotency-key': 'lost-key-1' } });

      expect([retry.status, retry.body.id, retry.body.status]).toEqual([202, live.id, 'running']);
      await sleep(300);
      expect((await t.call('GET', `/v1/billing-runs/${live.id}`)).body).toMatchObject({ status: 'running', counts: { processed: 0 } });
    });

    it("answers 404 for a run that is not the caller's tenant's", async () => {
      const started = await t.call('POST', '/v1/billing-runs', { body: { dryRun: true, partnershipIds: [future] } });
      await finished(started.body.id);
      for (const path of [`/v1/billing-runs/${started.body.id}`, `/v1/billing-runs/${started.body.id}/bills`]) {
        const answer = await t.call('GET', path, { as: 'globex-admin' });
        expect([path, answer.status, answer.body.code]).toEqual([path, 404, 'billing_run.not_found']);
      }
      const unknown = await t.call('GET', '/v1/billing-runs/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b');
      expect([unknown.status, unknown.body.code]).toEqual([404, 'billing_run.not_found']);
    });
  });

  describe('the upcoming invoice', () => {
    it('previews the next bill, 204 when nothing is due by `through`, 404 without a plan', async () => {
      const next = await t.call('GET', `/v1/partnerships/${future}/upcoming-invoice`, { as: 'acme-viewer' });
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ partnershipId: future, billingDate: monthStart(-1), currency: 'EUR' });
      const withPlan = await t.call('GET', `/v1/partnerships/${future}/upcoming-invoice?through=${monthStart(2)}`);
      expect(withPlan.status).toBe(200);
      const nothing = await t.call('GET', `/v1/partnerships/${future}/upcoming-invoice?through=${monthStart(-2)}`);
      expect([nothing.status, nothing.text]).toEqual([204, '']);
      const malformed = await t.call('GET', `/v1/partnerships/${future}/upcoming-invoice?through=2026-02-30`);
      expect([malformed.status, malformed.body.code, issuesOf(malformed.body)]).toEqual([400, 'date.malformed', ['through:date.malformed']]);
      for (const [as, id] of [['acme-admin', planless], ['globex-admin', future]] as const) {
        const missing = await t.call('GET', `/v1/partnerships/${id}/upcoming-invoice`, { as });
        expect([missing.status, missing.body.code]).toEqual([404, 'billing_plan.not_found']);
      }
    });

    it('previews the next bill for a `through` as far as 9999-12-31, as for one a year ahead (audit dates F2)', async () => {
      const id = await partnership();
      expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan(monthStart(1)) })).status).toBe(200);
      const upcoming = await t.call('GET', `/v1/partnerships/${id}/upcoming-invoice`, { as: 'acme-viewer' });
      expect([upcoming.status, upcoming.body.billingDate]).toEqual([200, monthStart(1)]);
      // Before: every period up to `through` listed first (a second of the event loop), and 400 date.out_of_range from 9999-12-01.
      for (const through of ['9999-10-15', '9999-12-31']) {
        const far = await t.call('GET', `/v1/partnerships/${id}/upcoming-invoice?through=${through}`, { as: 'acme-viewer' });
        expect([through, far.status, far.body]).toEqual([through, 200, upcoming.body]);
      }
    });

    it('previews the bill a run today makes after a change of terms over days billed, then the next date (review of 7 December 2026)', async () => {
      const id = await partnership();
      const start = monthStart(-1);
      expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan(start) })).status).toBe(200);
      const billToday = async () => {
        const started = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { partnershipIds: [id] } });
        return (await t.call('GET', `/v1/billing-runs/${(await finished(started.body.id)).id}/bills`)).body.items;
      };
      await billToday();
      // 20 seats from the plan's first day, billed already: no date of its own comes, the next run's date bills it.
      const [platform, calls] = plan(start).terms.charges;
      const twenty = { effectiveFrom: start, terms: { ...plan(start).terms, charges: [{ ...platform, quantity: '20' }, calls] } };
      expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: twenty })).status).toBe(200);

      const upcoming = await t.call('GET', `/v1/partnerships/${id}/upcoming-invoice`, { as: 'acme-viewer' });
      const [made] = await billToday();
      const after = await t.call('GET', `/v1/partnerships/${id}/upcoming-invoice`, { as: 'acme-viewer' });

      expect(upcoming.status).toBe(200);
      if (today() === monthStart(0)) {
        // Today is this month's first day, billed already: no run today bills the change, a run tomorrow does.
        expect([made, upcoming.body.billingDate]).toEqual([undefined, tomorrow()]);
      } else {
        // Both months credited (−300.00 each) and charged again for 20 seats (600.00 each), on today's bill.
        expect([upcoming.body.billingDate, upcoming.body.netTotal]).toEqual([today(), { amount: '600.00', currency: 'EUR' }]);
        expect([made.billingDate, made.netTotal]).toEqual([upcoming.body.billingDate, upcoming.body.netTotal]);
        expect(after.body).toMatchObject({ billingDate: monthStart(1), netTotal: { amount: '600.00', currency: 'EUR' } });
      }
    });

    it('shows late usage of an ended plan received after the bill of the day, dated the day after, and no run bills it before that bill (audit billinghttp F6)', async () => {
      const id = await partnership();
      const [, calls] = plan(monthStart(-2)).terms.charges;
      expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: { effectiveFrom: monthStart(-2), terms: { interval: 'monthly', charges: [calls] } } })).status).toBe(200);
      expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: { effectiveFrom: monthStart(0), terms: null } })).status).toBe(200);
      const send = async (eventId: string) => {
        const sent = await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: [event(`${id}-${eventId}`, id, { timestamp: `${monthStart(-2)}T10:00:00Z` })] } });
        expect([sent.status, sent.body.results?.[0]?.status]).toEqual([200, 'stored']);
      };
      const run = async (body: Record<string, unknown> = {}) => {
        const started = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { partnershipIds: [id], ...body } });
        return (await finished(started.body.id)).counts;
      };
      await send('first');
      await run();
      // Late: billed on a bill dated today (on a month's first day, the plan's last bill is dated today already).
      await send('late');
      await run();
      // Late again, after the bill dated today.
      await send('later');

      const upcoming = await t.call('GET', `/v1/partnerships/${id}/upcoming-invoice`, { as: 'acme-viewer' });
      const ofToday = await run();
      const ofYesterday = await run({ asOf: new Date(Date.now() - DAY_MS).toISOString().slice(0, 10) });

      // Before: 204, and the run as of yesterday recorded a bill dated before the bill of today.
      const late = today() === monthStart(0) ? '0.20' : '0.10';
      expect([upcoming.status, upcoming.body.billingDate, upcoming.body.netTotal]).toEqual([200, tomorrow(), { amount: late, currency: 'EUR' }]);
      expect(upcoming.body.lines.map((line: { computation: { reason?: string } }) => line.computation.reason)).toEqual(['late_usage']);
      expect([ofToday.bills, ofYesterday.bills, ofToday.failed, ofYesterday.failed]).toEqual([0, 0, 0, 0]);
    });
  });

  describe('a run in the background', () => {
    it('answers other requests while it runs, and bills every partnership it names', async () => {
      const use = <T>(useCase: new (...args: never[]) => T): T => t.api.app.get(useCase);
      const acme = tenantId('acme');
      const seller = await use(CreatePartner).execute({ tenantId: acme, legalName: 'Acme Cloud SAS' });
      const ids: PartnershipId[] = [];
      for (let index = 0; index < 20; index += 1) {
        const buyer = await use(CreatePartner).execute({ tenantId: acme, legalName: `Customer ${index}` });
        const created = await use(CreatePartnership).execute({ tenantId: acme, sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01' });
        await use(SetBillingPlan).execute({ tenantId: acme, partnershipId: created.id, ...plan(monthStart(-2)) });
        ids.push(created.id);
      }

      const started = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { partnershipIds: ids } });
      expect(started.status).toBe(202);
      // The run bills 60 dates, two partnerships at a time; meanwhile the API answers.
      const [plan0, run0] = await Promise.all([t.call('GET', `/v1/partnerships/${ids[0]}/billing-plan`), t.call('GET', `/v1/billing-runs/${started.body.id}`)]);
      expect([plan0.status, run0.status, run0.body.status]).toEqual([200, 200, 'running']);
      const done = await finished(started.body.id);
      expect(done.counts).toMatchObject({ total: 20, processed: 20, bills: 60, invoicesDrafted: 60, failed: 0 });
    });
  });

  describe('shutting down', () => {
    it('closes without waiting for a run to end: the run stops at its next date, and is left running for another process to take over (audit dates F1)', async () => {
      // Its own API on its own database, closed (not dropped) to read what the run left in it from a second one.
      const database = `api_billing_close_${Date.now().toString(36)}`;
      const first = await startTestApi('billing-close', { MONGO_DB: database });
      let second: TestApi | undefined;
      try {
        const partner = async (legalName: string) => (await first.call('POST', '/v1/partners', { body: { legalName } })).body.id as string;
        const body = { sellerId: await partner('Acme Cloud SAS'), buyerId: await partner('Customer GmbH'), currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '1990-01-01' };
        const id = (await first.call('POST', '/v1/partnerships', { body })).body.id as string;
        expect((await first.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: plan('1990-01-01') })).status).toBe(200);
        // A bill and an invoice for each month since 1990: hundreds of dates, far longer than closing takes.
        const started = await first.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { partnershipIds: [id] } });
        expect(started.status).toBe(202);

        // Before, close() waited for the run to bill every date.
        await first.api.close();

        second = await startTestApi('billing-close', { MONGO_DB: database });
        const run = await second.call('GET', `/v1/billing-runs/${started.body.id}`);
        expect(run.body).toMatchObject({ status: 'running', counts: { total: 1, processed: 0 } });
        const bills = await second.call('GET', `/v1/billing-runs/${started.body.id}/bills?limit=200`);
        expect(bills.body.items.length).toBeLessThan(200);
        expect(first.logs.some((line) => line.msg === 'billing run stopped by shutdown: left running for another process to take over' && line.billingRunId === started.body.id)).toBe(true);
      } finally {
        await (second ?? first).close();
      }
    });
  });

  describe('routes', () => {
    it('answers a billing path with a wrong method 405 with Allow, as every route', async () => {
      for (const [method, path, allow] of [
        ['DELETE', `/v1/partnerships/${billed}/billing-plan`, 'GET, PUT'],
        ['PUT', '/v1/billing-runs', 'GET, POST'],
        ['DELETE', '/v1/billing-runs/some-run', 'GET'],
        ['GET', '/v1/usage-events', 'POST'],
        ['GET', `/v1/partnerships/${billed}/one-off-charges`, 'POST'],
      ] as const) {
        const answer = await t.call(method, path);
        expect([method, path, answer.status, answer.headers.get('allow')]).toEqual([method, path, 405, allow]);
      }
    });
  });

  describe('tenant isolation', () => {
    it("answers another tenant's plan, partnership and invoices as missing", async () => {
      const plan404 = await t.call('GET', `/v1/partnerships/${billed}/billing-plan`, { as: 'globex-admin' });
      expect([plan404.status, plan404.body.code]).toEqual([404, 'billing_plan.not_found']);
      const put404 = await t.call('PUT', `/v1/partnerships/${billed}/billing-plan`, { as: 'globex-admin', body: plan('2026-01-01') });
      expect([put404.status, put404.body.code]).toEqual([404, 'partnership.not_found']);
      const notBilled = await t.call('POST', '/v1/invoices', { body: { partnershipId: billed, lines: [{ name: 'Consulting', quantity: '1', unitCode: 'C62', netPrice: '10.00', vat: VAT }] } });
      expect(notBilled.status).toBe(201);
      const explained = await t.call('GET', `/v1/invoices/${notBilled.body.id}/billing`);
      expect([explained.status, explained.body.code]).toEqual([404, 'invoice_billing.not_found']);
    });
  });
});
