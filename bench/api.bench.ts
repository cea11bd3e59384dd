/**
 * `npm run bench:api`: what the API adds to reading one invoice, measured in one run against the same database.
 * See bench/README.md.
 *
 * The real API (startApi, in this process, its own database `bench_api_<random>`) answers an authenticated
 * `GET /v1/invoices/:invoiceId` with a real Keycloak token; the baseline is a bare Fastify 5 route doing the driver
 * `findOne` the repository does (`{ _id }`, see baselineFilter) on the same collection, through the API's own
 * connection, without auth. autocannon loads each in turn with the same connections and duration; the throughput ratio
 * API / baseline is the figure (goal ≥ 0.6), with p50/p99 latencies and where the CPU went beside it.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pino from 'pino';
import { tenantId, type TenantId } from '@invoicing/core';
import {
  CreateInvoiceDraft,
  CreatePartner,
  CreatePartnership,
  IssueInvoice,
  type Invoice,
  type InvoiceId,
  type InvoiceLineInput,
  type Partner,
  type PartnerState,
  type Partnership,
  type PartnershipState,
} from '@invoicing/invoice';
import { aDraft, issue as issueBuilt } from '@invoicing/invoice/testing';
import { createMongoAdapters, documentId, redact, type MongoConnection } from '@invoicing/integration/mongodb';
import { demoUser, passwordGrant, redactUrl, type RealmLocation } from '@invoicing/stack';
import { DATABASE, loadConfig, startApi, type RunningApi } from '@invoicing/api';
import { machineMicros, mainThreadMicros, pidListeningOn, processMicros } from './cpu-time';
import { benchStack } from './stack';
import { startUndo } from './undo';
import { median } from './figures';

const GOAL = 0.6;
const NAME = 'bench:api';

// ---------------------------------------------------------------------------------------------------------------
// Settings

interface Settings {
  /** Seconds per measured run. */
  readonly duration: number;
  readonly connections: number;
  /** Rounds; each measures both sides once, alternating which goes first. */
  readonly rounds: number;
  /** Seconds of the warm-up run of each side (not reported). */
  readonly warmup: number;
  /** Issued invoices seeded for acme (globex gets a fifth as many). */
  readonly invoices: number;
  /** LOG_LEVEL of both servers. */
  readonly logLevel: 'warn' | 'info';
  /** The baseline's filter: the repository's own (`id`), or `{ tenantId, _id }` (`tenant-and-id`). */
  readonly baselineFilter: 'id' | 'tenant-and-id';
}

const USAGE = `usage: npm run bench:api -- [--duration=10] [--connections=10] [--rounds=3] [--warmup=3] [--invoices=300] [--log-level=warn|info] [--baseline-filter=id|tenant-and-id]`;

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
    // A token lives 5 minutes and is fetched once per run: longer runs would end in 401s.
    duration: int('duration', 10, 1, 240),
    connections: int('connections', 10, 1, 1000),
    rounds: int('rounds', 3, 1, 20),
    warmup: int('warmup', 3, 0, 60),
    invoices: int('invoices', 300, 1, 100_000),
    logLevel: 'warn',
    baselineFilter: 'id',
  };
  const choice = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const raw = values.get(name);
    values.delete(name);
    if (raw !== undefined && !(allowed as readonly string[]).includes(raw)) throw new Error(`--${name} must be ${allowed.join(' or ')}, got "${raw}"`);
    return raw as T | undefined;
  };
  const logLevel = choice('log-level', ['warn', 'info'] as const) ?? settings.logLevel;
  const baselineFilter = choice('baseline-filter', ['id', 'tenant-and-id'] as const) ?? settings.baselineFilter;
  const unknown = [...values.keys()];
  if (unknown.length > 0) throw new Error(`unknown option --${unknown[0]}`);
  return { ...settings, logLevel, baselineFilter };
}

// ---------------------------------------------------------------------------------------------------------------
// Data

