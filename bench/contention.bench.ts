/**
 * `npm run bench:contention`: what serialising money movements per partner account costs, and the invariant checker's
 * pace, measured in one run (issue 12). See bench/README.md.
 *
 * 1. N concurrent payments on ONE partner account through the API (each with its own Idempotency-Key, each applied to
 *    the account's one open invoice), against N payments at once on N different accounts (one each): time to complete
 *    all, throughput, and the ratio, which is what serialisation per account costs.
 * 2. The same with M concurrent refunds of unapplied credit (M payments of credit seeded first, or one on each of M
 *    accounts).
 * 3. The invariant checker (`checkIntegrity` over `MongoIntegrityReader`, as `npm run db:check` runs it) on a fresh
 *    database of E ledger transactions, with the partners, payments, invoices and number reservations they name, against
 *    the driver reading the same documents bare.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseCalendarDate, tenantId, type TenantId } from '@invoicing/core';
import {
  CreateInvoiceDraft,
  CreatePartner,
  CreatePartnership,
  IssueInvoice,
  RecordPayment,
  checkIntegrity,
  postTransaction,
  type IntegrityReport,
  type Invoice,
  type InvoiceId,
  type LedgerAccount,
  type LedgerTransaction,
  type Partner,
  type PartnerId,
  type Payment,
  type Posting,
} from '@invoicing/invoice';
import { InMemoryLedger, aDraft, aPartner, aPartnership, aPayment, issue, postingsIn } from '@invoicing/invoice/testing';
import { INTEGRITY_BATCH_SIZE, MongoIntegrityReader, connectMongo, createMongoAdapters, redact, type MongoConnection } from '@invoicing/integration/mongodb';
import { ledgerTransactionToPersistence, reservationToPersistence } from '@invoicing/integration/testing';
import { demoUser, passwordGrant, redactUrl, type RealmLocation } from '@invoicing/stack';
import { DATABASE, loadConfig, startApi, type RunningApi } from '@invoicing/api';
import { benchStack } from './stack';
import { dropDatabase, startUndo } from './undo';
import { percentileOfSorted } from './figures';

const NAME = 'bench:contention';
/** The API's request deadline during the bench (see main). */
const DEADLINE_MS = 600_000;

// ---------------------------------------------------------------------------------------------------------------
// Settings

interface Settings {
  /** Concurrent payments on one account (and accounts paid at once in the baseline). */
  readonly payments: number;
  /** Concurrent refunds on one account (and accounts refunded at once in the baseline). */
  readonly refunds: number;
  /** Rounds of each API burst; each measures both sides once on fresh accounts, alternating which goes first. */
  readonly rounds: number;
  /** Ledger transactions the checker is timed on (0: skip). */
  readonly entries: number;
  /** Ledger transactions per account of the checker's data. */
  readonly perAccount: number;
  /** Runs of the checker and of the bare read, alternating which goes first. */
  readonly checkerRounds: number;
}

const USAGE = 'usage: npm run bench:contention -- [--payments=50] [--refunds=20] [--rounds=1] [--entries=100000] [--per-account=100] [--checker-rounds=1]';

function parseArgs(args: readonly string[]): Settings {
  const values = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z-]+)=(.+)$/.exec(arg);
    if (!match) throw new Error(`unknown argument "${arg}"`);
    values.set(match[1] as string, match[2] as string);
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(name);
    values.delete(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return value;
  };
  const settings: Settings = {
    payments: int('payments', 50, 1, 500),
    refunds: int('refunds', 20, 1, 500),
    rounds: int('rounds', 1, 1, 10),
    entries: int('entries', 100_000, 0, 2_000_000),
    // At least 5: one cycle of the transaction pattern (seedLedger).
    perAccount: int('per-account', 100, 5, 10_000),
    checkerRounds: int('checker-rounds', 1, 1, 10),
  };
  const unknown = [...values.keys()];
  if (unknown.length > 0) throw new Error(`unknown option --${unknown[0]}`);
  return settings;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const today = (): string => new Date().toISOString().slice(0, 10);
