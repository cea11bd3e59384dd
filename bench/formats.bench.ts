/**
 * `npm run bench:formats`: our e-invoice validator against the official one, and our read+validate+write against a
 * bare XML parse, in one run on the 34 official EN 16931 examples. See bench/README.md.
 *
 * 1. Validation, per document: `validate(bytes)` (safe parse, XSD on libxml2-wasm, syntax-binding rules, EN 16931
 *    rules) on one thread, and on one worker thread per core, against the official validator (the XSDs on the JDK and
 *    the CEN schematron 1.3.16 XSLT on Saxon-HE, ADR 0013) in one JVM, which uses both cores. The JVM's warm cost per
 *    document is (time of a batch of 34 × (rounds + 1)) − (time of a batch of the 34): start-up and stylesheet
 *    compilation cancel out.
 * 2. `readInvoice` + `writeInvoice` in the same syntax against a bare saxes parse of the same bytes (no handlers).
 * 3. Peak memory (max RSS of a fresh process) of reading, validating and writing a generated 10,000-line invoice.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { SaxesParser } from 'saxes';
import { validateOfficially } from '@invoicing/en16931-official';
import { readInvoice, validate, writeInvoice } from '@invoicing/integration/formats';

const GOAL = 10;
const FIXTURES = resolve(__dirname, '../../shared/fixtures/en16931');

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function fixtures(): { name: string; bytes: Buffer }[] {
  return (['ubl', 'cii'] as const).flatMap((syntax) =>
    readdirSync(join(FIXTURES, syntax))
      .filter((name) => /\.xml$/i.test(name))
      .sort()
      .map((name) => ({ name: `${syntax}/${name}`, bytes: readFileSync(join(FIXTURES, syntax, name)) })),
  );
}

async function timeMs(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function ours(docs: readonly Buffer[], rounds: number): Promise<number> {
  for (let warm = 0; warm < 3; warm++) for (const doc of docs) await validate(doc);
  return timeMs(async () => {
    for (let r = 0; r < rounds; r++) for (const doc of docs) await validate(doc);
  });
}

/**
 * One worker per core, each validating every document in its share of the rounds once all are warm; wall time of the
 * whole. Rounds, not documents, are shared out: one 3.3 MB example costs as much as a dozen others.
 */
async function oursPooled(docs: readonly Buffer[], rounds: number, threads: number): Promise<number> {
  const workers = Array.from({ length: threads }, (_, i) => {
    const share = Math.floor(rounds / threads) + (i < rounds % threads ? 1 : 0);
    return new Worker(join(__dirname, 'formats-worker.js'), { workerData: { docs: docs.map((b) => new Uint8Array(b)), rounds: share } });
  });
  const message = (w: Worker) => new Promise<unknown>((ok, fail) => (w.once('message', ok), w.once('error', fail)));
  await Promise.all(workers.map(message)); // warm
  const start = performance.now();
  const done = Promise.all(workers.map(message));
  for (const w of workers) w.postMessage('go');
  await done;
  const wall = performance.now() - start;
  await Promise.all(workers.map((w) => w.terminate()));
  return wall;
}

async function official(docs: readonly { name: string; bytes: Buffer }[], rounds: number): Promise<{ batchMs: number; warmMs: number }> {
  const batch = (copies: number) => docs.flatMap((d) => Array.from({ length: copies }, (_, c) => ({ name: `${c}-${d.name}`, xml: d.bytes })));
  await validateOfficially(batch(1)); // provisions and compiles once, outside the clock
  const one = await timeMs(async () => void (await validateOfficially(batch(1))));
  const many = await timeMs(async () => void (await validateOfficially(batch(rounds + 1))));
  return { batchMs: one, warmMs: many - one };
}

async function readWrite(docs: readonly Buffer[], rounds: number): Promise<{ ours: number; bare: number }> {
  const decoded = docs.map((d) => d.toString('utf8'));
  const bareParse = () => {
    for (const text of decoded) new SaxesParser({ xmlns: true }).write(text).close();
  };
  const full = async () => {
    for (const doc of docs) {
      const { document, syntax } = await readInvoice(doc);
      writeInvoice(document, syntax);
    }
  };
  for (let warm = 0; warm < 3; warm++) {
    bareParse();
    await full();
  }
  let ours = 0;
  let bare = 0;
  for (let r = 0; r < rounds; r++) {
    ours += await timeMs(full);
    bare += await timeMs(async () => bareParse());
  }
  return { ours, bare };
}

function peakMemory(): { lines: number; bytes: number; ms: number; baselineRss: number; maxRss: number } {
  const out = execFileSync(process.execPath, [join(__dirname, 'run-module.js'), join(__dirname, 'formats-large.ts')], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}

const ms = (value: number) => `${value.toFixed(3)} ms`;

export async function main(): Promise<number> {
  const rounds = intFromEnv('BENCH_ROUNDS', 50);
  const threads = intFromEnv('BENCH_THREADS', availableParallelism());
  const docs = fixtures();
  const bytes = docs.map((d) => d.bytes);
  const n = docs.length * rounds;
  console.log(`bench:formats — ${docs.length} official examples × ${rounds} rounds, ${threads} worker threads, ${availableParallelism()} cores`);

  const single = await ours(bytes, rounds);
  const pooled = await oursPooled(bytes, rounds, threads);
  const { batchMs, warmMs } = await official(docs, rounds);
  const perDoc = { single: single / n, pooled: pooled / n, official: warmMs / n };
  console.log('\n| validation | ms/doc | official ÷ ours |');
  console.log('|---|---|---|');
  console.log(`| official (XSD + schematron XSLT on Saxon-HE, one warm JVM, all cores) | ${ms(perDoc.official)} | 1.0 |`);
  console.log(`| ours, 1 thread | ${ms(perDoc.single)} | ${(perDoc.official / perDoc.single).toFixed(1)}× |`);
  console.log(`| ours, ${threads} worker threads | ${ms(perDoc.pooled)} | ${(perDoc.official / perDoc.pooled).toFixed(1)}× |`);
  console.log(`(official batch of ${docs.length}, JVM start included: ${batchMs.toFixed(0)} ms)`);

  const rw = await readWrite(bytes, Math.max(1, Math.floor(rounds / 5)));
  console.log(`\nread + validate + write: ${ms(rw.ours / (docs.length * Math.max(1, Math.floor(rounds / 5))))}/doc; bare saxes parse: ${ms(rw.bare / (docs.length * Math.max(1, Math.floor(rounds / 5))))}/doc; ratio ${(rw.ours / rw.bare).toFixed(1)}× the bare parse`);

  const large = peakMemory();
  console.log(
    `10,000-line invoice (${(large.bytes / 1e6).toFixed(1)} MB): read + validate + write in ${large.ms.toFixed(0)} ms, max RSS ${(large.maxRss / 1e6).toFixed(0)} MB (process at start: ${(large.baselineRss / 1e6).toFixed(0)} MB)`,
  );

  const best = perDoc.official / Math.min(perDoc.single, perDoc.pooled);
  console.log(`\nours vs official: ${best.toFixed(1)}× faster per document (goal ≥ ${GOAL}×) ${best >= GOAL ? 'OK' : 'MISSED'}`);
  return 0;
}
