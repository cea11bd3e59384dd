import 'reflect-metadata';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { definedFields, type Cursor, type Money, type RunningTotal } from '@invoicing/core';
import { CreateCreditNote, CreateInvoiceDraft, IssueInvoice, VoidInvoice, type DraftInput } from '../invoice/invoice.use-cases';
import { AddContact, CreatePartner } from '../partner/partner.use-cases';
import { CreatePartnership } from '../partnership/partnership.use-cases';
import { RecordPayment } from '../payment/payment.use-cases';
import type { ContactId, InvoiceId, PartnerId, PartnershipId } from '../shared/ids';
import { SCENARIO_BUYER, SCENARIO_NOW, SCENARIO_TERMS, createScenario, type Scenario } from '../testing/scenario';
import type { InvoiceFilter } from './invoice-queries.port';
import { AgingReport, GetPartnerBalance, ListInvoices, MonthlySummaryReport, PartnerContactsReport, PartnerTotalsReport, PastDueReport } from './report.use-cases';

const error = (name: string, code: string) => expect.objectContaining({ name, code });
const text = (money: Money | RunningTotal) => money.toString();

/**
 * The dataset, by hand (every line is standard VAT 20 %, so a document's total is 1.2 × its net price):
 *
 * | doc | buyer | currency | issued     | due (terms)    | total   | what happened                      | outstanding |
 * |-----|-------|----------|------------|----------------|---------|------------------------------------|-------------|
 * | A   | B1    | EUR      | 2026-01-05 | 2026-02-04 n30 | 1200.00 | paid 1200.00                       | 0           |
 * | B   | B1    | EUR      | 2026-01-20 | 2026-02-19 n30 |  600.00 | paid 100.00 (partially_paid)       | 500.00      |
 * | C   | B1    | USD      | 2026-02-10 | 2026-03-12 n30 |  300.00 | —                                  | 300.00      |
 * | D   | B2    | EUR      | 2026-02-15 | 2026-03-02 n15 | 2400.00 | —                                  | 2400.00     |
 * | E   | B2    | EUR      | 2026-02-20 | 2026-03-07 n15 |  360.00 | void                               | 0           |
 * | F   | B2    | EUR      | 2026-03-01 | 2026-03-16 n15 |  960.00 | credited 120.00 by CN              | 840.00      |
 * | CN  | B2    | EUR      | 2026-03-05 | 2026-03-05     |  120.00 | credit note of F                   | —           |
 * | G   | B1    | EUR      | —          | —              |   60.00 | draft                              | —           |
 *
 * Created in this order (so the ids, and "newest first", follow it). Jonas (B1's contact) is named on A, B and G;
 * Mia (B1's second contact) on nothing; Claire (the seller's) on D. Another tenant has one invoice that must never show.
 */
interface Dataset {
  readonly s: Scenario;
  readonly b1: PartnerId;
  readonly b2: PartnerId;
  readonly jonas: ContactId;
  readonly mia: ContactId;
  readonly claire: ContactId;
  readonly docs: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'CN' | 'G', InvoiceId>;
}