const seconds = (from: number): number => (performance.now() - from) / 1000;
const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const rate = (count: number, s: number): string => (s > 0 ? String(Math.round(count / s)) : '-');

/** `work` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] as readonly string[]).map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd()).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Parts 1 and 2: bursts through the API

/** What one burst of concurrent requests gave. */
interface Burst {
  readonly side: 'one account' | 'many accounts';
  readonly round: number;
  readonly requests: number;
  readonly seconds: number;
  /** Each request's time, sorted (ms). */
  readonly latencies: readonly number[];
  /** Answers by status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** The first few answers that were not the expected status, for the report. */
  readonly failures: readonly string[];
}

/** Sends every request at once and times them until the last answer. */
async function burst(side: Burst['side'], round: number, requests: readonly { path: string; body: unknown }[], api: RunningApi, token: string, expected: number): Promise<Burst> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  const started = performance.now();
  await Promise.all(
    requests.map(async ({ path, body }) => {
      const sent = performance.now();
      let status: string;
      try {
        const response = await fetch(`${api.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify(body),
        });
        const text = await response.text();
        status = String(response.status);
        if (response.status !== expected && failures.length < 5) failures.push(`${response.status} ${text.slice(0, 200)}`);
      } catch (error) {
        status = 'error';
        if (failures.length < 5) failures.push((error as Error).message);
      }
      latencies.push(performance.now() - sent);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }),
  );
  return { side, round, requests: requests.length, seconds: seconds(started), latencies: latencies.sort((a, b) => a - b), statuses, failures };
}

/** A GET through the API, its JSON body (throws on another status than 200). */
async function getJson<T>(api: RunningApi, path: string, token: string): Promise<T> {
  const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}

/** Both sides of one kind of request: the rounds, each side's median, the ratio; true when every answer was expected. */
function reportBursts(title: string, bursts: readonly Burst[], expected: number): boolean {
  const row = (b: Burst): string[] => [
    String(b.round),
    b.side,
    String(b.requests),
    fixed(b.seconds),
    fixed(b.requests / b.seconds, 1),
    String(Math.round(percentileOfSorted(b.latencies, 50))),
    String(Math.round(percentileOfSorted(b.latencies, 100))),
    Object.entries(b.statuses)
      .map(([status, count]) => `${count}×${status}`)
      .join(' '),
  ];
  console.log(`\n${title}`);
  console.log(table([['round', 'side', 'requests', 'all done s', 'req/s', 'p50 ms', 'max ms', 'answers'], ...bursts.map(row)]));
  const of = (side: Burst['side']): Burst[] => bursts.filter((b) => b.side === side);
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  };
  const one = median(of('one account').map((b) => b.seconds));
  const many = median(of('many accounts').map((b) => b.seconds));
  const requests = bursts[0]?.requests ?? 0;
  const ok = bursts.every((b) => b.statuses[String(expected)] === b.requests);
  for (const b of bursts) for (const failure of b.failures) console.log(`  ${b.side}, round ${b.round}: ${failure}`);
  console.log(
    `${title.split(':')[0]}: one account ${fixed(one)} s (${fixed(requests / one, 1)}/s), ${requests} accounts ${fixed(many)} s (${fixed(requests / many, 1)}/s): ` +
      `ratio ×${fixed(one / many, 1)} (one account's time / many accounts' time: what serialisation per account costs)${ok ? '' : ` — NOT ALL ANSWERED ${expected}`}`,
  );
  return ok;
}

/** A buyer of the bench's tenant with a partnership from the tenant's seller. */
interface Buyer {
  readonly partnerId: PartnerId;
  readonly partnershipId: string;
}

/** The API's own use cases, as its routes call them: what the bursts' accounts are seeded with. */
class Seeder {
  private sellerId: PartnerId | undefined;
  private count = 0;

  constructor(
    private readonly api: RunningApi,
    readonly tenant: TenantId,
  ) {}

  async buyer(): Promise<Buyer> {
    const create = this.api.app.get(CreatePartner);
    const address = { purpose: 'billing' as const, lines: ['Friedrichstraße 1'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' };
    this.sellerId ??= (
      await create.execute({
        tenantId: this.tenant,
        kind: 'company',
        legalName: 'Atelier Lumière SAS',
        identifiers: { vatId: 'FR12345678901' },
        addresses: [{ ...address, lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
      })
    ).id;
    this.count += 1;
    const buyer = await create.execute({ tenantId: this.tenant, kind: 'company', legalName: `Buyer ${this.count} GmbH`, identifiers: { vatId: 'DE123456789' }, addresses: [address] });
    const partnership = await this.api.app
      .get(CreatePartnership)
      .execute({ tenantId: this.tenant, sellerId: this.sellerId, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' });
    return { partnerId: buyer.id, partnershipId: partnership.id };
  }

  /** An issued invoice of `quantity` × 100.00 at VAT 20 %: 120.00 due per unit. */
  async invoice(buyer: Buyer, quantity: number): Promise<InvoiceId> {
    const draft = await this.api.app.get(CreateInvoiceDraft).execute({
      tenantId: this.tenant,
      partnershipId: buyer.partnershipId as never,
      lines: [{ name: 'Consulting', quantity: String(quantity), unitCode: 'C62', netPrice: '100.00', vat: { code: 'S', rate: '20' } }],
    });
    return (await this.api.app.get(IssueInvoice).execute({ tenantId: this.tenant, invoiceId: draft.id })).id;
  }

  /** Credit: a payment applied to nothing (the buyer owes nothing). */
  async credit(buyer: Buyer, amount: string): Promise<void> {
    await this.api.app.get(RecordPayment).execute({ tenantId: this.tenant, partnerId: buyer.partnerId, amount, currency: 'EUR', receivedOn: today() });
  }
}

const PAYMENT = '120.00';
const REFUND = '10.00';

/** One round of part 1: a buyer owing one invoice of N × 120.00, and N buyers owing 120.00 each. */
async function seedPaymentRound(seeder: Seeder, n: number): Promise<{ one: { buyer: Buyer; invoice: InvoiceId }; many: { buyer: Buyer; invoice: InvoiceId }[] }> {
  const buyer = await seeder.buyer();
  const one = { buyer, invoice: await seeder.invoice(buyer, n) };
  const many = await mapLimit(Array.from({ length: n }), 4, async () => {
    const other = await seeder.buyer();
    return { buyer: other, invoice: await seeder.invoice(other, 1) };
  });
  return { one, many };
}

/** One round of part 2: a buyer with M payments of 10.00 of credit, and M buyers with one each. */
async function seedRefundRound(seeder: Seeder, m: number): Promise<{ one: Buyer; many: Buyer[] }> {
  const one = await seeder.buyer();
  for (let i = 0; i < m; i++) await seeder.credit(one, REFUND);
  const many = await mapLimit(Array.from({ length: m }), 4, async () => {
    const other = await seeder.buyer();
    await seeder.credit(other, REFUND);
    return other;
  });
  return { one, many };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 3: the checker on E ledger transactions

interface CheckerData {
  readonly tenant: TenantId;
  readonly accounts: number;
  readonly transactions: number;
  readonly postings: number;
  readonly documents: Readonly<Record<'partners' | 'partnerships' | 'invoices' | 'number_reservations' | 'payments' | 'ledger_transactions', number>>;
  readonly seconds: { readonly build: number; readonly insert: number };
}

/**
 * One account's transactions, each built by `postTransaction` on an in-memory ledger (so each is checked by
 * `checkTransaction` as an append would be), cycling through five steps per payment of 100.00: received and 60.00
 * applied to an invoice; 10.00 applied to a second; 5.00 refunded; 10.00 applied to a third; 5.00 applied to the fourth.
 * Each payment settles an invoice at most once. The payment and invoice aggregates are changed as the ledger says
 * (applied, refunded, paid), so that their documents agree with it, as the use cases keep them.
 */
async function accountTransactions(account: LedgerAccount, count: number, payments: readonly Payment[], invoices: readonly Invoice[], at: Date): Promise<LedgerTransaction[]> {
  const ledger = new InMemoryLedger();
  const post = postingsIn(account);
  const due = invoices.map((invoice) => invoice.toState().totals.amountDue.toString());
  const on = parseCalendarDate('2026-02-01');
  const transactions: LedgerTransaction[] = [];
  for (let t = 0; t < count; t++) {
    const cycle = Math.floor(t / 5);
    const payment = payments[cycle] as Payment;
    const k = (step: number): number => (cycle + step) % invoices.length;
    const apply = (step: number, amount: string): Posting => post.applied(payment.id, (invoices[k(step)] as Invoice).id, amount, due[k(step)] as string);
    const steps: (() => { kind: LedgerTransaction['kind']; postings: Posting[] })[] = [
      () => ({ kind: 'payment', postings: [post.received(payment.id, '100.00'), apply(0, '60.00')] }),
      () => ({ kind: 'application', postings: [apply(1, '10.00')] }),
      () => ({ kind: 'refund', postings: [post.refunded(payment.id, '5.00')] }),
      () => ({ kind: 'application', postings: [apply(2, '10.00')] }),
      () => ({ kind: 'application', postings: [apply(3, '5.00')] }),
    ];
    const { kind, postings } = (steps[t % steps.length] as (typeof steps)[number])();
    const outcome = await postTransaction(ledger, { account, operationId: `bench:${account.partnerId}:${t + 1}` }, () => ({ kind, postings, at }));
    transactions.push(outcome.transaction);
    for (const posting of postings) {
      if (posting.type === 'applied') {
        payment.apply({ invoiceId: posting.invoiceId, amount: posting.amount, appliedOn: on }, at);
        (invoices.find((invoice) => invoice.id === posting.invoiceId) as Invoice).applyPayment({ paymentId: payment.id, amount: posting.amount, appliedOn: on }, at);
      } else if (posting.type === 'refunded') {
        payment.refund({ refundId: posting.refundId, amount: posting.amount, refundedOn: on }, at);
      }
    }
  }
  return transactions;
}

/**
 * A fresh database with `entries` ledger transactions over `entries / perAccount` accounts of one tenant, and what they
 * name: the seller and a buyer per account, four issued invoices per account (with their number reservations) and a
 * payment per five transactions, as far applied, refunded and paid as the ledger says. Everything is built in memory (each transaction checked as an append would check it)
 * and bulk-inserted: the repositories' `saveMany`, and the adapters' own mappers for the ledger and the reservations,
 * at some thousand documents a second, where appending through `postTransaction` on the server takes some 30 a second.
 */
async function seedLedger(mongo: MongoConnection, entries: number, perAccount: number, log: (line: string) => void): Promise<CheckerData> {
  const adapters = createMongoAdapters(mongo);
  await adapters.ensureIndexes();
  const tenant = tenantId('bench-checker');
  const at = new Date();
  const accounts = Math.ceil(entries / perAccount);
  const documents = { partners: 0, partnerships: 0, invoices: 0, number_reservations: 0, payments: 0, ledger_transactions: 0 };
  let build = 0;
  let insert = 0;
  let postings = 0;
  const seller = aPartner(tenant, { legalName: 'Bench Seller SAS' });
  await adapters.partners.saveMany([seller]);
  documents.partners += 1;
  let sequence = 0;
  // Accounts in groups, so that a group's documents are inserted before the next is built (memory stays flat).
  const GROUP = 50;
  for (let first = 0; first < accounts; first += GROUP) {
    let started = performance.now();
    const buyers: Partner[] = [];
    const partnerships: ReturnType<typeof aPartnership>[] = [];
    const invoices: Invoice[] = [];
    const reservations: ReturnType<typeof reservationToPersistence>[] = [];
    const payments: Payment[] = [];
    const ledger: ReturnType<typeof ledgerTransactionToPersistence>[] = [];
    for (let a = first; a < Math.min(accounts, first + GROUP); a++) {
      const count = Math.min(perAccount, entries - a * perAccount);
      const buyer = aPartner(tenant, { legalName: `Buyer ${a + 1} GmbH` });
      const partnership = aPartnership(tenant, seller, buyer);
      const own = Array.from({ length: 4 }, () => {
        sequence += 1;
        const invoice = issue(aDraft(tenant, partnership, { quantity: '5' }), seller, buyer, sequence);
        const state = invoice.toState();
        reservations.push(reservationToPersistence({ tenantId: tenant, series: state.series, documentId: state.id, sequence, reservedAt: at }));
        return invoice;
      });
      const paid = Array.from({ length: Math.ceil(count / 5) }, () => aPayment(tenant, buyer, '100.00'));
      const transactions = await accountTransactions({ tenantId: tenant, partnerId: buyer.id, currency: 'EUR' as LedgerAccount['currency'] }, count, paid, own, at);
      for (const transaction of transactions) {
        postings += transaction.postings.length;
        ledger.push(ledgerTransactionToPersistence(transaction));
      }
      buyers.push(buyer);
      partnerships.push(partnership);
      invoices.push(...own);
      payments.push(...paid);
    }
    build += seconds(started);
    started = performance.now();
    await adapters.partners.saveMany(buyers);
    await adapters.partnerships.saveMany(partnerships);
    for (let start = 0; start < invoices.length; start += 500) await adapters.invoices.saveMany(invoices.slice(start, start + 500));
    await adapters.models.number_reservations.collection.insertMany(reservations as never[], { ordered: false });
    for (let start = 0; start < payments.length; start += 1000) await adapters.payments.saveMany(payments.slice(start, start + 1000));
    for (let start = 0; start < ledger.length; start += 1000) await adapters.models.ledger_transactions.collection.insertMany(ledger.slice(start, start + 1000) as never[], { ordered: false });
    insert += seconds(started);
    documents.partners += buyers.length;
    documents.partnerships += partnerships.length;
    documents.invoices += invoices.length;
    documents.number_reservations += reservations.length;
    documents.payments += payments.length;
    documents.ledger_transactions += ledger.length;
    const done = Math.min(accounts, first + GROUP);
    // About every tenth of the way.
    if (Math.floor((done * 10) / accounts) > Math.floor((first * 10) / accounts) || done === accounts) {
      log(`  ${documents.ledger_transactions} of ${entries} transactions stored (${done} of ${accounts} accounts), ${fixed(build + insert, 0)} s`);
    }
  }
  return { tenant, accounts, transactions: documents.ledger_transactions, postings, documents, seconds: { build, insert } };
}

/**
 * What `MongoIntegrityReader` reads of a tenant, read bare: the same collections, filters, projections and batch size,
 * through the driver, without mongoose, mapping or checks.
 */
const READS: readonly (readonly [collection: string, projection: Record<string, 0 | 1>])[] = [
  ['partners', { id: 1 }],
  ['payments', { outbox: 0 }],
  ['invoices', { outbox: 0 }],
  ['number_reservations', { _v: 1, series: 1, sequence: 1, documentId: 1 }],
  ['ledger_transactions', {}],
];

async function readBare(mongo: MongoConnection, tenant: TenantId): Promise<{ documents: number; seconds: number }> {
  const database = mongo.connection.getClient().db(mongo.connection.name);
  const started = performance.now();
  let documents = 0;
  for (const [name, projection] of READS) {
    for await (const document of database.collection(name).find({ tenantId: tenant }, { projection }).batchSize(INTEGRITY_BATCH_SIZE)) if (document) documents += 1;
  }
  return { documents, seconds: seconds(started) };
}

async function timeChecker(mongo: MongoConnection, tenant: TenantId): Promise<{ report: IntegrityReport; seconds: number }> {
  const reader = new MongoIntegrityReader(createMongoAdapters(mongo).models);
  const started = performance.now();
  const report = await checkIntegrity(reader, { tenantId: tenant });
  return { report, seconds: seconds(started) };
}


// ---------------------------------------------------------------------------------------------------------------
// The bench

export async function main(args: readonly string[]): Promise<number> {
  const wallStart = performance.now();
  let settings: Settings;
  try {
    settings = parseArgs(args);
  } catch (error) {
    console.error(`${NAME}: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  // Undone in reverse order, once, at the end or on Ctrl-C.
  const undo = startUndo(NAME);

  let ok = true;
  try {
    const stack = await benchStack(NAME, undo);
    if (!stack) return 1;
    const { MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM } = stack.env;
    const realm: RealmLocation = { keycloakUrl: KEYCLOAK_URL, realm: KEYCLOAK_REALM };
    const suffix = randomBytes(4).toString('hex');

    // The API in this process, on its own database; request logs off, rate limits off (one client sending bursts), and
    // the request deadline raised from 15 s to 10 min: a burst is timed until its last request is done, where the
    // deadline would answer the slowest 503 while they go on behind the answer.
    const dbName = `bench_contention_${suffix}`;
    const config = loadConfig({
      MONGO_URL,
      KEYCLOAK_URL,
      KEYCLOAK_REALM,
      PORT: '0',
      HOST: '127.0.0.1',
      MONGO_DB: dbName,
      LOG_LEVEL: 'warn',
      REQUEST_TIMEOUT_MS: String(DEADLINE_MS),
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_CLIENT: '0',
      RATE_LIMIT_PER_TENANT: '0',
    });
    const api = await startApi(config);
    const database = api.app.get<MongoConnection>(DATABASE);
    // Undone in reverse: the API (and its connection) closes first, so that no write still under way (a seeding step
    // interrupted by Ctrl-C) can create the database again after it is dropped.
    undo.push({ what: `drop ${dbName}`, step: () => dropDatabase(MONGO_URL, dbName) });
    undo.push({ what: 'close the API', step: () => api.close() });

    const build = (await database.connection.getClient().db(dbName).admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    const cpus = os.cpus();
    const user = demoUser('acme', 'accountant');
    console.log(`${NAME}: ${settings.payments} payments and ${settings.refunds} refunds at once, on one account and on as many accounts, ${settings.rounds} round(s); the checker on ${settings.entries} ledger transactions`);
    console.log(`  database: ${build.ferretdbVersion ? `FerretDB ${build.ferretdbVersion}` : `MongoDB ${build.version ?? '?'}`} at ${redact(MONGO_URL)} (${stack.origin.mongo}), database ${dbName}`);
    console.log(`  keycloak: ${redactUrl(KEYCLOAK_URL)} realm ${KEYCLOAK_REALM} (${stack.origin.keycloak}); token of ${user.username}`);
    console.log(`  machine:  ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, node ${process.version}, load average ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} (shared: compare ratios, not rates)`);
    console.log(`  api:      ${api.url}, in this process; each request a POST with its own Idempotency-Key, all of a burst sent at once`);

    const seeder = new Seeder(api, tenantId('acme'));
    const token = async (): Promise<string> => (await passwordGrant(realm, user)).access_token;

    // Warm-up (JIT, pools, the verifier's key cache), not reported: one payment and one refund on an account of its own.
    const warm = await seeder.buyer();
    const warmInvoice = await seeder.invoice(warm, 1);
    await burst('many accounts', 0, [{ path: `/v1/partners/${warm.partnerId}/payments`, body: { amount: PAYMENT, currency: 'EUR', receivedOn: today(), applyTo: [warmInvoice] } }], api, await token(), 201);
    await seeder.credit(warm, REFUND);
    await burst('many accounts', 0, [{ path: `/v1/partners/${warm.partnerId}/refunds`, body: { amount: REFUND, currency: 'EUR', refundedOn: today() } }], api, await token(), 201);

    // Part 1: payments.
    let started = performance.now();
    process.stdout.write(`seeding part 1: per round, one buyer owing ${settings.payments} × ${PAYMENT} on one invoice and ${settings.payments} buyers owing ${PAYMENT} each (through the use cases)… `);
    const paymentRounds = [];
    for (let round = 0; round < settings.rounds; round++) paymentRounds.push(await seedPaymentRound(seeder, settings.payments));
    console.log(`${fixed(seconds(started), 1)} s`);
    const payments: Burst[] = [];
    for (const [index, seeded] of paymentRounds.entries()) {
      const round = index + 1;
      const pay = (buyer: Buyer, invoice: InvoiceId) => ({ path: `/v1/partners/${buyer.partnerId}/payments`, body: { amount: PAYMENT, currency: 'EUR', receivedOn: today(), applyTo: [invoice] } });
      // Alternate which side goes first, so that neither always runs on a warmer (or busier) machine.
      for (const side of round % 2 === 1 ? (['one account', 'many accounts'] as const) : (['many accounts', 'one account'] as const)) {
        const requests = side === 'one account' ? Array.from({ length: settings.payments }, () => pay(seeded.one.buyer, seeded.one.invoice)) : seeded.many.map(({ buyer, invoice }) => pay(buyer, invoice));
        payments.push(await burst(side, round, requests, api, await token(), 201));
      }
    }
    ok = reportBursts(`Part 1: ${settings.payments} concurrent payments of ${PAYMENT} EUR, each applied to an open invoice`, payments, 201) && ok;
    // Every payment must have been applied: the one account's invoice, and each of the others, paid in full.
    const bearer = await token();
    const invoices = paymentRounds.flatMap((seeded) => [seeded.one.invoice, ...seeded.many.map((other) => other.invoice)]);
    const unpaid = (await mapLimit(invoices, 8, (id) => getJson<{ status: string; outstanding: { amount: string } }>(api, `/v1/invoices/${id}`, bearer))).filter(
      (invoice) => invoice.status !== 'paid' || invoice.outstanding.amount !== '0.00',
    );
    console.log(`  afterwards: ${invoices.length - unpaid.length} of ${invoices.length} invoices paid in full${unpaid.length === 0 ? '' : ' — SOME ARE NOT'}`);
    ok = unpaid.length === 0 && ok;

    // Part 2: refunds.
    started = performance.now();
    process.stdout.write(`\nseeding part 2: per round, one buyer with ${settings.refunds} payments of ${REFUND} of credit and ${settings.refunds} buyers with one each… `);
    const refundRounds = [];
    for (let round = 0; round < settings.rounds; round++) refundRounds.push(await seedRefundRound(seeder, settings.refunds));
    console.log(`${fixed(seconds(started), 1)} s`);
    const refunds: Burst[] = [];
    for (const [index, seeded] of refundRounds.entries()) {
      const round = index + 1;
      const refund = (buyer: Buyer) => ({ path: `/v1/partners/${buyer.partnerId}/refunds`, body: { amount: REFUND, currency: 'EUR', refundedOn: today() } });
      for (const side of round % 2 === 1 ? (['one account', 'many accounts'] as const) : (['many accounts', 'one account'] as const)) {
        const requests = side === 'one account' ? Array.from({ length: settings.refunds }, () => refund(seeded.one)) : seeded.many.map(refund);
        refunds.push(await burst(side, round, requests, api, await token(), 201));
      }
    }
    ok = reportBursts(`Part 2: ${settings.refunds} concurrent refunds of ${REFUND} EUR of unapplied credit`, refunds, 201) && ok;
    // Every refund must have drawn its credit, once: no credit left on any refunded account.
    const refunded = refundRounds.flatMap((seeded) => [seeded.one, ...seeded.many]);
    const bearerNow = await token();
    const left = (await mapLimit(refunded, 8, (buyer) => getJson<{ balances: { unappliedCredit: { amount: string } }[] }>(api, `/v1/partners/${buyer.partnerId}/balance`, bearerNow))).filter((balance) =>
      balance.balances.some((row) => row.unappliedCredit.amount !== '0.00'),
    );
    console.log(`  afterwards: ${refunded.length - left.length} of ${refunded.length} accounts without credit left${left.length === 0 ? '' : ' — SOME HAVE CREDIT LEFT'}`);
    ok = left.length === 0 && ok;

    // What the bursts left: the checker on the API's database proves no money was made or lost.
    const after = await timeChecker(database, seeder.tenant);
    console.log(
      `\nafter parts 1 and 2, the invariant checker on the API's database: ${after.report.findings.length} findings ` +
        `(${after.report.checked.payments} payments, ${after.report.checked.invoices} invoices, ${fixed(after.seconds)} s)`,
    );
    for (const finding of after.report.findings.slice(0, 5)) console.log(`  ${finding.code}: ${finding.message}`);
    ok = after.report.clean && ok;

    // Part 3: the checker on a database of its own.
    if (settings.entries > 0) {
      const checkerDb = `bench_contention_checker_${suffix}`;
      const mongo = await connectMongo({ url: MONGO_URL, dbName: checkerDb });
      undo.push({ what: `drop ${checkerDb}`, step: () => dropDatabase(MONGO_URL, checkerDb) });
      undo.push({ what: `close the connection to ${checkerDb}`, step: () => mongo.close() });
      console.log(`\nseeding part 3: ${settings.entries} ledger transactions, ${settings.perAccount} per account, in database ${checkerDb}`);
      const data = await seedLedger(mongo, settings.entries, settings.perAccount, (line) => console.log(line));
      const stored = Object.values(data.documents).reduce((sum, count) => sum + count, 0);
      console.log(
        `  built in ${fixed(data.seconds.build, 1)} s, inserted in ${fixed(data.seconds.insert, 1)} s (${rate(stored, data.seconds.insert)} documents/s): ` +
          Object.entries(data.documents)
            .map(([name, count]) => `${count} ${name}`)
            .join(', '),
      );
      // The documents the checker reads (not the partnerships, which it does not).
      const read = stored - data.documents.partnerships;
      const runs: { side: 'bare driver read' | 'checker'; round: number; documents: number; seconds: number; report?: IntegrityReport }[] = [];
      for (let round = 1; round <= settings.checkerRounds; round++) {
        // Alternate which side goes first (each read warms the server's caches for the next).
        for (const side of round % 2 === 1 ? (['bare driver read', 'checker'] as const) : (['checker', 'bare driver read'] as const)) {
          if (side === 'checker') {
            const checked = await timeChecker(mongo, data.tenant);
            runs.push({ side, round, documents: read, seconds: checked.seconds, report: checked.report });
          } else {
            runs.push({ side, round, ...(await readBare(mongo, data.tenant)) });
          }
        }
      }
      const best = (side: string) => runs.filter((run) => run.side === side).reduce((a, b) => (b.seconds < a.seconds ? b : a));
      const [bestBare, bestCheck] = [best('bare driver read'), best('checker')];
      const report = bestCheck.report as IntegrityReport;
      console.log(`\nPart 3: the invariant checker on ${data.transactions} ledger transactions (${data.postings} postings, ${data.accounts} accounts) and the ${read - data.transactions} documents they name`);
      console.log(
        table([
          ['round', 'side', 'documents', 's', 'documents/s', 'ledger transactions/s'],
          ...runs.map((run) => [String(run.round), run.side, String(run.documents), fixed(run.seconds), rate(run.documents, run.seconds), rate(data.transactions, run.seconds)]),
        ]),
      );
      console.log(`  checked: ${Object.entries(report.checked).map(([name, count]) => `${count} ${name}`).join(', ')}`);
      console.log(`  findings: ${report.findings.length}${report.findings.length === 0 ? '' : ` (expected 0): ${report.findings.slice(0, 3).map((finding) => finding.message).join('; ')}`}`);
      console.log(
        `Part 3: checker ${fixed(bestCheck.seconds)} s for ${data.transactions} ledger transactions (${rate(data.transactions, bestCheck.seconds)} entries/s), ` +
          `bare read of the same documents ${fixed(bestBare.seconds)} s: ratio ×${fixed(bestCheck.seconds / bestBare.seconds, 2)} (checker / bare read), findings ${report.findings.length}`,
      );
      ok = report.clean && report.checked.ledgerTransactions === data.transactions && ok;
    }
    console.log(`\n${NAME}: wall time ${fixed(seconds(wallStart), 0)} s${ok ? '' : '; SOME REQUESTS FAILED OR THE CHECKER FOUND SOMETHING (above)'}`);
    return ok ? 0 : 1;
  } finally {
    await undo.run();
  }
}
