import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { oneOffCharge, oneOffIdsOf } from '@invoicing/billing';
import { createMongoBillingAdapters, type MongoBillingAdapters, type MongoConnection } from '@invoicing/integration/mongodb';
import { tenantId } from '@invoicing/core';
import type { MarketableId, PartnershipId } from '@invoicing/invoice';
import { demoUser } from '@invoicing/stack';
import { DATABASE } from '../composition/tokens';
import { startTestApi, type Caller, type TestApi } from '../testing/harness';

// One-off charges over HTTP on the real stack: the marketable a charge names (audit `tenancy` T1), and cancelling a
// charge no run has billed, also while a run bills it.

const VAT = { code: 'S', rate: '20' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

/** The 5th of last month: a day already begun, and a billing date of its own for a charge. */
const chargeDay = () => `${monthStart(-1).slice(0, 8)}05`;

type Issue = { path: string; code: string };
const issuesOf = (body: { errors?: Issue[] }) => (body.errors ?? []).map((issue) => `${issue.path}:${issue.code}`);

describe('one-off charges over HTTP', () => {
  let t: TestApi;
  let billing: MongoBillingAdapters;
  /** acme's active marketable, acme's deactivated one, globex's. */
  let active: string, inactive: string, foreign: string;
  const acme = tenantId('acme');

  async function marketable(sku: string, as: Caller = 'acme-admin'): Promise<string> {
    const created = await t.call('POST', '/v1/marketables', { as, body: { sku, kind: 'service', name: 'Onboarding', unitCode: 'C62', defaultVat: VAT } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** A new acme partnership billed monthly in advance from the start of last month. */
  async function partnership(): Promise<string> {
    const partner = async (legalName: string) => (await t.call('POST', '/v1/partners', { body: { legalName } })).body.id as string;
    const created = await t.call('POST', '/v1/partnerships', {
      body: { sellerId: await partner('Acme Cloud SAS'), buyerId: await partner('Customer GmbH'), currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01' },
    });
    expect(created.status).toBe(201);
    const plan = { effectiveFrom: monthStart(-1), terms: { interval: 'monthly', charges: [{ kind: 'recurring', code: 'platform', name: 'Platform fee', quantity: '1', unitPrice: '30.00', vat: VAT }] } };
    expect((await t.call('PUT', `/v1/partnerships/${created.body.id}/billing-plan`, { body: plan })).status).toBe(200);
    return created.body.id;
  }

  async function run(partnershipIds: string[]) {
    return finished(await start(partnershipIds));
  }

  async function start(partnershipIds: string[]): Promise<string> {
    const started = await t.call('POST', '/v1/billing-runs', { as: 'acme-accountant', body: { partnershipIds } });
    expect(started.status).toBe(202);
    return started.body.id;
  }

  async function finished(runId: string) {
    for (let polls = 0; polls < 600; polls += 1) {
      const current = await t.call('GET', `/v1/billing-runs/${runId}`);
      if (current.body.status !== 'running') return current.body;
      await sleep(50);
    }
    throw new Error(`run ${runId} still running after 30 s`);
  }

  /** Each bill of a partnership, by date, with the one-off charges it carries. */
  async function billed(partnershipId: string): Promise<[string, string, string[]][]> {
    return (await billing.bills.listByPartnership(acme, partnershipId as PartnershipId)).map((bill) => [bill.billingDate, bill.status, oneOffIdsOf(bill)]);
  }

  const charge = (changes: Record<string, unknown> = {}) => ({ date: chargeDay(), name: 'Onboarding workshop', quantity: '1', unitPrice: '500.00', vat: VAT, ...changes });
  const add = async (partnershipId: string, changes: Record<string, unknown> = {}, as: Caller = 'acme-admin') => t.call('POST', `/v1/partnerships/${partnershipId}/one-off-charges`, { as, body: charge(changes) });
  const cancel = (partnershipId: string, chargeId: string, as: Caller = 'acme-admin') => t.call('DELETE', `/v1/partnerships/${partnershipId}/one-off-charges/${chargeId}`, { as });

  beforeAll(async () => {
    t = await startTestApi('one_off_charges');
    billing = createMongoBillingAdapters(t.api.app.get<MongoConnection>(DATABASE));
    [active, inactive, foreign] = [await marketable('WORKSHOP'), await marketable('RETIRED'), await marketable('GLOBEX-WORKSHOP', 'globex-admin')];
    expect((await t.call('POST', `/v1/marketables/${inactive}/deactivate`)).status).toBe(200);
  });
  afterAll(() => t?.close());

  describe('the marketable a charge names', () => {
    it("refuses another tenant's marketable, an unknown one and an inactive one (400, from an integrator too), stores nothing, and the partnership bills on", async () => {
      const partnershipId = await partnership();

      for (const [marketableId, code] of [
        [foreign, 'line.marketable_not_found'],
        ['0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', 'line.marketable_not_found'],
        [inactive, 'line.marketable_inactive'],
      ]) {
        for (const as of ['acme-integrator', 'acme-admin'] as const) {
          const refused = await add(partnershipId, { marketableId }, as);
          expect([refused.status, refused.body.code, issuesOf(refused.body)]).toEqual([400, code, [`marketableId:${code}`]]);
        }
      }
      const taken = await add(partnershipId, { marketableId: active }, 'acme-integrator');
      expect([taken.status, taken.body.marketableId]).toEqual([201, active]);
      expect((await billing.oneOffs.listThrough(acme, partnershipId as PartnershipId, '2099-12-31' as never)).map((each) => each.id)).toEqual([taken.body.id]);

      const done = await run([partnershipId]);

      expect(done).toMatchObject({ status: 'completed', counts: { failed: 0 } });
      expect(await billed(partnershipId)).toEqual([
        [monthStart(-1), 'invoiced', []],
        [chargeDay(), 'invoiced', [taken.body.id]],
        [monthStart(0), 'invoiced', []],
      ]);
    });
  });

  it('adds a credit (a negative quantity) for who may credit only: an integrator gets 403 and nothing is stored (audit approval2)', async () => {
    const partnershipId = await partnership();

    const refused = await add(partnershipId, { quantity: '-1' }, 'acme-integrator');
    const taken = await add(partnershipId, { quantity: '-1' }, 'acme-accountant');

    expect([refused.status, refused.body.code]).toEqual([403, 'auth.forbidden']);
    expect([taken.status, taken.body.quantity]).toEqual([201, '-1']);
    expect((await billing.oneOffs.listThrough(acme, partnershipId as PartnershipId, '2099-12-31' as never)).map((each) => [each.quantity.toString(), each.addedBy])).toEqual([['-1', demoUser('acme', 'accountant').username]]);
  });

  describe('cancelling a charge', () => {
    it('cancels a charge no run billed: 204, and 204 again; no run bills it', async () => {
      const partnershipId = await partnership();
      const added = await add(partnershipId, {}, 'acme-integrator');

      const first = await cancel(partnershipId, added.body.id, 'acme-integrator');
      const again = await cancel(partnershipId, added.body.id, 'acme-accountant');
      const done = await run([partnershipId]);

      expect([first.status, first.text, again.status]).toEqual([204, '', 204]);
      expect(done.counts).toMatchObject({ failed: 0, bills: 2 });
      expect(await billed(partnershipId)).toEqual([
        [monthStart(-1), 'invoiced', []],
        [monthStart(0), 'invoiced', []],
      ]);
    });

    it("refuses a charge a run billed (409), answers 404 for one that is not the partnership's or the tenant's, and needs invoices:create", async () => {
      const [partnershipId, other] = [await partnership(), await partnership()];
      const added = await add(partnershipId);
      await run([partnershipId]);

      const billedAlready = await cancel(partnershipId, added.body.id);
      expect([billedAlready.status, billedAlready.body.code]).toEqual([409, 'one_off.already_billed']);
      for (const [as, path] of [
        ['acme-admin', `${partnershipId}/one-off-charges/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b`],
        ['acme-admin', `${other}/one-off-charges/${added.body.id}`],
      ] as const) {
        const missing = await t.call('DELETE', `/v1/partnerships/${path}`, { as });
        expect([missing.status, missing.body.code]).toEqual([404, 'one_off.not_found']);
      }
      const elsewhere = await cancel(partnershipId, added.body.id, 'globex-admin');
      expect([elsewhere.status, elsewhere.body.code]).toEqual([404, 'partnership.not_found']);
      const viewer = await cancel(other, added.body.id, 'acme-viewer');
      expect([viewer.status, viewer.body.code, viewer.body.detail]).toEqual([403, 'auth.forbidden', expect.stringContaining('invoices:create')]);
      expect((await billed(partnershipId)).map(([date, , ids]) => [date, ids])).toContainEqual([chargeDay(), [added.body.id]]);
    });

    it("frees a partnership from a charge stored before marketables were checked (globex's), cancelled before a run reached it", async () => {
      // Audit T1, data stored before the fix: the store takes what it is given, as the route did then.
      const [freed, stuck] = [await partnership(), await partnership()];
      const stored = (partnershipId: string, id: string) =>
        billing.oneOffs.add(
          oneOffCharge({ ...charge(), marketableId: foreign as MarketableId }, { tenantId: acme, id, partnershipId: partnershipId as PartnershipId, currency: 'EUR', at: new Date() }),
        );
      await stored(freed, 'legacy-freed');
      await stored(stuck, 'legacy-stuck');

      expect((await cancel(freed, 'legacy-freed')).status).toBe(204);
      const stuckRun = await run([stuck]);
      const freedRun = await run([freed]);

      expect(freedRun).toMatchObject({ status: 'completed', counts: { failed: 0, bills: 2 } });
      expect(await billed(freed)).toEqual([
        [monthStart(-1), 'invoiced', []],
        [monthStart(0), 'invoiced', []],
      ]);
      // Once a run recorded its bill, the bill keeps the line (a bill's lines never change): not freed by a cancel.
      expect(stuckRun.failures).toEqual([expect.objectContaining({ partnershipId: stuck, code: 'line.marketable_not_found' })]);
      const refused = await cancel(stuck, 'legacy-stuck');
      expect([refused.status, refused.body.code]).toEqual([409, 'one_off.already_billed']);
    });

    it('never both cancels a charge and bills it, when the cancel and a run come at the same moment', async () => {
      const partnerships = await Promise.all(Array.from({ length: 10 }, () => partnership()));
      const charges = await Promise.all(partnerships.map(async (partnershipId) => (await add(partnershipId)).body.id as string));

      // The run bills the partnerships a few at a time in the background; the cancels come one after the other as it goes.
      const runId = await start(partnerships);
      const cancels = await Promise.all(
        partnerships.map(async (partnershipId, index) => {
          await sleep(index * 30);
          return cancel(partnershipId, charges[index] as string);
        }),
      );
      expect(await finished(runId)).toMatchObject({ status: 'completed', counts: { failed: 0 } });

      for (const [index, partnershipId] of partnerships.entries()) {
        const answer = cancels[index];
        const carried = (await billed(partnershipId)).filter(([, , ids]) => ids.includes(charges[index] as string));
        // Cancelled and on no bill, or on one bill and the cancel refused.
        if (answer?.status === 204) expect(carried).toEqual([]);
        else expect([answer?.status, answer?.body.code, carried.length]).toEqual([409, 'one_off.already_billed', 1]);
        expect((await billing.oneOffs.get(acme, charges[index] as string))?.cancelledAt !== undefined).toBe(answer?.status === 204);
      }
    });
  });
});