async function buildDataset(): Promise<Dataset> {
  const s = await createScenario();
  const { tenantId } = s;
  const jonas = s.buyer.contacts[0]?.id as ContactId;
  const claire = s.seller.contacts[0]?.id as ContactId;
  const mia = (await s.use(AddContact).execute({ tenantId, partnerId: s.buyer.id, contact: { name: 'Mia Richter', email: 'mia.richter@nordwind.example' } })).id;
  const b2 = (await s.use(CreatePartner).execute({ tenantId, ...SCENARIO_BUYER, legalName: 'Südwind AG', identifiers: { vatId: 'DE987654321' }, contacts: [] })).id;
  const open = async (buyerId: PartnerId, terms: Partial<typeof SCENARIO_TERMS>) =>
    (await s.use(CreatePartnership).execute({ tenantId, sellerId: s.seller.id, buyerId, ...SCENARIO_TERMS, ...terms })).id;
  const usd = await open(s.buyer.id, { currency: 'USD' });
  const net15 = await open(b2, { paymentTerms: { kind: 'net', days: 15 } });
  const lines = (net: string): DraftInput['lines'] => [{ name: 'Service', quantity: '1', unitCode: 'C62', netPrice: net, vat: { code: 'S', rate: '20' } }];
  const draft = async (partnershipId: PartnershipId, net: string, extra: Partial<DraftInput> = {}) =>
    (await s.use(CreateInvoiceDraft).execute({ tenantId, partnershipId, lines: lines(net), ...extra })).id;
  const issued = async (partnershipId: PartnershipId, net: string, issueDate: string, extra: Partial<DraftInput> = {}) =>
    (await s.use(IssueInvoice).execute({ tenantId, invoiceId: await draft(partnershipId, net, { issueDate, ...extra }) })).id;
  const pay = (invoiceId: InvoiceId, amount: string, receivedOn: string) =>
    s.use(RecordPayment).execute({ tenantId, partnerId: s.buyer.id, amount, currency: 'EUR', receivedOn, applyTo: [invoiceId] });

  const A = await issued(s.partnership.id, '1000', '2026-01-05', { buyerContactId: jonas });
  await pay(A, '1200.00', '2026-01-20');
  const B = await issued(s.partnership.id, '500', '2026-01-20', { buyerContactId: jonas });
  await pay(B, '100.00', '2026-02-01');
  const C = await issued(usd, '250', '2026-02-10');
  const D = await issued(net15, '2000', '2026-02-15', { sellerContactId: claire });
  const E = await issued(net15, '300', '2026-02-20');
  await s.use(VoidInvoice).execute({ tenantId, invoiceId: E, reason: 'duplicate' });
  const F = await issued(net15, '800', '2026-03-01');
  s.clock.set('2026-03-05T10:00:00Z');
  const CN = (await s.use(CreateCreditNote).execute({ tenantId, invoiceId: F, lines: lines('100') })).id;
  s.clock.set(SCENARIO_NOW);
  const G = await draft(s.partnership.id, '50', { buyerContactId: jonas });

  const elsewhere = await createScenario({ testBed: s, tenantId: 'tenant-b' });
  const theirs = await s.use(CreateInvoiceDraft).execute({
    tenantId: elsewhere.tenantId,
    partnershipId: elsewhere.partnership.id,
    issueDate: '2026-01-10',
    buyerContactId: elsewhere.buyer.contacts[0]?.id as ContactId,
    lines: [{ marketableId: elsewhere.marketable.id, quantity: '1' }],
  });
  await s.use(IssueInvoice).execute({ tenantId: elsewhere.tenantId, invoiceId: theirs.id });

  return { s, b1: s.buyer.id, b2, jonas, mia, claire, docs: { A, B, C, D, E, F, CN, G } };
}

let data: Dataset;
let s: Scenario;

beforeAll(async () => {
  data = await buildDataset();
  s = data.s;
});

beforeEach(() => {
  s.clock.set(SCENARIO_NOW);
});

/** Names the documents of a list by their letter in the dataset. */
function names(items: readonly { readonly id: InvoiceId }[]): string[] {
  const byId = new Map(Object.entries(data.docs).map(([name, id]) => [id as string, name]));
  return items.map((item) => byId.get(item.id) ?? `unknown ${item.id}`);
}