/** `days` before today, as an ISO calendar date (UTC). */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** One to three lines, prices and quantities varying with `i`, so that totals (and duplicate probes) differ. */
function linesFor(i: number): InvoiceLineInput[] {
  const lines: InvoiceLineInput[] = [
    { name: 'Consulting day', sellerItemId: 'CONSULT-DAY', quantity: String(1 + (i % 9)), unitCode: 'DAY', netPrice: '800.00', vat: { code: 'S', rate: '20' } },
  ];
  if (i % 2 === 0) lines.push({ name: 'Travel expenses', quantity: '1', unitCode: 'C62', netPrice: `${120 + (i % 50)}.50`, vat: { code: 'S', rate: '20' } });
  if (i % 3 === 0) lines.push({ name: 'Training material', description: 'Printed handbook', quantity: String(5 + (i % 20)), unitCode: 'C62', netPrice: '12.90', vat: { code: 'S', rate: '5.5' } });
  return lines;
}

/** What varies from one seeded invoice to the next besides its lines. */
function contentFor(name: string, i: number) {
  return {
    issueDate: daysAgo(1 + (i % 300)),
    purchaseOrderReference: `PO-${name.toUpperCase()}-${1000 + i}`,
    notes: i % 4 === 0 ? ['Thank you for your business.'] : [],
    lines: linesFor(i),
  };
}

interface Seeded {
  /** The invoice both servers are asked for. */
  readonly invoiceId: InvoiceId;
  readonly counts: Readonly<Record<string, number>>;
  /** Of those, drafted and issued through the use cases (the rest through the repository's saveMany). */
  readonly throughUseCases: number;
  readonly seconds: number;
}

/** Invoices per tenant drafted and issued through the use cases; the rest are bulk-saved. */
const THROUGH_USE_CASES = 10;

/**
 * Per tenant: a seller, three buyers and their partnerships, created through the API's own use cases (resolved from
 * its composition root); then the first invoices drafted and issued through the use cases too (numbers reserved,
 * parties frozen), among them the one read; then the rest built in memory, issued with the numbers that follow, and
 * written with the repository's saveMany. One by one through the use cases costs about 0.4 s an invoice on FerretDB
 * (the duplicate probe and the issue's locked update scan the collection), minutes for a few hundred.
 */
