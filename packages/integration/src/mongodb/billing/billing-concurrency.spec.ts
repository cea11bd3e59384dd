import { AddOneOffCharge, BillPartnership, RecordUsage, SetBillingPlan, type BillRepository, type BillState, type BillingPlanRepository } from '@invoicing/billing';
import { aBill, aOneOff, aPartnershipId, aPlan, aRun, anEvent, createBillingScenario } from '@invoicing/billing/testing';
import { ConflictError, type CalendarDate } from '@invoicing/core';
import { IssueInvoice } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import type { CommandStartedEvent } from 'mongodb';
import { connectMongo, type MongoConnection } from '../connection';
import { createTestDatabase, testMongoUrl, type TestDatabase } from '../../testing/mongo-test-database';
import { createMongoBillingAdapters, type MongoBillingAdapters } from './mongo-billing-adapters';

// Races on the real server (FerretDB from the stack in `npm test`), through two connections to one database: two API
// processes. Only the unique indexes decide; neither process knows of the other.
jest.setTimeout(120_000);

let database: TestDatabase;
let second: MongoConnection;
let processes: [MongoBillingAdapters, MongoBillingAdapters];

beforeAll(async () => {
  database = await createTestDatabase('billing_concurrency', { monitorCommands: true });
  second = await connectMongo({ url: testMongoUrl(), dbName: database.dbName });
  processes = [createMongoBillingAdapters(database.mongo), createMongoBillingAdapters(second)];
  await processes[0].ensureIndexes();
});
afterAll(async () => {
  await second?.close();
  await database?.drop();
});

/** The adapters of one process or the other, alternately by `index`. */
function processOf(index: number): MongoBillingAdapters {
  return processes[index % 2] as MongoBillingAdapters;
}

/** The commands the first process sends while `run` runs. */
async function commandsDuring<T>(run: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
  const commands: string[] = [];
  const listener = (event: CommandStartedEvent) => commands.push(event.commandName);
  const client = database.mongo.connection.getClient();
  client.on('commandStarted', listener);
  try {
    return { result: await run(), commands };
  } finally {
    client.off('commandStarted', listener);
  }
}

