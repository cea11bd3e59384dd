import { aBill, aOneOff, aPartnershipId, aPlan, aRun, anEvent, describeBillingPortContracts } from '@invoicing/billing/testing';
import { aTenant } from '@invoicing/invoice/testing';
import { createTestDatabase, type TestDatabase } from '../../testing/mongo-test-database';
import { createMongoBillingAdapters, type MongoBillingAdapters } from './mongo-billing-adapters';
import { receiptMonthKey, usageMonthKey } from './usage-event.mapper';

// Every contract of @invoicing/billing's ports, on the server MONGO_URL names (FerretDB from the stack in `npm test`).
jest.setTimeout(30_000);

let database: TestDatabase | undefined;

describeBillingPortContracts('MongoDB', {
  async setUp() {
    database = await createTestDatabase('billing_contracts');
    const adapters = createMongoBillingAdapters(database.mongo);
    await adapters.ensureIndexes();
    return adapters;
  },
  async tearDown() {
    await database?.drop();
  },
});

describe('MongoDB billing documents', () => {
  let stored: TestDatabase;
  let adapters: MongoBillingAdapters;
  beforeAll(async () => {
    stored = await createTestDatabase('billing_documents');
    adapters = createMongoBillingAdapters(stored.mongo);
    await adapters.ensureIndexes();
  });
  afterAll(async () => {
    await stored.drop();
  });
  const raw = (collection: string, _id: string) => stored.mongo.connection.collection(collection).findOne({ _id } as never);
  const stateOf = <State>(document: unknown): State => JSON.parse((document as { state: string }).state) as State;

  it('stores usage properties by escaped name, strings as strings and booleans as booleans', async () => {
    const tenant = aTenant();
    const partnership = aPartnershipId();
    const event = anEvent(tenant, partnership, { eventId: 'e-1', timestamp: '2026-03-10T10:00:00Z', properties: { amount: '12.50', 'tier.name': 'gold', flag: true, count: 3 } });
    await adapters.usage.append([event]);

    expect(await raw('usage_events', `${tenant}/e-1`)).toEqual({
      _id: `${tenant}/e-1`,
      _v: 2,
      tenantId: tenant,
      eventId: 'e-1',
      partnershipId: partnership,
      metricCode: 'api_calls',
      timestamp: new Date('2026-03-10T10:00:00Z'),
      receivedAt: new Date('2026-03-10T11:00:00Z'),
      subject: { partnershipId: partnership },
      properties: { amount: '12.50', 'tier%002ename': 'gold', flag: true, count: '3' },
      usageMonth: `${partnership}/api_calls/2026-03`,
      receiptMonth: `${partnership}/2026-03`,
    });
  });

  it('stores amounts as 64-bit minor units and decimals as their exact strings, states as one string', async () => {
    const tenant = aTenant();
    const plan = aPlan(tenant);
    const bill = aBill(tenant, plan.id, '2026-02-01');
    const charge = aOneOff(tenant, plan.id, 'setup');
    await adapters.plans.save(plan);
    await adapters.bills.record(bill);
    await adapters.oneOffs.add(charge);
    await adapters.runs.create(aRun(tenant, 'run-1'));

    const [planDocument, billDocument, chargeDocument, runDocument] = await Promise.all([
      raw('billing_plans', `${tenant}/${plan.id}`),
      raw('bills', `${tenant}/${bill.key}`),
      raw('one_off_charges', `${tenant}/setup`),
      raw('billing_runs', `${tenant}/run-1`),
    ]);

    expect(Object.keys(planDocument ?? {}).sort()).toEqual(['_id', '_v', 'id', 'outbox', 'outboxPending', 'outboxSince', 'state', 'tenantId', 'version']);
    const planState = stateOf<{ versions: { terms: { minimum: unknown; charges: unknown[] } | null }[] }>(planDocument);
    expect(planState.versions[0]?.terms?.minimum).toEqual({ amount: { minor: { $numberLong: '10005' }, currency: 'EUR' }, name: 'Monthly minimum', vat: { code: 'S', rate: { decimal: '20' } } });
    expect(planState.versions[0]?.terms?.charges[0]).toMatchObject({ quantity: { decimal: '12.5' }, unitPrice: { decimal: '19.9999' } });
    expect(planState.versions[2]?.terms).toBeNull();
    expect(Object.keys(billDocument ?? {}).sort()).toEqual(['_id', '_v', 'billingDate', 'invoiceId', 'key', 'partnershipId', 'runId', 'state', 'status', 'tenantId']);
    const billState = stateOf<{ lines: { amount: unknown; line: { quantity: unknown } }[] }>(billDocument);
    expect(billState.lines.map((line) => [line.amount, line.line.quantity])).toEqual([
      [{ minor: { $numberLong: '24999' }, currency: 'EUR' }, '12.5'],
      [{ minor: { $numberLong: '-30' }, currency: 'EUR' }, '-1'],
    ]);
    expect(chargeDocument).toMatchObject({ date: '2026-02-10', quantity: { decimal: '2' }, unitPrice: { decimal: '49.5' }, vat: { code: 'S', rate: { decimal: '20' } } });
    expect(Object.keys(runDocument ?? {}).sort()).toEqual(['_id', '_v', 'id', 'startedAt', 'state', 'tenantId']);
  });

  it('keeps in the state the plan versions a bill was worked out from, and reads a bill stored without them as it was', async () => {
    const tenant = aTenant();
    const partnership = aPartnershipId();
    const bill = aBill(tenant, partnership, '2026-02-01', { position: 1 });
    const { planVersionsSeen: _seen, ...legacy } = aBill(tenant, partnership, '2026-01-01');
    await adapters.bills.record(bill);
    // A bill as recorded before 7 December 2026: no `planVersionsSeen` in its state.
    await adapters.bills.record(legacy);

    expect(stateOf<{ planVersionsSeen?: number }>(await raw('bills', `${tenant}/${bill.key}`)).planVersionsSeen).toBe(3);
    expect(stateOf<object>(await raw('bills', `${tenant}/${legacy.key}`))).not.toHaveProperty('planVersionsSeen');
    expect(await adapters.bills.listByPartnership(tenant, partnership)).toEqual([legacy, bill]);
  });

  it("serves measure's and lateUsage's month keys from the indexes on FerretDB; ranges are applied after, within the month", async () => {
    const tenant = aTenant();
    const partnerships = Array.from({ length: 10 }, () => aPartnershipId());
    for (const partnership of partnerships) {
      await adapters.usage.append(
        Array.from({ length: 20 }, (_, index) => anEvent(tenant, partnership, { eventId: `${partnership}-${index}`, timestamp: '2026-03-10T10:00:00Z', metricCode: index % 2 ? 'api_calls' : 'transfers' })),
      );
    }
    const explain = async (filter: Record<string, unknown>) =>
      (await stored.mongo.connection.collection('usage_events').find(filter).explain('queryPlanner')) as { filterPushdown?: boolean; serverInfo?: { ferretdbVersion?: string }; queryPlanner?: { Plan?: unknown } };
    const [partnership] = partnerships;
    const march = new Date('2026-03-01T00:00:00Z');
    const measure = await explain({ tenantId: tenant, usageMonth: usageMonthKey(partnership as string, 'transfers', march), timestamp: { $gte: march, $lt: new Date('2026-04-01T00:00:00Z') } });
    const late = await explain({ tenantId: tenant, receiptMonth: receiptMonthKey(partnership as string, march), receivedAt: { $gt: march }, timestamp: { $lt: new Date('2026-04-01T00:00:00Z') } });

    // MongoDB plans the compound indexes, ranges included, by itself; FerretDB 1.x needs its PostgreSQL to serve them.
    if (!measure.serverInfo?.ferretdbVersion) return;
    for (const [plan, pushed] of [[measure, ['tenantId', 'usageMonth']], [late, ['tenantId', 'receiptMonth']]] as const) {
      const sql = JSON.stringify(plan.queryPlanner?.Plan);
      expect(plan.filterPushdown).toBe(true);
      expect(sql).toContain('Bitmap Index Scan');
      for (const field of pushed) expect(sql).toContain(`_jsonb -> '${field}'`);
      expect(sql).not.toContain("'timestamp'");
      expect(sql).not.toContain("'receivedAt'");
    }
  });
});
