import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiProblem, type ApiClient } from '../api-client';
import { EXIT, type Output } from '../output';

/**
 * `invoicing export <invoiceIds...> --to ubl|cii`: writes issued invoices as e-invoice files into `--out` (the
 * current folder by default), each named as the API names it (`INV-000042.ubl.xml`). Exit 1 if one could not be.
 */
export async function exportInvoices(api: ApiClient, ids: readonly string[], options: { readonly to: 'ubl' | 'cii'; readonly out: string }, out: Output): Promise<number> {
  let code: number = EXIT.ok;
  for (const id of ids) {
    try {
      const answer = await api.call('GET', `/v1/invoices/${encodeURIComponent(id)}/e-invoice?syntax=${options.to}`, { accept: 'application/xml' });
      const named = /filename="([^"]+)"/.exec(answer.headers.get('content-disposition') ?? '')?.[1] ?? `${id}.${options.to}.xml`;
      const file = join(options.out, named.replace(/[/\\]/g, '_'));
      await writeFile(file, answer.text);
      out.result(`${id} → ${file}`, { invoiceId: id, file });
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      code = EXIT.failed;
      out.result(`${id}: ${error.message}`, { invoiceId: id, refused: { status: error.status, code: error.code, message: error.message } });
    }
  }
  return code;
}
