/**
 * `npm run bench:events`: events going out (issue 17), measured in one run against the same server. See bench/README.md.
 *
 * 1. Relay vs raw reads: a backlog of BENCH_EVENTS outbox events (new partners saved through the repository's
 *    `saveMany`, one `partner.created` each: genuine documents, the relay's worst case of one document per event) in a
 *    fresh database. The baseline is the driver reading the same waiting documents: one cursor per aggregate collection
 *    on `{ outboxPending: true }` with the relay's projection and batch size, each outbox entry parsed (`JSON.parse`),
 *    several passes (it consumes nothing), the median kept. Then `EventRelay.relayOnce()` in a loop until the outbox is
 *    empty, no endpoint registered, its adapters wrapped to time each step and count its database commands.
 * 2. Webhook delivery rate: BENCH_HOOK_ENDPOINTS endpoints on a local receiver (node:http on 127.0.0.1, 204), the
 *    events of BENCH_HOOK_EVENTS new partners relayed (deliveries queued), then `sendOnce()` in a loop until no
 *    delivery waits: deliveries/s, latency of each POST (p50/p99), database commands per delivery.
 * 3. The API's write throughput with and without 5 webhook endpoints: the API in a child process (relay in-process,
 *    `WEBHOOK_INSECURE_TENANTS=*`), BENCH_WORKERS closed-loop workers creating partners for BENCH_SECONDS; rounds
 *    alternate A (no endpoint) and B (5 endpoints on the local receiver), each followed by waiting until the relay has
 *    drained the outbox and the deliveries.
 *
 * Nothing is asserted on timings: the goals are printed as met or missed.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { tenantId, type TenantId } from '@invoicing/core';
import { aPartner } from '@invoicing/invoice/testing';
import { DEFAULT_RELAY_SETTINGS, EventRelay, generateWebhookSecret, postDelivery, type Lease, type WebhookUrlPolicy } from '@invoicing/integration';
import {
  connectMongo,
  createMongoAdapters,
  createMongoBillingAdapters,
  createMongoEventAdapters,
  redact,
  type MongoAdapters,
  type MongoBillingAdapters,
  type MongoConnection,
} from '@invoicing/integration/mongodb';
import { demoUser, passwordGrant, type RealmLocation } from '@invoicing/stack';
import { startOurApi, type OurApi } from './peer/our-api';
import { benchStack } from './stack';
import { dropDatabase, startUndo } from './undo';
import { intFromEnv, median, percentileOfSorted } from './figures';

const NAME = 'bench:events';
const RELAY_GOAL = 0.5;
const WRITE_GOAL = 0.9;

// ---------------------------------------------------------------------------------------------------------------
// Settings

interface Settings {
  /** Events in the relay's backlog. */
  readonly events: number;
  /** Events per relay round (`RelaySettings.batchSize`), and the raw cursor's batch size. */
  readonly batch: number;
  /** Tenants the backlog's partners belong to (round-robin). */
  readonly tenants: number;
  /** Passes of the raw read over the backlog (the median is kept). */
  readonly rawPasses: number;
  /** Endpoints and events of the delivery part (deliveries = endpoints × events). */
  readonly hookEndpoints: number;
  readonly hookEvents: number;
  /** The API part: seconds per run, closed-loop workers, rounds (each one run without and one with endpoints). */
  readonly seconds: number;
  readonly workers: number;
  readonly apiRounds: number;
  readonly apiEndpoints: number;
  /** How long to wait at most for the relay to drain after an API run. */
  readonly drainSeconds: number;
  /** Which parts to run (1, 2, 3). */
  readonly parts: readonly number[];
}

function settingsFromEnv(): Settings {
  const parts = (process.env.BENCH_PARTS ?? '1,2,3').split(',').map((part) => Number(part.trim()));
  if (parts.some((part) => ![1, 2, 3].includes(part))) throw new Error(`BENCH_PARTS must list 1, 2 and/or 3, got "${process.env.BENCH_PARTS}"`);
  return {
    events: intFromEnv('BENCH_EVENTS', 100_000),
    batch: intFromEnv('BENCH_BATCH', 500),
    tenants: intFromEnv('BENCH_TENANTS', 1),
    rawPasses: intFromEnv('BENCH_RAW_PASSES', 3),
    hookEndpoints: intFromEnv('BENCH_HOOK_ENDPOINTS', 5),
    hookEvents: intFromEnv('BENCH_HOOK_EVENTS', 2_000),
    seconds: intFromEnv('BENCH_SECONDS', 10),
    workers: intFromEnv('BENCH_WORKERS', 10),
    apiRounds: intFromEnv('BENCH_API_ROUNDS', 2),
    apiEndpoints: intFromEnv('BENCH_API_ENDPOINTS', 5),
    drainSeconds: intFromEnv('BENCH_DRAIN_SECONDS', 300),
    parts,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const num = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '-' : Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
const seconds = (since: number): number => (performance.now() - since) / 1000;

function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted([...values].sort((a, b) => a - b), p);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] as readonly string[]).map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ').trimEnd()).join('\n');
}

