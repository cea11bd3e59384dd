/**
 * Runs the official EN 16931 validation (XSD, then the CEN schematron 1.3.16) on a batch of documents in one JVM:
 * starting Java and compiling the 0.7-0.9 MB stylesheets costs seconds, each document then milliseconds.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { provisionOfficialValidator, type OfficialSyntax, type OfficialValidatorFiles } from './provision';
import { detectSyntax, parseSvrl, type OfficialFinding } from './svrl';

const run = promisify(execFile);

/** A document to validate; `xml` as bytes (kept as they are) or as a string (written as UTF-8). */
export interface OfficialDocument {
  readonly name: string;
  readonly xml: string | Buffer;
}

/** What the official artefacts say about one document. */
export interface OfficialReport {
  readonly syntax: OfficialSyntax;
  /** The XSD's errors, `line:column: message`; a document that is not well-formed has its parse error here. */
  readonly schemaErrors: readonly string[];
  /** The schematron's failed assertions, fatal and warnings, in document order. */
  readonly findings: readonly OfficialFinding[];
}

/** Stable codes of the failures of `validateOfficially` itself (not of the documents). */
export type OfficialValidatorErrorCode = 'official.unknown_syntax' | 'official.duplicate_name' | 'official.run_failed';

/** The oracle could not answer for the batch: the message says which document or what the JVM printed. */
export class OfficialValidatorError extends Error {
  constructor(
    readonly code: OfficialValidatorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OfficialValidatorError';
  }
}

/** The ids of the fatal findings of a report, sorted and without repeats: the set issue 14 compares. */
export function fatalRuleIds(report: OfficialReport): string[] {
  return [...new Set(report.findings.filter((finding) => finding.flag === 'fatal').map((finding) => finding.id))].sort();
}

let provisioned: Promise<OfficialValidatorFiles> | undefined;

/** Provisioning once per process: every batch after the first starts the JVM straight away. */
function files(log: (line: string) => void): Promise<OfficialValidatorFiles> {
  provisioned ??= provisionOfficialValidator(log).catch((error: unknown) => {
    provisioned = undefined;
    throw error;
  });
  return provisioned;
}

/**
 * Validates every document with the official XSD and schematron, all in one JVM (its cores used in parallel).
 * The syntax comes from each document's root element and namespace.
 * @returns the report of each document, by name.
 * @throws OfficialValidatorError when a document is neither a UBL Invoice, a UBL CreditNote nor a CII
 *   CrossIndustryInvoice, when two documents share a name, or when the JVM fails; StackError when Java 17+ (or, on the
 *   first run, Maven or a JDK's javac) is missing, or the download fails.
 */
export async function validateOfficially(
  documents: readonly OfficialDocument[],
  options: { log?: (line: string) => void } = {},
): Promise<Map<string, OfficialReport>> {
  const syntaxes = documents.map((document) => {
    const syntax = detectSyntax(document.xml);
    if (!syntax) {
      throw new OfficialValidatorError(
        'official.unknown_syntax',
        `${document.name}: the root element is not a UBL 2.1 Invoice or CreditNote, nor a CII D16B CrossIndustryInvoice, in its namespace`,
      );
    }
    return syntax;
  });
  const names = new Set<string>();
  for (const { name } of documents) {
    if (names.has(name)) throw new OfficialValidatorError('official.duplicate_name', `two documents are named ${name}`);
    names.add(name);
  }
  const reports = new Map<string, OfficialReport>();
  if (documents.length === 0) return reports;

  const installed = await files(options.log ?? (() => undefined));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'en16931-official-'));
  try {
    // Files numbered, not named after the documents: a name may hold any character.
    const base = (index: number) => path.join(work, String(index).padStart(5, '0'));
    documents.forEach((document, index) => fs.writeFileSync(`${base(index)}.xml`, document.xml));
    const config = [
      ['xslt.ubl', installed.schematron.ubl],
      ['xslt.cii', installed.schematron.cii],
      ...(Object.entries(installed.xsd) as [OfficialSyntax, string[]][]).map(([syntax, xsds]) => [`xsd.${syntax}`, ...xsds]),
    ];
    fs.writeFileSync(path.join(work, 'config.tsv'), config.map((line) => line.join('\t')).join('\n'));
    fs.writeFileSync(path.join(work, 'manifest.tsv'), syntaxes.map((syntax, index) => `${syntax}\t${base(index)}.xml\t${base(index)}`).join('\n'));

    await run(
      installed.java,
      // A batch lives seconds: C1 alone (no C2 recompilation) and the serial collector took 34 documents from 3.3 s to
      // 1.9 s and 340 from 5.6 s to 3.4 s on 2 cores.
      ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', installed.classpath.join(path.delimiter), 'OfficialValidator', path.join(work, 'config.tsv'), path.join(work, 'manifest.tsv')],
      { timeout: 120_000 + 2_000 * documents.length, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stderr?: string; message: string }) => {
      throw new OfficialValidatorError('official.run_failed', `the official validator's JVM failed: ${(error.stderr || error.message).slice(0, 4000)}`);
    });

    documents.forEach((document, index) => {
      const schemaErrors = fs.readFileSync(`${base(index)}.xsd.txt`, 'utf8').split('\n').filter(Boolean);
      const svrl = `${base(index)}.svrl`;
      if (!fs.existsSync(svrl)) {
        const why = fs.existsSync(`${base(index)}.error.txt`) ? fs.readFileSync(`${base(index)}.error.txt`, 'utf8') : 'no report written';
        // Not well-formed: the XSD step has said so already, and there is nothing for the schematron to judge.
        if (schemaErrors.length === 0) throw new OfficialValidatorError('official.run_failed', `${document.name}: the schematron did not run: ${why.slice(0, 2000)}`);
        reports.set(document.name, { syntax: syntaxes[index] as OfficialSyntax, schemaErrors, findings: [] });
        return;
      }
      reports.set(document.name, { syntax: syntaxes[index] as OfficialSyntax, schemaErrors, findings: parseSvrl(fs.readFileSync(svrl, 'utf8')) });
    });
    return reports;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
