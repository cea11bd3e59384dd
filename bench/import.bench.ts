/**
 * `npm run bench:import`: the accounts-receivable CSV import and PDF rendering, each against a baseline measured in the
 * same run. See bench/README.md.
 *
 * (a) a CSV import of N rows (`ImportReceivables` + `importReceivablesCsv` on the MongoDB adapters) against the raw
 *     driver's `insertMany` of the same invoice documents (read back from what the import wrote) into the invoices
 *     collection, dropped and indexed;
 * (b) the same file again, which must write nothing, against the first import;
 * (c) the peak resident memory of the import, for each N of `BENCH_ROWS`;
 * (d) PDF rendering: pages per second for a 1-page and a 20-page invoice, and a Factur-X.
 */
import 'reflect-metadata';
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { coreModule, tenantId } from '@invoicing/core';
import { CreatePartner, ImportReceivables, invoiceAdaptersModule, invoiceModule, type En16931Document } from '@invoicing/invoice';
import { RecordingEventPublisher } from '@invoicing/invoice/testing';
import { importReceivablesCsv, readInvoice, renderInvoicePdf, writeFacturX } from '@invoicing/integration/formats';
import { connectMongo, createMongoAdapters, type MongoConnection } from '@invoicing/integration/mongodb';
import { Container } from 'inversify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mongoUrl } from './stack';

const IMPORT_GOAL = 0.7;
const REPEAT_GOAL = 3;


const HEADER = 'Invoice #,Customer Name,Contact Name,Contact Email,Invoice Date,Customer Terms,Bill Total,Amount Applied,Status,Currency\n';