describe('ListInvoices', () => {
  describe('execute', () => {
    const list = async (filter: InvoiceFilter = {}, limit = 200) => s.use(ListInvoices).execute({ tenantId: s.tenantId, filter, page: { limit } });

    it('lists every document of the tenant, newest first, when not filtered', async () => {
      const page = await list();

      expect(names(page.items)).toEqual(['G', 'CN', 'F', 'E', 'D', 'C', 'B', 'A']);
      expect(page.nextCursor).toBeNull();
    });

    it('summarises each document with its amounts', async () => {
      const page = await list();
      const row = (name: keyof Dataset['docs']) => page.items.find((item) => item.id === data.docs[name]);

      expect(row('B')).toMatchObject({ number: 'INV-000002', status: 'partially_paid', issueDate: '2026-01-20', dueDate: '2026-02-19', buyerId: data.b1 });
      expect([row('B'), row('F'), row('CN')].map((item) => item && [text(item.total), text(item.paid), text(item.credited), text(item.outstanding)])).toEqual([
        ['600.00', '100.00', '0.00', '500.00'],
        ['960.00', '0.00', '120.00', '840.00'],
        ['120.00', '0.00', '0.00', '0.00'],
      ]);
      expect(row('CN')).toMatchObject({ kind: 'credit_note', number: 'CN-000001', issueDate: '2026-03-05' });
    });

    it.each<[string, InvoiceFilter, string[]]>([
      ['status issued', { status: ['issued'] }, ['CN', 'F', 'D', 'C']],
      ['status paid or void', { status: ['paid', 'void'] }, ['E', 'A']],
      ['status partially paid', { status: ['partially_paid'] }, ['B']],
      ['status draft', { status: ['draft'] }, ['G']],
      ['kind credit note', { kind: 'credit_note' }, ['CN']],
      ['kind invoice and status issued', { kind: 'invoice', status: ['issued'] }, ['F', 'D', 'C']],
      ['issued in February', { issuedFrom: '2026-02-01' as never, issuedTo: '2026-02-28' as never }, ['E', 'D', 'C']],
      ['issued from March (a draft without a date never matches)', { issuedFrom: '2026-03-01' as never }, ['CN', 'F']],
      ['issued up to January', { issuedTo: '2026-01-31' as never }, ['B', 'A']],
      ['past due on 10 March', { pastDueAsOf: '2026-03-10' as never }, ['D', 'B']],
      ['kind invoice issued from March', { kind: 'invoice', issuedFrom: '2026-03-01' as never }, ['F']],
    ])('lists only the documents matching %s', async (_what, filter, expected) => {
      expect(names((await list(filter)).items)).toEqual(expected);
    });

    it('matches a partner as buyer or seller', async () => {
      expect(names((await list({ partnerId: data.b2 })).items)).toEqual(['CN', 'F', 'E', 'D']);
      expect(names((await list({ partnerId: data.b1, pastDueAsOf: '2026-03-10' as never })).items)).toEqual(['B']);
      expect((await list({ partnerId: s.seller.id })).items).toHaveLength(8);
    });

    it.each([1, 3, 5, 8])('walks all pages of %p without duplicates or gaps', async (limit) => {
      const seen: string[] = [];
      let cursor: Cursor | null = null;
      let pages = 0;
      do {
        const page = await s.use(ListInvoices).execute({ tenantId: s.tenantId, page: { limit, ...(cursor ? { cursor } : {}) } });
        seen.push(...names(page.items));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null);

      expect(seen).toEqual(['G', 'CN', 'F', 'E', 'D', 'C', 'B', 'A']);
      expect(pages).toBe(Math.ceil(8 / limit));
    });

    it('walks a filtered list page by page', async () => {
      const first = await s.use(ListInvoices).execute({ tenantId: s.tenantId, filter: { partnerId: data.b2 }, page: { limit: 3 } });
      const second = await s.use(ListInvoices).execute({ tenantId: s.tenantId, filter: { partnerId: data.b2 }, page: { limit: 3, cursor: first.nextCursor as Cursor } });

      expect([names(first.items), names(second.items)]).toEqual([['CN', 'F', 'E'], ['D']]);
      expect(second.nextCursor).toBeNull();
    });

    it.each(['garbage', 'eyJub3QiOiJhbiBhcnJheSJ9', '%%%'])('fails with pagination.invalid_cursor when the cursor is %j', async (cursor) => {
      await expect(s.use(ListInvoices).execute({ tenantId: s.tenantId, page: { cursor: cursor as Cursor } })).rejects.toEqual(
        error('ValidationError', 'pagination.invalid_cursor'),
      );
    });

    it('fails with pagination.invalid_limit when the limit is out of range', async () => {
      await expect(s.use(ListInvoices).execute({ tenantId: s.tenantId, page: { limit: 0 } })).rejects.toEqual(error('ValidationError', 'pagination.invalid_limit'));
    });
  });
});

