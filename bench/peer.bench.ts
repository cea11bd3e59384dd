/**
 * `npm run bench:peer`: the same scenario through Kill Bill's REST API and ours, side by side on this machine (issue
 * 13). See bench/README.md.
 *
 * Four operations, each run by N concurrent workers (closed loop: each sends its next request when the last is
 * answered) for D seconds per system, alternating which system goes first from round to round:
 * create a customer; create an invoice with one line; get an invoice by id; record a payment against an invoice.
 * Per operation and system: ops/s, p50, p99, database round trips per operation, CPU of each process per operation.
 * With `--growth`, the same again after 20,000 and 100,000 customers and 10,000 invoices exist.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectMongo, redact } from '@invoicing/integration/mongodb';
import { StackError, demoUser, passwordGrant, stopProcess, type RealmLocation, type ServerProcess } from '@invoicing/stack';
import { machineMicros, pidListeningOn, processMicros } from './cpu-time';
import { KILLBILL_VERSION, startKillBill } from './peer/killbill';
import { startOurApi, type OurApi } from './peer/our-api';
import { benchStack } from './stack';
import { dropDatabase, startUndo } from './undo';
import { median, percentileOfSorted } from './figures';

const NAME = 'bench:peer';
const USAGE = 'usage: npm run bench:peer -- [--duration=10] [--rounds=2] [--workers=10] [--warmup=5] [--growth] [--growth-customers=20000,100000] [--growth-invoices=10000] [--profile=DIR]';

// ---------------------------------------------------------------------------------------------------------------
// Settings

interface Settings {
  /** Seconds each system runs each operation, per round. */
  readonly duration: number;
  readonly rounds: number;
  /** Concurrent workers (each with its own customer for the invoice and payment operations). */
  readonly workers: number;
  /** Seconds of a warm-up run of each operation on each system, not reported (0: none). */
  readonly warmup: number;
  /** Customer counts to measure again at, after the empty database (empty: no growth mode). */
  readonly growthCustomers: readonly number[];
  /** Invoices that exist before the first growth measurement. */
  readonly growthInvoices: number;
  /** A folder where our API's process writes a V8 CPU profile when it ends (none: not profiled). */
  readonly profileDir: string | undefined;
}

