import { isDeepStrictEqual } from 'node:util';
import {
  Money,
  addDays,
  type AggregateRoot,
  daysBetween,
  definedFields,
  parseCalendarDate,
  parseYearMonth,
  tenantId,
  type CalendarDate,
  type CurrencyCode,
  type Cursor,
  type Id,
  type Page,
  type TenantId,
  type YearMonth,
} from '@invoicing/core';
import {
  Invoice,
  Partner,
  Partnership,
  Payment,
  contactSearchQuery,
  formatDocumentNumber,
  normalizeSearchText,
  partySnapshot,
  type ContactId,
  type ContactInput,
  type InvoiceFilter,
  type InvoiceId,
  type InvoiceLineInput,
  type InvoiceQueries,
  type InvoiceStatus,
  type PartnerId,
  type PartnerQueries,
  type PaymentId,
  type PastDueRequest,
  type PaymentTermsInput,
} from '@invoicing/invoice';
import { createInMemoryAdapters, type InMemoryAdapters } from '@invoicing/invoice/testing';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';

/*
 * Every report of InvoiceQueries and PartnerQueries, on a generated dataset of two tenants and more than 10,000
 * invoices, run on MongoDB (FerretDB in the stack) and on the in-memory reference adapter: the results must be equal,
 * item by item, page by page (cursors included).
 *
 * The dataset is deterministic: a seeded PRNG drives every choice and makes every id (UUIDv7-shaped, time-ordered).
 * Both tenants use the same partner ids, so that any report leaking across tenants shows up as a difference.
 * The aggregates are generated once; each adapter stores its own copies, restored from their states at version 0
 * (`save` marks an aggregate saved), with `save` in memory and `saveMany` (bulk insert) in MongoDB.
 */
jest.setTimeout(600_000);

const AT = new Date('2026-03-01T10:00:00Z');
const FIRST_DAY = parseCalendarDate('2025-01-01');
/** 2025-01-01 … 2026-02-28. */
const ISSUE_DAYS = 424;
const INVOICES_PER_TENANT = 5_100;
const PARTNERS_PER_TENANT = 20;

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness and ids

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(items: readonly { readonly item: T; readonly weight: number }[]): T {
    const total = items.reduce((sum, entry) => sum + entry.weight, 0);
    let left = this.next() * total;
    for (const entry of items) {
      left -= entry.weight;
      if (left < 0) return entry.item;
    }
    return (items[items.length - 1] as { item: T }).item;
  }
}

/** UUIDv7-shaped ids from a fake clock and a seeded PRNG: time-ordered like the real ones, yet the same every run. */
class SeededIds {
  private clock: number;
  private readonly random: Random;

  constructor(seed: number, startMs: number) {
    this.random = new Random(seed);
    this.clock = startMs;
  }