describe('PastDueReport', () => {
  describe('execute', () => {
    const report = (query: Omit<Parameters<PastDueReport['execute']>[0], 'tenantId'> = {}) => s.use(PastDueReport).execute({ tenantId: s.tenantId, ...query });
    const rows = (page: Awaited<ReturnType<typeof report>>) => page.items.map((item) => [names([item])[0], item.dueDate, item.daysPastDue, text(item.outstanding)]);

    it('lists what is owed after its due date, oldest due first, on the date asked', async () => {
      const page = await report({ asOf: '2026-03-10' });

      // B due 19 Feb: 19 days; D due 2 Mar: 8 days. C (12 Mar) and F (16 Mar) are not due yet, A is paid, E void.
      expect(page.asOf).toBe('2026-03-10');
      expect(rows(page)).toEqual([
        ['B', '2026-02-19', 19, '500.00'],
        ['D', '2026-03-02', 8, '2400.00'],
      ]);
    });

    it('defaults to today in the configured time zone', async () => {
      // 22:30 UTC on 31 March is 1 April in Paris.
      s.clock.set('2026-03-31T22:30:00Z');

      const page = await report();

      expect(page.asOf).toBe('2026-04-01');
      expect(rows(page)).toEqual([
        ['B', '2026-02-19', 41, '500.00'],
        ['D', '2026-03-02', 30, '2400.00'],
        ['C', '2026-03-12', 20, '300.00'],
        ['F', '2026-03-16', 16, '840.00'],
      ]);
    });

    it('sorts by due date descending when asked', async () => {
      expect(names((await report({ asOf: '2026-04-01', sort: 'due_date.desc' })).items)).toEqual(['F', 'C', 'D', 'B']);
    });

    it.each([
      ['due_date.asc', ['B', 'D', 'C', 'F']],
      ['due_date.desc', ['F', 'C', 'D', 'B']],
    ])('pages through the %s report one row at a time', async (sort, expected) => {
      const seen: string[] = [];
      let cursor: Cursor | null = null;
      do {
        const page: Awaited<ReturnType<typeof report>> = await report({ asOf: '2026-04-01', sort, limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...names(page.items));
        cursor = page.nextCursor;
      } while (cursor !== null);

      expect(seen).toEqual(expected);
    });

    it('lists only one buyer’s invoices when filtered', async () => {
      expect(names((await report({ asOf: '2026-04-01', partnerId: data.b2 })).items)).toEqual(['D', 'F']);
    });

    it('fails with report.invalid_sort when the sort is unknown', async () => {
      await expect(report({ sort: 'amount.desc' })).rejects.toEqual(error('ValidationError', 'report.invalid_sort'));
    });

    it('fails with date.malformed at asOf when the date does not exist', async () => {
      const failure = await report({ asOf: '2026-04-31' }).catch((caught: unknown) => caught);

      expect((failure as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ path: 'asOf', code: 'date.malformed' })]);
    });

    it('fails with pagination.invalid_limit when the limit is too large', async () => {
      await expect(report({ limit: 201 })).rejects.toEqual(error('ValidationError', 'pagination.invalid_limit'));
    });
  });
});

describe('MonthlySummaryReport', () => {
  describe('execute', () => {
    const summary = async (month: string, partnerId?: PartnerId) =>
      (await s.use(MonthlySummaryReport).execute({ tenantId: s.tenantId, month, ...definedFields({ partnerId }) })).map((row) => [
        row.currency,
        row.invoiceCount,
        text(row.invoiceTotal),
        row.creditNoteCount,
        text(row.creditNoteTotal),
        text(row.net),
      ]);

    it.each([
      // A 1 200.00 (paid) + B 600.00.
      ['2026-01', [['EUR', 2, '1800.00', 0, '0.00', '1800.00']]],
      // D 2 400.00 and C 300.00 USD; E is void.
      [
        '2026-02',
        [
          ['EUR', 1, '2400.00', 0, '0.00', '2400.00'],
          ['USD', 1, '300.00', 0, '0.00', '300.00'],
        ],
      ],
      // F 960.00, the credit note 120.00 apart; G is a draft.
      ['2026-03', [['EUR', 1, '960.00', 1, '120.00', '840.00']]],
      ['2026-04', []],
    ])('sums %s per currency, credit notes apart, without void documents or drafts', async (month, expected) => {
      expect(await summary(month)).toEqual(expected);
    });

    it('sums only one partner’s documents when filtered', async () => {
      expect(await summary('2026-02', data.b2)).toEqual([['EUR', 1, '2400.00', 0, '0.00', '2400.00']]);
      expect(await summary('2026-02', data.b1)).toEqual([['USD', 1, '300.00', 0, '0.00', '300.00']]);
      expect(await summary('2026-03', data.b1)).toEqual([]);
    });

    it.each(['2026-13', '2026-3', 'March', '2026-03-01'])('fails with date.malformed at month when the month is %j', async (month) => {
      const failure = await s.use(MonthlySummaryReport).execute({ tenantId: s.tenantId, month }).catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', 'date.malformed'));
      expect((failure as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ path: 'month' })]);
    });
  });
});