describe('usage events', () => {
  it('stores 1,000 events exactly once when every batch of them is sent twice at once, by two processes', async () => {
    const tenant = aTenant();
    const partnership = aPartnershipId();
    const batches = Array.from({ length: 10 }, (_, batch) =>
      Array.from({ length: 100 }, (_, index) =>
        anEvent(tenant, partnership, { eventId: `e-${batch}-${index}`, timestamp: '2026-03-10T10:00:00Z', metricCode: 'api_calls', properties: { user: `u${index % 7}` } }),
      ),
    );

    const outcomes = await Promise.all(batches.flatMap((batch) => processes.map((adapters) => adapters.usage.append(batch))));

    const all = outcomes.flat();
    expect(all.filter((outcome) => outcome === 'stored')).toHaveLength(1000);
    expect(all.filter((outcome) => outcome === 'duplicate')).toHaveLength(1000);
    // Each event was stored by exactly one of its two sends.
    for (let batch = 0; batch < 10; batch += 1) {
      const [first, again] = [outcomes[2 * batch], outcomes[2 * batch + 1]];
      first?.forEach((outcome, index) => expect([outcome, again?.[index]].sort()).toEqual(['duplicate', 'stored']));
    }
    expect(await database.mongo.connection.collection('usage_events').countDocuments({ tenantId: tenant })).toBe(1000);
    const range = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') };
    const measure = (aggregation: 'count' | 'unique_count') =>
      processes[1].usage.measure(tenant, partnership, { code: 'api_calls', aggregation, ...(aggregation === 'count' ? {} : { property: 'user' }) }, range);
    expect(await measure('count')).toMatchObject({ events: 1000 });
    expect((await measure('unique_count')).units.toString()).toBe('7');
  });

  it('appends a batch of 1,000 in one insert, and tells its resend apart in one read per event sent again', async () => {
    const tenant = aTenant();
    const partnership = aPartnershipId();
    const batch = Array.from({ length: 1000 }, (_, index) =>
      anEvent(tenant, partnership, { eventId: `b-${index}`, timestamp: '2026-03-10T10:00:00Z', metricCode: 'transfers', properties: { amount: `${index}.01` } }),
    );
    const usage = processes[0].usage;

    const first = await commandsDuring(() => usage.append(batch));
    // Half sent again as they were, half with other usage under the same ids.
    const resent = batch.map((event, index) => (index % 2 === 0 ? event : { ...event, properties: { amount: '1' } }));
    const again = await commandsDuring(() => usage.append(resent));

    expect(first.result.every((outcome) => outcome === 'stored')).toBe(true);
    expect(first.commands).toEqual(['insert']);
    expect(again.result).toEqual(resent.map((_, index) => (index % 2 === 0 ? 'duplicate' : 'id_taken')));
    expect(again.commands.filter((command) => command === 'insert')).toHaveLength(1);
    expect(again.commands.filter((command) => command === 'find')).toHaveLength(1000);
    const sum = await usage.measure(tenant, partnership, { code: 'transfers', aggregation: 'sum', property: 'amount' }, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') });
    // 0.01 × 1,000 + (0 + 1 + … + 999), exactly.
    expect(sum).toMatchObject({ events: 1000 });
    expect(sum.units.toString()).toBe('499510');
  });
});

describe('bills', () => {
  it('records a key once when 20 runs in two processes record it at once: all answer the bill stored', async () => {
    const tenant = aTenant();
    const partnership = aPartnershipId();
    const attempts = Array.from({ length: 20 }, () => aBill(tenant, partnership, '2026-03-01'));

    const outcomes = await Promise.all(attempts.map((bill, index) => processOf(index).bills.record(bill)));

    const recorded = outcomes.filter((outcome) => outcome.recorded);
    expect(recorded).toHaveLength(1);
    const stored = recorded[0]?.bill;
    expect(new Set(outcomes.map((outcome) => outcome.bill.invoiceId))).toEqual(new Set([stored?.invoiceId]));
    for (const outcome of outcomes) expect(outcome.bill).toEqual(stored);
    expect(await processes[1].bills.listByPartnership(tenant, partnership)).toEqual([stored]);
  });

  it('bills a late-usage correction once when two runs in two processes read the same bills and bill different dates', async () => {
    // Run B (process 1) has read the bills and worked out 1 May when run A (process 0) records 10 April from the same
    // bills: B's record must fail on the position, not carry the correction A charged.
    let pause: { readonly reached: () => void; readonly resume: Promise<void> } | undefined;
    const bills: BillRepository = Object.assign(Object.create(processes[0].bills) as BillRepository, {
      async record(bill: BillState) {
        const held = pause;
        pause = undefined;
        if (!held) return processes[0].bills.record(bill);
        held.reached();
        await held.resume;
        return processes[1].bills.record(bill);
      },
    });
    const scenario = await createBillingScenario({ now: '2026-03-01T09:00:00Z', tenantId: aTenant(), billing: { ...processes[0], bills } });
    const { tenantId } = scenario;
    const partnershipId = scenario.partnership.id;
    const vat = { code: 'S', rate: '20' } as const;
    await scenario.use(SetBillingPlan).execute({
      tenantId,
      partnershipId,
      effectiveFrom: '2026-03-01',
      terms: { interval: 'monthly', charges: [{ kind: 'usage', code: 'calls', name: 'Calls', metric: { code: 'calls', aggregation: 'count' }, price: { kind: 'per_unit', unitPrice: '0.10' }, vat }] },
    });
    const send = (count: number, prefix: string) =>
      scenario.use(RecordUsage).execute({ tenantId, events: Array.from({ length: count }, (_, index) => ({ eventId: `${prefix}${index}`, metricCode: 'calls', timestamp: '2026-03-15T10:00:00Z', partnershipId })) });
    scenario.clock.set(new Date('2026-03-20T10:00:00Z'));
    await send(30, 'e');
    scenario.clock.set(new Date('2026-04-01T09:00:00Z'));
    await scenario.use(BillPartnership).execute({ tenantId, partnershipId, asOf: '2026-04-01' as CalendarDate });
    scenario.clock.set(new Date('2026-04-05T10:00:00Z'));
    await send(10, 'late');
    scenario.clock.set(new Date('2026-05-01T09:00:00Z'));

    let resume = (): void => undefined;
    const reached = new Promise<void>((resolve) => {
      pause = { reached: resolve, resume: new Promise<void>((go) => (resume = go)) };
    });
    const runB = scenario.use(BillPartnership).execute({ tenantId, partnershipId, asOf: '2026-05-01' as CalendarDate });
    await reached;
    await scenario.use(AddOneOffCharge).execute({ tenantId, partnershipId, id: 'setup', date: '2026-04-10', name: 'Setup', unitPrice: '150.00', vat });
    await scenario.use(BillPartnership).execute({ tenantId, partnershipId, asOf: '2026-04-10' as CalendarDate });
    resume();
    await runB;

    const recorded = await processes[1].bills.listByPartnership(tenantId, partnershipId);
    expect(recorded.map((bill) => [bill.billingDate, bill.position, bill.lines.map((line) => `${line.computation.reason ?? line.computation.kind} ${line.amount.toString()}`)])).toEqual([
      ['2026-03-01', 1, []],
      ['2026-04-01', 2, ['usage 3.00']],
      ['2026-04-10', 3, ['late_usage 1.00', 'one_off 150.00']],
      ['2026-05-01', 4, []],
    ]);
  });

  it('corrects on the next run a date a run billed from the plan it read before another process ended billing from that date', async () => {
    // Process 0 reads the plan; process 1 then ends billing from 2027-01-01 (recorded at 09:00:01), and process 0
    // records its bill of 2027-01-01 from the plan it read, at 09:00:02.
    let meanwhile: (() => Promise<void>) | undefined;
    const plans: BillingPlanRepository = Object.assign(Object.create(processes[0].plans) as BillingPlanRepository, {
      async get(...args: Parameters<BillingPlanRepository['get']>) {
        const read = await processes[0].plans.get(...args);
        const change = meanwhile;
        meanwhile = undefined;
        await change?.();
        return read;
      },
    });
    const scenario = await createBillingScenario({ now: '2026-01-01T09:00:00Z', tenantId: aTenant(), billing: { ...processes[0], plans } });
    const { tenantId } = scenario;
    const partnershipId = scenario.partnership.id;
    const vat = { code: 'S', rate: '20' } as const;
    await scenario.use(SetBillingPlan).execute({ tenantId, partnershipId, effectiveFrom: '2026-01-01', terms: { interval: 'yearly', charges: [{ kind: 'recurring', code: 'fee', name: 'Fee', unitPrice: '12000', vat }] } });
    const bill = (asOf: string) => scenario.use(BillPartnership).execute({ tenantId, partnershipId, asOf: asOf as CalendarDate });
    await bill('2026-01-01');
    scenario.clock.set(new Date('2027-01-01T09:00:00Z'));
    meanwhile = async () => {
      const plan = await processes[1].plans.get(tenantId, partnershipId);
      plan?.replaceFrom('2027-01-01', null, new Date('2027-01-01T09:00:01Z'));
      await processes[1].plans.save(plan as NonNullable<typeof plan>);
      scenario.clock.set(new Date('2027-01-01T09:00:02Z'));
    };
    await bill('2027-01-01');
    expect(meanwhile).toBeUndefined();
    scenario.clock.set(new Date('2027-01-02T09:00:00Z'));
    const next = await bill('2027-01-02');
    const again = await bill('2027-01-02');

    // The year billed under the old terms is credited on the next run: a credit, which the ended plan has no later
    // bill to carry, so it goes on a credit note of 2027's invoice (ADR 0030). That invoice is a draft: the bill waits,
    // not recorded, named by each run, until it is issued; then it is recorded once, by one run of two at once.
    expect([next.bills.length, again.bills.length]).toEqual([0, 0]);
    for (const each of [next, again]) expect(each.creditPending).toMatchObject({ code: 'billing.credit_awaits_issue', details: { billingDate: '2027-01-02', credit: { amount: '14400.00' } } });
    const billed = await processes[1].bills.listByPartnership(tenantId, partnershipId);
    await scenario.use(IssueInvoice).execute({ tenantId, invoiceId: (billed[1] as BillState).invoiceId });
    const [one, other] = await Promise.all([bill('2027-01-02'), bill('2027-01-02')]);
    // One records the bill. The other found it recorded, or read the bills after it and had nothing due: which, the
    // timing decides (a loaded CI machine gave the second); either way the bill, and its credit note, are made once.
    expect([...one.bills, ...other.bills].filter((each) => each.recorded)).toHaveLength(1);
    expect([...one.bills, ...other.bills].filter((each) => !each.recorded).length).toBeLessThanOrEqual(1);
    expect([one.creditPending, other.creditPending]).toEqual([undefined, undefined]);
    const recorded = await processes[1].bills.listByPartnership(tenantId, partnershipId);
    expect(recorded.map((each) => [each.billingDate, each.planVersionsSeen, each.lines.map((line) => line.amount.toString()), each.status])).toEqual([
      ['2026-01-01', 1, ['12000.00'], 'invoiced'],
      ['2027-01-01', 1, ['12000.00'], 'invoiced'],
      ['2027-01-02', 2, ['-12000.00'], 'invoiced'],
    ]);
    expect(recorded[2]?.creditNotes?.map((note) => note.invoiceId)).toEqual([recorded[1]?.invoiceId]);
    const credited = await scenario.adapters.invoices.get(tenantId, (recorded[1] as BillState).invoiceId);
    expect(credited?.toState().credits.map((credit) => credit.amount.toString())).toEqual(['14400.00']);
  });

  it('ends invoiced with the outcome and instant of one marking when 20 are sent at once by two processes', async () => {
    const tenant = aTenant();
    const bill = aBill(tenant, aPartnershipId(), '2026-03-01');
    await processes[0].bills.record(bill);
    const marking = (index: number) => ({
      outcome: { invoiceStatus: 'draft' as const, notIssued: { code: `attempt.${index}`, message: `attempt ${index}` } },
      at: new Date(Date.UTC(2026, 2, 1, 10, 0, index)),
    });

    await Promise.all(Array.from({ length: 20 }, (_, index) => processOf(index).bills.markInvoiced(tenant, bill.key, marking(index).outcome, marking(index).at)));

    const stored = await processes[0].bills.findByInvoice(tenant, bill.invoiceId);
    const index = Number(stored?.outcome?.invoiceStatus === 'draft' ? stored.outcome.notIssued?.code.slice('attempt.'.length) : Number.NaN);
    expect(stored).toEqual({ ...bill, status: 'invoiced', outcome: marking(index).outcome, invoicedAt: marking(index).at });
  });
});

describe('plans, one-off charges and runs', () => {
  it('saves one of 20 concurrent changes of a plan version; the others are refused with concurrency.conflict', async () => {
    const tenant = aTenant();
    const plan = aPlan(tenant);
    await processes[0].plans.save(plan);
    const copies = await Promise.all(Array.from({ length: 20 }, (_, index) => processOf(index).plans.get(tenant, plan.id)));

    const outcomes = await Promise.allSettled(
      copies.map((copy, index) => {
        copy?.replaceFrom('2026-05-01', null, new Date(Date.UTC(2026, 3, 1, 0, 0, index)));
        return processOf(index).plans.save(copy as NonNullable<typeof copy>);
      }),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'concurrency.conflict' });
    const winner = copies[outcomes.findIndex((outcome) => outcome.status === 'fulfilled')];
    expect((await processes[1].plans.get(tenant, plan.id))?.toState()).toEqual(winner?.toState());
  });

  it('adds a one-off charge once, and creates a run once, when 20 requests in two processes race', async () => {
    const tenant = aTenant();
    const charge = aOneOff(tenant, aPartnershipId(), 'setup');
    const run = aRun(tenant, 'run-1');

    const added = await Promise.all(Array.from({ length: 20 }, (_, index) => processOf(index).oneOffs.add(charge)));
    const created = await Promise.allSettled(Array.from({ length: 20 }, (_, index) => processOf(index).runs.create(run)));

    expect(added.filter((outcome) => outcome.created)).toHaveLength(1);
    for (const outcome of added) expect(outcome.charge).toEqual(charge);
    expect(created.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of created) {
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(ConflictError);
        expect(outcome.reason).toMatchObject({ code: 'billing_run.id_taken' });
      }
    }
    expect(await processes[1].runs.get(tenant, 'run-1')).toEqual(run);
  });

  it('takes a one-off charge for a bill or cancels it, never both, when one process bills it as the other cancels it', async () => {
    const tenant = aTenant();
    const partnership = aPartnershipId();
    const ids = Array.from({ length: 20 }, (_, index) => `race-${index}`);
    for (const id of ids) await processes[0].oneOffs.add(aOneOff(tenant, partnership, id));
    const at = new Date('2026-02-11T08:00:00Z');

    // Each charge is taken by one process (a run about to record its bill) and cancelled by the other, at once.
    const outcomes = await Promise.all(
      ids.map(async (id, index) => {
        const [cancel, notTaken] = await Promise.all([
          processOf(index).oneOffs.cancel(tenant, id, at).then(() => 'cancelled', (error: { code?: string }) => error.code),
          processOf(index + 1).oneOffs.claim(tenant, [id], `${partnership}/2026-02-10`, at),
        ]);
        return { id, cancelled: cancel === 'cancelled', refused: cancel === 'one_off.already_billed', taken: !notTaken.includes(id) };
      }),
    );

    for (const outcome of outcomes) expect([outcome.id, outcome.cancelled !== outcome.taken, outcome.refused === outcome.taken]).toEqual([outcome.id, true, true]);
    const listed = (await processes[1].oneOffs.listThrough(tenant, partnership, '2026-12-31' as CalendarDate)).map((charge) => charge.id).sort();
    expect(listed).toEqual(outcomes.filter((outcome) => outcome.taken).map((outcome) => outcome.id).sort());
  });
});