  next<Brand extends string>(): Id<Brand> {
    this.clock += this.random.int(1, 3);
    const hex = (digits: number) => Array.from({ length: digits }, () => this.random.int(0, 15).toString(16)).join('');
    const time = this.clock.toString(16).padStart(12, '0');
    return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(3)}-${this.random.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}` as Id<Brand>;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The dataset

interface TenantData {
  readonly tenant: TenantId;
  readonly partners: Partner[];
  readonly partnerships: Partnership[];
  /** Invoices and credit notes. */
  readonly invoices: Invoice[];
  readonly payments: Payment[];
}

const COMPANIES = [
  'Northwind Consulting', 'Contoso Services', 'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark Industries', 'Wayne Enterprises', 'Hooli',
  'Vandelay Industries', 'Soylent', 'Tyrell', 'Cyberdyne', 'Wonka', 'Gringotts', 'Oscorp', 'Aperture', 'Massive Dynamic', 'Pied Piper',
  'Dunder Mifflin', 'Prestige Worldwide', 'Bluth Company', 'Sterling Cooper',
];
const FIRST_NAMES = ['Anna', 'José', 'Zoë', 'Marc', 'Chloé', 'Liam', 'Sofia', 'Noah', 'Émile', 'Ingrid', 'Karl', 'Léa', 'Omar', 'Priya', 'Yuki', 'Björn', 'Annabelle', 'Mario'];
const LAST_NAMES = ['Martin', 'Müller', 'Smith', 'Dubois', 'García', 'Rossi', 'Nowak', 'Jensen', 'Bernard', 'Schmidt', 'Moreau', 'Silva', 'Martinez', 'Garcia'];
const ROLES = ['accounts payable', 'purchasing', 'finance', undefined];
const TERMS: readonly PaymentTermsInput[] = [
  { kind: 'net', days: 30 },
  { kind: 'net', days: 15 },
  { kind: 'net', days: 45 },
  { kind: 'end_of_month', days: 30 },
  { kind: 'due_on_receipt' },
  { kind: 'net', days: 60 },
];
const ITEMS = [
  { name: 'Consulting', unitCode: 'HUR' },
  { name: 'Licence', unitCode: 'C62' },
  { name: 'Support', unitCode: 'DAY' },
  { name: 'Travel', unitCode: 'C62' },
];
const QUANTITIES = ['1', '1', '2', '3', '0.5', '2.25', '7', '10', '12.5'];
const PRICES = ['100.00', '80.00', '45.50', '1250.00', '19.99', '0.35', '333.33', '75.10'];
const VAT_RATES = ['20', '20', '10', '5.5'];

/** The ids of the partners, shared by both tenants: a report that mixes tenants cannot go unnoticed. */
const sharedPartnerIds = (() => {
  const ids = new SeededIds(7, Date.UTC(2024, 11, 1));
  return Array.from({ length: PARTNERS_PER_TENANT }, () => ids.next<'Partner'>());
})();

function generateTenant(name: string, seed: number): TenantData {
  const random = new Random(seed);
  const ids = new SeededIds(seed * 31 + 1, Date.UTC(2025, 0, 1));
  const tenant = tenantId(name);
  const companyOffset = seed % COMPANIES.length;

  // Partners: 0 and 1 are the tenant's own companies (sellers); 2 sells too, to 5 and 6; the others only buy.
  const partners = sharedPartnerIds.map((id, index) => {
    const legalName = `${COMPANIES[(index + companyOffset) % COMPANIES.length]} ${random.pick(['SAS', 'GmbH', 'Ltd', 'SpA'])}`;
    const contacts: ContactInput[] = [];
    const count = random.int(1, 3);
    while (contacts.length < count) {
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      if (contacts.some((contact) => contact.name === `${first} ${last}`)) continue;
      const domain = legalName.split(' ')[0]?.toLowerCase() ?? 'example';
      const role = random.pick(ROLES);
      contacts.push({
        name: `${first} ${last}`,
        email: `${normalizeSearchText(first)}.${normalizeSearchText(last)}@${domain}.example.com`,
        ...(random.chance(0.6) ? { phone: `+33 1 ${random.int(10, 99)} ${random.int(10, 99)} ${random.int(10, 99)} ${random.int(10, 99)}` } : {}),
        ...definedFields({ role }),
      });
    }
    return Partner.create(
      {
        legalName,
        identifiers: { vatId: `FR${String(10_000_000_000 + index * 7_919 + seed).slice(0, 11)}` },
        addresses: [{ purpose: 'billing', lines: [`${index + 1} rue de la Paix`], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
        contacts,
      },
      { tenantId: tenant, id, newContactId: () => ids.next<'Contact'>(), at: AT },
    );
  });
  const partner = (index: number) => partners[index] as Partner;

  // Partnerships: every buyer with one of the two sellers in EUR, some also in USD (own numbering series) or GBP.
  const partnerships: { partnership: Partnership; weight: number }[] = [];
  const open = (seller: number, buyer: number, currency: CurrencyCode, weight: number, numbering?: { invoice: string; creditNote: string }) => {
    const partnership = Partnership.create(
      {
        sellerId: partner(seller).id,
        buyerId: partner(buyer).id,
        currency,
        paymentTerms: TERMS[(buyer + seller) % TERMS.length] as PaymentTermsInput,
        validFrom: '2024-12-01',
        ...(numbering ? { numbering } : {}),
      },
      { tenantId: tenant, id: ids.next<'Partnership'>(), at: AT },
    );
    partnerships.push({ partnership, weight });
  };
  for (let buyer = 2; buyer < PARTNERS_PER_TENANT; buyer += 1) {
    open(buyer % 2, buyer, 'EUR', 1 + (buyer % 4) * 2);
    if (buyer % 3 === 0) open(buyer % 2, buyer, 'USD', 1 + (buyer % 3), { invoice: 'US', creditNote: 'USCN' });
    if (buyer % 5 === 0) open((buyer + 1) % 2, buyer, 'GBP', 1);
  }
  open(2, 5, 'EUR', 2);
  open(2, 6, 'EUR', 2);

  const sequences = new Map<string, number>();
  const nextNumber = (series: string) => {
    const sequence = (sequences.get(series) ?? 0) + 1;
    sequences.set(series, sequence);
    return formatDocumentNumber(series, sequence);
  };
  const partnerById = new Map(partners.map((each) => [each.id, each]));
  const issue = (document: Invoice, issueDate: CalendarDate) => {
    document.issue({
      number: nextNumber(document.series),
      issueDate,
      seller: partySnapshot(partnerById.get(document.toState().sellerId) as Partner),
      buyer: partySnapshot(partnerById.get(document.toState().buyerId) as Partner),
      requiresApproval: false,
      at: AT,
    });
  };
  /** A contact to name on a document: never the third one of a partner, so some contacts are never seen. */
  const someContact = (of: Partner): ContactId => random.pick(of.contacts.slice(0, 2)).id;

  // Payments are built once all their applications are known: open ones per buyer and currency, 1–4 invoices each.
  interface Application {
    readonly invoiceId: InvoiceId;
    readonly amount: Money;
    readonly appliedOn: CalendarDate;
  }
  interface PendingPayment {
    readonly id: PaymentId;
    readonly partnerId: PartnerId;
    readonly currency: CurrencyCode;
    readonly applications: Application[];
    slots: number;
  }
  const pending = new Map<string, PendingPayment>();
  const closed: PendingPayment[] = [];
  const pay = (invoice: Invoice, amount: Money, appliedOn: CalendarDate) => {
    const state = invoice.toState();
    const key = `${state.buyerId}|${state.currency}`;
    let payment = pending.get(key);
    // One application per invoice and payment: a second part of the same invoice comes from another payment.
    if (payment?.applications.some((application) => application.invoiceId === invoice.id)) {
      pending.delete(key);
      closed.push(payment);
      payment = undefined;
    }
    if (!payment) {
      payment = { id: ids.next<'Payment'>(), partnerId: state.buyerId, currency: state.currency, applications: [], slots: random.int(1, 4) };
      pending.set(key, payment);
    }
    invoice.applyPayment({ paymentId: payment.id, amount, appliedOn }, AT);
    payment.applications.push({ invoiceId: invoice.id, amount, appliedOn });
    payment.slots -= 1;
    if (payment.slots === 0) {
      pending.delete(key);
      closed.push(payment);
    }
  };
  /** Some tenths of an amount, at least one cent. */
  const fraction = (money: Money, tenths: number) => {
    const minor = (money.minor * BigInt(tenths)) / 10n;
    return Money.ofMinor(minor > 0n ? minor : 1n, money.currency);
  };

  const invoices: Invoice[] = [];
  const creditNotes: Invoice[] = [];
  for (let count = 0; count < INVOICES_PER_TENANT; count += 1) {
    const partnership = random.weighted(partnerships.map(({ partnership: item, weight }) => ({ item, weight })));
    const seller = partnerById.get(partnership.sellerId) as Partner;
    const buyer = partnerById.get(partnership.buyerId) as Partner;
    const issueDate = addDays(FIRST_DAY, random.int(0, ISSUE_DAYS - 1));
    // Mostly one line: every MongoDB query on FerretDB parses every stored invoice, and lines make most of one.
    const lines: InvoiceLineInput[] = Array.from({ length: random.weighted([{ item: 1, weight: 6 }, { item: 2, weight: 3 }, { item: 3, weight: 1 }]) }, () => {
      const item = random.pick(ITEMS);
      return { name: item.name, quantity: random.pick(QUANTITIES), unitCode: item.unitCode, netPrice: random.pick(PRICES), vat: { code: 'S', rate: random.pick(VAT_RATES) } };
    });
    const draft = random.chance(0.03);
    const content = {
      lines,
      ...(random.chance(0.4) ? { buyerContactId: someContact(buyer) } : {}),
      ...(random.chance(0.15) ? { sellerContactId: someContact(seller) } : {}),
      ...(random.chance(0.05) ? { dueDate: addDays(issueDate, random.int(0, 90)) } : {}),
      // A draft may plan its issue date; date filters then match it, reports of issued documents never do.
      ...(draft && random.chance(0.5) ? { issueDate } : {}),
      ...(random.chance(0.03) && Number(lines[0]?.netPrice) >= 100 && Number(lines[0]?.quantity) >= 1 ? { prepaidAmount: '50.00' } : {}),
    };
    const invoice = Invoice.draft(
      {
        ...partnership.draftTerms(),
        ...content,
      },
      { tenantId: tenant, id: ids.next<'Invoice'>(), at: AT },
    );
    invoices.push(invoice);
    if (draft) continue;
    // Some invoices are paid in full in advance: issued as paid at once.
    if (random.chance(0.005)) invoice.update({ ...content, prepaidAmount: invoice.totals.taxInclusive.toString() }, AT);
    issue(invoice, issueDate);
    if (invoice.status !== 'issued') continue;
    if (random.chance(0.05)) {
      invoice.void(random.pick(['duplicate', 'wrong buyer', undefined]), AT);
      continue;
    }
    const age = daysBetween(issueDate, parseCalendarDate('2026-03-01'));
    const roll = random.float();
    if (roll < Math.min(0.85, age / 300)) {
      pay(invoice, invoice.outstanding, addDays(issueDate, random.int(5, 60)));
    } else if (roll < Math.min(0.85, age / 300) + 0.15) {
      pay(invoice, fraction(invoice.outstanding, random.int(1, 9)), addDays(issueDate, random.int(5, 60)));
      if (random.chance(0.3)) pay(invoice, fraction(invoice.outstanding, random.int(1, 9)), addDays(issueDate, random.int(61, 90)));
    }
    if ((invoice.status === 'issued' || invoice.status === 'partially_paid') && age > 200 && random.chance(0.06)) {
      invoice.markUncollectible(AT);
      // A written-off invoice paid in the end after all.
      if (random.chance(0.2)) pay(invoice, invoice.outstanding, addDays(issueDate, random.int(200, 300)));
    }
    if (['issued', 'partially_paid', 'uncollectible'].includes(invoice.status) && random.chance(0.04)) {
      const state = invoice.toState();
      const full = state.payments.length === 0 && state.totals.amountDue.equals(state.totals.taxInclusive) && random.chance(0.4);
      const creditLines: InvoiceLineInput[] = full
        ? lines
        : [{ name: 'Discount', quantity: '1', unitCode: 'C62', netPrice: Money.ofMinor((invoice.outstanding.minor * BigInt(random.int(1, 9))) / 12n, state.currency).toString(), vat: { code: 'S', rate: '20' } }];
      const creditNote = Invoice.draft(
        {
          kind: 'credit_note',
          partnershipId: partnership.id,
          sellerId: partnership.sellerId,
          buyerId: partnership.buyerId,
          currency: partnership.currency,
          paymentTerms: { kind: 'due_on_receipt' },
          series: partnership.numbering.creditNote,
          precedingInvoice: { id: invoice.id, number: state.number as string, issueDate },
          lines: creditLines,
          ...(random.chance(0.5) ? { buyerContactId: someContact(buyer) } : {}),
        },
        { tenantId: tenant, id: ids.next<'Invoice'>(), at: AT },
      );
      creditNotes.push(creditNote);
      // A few credit notes are still drafts.
      if (random.chance(0.1) || !creditNote.totals.amountDue.isPositive() || creditNote.totals.amountDue.greaterThan(invoice.outstanding)) continue;
      const creditedOn = addDays(issueDate, random.int(1, 40));
      issue(creditNote, creditedOn);
      invoice.applyCredit({ creditNoteId: creditNote.id, creditNoteNumber: creditNote.number as string, amount: creditNote.totals.amountDue, appliedOn: creditedOn }, AT);
    }
  }

  // The payments: applications plus, now and then, an overpayment left as credit (partly refunded at times).
  closed.push(...pending.values());
  const payments = closed.map((pendingPayment) => {
    const applied = Money.sum(pendingPayment.currency, pendingPayment.applications.map((application) => application.amount));
    const extra = random.chance(0.1) ? Money.ofMinor(random.int(500, 20_000), pendingPayment.currency) : Money.zero(pendingPayment.currency);
    const receivedOn = pendingPayment.applications.map((application) => application.appliedOn).sort().at(-1) as CalendarDate;
    const payment = Payment.receive(
      { partnerId: pendingPayment.partnerId, amount: applied.add(extra).toString(), currency: pendingPayment.currency, receivedOn },
      { tenantId: tenant, id: pendingPayment.id, at: AT },
    );
    for (const application of pendingPayment.applications) payment.apply(application, AT);
    if (extra.isPositive() && random.chance(0.3)) payment.refund({ refundId: ids.next<'Refund'>(), amount: fraction(extra, random.int(1, 10)), refundedOn: receivedOn }, AT);
    return payment;
  });
  // Advance payments nothing was applied to, some in a currency the partner has no invoice in.
  for (let count = 0; count < 15; count += 1) {
    const payer = partner(random.int(2, PARTNERS_PER_TENANT - 1));
    payments.push(
      Payment.receive(
        { partnerId: payer.id, amount: `${random.int(10, 5000)}.${random.int(10, 99)}`, currency: random.pick(['EUR', 'USD', 'GBP']), receivedOn: addDays(FIRST_DAY, random.int(0, ISSUE_DAYS)) },
        { tenantId: tenant, id: ids.next<'Payment'>(), at: AT },
      ),
    );
  }
  // Archived partners keep their history.
  partner(PARTNERS_PER_TENANT - 1).archive(AT);
  partner(PARTNERS_PER_TENANT - 4).archive(AT);

  return { tenant, partners, partnerships: partnerships.map(({ partnership }) => partnership), invoices: [...invoices, ...creditNotes], payments };
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding

function byId(left: { readonly id: string }, right: { readonly id: string }): number {
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

/** Bulk-inserts new aggregates with the repository's `saveMany`, then checks that the last one is stored. */
async function insertMany<A extends AggregateRoot>(
  repository: { saveMany(aggregates: readonly A[]): Promise<void>; get(tenantId: TenantId, id: A['id']): Promise<A | undefined> },
  aggregates: readonly A[],
): Promise<void> {
  await repository.saveMany(aggregates);
  // GUARD against an adapter bug (reported, not fixed here): when a batch of the insert fails as a whole (e.g. FerretDB's
  // "database is locked"), the driver's MongoBulkWriteError carries an empty `writeErrors` array, which `saveMany`
  // takes for "no failures": the batch and every later one are silently lost. The driver stops at the failed
  // batch, so the last aggregate is missing whenever any batch was lost; reading it costs one lookup by _id.
  const last = aggregates[aggregates.length - 1];
  if (last && !(await repository.get(last.tenantId, last.id))) {
    throw new Error(`saveMany returned, yet ${last.aggregateType} ${last.id} was not stored: a failed insert batch was swallowed (see the note above)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing results

/** Results as plain data: Money as amount and currency (a Money that came back as something else would differ). */
function plain(value: unknown): unknown {
  if (value instanceof Money) return { money: value.toString(), currency: value.currency };
  if (value instanceof Date) return { date: value.toISOString() };
  if (typeof value === 'bigint') return { bigint: value.toString() };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [key, plain(field)]),
    );
  }
  return value;
}