const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

const HELD: Lease = { acquire: async () => true, release: async () => undefined };
const LOOPBACK: WebhookUrlPolicy = { allowHttp: true, allowPrivateAddresses: true };
/** The aggregate collections the outbox reads (`MongoOutbox`): the invoicing ones, billing plans, webhook endpoints. */
const OUTBOX_COLLECTIONS = ['partners', 'marketables', 'partnerships', 'invoices', 'payments', 'billing_plans', 'webhook_endpoints'] as const;
const OUTBOX_PROJECTION = { tenantId: 1, outbox: 1, outboxSince: 1, version: 1 } as const;

/** The database of parts 1 and 2, with the driver's commands counted by name and by the step that sent them. */
interface Bench {
  readonly mongo: MongoConnection;
  readonly adapters: MongoAdapters;
  readonly billing: MongoBillingAdapters;
  readonly dbName: string;
  readonly settings: Settings;
  /** Commands sent so far, per label of {@link Bench.label}. */
  readonly commands: Map<string, number>;
  /** The same per label and command name (`label|name`). */
  readonly commandNames: Map<string, number>;
  /** Every command so far, by name, whatever the label (for concurrent work, where labels would mix). */
  readonly allNames: Map<string, number>;
  label: string;
}

async function resetDatabase(bench: Bench): Promise<void> {
  await bench.mongo.connection.dropDatabase();
  await bench.adapters.ensureIndexes();
  await bench.billing.ensureIndexes();
}

const tenantsOf = (settings: Settings): TenantId[] => Array.from({ length: settings.tenants }, (_, index) => tenantId(`bench-events-${index + 1}`));

/**
 * Saves new partners through the repository's `saveMany` (1,000 per call) until `events` events wait in the outbox:
 * the documents are the repository's own. Returns the partners saved and the events they raised.
 */
async function buildBacklog(bench: Bench, events: number, tenants: readonly TenantId[]): Promise<{ documents: number; events: number; seconds: number }> {
  const started = performance.now();
  bench.label = 'build';
  let raised = 0;
  let documents = 0;
  let serial = 0;
  while (raised < events) {
    const partners = [];
    for (let count = 0; count < 1000 && raised < events; count += 1) {
      serial += 1;
      const partner = aPartner(tenants[serial % tenants.length] as TenantId, { legalName: `Backlog ${serial} GmbH` });
      raised += partner.pendingEvents.length;
      partners.push(partner);
    }
    await bench.adapters.partners.saveMany(partners);
    documents += partners.length;
  }
  return { documents, events: raised, seconds: seconds(started) };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 1: the relay against the raw driver

interface RawPass {
  readonly documents: number;
  readonly events: number;
  readonly seconds: number;
  /** Of which parsing the entries (`JSON.parse`), in this process. */
  readonly decodeSeconds: number;
  readonly commands: number;
}

/** The driver reading every waiting document once: one cursor per collection, the relay's projection and batch size. */
async function rawPass(bench: Bench): Promise<RawPass> {
  const db = bench.mongo.connection.getClient().db(bench.dbName);
  bench.label = 'raw';
  const before = bench.commands.get('raw') ?? 0;
  let documents = 0;
  let events = 0;
  let decode = 0;
  const started = performance.now();
  await Promise.all(
    OUTBOX_COLLECTIONS.map(async (name) => {
      const cursor = db.collection(name).find({ outboxPending: true }, { projection: OUTBOX_PROJECTION, batchSize: bench.settings.batch });
      for await (const document of cursor) {
        documents += 1;
        const outbox = (document.outbox ?? []) as unknown[];
        const t = performance.now();
        for (const entry of outbox) if (typeof entry === 'string') JSON.parse(entry);
        decode += performance.now() - t;
        events += outbox.length;
      }
    }),
  );
  return { documents, events, seconds: seconds(started), decodeSeconds: decode / 1000, commands: (bench.commands.get('raw') ?? 0) - before };
}

/** Time and database commands of each step of the relay. */
class Steps {
  readonly spent = new Map<string, { ms: number; calls: number; commands: number }>();

  constructor(private readonly bench: Bench) {}

  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    const label = `step:${name}`;
    const previous = this.bench.label;
    this.bench.label = label;
    const before = this.bench.commands.get(label) ?? 0;
    const started = performance.now();
    try {
      return await work();
    } finally {
      const entry = this.spent.get(name) ?? { ms: 0, calls: 0, commands: 0 };
      entry.ms += performance.now() - started;
      entry.calls += 1;
      entry.commands += (this.bench.commands.get(label) ?? 0) - before;
      this.spent.set(name, entry);
      this.bench.label = previous;
    }
  }
}