describe('AgingReport', () => {
  describe('execute', () => {
    const aging = async (asOf?: string, partnerId?: PartnerId) => {
      const result = await s.use(AgingReport).execute({ tenantId: s.tenantId, ...definedFields({ asOf, partnerId }) });
      return {
        asOf: result.asOf,
        rows: result.rows.map((row) => [
          row.partnerId === data.b1 ? 'B1' : row.partnerId === data.b2 ? 'B2' : row.partnerId,
          row.currency,
          ...[row.current, row.days1To30, row.days31To60, row.days61To90, row.over90, row.total].map(text),
        ]),
      };
    };

    it('buckets what each buyer owes by days past due, today by default', async () => {
      // B 19 days late; C not due; D 8 days late, F not due.
      expect(await aging()).toEqual({
        asOf: '2026-03-10',
        rows: [
          ['B1', 'EUR', '0.00', '500.00', '0.00', '0.00', '0.00', '500.00'],
          ['B1', 'USD', '300.00', '0.00', '0.00', '0.00', '0.00', '300.00'],
          ['B2', 'EUR', '840.00', '2400.00', '0.00', '0.00', '0.00', '3240.00'],
        ],
      });
    });

    it('moves receivables into later buckets as time passes', async () => {
      // On 1 May: B 71 days, C 50, D 60 (still 31–60), F 46.
      expect((await aging('2026-05-01')).rows).toEqual([
        ['B1', 'EUR', '0.00', '0.00', '0.00', '500.00', '0.00', '500.00'],
        ['B1', 'USD', '0.00', '0.00', '300.00', '0.00', '0.00', '300.00'],
        ['B2', 'EUR', '0.00', '0.00', '3240.00', '0.00', '0.00', '3240.00'],
      ]);
      // On 15 June everything is over 90 days (95 to 116).
      expect((await aging('2026-06-15')).rows.map((row) => [row[0], row[1], row[6]])).toEqual([
        ['B1', 'EUR', '500.00'],
        ['B1', 'USD', '300.00'],
        ['B2', 'EUR', '3240.00'],
      ]);
    });

    it('reports one buyer when filtered', async () => {
      expect((await aging('2026-03-10', data.b2)).rows.map((row) => row[0])).toEqual(['B2']);
    });
  });
});

describe('PartnerTotalsReport', () => {
  describe('execute', () => {
    const totals = async (months: number, asOf?: string) =>
      (await s.use(PartnerTotalsReport).execute({ tenantId: s.tenantId, months, ...definedFields({ asOf }) })).rows.map((row) => [
        row.partnerId === data.b1 ? 'B1' : 'B2',
        row.currency,
        row.invoiceCount,
        text(row.total),
      ]);

    it.each([
      // From 1 March: F.
      [1, [['B2', 'EUR', 1, '960.00']]],
      // From 1 February: C; D + F (E void, the credit note left out).
      [
        2,
        [
          ['B1', 'USD', 1, '300.00'],
          ['B2', 'EUR', 2, '3360.00'],
        ],
      ],
      // From 1 January: A (paid) + B as well.
      [
        3,
        [
          ['B1', 'EUR', 2, '1800.00'],
          ['B1', 'USD', 1, '300.00'],
          ['B2', 'EUR', 2, '3360.00'],
        ],
      ],
    ])('sums invoices of the last %p month(s) up to 10 March per buyer and currency', async (months, expected) => {
      expect(await totals(months, '2026-03-10')).toEqual(expected);
    });

    it('stops at the as-of date', async () => {
      // From 1 to 14 February: C only (D is issued on the 15th).
      expect(await totals(1, '2026-02-14')).toEqual([['B1', 'USD', 1, '300.00']]);
    });

    it('looks back from today in the configured time zone by default', async () => {
      // 1 April in Paris: April has nothing yet; March and April hold F.
      s.clock.set('2026-03-31T22:30:00Z');

      expect(await totals(1)).toEqual([]);
      expect(await totals(2)).toEqual([['B2', 'EUR', 1, '960.00']]);
      const report = await s.use(PartnerTotalsReport).execute({ tenantId: s.tenantId, months: 2 });
      expect({ asOf: report.asOf, months: report.months }).toEqual({ asOf: '2026-04-01', months: 2 });
    });

    it('accepts 36 months', async () => {
      expect(await totals(36, '2026-03-10')).toEqual(await totals(3, '2026-03-10'));
    });

    it.each([0, 37, 1.5, -1, Number.NaN])('fails with report.invalid_months when months is %p', async (months) => {
      await expect(s.use(PartnerTotalsReport).execute({ tenantId: s.tenantId, months })).rejects.toEqual(error('ValidationError', 'report.invalid_months'));
    });
  });
});

