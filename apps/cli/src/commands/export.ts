import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spreadsheetText } from '@invoicing/integration/formats';
import { stringify } from 'csv-stringify/sync';
import { ApiProblem, type ApiClient } from '../api-client';
import { EXIT, type Output } from '../output';
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

/** An invoice as `GET /v1/invoices` lists it: what a CSV export writes. */
interface InvoiceSummary {
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
  readonly total: { readonly amount: string };
  readonly paid: { readonly amount: string };
  readonly credited: { readonly amount: string };
  readonly outstanding: { readonly amount: string };
  /** The document's link in its series' hash chain, null until it is sealed. */
  readonly seal?: { readonly position: number; readonly hash: string } | null;
}

/** The invoices a query matches, page after page, newest first as the API lists them. */
export async function listInvoices(api: ApiClient, query: InvoiceQuery): Promise<InvoiceSummary[]> {
  const params = new URLSearchParams({ limit: '200' });
  if (query.status) params.set('status', query.status);
  if (query.kind) params.set('kind', query.kind);
  if (query.partner) params.set('partner_id', query.partner);
  if (query.issuedFrom) params.set('issued_from', query.issuedFrom);
  if (query.issuedTo) params.set('issued_to', query.issuedTo);
  const found: InvoiceSummary[] = [];
  for (let cursor: string | null = null; ; ) {
    if (cursor) params.set('cursor', cursor);
    const page = (await api.call('GET', `/v1/invoices?${params}`)).json as { items: InvoiceSummary[]; nextCursor: string | null };
    found.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) return found;
  }
}

const CSV_COLUMNS = [
  'Invoice #', 'Kind', 'Status', 'Buyer', 'Invoice Date', 'Due Date', 'Customer PO Number', 'External Reference', 'Bill Total', 'Amount Paid', 'Amount Credited', 'Outstanding', 'Currency', 'Id',
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

/**
 * `invoicing export [invoiceIds...] --to ubl|cii|pdf|factur-x|csv`: writes invoices into `--out` (the current folder
 * by default): those named, else those a query matches (`--status`, `--partner`, `--issued-from` …). Each file is
 * named after the invoice's number (`INV-000042.ubl.xml`, `INV-000042.pdf`), as the API answers it (a PDF sealed, a
 * Factur-X refused for a document that is not a valid EN 16931 invoice). `csv` writes one `invoices.csv` listing them,
 * drafts too. Exit 1 if one could not be written.
 */
export async function exportInvoices(
  api: ApiClient,
  ids: readonly string[],
  options: { readonly to: Target | 'csv'; readonly out: string; readonly locale?: string; readonly query?: InvoiceQuery },
  out: Output,
): Promise<number> {
  const chosen = ids.length > 0 ? undefined : await listInvoices(api, options.query ?? {});
  if (options.to === 'csv') {
    // One file for all of them, from the list (ids given are looked up in it).
    const invoices = chosen ?? (await listInvoices(api, options.query ?? {})).filter((invoice) => ids.includes(invoice.id));
    const file = join(options.out, 'invoices.csv');
    await writeFile(file, invoicesCsv(invoices));
    out.result(`${invoices.length} invoices → ${file}`, { file, invoices: invoices.length });
    return EXIT.ok;
  }
  const targets = chosen ? chosen.filter((invoice) => invoice.number !== undefined).map((invoice) => invoice.id) : ids;
  if (targets.length === 0) out.note('no issued invoice matches');
  const to = options.to;
  let code: number = EXIT.ok;
  const written = new Set<string>();
  for (const id of targets) {
    try {
      // PDFs are the API's own: sealed, and drawn for every currency; a Factur-X is refused there as it would be here.
      const answer =
        to === 'pdf' || to === 'factur-x'
          ? await api.call('GET', `/v1/invoices/${encodeURIComponent(id)}/pdf?format=${to}${options.locale === undefined ? '' : `&locale=${encodeURIComponent(options.locale)}`}`, { accept: 'application/pdf' })
          : await api.call('GET', `/v1/invoices/${encodeURIComponent(id)}/e-invoice?syntax=${to}`, { accept: 'application/xml' });
      const named = /filename="([^"]+)"/.exec(answer.headers.get('content-disposition') ?? '')?.[1] ?? `${id}.${EXTENSIONS[to]}`;
      const base = named.replace(/\.(ubl\.xml|cii\.xml|factur-x\.pdf|pdf)$/, '').replace(/[/\\]/g, '_');
      // Two numbers the API names alike (`2024/001`, `2024 001`) do not overwrite each other's file.
      const unique = written.has(base) ? `${base}-${id}` : base;
      written.add(unique);
      const file = join(options.out, `${unique}.${EXTENSIONS[to]}`);
      await writeFile(file, answer.bytes);
      out.result(`${id} → ${file}`, { invoiceId: id, file });
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      code = EXIT.failed;
      out.result(`${id}: ${error.message}`, { invoiceId: id, refused: { status: error.status, code: error.code, message: error.message, ...(error.rules.length > 0 ? { rules: error.rules } : {}) } });
    }
  }
  return code;
}
