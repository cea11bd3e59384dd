import { createReadStream } from 'node:fs';
import { lstat, readFile, rm, stat } from 'node:fs/promises';
import { basename, extname, relative, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { eInvoiceXmlOf, parseMapping, readCsvRows, type ReceivablesMapping } from '@invoicing/integration/formats';
import { ApiProblem, type ApiClient } from '../api-client';
import { alreadyThere, expandPaths, writeWhole } from '../files';
import { CliError, EXIT, problemOf, stopped, type Output } from '../output';

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
  /** Replace a report already there, or remove it when no row is refused (else such a file is refused). */
  readonly force?: boolean;
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

/** Waits `ms`, or until the signal aborts; leaves no listener behind (an import is polled hundreds of times). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((done) => {
    if (signal?.aborted) return done();
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      done();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });
}

const isCsv = (file: string) => extname(file).toLowerCase() === '.csv';

/**
 * `invoicing import <paths...>`: sends files to the API. Accounts-receivable CSV files (`--seller`) become an import
 * job, followed with a progress bar until it ends; UBL, CII and Factur-X files (`--partnership`) become drafts. Exit 0 when
 * everything was imported, 2 when rows were refused (`--errors` writes them), 1 when a file was refused, 3 when an
 * import could not be followed to its end (it goes on in the API). Ctrl-C stops it between two files, or stops
 * waiting on an import.
 */
export async function importFiles(api: ApiClient, paths: readonly string[], options: ImportOptions, out: Output): Promise<number> {
  const mapping = options.mapping ? parseMapping(await readFile(options.mapping, 'utf8')) : {};
  let code: number = EXIT.ok;
  const files = await expandPaths(paths, ['csv', 'xml', 'pdf']);
  const reports = await errorReports(options.errors, files, options.mapping, options.force === true);
  for (const [index, file] of files.entries()) {
    if (options.signal?.aborted) return stopped(out, index, files.length, 'files');
    const name = relative(process.cwd(), file) || file;
    try {
      const outcome = isCsv(file) ? await importCsv(api, file, name, mapping, reports.get(file), options, out) : await importEInvoice(api, file, name, options, out);
      code = worse(code, outcome);
      if (outcome === EXIT.interrupted) return stopped(out, index, files.length, 'files');
    } catch (error) {
      // One file that cannot be read or sent does not stop the others; each says why.
      code = worse(code, EXIT.failed);
      const refused = error instanceof ApiProblem ? { status: error.status, code: error.code, message: error.message } : { code: (error as { code?: string }).code ?? 'file.refused', message: (error as Error).message };
      out.result(`${name}: refused: ${refused.message}`, { file: name, refused });
    }
  }
  return code;
}

/** The exit code of two outcomes: Ctrl-C, then an import not followed to its end, then a refused file, then refused rows, then success. */
function worse(left: number, right: number): number {
  const rank = (code: number) => [EXIT.ok, EXIT.refusedRows, EXIT.failed, EXIT.importGoesOn, EXIT.interrupted].indexOf(code as never);
  return rank(right) > rank(left) ? right : left;
}

/** A file's identity (device and inode), which every path to it shares (a hard link, a linked folder); undefined when there is none. */
async function identityOf(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info && `${info.dev}:${info.ino}`;
}

/**
 * Where each CSV file's refused rows go: `--errors` itself for one CSV file, else a report each, named after the file
 * (`refused.csv` for `march.csv` → `refused.march.csv`, for a second `march.csv` → `refused.march-2.csv`). No two
 * files of a run share a report, so none replaces or removes the report another wrote. Checked before anything is
 * sent: no report is an input (a file to import, the mapping) by any path to it, and one already there is refused
 * unless `force`, as every file the command writes is.
 * @throws CliError `cli.usage` when `--errors` or a report is an input; `cli.file_exists` when a report is there and not `force`
 */
async function errorReports(errors: string | undefined, files: readonly string[], mapping: string | undefined, force: boolean): Promise<Map<string, string>> {
  if (errors === undefined) return new Map();
  const inputs: [string, string][] = files.map((file) => [file, 'one of the files to import']);
  if (mapping !== undefined) inputs.push([resolve(mapping), 'the --mapping file']);
  const identities = await Promise.all(inputs.map(async ([file, what]) => [await identityOf(file), what] as const));
  const csvFiles = files.filter(isCsv);
  const reports = new Map(csvFiles.length === 1 ? [[csvFiles[0] as string, errors]] : namedReports(errors, inputs.map(([file]) => file), csvFiles));
  for (const path of new Set([errors, ...reports.values()])) {
    const identity = await identityOf(path);
    const input = inputs.find(([file]) => file === resolve(path)) ?? identities.find(([file]) => file !== undefined && file === identity);
    if (input) throw new CliError('cli.usage', `--errors ${path} is ${input[1]}: name another file for the refused rows`);
  }
  for (const report of reports.values()) {
    // lstat: a link is a file there too, whatever it points to.
    if (!force && (await lstat(report).catch(() => undefined))) throw new CliError('cli.file_exists', `${report} exists already: use --force to replace it, or name another file with --errors`);
  }
  return reports;
}

/** A report per CSV file of several, named after it, never an input's name nor another report's. */
function namedReports(errors: string, inputs: readonly string[], csvFiles: readonly string[]): [string, string][] {
  const named: [string, string][] = [];
  const taken = new Set(inputs);
  const extension = extname(errors);
  const stem = extension ? errors.slice(0, -extension.length) : errors;
  for (const file of csvFiles) {
    const base = basename(file, extname(file));
    let report = `${stem}.${base}${extension || '.csv'}`;
    for (let copy = 2; taken.has(resolve(report)); copy += 1) report = `${stem}.${base}-${copy}${extension || '.csv'}`;
    taken.add(resolve(report));
    named.push([file, report]);
  }
  return named;
}

const summaryOf = ({ counts }: ImportJob) =>
  `${counts.rowsRead} rows read: ${counts.imported} imported, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.refused} refused`;

async function importCsv(api: ApiClient, file: string, name: string, mapping: ReceivablesMapping, errors: string | undefined, options: ImportOptions, out: Output): Promise<number> {
  if (!options.seller) throw new Error('a CSV file needs --seller <partnerId>: the company that issued its invoices');
  const total = await countRows(file, mapping);
  const query = mappingQuery(mapping);
  query.set('seller_id', options.seller);
  // Not cut short by Ctrl-C: the answer names the import, which runs whether this command hears of it or not.
  const started = (await api.call('POST', `/v1/receivables-imports?${query}`, { body: await readFile(file), contentType: 'text/csv' })).json as ImportJob;
  // From here on the import exists in the API: every outcome below names it.
  const bar = !out.json && process.stderr.isTTY ? new SingleBar({ format: `${name} [{bar}] {value}/{total} rows | {eta_formatted} left`, stream: process.stderr }) : undefined;
  bar?.start(total, 0);
  let job = started;
  try {
    while (job.status === 'running' && !options.signal?.aborted) {
      await sleep(options.pollMs ?? 500, options.signal);
      if (options.signal?.aborted) break;
      job = (await api.call('GET', `/v1/receivables-imports/${started.id}`, options.signal ? { signal: options.signal } : {})).json as ImportJob;
      bar?.update(job.counts.rowsRead);
    }
  } catch (error) {
    if (!options.signal?.aborted) {
      bar?.stop();
      return lostTrack(api, name, job, error, out);
    }
  }
  bar?.stop();
  const summary = summaryOf(job);
  if (job.status === 'running') {
    out.result(`${name}: stopped waiting; import ${job.id} goes on in the API (${summary} so far)`, { file: name, importId: job.id, status: job.status, counts: job.counts });
    return EXIT.interrupted;
  }
  const refused = job.counts.refused;
  if (errors && refused > 0) {
    try {
      // Whole or not at all; a file that appeared since errorReports looked is left as it is, unless --force.
      await writeWhole(errors, (await api.call('GET', `/v1/receivables-imports/${job.id}/errors`, { accept: 'text/csv' })).text, { replace: options.force === true });
    } catch (error) {
      return lostTrack(api, name, job, alreadyThere(error) ? new CliError('cli.file_exists', `${errors} exists already`) : error, out);
    }
  } else if (errors && options.force) {
    // A report left by an earlier run would otherwise read as this run's (never one this run wrote: see errorReports).
    await rm(errors, { force: true }).catch((error: Error) => out.note(`warning: ${errors} is from an earlier run and could not be removed: ${error.message}`));
  }
  const failure = job.error ? ` (${job.error.message} [${job.error.code}])` : '';
  const report = errors && refused > 0 ? `; refused rows written to ${errors}` : '';
  out.result(`${name}: import ${job.id} ${job.status}${failure}: ${summary}${report}`, {
    file: name,
    importId: job.id,
    status: job.status,
    counts: job.counts,
    ...(job.error ? { error: job.error } : {}),
    ...(errors && refused > 0 ? { errorsFile: errors } : {}),
  });
  if (job.status !== 'completed') return EXIT.failed;
  return refused > 0 ? EXIT.refusedRows : EXIT.ok;
}

/**
 * An import this command lost track of (its token expired, the network failed) while it runs in the API, or whose
 * refused rows it could not write: its id, the counts so far, and how to follow it.
 */
function lostTrack(api: ApiClient, name: string, job: ImportJob, error: unknown, out: Output): number {
  const problem = problemOf(error);
  const follow = `GET ${api.apiUrl}/v1/receivables-imports/${job.id}`;
  const signIn = error instanceof ApiProblem && error.status === 401 ? `sign in again (invoicing login --api-url ${api.apiUrl} --client-id <id>), then ` : '';
  const text =
    job.status === 'running'
      ? `${name}: import ${job.id} goes on in the API, but following it failed: ${problem.message} (${summaryOf(job)} so far); ${signIn}follow it with ${follow}, and fetch its refused rows with ${follow}/errors`
      : `${name}: import ${job.id} ${job.status}: ${summaryOf(job)}; its refused rows could not be written: ${problem.message}; ${signIn}fetch them with ${follow}/errors`;
  out.result(text, { file: name, importId: job.id, status: job.status, counts: job.counts, followError: problem });
  return EXIT.importGoesOn;
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