/** `target` with the methods `names` timed under `prefix.name` (the others untouched). */
function timed<T extends object>(target: T, steps: Steps, prefix: string, names: readonly string[]): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(object);
      if (typeof property !== 'string' || !names.includes(property)) return method;
      return (...args: unknown[]) => steps.time(`${prefix}.${property}`, () => method(...args) as Promise<unknown>);
    },
  });
}

interface RelayRun {
  readonly events: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly steps: Steps;
  readonly commands: number;
}

/** A relay over fresh adapters, its steps timed; `relayOnce()` until it relays nothing. */
function timedRelay(bench: Bench, post?: typeof postDelivery): { relay: EventRelay; steps: Steps } {
  const events = createMongoEventAdapters(bench.mongo);
  const steps = new Steps(bench);
  const relay = new EventRelay(
    {
      outbox: timed(events.outbox, steps, 'outbox', ['pending', 'markPublished']),
      log: timed(events.log, steps, 'log', ['append']),
      endpoints: timed(events.endpoints, steps, 'endpoints', ['list']),
      deliveries: timed(events.deliveries, steps, 'deliveries', ['enqueue', 'waiting', 'recordAttempt']),
      lease: HELD,
      ...(post ? { post } : {}),
    },
    { batchSize: bench.settings.batch, urlPolicy: LOOPBACK },
  );
  return { relay, steps };
}

async function drainOutbox(bench: Bench, relay: EventRelay, steps: Steps): Promise<RelayRun> {
  const commandsBefore = [...bench.commands.entries()].filter(([label]) => label.startsWith('step:')).reduce((sum, [, count]) => sum + count, 0);
  let events = 0;
  let rounds = 0;
  const started = performance.now();
  for (;;) {
    const relayed = await relay.relayOnce();
    if (relayed === 0) break;
    events += relayed;
    rounds += 1;
    if (rounds % 20 === 0) process.stdout.write('.');
  }
  const elapsed = seconds(started);
  const commandsAfter = [...bench.commands.entries()].filter(([label]) => label.startsWith('step:')).reduce((sum, [, count]) => sum + count, 0);
  return { events, rounds, seconds: elapsed, steps, commands: commandsAfter - commandsBefore };
}

/** The commands a label sent so far, by name: `insert 100, find 4`. */
function commandsByName(bench: Bench, label: string): string {
  return [...bench.commandNames.entries()]
    .filter(([key]) => key.startsWith(`${label}|`))
    .sort((left, right) => right[1] - left[1])
    .map(([key, count]) => `${key.slice(label.length + 1)} ${count}`)
    .join(', ');
}

function stepTable(bench: Bench, run: RelayRun, per: number, unit: string): string {
  const rows = [['step', 'calls', 's', '% of run', `ms per 1,000 ${unit}`, 'db commands', `per ${unit.replace(/s$/, '')}`, 'by command']];
  for (const [name, entry] of run.steps.spent) {
    rows.push([
      name,
      String(entry.calls),
      (entry.ms / 1000).toFixed(1),
      `${Math.round((entry.ms / 1000 / run.seconds) * 100)}%`,
      num((entry.ms / per) * 1000),
      String(entry.commands),
      num(entry.commands / per),
      commandsByName(bench, `step:${name}`),
    ]);
  }
  const stepped = [...run.steps.spent.values()].reduce((sum, entry) => sum + entry.ms, 0) / 1000;
  rows.push(['(between steps: mapping, in this process)', '', (run.seconds - stepped).toFixed(1), `${Math.round(((run.seconds - stepped) / run.seconds) * 100)}%`, num(((run.seconds - stepped) * 1000 * 1000) / per), '', '', '']);
  return table(rows);
}