let comparisons = 0;

/** Mongo's result must equal the reference's; arrays are compared item by item, so a failure names the first difference. */
function expectSame(label: string, actual: unknown, expected: unknown): void {
  comparisons += 1;
  const got = plain(actual);
  const want = plain(expected);
  if (Array.isArray(got) && Array.isArray(want)) {
    for (let index = 0; index < Math.max(got.length, want.length); index += 1) {
      if (!isDeepStrictEqual(got[index], want[index])) {
        expect({ label, index, count: got.length, item: got[index] }).toEqual({ label, index, count: want.length, item: want[index] });
      }
    }
    return;
  }
  expect({ label, value: got }).toEqual({ label, value: want });
}

/** The pages of a list, following the cursors (at most `maxPages`), with the cursors themselves. */
async function walk<T>(fetch: (cursor: Cursor | undefined) => Promise<Page<T>>, maxPages = Number.POSITIVE_INFINITY): Promise<{ items: T[]; cursors: (Cursor | null)[] }> {
  const items: T[] = [];
  const cursors: (Cursor | null)[] = [];
  let cursor: Cursor | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursors.push(page.nextCursor);
    cursor = page.nextCursor ?? undefined;
    if (cursors.length > 1_000) throw new Error('the cursor never ends');
  } while (cursor && cursors.length < maxPages);
  return { items, cursors };
}