function parseArgs(args: readonly string[]): Settings {
  const values = new Map<string, string>();
  for (const arg of args) {
    const match = /^--([a-z-]+)(?:=(.+))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument "${arg}"`);
    values.set(match[1] as string, match[2] ?? 'true');
  }
  const take = (name: string): string | undefined => {
    const value = values.get(name);
    values.delete(name);
    return value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = take(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return value;
  };
  const growth = take('growth') === 'true';
  const customersRaw = take('growth-customers');
  const settings: Settings = {
    duration: int('duration', 10, 1, 240),
    rounds: int('rounds', 2, 1, 10),
    workers: int('workers', 10, 1, 200),
    warmup: int('warmup', 5, 0, 60),
    growthCustomers: growth || customersRaw ? (customersRaw ?? '20000,100000').split(',').map(Number) : [],
    growthInvoices: int('growth-invoices', 10_000, 0, 1_000_000),
    profileDir: take('profile'),
  };
  if (settings.growthCustomers.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new Error(`--growth-customers must be whole numbers, got "${customersRaw}"`);
  const unknown = [...values.keys()];
  if (unknown.length > 0) throw new Error(`unknown option --${unknown[0]}`);
  return settings;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const today = (): string => new Date().toISOString().slice(0, 10);
const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] as readonly string[]).map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd()).join('\n');
}

/** `work` over 0..count-1, at most `limit` at a time. */
async function forEachLimit(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** One HTTP request; its JSON body (or Location header when there is no body), or an error naming the answer. */
async function call(method: string, url: string, headers: Record<string, string>, body: unknown, expected: number | readonly number[]): Promise<{ json: unknown; location: string | null }> {
  // No content type without a body: our API refuses an empty body said to be JSON.
  const { 'content-type': contentType, ...rest } = headers;
  const init = body === undefined ? { headers: rest } : { headers: { ...rest, 'content-type': contentType ?? 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(url, { method, ...init, signal: AbortSignal.timeout(120_000) });
  const text = await response.text();
  if (!(typeof expected === 'number' ? [expected] : expected).includes(response.status)) throw new Error(`${method} ${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 200)}`);
  return { json: text ? (JSON.parse(text) as unknown) : undefined, location: response.headers.get('location') };
}

/**
 * CPU time of every process with this command name (PostgreSQL runs a process per connection), including that of
 * exited ones whose parent is among them: a backend that ends between two readings would otherwise take its CPU time
 * with it, and the difference could even be negative.
 */
function commandMicros(comm: string): number | undefined {
  let total = 0;
  let found = false;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue;
    }
    const micros = processMicros(Number(pid), true);
    if (micros !== undefined) {
      total += micros;
      found = true;
    }
  }
  return found ? total : undefined;
}

const nodeMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

// ---------------------------------------------------------------------------------------------------------------
// The systems

const OPERATIONS = ['create customer', 'create invoice (1 line)', 'draft, then issue (2 requests)', 'get invoice', 'record payment'] as const;
type Operation = (typeof OPERATIONS)[number];

/** One system under test, as the workers drive it. */
interface System {
  readonly name: string;
  /** Before each run (a fresh token). */
  refresh(): Promise<void>;
  /** One customer and one open invoice per worker, for the invoice, read and payment operations. */
  prepare(workers: number): Promise<void>;
  readonly operations: Record<Operation, (worker: number) => Promise<void>>;
  /** Creates customers (and invoices on the workers' customers) as the operations do: growth mode's data. */
  readonly grow: { customer(): Promise<void>; invoice(worker: number): Promise<void> };
  /** Database round trips so far (commands or statements the database server received). */
  roundTrips(): Promise<number>;
  /** Round trips the database gets without any request in this many seconds (Kill Bill polls its queues). */
  backgroundTrips(seconds: number): number;
  /** Measures the background round trips (before the runs). */
  calibrate(): Promise<void>;
  /** Round trips so far by command name, where the system can tell (ours: the driver's command names). */
  roundTripsByCommand?(): Promise<Record<string, number>>;
  /** CPU time so far (µs) of each process that serves the system; undefined when /proc does not tell. */
  cpu(): Record<string, number | undefined>;
}

/** Each worker's customer and the invoices it created (reads and payments pick among them). */
interface WorkerState {
  customer: string;
  invoices: string[];
  next: number;
}

function pick(state: WorkerState): string {
  const invoice = state.invoices[state.next % state.invoices.length] as string;
  state.next += 1;
  return invoice;
}

/** A token older than this is renewed before the next request (Keycloak's access tokens last 5 minutes). */
const TOKEN_REFRESH_MS = 120_000;

/** Invoices of 100 × 100.00 and more (+ VAT 20 % on our side): room for thousands of payments of 1.00. */
const PAYMENT = '1.00';

/**
 * The quantity of the next invoice's line: 100, 101 … 999, then again. Invoices differ in amount as real ones do; our
 * duplicate check flags an invoice with the same buyer, currency and total within 3 days, and reads those it matches.
 */
let invoiceCount = 0;
const nextQuantity = (): number => 100 + (invoiceCount++ % 900);

function killBillSystem(url: string, headers: Record<string, string>, java: ServerProcess, mariadb: ServerProcess, questions: () => Promise<number>): System {
  const states: WorkerState[] = [];
  let count = 0;
  let idleRate = 0;
  const kb = `${url}/1.0/kb`;
  const createAccount = async (): Promise<string> => {
    count += 1;
    const { location } = await call('POST', `${kb}/accounts`, headers, { name: `Customer ${count}`, currency: 'EUR' }, 201);
    return (location ?? '').replace(/\/$/, '').split('/').pop() as string;
  };
  const charge = async (account: string, autoCommit = true): Promise<string> => {
    const amount = nextQuantity() * 120;
    const { json } = await call('POST', `${kb}/invoices/charges/${account}?autoCommit=${autoCommit}`, headers, [{ accountId: account, amount, currency: 'EUR', description: 'Consulting' }], 200);
    return (json as { invoiceId: string }[])[0]?.invoiceId as string;
  };
  /** A draft invoice with the charge, then committed: Kill Bill's two steps. */
  const chargeThenCommit = async (account: string): Promise<string> => {
    const invoiceId = await charge(account, false);
    await call('PUT', `${kb}/invoices/${invoiceId}/commitInvoice`, headers, undefined, [200, 201, 204]);
    return invoiceId;
  };
  const state = (worker: number): WorkerState => states[worker] as WorkerState;
  return {
    name: 'Kill Bill',
    refresh: async () => undefined,
    async prepare(workers) {
      for (let w = states.length; w < workers; w++) {
        const customer = await createAccount();
        states.push({ customer, invoices: [await charge(customer)], next: 0 });
      }
    },
    operations: {
      'create customer': async () => {
        await createAccount();
      },
      'create invoice (1 line)': async (worker) => {
        state(worker).invoices.push(await charge(state(worker).customer));
      },
      'draft, then issue (2 requests)': async (worker) => {
        state(worker).invoices.push(await chargeThenCommit(state(worker).customer));
      },
      'get invoice': async (worker) => {
        await call('GET', `${kb}/invoices/${pick(state(worker))}`, headers, undefined, 200);
      },
      'record payment': async (worker) => {
        const s = state(worker);
        await call('POST', `${kb}/invoices/${pick(s)}/payments?externalPayment=true`, headers, { accountId: s.customer, purchasedAmount: Number(PAYMENT), currency: 'EUR' }, 201);
      },
    },
    grow: {
      customer: async () => {
        await createAccount();
      },
      invoice: async (worker) => {
        state(worker).invoices.push(await charge(state(worker).customer));
      },
    },
    roundTrips: questions,
    backgroundTrips: (seconds) => idleRate * seconds,
    async calibrate() {
      // Kill Bill polls its bus and notification queues all the time: count what MariaDB gets while idle.
      const before = await questions();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      idleRate = ((await questions()) - before - 1) / 5;
    },
    cpu: () => ({ java: processMicros(java.pid), mariadb: processMicros(mariadb.pid), 'bench node': nodeMicros() }),
  };
}

function ourSystem(api: OurApi, realm: RealmLocation, ferretPid: number | undefined): System {
  const apiUrl = api.url;
  const user = demoUser('acme', 'admin');
  let headers: Record<string, string> = {};
  const states: (WorkerState & { partnership: string })[] = [];
  let sellerId: string | undefined;
  let count = 0;
  const address = { purpose: 'billing' as const, lines: ['Friedrichstraße 1'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' };
  // Keycloak's access tokens last 5 minutes; growth mode runs longer than that.
  let tokenAt = 0;
  let refreshing: Promise<void> | undefined;
  const freshToken = async (): Promise<void> => {
    if (Date.now() - tokenAt < TOKEN_REFRESH_MS) return;
    refreshing ??= passwordGrant(realm, user)
      .then((token) => {
        headers = { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' };
        tokenAt = Date.now();
      })
      .finally(() => {
        refreshing = undefined;
      });
    await refreshing;
  };
  const post = async (path: string, body: unknown, expected: number) => {
    await freshToken();
    return call('POST', `${apiUrl}${path}`, { ...headers, 'idempotency-key': randomUUID() }, body, expected);
  };
  const createPartner = async (): Promise<string> => {
    count += 1;
    const { json } = await post('/v1/partners', { kind: 'company', legalName: `Customer ${count} GmbH`, identifiers: { vatId: 'DE123456789' }, addresses: [address] }, 201);
    return (json as { id: string }).id;
  };
  const lines = () => [{ name: 'Consulting', quantity: String(nextQuantity()), unitCode: 'C62', netPrice: '100.00', vat: { code: 'S', rate: '20' } }];
  /** Created and issued in one request, as Kill Bill's `autoCommit=true`. */
  const invoice = async (partnershipId: string): Promise<string> => {
    const { json } = await post('/v1/invoices', { partnershipId, issue: true, lines: lines() }, 201);
    return (json as { id: string }).id;
  };
  /** A draft, then issued: the two requests of an invoice someone reviews before it goes out. */
  const draftThenIssue = async (partnershipId: string): Promise<string> => {
    const { json } = await post('/v1/invoices', { partnershipId, lines: lines() }, 201);
    const id = (json as { id: string }).id;
    await post(`/v1/invoices/${id}/issue`, undefined, 200);
    return id;
  };
  const state = (worker: number) => states[worker] as WorkerState & { partnership: string };
  return {
    name: 'ours',
    async refresh() {
      tokenAt = 0;
      await freshToken();
    },
    async prepare(workers) {
      await this.refresh();
      const seller = { kind: 'company', legalName: 'Atelier Lumière SAS', identifiers: { vatId: 'FR12345678901' }, addresses: [{ ...address, lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }] };
      sellerId ??= ((await post('/v1/partners', seller, 201)).json as { id: string }).id;
      for (let w = states.length; w < workers; w++) {
        const customer = await createPartner();
        const terms = { sellerId, buyerId: customer, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' };
        const partnership = ((await post('/v1/partnerships', terms, 201)).json as { id: string }).id;
        states.push({ customer, partnership, invoices: [await invoice(partnership)], next: 0 });
      }
    },
    operations: {
      'create customer': async () => {
        await createPartner();
      },
      'create invoice (1 line)': async (worker) => {
        state(worker).invoices.push(await invoice(state(worker).partnership));
      },
      'draft, then issue (2 requests)': async (worker) => {
        state(worker).invoices.push(await draftThenIssue(state(worker).partnership));
      },
      'get invoice': async (worker) => {
        await call('GET', `${apiUrl}/v1/invoices/${pick(state(worker))}`, headers, undefined, 200);
      },
      'record payment': async (worker) => {
        const s = state(worker);
        await post(`/v1/partners/${s.customer}/payments`, { amount: PAYMENT, currency: 'EUR', receivedOn: today(), applyTo: [pick(s)] }, 201);
      },
    },
    grow: {
      customer: async () => {
        await createPartner();
      },
      invoice: async (worker) => {
        state(worker).invoices.push(await invoice(state(worker).partnership));
      },
    },
    backgroundTrips: () => 0,
    calibrate: async () => undefined,
    roundTrips: async () => Object.values(await api.commands()).reduce((sum, n) => sum + n, 0),
    roundTripsByCommand: () => api.commands(),
    cpu: () => ({
      'node (API)': processMicros(api.pid),
      ferretdb: ferretPid === undefined ? undefined : processMicros(ferretPid),
      postgres: commandMicros('postgres'),
      'bench node': nodeMicros(),
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

interface Run {
  readonly system: string;
  readonly operation: Operation;
  readonly stage: string;
  readonly round: number;
  /** Seconds the machine took to go quiet before the run; undefined: it did not within SETTLE_MAX_SECONDS. */
  readonly settledAfter: number | undefined;
  readonly ops: number;
  readonly seconds: number;
  readonly latencies: readonly number[];
  readonly errors: number;
  readonly firstError?: string;
  readonly roundTripsPerOp: number;
  /** Round trips per operation by command, when the system tells (e.g. `find 2, insert 1`). */
  readonly roundTripsByCommand?: string;
  /** CPU ms per operation of each process. */
  readonly cpuPerOp: Record<string, number | undefined>;
}

/** Below this share of the machine's CPU in use, what a previous run left behind has finished. */
const QUIET_SHARE = 0.25;
const SETTLE_MAX_SECONDS = 30;

/**
 * Waits until the machine is quiet, second by second, for at most SETTLE_MAX_SECONDS: work a run leaves behind (Kill
 * Bill's bus and notification threads after a burst of invoices, PostgreSQL's autovacuum after a burst of writes)
 * would otherwise land on the next run, of the other system as often as not. Answers the seconds waited, or undefined
 * when the machine stayed busy (another job) and the run goes on anyway.
 */
async function settle(): Promise<number | undefined> {
  const started = performance.now();
  for (;;) {
    const before = machineMicros();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = machineMicros();
    const waited = (performance.now() - started) / 1000;
    if (!before || !after || (after.busy - before.busy) / (after.total - before.total) < QUIET_SHARE) return waited;
    if (waited >= SETTLE_MAX_SECONDS) return undefined;
  }
}

/** N workers in a closed loop for `seconds`; the operations done, each one's latency, round trips and CPU per operation. */
async function measure(system: System, operation: Operation, stage: string, round: number, settings: Settings, seconds: number): Promise<Run> {
  const settledAfter = await settle();
  await system.refresh();
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const trips0 = await system.roundTrips();
  const byCommand0 = await system.roundTripsByCommand?.();
  const cpu0 = system.cpu();
  const machine0 = machineMicros();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: settings.workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        try {
          await system.operations[operation](worker);
          latencies.push(performance.now() - sent);
        } catch (error) {
          errors += 1;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu1 = system.cpu();
  const machine1 = machineMicros();
  const trips1 = await system.roundTrips();
  const byCommand1 = await system.roundTripsByCommand?.();
  const ops = latencies.length;
  const roundTripsByCommand =
    byCommand0 && byCommand1 && ops > 0
      ? Object.entries(byCommand1)
          .map(([name, n]) => [name, (n - (byCommand0[name] ?? 0)) / ops] as const)
          .filter(([, perOp]) => perOp > 0)
          .sort((a, b) => b[1] - a[1])
          .map(([name, perOp]) => `${name} ${fixed(perOp)}`)
          .join(', ')
      : undefined;
  const cpuPerOp: Record<string, number | undefined> = {};
  for (const [name, before] of Object.entries(cpu0)) {
    const after = cpu1[name];
    cpuPerOp[name] = before === undefined || after === undefined || ops === 0 ? undefined : (after - before) / 1000 / ops;
  }
  // The rest of the machine: the other system's background work (Kill Bill's bus after a burst), Keycloak, other jobs.
  const listed = Object.values(cpuPerOp);
  cpuPerOp['rest of machine'] =
    machine0 && machine1 && ops > 0 && listed.every((ms) => ms !== undefined)
      ? Math.max(0, (machine1.busy - machine0.busy) / 1000 / ops - listed.reduce<number>((sum, ms) => sum + (ms ?? 0), 0))
      : undefined;
  return { system: system.name, operation, stage, round, settledAfter, ops, seconds: elapsed, latencies: latencies.sort((a, b) => a - b), errors, firstError, roundTripsPerOp: ops === 0 ? NaN : (trips1 - trips0 - system.backgroundTrips(elapsed)) / ops, roundTripsByCommand, cpuPerOp };
}

const cpuText = (cpu: Record<string, number | undefined>): string =>
  Object.entries(cpu)
    .map(([name, ms]) => `${name} ${ms === undefined ? '-' : fixed(ms, 2)}`)
    .join(', ');

function printRun(run: Run): void {
  console.log(
    `  ${run.stage}, round ${run.round}, ${run.operation.padEnd(30)} ${run.system.padEnd(9)} ${fixed(run.ops / run.seconds).padStart(7)} ops/s  p50 ${fixed(percentileOfSorted(run.latencies, 50)).padStart(7)} ms  p99 ${fixed(percentileOfSorted(run.latencies, 99)).padStart(7)} ms  ` +
      `db round trips/op ${fixed(run.roundTripsPerOp)}${run.roundTripsByCommand ? ` (${run.roundTripsByCommand})` : ''}  cpu ms/op: ${cpuText(run.cpuPerOp)}  quiet after ${run.settledAfter === undefined ? `>${SETTLE_MAX_SECONDS} s (busy)` : `${fixed(run.settledAfter, 0)} s`}${run.errors > 0 ? `  ERRORS ${run.errors}: ${run.firstError}` : ''}`,
  );
}

/** The summary of one stage: per operation, both systems' median ops/s over rounds, p50/p99 over all their requests. */
function summarise(stage: string, runs: readonly Run[]): void {
  const of = (system: string, operation: Operation) => runs.filter((r) => r.stage === stage && r.system === system && r.operation === operation);
  const rows: string[][] = [['operation', 'system', 'ops/s', 'p50 ms', 'p99 ms', 'ours ÷ KB', 'db trips/op', 'cpu ms/op (per process)']];
  for (const operation of OPERATIONS) {
    const rate = (system: string): number => median(of(system, operation).map((r) => r.ops / r.seconds));
    for (const system of ['Kill Bill', 'ours']) {
      const selected = of(system, operation);
      const latencies = selected.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const cpu: Record<string, number | undefined> = {};
      for (const name of Object.keys(selected[0]?.cpuPerOp ?? {})) cpu[name] = median(selected.map((r) => r.cpuPerOp[name] ?? NaN));
      rows.push([
        system === 'Kill Bill' ? operation : '',
        system,
        fixed(rate(system)),
        fixed(percentileOfSorted(latencies, 50)),
        fixed(percentileOfSorted(latencies, 99)),
        system === 'ours' ? fixed(rate('ours') / rate('Kill Bill'), 2) : '',
        fixed(median(selected.map((r) => r.roundTripsPerOp))),
        cpuText(cpu),
      ]);
    }
  }
  console.log(`\n${NAME}: ${stage} (ops/s: median of the rounds; p50/p99: over every request of the rounds)`);
  console.log(table(rows));
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
  const undo = startUndo(NAME, 'stopping what it started');

  let failed = false;
  try {
    // Kill Bill and its MariaDB, in a folder of this run.
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'invoicing-bench-peer-'));
    undo.push({ what: `remove ${workDir}`, step: async () => fs.rmSync(workDir, { recursive: true, force: true }) });
    let started = performance.now();
    let killBill;
    try {
      killBill = await startKillBill({
        workDir,
        log: (line) => console.log(`[kill bill] ${line}`),
        onStarted: (proc) => undo.push({ what: `stop ${proc.name}`, step: () => stopProcess(proc) }),
      });
    } catch (error) {
      if (!(error instanceof StackError)) throw error;
      console.error(`${NAME}: ${error.message}`);
      return 1;
    }
    const killBillStart = (performance.now() - started) / 1000;

    // Our API in a process of its own (as `npm start` runs it), against the running stack, on a database of its own,
    // counting the driver's commands.
    const stack = await benchStack(NAME, undo);
    if (!stack) return 1;
    const { MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM } = stack.env;
    const dbName = `bench_peer_${randomBytes(4).toString('hex')}`;
    undo.push({ what: `drop ${dbName}`, step: () => dropDatabase(MONGO_URL, dbName) });
    const api = await startOurApi({
      MONGO_URL,
      KEYCLOAK_URL,
      KEYCLOAK_REALM,
      PORT: '0',
      HOST: '127.0.0.1',
      MONGO_DB: dbName,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_CLIENT: '0',
      RATE_LIMIT_PER_TENANT: '0',
    }, settings.profileDir ? { profileDir: path.resolve(settings.profileDir) } : {});
    undo.push({ what: 'stop our API', step: () => api.close() });
    const probe = await connectMongo({ url: MONGO_URL, dbName });
    const build = (await probe.connection.getClient().db(dbName).admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    await probe.close();
    const mongoPort = Number(/^mongodb:\/\/[^/]*?:(\d+)/.exec(MONGO_URL)?.[1]);
    const ferretPid = Number.isFinite(mongoPort) ? pidListeningOn(mongoPort) : undefined;

    const systems = [
      killBillSystem(killBill.url, { ...killBill.headers }, killBill.java, killBill.mariadb, () => killBill.questions()),
      ourSystem(api, { keycloakUrl: KEYCLOAK_URL, realm: KEYCLOAK_REALM }, ferretPid),
    ];
    const cpus = os.cpus();
    console.log(`${NAME}: ${settings.workers} workers per system, ${settings.duration} s per operation and system, ${settings.rounds} round(s), alternating which system goes first`);
    console.log(`  Kill Bill: ${KILLBILL_VERSION} on jetty-runner at ${killBill.url}, MariaDB (pid ${killBill.mariadb.pid}); started in ${fixed(killBillStart)} s`);
    console.log(`  ours:      ${api.url}, its own process (pid ${api.pid}); ${build.ferretdbVersion ? `FerretDB ${build.ferretdbVersion}` : `MongoDB ${build.version ?? '?'}`} at ${redact(MONGO_URL)} (${stack.origin.mongo}), database ${dbName}`);
    console.log(`  machine:   ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
    console.log('  db round trips/op: Kill Bill: MariaDB statements (`Questions`); ours: MongoDB commands sent by the API (`commandStarted`)');

    started = performance.now();
    for (const system of systems) await system.prepare(settings.workers);
    console.log(`prepared a customer with an open invoice per worker on each system in ${fixed((performance.now() - started) / 1000)} s`);
    for (const system of systems) await system.calibrate();
    console.log(`  Kill Bill's MariaDB gets ${fixed(systems[0]?.backgroundTrips(1) ?? NaN)} statements/s while idle (queue polling): subtracted from its round trips`);

    const runs: Run[] = [];
    const stages: { name: string; before?: () => Promise<void> }[] = [{ name: 'empty database' }];
    let customers = 0;
    let invoices = 0;
    for (const target of settings.growthCustomers) {
      stages.push({
        name: `after ${target} customers and ${settings.growthInvoices} invoices`,
        before: async () => {
          for (const system of systems) {
            const t0 = performance.now();
            await system.refresh();
            const newCustomers = Math.max(0, target - customers);
            const newInvoices = Math.max(0, settings.growthInvoices - invoices);
            await forEachLimit(newCustomers, settings.workers, () => system.grow.customer());
            await forEachLimit(newInvoices, settings.workers, (i) => system.grow.invoice(i % settings.workers));
            console.log(`  growth: ${system.name} +${newCustomers} customers, +${newInvoices} invoices through its API in ${fixed((performance.now() - t0) / 1000)} s`);
          }
          customers = Math.max(customers, target);
          invoices = Math.max(invoices, settings.growthInvoices);
        },
      });
    }

    for (const stage of stages) {
      if (stage.before) {
        console.log(`\n${NAME}: growing to ${stage.name} (beside what the measurements create)…`);
        await stage.before();
      }
      console.log(`\n${NAME}: ${stage.name}`);
      if (settings.warmup > 0 && stage === stages[0]) {
        for (const operation of OPERATIONS) for (const system of systems) await measure(system, operation, 'warm-up', 0, settings, settings.warmup);
        console.log(`  warm-up: ${settings.warmup} s of each operation on each system (not reported)`);
      }
      for (let round = 1; round <= settings.rounds; round++) {
        const order = round % 2 === 1 ? systems : [...systems].reverse();
        for (const operation of OPERATIONS) {
          for (const system of order) {
            const run = await measure(system, operation, stage.name, round, settings, settings.duration);
            printRun(run);
            runs.push(run);
            if (run.errors > 0) failed = true;
          }
        }
      }
      summarise(stage.name, runs);
    }
    console.log(`\n${NAME}: wall time ${fixed((performance.now() - wallStart) / 1000, 0)} s${failed ? ' — SOME REQUESTS FAILED (see ERRORS above)' : ''}`);
  } finally {
    await undo.run();
  }
  return failed ? 1 : 0;
}