async function seed(api: RunningApi, database: MongoConnection, counts: Readonly<Record<string, number>>): Promise<Seeded> {
  const started = performance.now();
  const createPartner = api.app.get(CreatePartner);
  const createPartnership = api.app.get(CreatePartnership);
  const createDraft = api.app.get(CreateInvoiceDraft);
  const issueInvoice = api.app.get(IssueInvoice);
  const adapters = createMongoAdapters(database);
  let invoiceId: InvoiceId | undefined;
  let throughUseCases = 0;

  for (const [name, count] of Object.entries(counts)) {
    const tenant: TenantId = tenantId(name);
    const company = name[0]?.toUpperCase() + name.slice(1);
    const seller = await createPartner.execute({
      tenantId: tenant,
      kind: 'company',
      legalName: `${company} Consulting SAS`,
      identifiers: { vatId: 'FR12345678901' },
      addresses: [{ purpose: 'billing', lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
      contacts: [{ name: 'Claire Martin', email: `billing@${name}.example`, role: 'billing' }],
    });
    const buyers: PartnerState[] = [];
    const partnerships: PartnershipState[] = [];
    for (const [index, legalName] of ['Nordwind GmbH', 'Lumen BV', 'Atlas SARL'].entries()) {
      const buyer = await createPartner.execute({
        tenantId: tenant,
        kind: 'company',
        legalName,
        identifiers: { vatId: `DE12345678${index}` },
        addresses: [{ purpose: 'billing', lines: [`Friedrichstraße ${index + 1}`], city: 'Berlin', postalCode: '10117', countryCode: 'DE' }],
        contacts: [{ name: 'Jonas Weber', email: `ap${index}@buyer.example`, role: 'accounts payable' }],
      });
      buyers.push(buyer);
      partnerships.push(
        await createPartnership.execute({ tenantId: tenant, sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: daysAgo(400) }),
      );
    }

    const first = Math.min(count, THROUGH_USE_CASES);
    const issued: InvoiceId[] = [];
    for (let i = 0; i < first; i++) {
      // One at a time, so that they take the numbers 1, 2, 3… and the bulk-saved ones can follow on.
      const draft = await createDraft.execute({ tenantId: tenant, partnershipId: (partnerships[i % partnerships.length] as PartnershipState).id, ...contentFor(name, i) });
      issued.push((await issueInvoice.execute({ tenantId: tenant, invoiceId: draft.id, expectedVersion: draft.version })).id);
    }
    throughUseCases += first;
    if (name === 'acme') invoiceId = issued[Math.floor(issued.length / 2)];

    const load = async <T>(found: Promise<T | undefined>, what: string): Promise<T> => (await found) ?? fail(`the seeded ${what} cannot be read back`);
    const sellerPartner = await load(adapters.partners.get(tenant, seller.id), 'seller');
    const buyerPartners = await Promise.all(buyers.map((buyer) => load(adapters.partners.get(tenant, buyer.id), 'buyer')));
    const partnershipObjects = await Promise.all(partnerships.map((partnership) => load(adapters.partnerships.get(tenant, partnership.id), 'partnership')));
    const rest: Invoice[] = [];
    for (let i = first; i < count; i++) {
      const k = i % partnershipObjects.length;
      const content = contentFor(name, i);
      const draft = aDraft(tenant, partnershipObjects[k] as Partnership, content);
      rest.push(issueBuilt(draft, sellerPartner, buyerPartners[k] as Partner, i + 1, content.issueDate));
    }
    for (let start = 0; start < rest.length; start += 100) await adapters.invoices.saveMany(rest.slice(start, start + 100));
  }
  if (!invoiceId) throw new Error('no invoice was seeded for acme');
  return { invoiceId, counts, throughUseCases, seconds: (performance.now() - started) / 1000 };
}

function fail(message: string): never {
  throw new Error(message);
}

// ---------------------------------------------------------------------------------------------------------------
// The baseline

/** JSON of a driver document; int64 values come back as bigint (the connection sets useBigInt64). */
const toJson = (document: unknown): string => JSON.stringify(document, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

/** The baseline's filter for an invoice of a tenant. */
function baselineFilter(kind: Settings['baselineFilter'], tenant: TenantId, id: string): { _id: string; tenantId?: TenantId } {
  // The repository asks for `{ _id }` alone: the _id starts with the tenant, so no other tenant's invoice can match.
  // The same filter is the fair floor. FerretDB 1.x pushes `{ _id }` down to SQLite but not `{ tenantId, _id }`: with
  // the latter it reads and filters every document of the collection itself (`explain`: filterPushdown false), several
  // times slower, which `--baseline-filter=tenant-and-id` shows.
  return kind === 'id' ? { _id: documentId(tenant, id) } : { tenantId: tenant, _id: documentId(tenant, id) };
}

/**
 * A bare Fastify 5 server with one route that does what the API's read costs at the least: the driver's `findOne` on
 * the same collection, through the API's own MongoClient (same pool, same BSON options), answered as JSON. The tenant
 * is fixed (acme): no token, no Nest, no mapping.
 */
async function startBaseline(database: MongoConnection, logger: pino.Logger, filter: Settings['baselineFilter']): Promise<{ close(): Promise<void>; url: string }> {
  const invoices = database.connection.getClient().db(database.connection.name).collection<{ _id: string; tenantId?: TenantId }>('invoices');
  const tenant = tenantId('acme');
  const app = Fastify({ loggerInstance: logger });
  app.get<{ Params: { id: string } }>('/invoices/:id', async (request, reply) => {
    const document = await invoices.findOne(baselineFilter(filter, tenant, request.params.id));
    if (!document) return reply.code(404).send({ title: 'Not Found' });
    return reply.type('application/json; charset=utf-8').send(toJson(document));
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { close: () => app.close(), url };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

type Side = 'api' | 'baseline';

interface Target {
  readonly side: Side;
  readonly url: string;
  /** Headers of a run (the API's carries a token fetched just before). */
  headers(): Promise<Record<string, string>>;
}

/** One measured run and where the CPU went meanwhile (undefined where /proc does not tell). */
interface Run {
  readonly side: Side;
  readonly round: number;
  readonly result: autocannon.Result;
  /** Requests per second: answers completed over the run's measured duration. */
  readonly rate: number;
  /** This process's main thread (the servers), µs per request. */
  readonly serverCpu?: number;
  /** The database server process, µs per request. */
  readonly dbCpu?: number;
  /** Share of the whole machine used by other processes meanwhile. */
  readonly others?: number;
  /** Requests this process sent to Keycloak during the run. */
  readonly keycloakCalls: number;
}

/**
 * Counts the requests this process sends to Keycloak over node:http(s): keycloak-connect fetches the realm's keys
 * with `http.request`. The bench's own token requests use fetch and are not counted.
 */
function watchKeycloak(keycloakUrl: string): { count(): number; restore(): void } {
  const target = new URL(keycloakUrl);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  let calls = 0;
  const originals = [http, https].map((module) => [module, module.request] as const);
  for (const [module, request] of originals) {
    module.request = function countingRequest(this: unknown, ...args: unknown[]) {
      const options = args[0] as string | URL | { hostname?: string | null; host?: string | null; port?: string | number | null };
      const url = typeof options === 'string' ? new URL(options) : options;
      const host = url instanceof URL ? url.hostname : (url.hostname ?? url.host?.split(':')[0]);
      const callPort = url instanceof URL ? url.port : url.port;
      if (host === target.hostname && String(callPort ?? '') === port) calls++;
      return (request as (...rest: unknown[]) => http.ClientRequest).apply(this, args);
    } as typeof request;
  }
  return {
    count: () => calls,
    restore() {
      for (const [module, request] of originals) module.request = request;
    },
  };
}

/** The figures mean nothing unless every request was answered 200: stop loudly otherwise. */
function assertAllOk(result: autocannon.Result, label: string): void {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result['2xx'] > 0) return;
  const codes = Object.entries(result.statusCodeStats)
    .map(([code, { count }]) => `${count}× ${code}`)
    .join(', ');
  throw new Error(
    `${label}: not every request succeeded (${codes || 'no answer'}; ${result.errors} errors, ${result.timeouts} timeouts): the figures would be meaningless. ` +
      'Check the server\'s warnings above.',
  );
}

interface Monitors {
  /** The database server's pid, when it runs on this machine. */
  readonly dbPid?: number;
  readonly keycloak: { count(): number };
}

async function run(target: Target, round: number, seconds: number, connections: number, monitors: Monitors): Promise<Run> {
  const headers = await target.headers();
  const readings = (): { main?: number; self?: number; db?: number; machine?: { busy: number; total: number }; keycloak: number } => ({
    main: mainThreadMicros(),
    self: processMicros(process.pid),
    db: monitors.dbPid === undefined ? undefined : processMicros(monitors.dbPid),
    machine: machineMicros(),
    keycloak: monitors.keycloak.count(),
  });
  const before = readings();
  // One worker thread fires the requests, so that the load generator does not share the servers' event loop.
  const result = await autocannon({ url: target.url, connections, duration: seconds, workers: 1, headers });
  const after = readings();
  assertAllOk(result, `${target.side} (round ${round === 0 ? 'warm-up' : round})`);
  const requests = result.requests.total;
  const per = (from?: number, to?: number): number | undefined => (from === undefined || to === undefined || requests === 0 ? undefined : (to - from) / requests);
  let others: number | undefined;
  if (before.machine && after.machine && before.self !== undefined && after.self !== undefined) {
    const ours = after.self - before.self + (before.db !== undefined && after.db !== undefined ? after.db - before.db : 0);
    others = Math.max(0, after.machine.busy - before.machine.busy - ours) / (after.machine.total - before.machine.total);
  }
  return {
    side: target.side,
    round,
    result,
    rate: requests / result.duration,
    serverCpu: per(before.main, after.main),
    dbCpu: per(before.db, after.db),
    others,
    keycloakCalls: after.keycloak - before.keycloak,
  };
}

const num = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '-' : Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3))));
const percent = (value: number | undefined): string => (value === undefined ? '-' : `${Math.round(value * 100)}%`);

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] as readonly string[]).map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd()).join('\n');
}