/** Walks the same list on both adapters and compares items and cursors; returns the reference's size. */
async function comparePages<T>(
  label: string,
  maxPages: number,
  mongo: (cursor: Cursor | undefined) => Promise<Page<T>>,
  reference: (cursor: Cursor | undefined) => Promise<Page<T>>,
): Promise<{ items: number; pages: number }> {
  const [got, want] = await Promise.all([walk(mongo, maxPages), walk(reference, maxPages)]);
  expectSame(`${label} items`, got.items, want.items);
  expectSame(`${label} cursors`, got.cursors, want.cursors);
  return { items: want.items.length, pages: want.cursors.length };
}

const date = parseCalendarDate;
const month = parseYearMonth;
const cursorOf = (cursor: Cursor | undefined) => (cursor ? { cursor } : {});

/*
 * On the stack's FerretDB 1.24 (SQLite) every query parses every stored invoice: 10 to 60 seconds a scan for this
 * dataset on two cores, a `$group` pipeline the slowest. The default run therefore checks a chosen set of cases
 * (every report, both tenants, several parameters, lists walked page by page: about 35 scans).
 * REPORTS_DATASET_FULL=1 adds the whole sweep (every filter, date, month and partner on both tenants: hours there).
 */
const FULL = process.env.REPORTS_DATASET_FULL === '1';
const TENANTS = [0, 1] as const;

