/**
 * What the formats' specs share (spec-only: a `.data.ts` file is not built into the library): the official EN 16931
 * examples beside the repository, edits of their text that fail when they find nothing to edit, and the comparison of
 * the rule ids a check reports with those the official validator reports. The specs run the official validator
 * themselves (a test tool, ADR 0013) and hand its reports in.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { En16931 } from '@invoicing/invoice';
import { readInvoice } from './e-invoice';
import { FormatError, readXml, type XmlElement } from './xml';

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

/** What both versions of the official example 5 (`ubl/ubl-tc434-example5.xml`, `cii/CII_example5.xml`) state alike. */
export const EXAMPLE_5 = {
  terms: {
    number: 'TOSL110',
    issueDate: '2013-04-10',
    dueDate: '2013-05-10',
    typeCode: '380',
    currency: 'DKK',
    vatAccountingCurrency: 'EUR',
    buyerReference: 'qwerty',
    buyerAccountingReference: '67543',
    purchaseOrderReference: 'PO4711',
    salesOrderReference: '123',
    despatchAdviceReference: '5433',
    receivingAdviceReference: '3544',
    contractReference: '2013-05',
    projectReference: 'Project345',
    invoicePeriod: { start: '2013-03-10', end: '2013-04-10' },
    precedingInvoices: [{ reference: 'TOSL109', issueDate: '2013-03-10' }],
  },
  seller: {
    name: 'SellerCompany',
    tradingName: 'SelCo',
    vatId: 'NL16356706',
    taxRegistrationId: 'NL16356706',
    identifiers: [{ id: '5790000436101', scheme: '0088' }],
    electronicAddress: { id: 'info@selco.nl', scheme: 'EM' },
    additionalLegalInformation: 'Export',
    address: { line1: 'Hoofdstraat 4', line2: 'Om de hoek', city: 'Grootstad', postCode: '54321', subdivision: 'Overijssel', country: 'NL' },
    contact: { name: 'Anthon Larsen', phone: '+3198989898', email: 'Anthon@Selco.nl' },
  },
} as const;

/** A line of an item alone, whose attributes (BG-32) state a name only, a name and an empty value, a value only. */
export function lineWithPartlyStatedAttributes(): En16931.Line {
  return {
    id: '1',
    allowances: [],
    charges: [],
    price: {},
    vat: {},
    item: { name: 'Widget', classifications: [], attributes: [{ name: 'Colour' }, { name: 'Size', value: '' }, { value: 'red' }] },
  };
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

/** What a spec of a syntax's binding rules states, for {@link bindingRulesSuite}. */
export interface BindingRulesSpec {
  readonly syntax: ExampleSyntax;
  /** The binding rules under test. */
  readonly check: (root: XmlElement) => readonly En16931.Finding[];
  /** Every case breaks these rules and only these. */
  readonly cases: readonly RuleCase[];
  /** Documents the official stylesheet accepts although they look close to a broken case. */
  readonly accepted: readonly Omit<RuleCase, 'rules'>[];
  /** The official validator (`validateOfficially` of `@invoicing/en16931-official`, which only specs may import). */
  readonly official: (documents: { name: string; xml: string }[]) => Promise<ReadonlyMap<string, OfficialVerdict>>;
}

/** The rule ids `check` reports on `xml`, once each, sorted. */
export function bindingRuleIds(check: BindingRulesSpec['check'], xml: string): string[] {
  return [...new Set(check(readXml(Buffer.from(xml)).root).map((f) => f.rule))].sort();
}

/**
 * The tests every syntax's binding rules pass, in the `describe` that calls it: nothing on the official examples,
 * exactly the rules of each case, nothing on the accepted documents, each BR-CL-* of a case once through readInvoice
 * (nothing else checks what the binding rules check), and the official validator's verdict on the rules they own
 * (the syntax's own, `UBL-*` or `CII-*`, and BR-CL-03) on every case it can judge.
 */
export function bindingRulesSuite({ syntax, check, cases, accepted, official }: BindingRulesSpec): void {
  const ruleIds = (xml: string) => bindingRuleIds(check, xml);
  const examples = officialExamples(syntax);

  it(`finds the ${syntax === 'ubl' ? '19 official UBL' : '15 official CII'} examples`, () => {
    expect(examples).toHaveLength(syntax === 'ubl' ? 19 : 15);
  });

  it.each(examples.map((e) => [e.file, e.bytes] as const))('reports nothing on the official example %s', (_, bytes) => {
    expect(ruleIds(bytes.toString('utf8'))).toEqual([]);
  });

  it.each(cases)('reports $rules when $when', ({ xml, rules }) => {
    expect(ruleIds(xml)).toEqual([...rules].sort());
  });

  it.each(accepted)('reports nothing when $when', ({ xml }) => {
    expect(ruleIds(xml)).toEqual([]);
  });

  it('reports each code-list rule of a case once through readInvoice: nothing else checks it there', async () => {
    for (const { when, xml, rules } of cases.filter((c) => c.rules[0]?.startsWith('BR-CL-'))) {
      const findings = (await readInvoice(Buffer.from(xml))).findings.filter((f) => f.rule === rules[0]);
      expect({ when, findings: findings.length }).toEqual({ when, findings: 1 });
    }
  });

  it(`agrees with the official validator on every case: the same ${syntax.toUpperCase()}-* and BR-CL-03, and its other BR-CL-*`, async () => {
    const all = [...cases, ...accepted.map((c) => ({ ...c, rules: [] }))].filter((c) => c.noOfficialVerdict === undefined);
    const reports = await official(all.map((c, i) => ({ name: `${i}`, xml: c.xml })));
    const owned = (rule: string) => rule.startsWith(`${syntax.toUpperCase()}-`) || rule === 'BR-CL-03';
    expect(officialDisagreements(all, reports, (c) => ruleIds(c.xml), owned)).toEqual([]);
  }, 120_000);
}

/** Replaces `el`'s children with a view that counts every read of a child: how often a walk goes over them. */
export function countChildReads(el: XmlElement): () => number {
  let reads = 0;
  const children = new Proxy(el.children, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  Object.defineProperty(el, 'children', { value: children });
  return () => reads;
}
