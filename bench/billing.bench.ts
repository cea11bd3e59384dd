/**
 * `npm run bench:billing`: usage ingestion and billing runs on the local stack, each against the raw driver writing the
 * same documents, in one run against the same server. See bench/README.md.
 *
 * (a) ingestion: `UsageEventStore.append` of batches of 1,000 events against the driver's `insertMany` of the same
 *     documents (read back from what the adapter wrote), into the same collection dropped and indexed each time.
 * (b) a billing run (`RunBilling`) over N partnerships with 3 charges each (a fee in advance, two usage charges in
 *     arrears), against the driver's `insertMany` of the invoices the run made, into the invoices collection dropped
 *     and indexed.
 * (c) the same run again, which must create nothing, against the first.
 * (d) the peak resident memory of this process during each run, for each N of `BENCH_SIZES`.
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { coreModule, tenantId, type TenantId } from '@invoicing/core';
import { FixedClock } from '@invoicing/core/testing';
import { CreatePartner, CreatePartnership, invoiceAdaptersModule, invoiceModule, type PartnershipId } from '@invoicing/invoice';
import { RecordingEventPublisher } from '@invoicing/invoice/testing';
import { RunBilling, SetBillingPlan, billingAdaptersModule, billingModule, usageEvent, type PlanTermsInput, type RecordedUsageEvent } from '@invoicing/billing';
import { connectMongo, createMongoAdapters, createMongoBillingAdapters, type MongoConnection } from '@invoicing/integration/mongodb';
import { Container } from 'inversify';
import { mongoUrl } from './stack';

const INGESTION_GOAL = 0.7;
const RUN_GOAL = 0.5;
const REPEAT_GOAL = 5;

interface Settings {
  /** Partnerships of each run, one size after the other (memory is reported for each). */
  readonly sizes: readonly number[];
  /** Usage events per usage charge and partnership. */
  readonly eventsPerCharge: number;
  /** Partnerships a run bills at once. */
  readonly concurrency: number;
}

function settingsFromEnv(): Settings {
  const sizes = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map((each) => Number(each.trim().replace(/_/g, '')));
  if (sizes.some((size) => !Number.isSafeInteger(size) || size < 1)) throw new Error(`BENCH_SIZES is a list of positive integers, got "${process.env.BENCH_SIZES}"`);
  const integer = (name: string, fallback: number): number => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
    return value;
  };
  return { sizes, eventsPerCharge: integer('BENCH_EVENTS_PER_CHARGE', 5), concurrency: integer('BENCH_CONCURRENCY', 8) };
}


const VAT = { code: 'S', rate: '20' } as const;
const TERMS: PlanTermsInput = {
  interval: 'monthly',
  charges: [
    { kind: 'recurring', code: 'seats', name: 'Seats', quantity: '5', unitPrice: '20', timing: 'advance', vat: VAT },
    { kind: 'usage', code: 'api_calls', name: 'API calls', metric: { code: 'api_calls', aggregation: 'count' }, price: { kind: 'graduated', tiers: [{ upTo: '3', unitPrice: '0.10' }, { unitPrice: '0.05' }] }, vat: VAT },
    { kind: 'usage', code: 'storage', name: 'Storage', metric: { code: 'storage_gb', aggregation: 'sum', property: 'gb' }, price: { kind: 'per_unit', unitPrice: '0.25' }, vat: VAT },
  ],
};

/** The billing container on MongoDB, with a clock the bench moves. */
function containerOn(mongo: MongoConnection, clock: FixedClock, concurrency: number) {
  const invoicing = createMongoAdapters(mongo);
  const billing = createMongoBillingAdapters(mongo);
  const container = new Container();
  container.loadSync(
    coreModule({ clock, publisher: new RecordingEventPublisher() }),
    invoiceModule({ timeZone: 'Europe/Paris' }),
    invoiceAdaptersModule(invoicing),
    billingModule({ concurrency }),
    billingAdaptersModule(billing),
  );
  return { container, invoicing, billing };
}