type PartnerPick = (data: TenantData) => PartnerId;
const partnerAt =
  (index: number): PartnerPick =>
  (data) =>
    (data.partners[index] as Partner).id;
/** Seller of most invoices; the partner who sells (to 5 and 6) and buys; a big buyer (weight 7); a small one. */
const SELLER = partnerAt(0);
const DUAL = partnerAt(2);
const BIG_BUYER = partnerAt(7);
const SMALL_BUYER = partnerAt(4);
/** A buyer with three contacts: the third is never named, so one contact at least is never seen. */
const THREE_CONTACTS: PartnerPick = (data) => (data.partners.slice(2).find((partner) => partner.contacts.length === 3) ?? (data.partners[2] as Partner)).id;
/** A buyer with a single contact (each contact costs two scans). */
const ONE_CONTACT: PartnerPick = (data) => (data.partners.slice(2).find((partner) => partner.contacts.length === 1) ?? (data.partners[2] as Partner)).id;
/** A partner who paid in advance (credit with nothing applied, possibly in a currency it has no invoice in). */
const ADVANCE_PAYER: PartnerPick = (data) => (data.payments.find((payment) => payment.applications.length === 0) as Payment).partnerId;

interface Case<P> {
  readonly tenant: (typeof TENANTS)[number];
  readonly params: (data: TenantData) => P;
}

/**
 * Runs the cases one after the other: each MongoDB query scans the collection, and FerretDB answers concurrent scans
 * no faster (two cores) but each much later. The in-memory reference runs meanwhile, in this process.
 */
async function inSequence<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await run(item));
  return results;
}

function sweep<P>(quick: readonly Case<P>[], full: () => Case<P>[]): Case<P>[] {
  return FULL ? [...quick, ...full()] : [...quick];
}

