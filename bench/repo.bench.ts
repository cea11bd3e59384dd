/**
 * `npm run bench:repo`: what the MongoDB invoice repository costs over the raw driver, measured in one run against
 * the same server, database and collection. See bench/README.md.
 *
 * 1. get-by-id: `invoices.get(tenant, id)` (mongoose findOne + lean, decode, Invoice.restore) against the driver's
 *    `findOne({ _id })` of the same documents: the same ids in the same order, the same concurrency; rounds alternate
 *    which side goes first.
 * 2. bulk save: `invoices.saveMany` of new invoices (toState, encode, derive, one unordered insertMany per batch)
 *    against the driver's `insertMany(batch, { ordered: false })` of the same invoices as documents built by the
 *    repository's own `AggregateStore.toDocument` (checked byte for byte against what the repository writes), the
 *    same batch size, each run into the same collection freshly dropped and indexed. Aggregates and raw documents are
 *    built before the clock starts; the repository's mapping is part of what it is timed on.
 */
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { BSON } from 'mongodb';
import type { TenantId } from '@invoicing/core';
import { Invoice, type InvoiceId, type InvoiceState } from '@invoicing/invoice';
import { aDraft, aPartner, aPartnership, aTenant, issue } from '@invoicing/invoice/testing';
import { DatabaseUnavailableError, connectMongo, createMongoAdapters, documentId, redact, type MongoAdapters, type MongoConnection } from '@invoicing/integration/mongodb';
import { AggregateStore, DocumentLocks, invoiceMapper } from '@invoicing/integration/testing';
import { mongoUrl } from './stack';
import { intFromEnv, median } from './figures';

const GOAL = 0.7;

interface Settings {
  /** New invoices per bulk-save run. */
  readonly invoices: number;
  /** Reads per get-by-id run (at most: a run also stops at `readSeconds`). */
  readonly reads: number;
  /** Invoices seeded for the reads; the ids read are drawn from them. */
  readonly readSet: number;
  /** Invoices per saveMany / insertMany call. */
  readonly batch: number;
  /** Reads in flight at once (1: one await after the other). */
  readonly concurrency: number;
  readonly readRounds: number;
  readonly saveRounds: number;
  /** Time box of one get-by-id run, in seconds (0: none). */
  readonly readSeconds: number;
  /** Time box of one bulk-save run, in seconds (0: none); the run stops after the batch that crosses it. */
  readonly saveSeconds: number;
}

function settingsFromEnv(): Settings {
  return {
    invoices: intFromEnv('BENCH_INVOICES', 50_000),
    reads: intFromEnv('BENCH_READS', 5_000),
    readSet: intFromEnv('BENCH_READ_SET', 2_000),
    batch: intFromEnv('BENCH_BATCH', 1_000),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 1),
    readRounds: intFromEnv('BENCH_READ_ROUNDS', 5),
    saveRounds: intFromEnv('BENCH_SAVE_ROUNDS', 3),
    readSeconds: intFromEnv('BENCH_READ_SECONDS', 15, 0),
    saveSeconds: intFromEnv('BENCH_SAVE_SECONDS', 180, 0),
  };
}


const NO_SERVER = 'Start the local stack with `npm run stack:up`, or set MONGO_URL to a reachable MongoDB (or FerretDB) server.';

// ---------------------------------------------------------------------------------------------------------------
// Data

interface Parties {
  readonly tenant: TenantId;
  readonly seller: ReturnType<typeof aPartner>;
  readonly buyer: ReturnType<typeof aPartner>;
  readonly partnership: ReturnType<typeof aPartnership>;
}

function parties(): Parties {
  const tenant = aTenant();
  const seller = aPartner(tenant, { legalName: 'Bench Seller SAS' });
  const buyer = aPartner(tenant, { legalName: 'Bench Buyer SARL', identifiers: { vatId: 'FR98765432109' } });
  return { tenant, seller, buyer, partnership: aPartnership(tenant, seller, buyer) };
}

/** `count` new issued invoices (version 0, two pending events each) numbered from 1: what an import saves. */
function buildInvoices({ tenant, seller, buyer, partnership }: Parties, count: number): Invoice[] {
  const invoices: Invoice[] = [];
  for (let i = 0; i < count; i++) {
    const draft = aDraft(tenant, partnership, { quantity: String(1 + (i % 40)) });
    const day = String(1 + (i % 28)).padStart(2, '0');
    invoices.push(issue(draft, seller, buyer, i + 1, `2026-02-${day}`));
  }
  return invoices;
}

