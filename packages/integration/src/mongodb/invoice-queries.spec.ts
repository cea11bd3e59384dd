import { MONEY_MAX_MINOR, parseCalendarDate, parseYearMonth } from '@invoicing/core';
import { CONTACTS_PER_TURN, MAX_CONTACTS_PER_PARTNER, contactSearchQuery } from '@invoicing/invoice';
import { aDraft, aPartner, aPartnership, aTenant, issue } from '@invoicing/invoice/testing';
import type { CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';

// Inserting 9 225 documents and summing them on the stack's FerretDB (SQLite) takes a few seconds a step.
jest.setTimeout(300_000);

const date = parseCalendarDate;
const month = parseYearMonth;

/*
 * The database sums a report's figures exactly in 64 bits: 9 223 invoices at the largest amount (10^15 − 1 minor units)
 * fit, 9 224 do not, and FerretDB then answers a double (MongoDB does from the first addition past them). The same
 * data as the in-memory adapter's spec (packages/invoice, in-memory-invoice-queries.spec.ts): both refuse the same
 * sums with the same error. The contract suite cannot hold 9 224 invoices saved one by one.
 */
describe('MongoInvoiceQueries', () => {
  describe('sums past 64 bits', () => {
    const tenant = aTenant();
    const seller = aPartner(tenant, { legalName: 'Seller' });
    const a = aPartner(tenant, { legalName: 'Buyer A' });
    const b = aPartner(tenant, { legalName: 'Buyer B' });
    let database: TestDatabase | undefined;
    const queries = () => (database as TestDatabase).adapters.queries;

    beforeAll(async () => {
      database = await createTestDatabase('invoice_queries');
      const { invoices, models } = database.adapters;
      // 10 × 999 999 999 999.999 at 0 % VAT: 9 999 999 999 999.99 EUR, the largest amount.
      const lines = [{ name: 'Asset', quantity: '10', unitCode: 'C62', netPrice: '999999999999.999', vat: { code: 'Z', rate: '0' } }];
      const stored = async (buyer: typeof a, sequence: number, issueDate: string) => {
        const invoice = issue(aDraft(tenant, aPartnership(tenant, seller, buyer), { lines }), seller, buyer, sequence, issueDate);
        expect(invoice.toState().totals.taxInclusive.minor).toBe(MONEY_MAX_MINOR);
        await invoices.save(invoice);
        // What the reports read of the document the repository wrote: they never decode its state.
        const { _id, tenantId, partnerIds, buyerId, derived } = (await models.invoices.collection.findOne({ tenantId: tenant, id: invoice.id })) as Record<string, unknown>;
        return { _id, tenantId, partnerIds, buyerId, derived } as { _id: string; derived: Record<string, unknown> } & Record<string, unknown>;
      };
      const november = await stored(a, 1, '2026-11-10');
      await stored(a, 2, '2026-10-10');
      await stored(b, 3, '2026-11-12');
      // 9 222 more copies of A's November invoice, under numbers and references of their own (unique indexes).
      const copies = Array.from({ length: 9_222 }, (_, index) => ({
        ...november,
        _id: `${november._id}~${index}`,
        derived: { ...november.derived, numberKey: `${String(november.derived.numberKey)}~${index}`, externalKey: `copy~${index}` },
      }));
      for (let start = 0; start < copies.length; start += 2_000) await models.invoices.collection.insertMany(copies.slice(start, start + 2_000) as never[], { ordered: false });
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('answers a figure of 9 223 invoices at the largest amount exactly', async () => {
      const [row] = await queries().monthlySummary(tenant, { month: month('2026-11'), partnerId: a.id });

      expect([row?.invoiceCount, row?.invoiceTotal.minor, row?.invoiceTotal.toString(), row?.net.toString()]).toEqual([
        9_223,
        9_223n * MONEY_MAX_MINOR,
        '92229999999999907.77',
        '92229999999999907.77',
      ]);
    });

    it('refuses a figure of 9 224 with report.total_out_of_range naming its row, in every report, never a wrong figure', async () => {
      const refused = (figure: string, partnerId?: string) =>
        expect.objectContaining({ name: 'ReportTotalOutOfRangeError', code: 'report.total_out_of_range', details: { currency: 'EUR', figure, ...(partnerId ? { partnerId } : {}) } });

      // The database's sum is a double here.
      await expect(queries().monthlySummary(tenant, { month: month('2026-11') })).rejects.toEqual(refused('invoiceTotal'));
      await expect(queries().totalsPerPartner(tenant, { months: 2, asOf: date('2026-11-30') })).rejects.toEqual(refused('total', a.id));
      // Each bucket fits (9 223 and 1 invoices); their total does not.
      await expect(queries().aging(tenant, { asOf: date('2026-12-15') })).rejects.toEqual(refused('total', a.id));
      await expect(queries().balances(tenant, a.id)).rejects.toEqual(refused('outstanding', a.id));
    });
  });
});

/*
 * Contact search reads every partner of the tenant (ADR 0007). It used to read them whole, all at once, and score every
 * contact in one go: 200,000 contacts held the event loop for 2–4 s, every tenant's requests waiting (audit dos DOS-4).
 * What it sends and when it lets the loop turn is counted here, not timed.
 */
describe('MongoPartnerQueries.searchContacts (audit dos DOS-4)', () => {
  const tenant = aTenant();
  const partners = Array.from({ length: Math.ceil((3 * CONTACTS_PER_TURN) / MAX_CONTACTS_PER_PARTNER) }, (_, p) =>
    aPartner(tenant, { legalName: `Many ${p}`, contacts: Array.from({ length: MAX_CONTACTS_PER_PARTNER }, (_, c) => ({ name: `Contact ${p}-${c} Martinez` })) }),
  );
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('contact_search', { monitorCommands: true });
    for (const partner of partners) await database.adapters.partners.save(partner);
    await database.adapters.partners.save(aPartner(aTenant(), { contacts: [{ name: 'Other Martinez' }] }));
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** The reads of `partners` sent while `run` runs, each with the turns of the event loop seen when its reply came. */
  async function readsDuring<T>(run: () => Promise<T>) {
    const client = (database as TestDatabase).mongo.connection.getClient();
    const sent: CommandStartedEvent[] = [];
    const replies: { documents: number; turnsThen: number }[] = [];
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    const started = (event: CommandStartedEvent) => {
      if (event.commandName === 'find' || event.commandName === 'getMore') sent.push(event);
    };
    const succeeded = (event: CommandSucceededEvent) => {
      const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
      if (cursor) replies.push({ documents: (cursor.firstBatch ?? cursor.nextBatch ?? []).length, turnsThen: turns });
    };
    client.on('commandStarted', started);
    client.on('commandSucceeded', succeeded);
    setImmediate(tick);
    try {
      const result = await run();
      return { result, sent, replies, turnsAtEnd: turns };
    } finally {
      ticking = false;
      client.off('commandStarted', started);
      client.off('commandSucceeded', succeeded);
    }
  }

  it('reads the tenant\'s partners in batches, with only their id, format and state: never their outbox or derived fields', async () => {
    const { result, sent, replies } = await readsDuring(() => (database as TestDatabase).adapters.partnerQueries.searchContacts(tenant, contactSearchQuery('martinez'), 50));

    expect(result).toHaveLength(50);
    const [find, ...more] = sent;
    expect(find?.command).toMatchObject({ find: 'partners', filter: { tenantId: tenant }, projection: { _id: 1, _v: 1, id: 1, state: 1 }, batchSize: 50 });
    expect(more.every((event) => event.commandName === 'getMore')).toBe(true);
    expect(replies.reduce((sum, reply) => sum + reply.documents, 0)).toBe(partners.length);
  });

  it('scores the contacts of the last batch read in turns of the event loop, not in one go', async () => {
    const { result, replies, turnsAtEnd } = await readsDuring(() => (database as TestDatabase).adapters.partnerQueries.searchContacts(tenant, contactSearchQuery('zz-nothing'), 50));

    expect(result).toEqual([]);
    const last = replies.filter((reply) => reply.documents > 0).at(-1);
    const contactsAfter = (last?.documents ?? 0) * MAX_CONTACTS_PER_PARTNER;
    expect(contactsAfter).toBeGreaterThanOrEqual(3 * CONTACTS_PER_TURN);
    expect(turnsAtEnd - (last?.turnsThen ?? 0)).toBeGreaterThanOrEqual(Math.floor(contactsAfter / CONTACTS_PER_TURN) - 1);
  });
});