describe('Reports on a 10,000-invoice dataset: MongoDB equals the in-memory reference', () => {
  let database: TestDatabase | undefined;
  let memory: InMemoryAdapters;
  let mongoQueries: InvoiceQueries;
  let mongoPartners: PartnerQueries;
  let tenants: TenantData[];
  const timings: Record<string, number> = {};
  const started = Date.now();
  const tenantOf = (index: number) => tenants[index] as TenantData;

  beforeAll(async () => {
    let clock = Date.now();
    const lap = (name: string) => {
      timings[name] = Date.now() - clock;
      clock = Date.now();
    };
    tenants = [generateTenant('tenant-north', 1), generateTenant('tenant-south', 2)];
    lap('generate');
    // Each adapter gets its own aggregates, restored from the generated states at version 0 (a save marks them saved).
    memory = createInMemoryAdapters();
    for (const data of tenants) {
      for (const partner of data.partners) await memory.partners.save(Partner.restore({ ...partner.toState(), version: 0 }));
      for (const partnership of data.partnerships) await memory.partnerships.save(Partnership.restore({ ...partnership.toState(), version: 0 }));
      // In id order, which keeps the in-memory unique-number check (a sorted scan per save) fast.
      for (const invoice of [...data.invoices].sort(byId)) await memory.invoices.save(Invoice.restore({ ...invoice.toState(), version: 0 }));
      for (const payment of data.payments) await memory.payments.save(Payment.restore({ ...payment.toState(), version: 0 }));
    }
    lap('seed in memory');
    // A long socket timeout: a loaded FerretDB can take many seconds per scan.
    database = await createTestDatabase('reports_dataset', { socketTimeoutMs: 300_000 });
    const { adapters } = database;
    await insertMany(adapters.partners, tenants.flatMap((data) => data.partners.map((partner) => Partner.restore({ ...partner.toState(), version: 0 }))));
    await insertMany(adapters.partnerships, tenants.flatMap((data) => data.partnerships.map((partnership) => Partnership.restore({ ...partnership.toState(), version: 0 }))));
    await insertMany(adapters.invoices, tenants.flatMap((data) => data.invoices.map((invoice) => Invoice.restore({ ...invoice.toState(), version: 0 }))));
    await insertMany(adapters.payments, tenants.flatMap((data) => data.payments.map((payment) => Payment.restore({ ...payment.toState(), version: 0 }))));
    mongoQueries = adapters.queries;
    mongoPartners = adapters.partnerQueries;
    lap('seed MongoDB');
  });

  afterAll(async () => {
    await database?.drop();
    timings.total = Date.now() - started;
    process.stderr.write(`[reports-dataset] ${comparisons} comparisons${FULL ? ' (full sweep)' : ''}; timings (ms): ${JSON.stringify(timings)}\n`);
  });

  /** Times each test, for the line printed at the end. */
  const timed = (name: string, body: () => Promise<void>) => async () => {
    const begin = Date.now();
    await body();
    timings[name] = Date.now() - begin;
  };

  it('holds a varied dataset of more than 10,000 invoices over two tenants', timed('dataset', async () => {
    const all = tenants.flatMap((data) => data.invoices.map((invoice) => invoice.toState()));
    expect(all.filter((state) => state.kind === 'invoice').length).toBeGreaterThanOrEqual(10_000);
    expect([...new Set<InvoiceStatus>(all.map((state) => state.status))].sort()).toEqual(['credited', 'draft', 'issued', 'paid', 'partially_paid', 'uncollectible', 'void']);
    expect([...new Set(all.map((state) => state.currency))].sort()).toEqual(['EUR', 'GBP', 'USD']);
    expect(all.filter((state) => state.kind === 'credit_note' && state.status === 'issued').length).toBeGreaterThan(100);
    expect(all.filter((state) => state.buyerContactId !== undefined).length).toBeGreaterThan(3_000);
    expect(all.filter((state) => state.status === 'draft' && state.issueDate !== undefined).length).toBeGreaterThan(50);
    const payments = tenants.flatMap((data) => data.payments);
    expect(payments.filter((payment) => payment.unapplied.isPositive()).length).toBeGreaterThan(50);
    expect(payments.filter((payment) => payment.refunds.length > 0).length).toBeGreaterThan(5);
  }));

  it('lists invoices alike for several filters, walking every page of some', timed('list', async () => {
    const quick: (Case<InvoiceFilter> & { readonly pages: number })[] = [
      { tenant: 0, pages: Number.POSITIVE_INFINITY, params: (data) => ({ partnerId: BIG_BUYER(data) }) },
      { tenant: 1, pages: 1, params: () => ({ pastDueAsOf: date('2026-03-01') }) },
      { tenant: 1, pages: 1, params: () => ({}) },
      { tenant: 0, pages: 1, params: () => ({ status: ['partially_paid', 'paid', 'credited'], issuedFrom: date('2025-03-01'), issuedTo: date('2025-05-31') }) },
      { tenant: 1, pages: 1, params: () => ({ kind: 'credit_note' }) },
      { tenant: 0, pages: 1, params: () => ({ status: ['draft', 'void', 'uncollectible'], issuedFrom: date('2025-06-01') }) },
    ];
    const cases = FULL
      ? [
          ...quick,
          ...TENANTS.flatMap((tenant) =>
            [
              (): InvoiceFilter => ({}),
              (): InvoiceFilter => ({ status: ['issued'] }),
              (): InvoiceFilter => ({ status: ['draft'] }),
              (): InvoiceFilter => ({ kind: 'invoice', status: ['partially_paid'] }),
              (data: TenantData): InvoiceFilter => ({ partnerId: SELLER(data) }),
              (data: TenantData): InvoiceFilter => ({ partnerId: DUAL(data) }),
              (): InvoiceFilter => ({ issuedFrom: date('2026-02-01') }),
              (): InvoiceFilter => ({ issuedTo: date('2025-01-10'), status: ['paid', 'credited'] }),
              (data: TenantData): InvoiceFilter => ({ pastDueAsOf: date('2025-06-15'), partnerId: SMALL_BUYER(data) }),
              (): InvoiceFilter => ({ pastDueAsOf: date('2026-01-01'), issuedFrom: date('2025-10-01'), kind: 'invoice', status: ['issued', 'partially_paid'] }),
            ].map((params) => ({ tenant, pages: Number.POSITIVE_INFINITY, params })),
          ),
        ]
      : quick;
    const results = await inSequence(cases, async ({ tenant, pages, params }) => {
      const data = tenantOf(tenant);
      const filter = params(data);
      const label = `list ${data.tenant} ${JSON.stringify(filter)}`;
      return comparePages(
        label,
        pages,
        (cursor) => mongoQueries.list(data.tenant, filter, { limit: 200, ...cursorOf(cursor) }),
        (cursor) => memory.queries.list(data.tenant, filter, { limit: 200, ...cursorOf(cursor) }),
      );
    });
    for (const result of results) expect(result.items).toBeGreaterThan(0);
    // The walked list is several pages long; the first pages of the longer lists are full.
    expect(results[0]?.pages).toBeGreaterThanOrEqual(2);
    expect(results[1]).toEqual({ items: 200, pages: 1 });
    expect(results[2]).toEqual({ items: 200, pages: 1 });
  }));

  it('lists past-due invoices alike, for several dates and partners, both sorts, page by page', timed('pastDue', async () => {
    type Request = Omit<PastDueRequest, 'cursor'>;
    const quick: (Case<Request> & { readonly pages: number })[] = [
      { tenant: 0, pages: Number.POSITIVE_INFINITY, params: () => ({ asOf: date('2025-06-30'), sort: 'due_date.asc', limit: 200 }) },
      { tenant: 1, pages: Number.POSITIVE_INFINITY, params: (data) => ({ asOf: date('2026-03-01'), partnerId: BIG_BUYER(data), sort: 'due_date.desc', limit: 100 }) },
    ];
    const cases = FULL
      ? [
          ...quick,
          ...TENANTS.flatMap((tenant) =>
            ['2025-01-15', '2025-06-30', '2025-12-31', '2026-03-01', '2027-01-01'].flatMap((asOf) =>
              (['due_date.asc', 'due_date.desc'] as const).flatMap((sort) => [
                { tenant, pages: Number.POSITIVE_INFINITY, params: (): Request => ({ asOf: date(asOf), sort, limit: 200 }) },
                { tenant, pages: Number.POSITIVE_INFINITY, params: (data: TenantData): Request => ({ asOf: date(asOf), sort, partnerId: DUAL(data), limit: 25 }) },
              ]),
            ),
          ),
        ]
      : quick;
    const results = await inSequence(cases, async ({ tenant, pages, params }) => {
      const data = tenantOf(tenant);
      const request = params(data);
      return comparePages(
        `pastDue ${data.tenant} ${JSON.stringify(request)}`,
        pages,
        (cursor) => mongoQueries.pastDue(data.tenant, { ...request, ...cursorOf(cursor) }),
        (cursor) => memory.queries.pastDue(data.tenant, { ...request, ...cursorOf(cursor) }),
      );
    });
    // Several pages each (with many ties on the due date).
    for (const result of results) expect(result.items).toBeGreaterThan(0);
    expect(results[0]?.pages).toBeGreaterThanOrEqual(2);
    expect(results[1]?.pages).toBeGreaterThanOrEqual(2);
  }));

  it('sums months alike, per currency, with and without a partner', timed('monthlySummary', async () => {
    type Request = { readonly month: YearMonth; readonly partnerId?: PartnerId };
    const quick: Case<Request>[] = [
      { tenant: 0, params: () => ({ month: month('2026-02') }) },
      { tenant: 1, params: (data) => ({ month: month('2025-07'), partnerId: DUAL(data) }) },
    ];
    const months = ['2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04'];
    const cases = sweep(quick, () =>
      TENANTS.flatMap((tenant) =>
        months.flatMap((each) => [undefined, SELLER, DUAL, BIG_BUYER].map((pick) => ({ tenant, params: (data: TenantData): Request => ({ month: month(each), ...(pick ? { partnerId: pick(data) } : {}) }) }))),
      ),
    );
    const results = await inSequence(cases, async ({ tenant, params }) => {
      const data = tenantOf(tenant);
      const request = params(data);
      const [got, want] = await Promise.all([mongoQueries.monthlySummary(data.tenant, request), memory.queries.monthlySummary(data.tenant, request)]);
      expectSame(`monthlySummary ${data.tenant} ${JSON.stringify(request)}`, got, want);
      return want;
    });
    const rows = results.flat();
    expect(results[0]?.length).toBe(3);
    expect(rows.reduce((sum, row) => sum + row.invoiceCount, 0)).toBeGreaterThan(300);
    expect(rows.reduce((sum, row) => sum + row.creditNoteCount, 0)).toBeGreaterThan(0);
    expect(rows.every((row) => row.net.equals(row.invoiceTotal.subtract(row.creditNoteTotal)))).toBe(true);
  }));

  it('ages receivables alike, for several dates, with and without a partner', timed('aging', async () => {
    type Request = { readonly asOf: CalendarDate; readonly partnerId?: PartnerId };
    const quick: Case<Request>[] = [
      { tenant: 0, params: () => ({ asOf: date('2026-03-01') }) },
      { tenant: 1, params: (data) => ({ asOf: date('2025-09-30'), partnerId: DUAL(data) }) },
    ];
    const cases = sweep(quick, () =>
      TENANTS.flatMap((tenant) =>
        ['2025-01-15', '2025-06-30', '2025-12-31', '2026-02-28', '2026-04-30', '2027-01-01'].flatMap((asOf) =>
          [undefined, DUAL, BIG_BUYER, SMALL_BUYER].map((pick) => ({ tenant, params: (data: TenantData): Request => ({ asOf: date(asOf), ...(pick ? { partnerId: pick(data) } : {}) }) })),
        ),
      ),
    );
    const results = await inSequence(cases, async ({ tenant, params }) => {
      const data = tenantOf(tenant);
      const request = params(data);
      const [got, want] = await Promise.all([mongoQueries.aging(data.tenant, request), memory.queries.aging(data.tenant, request)]);
      expectSame(`aging ${data.tenant} ${JSON.stringify(request)}`, got, want);
      return want;
    });
    const filled = new Set(results.flat().flatMap((row) => (['current', 'days1To30', 'days31To60', 'days61To90', 'over90'] as const).filter((bucket) => !row[bucket].isZero())));
    expect([...filled].sort()).toEqual(['current', 'days1To30', 'days31To60', 'days61To90', 'over90']);
    expect(results[0]?.length).toBeGreaterThan(15);
  }));

  it('totals each buyer alike over the last 1, 3 and 12 months', timed('totalsPerPartner', async () => {
    type Request = { readonly months: number; readonly asOf: CalendarDate };
    const quick: Case<Request>[] = [
      { tenant: 0, params: () => ({ months: 12, asOf: date('2026-02-28') }) },
      { tenant: 1, params: () => ({ months: 3, asOf: date('2026-03-15') }) },
      { tenant: 1, params: () => ({ months: 1, asOf: date('2025-06-30') }) },
    ];
    const cases = sweep(quick, () =>
      TENANTS.flatMap((tenant) =>
        [1, 3, 12, 24].flatMap((months) => ['2025-01-01', '2025-06-30', '2026-02-28', '2026-03-15'].map((asOf) => ({ tenant, params: (): Request => ({ months, asOf: date(asOf) }) }))),
      ),
    );
    const results = await inSequence(cases, async ({ tenant, params }) => {
      const data = tenantOf(tenant);
      const request = params(data);
      const [got, want] = await Promise.all([mongoQueries.totalsPerPartner(data.tenant, request), memory.queries.totalsPerPartner(data.tenant, request)]);
      expectSame(`totalsPerPartner ${data.tenant} ${JSON.stringify(request)}`, got, want);
      return want;
    });
    for (const rows of results) expect(rows.length).toBeGreaterThan(10);
  }));

  it("finds where each partner's contacts were last named alike", timed('contactsLastSeen', async () => {
    const quick: Case<PartnerId>[] = [
      { tenant: 0, params: ONE_CONTACT },
      { tenant: 1, params: THREE_CONTACTS },
      { tenant: 1, params: () => 'no-such-partner' as PartnerId },
    ];
    const cases = sweep(quick, () => TENANTS.flatMap((tenant) => Array.from({ length: PARTNERS_PER_TENANT }, (_, index) => ({ tenant, params: partnerAt(index) }))));
    const results = await inSequence(cases, async ({ tenant, params }) => {
      const data = tenantOf(tenant);
      const partnerId = params(data);
      const [got, want] = await Promise.all([mongoQueries.contactsLastSeen(data.tenant, partnerId), memory.queries.contactsLastSeen(data.tenant, partnerId)]);
      expectSame(`contactsLastSeen ${data.tenant} ${partnerId}`, got ?? 'undefined', want ?? 'undefined');
      return want;
    });
    const rows = results.flatMap((each) => each ?? []);
    expect(rows.filter((row) => row.lastInvoiceId !== null).length).toBeGreaterThanOrEqual(2);
    expect(rows.filter((row) => row.lastInvoiceId === null).length).toBeGreaterThanOrEqual(1);
    expect(results[2]).toBeUndefined();
  }));

  it('balances partners alike', timed('balances', async () => {
    const quick: Case<PartnerId>[] = [
      { tenant: 0, params: BIG_BUYER },
      { tenant: 1, params: ADVANCE_PAYER },
    ];
    const cases = sweep(quick, () => TENANTS.flatMap((tenant) => Array.from({ length: PARTNERS_PER_TENANT }, (_, index) => ({ tenant, params: partnerAt(index) }))));
    const results = await inSequence(cases, async ({ tenant, params }) => {
      const data = tenantOf(tenant);
      const partnerId = params(data);
      const [got, want] = await Promise.all([mongoQueries.balances(data.tenant, partnerId), memory.queries.balances(data.tenant, partnerId)]);
      expectSame(`balances ${data.tenant} ${partnerId}`, got, want);
      return want;
    });
    const rows = results.flat();
    expect(rows.filter((row) => row.unappliedCredit.minor > 0n).length).toBeGreaterThanOrEqual(1);
    expect(rows.filter((row) => row.outstanding.minor > 0n).length).toBeGreaterThanOrEqual(1);
    // Both tenants hold a partner with this id: another partner, with other balances.
    const id = BIG_BUYER(tenantOf(0));
    expect(plain(await memory.queries.balances(tenantOf(0).tenant, id))).not.toEqual(plain(await memory.queries.balances(tenantOf(1).tenant, id)));
  }));

  it('lists partners and searches their contacts alike', timed('partnerQueries', async () => {
    for (const data of tenants) {
      for (const filter of [{}, { status: 'active' as const }, { status: 'archived' as const }]) {
        const { items } = await comparePages(
          `partners ${data.tenant} ${JSON.stringify(filter)}`,
          Number.POSITIVE_INFINITY,
          (cursor) => mongoPartners.list(data.tenant, filter, { limit: 7, ...cursorOf(cursor) }),
          (cursor) => memory.partnerQueries.list(data.tenant, filter, { limit: 7, ...cursorOf(cursor) }),
        );
        expect(items).toBe(filter.status === undefined ? PARTNERS_PER_TENANT : filter.status === 'archived' ? 2 : PARTNERS_PER_TENANT - 2);
      }
      // Exact, prefix, accents folded, a name with a typo (one edit), an email domain, a phone number, and nothing.
      const queries = ['anna', 'mar', 'JOSÉ', 'Zoe Silva', 'garcua', 'schmidy', 'example.com', 'hooli', '+33 1 4', 'zz'];
      let found = 0;
      let fuzzy = 0;
      for (const query of queries) {
        for (const limit of [50, 5]) {
          const normalized = contactSearchQuery(query);
          const [got, want] = await Promise.all([mongoPartners.searchContacts(data.tenant, normalized, limit), memory.partnerQueries.searchContacts(data.tenant, normalized, limit)]);
          expectSame(`searchContacts ${data.tenant} ${JSON.stringify(query)} limit ${limit}`, got, want);
          found += want.length;
          fuzzy += want.filter((match) => match.matchKind === 'fuzzy').length;
        }
      }
      expect(found).toBeGreaterThan(50);
      expect(fuzzy).toBeGreaterThan(0);
    }
  }));
});