async function partOne(bench: Bench): Promise<{ ratio: number; relayRate: number; rawRate: number }> {
  const { settings } = bench;
  const tenants = tenantsOf(settings);
  await resetDatabase(bench);
  process.stdout.write(`\n(1) building a backlog of ${settings.events} events… `);
  const built = await buildBacklog(bench, settings.events, tenants);
  console.log(`${built.documents} partners (${built.events} events) saved through partners.saveMany in ${built.seconds.toFixed(1)} s`);

  process.stdout.write(`(1) raw driver reads, ${settings.rawPasses} passes `);
  const passes: RawPass[] = [];
  for (let pass = 0; pass < settings.rawPasses; pass += 1) {
    passes.push(await rawPass(bench));
    process.stdout.write('.');
  }
  console.log('');
  for (const pass of passes) {
    if (pass.events !== built.events) throw new Error(`the raw read found ${pass.events} waiting events, ${built.events} were saved`);
  }

  process.stdout.write('(1) relay draining the backlog ');
  const { relay, steps } = timedRelay(bench);
  const run = await drainOutbox(bench, relay, steps);
  console.log('');
  const left = await rawPass(bench);
  if (run.events !== built.events || left.events !== 0) throw new Error(`the relay relayed ${run.events} of ${built.events} events, ${left.events} still wait`);
  const events = createMongoEventAdapters(bench.mongo);
  const logged = (await Promise.all(tenants.map((tenant) => events.log.head(tenant)))).reduce((sum, head) => sum + head, 0);

  const rawRates = passes.map((pass) => pass.events / pass.seconds);
  const readOnlyRates = passes.map((pass) => pass.events / (pass.seconds - pass.decodeSeconds));
  const rawRate = median(rawRates);
  const relayRate = run.events / run.seconds;
  const ratio = relayRate / rawRate;
  console.log(`\n(1) relay vs raw reads: ${built.events} events in ${built.documents} documents (one partner.created each), ${tenants.length} tenant(s), batches of ${settings.batch}`);
  console.log(
    table([
      ['side', 'events', 's', 'events/s', 'db commands', 'note'],
      ...passes.map((pass, index) => [
        `raw pass ${index + 1}`,
        String(pass.events),
        pass.seconds.toFixed(2),
        num(pass.events / pass.seconds),
        String(pass.commands),
        `cursor find({ outboxPending: true }) + JSON.parse of each entry (${(pass.decodeSeconds * 1000).toFixed(0)} ms of it)`,
      ]),
      ['raw (median)', '', '', num(rawRate), '', `without the parsing: ${num(median(readOnlyRates))} events/s`],
      ['relay', String(run.events), run.seconds.toFixed(1), num(relayRate), String(run.commands), `${run.rounds} relayOnce() rounds; ${logged} events in the tenants' logs after`],
    ]),
  );
  console.log(`\n(1) where the relay's time went (${run.events} events, ${run.seconds.toFixed(1)} s):`);
  console.log(stepTable(bench, run, run.events, 'events'));
  console.log(`(1) relay ${num(relayRate)} events/s, raw reads ${num(rawRate)} events/s, ratio ${ratio.toFixed(3)} (goal ≥ ${RELAY_GOAL}) ${verdict(ratio >= RELAY_GOAL)}`);
  return { ratio, relayRate, rawRate };
}

// ---------------------------------------------------------------------------------------------------------------
// The receiver

interface Receiver {
  readonly url: string;
  /** Requests answered so far, in all and per path. */
  count(): number;
  perPath(): ReadonlyMap<string, number>;
  /** Distinct `webhook-id` + path pairs received (an event delivered twice to one endpoint counts once). */
  distinct(): number;
  close(): Promise<void>;
}

