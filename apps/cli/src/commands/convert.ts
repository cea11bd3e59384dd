import { readFile, writeFile } from 'node:fs/promises';
import { eInvoiceXmlOf, readInvoice, renderInvoicePdf, writeFacturX, writeInvoice, type InvoiceSyntax } from '@invoicing/integration/formats';
import type { En16931Document } from '@invoicing/invoice';
import { EXIT, type Output } from '../output';

/** What `convert` and `export` write: an e-invoice syntax, a PDF for people, or a Factur-X (PDF/A-3 carrying CII). */
export type Target = InvoiceSyntax | 'pdf' | 'factur-x';

/** The bytes of a document in a target form. */
export async function writeTarget(document: En16931Document, to: Target, locale?: string): Promise<Buffer> {
  if (to === 'pdf') return renderInvoicePdf(document, locale === undefined ? {} : { locale });
  if (to === 'factur-x') return writeFacturX(document, locale === undefined ? {} : { locale });
  return writeInvoice(document, to);
}

/**
 * `invoicing convert <file> --to ubl|cii|pdf|factur-x`: rewrites an e-invoice (UBL, CII, or a Factur-X PDF) offline
 * through the EN 16931 model: in the other syntax (everything both express survives), as a PDF, or as a Factur-X.
 * The file is written to `--out`, else to stdout.
 */
export async function convertFile(file: string, options: { readonly to: Target; readonly out?: string; readonly locale?: string }, out: Output): Promise<number> {
  // Without --out the converted file is stdout: a JSON summary after it would corrupt it.
  if (options.out === undefined && out.json) throw new Error('--json needs --out: without it, convert writes the converted file to stdout');
  const { document, syntax, findings } = await readInvoice(await eInvoiceXmlOf(await readFile(file)));
  const fatal = findings.filter((finding) => finding.severity === 'fatal').length;
  if (fatal > 0) out.note(`warning: ${file} has ${fatal} fatal findings (run \`invoicing validate\`); converted as it is`);
  const converted = await writeTarget(document, options.to, options.locale);
  if (options.out === undefined) {
    process.stdout.write(converted);
    return EXIT.ok;
  }
  await writeFile(options.out, converted);
  out.result(`${file} (${syntax}) → ${options.out} (${options.to})`, { from: file, syntax, to: options.out, toSyntax: options.to, fatalFindings: fatal });
  return EXIT.ok;
}
