import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { FormatError, eInvoiceXmlOf, validate, type FileFinding } from '@invoicing/integration/formats';
import { expandPaths } from '../files';
import { EXIT, problemOf, stopped, type Output } from '../output';

/**
 * `invoicing validate <paths...>`: checks UBL and CII files (and the XML of Factur-X PDFs) offline, as the API's validation does (the official
 * XSDs, the syntax-binding rules, the EN 16931 rules). Exit 0 when every file is valid, 1 otherwise; a file that
 * cannot be read is reported and the others are checked. Ctrl-C (`signal`) stops it between two files.
 */
export async function validateFiles(paths: readonly string[], out: Output, signal?: AbortSignal): Promise<number> {
  let code: number = EXIT.ok;
  const files = await expandPaths(paths, ['xml', 'pdf']);
  for (const [index, file] of files.entries()) {
    if (signal?.aborted) return stopped(out, index, files.length, 'files');
    const name = relative(process.cwd(), file) || file;
    try {
      // A Factur-X or ZUGFeRD PDF is checked by the XML it carries.
      const findings = await validate(await eInvoiceXmlOf(await readFile(file, signal ? { signal } : {})));
      const fatal = findings.filter((finding) => finding.severity === 'fatal');
      if (fatal.length > 0) code = EXIT.failed;
      out.result(
        [`${name}: ${fatal.length === 0 ? 'valid' : 'INVALID'} (${fatal.length} fatal, ${findings.length - fatal.length} warnings)`, ...findings.map(describe)].join('\n'),
        { file: name, valid: fatal.length === 0, findings },
      );
    } catch (error) {
      if (signal?.aborted) return stopped(out, index, files.length, 'files');
      code = EXIT.failed;
      const problem = problemOf(error);
      out.result(`${name}: ${error instanceof FormatError ? 'not an e-invoice' : 'cannot be checked'}: ${problem.message} [${problem.code}]`, { file: name, valid: false, error: problem });
    }
  }
  return code;
}

function describe(finding: FileFinding): string {
  const where = finding.line === undefined ? '' : ` (line ${finding.line}${finding.column === undefined ? '' : `:${finding.column}`})`;
  return `  ${finding.severity.padEnd(7)} ${finding.rule}${finding.term ? ` ${finding.term}` : ''}: ${finding.message}${where}`;
}
