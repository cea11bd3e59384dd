import { join } from 'node:path';
import { spreadsheetText } from '@invoicing/integration/formats';
import { stringify } from 'csv-stringify/sync';
import { ApiProblem, type ApiClient } from '../api-client';
import { alreadyThere, writeWhole } from '../files';
import { CliError, EXIT, problemOf, stopped, type Output } from '../output';
import type { Target } from './convert';

const EXTENSIONS: Readonly<Record<Target, string>> = { ubl: 'ubl.xml', cii: 'cii.xml', pdf: 'pdf', 'factur-x': 'factur-x.pdf' };

/** Which invoices an export takes when no ids are given: the filters of `GET /v1/invoices`. */
export interface InvoiceQuery {
  readonly status?: string;
  readonly kind?: string;
  readonly partner?: string;
  readonly issuedFrom?: string;
  readonly issuedTo?: string;
}

/** An amount as the API answers it: an exact decimal string with the currency's decimals. */
interface Amount {
  readonly amount: string;
}

/** An invoice as `GET /v1/invoices` lists it. */
export interface InvoiceSummary {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly number?: string;
  readonly buyerId: string;
  readonly currency: string;
  readonly issueDate?: string;
  readonly dueDate?: string;
  readonly externalReference?: string;
  readonly purchaseOrderReference?: string;
  /** BT-112, the total with VAT. */
  readonly total: Amount;
  /** BT-113 and BT-114: amount due = total − prepaid + rounding. */
  readonly prepaid: Amount;
  readonly rounding: Amount;
  /** BT-115: what the document asks for, total − prepaid + rounding; for a credit note, what it credits. */
  readonly amountDue: Amount;
  readonly paid: Amount;
  readonly credited: Amount;
  readonly outstanding: Amount;
  /** The document's link in its series' hash chain, null until it is sealed. */
  readonly seal?: { readonly position: number; readonly hash: string } | null;
}

/** The invoices a query matches, page after page, newest first as the API lists them. */
export async function listInvoices(api: ApiClient, query: InvoiceQuery, signal?: AbortSignal): Promise<InvoiceSummary[]> {
  const params = new URLSearchParams({ limit: '200' });
  if (query.status) params.set('status', query.status);
  if (query.kind) params.set('kind', query.kind);
  if (query.partner) params.set('partner_id', query.partner);
  if (query.issuedFrom) params.set('issued_from', query.issuedFrom);
  if (query.issuedTo) params.set('issued_to', query.issuedTo);
  const found: InvoiceSummary[] = [];
  for (let cursor: string | null = null; ; ) {
    if (cursor) params.set('cursor', cursor);
    const page = (await api.call('GET', `/v1/invoices?${params}`, signal ? { signal } : {})).json as { items: InvoiceSummary[]; nextCursor: string | null };
    found.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) return found;
  }
}

// Amounts in the order a row reconciles: Bill Total − Prepaid + Rounding = Amount Due, and for an invoice Amount Due −
// Amount Paid − Amount Credited = Outstanding. Of them only Bill Total and Amount Paid have names the import reads
// (docs/imports.md), so an export read back gives the import the same columns as before.
const CSV_COLUMNS = [
  'Invoice #', 'Kind', 'Status', 'Buyer', 'Invoice Date', 'Due Date', 'Customer PO Number', 'External Reference',
  'Bill Total', 'Prepaid Amount', 'Rounding Amount', 'Amount Due', 'Amount Paid', 'Amount Credited', 'Outstanding', 'Currency', 'Id',
  // The seal of an issued document (ADR 0022): empty for drafts and documents not sealed yet.
  'Seal Position', 'Seal Hash',
];

/**
 * A text cell that a spreadsheet would not run: text others chose (a PO number, a reference from an imported file)
 * that a spreadsheet reads as a formula gets a leading `'`, by the rule the import's error report follows.
 */
function text(value: string | undefined): string {
  return value === undefined ? '' : spreadsheetText(value);
}