/** An invoice document as the driver reads and writes it: `_id` is `tenantId/id` (see `documentId`). */
type RawDocument = Record<string, unknown> & { _id: string; id: string };

/** The document the repository inserts for a new invoice, built by its own `AggregateStore.insertion` (`checkDocuments` proves it). */
function documentBuilder(adapters: MongoAdapters): (invoice: Invoice, at: Date) => RawDocument {
  const store = new AggregateStore(
    { model: adapters.models.invoices, mapper: invoiceMapper, restore: (state: InvoiceState) => Invoice.restore(state) },
    new DocumentLocks(adapters.models.document_locks),
  );
  return (invoice, at) => store.insertion(invoice, at);
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** `count` ids drawn at random (with repetition) from `pool`, always the same for a seed (mulberry32). */
function draw<T>(pool: readonly T[], count: number, seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => pool[Math.floor(random() * pool.length)] as T);
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

const collect = (globalThis as { gc?: () => void }).gc;

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** One timed run: how many operations (or documents), in how many seconds, using how much of this process's CPU. */
interface Sample {
  readonly count: number;
  readonly seconds: number;
  readonly cpu: number;
}

/** Runs `operation` on the items, `concurrency` at a time, until all are done or `limitSeconds` have passed. */
async function timedOps<T>(items: readonly T[], concurrency: number, limitSeconds: number, operation: (item: T) => Promise<void>): Promise<Sample> {
  collect?.();
  const deadline = limitSeconds > 0 ? performance.now() + limitSeconds * 1000 : Infinity;
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && performance.now() < deadline) {
      await operation(items[next++] as T);
      done++;
    }
  };
  const cpu = cpuMicros();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { count: done, seconds: (performance.now() - started) / 1000, cpu: cpuMicros() - cpu };
}

/** The prefixes of a batched run (one sample after each batch), and the error that ended it early, if any. */
interface BatchedRun {
  readonly prefixes: readonly Sample[];
  /** How long the run lasted, up to its error if it failed. */
  readonly elapsed: Sample;
  readonly error?: Error;
}

/** Runs `operation` on each batch in turn until all are done, `limitSeconds` have passed or one fails. */
async function timedBatches<T>(chunks: readonly (readonly T[])[], limitSeconds: number, operation: (chunk: readonly T[]) => Promise<void>): Promise<BatchedRun> {
  collect?.();
  const prefixes: Sample[] = [];
  const cpu = cpuMicros();
  const started = performance.now();
  let count = 0;
  const now = (): Sample => ({ count, seconds: (performance.now() - started) / 1000, cpu: cpuMicros() - cpu });
  for (const chunk of chunks) {
    try {
      await operation(chunk);
    } catch (error) {
      return { prefixes, elapsed: now(), error: error instanceof Error ? error : new Error(String(error)) };
    }
    count += chunk.length;
    prefixes.push(now());
    if (limitSeconds > 0 && (prefixes.at(-1) as Sample).seconds >= limitSeconds) break;
  }
  return { prefixes, elapsed: now() };
}

interface Round {
  readonly repo: Sample;
  readonly raw: Sample;
  readonly note?: string;
}

const rate = (sample: Sample): number => sample.count / sample.seconds;
const cpuPer = (sample: Sample): number => (sample.count > 0 ? sample.cpu / sample.count : NaN);
/** A figure for the table: whole numbers from 100 up, three significant digits below (a loaded server is slow). */
const num = (value: number): string => (!Number.isFinite(value) ? '-' : Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3))));

interface Result {
  readonly repo: number;
  readonly raw: number;
  readonly ratio: number;
  readonly repoCpu: number;
  readonly rawCpu: number;
}

