import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readInvoice } from '@invoicing/integration/formats';
import { ApiProblem, type ApiClient } from '../api-client';
import { EXIT, type Output } from '../output';
import { writeTarget, type Target } from './convert';

const EXTENSIONS: Readonly<Record<Target, string>> = { ubl: 'ubl.xml', cii: 'cii.xml', pdf: 'pdf', 'factur-x': 'factur-x.pdf' };

/**
 * `invoicing export <invoiceIds...> --to ubl|cii|pdf|factur-x`: writes issued invoices into `--out` (the current
 * folder by default), each named after its number (`INV-000042.ubl.xml`, `INV-000042.pdf`). The API answers the
 * e-invoice; a PDF or Factur-X is rendered from it here, as `convert` does. Exit 1 if one could not be.
 */
export async function exportInvoices(
  api: ApiClient,
  ids: readonly string[],
  options: { readonly to: Target; readonly out: string; readonly locale?: string },
  out: Output,
): Promise<number> {
  let code: number = EXIT.ok;
  for (const id of ids) {
    try {
      const syntax = options.to === 'ubl' ? 'ubl' : 'cii';
      const answer = await api.call('GET', `/v1/invoices/${encodeURIComponent(id)}/e-invoice?syntax=${syntax}`, { accept: 'application/xml' });
      const named = /filename="([^"]+)"/.exec(answer.headers.get('content-disposition') ?? '')?.[1] ?? `${id}.${syntax}.xml`;
      const base = named.replace(/\.(ubl|cii)\.xml$/, '').replace(/[/\\]/g, '_');
      const file = join(options.out, `${base}.${EXTENSIONS[options.to]}`);
      const bytes = options.to === syntax ? Buffer.from(answer.text) : await writeTarget((await readInvoice(Buffer.from(answer.text))).document, options.to, options.locale);
      await writeFile(file, bytes);
      out.result(`${id} → ${file}`, { invoiceId: id, file });
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      code = EXIT.failed;
      out.result(`${id}: ${error.message}`, { invoiceId: id, refused: { status: error.status, code: error.code, message: error.message } });
    }
  }
  return code;
}
