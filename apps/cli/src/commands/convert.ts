import { readFile, writeFile } from 'node:fs/promises';
import { readInvoice, writeInvoice, type InvoiceSyntax } from '@invoicing/integration/formats';
import { EXIT, type Output } from '../output';

/**
 * `invoicing convert <file> --to ubl|cii`: rewrites an e-invoice in the other syntax, offline, through the EN 16931
 * model (everything both syntaxes express survives). The file is written to `--out`, else to stdout.
 */
export async function convertFile(file: string, options: { readonly to: InvoiceSyntax; readonly out?: string }, out: Output): Promise<number> {
  const { document, syntax, findings } = await readInvoice(await readFile(file));
  const fatal = findings.filter((finding) => finding.severity === 'fatal').length;
  if (fatal > 0) out.note(`warning: ${file} has ${fatal} fatal findings (run \`invoicing validate\`); converted as it is`);
  const converted = writeInvoice(document, options.to);
  if (options.out === undefined) {
    process.stdout.write(converted);
    return EXIT.ok;
  }
  await writeFile(options.out, converted);
  out.result(`${file} (${syntax}) → ${options.out} (${options.to})`, { from: file, syntax, to: options.out, toSyntax: options.to, fatalFindings: fatal });
  return EXIT.ok;
}