/** A webhook receiver on loopback: reads the body, answers 204. */
async function startReceiver(): Promise<Receiver> {
  let count = 0;
  const perPath = new Map<string, number>();
  const seen = new Set<string>();
  const server: Server = createServer((request, response) => {
    request.on('data', () => undefined);
    request.on('end', () => {
      count += 1;
      const path = request.url ?? '/';
      perPath.set(path, (perPath.get(path) ?? 0) + 1);
      seen.add(`${path} ${String(request.headers['webhook-id'])}`);
      response.statusCode = 204;
      response.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    perPath: () => perPath,
    distinct: () => seen.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2: webhook deliveries

async function partTwo(bench: Bench, receiver: Receiver): Promise<{ rate: number }> {
  const { settings } = bench;
  const [tenant] = tenantsOf({ ...settings, tenants: 1 }) as [TenantId];
  await resetDatabase(bench);
  const events = createMongoEventAdapters(bench.mongo);
  for (let index = 1; index <= settings.hookEndpoints; index += 1) {
    await events.endpoints.create({ tenantId: tenant, id: `ep-${index}`, url: `${receiver.url}/hooks/ep-${index}`, eventTypes: ['*'], enabled: true, secret: generateWebhookSecret(), at: new Date() });
  }
  process.stdout.write(`\n(2) ${settings.hookEndpoints} endpoints on ${receiver.url}; building ${settings.hookEvents} events… `);
  const built = await buildBacklog(bench, settings.hookEvents, [tenant]);
  console.log(`${built.seconds.toFixed(1)} s`);

  const latencies: number[] = [];
  const post: typeof postDelivery = async (...args) => {
    const started = performance.now();
    const result = await postDelivery(...args);
    latencies.push(performance.now() - started);
    return result;
  };
  process.stdout.write('(2) relaying (deliveries queued) ');
  const relayed = timedRelay(bench, post);
  const run = await drainOutbox(bench, relayed.relay, relayed.steps);
  const expected = run.events * settings.hookEndpoints;
  console.log(` ${run.events} events (${settings.hookEndpoints} of them the endpoints' own), ${expected} deliveries queued in ${run.seconds.toFixed(1)} s: ${num(run.events / run.seconds)} events/s`);

  process.stdout.write('(2) sending ');
  // A relay of its own, so that the sender's steps (its `waiting` reads, `recordAttempt` writes) are timed apart.
  const sender = timedRelay(bench, post);
  const receivedBefore = receiver.count();
  const namesBefore = new Map(bench.allNames);
  const started = performance.now();
  let attempts = 0;
  let rounds = 0;
  let idle = 0;
  // As the relay's loop does: a round that sent nothing is followed by a pause of `idleMs`. `sendOnce` reads the
  // waiting deliveries again at once only when new ones were queued since; otherwise after SEND_CHECK_MS (2 s).
  const deadline = performance.now() + settings.drainSeconds * 1000;
  while (performance.now() < deadline) {
    const sent = await sender.relay.sendOnce();
    attempts += sent;
    if (sent > 0) {
      rounds += 1;
      process.stdout.write('.');
      continue;
    }
    if ((await events.deliveries.backlog(new Date())).waiting === 0) break;
    const pause = performance.now();
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_RELAY_SETTINGS.idleMs));
    idle += performance.now() - pause;
  }
  const elapsed = seconds(started);
  const metrics = sender.relay.metrics();
  const backlog = await events.deliveries.backlog(new Date());
  const received = receiver.count() - receivedBefore;
  // Counted over the whole send phase (the steps run 16 at a time, so per-step labels would mix), the backlog polls included.
  const sent = [...bench.allNames.entries()].map(([name, count]) => [name, count - (namesBefore.get(name) ?? 0)] as const).filter(([, count]) => count > 0);
  const sendCommands = sent.reduce((sum, [, count]) => sum + count, 0);
  const rate = metrics.deliveriesSent / elapsed;
  console.log('');
  console.log(`\n(2) webhook deliveries: ${settings.hookEndpoints} endpoints × ${run.events} events, sendOnce() until none waits (sendConcurrency ${DEFAULT_RELAY_SETTINGS.sendConcurrency})`);
  console.log(
    table([
      ['deliveries', 'attempts', 'failed attempts', 'received', 'distinct', 'still waiting', 's', 'deliveries/s', 'POST p50 ms', 'POST p99 ms', 'db commands per delivery', 'rounds', 'idle s'],
      [
        String(metrics.deliveriesSent),
        String(attempts),
        String(metrics.deliveriesFailedAttempts),
        String(received),
        String(receiver.distinct()),
        String(backlog.waiting),
        elapsed.toFixed(1),
        num(rate),
        num(percentile(latencies, 50)),
        num(percentile(latencies, 99)),
        num(sendCommands / Math.max(1, metrics.deliveriesSent)),
        String(rounds),
        (idle / 1000).toFixed(1),
      ],
    ]),
  );
  console.log(`(2) where the sender's time went (${metrics.deliveriesSent} deliveries, ${elapsed.toFixed(1)} s; the steps overlap: ${DEFAULT_RELAY_SETTINGS.sendConcurrency} sends at once):`);
  const sendRows = [['step', 'calls', 'summed s']];
  for (const [name, entry] of sender.steps.spent) sendRows.push([name, String(entry.calls), (entry.ms / 1000).toFixed(1)]);
  sendRows.push(['POST to the receiver', String(latencies.length), (latencies.reduce((sum, value) => sum + value, 0) / 1000).toFixed(1)]);
  console.log(table(sendRows));
  console.log(`(2) db commands while sending: ${sent.sort((left, right) => right[1] - left[1]).map(([name, count]) => `${name} ${count}`).join(', ')}`);
  if (metrics.deliveriesSent !== expected || backlog.waiting !== 0) console.log(`(2) CHECK: expected ${expected} deliveries, ${metrics.deliveriesSent} were sent, ${backlog.waiting} still wait`);
  console.log(`(2) webhook delivery rate: ${num(rate)} deliveries/s to a local receiver (POST p50 ${num(percentile(latencies, 50))} ms, p99 ${num(percentile(latencies, 99))} ms)`);
  return { rate };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 3: the API's writes with and without endpoints

interface ApiClient {
  readonly api: OurApi;
  headers(): Promise<Record<string, string>>;
}

async function call(client: ApiClient, method: string, path: string, body: unknown, expected: number): Promise<unknown> {
  const headers = await client.headers();
  const response = await fetch(`${client.api.url}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

interface EventMetrics {
  readonly outbox: { readonly waiting: number; readonly oldestAgeMs: number };
  readonly deliveries: { readonly waiting: number; readonly oldestAgeMs: number };
  readonly relay: { readonly relayed: number; readonly deliveriesSent: number; readonly relayFailures: number; readonly deliveriesFailedAttempts: number } | null;
}

const eventMetrics = (client: ApiClient): Promise<EventMetrics> => call(client, 'GET', '/v1/admin/events', undefined, 200) as Promise<EventMetrics>;

/** Waits until nothing waits in the outbox nor in the deliveries; how long it took (undefined: not within the limit). */
async function drained(client: ApiClient, limitSeconds: number): Promise<number | undefined> {
  const started = performance.now();
  while (seconds(started) < limitSeconds) {
    const metrics = await eventMetrics(client);
    if (metrics.outbox.waiting === 0 && metrics.deliveries.waiting === 0) return seconds(started);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

const ADDRESS = { purpose: 'billing', lines: ['Friedrichstraße 1'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' };

interface WriteRun {
  readonly kind: 'A' | 'B';
  readonly round: number;
  readonly ok: number;
  readonly errors: number;
  readonly lastError?: string;
  readonly seconds: number;
  readonly latencies: readonly number[];
  /** Deliveries the receiver got during the run, and once drained. */
  readonly receivedDuring: number;
  readonly receivedAfter: number;
  /** The relay's backlog at the end of the run. */
  readonly endOutbox: EventMetrics['outbox'];
  readonly endDeliveries: EventMetrics['deliveries'];
  readonly drainSeconds?: number;
}

let partnerSerial = 0;

async function writeRun(client: ApiClient, receiver: Receiver, settings: Settings, kind: 'A' | 'B', round: number): Promise<WriteRun> {
  const headers = { ...(await client.headers()), 'content-type': 'application/json' };
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let lastError: string | undefined;
  const receivedBefore = receiver.count();
  const started = performance.now();
  const deadline = started + settings.seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      partnerSerial += 1;
      const body = JSON.stringify({ kind: 'company', legalName: `Customer ${partnerSerial} GmbH`, identifiers: { vatId: 'DE123456789' }, addresses: [ADDRESS] });
      const sent = performance.now();
      try {
        const response = await fetch(`${client.api.url}/v1/partners`, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
        const text = await response.text();
        if (response.status === 201) {
          ok += 1;
          latencies.push(performance.now() - sent);
        } else {
          errors += 1;
          lastError = `${response.status}: ${text.slice(0, 200)}`;
        }
      } catch (error) {
        errors += 1;
        lastError = (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: settings.workers }, worker));
  const elapsed = seconds(started);
  const receivedDuring = receiver.count() - receivedBefore;
  const end = await eventMetrics(client);
  const drainSeconds = await drained(client, settings.drainSeconds);
  return {
    kind,
    round,
    ok,
    errors,
    ...(lastError === undefined ? {} : { lastError }),
    seconds: elapsed,
    latencies,
    receivedDuring,
    receivedAfter: receiver.count() - receivedBefore,
    endOutbox: end.outbox,
    endDeliveries: end.deliveries,
    ...(drainSeconds === undefined ? {} : { drainSeconds }),
  };
}

async function partThree(settings: Settings, env: { readonly MONGO_URL: string; readonly KEYCLOAK_URL: string; readonly KEYCLOAK_REALM: string }, realm: RealmLocation, receiver: Receiver, undo: ReturnType<typeof startUndo>): Promise<{ ratio: number }> {
  const dbName = `bench_events_api_${randomBytes(4).toString('hex')}`;
  undo.push({ what: `drop ${dbName}`, step: () => dropDatabase(env.MONGO_URL, dbName) });
  const api = await startOurApi({
    MONGO_URL: env.MONGO_URL,
    KEYCLOAK_URL: env.KEYCLOAK_URL,
    KEYCLOAK_REALM: env.KEYCLOAK_REALM,
    MONGO_DB: dbName,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_CLIENT: '0',
    RATE_LIMIT_PER_TENANT: '0',
    EVENTS_RELAY: 'in-process',
    WEBHOOK_INSECURE_TENANTS: '*',
  });
  undo.push({ what: 'stop the API', step: () => api.close() });
  const user = demoUser('acme', 'admin');
  let token: { value: string; at: number } | undefined;
  const client: ApiClient = {
    api,
    async headers() {
      // Keycloak's tokens last 5 minutes: a fresh one every 2.
      if (!token || Date.now() - token.at > 120_000) token = { value: (await passwordGrant(realm, user)).access_token, at: Date.now() };
      return { authorization: `Bearer ${token.value}` };
    },
  };
  console.log(`\n(3) API (pid ${api.pid}) at ${api.url}, database ${dbName}, relay in-process; ${settings.workers} workers POST /v1/partners for ${settings.seconds} s per run`);

  const endpointIds: string[] = [];
  const addEndpoints = async (): Promise<void> => {
    for (let index = 1; index <= settings.apiEndpoints; index += 1) {
      const created = (await call(client, 'POST', '/v1/webhook-endpoints', { url: `${receiver.url}/api/ep-${index}`, eventTypes: ['*'] }, 201)) as { id: string };
      endpointIds.push(created.id);
    }
    await drained(client, settings.drainSeconds);
  };
  const removeEndpoints = async (): Promise<void> => {
    for (const id of endpointIds.splice(0)) await call(client, 'DELETE', `/v1/webhook-endpoints/${id}`, undefined, 204);
    await drained(client, settings.drainSeconds);
  };

  // Warm-up: JIT, pools, the token verifier's keys; not reported.
  process.stdout.write('(3) warm-up… ');
  await writeRun(client, receiver, { ...settings, seconds: Math.min(settings.seconds, 3) }, 'A', 0);
  console.log('done');
  const runs: WriteRun[] = [];
  for (let round = 1; round <= settings.apiRounds; round += 1) {
    // A, B in odd rounds; B, A in even ones: neither always runs on a warmer (or busier) machine.
    const order: ('A' | 'B')[] = round % 2 === 1 ? ['A', 'B'] : ['B', 'A'];
    for (const kind of order) {
      // B after B (rounds 1 and 2) keeps the same endpoints; A after B removes them.
      if (kind === 'B' && endpointIds.length === 0) await addEndpoints();
      else if (kind === 'A' && endpointIds.length > 0) await removeEndpoints();
      process.stdout.write(`(3) round ${round} ${kind}… `);
      const run = await writeRun(client, receiver, settings, kind, round);
      runs.push(run);
      console.log(`${num(run.ok / run.seconds)} writes/s${run.errors > 0 ? `, ${run.errors} errors (last: ${run.lastError})` : ''}`);
    }
  }
  if (endpointIds.length > 0) await removeEndpoints();
  const final = await eventMetrics(client);

  const rate = (run: WriteRun): number => run.ok / run.seconds;
  console.log(`\n(3) API writes (POST /v1/partners, ${settings.workers} workers, ${settings.seconds} s per run): A without endpoints, B with ${settings.apiEndpoints} endpoints on the local receiver`);
  console.log(
    table([
      ['run', 'writes', 'errors', 'writes/s', 'p50 ms', 'p99 ms', 'deliveries during', 'deliveries once drained', 'outbox waiting at end', 'oldest waiting ms', 'deliveries waiting at end', 'drained in s'],
      ...runs.map((run) => [
        `${run.round} ${run.kind}`,
        String(run.ok),
        String(run.errors),
        num(rate(run)),
        num(percentile(run.latencies, 50)),
        num(percentile(run.latencies, 99)),
        run.kind === 'B' ? String(run.receivedDuring) : '-',
        run.kind === 'B' ? String(run.receivedAfter) : '-',
        String(run.endOutbox.waiting),
        String(run.endOutbox.oldestAgeMs),
        String(run.endDeliveries.waiting),
        run.drainSeconds === undefined ? `> ${settings.drainSeconds}` : run.drainSeconds.toFixed(1),
      ]),
    ]),
  );
  const a = median(runs.filter((run) => run.kind === 'A').map(rate));
  const b = median(runs.filter((run) => run.kind === 'B').map(rate));
  const ratio = b / a;
  const roundRatios = Array.from({ length: settings.apiRounds }, (_, index) => {
    const pair = runs.filter((run) => run.round === index + 1);
    return rate(pair.find((run) => run.kind === 'B') as WriteRun) / rate(pair.find((run) => run.kind === 'A') as WriteRun);
  });
  const totalErrors = runs.reduce((sum, run) => sum + run.errors, 0);
  if (final.relay) console.log(`(3) the API's relay: ${final.relay.relayed} events relayed, ${final.relay.deliveriesSent} deliveries sent, ${final.relay.deliveriesFailedAttempts} failed attempts, ${final.relay.relayFailures} failed rounds`);
  console.log(`(3) rounds' own ratios B/A: ${roundRatios.map((value) => value.toFixed(2)).join(', ')}${totalErrors > 0 ? `; ${totalErrors} writes failed (see the table)` : ''}`);
  console.log(`(3) API writes: ${num(a)} writes/s without endpoints, ${num(b)} with ${settings.apiEndpoints}, ratio ${ratio.toFixed(2)} (goal ≥ ${WRITE_GOAL}) ${verdict(ratio >= WRITE_GOAL)}`);
  return { ratio };
}

// ---------------------------------------------------------------------------------------------------------------
// The bench

export async function main(_args: readonly string[]): Promise<number> {
  const wallStart = performance.now();
  let settings: Settings;
  try {
    settings = settingsFromEnv();
  } catch (error) {
    console.error(`${NAME}: ${(error as Error).message}`);
    return 2;
  }
  const undo = startUndo(NAME);
  try {
    const stack = await benchStack(NAME, undo);
    if (!stack) return 1;
    const { MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM } = stack.env;
    const receiver = await startReceiver();
    undo.push({ what: 'close the receiver', step: () => receiver.close() });

    const dbName = `bench_events_${randomBytes(4).toString('hex')}`;
    const mongo = await connectMongo({ url: MONGO_URL, dbName, serverSelectionTimeoutMs: 5_000, monitorCommands: true });
    undo.push({ what: 'close the connection', step: () => mongo.close() });
    undo.push({ what: `drop ${dbName}`, step: () => dropDatabase(MONGO_URL, dbName) });
    const bench: Bench = { mongo, adapters: createMongoAdapters(mongo), billing: createMongoBillingAdapters(mongo), dbName, settings, commands: new Map(), commandNames: new Map(), allNames: new Map(), label: 'setup' };
    mongo.connection.getClient().on('commandStarted', (event: { commandName: string }) => {
      bench.commands.set(bench.label, (bench.commands.get(bench.label) ?? 0) + 1);
      const key = `${bench.label}|${event.commandName}`;
      bench.commandNames.set(key, (bench.commandNames.get(key) ?? 0) + 1);
      bench.allNames.set(event.commandName, (bench.allNames.get(event.commandName) ?? 0) + 1);
    });

    const build = (await mongo.connection.getClient().db(dbName).admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    const server = build.ferretdbVersion ? `FerretDB ${build.ferretdbVersion}` : `MongoDB ${build.version ?? '?'}`;
    const cpus = os.cpus();
    console.log(`${NAME} on ${redact(MONGO_URL)} (${server}, ${stack.origin.mongo}), database ${dbName}`);
    console.log(`  machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, node ${process.version}, load average ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} (shared: compare ratios, not rates)`);
    console.log(
      `  settings: BENCH_EVENTS=${settings.events} BENCH_BATCH=${settings.batch} BENCH_TENANTS=${settings.tenants} BENCH_RAW_PASSES=${settings.rawPasses} ` +
        `BENCH_HOOK_ENDPOINTS=${settings.hookEndpoints} BENCH_HOOK_EVENTS=${settings.hookEvents} BENCH_SECONDS=${settings.seconds} BENCH_WORKERS=${settings.workers} ` +
        `BENCH_API_ROUNDS=${settings.apiRounds} BENCH_API_ENDPOINTS=${settings.apiEndpoints} BENCH_PARTS=${settings.parts.join(',')}`,
    );

    const summary: string[] = [];
    if (settings.parts.includes(1)) {
      const one = await partOne(bench);
      summary.push(`(1) relay ${num(one.relayRate)} events/s vs raw reads ${num(one.rawRate)} events/s: ratio ${one.ratio.toFixed(3)} (goal ≥ ${RELAY_GOAL}) ${verdict(one.ratio >= RELAY_GOAL)}`);
    }
    if (settings.parts.includes(2)) {
      const two = await partTwo(bench, receiver);
      summary.push(`(2) webhook delivery rate ${num(two.rate)} deliveries/s to a local receiver (no goal)`);
    }
    if (settings.parts.includes(3)) {
      const three = await partThree(settings, stack.env, { keycloakUrl: KEYCLOAK_URL, realm: KEYCLOAK_REALM }, receiver, undo);
      summary.push(`(3) API writes with ${settings.apiEndpoints} endpoints ÷ without: ${three.ratio.toFixed(2)} (goal ≥ ${WRITE_GOAL}) ${verdict(three.ratio >= WRITE_GOAL)}`);
    }
    console.log('');
    for (const line of summary) console.log(line);
    console.log(`load average now ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}; wall time ${seconds(wallStart).toFixed(0)} s`);
    return 0;
  } finally {
    await undo.run();
  }
}