/** Invoices as one CSV file, a row each (amounts as the API gives them: exact decimals). */
export function invoicesCsv(invoices: readonly InvoiceSummary[]): string {
  return stringify([
    CSV_COLUMNS,
    ...invoices.map((invoice) => [
      text(invoice.number),
      invoice.kind,
      invoice.status,
      invoice.buyerId,
      invoice.issueDate ?? '',
      invoice.dueDate ?? '',
      text(invoice.purchaseOrderReference),
      text(invoice.externalReference),
      invoice.total.amount,
      invoice.prepaid.amount,
      invoice.rounding.amount,
      invoice.amountDue.amount,
      invoice.paid.amount,
      invoice.credited.amount,
      invoice.outstanding.amount,
      invoice.currency,
      invoice.id,
      invoice.seal ? String(invoice.seal.position) : '',
      invoice.seal?.hash ?? '',
    ]),
  ]);
}

/** An invoice as `GET /v1/invoices/{id}` answers it: what a CSV export writes, its amounts in `totals`. */
interface InvoiceDetail extends Omit<InvoiceSummary, 'total' | 'prepaid' | 'rounding' | 'amountDue'> {
  readonly totals: { readonly taxInclusive: Amount; readonly prepaid: Amount; readonly rounding: Amount; readonly amountDue: Amount };
}

/** The CSV row of an invoice, looked up by id. */
async function invoiceRow(api: ApiClient, id: string, signal: AbortSignal | undefined): Promise<InvoiceSummary> {
  const { totals, ...invoice } = (await api.call('GET', `/v1/invoices/${encodeURIComponent(id)}`, signal ? { signal } : {})).json as InvoiceDetail;
  // BT-112 is what the list calls `total`.
  return { ...invoice, total: totals.taxInclusive, prepaid: totals.prepaid, rounding: totals.rounding, amountDue: totals.amountDue };
}

/** The CSV rows of the invoices named; each one the API does not find is reported. */
async function namedInvoices(api: ApiClient, ids: readonly string[], signal: AbortSignal | undefined, out: Output): Promise<{ invoices: InvoiceSummary[]; missing: number }> {
  const invoices: InvoiceSummary[] = [];
  let missing = 0;
  for (const id of ids) {
    try {
      invoices.push(await invoiceRow(api, id, signal));
    } catch (error) {
      if (!(error instanceof ApiProblem) || error.status !== 404) throw error;
      missing += 1;
      out.result(`${id}: ${error.message}`, { invoiceId: id, refused: { status: error.status, code: error.code, message: error.message } });
    }
  }
  return { invoices, missing };
}

/**
 * `invoicing export [invoiceIds...] --to ubl|cii|pdf|factur-x|csv`: writes invoices into `--out` (the current folder
 * by default): those named, else those a query matches (`--status`, `--partner`, `--issued-from` …). Each file is
 * named after the invoice's number (`INV-000042.ubl.xml`, `INV-000042.pdf`), as the API answers it (a PDF sealed, a
 * Factur-X refused for a document that is not a valid EN 16931 invoice); a name already taken, by an earlier run or
 * by another number the API names alike, gives `<number>-<invoiceId>`. `csv` writes one `invoices.csv` listing them,
 * drafts too. Files already there are replaced only with `force`. Exit 1 if one could not be written or an id was not
 * found; one that could not does not stop the others. Ctrl-C (`signal`) stops it between two invoices.
 */