describe('PartnerContactsReport', () => {
  describe('execute', () => {
    const contacts = async (partnerId: PartnerId) =>
      (await s.use(PartnerContactsReport).execute({ tenantId: s.tenantId, partnerId })).map((row) => [row.contact.name, row.lastInvoiceDate, row.lastInvoiceId && names([{ id: row.lastInvoiceId }])[0]]);

    it('gives each contact the last issued invoice naming it, and null when none does', async () => {
      // Jonas is named on A (5 Jan), B (20 Jan) and the draft G, which does not count.
      expect(await contacts(data.b1)).toEqual([
        ['Jonas Weber', '2026-01-20', 'B'],
        ['Mia Richter', null, null],
      ]);
    });

    it('counts documents naming the contact as the seller’s contact', async () => {
      expect(await contacts(s.seller.id)).toEqual([['Claire Martin', '2026-02-15', 'D']]);
    });

    it('is empty for a partner without contacts', async () => {
      expect(await contacts(data.b2)).toEqual([]);
    });

    it('fails with partner.not_found when the partner is unknown or another tenant’s', async () => {
      await expect(contacts('id-999999' as PartnerId)).rejects.toEqual(error('NotFoundError', 'partner.not_found'));
      await expect(s.use(PartnerContactsReport).execute({ tenantId: 'tenant-b' as never, partnerId: data.b1 })).rejects.toEqual(error('NotFoundError', 'partner.not_found'));
    });
  });
});

/**
 * A credit note of a paid invoice takes back what was paid: X (120.00, paid 120.00) credited 36.00, all taken back; Y
 * (120.00, paid 60.00) credited 84.00, 60.00 of what it owed and 24.00 taken back. The reports read what is paid net.
 */
describe('the reports after a credit note took back part of what was paid', () => {
  let bed: Scenario;
  let x: InvoiceId;
  let y: InvoiceId;

  beforeAll(async () => {
    bed = await createScenario();
    const { tenantId } = bed;
    const lines = (net: string): DraftInput['lines'] => [{ name: 'Service', quantity: '1', unitCode: 'C62', netPrice: net, vat: { code: 'S', rate: '20' } }];
    const issued = async (issueDate: string) =>
      (await bed.use(IssueInvoice).execute({ tenantId, invoiceId: (await bed.use(CreateInvoiceDraft).execute({ tenantId, partnershipId: bed.partnership.id, issueDate, lines: lines('100') })).id })).id;
    x = await issued('2026-02-02');
    y = await issued('2026-02-03');
    await bed.use(RecordPayment).execute({ tenantId, partnerId: bed.buyer.id, amount: '120.00', currency: 'EUR', receivedOn: '2026-02-05', applyTo: [x] });
    await bed.use(RecordPayment).execute({ tenantId, partnerId: bed.buyer.id, amount: '60.00', currency: 'EUR', receivedOn: '2026-02-06', applyTo: [y] });
    await bed.use(CreateCreditNote).execute({ tenantId, invoiceId: x, lines: lines('30') });
    await bed.use(CreateCreditNote).execute({ tenantId, invoiceId: y, lines: lines('70') });
  });

  it('lists each invoice as paid net of what was taken back, owing nothing', async () => {
    const { items } = await bed.use(ListInvoices).execute({ tenantId: bed.tenantId, filter: { kind: 'invoice' } });
    const row = (id: InvoiceId) => items.find((item) => item.id === id);

    expect([x, y].map((id) => row(id)).map((item) => item && [item.status, ...[item.amountDue, item.paid, item.credited, item.outstanding].map(text)])).toEqual([
      ['paid', '120.00', '84.00', '36.00', '0.00'],
      ['credited', '120.00', '36.00', '84.00', '0.00'],
    ]);
  });

  it('ages and lists as past due none of them', async () => {
    expect((await bed.use(AgingReport).execute({ tenantId: bed.tenantId, asOf: '2026-12-31' })).rows).toEqual([]);
    expect((await bed.use(PastDueReport).execute({ tenantId: bed.tenantId, asOf: '2026-12-31' })).items).toEqual([]);
  });

  it('counts what was taken back as the buyer’s unapplied credit in its balance', async () => {
    const balances = await bed.use(GetPartnerBalance).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id });

    expect(balances.map((row) => [row.currency, text(row.outstanding), text(row.unappliedCredit), text(row.balance)])).toEqual([['EUR', '0.00', '60.00', '-60.00']]);
  });
});