/** Prints every run, the medians, and the verdict on the best run of each side. */
function report(runs: readonly Run[], settings: Settings, keycloakCalls: number): void {
  const of = (side: Side): Run[] => runs.filter((r) => r.side === side);
  const medianOf = (side: Side, pick: (r: Run) => number | undefined): number | undefined => {
    const values = of(side)
      .map(pick)
      .filter((value): value is number => value !== undefined);
    return values.length > 0 ? median(values) : undefined;
  };
  const row = (label: string, r: Run): string[] => [
    label,
    r.side,
    num(r.rate),
    String(r.result.latency.p50),
    String(r.result.latency.p99),
    String(r.result.latency.max),
    num(r.serverCpu),
    num(r.dbCpu),
    percent(r.others),
  ];
  const medianRow = (side: Side): string[] => [
    'median',
    side,
    ...[(r: Run) => r.rate, (r: Run) => r.result.latency.p50, (r: Run) => r.result.latency.p99, (r: Run) => r.result.latency.max, (r: Run) => r.serverCpu, (r: Run) => r.dbCpu].map(
      (pick) => num(medianOf(side, pick)),
    ),
    percent(medianOf(side, (r) => r.others)),
  ];
  console.log(`\nGET one invoice: API vs bare Fastify + driver findOne, ${settings.connections} connections, ${settings.duration} s per run`);
  console.log(table([['round', 'side', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'server cpu µs/req', 'db cpu µs/req', 'other load'], ...runs.map((r) => row(String(r.round), r)), medianRow('api'), medianRow('baseline')]));
  console.log('  server cpu: this process\'s main thread (both HTTP servers, not the load generator); db cpu: the database server process;');
  console.log('  other load: the machine\'s CPU used by other processes during the run (of all cores).');

  // Other jobs on the machine only ever slow a run down: each side's fastest run is its least disturbed one, as
  // timeit keeps the fastest repeat. The rounds' own ratios (two runs next to each other) are printed beside it.
  const best = (side: Side): Run => of(side).reduce((a, b) => (b.rate > a.rate ? b : a));
  const [api, baseline] = [best('api'), best('baseline')];
  const ratio = api.rate / baseline.rate;
  const ratios = Array.from({ length: settings.rounds }, (_, i) => {
    const pair = runs.filter((r) => r.round === i + 1);
    return (pair.find((r) => r.side === 'api') as Run).rate / (pair.find((r) => r.side === 'baseline') as Run).rate;
  });
  const [apiCpu, baselineCpu] = [medianOf('api', (r) => r.serverCpu), medianOf('baseline', (r) => r.serverCpu)];
  const apiRequests = of('api').reduce((sum, r) => sum + r.result.requests.total, 0);
  const describe = (r: Run): string => `${num(r.rate)} req/s, p50 ${r.result.latency.p50} ms, p99 ${r.result.latency.p99} ms (round ${r.round}, other load ${percent(r.others)})`;
  console.log('');
  console.log(`best runs: API ${describe(api)}; baseline ${describe(baseline)}`);
  console.log(`rounds' own ratios: ${ratios.map((value) => value.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)})`);
  if (apiCpu !== undefined && baselineCpu !== undefined) {
    console.log(`server cpu per request (medians): API ${num(apiCpu)} µs, baseline ${num(baselineCpu)} µs: the API's code adds ${num(apiCpu - baselineCpu)} µs (×${(apiCpu / baselineCpu).toFixed(1)})`);
  }
  console.log(`keycloak: ${keycloakCalls} requests from this process during the ${apiRequests} measured API requests (tokens verified locally)`);
  console.log(
    `GET /v1/invoices/:invoiceId: API ${num(api.rate)} req/s, baseline ${num(baseline.rate)} req/s, ratio ${ratio.toFixed(2)} (goal ≥ ${GOAL}) ` +
      `${ratio >= GOAL ? 'PASS' : 'BELOW GOAL'}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The bench

/** The pid of the database server when MONGO_URL names one host on this machine (its CPU is then read per run). */
function localServerPid(mongoUrl: string): number | undefined {
  const match = /^mongodb:\/\/(?:[^@/]*@)?(localhost|127\.[\d.]+|\[::1\])(?::(\d+))?(?:[/?]|$)/.exec(mongoUrl);
  return match ? pidListeningOn(Number(match[2] ?? 27017)) : undefined;
}

/** Probes the route once before loading it, so that a missing route or a refused token says what is wrong. */
async function probe(target: Target, invoiceId: InvoiceId): Promise<number> {
  const response = await fetch(target.url, { headers: await target.headers() });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${target.side}: GET ${target.url} answered ${response.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { id?: unknown };
  if (body.id !== invoiceId) throw new Error(`${target.side}: GET ${target.url} answered another resource (id ${String(body.id)}, expected ${invoiceId})`);
  return Buffer.byteLength(text);
}

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

  try {
    const stack = await benchStack(NAME, undo);
    if (!stack) return 1;
    const { MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM } = stack.env;
    const realm: RealmLocation = { keycloakUrl: KEYCLOAK_URL, realm: KEYCLOAK_REALM };

    // Request logging is off on both sides by default (warn: only problems are logged, to stderr). What a request
    // log line costs depends on where it goes (terminal, file, shipper), which a bench cannot stand for; the goal is
    // about what the route's own stack (auth, Nest, the repository's mapping) costs. `--log-level=info` logs every
    // request on both sides, to /dev/null, to measure the serialisation cost.
    const destination = settings.logLevel === 'info' ? pino.destination({ dest: '/dev/null', sync: false }) : pino.destination(2);
    const dbName = `bench_api_${randomBytes(4).toString('hex')}`;
    // Rate limits off: the benchmark is one client sending as fast as it can.
    const config = loadConfig({ MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM, PORT: '0', HOST: '127.0.0.1', MONGO_DB: dbName, LOG_LEVEL: settings.logLevel, RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_PER_TENANT: '0' });
    const api = await startApi(config, { logDestination: destination });
    const database = api.app.get<MongoConnection>(DATABASE);
    undo.push({ what: 'close the API', step: () => api.close() });
    undo.push({
      what: `drop ${dbName}`,
      // Only ever the database this run created.
      step: async () => (database.connection.name === dbName ? database.connection.dropDatabase() : undefined),
    });

    const counts = { acme: settings.invoices, globex: Math.max(1, Math.round(settings.invoices / 5)) };
    process.stdout.write(`${NAME}: seeding ${counts.acme} issued invoices for acme, ${counts.globex} for globex… `);
    const seeded = await seed(api, database, counts);
    console.log(`${seeded.seconds.toFixed(1)} s (${seeded.throughUseCases} drafted and issued through the use cases, the others bulk-saved)`);

    const baseline = await startBaseline(database, pino({ level: settings.logLevel, base: { service: 'baseline' } }, destination), settings.baselineFilter);
    undo.push({ what: 'close the baseline server', step: () => baseline.close() });

    const user = demoUser('acme', 'admin');
    const targets: Record<Side, Target> = {
      api: {
        side: 'api',
        url: `${api.url}/v1/invoices/${seeded.invoiceId}`,
        // A fresh token per run: it lives five minutes. Same realm key, so the verifier's key cache is unaffected.
        headers: async () => ({ authorization: `Bearer ${(await passwordGrant(realm, user)).access_token}` }),
      },
      baseline: { side: 'baseline', url: `${baseline.url}/invoices/${seeded.invoiceId}`, headers: async () => ({}) },
    };
    const bytes = { api: await probe(targets.api, seeded.invoiceId), baseline: await probe(targets.baseline, seeded.invoiceId) };

    const keycloak = watchKeycloak(KEYCLOAK_URL);
    undo.push({ what: 'restore node:http', step: async () => keycloak.restore() });
    const monitors: Monitors = { dbPid: localServerPid(MONGO_URL), keycloak };

    const admin = database.connection.getClient().db(dbName).admin();
    const build = (await admin.command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    const server = build.ferretdbVersion ? `FerretDB ${build.ferretdbVersion}` : `MongoDB ${build.version ?? '?'}`;
    const cpus = os.cpus();
    const load = (): string => os.loadavg().map((value) => value.toFixed(2)).join(' ');
    console.log(`  database: ${server} at ${redact(MONGO_URL)} (${stack.origin.mongo}), database ${dbName}${monitors.dbPid ? `, server pid ${monitors.dbPid}` : ''}`);
    console.log(`  keycloak: ${redactUrl(KEYCLOAK_URL)} realm ${KEYCLOAK_REALM} (${stack.origin.keycloak}); token of ${user.username}`);
    console.log(`  machine:  ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, node ${process.version}, load average ${load()} (shared: compare ratios, not rates)`);
    console.log(`  request logging: ${settings.logLevel === 'info' ? 'ON on both sides (LOG_LEVEL=info, to /dev/null)' : 'off on both sides (LOG_LEVEL=warn)'}`);
    console.log(
      `  autocannon: ${settings.connections} connections, ${settings.duration} s per run, ${settings.warmup} s warm-up per side, ${settings.rounds} rounds alternating which side goes first;` +
        ' requests fired from a worker thread, both servers on this process\'s main thread (one loaded at a time)',
    );
    console.log(`  api:      GET ${targets.api.url} (Bearer token) → 200, ${bytes.api} bytes`);
    console.log(`  baseline: GET ${targets.baseline.url} (bare Fastify, driver findOne(${settings.baselineFilter === 'id' ? '{ _id }' : '{ tenantId, _id }'}), no auth) → 200, ${bytes.baseline} bytes`);

    if (settings.warmup > 0) {
      process.stdout.write('warm-up ');
      // JIT, connection pools, the verifier's key cache, the server's page cache: both sides, not reported.
      for (const side of ['api', 'baseline'] as const) {
        await run(targets[side], 0, settings.warmup, settings.connections, monitors);
        process.stdout.write('.');
      }
      console.log('');
    }
    const runs: Run[] = [];
    process.stdout.write('rounds ');
    for (let round = 1; round <= settings.rounds; round++) {
      // Alternate which side goes first, so that neither always runs on a warmer (or busier) machine.
      const order: Side[] = round % 2 === 1 ? ['api', 'baseline'] : ['baseline', 'api'];
      for (const side of order) {
        runs.push(await run(targets[side], round, settings.duration, settings.connections, monitors));
        process.stdout.write('.');
      }
    }
    console.log('');

    console.log(`load average now ${load()}; wall time so far ${((performance.now() - wallStart) / 1000).toFixed(0)} s`);
    report(runs, settings, runs.filter((r) => r.side === 'api').reduce((sum, r) => sum + r.keycloakCalls, 0));
    return 0;
  } finally {
    await undo.run();
  }
}