export async function exportInvoices(
  api: ApiClient,
  ids: readonly string[],
  options: { readonly to: Target | 'csv'; readonly out: string; readonly locale?: string; readonly query?: InvoiceQuery; readonly force?: boolean; readonly signal?: AbortSignal },
  out: Output,
): Promise<number> {
  const { signal } = options;
  const replace = options.force === true;
  if (options.to === 'csv') {
    // One file for all of them: those named, each looked up, else the list the filters make.
    const { invoices, missing } = ids.length > 0 ? await namedInvoices(api, ids, signal, out) : { invoices: await listInvoices(api, options.query ?? {}, signal), missing: 0 };
    signal?.throwIfAborted();
    const file = join(options.out, 'invoices.csv');
    try {
      await writeWhole(file, invoicesCsv(invoices), { replace });
    } catch (error) {
      const problem = alreadyThere(error) ? { code: 'cli.file_exists', message: `${file} exists already: use --force to replace it, or -o another folder` } : problemOf(error);
      out.result(`${file}: ${problem.message}`, { file, error: problem });
      return EXIT.failed;
    }
    out.result(`${invoices.length} invoices → ${file}`, { file, invoices: invoices.length });
    return missing > 0 ? EXIT.failed : EXIT.ok;
  }
  const to = options.to;
  let targets = ids;
  if (ids.length === 0) {
    const issued = (await listInvoices(api, options.query ?? {}, signal)).filter((invoice) => invoice.number !== undefined);
    // A void invoice has no e-invoice (the API refuses it: a buyer's system would book it as payable); its PDF is stamped.
    const voided = to === 'pdf' ? [] : issued.filter((invoice) => invoice.status === 'void');
    if (voided.length > 0) out.note(`${voided.length} void invoice${voided.length === 1 ? '' : 's'} left out: a void invoice has no ${to === 'factur-x' ? 'Factur-X' : 'e-invoice'}`);
    targets = issued.filter((invoice) => !voided.includes(invoice)).map((invoice) => invoice.id);
  }
  if (targets.length === 0) out.note('no issued invoice matches');
  let code: number = EXIT.ok;
  const written = new Set<string>();
  for (const [index, id] of targets.entries()) {
    if (signal?.aborted) return stopped(out, index, targets.length, 'invoices');
    try {
      // PDFs are the API's own: sealed, and drawn for every currency; a Factur-X is refused there as it would be here.
      const answer =
        to === 'pdf' || to === 'factur-x'
          ? await api.call('GET', `/v1/invoices/${encodeURIComponent(id)}/pdf?format=${to}${options.locale === undefined ? '' : `&locale=${encodeURIComponent(options.locale)}`}`, { accept: 'application/pdf', ...(signal ? { signal } : {}) })
          : await api.call('GET', `/v1/invoices/${encodeURIComponent(id)}/e-invoice?syntax=${to}`, { accept: 'application/xml', ...(signal ? { signal } : {}) });
      const named = /filename="([^"]+)"/.exec(answer.headers.get('content-disposition') ?? '')?.[1] ?? `${id}.${EXTENSIONS[to]}`;
      const base = named.replace(/\.(ubl\.xml|cii\.xml|factur-x\.pdf|pdf)$/, '').replace(/[/\\]/g, '_');
      // A name taken, by an earlier run or by a number the API names alike (`2024/001`, `2024 001`) in this one,
      // gives `<number>-<id>`; --force replaces only what earlier runs left.
      const names = written.has(base) ? [`${base}-${id}`] : replace ? [base] : [base, `${base}-${id}`];
      const file = await writeFirstFree(options.out, names, EXTENSIONS[to], answer.bytes, replace);
      written.add(file.name);
      out.result(`${id} → ${file.path}`, { invoiceId: id, file: file.path });
    } catch (error) {
      if (signal?.aborted) return stopped(out, index, targets.length, 'invoices');
      code = EXIT.failed;
      if (error instanceof ApiProblem) {
        out.result(`${id}: ${error.message}`, { invoiceId: id, refused: { status: error.status, code: error.code, message: error.message, ...(error.rules.length > 0 ? { rules: error.rules } : {}) } });
      } else {
        // A file that cannot be written (a name taken, a folder missing or read-only) does not stop the others.
        const problem = problemOf(error);
        out.result(`${id}: ${problem.message} [${problem.code}]`, { invoiceId: id, error: problem });
      }
    }
  }
  return code;
}

/** Writes the bytes under the first of these names that is free (any, with `replace`); answers the name and path. */
async function writeFirstFree(folder: string, names: readonly string[], extension: string, bytes: Buffer, replace: boolean): Promise<{ name: string; path: string }> {
  for (const name of names) {
    const path = join(folder, `${name}.${extension}`);
    try {
      await writeWhole(path, bytes, { replace });
      return { name, path };
    } catch (error) {
      if (!alreadyThere(error)) throw error;
    }
  }
  const taken = names.map((name) => join(folder, `${name}.${extension}`));
  throw new CliError('cli.file_exists', `${taken.join(' and ')} ${taken.length === 1 ? 'exists' : 'exist'} already: move ${taken.length === 1 ? 'it' : 'them'}, export into another folder, or use --force to replace it`);
}
