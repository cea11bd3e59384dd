import { readFile, stat } from 'node:fs/promises';
import { eInvoiceXmlOf, readInvoice, renderInvoicePdf, writeFacturX, writeInvoice, type InvoiceSyntax } from '@invoicing/integration/formats';
import type { En16931Document } from '@invoicing/invoice';
import { alreadyThere, writeWhole } from '../files';
import { CliError, EXIT, type Output } from '../output';

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
 * The file is written whole to `--out` (a file already there only with `force`), else to stdout. Ctrl-C (`signal`)
 * stops it before it writes.
 */
export async function convertFile(
  file: string,
  options: { readonly to: Target; readonly out?: string; readonly locale?: string; readonly force?: boolean; readonly signal?: AbortSignal },
  out: Output,
): Promise<number> {
  // Without --out the converted file is stdout: a JSON summary after it would corrupt it.
  if (options.out === undefined && out.json) throw new CliError('cli.usage', '--json needs --out: without it, convert writes the converted file to stdout');
  const taken = () => new CliError('cli.file_exists', `${options.out} exists already: use --force to replace it`);
  // Refused before the work, and again when written (`wx`), should it appear meanwhile.
  if (options.out !== undefined && !options.force && (await exists(options.out))) throw taken();
  const { document, syntax, findings } = await readInvoice(await eInvoiceXmlOf(await readFile(file, options.signal ? { signal: options.signal } : {})));
  const fatal = findings.filter((finding) => finding.severity === 'fatal').length;
  if (fatal > 0) out.note(`warning: ${file} has ${fatal} fatal findings (run \`invoicing validate\`); converted as it is`);
  const converted = await writeTarget(document, options.to, options.locale);
  options.signal?.throwIfAborted();
  if (options.out === undefined) {
    process.stdout.write(converted);
    return EXIT.ok;
  }
  try {
    await writeWhole(options.out, converted, { replace: options.force === true });
  } catch (error) {
    throw alreadyThere(error) ? taken() : error;
  }
  out.result(`${file} (${syntax}) → ${options.out} (${options.to})`, { from: file, syntax, to: options.out, toSyntax: options.to, fatalFindings: fatal });
  return EXIT.ok;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
