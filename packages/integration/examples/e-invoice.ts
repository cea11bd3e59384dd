import { readFileSync } from 'node:fs';
import { readInvoice, writeInvoice } from '@invoicing/integration/formats';

/** Reads a UBL or CII invoice, reports what breaks EN 16931, and writes it in the other syntax. */
export async function convert(path: string): Promise<Buffer> {
  const { document, syntax, findings } = await readInvoice(readFileSync(path));
  for (const f of findings) console.log(`${f.severity} ${f.rule} at ${f.xpath ?? '/'}: ${f.message}`);
  if (findings.some((f) => f.severity === 'fatal')) throw new Error(`${document.number ?? path} breaks EN 16931`);

  console.log(`${syntax} ${document.typeCode} ${document.number}: ${document.totals.amountDue} ${document.currency} due`);
  return writeInvoice(document, syntax === 'ubl' ? 'cii' : 'ubl');
}
