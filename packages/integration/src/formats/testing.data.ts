/**
 * What the formats' specs share (spec-only: a `.data.ts` file is not built into the library): the official EN 16931
 * examples beside the repository, edits of their text that fail when they find nothing to edit, and the comparison of
 * the rule ids a check reports with those the official validator reports. The specs run the official validator
 * themselves (a test tool, ADR 0013) and hand its reports in.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FormatError } from './xml';

export type ExampleSyntax = 'ubl' | 'cii';

/** `../shared/fixtures/en16931` beside the repository, as CI lays it out: 19 UBL and 15 CII examples. */
const FIXTURES = resolve(__dirname, '../../../../../shared/fixtures/en16931');

/** The 3.3 MB UBL example, mostly a base64 PDF. */
export const BIG_EXAMPLE = 'FT_G2G_TD01_con_Allegato,_Bonifico_e_Split_Payment.xml';

export interface OfficialExample {
  /** `ubl/<file>` or `cii/<file>`. */
  readonly name: string;
  readonly syntax: ExampleSyntax;
  /** The file name in its folder. */
  readonly file: string;
  readonly bytes: Buffer;
}

/** The official examples of a syntax, or of both (UBL first), each folder sorted by file name. */
export function officialExamples(syntax?: ExampleSyntax): OfficialExample[] {
  return (syntax === undefined ? (['ubl', 'cii'] as const) : [syntax]).flatMap((folder) =>
    readdirSync(join(FIXTURES, folder))
      .filter((file) => /\.xml$/i.test(file))
      .sort()
      .map((file) => ({ name: `${folder}/${file}`, syntax: folder, file, bytes: officialExample(folder, file) })),
  );
}

/** The bytes of one official example. */
export function officialExample(syntax: ExampleSyntax, file: string): Buffer {
  return readFileSync(join(FIXTURES, syntax, file));
}

/** `xml` with the first match of `from` replaced; fails when there is none, so a case cannot silently test nothing. */
export function edit(xml: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? xml.includes(from) : from.test(xml);
  if (!found) throw new Error(`the base document has no ${String(from)}`);
  return xml.replace(from, to);
}

/** `xml` with `addition` written right after the first `anchor`. */
export function after(xml: string, anchor: string, addition: string): string {
  return edit(xml, anchor, anchor + addition);
}

/** `xml` with `addition` written right before the first `anchor`. */
export function before(xml: string, anchor: string, addition: string): string {
  return edit(xml, anchor, addition + anchor);
}

/** `xml` with the first `element` written twice. */
export function twice(xml: string, element: string): string {
  return after(xml, element, element);
}

/** The FormatError `run` throws; fails the test when it throws nothing or something else. */
export function formatError(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError, nothing was thrown');
}

/** A case of a rule spec: an edit of an official example, and the rules it breaks. */
export interface RuleCase {
  /** What the case does to the document. */
  readonly when: string;
  readonly xml: string;
  /** The rules it breaks, all of them. */
  readonly rules: readonly string[];
  /**
   * Why the official validator cannot judge the case: its stylesheet stops with a dynamic error on such a document
   * (an XPath function given two values where it expects one), so the rule can only be checked against its text.
   */
  readonly noOfficialVerdict?: string;
}

/** The part of an official report (`@invoicing/en16931-official`) these comparisons read. */
export interface OfficialVerdict {
  readonly schemaErrors: readonly unknown[];
  readonly findings: readonly { readonly id: string; readonly flag: string }[];
}

/**
 * The cases on which a check and the official validator disagree: where the fatal rules the check owns differ, or
 * where the check or the case names a rule the official validator does not report. `reports` are the official
 * reports by the case's index (`'0'`, `'1'` …), `ours` the rule ids the check reports on a case.
 */
export function officialDisagreements(
  cases: readonly RuleCase[],
  reports: ReadonlyMap<string, OfficialVerdict>,
  ours: (c: RuleCase, index: number) => readonly string[],
  owned: (rule: string) => boolean,
): { when: string; ours: readonly string[]; official: string[] }[] {
  return cases.flatMap((c, i) => {
    const report = reports.get(`${i}`);
    const found = ours(c, i);
    // A document the XSD refuses can stop the stylesheet with a dynamic error (two values where one is expected):
    // the oracle then has no verdict, and the case must be written otherwise.
    if (report === undefined || (report.findings.length === 0 && report.schemaErrors.length > 0)) return [{ when: c.when, ours: found, official: ['(no verdict)'] }];
    const theirs = report.findings.filter((f) => f.flag === 'fatal').map((f) => f.id);
    const expected = [...new Set(theirs.filter(owned))].sort();
    const missing = [...c.rules, ...found].filter((rule) => !theirs.includes(rule));
    const agree = [...new Set(found.filter(owned))].sort().join() === expected.join() && missing.length === 0;
    return agree ? [] : [{ when: c.when, ours: found, official: [...new Set(theirs)].sort() }];
  });
}
