import { createReadStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, extname, relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import { eInvoiceXmlOf, parseMapping, readCsvRows, type ReceivablesMapping } from '@invoicing/integration/formats';
import { ApiProblem, type ApiClient } from '../api-client';
import { expandPaths } from '../files';
import { EXIT, type Output } from '../output';

/** An import job as the API answers it. */
interface ImportJob {
  readonly id: string;
  readonly status: 'running' | 'completed' | 'failed' | 'interrupted';
  readonly counts: { readonly rowsRead: number; readonly imported: number; readonly updated: number; readonly unchanged: number; readonly refused: number };
  readonly error?: { readonly code: string; readonly message: string };
}

export interface ImportOptions {
  /** The tenant's own company: the seller of a CSV file's invoices. */
  readonly seller?: string;
  /** The partnership an e-invoice file's draft goes to. */
  readonly partnership?: string;
  /** A mapping file (YAML or JSON) for CSV files. */
  readonly mapping?: string;
  /** Where to write the error report of a CSV import (refused rows to fix and send again). */
  readonly errors?: string;
  /** How often to ask for progress, in milliseconds. */
  readonly pollMs?: number;
  /** Set by Ctrl-C: stop waiting. */
  readonly signal?: AbortSignal;
}

/** The mapping as the API's query parameters. */
function mappingQuery(mapping: ReceivablesMapping): URLSearchParams {
  const query = new URLSearchParams();
  if (mapping.columns) query.set('columns', JSON.stringify(mapping.columns));
  if (mapping.dateFormat) query.set('date_format', mapping.dateFormat);
  if (mapping.decimalSeparator) query.set('decimal_separator', mapping.decimalSeparator);
  if (mapping.delimiter) query.set('delimiter', mapping.delimiter === '\t' ? 'tab' : mapping.delimiter);
  if (mapping.currency) query.set('currency', mapping.currency);
  return query;
}

/** The data rows of a CSV file, counted as the import will read them (quoted line breaks are one row). */
async function countRows(file: string, mapping: ReceivablesMapping): Promise<number> {
  let rows = 0;
  for await (const item of readCsvRows(createReadStream(file), mapping.delimiter)) if (!('header' in item)) rows += 1;
  return rows;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((done) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
  });

/**
 * `invoicing import <paths...>`: sends files to the API. Accounts-receivable CSV files (`--seller`) become an import
 * job, followed with a progress bar until it ends; UBL, CII and Factur-X files (`--partnership`) become drafts. Exit 0 when
 * everything was imported, 2 when rows were refused (`--errors` writes them), 1 when a file was refused.
 */
export async function importFiles(api: ApiClient, paths: readonly string[], options: ImportOptions, out: Output): Promise<number> {
  const mapping = options.mapping ? parseMapping(await readFile(options.mapping, 'utf8')) : {};
  let code: number = EXIT.ok;
  const files = await expandPaths(paths, ['csv', 'xml', 'pdf']);
  const csvFiles = files.filter((file) => extname(file).toLowerCase() === '.csv');
  for (const file of files) {
    if (options.signal?.aborted) return EXIT.interrupted;
    const name = relative(process.cwd(), file) || file;
    try {
      const extension = extname(file).toLowerCase();
      // Each CSV file's refused rows in a report of its own when there are several: one would overwrite the other.
      const errors = options.errors === undefined || csvFiles.length <= 1 ? options.errors : errorsFileOf(options.errors, file);
      const outcome = extension === '.csv' ? await importCsv(api, file, name, mapping, { ...options, ...(errors === undefined ? {} : { errors }) }, out) : await importEInvoice(api, file, name, options, out);
      code = worse(code, outcome);
      if (outcome === EXIT.interrupted) return outcome;
    } catch (error) {
      // One file that cannot be read or sent does not stop the others; each says why.
      code = worse(code, EXIT.failed);
      const refused = error instanceof ApiProblem ? { status: error.status, code: error.code, message: error.message } : { code: (error as { code?: string }).code ?? 'file.refused', message: (error as Error).message };
      out.result(`${name}: refused: ${refused.message}`, { file: name, refused });
    }
  }
  return code;
}

/** The exit code of two outcomes: Ctrl-C, then a refused file, then refused rows, then success. */
function worse(left: number, right: number): number {
  const rank = (code: number) => [EXIT.ok, EXIT.refusedRows, EXIT.failed, EXIT.interrupted].indexOf(code as never);
  return rank(right) > rank(left) ? right : left;
}

/** `refused.csv` for `march.csv` → `refused.march.csv`. */
function errorsFileOf(errors: string, file: string): string {
  const extension = extname(errors);
  return `${extension ? errors.slice(0, -extension.length) : errors}.${basename(file, extname(file))}${extension || '.csv'}`;
}

async function importCsv(api: ApiClient, file: string, name: string, mapping: ReceivablesMapping, options: ImportOptions, out: Output): Promise<number> {
  if (!options.seller) throw new Error('a CSV file needs --seller <partnerId>: the company that issued its invoices');
  const total = await countRows(file, mapping);
  const query = mappingQuery(mapping);
  query.set('seller_id', options.seller);
  const started = (await api.call('POST', `/v1/receivables-imports?${query}`, { body: await readFile(file), contentType: 'text/csv' })).json as ImportJob;
  const bar = !out.json && process.stderr.isTTY ? new SingleBar({ format: `${name} [{bar}] {value}/{total} rows | {eta_formatted} left`, stream: process.stderr }) : undefined;
  bar?.start(total, 0);
  let job = started;
  while (job.status === 'running' && !options.signal?.aborted) {
    await sleep(options.pollMs ?? 500, options.signal);
    job = (await api.call('GET', `/v1/receivables-imports/${started.id}`)).json as ImportJob;
    bar?.update(job.counts.rowsRead);
  }
  bar?.stop();
  const { rowsRead, imported, updated, unchanged, refused } = job.counts;
  const summary = `${rowsRead} rows read: ${imported} imported, ${updated} updated, ${unchanged} unchanged, ${refused} refused`;
  if (job.status === 'running') {
    out.result(`${name}: stopped waiting; import ${job.id} goes on in the API (${summary} so far)`, { file: name, importId: job.id, status: job.status, counts: job.counts });
    return EXIT.interrupted;
  }
  if (options.errors && refused > 0) {
    await writeFile(options.errors, (await api.call('GET', `/v1/receivables-imports/${job.id}/errors`, { accept: 'text/csv' })).text);
  } else if (options.errors) {
    // A report left by an earlier run would otherwise read as this run's.
    await rm(options.errors, { force: true });
  }
  const failure = job.error ? ` (${job.error.message} [${job.error.code}])` : '';
  const report = options.errors && refused > 0 ? `; refused rows written to ${options.errors}` : '';
  out.result(`${name}: import ${job.id} ${job.status}${failure}: ${summary}${report}`, { file: name, importId: job.id, status: job.status, counts: job.counts, ...(job.error ? { error: job.error } : {}) });
  if (job.status !== 'completed') return EXIT.failed;
  return refused > 0 ? EXIT.refusedRows : EXIT.ok;
}

async function importEInvoice(api: ApiClient, file: string, name: string, options: ImportOptions, out: Output): Promise<number> {
  if (!options.partnership) throw new Error('an e-invoice file needs --partnership <partnershipId>: the partnership its draft belongs to');
  // A Factur-X or ZUGFeRD PDF is imported by the XML it carries.
  const xml = await eInvoiceXmlOf(await readFile(file));
  const answer = (await api.call('POST', `/v1/e-invoices/import?partnership_id=${encodeURIComponent(options.partnership)}`, { body: xml, contentType: 'application/xml' })).json as {
    invoice: { id: string; externalReference?: string };
    notRecorded: string[];
  };
  out.result(`${name}: draft ${answer.invoice.id} created${answer.notRecorded.length ? ` (not recorded: ${answer.notRecorded.join(', ')})` : ''}`, { file: name, invoiceId: answer.invoice.id, notRecorded: answer.notRecorded });
  return EXIT.ok;
}
