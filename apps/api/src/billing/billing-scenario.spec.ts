import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../testing/harness';

const DAY_MS = 86_400_000;
const VAT = { code: 'S', rate: '20' };

/** The first day of the month `offset` months from today's (UTC, the test API's business time zone). */
function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

/** Cents as the API writes an amount in EUR: `-154.84`. Integer arithmetic only, as for any amount. */
function eur(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The proration rule (docs/billing-pricing.md#proration): the share of a fee up to a day, rounded half up to the cent. */
function shareUpTo(feeCents: number, daysBefore: number, periodDays: number): number {
  return Math.floor((2 * feeCents * daysBefore + periodDays) / (2 * periodDays));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A line of `GET /v1/invoices/{id}/billing`, as the checks read it. */
interface ExplainedLine {
  id: string;
  name: string;
  amount: { amount: string; currency: string };
  computation: { item: string; purpose: string; reason?: string; formula: string; amount: string; proration?: { days: number; periodDays: number }; usage?: { units: string; events: number }; previouslyBilled?: string; nowComputed?: string; minimum?: { amount: string; usageAmount: string } };
}

/**
 * The billing story over HTTP, with real tokens, on dates relative to today (the API's clock is the real one): a plan
 * that started on the first day of the month two months ago, with a fee of 10 seats at 30.00 in advance, API calls in
 * arrears (graduated: 0.10 each for the first 100, 0.05 after) and a minimum of 20.00 a month; usage sent by the
 * integrator; a dry run, a run, a run again; then 20 seats from the 16th of last month, and the run that corrects it.
 */
describe('billing over HTTP, end to end', () => {
  let t: TestApi;
  let partnershipId: string;
  const [twoMonthsAgo, lastMonth, thisMonth, nextMonth] = [monthStart(-2), monthStart(-1), monthStart(0), monthStart(1)];
  const changeDay = plusDays(lastMonth, 15);
  const lastMonthDays = daysBetween(lastMonth, thisMonth);

  const terms = (seats: string) => ({
    interval: 'monthly',
    charges: [
      { kind: 'recurring', code: 'platform', name: 'Platform fee', quantity: seats, unitPrice: '30.00', timing: 'advance', vat: VAT },
      {
        kind: 'usage',
        code: 'api_calls',
        name: 'API calls',
        metric: { code: 'api_calls', aggregation: 'count' },
        price: { kind: 'graduated', tiers: [{ upTo: '100', unitPrice: '0.10' }, { unitPrice: '0.05' }] },
        vat: VAT,
      },
    ],
    minimum: { amount: '20.00', vat: VAT },
  });

  /** Starts a run and waits for it to finish, polling the run as a client would. */
  async function run(body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const started = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body, headers });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/billing-runs/${started.body.id}`);
    const location = started.headers.get('location') ?? '';
    for (let polls = 0; polls < 600; polls += 1) {
      const current = await t.call('GET', location, { as: 'acme-viewer' });
      expect(current.status).toBe(200);
      if (current.body.status !== 'running') return { started, done: current.body };
      await sleep(50);
    }
    throw new Error(`run ${started.body.id} still running after 30 s`);
  }

  async function invoiceCount(): Promise<number> {
    const page = await t.call('GET', '/v1/invoices?limit=200');
    expect(page.status).toBe(200);
    return page.body.items.length;
  }

  /** The explanation of an invoice, each line checked against the invoice's own line of that id. */
  async function explained(invoiceId: string): Promise<ExplainedLine[]> {
    const [billing, invoice] = await Promise.all([t.call('GET', `/v1/invoices/${invoiceId}/billing`, { as: 'acme-viewer' }), t.call('GET', `/v1/invoices/${invoiceId}`)]);
    expect([billing.status, invoice.status]).toEqual([200, 200]);
    expect(billing.body).toMatchObject({ invoiceId, partnershipId, status: 'invoiced', invoiceStatus: 'draft', currency: 'EUR' });
    const lines = billing.body.lines as ExplainedLine[];
    expect(invoice.body.lines.map((line: { id: string; name: string; netAmount: unknown }) => [line.id, line.name, line.netAmount])).toEqual(lines.map((line) => [line.id, line.name, line.amount]));
    for (const line of lines) expect(line.computation.amount).toBe(line.amount.amount);
    return lines;
  }

  const byItem = (lines: ExplainedLine[]) => Object.fromEntries(lines.map((line) => [`${line.computation.item}${line.computation.purpose === 'correction' ? ' (correction)' : ''}`, line]));

  beforeAll(async () => {
    t = await startTestApi('billing_scenario');
    const partner = async (legalName: string) => {
      const created = await t.call('POST', '/v1/partners', { body: { legalName } });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const [seller, buyer] = [await partner('Acme Cloud SAS'), await partner('Initech GmbH')];
    const created = await t.call('POST', '/v1/partnerships', {
      body: { sellerId: seller, buyerId: buyer, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: plusDays(twoMonthsAgo, -365) },
    });
    expect(created.status).toBe(201);
    partnershipId = created.body.id;
  });
  afterAll(() => t?.close());

  it('bills a plan over HTTP: usage, a dry run, a run, a run again, then a change in the middle of a month', async () => {
    // The plan, started on the first day of the month two months ago.
    const plan = await t.call('PUT', `/v1/partnerships/${partnershipId}/billing-plan`, { body: { effectiveFrom: twoMonthsAgo, terms: terms('10') } });
    expect(plan.status).toBe(200);
    expect(plan.headers.get('etag')).toBe('"1"');
    expect(plan.body).toMatchObject({ partnershipId, version: 1, currency: 'EUR', versions: [{ version: 1, effectiveFrom: twoMonthsAgo, terms: { cycle: { interval: 'monthly', alignment: 'calendar' }, invoiceMode: 'draft' } }] });
    expect(plan.body.versions[0].terms.minimum).toEqual({ amount: { amount: '20.00', currency: 'EUR' }, name: 'Minimum commitment', vat: { code: 'S', rate: '20' } });

    // 250 API calls last month, sent by the integrator: the first one twice, and one for a metric the plan lacks.
    const calls = Array.from({ length: 250 }, (_, index) => ({ eventId: `call-${index}`, metricCode: 'api_calls', timestamp: `${plusDays(lastMonth, 9)}T12:00:00Z`, partnershipId }));
    const sent = await t.call('POST', '/v1/usage-events', {
      as: 'acme-integrator',
      body: { events: [...calls, calls[0], { eventId: 'typo-1', metricCode: 'api_cals', timestamp: `${plusDays(lastMonth, 9)}T12:00:00Z`, partnershipId }] },
    });
    expect(sent.status).toBe(200);
    expect([sent.body.stored, sent.body.duplicates, sent.body.rejected]).toEqual([250, 1, 1]);
    expect(sent.body.results.slice(249)).toEqual([
      { eventId: 'call-249', status: 'stored' },
      { eventId: 'call-0', status: 'duplicate' },
      {
        eventId: 'typo-1',
        status: 'rejected',
        error: { code: 'usage.unknown_metric', message: expect.any(String), issues: [{ path: 'metricCode', code: 'usage.unknown_metric', message: expect.any(String) }] },
      },
    ]);

    // A one-off charge on the first day of last month, added once though sent twice with its key.
    const oneOff = { date: lastMonth, name: 'Onboarding', quantity: '1', unitPrice: '150.00', vat: VAT };
    const added = await t.call('POST', `/v1/partnerships/${partnershipId}/one-off-charges`, { body: oneOff, headers: { 'idempotency-key': 'onboarding-1' } });
    const again = await t.call('POST', `/v1/partnerships/${partnershipId}/one-off-charges`, { body: oneOff, headers: { 'idempotency-key': 'onboarding-1' } });
    expect([added.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 201, 'true']);
    expect(again.body).toEqual(added.body);

    // A dry run writes nothing but its record: what it would bill on each date due.
    const dry = await run({ dryRun: true });
    expect(dry.started.body).toMatchObject({ status: 'running', dryRun: true, asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), counts: { total: 1, processed: 0 } });
    expect(dry.done).toMatchObject({ status: 'completed', dryRun: true, counts: { total: 1, processed: 1, bills: 3, invoicesDrafted: 0, failed: 0 }, failures: [] });
    expect(dry.done.previews.map((preview: { billingDate: string; lines: number; netTotal: unknown }) => [preview.billingDate, preview.lines, preview.netTotal])).toEqual([
      [twoMonthsAgo, 1, { amount: '300.00', currency: 'EUR' }],
      [lastMonth, 3, { amount: '470.00', currency: 'EUR' }],
      [thisMonth, 4, { amount: '320.00', currency: 'EUR' }],
    ]);
    expect((await t.call('GET', `/v1/billing-runs/${dry.done.id}/bills`)).body).toEqual({ items: [], nextCursor: null });
    expect(await invoiceCount()).toBe(0);

    // The run: one draft invoice per date, each line explained.
    const real = await run({}, { 'idempotency-key': 'month-end' });
    expect(real.done).toMatchObject({ status: 'completed', dryRun: false, counts: { total: 1, processed: 1, bills: 3, emptyBills: 0, invoicesDrafted: 3, invoicesIssued: 0, failed: 0 } });
    expect(real.done).not.toHaveProperty('previews');
    const bills = (await t.call('GET', `/v1/billing-runs/${real.done.id}/bills`)).body.items;
    expect(bills.map((bill: { billingDate: string; status: string; invoiceStatus: string; lines: number; netTotal: { amount: string } }) => [bill.billingDate, bill.status, bill.invoiceStatus, bill.lines, bill.netTotal.amount])).toEqual([
      [twoMonthsAgo, 'invoiced', 'draft', 1, '300.00'],
      [lastMonth, 'invoiced', 'draft', 3, '470.00'],
      [thisMonth, 'invoiced', 'draft', 4, '320.00'],
    ]);
    expect(await invoiceCount()).toBe(3);

    const first = byItem(await explained(bills[0].invoiceId));
    expect(first[`platform@v1:${twoMonthsAgo}`]?.computation).toMatchObject({ purpose: 'charge', formula: '10 × 30', amount: '300.00' });
    const second = byItem(await explained(bills[1].invoiceId));
    expect(Object.keys(second).sort()).toEqual([`minimum@v1:${twoMonthsAgo}`, `one_off:${added.body.id}`, `platform@v1:${lastMonth}`].sort());
    expect(second[`minimum@v1:${twoMonthsAgo}`]?.computation).toMatchObject({ formula: 'minimum 20.00 − usage 0.00', minimum: { amount: '20.00', usageAmount: '0.00' }, amount: '20.00' });
    expect(second[`one_off:${added.body.id}`]?.computation).toMatchObject({ kind: 'one_off', formula: '1 × 150', amount: '150.00' });
    const third = await explained(bills[2].invoiceId);
    expect(third.map((line) => [line.name, line.computation.formula, line.amount.amount])).toEqual([
      ['API calls — tier 1 (0 to 100)', '100 × 0.1', '10.00'],
      ['API calls — tier 2 (100 to ∞)', '150 × 0.05', '7.50'],
      ['Minimum commitment', 'minimum 20.00 − usage 17.50', '2.50'],
      ['Platform fee', '10 × 30', '300.00'],
    ]);
    // The duplicate counted once, the rejected event not at all.
    expect(third[0]?.computation.usage).toMatchObject({ units: '250', events: 250 });

    // Run again: nothing is due, nothing is made; the same request again answers the same run.
    const repeat = await run({});
    expect(repeat.done.counts).toMatchObject({ processed: 1, bills: 0, invoicesDrafted: 0, failed: 0 });
    expect(await invoiceCount()).toBe(3);
    const retried = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: {}, headers: { 'idempotency-key': 'month-end' } });
    expect([retried.status, retried.headers.get('idempotent-replayed'), retried.body.id]).toEqual([202, 'true', real.done.id]);

    // Usage so far this month, previewed with next month's fee; nothing is written.
    const recent = new Date(Math.max(Date.now() - 60_000, Date.parse(`${thisMonth}T00:00:00Z`))).toISOString();
    const thisMonthCalls = Array.from({ length: 3 }, (_, index) => ({ eventId: `now-${index}`, metricCode: 'api_calls', timestamp: recent, partnershipId }));
    expect((await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: thisMonthCalls } })).body.stored).toBe(3);
    const upcoming = await t.call('GET', `/v1/partnerships/${partnershipId}/upcoming-invoice`, { as: 'acme-viewer' });
    expect(upcoming.status).toBe(200);
    expect(upcoming.body).toMatchObject({ partnershipId, billingDate: nextMonth, planVersion: 1, currency: 'EUR', netTotal: { amount: '320.00', currency: 'EUR' } });
    expect(upcoming.body.lines.map((line: ExplainedLine) => [line.computation.item, line.amount.amount])).toEqual([
      [`api_calls@v1:${thisMonth}`, '0.30'],
      [`minimum@v1:${thisMonth}`, '19.70'],
      [`platform@v1:${nextMonth}`, '300.00'],
    ]);
    expect(await invoiceCount()).toBe(3);

    // 20 seats from the 16th of last month: the next run credits the unused days of the 10 seats and charges the 20.
    const current = await t.call('GET', `/v1/partnerships/${partnershipId}/billing-plan`);
    const changed = await t.call('PUT', `/v1/partnerships/${partnershipId}/billing-plan`, {
      body: { effectiveFrom: changeDay, terms: terms('20') },
      headers: { 'if-match': current.headers.get('etag') ?? '' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.versions.map((version: { version: number; effectiveFrom: string }) => [version.version, version.effectiveFrom])).toEqual([
      [1, twoMonthsAgo],
      [2, changeDay],
    ]);
    const corrected = await run({});
    expect(corrected.done.counts).toMatchObject({ bills: 1, invoicesDrafted: 1, failed: 0 });
    const [changeBill] = (await t.call('GET', `/v1/billing-runs/${corrected.done.id}/bills`)).body.items;
    expect(changeBill).toMatchObject({ billingDate: changeDay, planVersion: 2, status: 'invoiced' });
    expect(await invoiceCount()).toBe(4);

    const lines = byItem(await explained(changeBill.invoiceId));
    const usedDays = 15;
    const restDays = lastMonthDays - usedDays;
    const tenSeatsUsed = shareUpTo(30_000, usedDays, lastMonthDays);
    expect(lines[`platform@v1:${lastMonth} (correction)`]).toMatchObject({
      name: `Platform fee — unused time ${changeDay} – ${plusDays(thisMonth, -1)}`,
      computation: { reason: 'plan_change', previouslyBilled: '300.00', nowComputed: eur(tenSeatsUsed), amount: eur(tenSeatsUsed - 30_000) },
    });
    expect(lines[`platform@v2:${lastMonth}`]?.computation).toMatchObject({
      purpose: 'charge',
      proration: { days: restDays, periodDays: lastMonthDays },
      formula: `20 × 30 × ${restDays}/${lastMonthDays} days`,
      amount: eur(60_000 - shareUpTo(60_000, usedDays, lastMonthDays)),
    });
    // This month's fee, billed in advance for 10 seats, is credited and charged again for 20.
    expect(lines[`platform@v1:${thisMonth} (correction)`]?.computation).toMatchObject({ reason: 'plan_change', amount: '-300.00' });
    expect(lines[`platform@v2:${thisMonth}`]?.computation).toMatchObject({ purpose: 'charge', formula: '20 × 30', amount: '600.00' });
  });
});


/**
 * An ended plan's last credit over HTTP (ADR 0030): a plan from last month that issues its invoices, ended from the
 * first day of this month after this month's fee was invoiced. The run credits that fee on a credit note of the
 * invoice that charged it, which the bill names.
 */
describe('the last credit of an ended plan, over HTTP', () => {
  let t: TestApi;
  let partnershipId: string;
  let parties: { readonly sellerId: string; readonly buyerId: string };
  const [lastMonth, thisMonth] = [monthStart(-1), monthStart(0)];
  const fee = { interval: 'monthly', invoiceMode: 'issue', charges: [{ kind: 'recurring', code: 'platform', name: 'Platform fee', quantity: '10', unitPrice: '30.00', vat: VAT }] };

  async function run() {
    const started = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: {} });
    expect(started.status).toBe(202);
    for (let polls = 0; polls < 600; polls += 1) {
      const current = await t.call('GET', `/v1/billing-runs/${started.body.id}`, { as: 'acme-viewer' });
      if (current.body.status !== 'running') return current.body;
      await sleep(50);
    }
    throw new Error(`run ${started.body.id} still running after 30 s`);
  }

  beforeAll(async () => {
    t = await startTestApi('billing_final_credit');
    // Complete enough to be issued: a VAT id and a billing address each.
    const partner = async (legalName: string, vatId: string, countryCode: string) => {
      const created = await t.call('POST', '/v1/partners', { body: { legalName, identifiers: { vatId }, addresses: [{ purpose: 'billing', lines: ['1 Main Street'], city: 'Berlin', postalCode: '10117', countryCode }] } });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const [seller, buyer] = [await partner('Acme Cloud SAS', 'FR12345678901', 'FR'), await partner('Initech GmbH', 'DE123456789', 'DE')];
    parties = { sellerId: seller, buyerId: buyer };
    partnershipId = await partnership();
  });

  async function partnership(): Promise<string> {
    const created = await t.call('POST', '/v1/partnerships', { body: { ...parties, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: plusDays(lastMonth, -365) } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function end(id: string, from: string): Promise<void> {
    const plan = await t.call('GET', `/v1/partnerships/${id}/billing-plan`);
    const ended = await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: { effectiveFrom: from, terms: null }, headers: { 'if-match': plan.headers.get('etag') ?? '' } });
    expect(ended.status).toBe(200);
  }
  afterAll(() => t?.close());

  it('credits the fee billed for days after the end on a credit note of its invoice, named by the bill', async () => {
    expect((await t.call('PUT', `/v1/partnerships/${partnershipId}/billing-plan`, { body: { effectiveFrom: lastMonth, terms: fee } })).status).toBe(200);
    const first = await run();
    expect(first.counts).toMatchObject({ bills: 2, invoicesIssued: 2, failed: 0 });
    const firstBills = (await t.call('GET', `/v1/billing-runs/${first.id}/bills`)).body.items as { billingDate: string; invoiceId: string }[];
    const charged = { id: firstBills.find((each) => each.billingDate === thisMonth)?.invoiceId };
    await end(partnershipId, thisMonth);

    const done = await run();

    expect(done).toMatchObject({ status: 'completed', counts: { bills: 1, failed: 0 }, failures: [] });
    const [bill] = (await t.call('GET', `/v1/billing-runs/${done.id}/bills`)).body.items;
    expect(bill).toMatchObject({ status: 'invoiced', invoiceStatus: 'none', netTotal: { amount: '-300.00', currency: 'EUR' } });
    // All of it went on the credit note: the bill has no invoice.
    expect(bill).not.toHaveProperty('invoiceId');
    expect(bill.creditNotes).toEqual([{ invoiceId: charged.id, creditNoteId: expect.any(String), netTotal: { amount: '300.00', currency: 'EUR' }, status: 'issued' }]);
    const [creditNote, invoice] = await Promise.all([t.call('GET', `/v1/invoices/${bill.creditNotes[0].creditNoteId}`), t.call('GET', `/v1/invoices/${charged.id}`)]);
    expect([creditNote.body.kind, creditNote.body.status, creditNote.body.totals.amountDue]).toEqual(['credit_note', 'issued', { amount: '360.00', currency: 'EUR' }]);
    expect(invoice.body.status).toBe('credited');
    expect((await run()).counts).toMatchObject({ bills: 0, failed: 0 });
  });

  it('splits a discount of days it both credits and charges: the credit notes net the credited days\' part, the invoice keeps the rest (audit finalcredit3 M1)', async () => {
    const id = await partnership();
    const terms = {
      ...fee,
      charges: [...fee.charges, { kind: 'usage', code: 'api_calls', name: 'API calls', metric: { code: 'api_calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.10' }, vat: VAT }],
      discounts: [{ code: 'deal', kind: 'percentage', percent: '10', reason: 'Deal' }],
    };
    expect((await t.call('PUT', `/v1/partnerships/${id}/billing-plan`, { body: { effectiveFrom: lastMonth, terms } })).status).toBe(200);
    const first = await run();
    expect(first.counts).toMatchObject({ bills: 2, failed: 0 });
    const charged = (await t.call('GET', `/v1/billing-runs/${first.id}/bills`)).body.items as { billingDate: string; invoiceId: string }[];
    // 200 calls on last month's first day, received late; then billing ended from its second day.
    const calls = Array.from({ length: 200 }, (_, index) => ({ eventId: `deal-call-${index}`, metricCode: 'api_calls', timestamp: `${lastMonth}T12:00:00Z`, partnershipId: id }));
    expect((await t.call('POST', '/v1/usage-events', { as: 'acme-integrator', body: { events: calls } })).body.stored).toBe(200);
    await end(id, plusDays(lastMonth, 1));

    const done = await run();

    expect(done).toMatchObject({ status: 'completed', counts: { bills: 1, failed: 0 }, failures: [] });
    const [bill] = (await t.call('GET', `/v1/billing-runs/${done.id}/bills`)).body.items;
    // Last month's unused days on its invoice, this month's fee on its own: each net of the 10 % its days had.
    expect(bill).toMatchObject({ status: 'invoiced', invoiceStatus: 'issued', invoiceId: expect.any(String) });
    expect(bill.creditNotes.map((each: { invoiceId: string; status: string }) => [each.invoiceId, each.status]).sort()).toEqual(charged.map((each) => [each.invoiceId, 'issued']).sort());
    const thisMonths = bill.creditNotes.find((each: { invoiceId: string }) => each.invoiceId === charged.find((one) => one.billingDate === thisMonth)?.invoiceId);
    expect(thisMonths.netTotal).toEqual({ amount: '270.00', currency: 'EUR' });
    // The calls' invoice: 20.00 less their 2.00 of the discount, stated without a percent, with VAT. Their line corrects
    // what last month's calls came to (0.00 when billed): never named unused time, which it is not.
    const invoice = (await t.call('GET', `/v1/invoices/${bill.invoiceId}`)).body;
    expect(invoice.lines.map((each: { name: string; netAmount: unknown }) => [each.name, each.netAmount])).toEqual([['API calls — plan change', { amount: '20.00', currency: 'EUR' }]]);
    expect(invoice.allowances.map((each: { amount: unknown; percent?: string }) => [each.amount, each.percent])).toEqual([[{ amount: '2.00', currency: 'EUR' }, undefined]]);
    expect(invoice.totals.amountDue).toEqual({ amount: '21.60', currency: 'EUR' });
    // The calls were received moments before that bill's cutoff, within the margin a run looks at again: the next run
    // finds nothing changed, and makes no document.
    expect((await run()).counts).toMatchObject({ failed: 0, invoicesIssued: 0, invoicesDrafted: 0 });
  });
});