type Bench = ReturnType<typeof containerOn>;

async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await task(items[next++] as T);
  }));
}

const seconds = (started: number): number => (performance.now() - started) / 1000;
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const fixed = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toPrecision(3));

const collect = (globalThis as { gc?: () => void }).gc;

/**
 * Samples this process's resident memory every 50 ms while `work` runs and, when started with `--expose-gc`, the heap
 * left after a full collection every 2 s: what the run holds, rather than what the collector has not yet reclaimed.
 */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peak: number; heapAfterGc?: number }> {
  let peak = process.memoryUsage.rss();
  let heapAfterGc: number | undefined;
  const rss = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const heap = collect
    ? setInterval(() => {
        collect();
        heapAfterGc = Math.max(heapAfterGc ?? 0, process.memoryUsage().heapUsed);
      }, 2000)
    : undefined;
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()), ...(heapAfterGc === undefined ? {} : { heapAfterGc }) };
  } finally {
    clearInterval(rss);
    if (heap) clearInterval(heap);
  }
}

/** Partnerships with the plan, between one seller and a buyer each. */
async function seed(bench: Bench, tenant: TenantId, size: number): Promise<PartnershipId[]> {
  const { container } = bench;
  const address = { lines: ['1 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' };
  const seller = await container.get(CreatePartner).execute({ tenantId: tenant, legalName: 'Bench Seller SAS', identifiers: { vatId: 'FR12345678901' }, addresses: [address] });
  const ids: PartnershipId[] = [];
  await pool(
    Array.from({ length: size }, (_, index) => index),
    16,
    async (index) => {
      const buyer = await container.get(CreatePartner).execute({ tenantId: tenant, legalName: `Buyer ${index} SARL`, addresses: [address] });
      const partnership = await container.get(CreatePartnership).execute({ tenantId: tenant, sellerId: seller.id, buyerId: buyer.id, currency: 'EUR', paymentTerms: { kind: 'net', days: 30 }, validFrom: '2026-01-01' });
      await container.get(SetBillingPlan).execute({ tenantId: tenant, partnershipId: partnership.id, effectiveFrom: '2026-03-01', terms: TERMS });
      ids.push(partnership.id);
    },
  );
  return ids;
}

/** Each partnership's March usage: `perCharge` calls and as many storage readings, received on 31 March. */
function usageOf(tenant: TenantId, partnerships: readonly PartnershipId[], perCharge: number): RecordedUsageEvent[] {
  const receivedAt = new Date('2026-03-31T12:00:00Z');
  return partnerships.flatMap((partnershipId, p) =>
    Array.from({ length: perCharge }, (_, index) => {
      const timestamp = `2026-03-${String(1 + ((p + index) % 28)).padStart(2, '0')}T10:00:00Z`;
      return [
        { ...usageEvent(tenant, { eventId: `${partnershipId}-call-${index}`, metricCode: 'api_calls', timestamp, partnershipId }, receivedAt), partnershipId, receivedAt },
        { ...usageEvent(tenant, { eventId: `${partnershipId}-gb-${index}`, metricCode: 'storage_gb', timestamp, partnershipId, properties: { gb: `${index}.25` } }, receivedAt), partnershipId, receivedAt },
      ];
    }).flat(),
  );
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** Drops a collection and creates it again with the adapters' indexes. */
async function fresh(bench: Bench, name: string): Promise<void> {
  await bench.invoicing.models[name as keyof typeof bench.invoicing.models]?.collection.drop().catch(() => undefined);
  await bench.billing.models[name as keyof typeof bench.billing.models]?.collection.drop().catch(() => undefined);
  await bench.invoicing.ensureIndexes();
  await bench.billing.ensureIndexes();
}

/** Inserts documents with the driver, 1,000 at a time, unordered, as the adapters' bulk writes do. */
async function rawInsert(collection: { insertMany(documents: never[], options: { ordered: boolean }): Promise<unknown> }, documents: readonly object[]): Promise<number> {
  const started = performance.now();
  for (const batch of batches(documents, 1000)) await collection.insertMany(batch as never[], { ordered: false });
  return seconds(started);
}

/** Appends the events through the adapter, then writes the same documents with the driver; only the times are kept. */
async function ingest(bench: Bench, events: readonly RecordedUsageEvent[]): Promise<{ readonly events: number; readonly adapter: number; readonly raw: number }> {
  const usage = bench.billing.models.usage_events.collection;
  await fresh(bench, 'usage_events');
  const started = performance.now();
  for (const batch of batches(events, 1000)) await bench.billing.usage.append(batch);
  const adapter = seconds(started);
  const written = await usage.find({}).toArray();
  await fresh(bench, 'usage_events');
  const raw = await rawInsert(usage, written);
  return { events: events.length, adapter, raw };
}

interface SizeResult {
  readonly size: number;
  readonly setup: number;
  readonly events: number;
  readonly ingestion: { readonly adapter: number; readonly raw: number };
  readonly invoices: number;
  readonly run: number;
  readonly rawInvoices: number;
  readonly repeat: number;
  readonly repeatCreated: number;
  readonly peak: number;
  readonly heapAfterGc?: number;
}

async function measureSize(mongo: MongoConnection, size: number, settings: Settings, log: (line: string) => void): Promise<SizeResult> {
  const clock = new FixedClock(new Date('2026-03-01T06:00:00Z'));
  const bench = containerOn(mongo, clock, settings.concurrency);
  const tenant = tenantId(`bench-${size}-${Date.now()}`);
  let started = performance.now();
  const partnerships = await seed(bench, tenant, size);
  const setup = seconds(started);
  log(`  ${size} partnerships with a plan in ${setup.toFixed(1)} s`);

  // (a) Ingestion: the adapter first, then the driver with what the adapter wrote (each into a fresh collection).
  const ingestion = await ingest(bench, usageOf(tenant, partnerships, settings.eventsPerCharge));
  log(`  ${ingestion.events} usage events: adapter ${ingestion.adapter.toFixed(2)} s, driver ${ingestion.raw.toFixed(2)} s`);

  // (b) The run on 1 April: 1 March's fees, then March's usage with April's fees.
  clock.set(new Date('2026-04-01T06:00:00Z'));
  started = performance.now();
  const first = await peakMemory(() => bench.container.get(RunBilling).execute({ tenantId: tenant }));
  const run = seconds(started);
  if (first.result.counts.failed > 0) log(`  the run failed for ${first.result.counts.failed} partnerships: ${JSON.stringify(first.result.failures.slice(0, 3))}`);
  const made = await bench.invoicing.models.invoices.collection.find({}).toArray();
  log(`  run: ${made.length} invoices in ${run.toFixed(1)} s, peak RSS ${mb(first.peak)} MB${first.heapAfterGc === undefined ? '' : `, peak heap after GC ${mb(first.heapAfterGc)} MB`}`);

  // The driver writes the same invoices into the invoices collection, dropped and indexed.
  await fresh(bench, 'invoices');
  const rawInvoices = await rawInsert(bench.invoicing.models.invoices.collection, made);
  log(`  the same invoices by insertMany: ${rawInvoices.toFixed(2)} s`);

  // (c) The same run again: every date is billed, nothing is created.
  started = performance.now();
  const again = await bench.container.get(RunBilling).execute({ tenantId: tenant });
  const repeat = seconds(started);
  const after = await bench.invoicing.models.invoices.collection.countDocuments({});
  return {
    size,
    setup,
    events: ingestion.events,
    ingestion,
    invoices: made.length,
    run,
    rawInvoices,
    repeat,
    repeatCreated: again.counts.bills + (after - made.length),
    peak: first.peak,
    ...(first.heapAfterGc === undefined ? {} : { heapAfterGc: first.heapAfterGc }),
  };
}

export async function main(): Promise<number> {
  const settings = settingsFromEnv();
  const url = mongoUrl();
  if (!url) {
    console.error('Start the local stack with `npm run stack:up`, or set MONGO_URL to a reachable MongoDB (or FerretDB) server.');
    return 1;
  }
  const prefix = `bench_billing_${Date.now()}`;
  console.log(`bench:billing: sizes ${settings.sizes.join(', ')}, ${settings.eventsPerCharge} events per usage charge, ${settings.concurrency} partnerships at once`);
  const results: SizeResult[] = [];
  for (const size of settings.sizes) {
    // A database per size: every collection holds that size's data only, as the driver's side rewrites it.
    const mongo = await connectMongo({ url, dbName: `${prefix}_${size}`, socketTimeoutMs: 600_000 });
    const drop = async (): Promise<void> => {
      await mongo.connection.dropDatabase().catch(() => undefined);
      await mongo.close();
    };
    const interrupted = (): void => void drop().then(() => process.exit(130));
    process.once('SIGINT', interrupted);
    try {
      console.log(`\n${size} partnerships × 3 charges (${prefix}_${size})`);
      results.push(await measureSize(mongo, size, settings, (line) => console.log(line)));
    } finally {
      process.off('SIGINT', interrupted);
      await drop();
    }
  }
  const header = ['partnerships', 'events', 'ingest adapter/raw', 'invoices', 'run s', 'raw insert s', 'raw/run', 'repeat s', 'first/repeat', 'repeat created', 'peak RSS MB'];
  const rows = results.map((each) => [
    String(each.size),
    String(each.events),
    (each.ingestion.raw / each.ingestion.adapter).toFixed(2),
    String(each.invoices),
    fixed(each.run),
    fixed(each.rawInvoices),
    (each.rawInvoices / each.run).toFixed(3),
    fixed(each.repeat),
    (each.run / each.repeat).toFixed(1),
    String(each.repeatCreated),
    mb(each.peak),
  ]);
  const widths = header.map((cell, c) => Math.max(cell.length, ...rows.map((row) => (row[c] as string).length)));
  console.log('\n' + header.map((cell, c) => cell.padStart(widths[c] as number)).join('  '));
  for (const row of rows) console.log(row.map((cell, c) => cell.padStart(widths[c] as number)).join('  '));
  const last = results.at(-1) as SizeResult;
  const verdict = (ok: boolean): string => (ok ? 'OK' : 'MISSED');
  const ingestion = last.ingestion.raw / last.ingestion.adapter;
  console.log(`\n(a) ingestion: adapter ${fixed(last.events / last.ingestion.adapter)} events/s, raw ${fixed(last.events / last.ingestion.raw)} events/s, ratio ${ingestion.toFixed(2)} (goal ≥ ${INGESTION_GOAL}) ${verdict(ingestion >= INGESTION_GOAL)}`);
  console.log(`(b) run: ${fixed(last.invoices / last.run)} invoices/s, raw insertMany ${fixed(last.invoices / last.rawInvoices)} invoices/s, ratio ${(last.rawInvoices / last.run).toFixed(3)} (goal ≥ ${RUN_GOAL}) ${verdict(last.rawInvoices / last.run >= RUN_GOAL)}`);
  console.log(`(c) repeat: ${fixed(last.repeat)} s, ${(last.run / last.repeat).toFixed(1)}× faster than the first, created ${last.repeatCreated} (goal ≥ ${REPEAT_GOAL}×, 0 created) ${verdict(last.run / last.repeat >= REPEAT_GOAL && last.repeatCreated === 0)}`);
  console.log(`(d) peak RSS: ${results.map((each) => `${each.size}: ${mb(each.peak)} MB`).join(', ')}`);
  if (collect) console.log(`    peak heap after GC: ${results.map((each) => `${each.size}: ${mb(each.heapAfterGc ?? 0)} MB`).join(', ')}`);
  return 0;
}