/** N rows of an accounts-receivable export over 500 customers, generated as the file streams (never held whole). */
function* csvRows(rows: number): Generator<string> {
  yield HEADER;
  let chunk = '';
  for (let index = 0; index < rows; index += 1) {
    const customer = index % 500;
    const total = 1000 + ((index * 7919) % 900_000);
    const settled = index % 3 !== 0;
    const applied = settled ? total : Math.floor(total / 4);
    const day = String(1 + (index % 28)).padStart(2, '0');
    const month = String(1 + (index % 12)).padStart(2, '0');
    const cents = (value: number) => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;
    chunk += `B-${100000 + index},Customer ${customer} Ltd,Contact ${customer},ap${customer}@customer${customer}.example,2025-${month}-${day},Net 30,${cents(total)},${cents(applied)},${settled ? 'Closed' : 'Pending'},USD\n`;
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function measureImport(mongo: MongoConnection, rows: number): Promise<{ rows: number; first: number; raw: number; repeat: number; repeatWrites: number; peak: number }> {
  const adapters = createMongoAdapters(mongo);
  await adapters.ensureIndexes();
  const container = new Container();
  container.loadSync(coreModule({ publisher: new RecordingEventPublisher() }), invoiceModule({ timeZone: 'UTC' }), invoiceAdaptersModule(adapters));
  const tenant = tenantId('bench-import');
  const seller = await container.get(CreatePartner).execute({ tenantId: tenant, legalName: 'Bench Seller Inc.' });
  const run = async () => {
    const importer = await container.get(ImportReceivables).start({ tenantId: tenant, sellerId: seller.id });
    return importReceivablesCsv(Readable.from(csvRows(rows)), importer, { batchSize: 500 });
  };

  let started = performance.now();
  const first = await peakMemory(run);
  const firstSeconds = (performance.now() - started) / 1000;
  console.log(`  import: ${first.result.imported} imported, ${first.result.refused} refused in ${firstSeconds.toFixed(1)} s, peak RSS ${mb(first.peak)} MB`);

  const writes: string[] = [];
  const client = mongo.connection.getClient();
  const listener = (event: { commandName: string }) => ['insert', 'update', 'delete', 'findAndModify'].includes(event.commandName) && writes.push(event.commandName);
  client.on('commandStarted', listener);
  started = performance.now();
  const again = await run();
  const repeatSeconds = (performance.now() - started) / 1000;
  client.off('commandStarted', listener);
  console.log(`  again: ${again.unchanged} unchanged in ${repeatSeconds.toFixed(1)} s, ${writes.length} writes`);

  // The baseline: the same invoice documents, as the import stored them, inserted by the driver in batches of 1,000.
  const invoices = mongo.connection.collection('invoices');
  const documents = await invoices.find({ importKey: { $ne: null } }).toArray();
  // Dropped and indexed again, not emptied: FerretDB refuses a `deleteMany` of more than 65,535 documents (one
  // PostgreSQL parameter each).
  await invoices.drop();
  await adapters.ensureIndexes();
  started = performance.now();
  for (let index = 0; index < documents.length; index += 1000) await invoices.insertMany(documents.slice(index, index + 1000), { ordered: false });
  const rawSeconds = (performance.now() - started) / 1000;
  console.log(`  the same ${documents.length} invoices by insertMany: ${rawSeconds.toFixed(2)} s`);
  return { rows, first: firstSeconds, raw: rawSeconds, repeat: repeatSeconds, repeatWrites: writes.length, peak: first.peak };
}

/** Pages per second rendering `document` `times` times. */
async function pagesPerSecond(render: () => Promise<Buffer>, pages: number, times: number): Promise<number> {
  await render();
  const started = performance.now();
  for (let index = 0; index < times; index += 1) await render();
  return (pages * times) / ((performance.now() - started) / 1000);
}

function withLines(document: En16931Document, count: number): En16931Document {
  const [first] = document.lines;
  if (!first) throw new Error('the example has no line');
  return { ...document, lines: Array.from({ length: count }, (_, index) => ({ ...first, id: String(index + 1) })) };
}

export async function main(): Promise<number> {
  const sizes = (process.env.BENCH_ROWS ?? '2000').split(',').map((each) => Number(each.trim().replace(/_/g, '')));
  if (sizes.some((size) => !Number.isSafeInteger(size) || size < 1)) throw new Error(`BENCH_ROWS is a list of positive integers, got "${process.env.BENCH_ROWS}"`);

  console.log('bench:import: PDF rendering');
  const example = (await readInvoice(readFileSync(join(__dirname, '../../shared/fixtures/en16931/ubl/ubl-tc434-example1.xml')))).document;
  const onePage = withLines(example, 8);
  const twentyPages = withLines(example, 20 * 42);
  const pdfPages = async (document: En16931Document) => Number(/\/Count (\d+)/.exec((await renderInvoicePdf(document)).toString('latin1'))?.[1]);
  const long = await pdfPages(twentyPages);
  const single = await pagesPerSecond(() => renderInvoicePdf(onePage), 1, 50);
  const multi = await pagesPerSecond(() => renderInvoicePdf(twentyPages), long, 5);
  const facturX = await pagesPerSecond(() => writeFacturX(onePage), 1, 50);
  console.log(`(d) 1-page invoice: ${single.toFixed(0)} pages/s; ${long}-page invoice: ${multi.toFixed(0)} pages/s; 1-page Factur-X: ${facturX.toFixed(0)} documents/s`);

  const url = mongoUrl();
  if (!url) {
    console.error('Start the local stack with `npm run stack:up`, or set MONGO_URL to a reachable MongoDB (or FerretDB) server.');
    return 1;
  }
  const prefix = `bench_import_${Date.now()}`;
  const results = [];
  for (const rows of sizes) {
    const mongo = await connectMongo({ url, dbName: `${prefix}_${rows}`, socketTimeoutMs: 600_000, monitorCommands: true });
    try {
      console.log(`\n${rows} rows (${prefix}_${rows})`);
      results.push(await measureImport(mongo, rows));
    } finally {
      await mongo.connection.dropDatabase().catch(() => undefined);
      await mongo.close();
    }
  }
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  for (const each of results) {
    const ratio = each.raw / each.first;
    console.log(`\n${each.rows} rows: (a) import ${(each.rows / each.first).toFixed(0)} rows/s, raw insertMany ${(each.rows / each.raw).toFixed(0)} rows/s, ratio ${ratio.toFixed(3)} (goal ≥ ${IMPORT_GOAL}) ${verdict(ratio >= IMPORT_GOAL)}`);
    console.log(`${' '.repeat(String(each.rows).length + 6)}(b) again ${(each.first / each.repeat).toFixed(1)}× faster, ${each.repeatWrites} writes (goal ≥ ${REPEAT_GOAL}×, 0 writes) ${verdict(each.first / each.repeat >= REPEAT_GOAL && each.repeatWrites === 0)}`);
    console.log(`${' '.repeat(String(each.rows).length + 6)}(c) peak RSS ${mb(each.peak)} MB`);
  }
  return 0;
}