function report(title: string, unit: string, per: string, rounds: readonly Round[]): Result {
  const result: Result = {
    repo: median(rounds.map((round) => rate(round.repo))),
    raw: median(rounds.map((round) => rate(round.raw))),
    ratio: 0,
    repoCpu: median(rounds.map((round) => cpuPer(round.repo)).filter(Number.isFinite)),
    rawCpu: median(rounds.map((round) => cpuPer(round.raw)).filter(Number.isFinite)),
  };
  const withRatio = { ...result, ratio: result.repo / result.raw };
  const header = ['round', `repo ${unit}`, `raw ${unit}`, 'repo/raw', `repo cpu µs/${per}`, `raw cpu µs/${per}`, 'count', ''];
  const rows = rounds.map((round, i) => [
    `${i + 1}`,
    num(rate(round.repo)),
    num(rate(round.raw)),
    (rate(round.repo) / rate(round.raw)).toFixed(2),
    num(cpuPer(round.repo)),
    num(cpuPer(round.raw)),
    round.repo.count === round.raw.count ? `${round.repo.count}` : `${round.repo.count}/${round.raw.count}`,
    round.note ?? '',
  ]);
  rows.push(['median', num(withRatio.repo), num(withRatio.raw), withRatio.ratio.toFixed(2), num(withRatio.repoCpu), num(withRatio.rawCpu), '', '']);
  const widths = header.map((cell, c) => Math.max(cell.length, ...rows.map((row) => (row[c] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number)))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  return withRatio;
}

function verdict(name: string, unit: string, result: Result): string {
  return `${name}: repo ${num(result.repo)} ${unit}, raw ${num(result.raw)} ${unit}, ratio ${result.ratio.toFixed(2)} (goal ≥ ${GOAL}) ${result.ratio >= GOAL ? 'OK' : 'MISSED'}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The benches

interface Bench {
  readonly mongo: MongoConnection;
  readonly adapters: MongoAdapters;
  readonly dbName: string;
  readonly settings: Settings;
  readonly toRaw: (invoice: Invoice, at: Date) => RawDocument;
  /** Findings printed after the results. */
  readonly notes: string[];
}

/** The native driver's `invoices` collection: the one the repository writes, without mongoose. */
function rawInvoices({ mongo, dbName }: Bench) {
  return mongo.connection.getClient().db(dbName).collection<RawDocument>('invoices');
}

/** Drops the invoices, then creates the collection and its indexes again, as the API finds them. */
async function resetInvoices(bench: Bench): Promise<void> {
  await rawInvoices(bench)
    .drop()
    .catch(() => undefined);
  await bench.adapters.ensureIndexes();
}

/** Saves invoices one by one through the repository, a few at a time. */
async function saveEach(bench: Bench, invoices: readonly Invoice[], concurrency = 8): Promise<void> {
  await timedOps(invoices, concurrency, 0, (invoice) => bench.adapters.invoices.save(invoice));
}

/**
 * Proves that the raw documents are the repository's: saves `invoices` through it and compares what it wrote with
 * `toRaw`, field order and BSON types included (only the `outboxSince` timestamp may differ).
 */
async function checkDocuments(bench: Bench, invoices: readonly Invoice[]): Promise<void> {
  const at = new Date();
  const expected = invoices.map((invoice) => bench.toRaw(invoice, at));
  await saveEach(bench, invoices);
  const written = new Map((await rawInvoices(bench).find({ _id: { $in: expected.map((document) => document._id) } }).toArray()).map((document) => [document._id, document]));
  const comparable = (document: RawDocument | undefined): Uint8Array | undefined => {
    if (!document) return undefined;
    const { outboxSince: _outboxSince, ...rest } = document;
    return BSON.serialize(rest);
  };
  for (const document of expected) {
    const actual = written.get(document._id);
    const same = isDeepStrictEqual(comparable(actual), comparable(document)) && 'outboxSince' in document === (actual !== undefined && 'outboxSince' in actual);
    if (!same) {
      throw new Error(
        `the raw documents are not what the repository writes (first difference: ${document._id}); ` + 'update documentBuilder in bench/repo.bench.ts to follow AggregateStore.insertion',
      );
    }
  }
}

async function getById(bench: Bench): Promise<Round[]> {
  const { adapters, settings } = bench;
  const raw = rawInvoices(bench);
  const data = parties();
  await resetInvoices(bench);
  const seeded = buildInvoices(data, settings.readSet);
  await checkDocuments(bench, seeded.slice(0, 100));
  await saveEach(bench, seeded.slice(100));
  const ids = seeded.map((invoice) => invoice.id);
  const tenant = data.tenant;

  let misses = 0;
  const viaRepo = async (id: InvoiceId): Promise<void> => {
    const invoice = await adapters.invoices.get(tenant, id);
    if (invoice?.id !== id) misses++;
  };
  const viaDriver = async (id: InvoiceId): Promise<void> => {
    const document = await raw.findOne({ _id: documentId(tenant, id) });
    if (document?.id !== id) misses++;
  };

  const warmUp = draw(ids, Math.min(settings.reads, 500), 1);
  const warmUpSeconds = Math.min(settings.readSeconds || Infinity, 5);
  await timedOps(warmUp, settings.concurrency, warmUpSeconds, viaRepo);
  await timedOps(warmUp, settings.concurrency, warmUpSeconds, viaDriver);

  const rounds: Round[] = [];
  for (let round = 0; round < settings.readRounds; round++) {
    const reads = draw(ids, settings.reads, 100 + round);
    const measure = (operation: (id: InvoiceId) => Promise<void>): Promise<Sample> => timedOps(reads, settings.concurrency, settings.readSeconds, operation);
    // Alternate which goes first, so that neither always runs on a warmer (or busier) server.
    if (round % 2 === 0) {
      const repo = await measure(viaRepo);
      rounds.push({ repo, raw: await measure(viaDriver) });
    } else {
      const rawSample = await measure(viaDriver);
      rounds.push({ repo: await measure(viaRepo), raw: rawSample });
    }
    process.stdout.write('.');
  }
  if (misses > 0) throw new Error(`get-by-id: ${misses} reads found no invoice; the bench would measure misses`);
  return rounds;
}

async function bulkSave(bench: Bench): Promise<Round[]> {
  const { adapters, settings } = bench;
  const raw = rawInvoices(bench);
  const data = parties();

  const viaRepo = async (invoices: readonly Invoice[], batch: number, seconds: number): Promise<BatchedRun> => {
    await resetInvoices(bench);
    return timedBatches(batches(invoices, batch), seconds, (chunk) => adapters.invoices.saveMany(chunk));
  };
  const viaDriver = async (documents: readonly RawDocument[], batch: number, seconds: number, maxBatches = Infinity): Promise<BatchedRun> => {
    await resetInvoices(bench);
    const run = await timedBatches(batches(documents, batch).slice(0, maxBatches), seconds, async (chunk) => {
      await raw.insertMany(chunk, { ordered: false });
    });
    if (run.error) throw run.error;
    return run;
  };
  /**
   * Both sides over the batches both completed (a time box may stop one side earlier). A repository run that failed
   * before its first batch completed counts as 0 docs/s.
   */
  const common = (repo: BatchedRun, rawRun: BatchedRun, total: number): Round => {
    const failure = repo.error ? `repo failed after ${repo.elapsed.seconds.toFixed(0)} s, in batch ${repo.prefixes.length + 1}: ${repo.error.message}` : undefined;
    if (repo.prefixes.length === 0) return { repo: repo.elapsed, raw: rawRun.prefixes[0] as Sample, note: failure };
    const done = Math.min(repo.prefixes.length, rawRun.prefixes.length);
    const round = { repo: repo.prefixes[done - 1] as Sample, raw: rawRun.prefixes[done - 1] as Sample };
    const boxed = round.repo.count < total ? `first ${round.repo.count} of ${total} (time box)` : undefined;
    const note = [boxed, failure].filter(Boolean).join('; ');
    return note ? { ...round, note } : round;
  };
  const build = (count: number): { invoices: Invoice[]; documents: RawDocument[] } => {
    const invoices = buildInvoices(data, count);
    const at = new Date();
    return { invoices, documents: invoices.map((invoice) => bench.toRaw(invoice, at)) };
  };

  // Warm-up (JIT, connection pool, server caches), small batches in a short time box.
  const warmUp = build(Math.min(settings.invoices, 500));
  const warmUpBatch = Math.min(settings.batch, 100);
  const warmUpSeconds = Math.min(settings.saveSeconds || Infinity, 20);
  const warmUpRepo = await viaRepo(warmUp.invoices, warmUpBatch, warmUpSeconds);
  await viaDriver(warmUp.documents, warmUpBatch, warmUpSeconds);
  if (warmUpRepo.error) bench.notes.push(`warm-up: saveMany failed after ${warmUpRepo.elapsed.seconds.toFixed(0)} s: ${warmUpRepo.error.message}`);
  const saved = warmUp.invoices.slice(0, warmUpRepo.prefixes.at(-1)?.count ?? 0);
  const versions = [...new Set(saved.map((invoice) => invoice.version))].sort();
  if (versions.length > 0 && (versions.length !== 1 || versions[0] !== 1)) {
    bench.notes.push(
      `check MISSED: after one saveMany the new invoices are at version ${versions.join(',')} (expected 1): ` +
        'saveMany inserts them, then saves each one again as an update (precheck findOne, lock insert, updateOne, lock delete).',
    );
  }

  const rounds: Round[] = [];
  for (let round = 0; round < settings.saveRounds; round++) {
    // Built before the clock starts, new each round (a saved aggregate is no longer new).
    const { invoices, documents } = build(settings.invoices);
    const go = async (): Promise<[BatchedRun, BatchedRun]> => {
      if (round % 2 === 1) {
        const rawSamples = await viaDriver(documents, settings.batch, settings.saveSeconds);
        return [await viaRepo(invoices, settings.batch, settings.saveSeconds), rawSamples];
      }
      const repo = await viaRepo(invoices, settings.batch, settings.saveSeconds);
      // Only the batches the repository completed are compared: the driver need not go further.
      return [repo, await viaDriver(documents, settings.batch, settings.saveSeconds, Math.max(repo.prefixes.length, 1))];
    };
    const [repo, rawRun] = await go();
    rounds.push(common(repo, rawRun, settings.invoices));
    process.stdout.write('.');
    // More rounds of a repository that fails, or needs longer than the time box for one batch, only cost time.
    const firstBatch = repo.prefixes[0]?.seconds ?? repo.elapsed.seconds;
    const hopeless = repo.error ? 'failed' : settings.saveSeconds > 0 && firstBatch > settings.saveSeconds ? `took ${firstBatch.toFixed(0)} s for one batch` : undefined;
    if (hopeless && round + 1 < settings.saveRounds) {
      bench.notes.push(`bulk save: the repository ${hopeless} in round ${round + 1} (time box ${settings.saveSeconds} s); the remaining rounds were skipped.`);
      break;
    }
  }
  return rounds;
}

export async function main(_args: readonly string[]): Promise<number> {
  const wallStart = performance.now();
  const settings = settingsFromEnv();
  const url = mongoUrl();
  if (!url) {
    console.error(`bench:repo: no MongoDB to run against. ${NO_SERVER}`);
    return 1;
  }
  const dbName = `bench_repo_${Date.now()}`;
  let mongo: MongoConnection;
  try {
    mongo = await connectMongo({ url, dbName, serverSelectionTimeoutMs: 3_000 });
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    console.error(`bench:repo: no server answers at ${redact(url)}. ${NO_SERVER}`);
    return 1;
  }
  const database = mongo.connection.getClient().db(dbName);
  let dropped: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (dropped ??= database
      .dropDatabase()
      .then(() => undefined)
      .catch((error: unknown) => console.error(`bench:repo: could not drop ${dbName}: ${(error as Error).message}`))
      .finally(() => mongo.close()));
  const interrupted = (signal: NodeJS.Signals): void => {
    console.error(`\nbench:repo: ${signal}, dropping ${dbName}`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const adapters = createMongoAdapters(mongo);
  const bench: Bench = { mongo, adapters, dbName, settings, toRaw: documentBuilder(adapters), notes: [] };
  try {
    const build = (await database.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    const server = build.ferretdbVersion ? `FerretDB ${build.ferretdbVersion}` : `MongoDB ${build.version ?? '?'}`;
    const box = (seconds: number): string => (seconds > 0 ? `, runs time-boxed at ${seconds} s` : '');
    console.log(`bench:repo on ${redact(url)} (${server}), database ${dbName}, node ${process.version}${collect ? ', gc before each run' : ''}`);
    console.log(`  get-by-id: up to ${settings.reads} random reads of ${settings.readSet} invoices, concurrency ${settings.concurrency}, ${settings.readRounds} rounds${box(settings.readSeconds)}`);
    console.log(`  bulk save: ${settings.invoices} new invoices in batches of ${settings.batch}, ${settings.saveRounds} rounds${box(settings.saveSeconds)}`);

    process.stdout.write('get-by-id ');
    const reads = report(
      `get-by-id: invoices.get(tenant, id) vs driver findOne({ _id }), same ids, concurrency ${settings.concurrency} (cpu: this process, per read)`,
      'ops/s',
      'op',
      await getById(bench),
    );
    process.stdout.write('\nbulk save ');
    const saves = report(
      `bulk save: invoices.saveMany vs driver insertMany(ordered: false), same invoices, batches of ${settings.batch} (cpu: this process, per document)`,
      'docs/s',
      'doc',
      await bulkSave(bench),
    );
    console.log('');
    for (const note of bench.notes) console.log(note);
    console.log(verdict('get-by-id', 'ops/s', reads));
    console.log(verdict('bulk save', 'docs/s', saves));
    console.log(`wall time ${((performance.now() - wallStart) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await cleanUp();
  }
}
