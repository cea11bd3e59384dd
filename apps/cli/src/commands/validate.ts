import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { FormatError, eInvoiceXmlOf, validate, type FileFinding } from '@invoicing/integration/formats';
import { expandPaths } from '../files';
import { EXIT, type Output } from '../output';

/**
 * `invoicing validate <paths...>`: checks UBL and CII files (and the XML of Factur-X PDFs) offline, as the API's validation does (the official
 * XSDs, the syntax-binding rules, the EN 16931 rules). Exit 0 when every file is valid, 1 otherwise.
 */
export async function validateFiles(paths: readonly string[], out: Output): Promise<number> {
  let code: number = EXIT.ok;
  for (const file of await expandPaths(paths, ['xml', 'pdf'])) {
    const name = relative(process.cwd(), file) || file;
    try {
      // A Factur-X or ZUGFeRD PDF is checked by the XML it carries.
      const findings = await validate(await eInvoiceXmlOf(await readFile(file)));
      const fatal = findings.filter((finding) => finding.severity === 'fatal');
      if (fatal.length > 0) code = EXIT.failed;
      out.result(
        [`${name}: ${fatal.length === 0 ? 'valid' : 'INVALID'} (${fatal.length} fatal, ${findings.length - fatal.length} warnings)`, ...findings.map(describe)].join('\n'),
        { file: name, valid: fatal.length === 0, findings },
      );
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      code = EXIT.failed;
      out.result(`${name}: not an e-invoice: ${error.message} [${error.code}]`, { file: name, valid: false, error: { code: error.code, message: error.message } });
    }
  }
  return code;
}

function describe(finding: FileFinding): string {
  const where = finding.line === undefined ? '' : ` (line ${finding.line}${finding.column === undefined ? '' : `:${finding.column}`})`;
  return `  ${finding.severity.padEnd(7)} ${finding.rule}${finding.term ? ` ${finding.term}` : ''}: ${finding.message}${where}`;
}
