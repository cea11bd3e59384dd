import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fatalRuleIds, validateOfficially, type OfficialDocument } from '@invoicing/en16931-official';
import { VARIANTS, type MutableDocument } from './agreement-variants.data';
import { XSD_RULE, readInvoice, writeInvoice, type InvoiceSyntax, type ReadInvoiceResult } from './e-invoice';

// Issue 14's test of our validator: for every official example, and for every variant derived from a few of them by
// breaking one rule, the set of fatal rule ids we report equals the set the official CEN schematron 1.3.16 reports.
const FIXTURES = resolve(__dirname, '../../../../../shared/fixtures/en16931');
const fixtures = (['ubl', 'cii'] as const).flatMap((syntax) =>
  readdirSync(join(FIXTURES, syntax))
    .filter((name) => /\.xml$/i.test(name))
    .sort()
    .map((name) => ({ name: `${syntax}/${name}`, syntax, bytes: readFileSync(join(FIXTURES, syntax, name)) })),
);

// Documents whose features (allowances, charges, exempt categories, attachments, a credit note) give most rules
// something to break.
const BASES = [
  'ubl/ubl-tc434-example5.xml',
  'ubl/ubl-tc434-example2.xml',
  'ubl/ubl-tc434-creditnote1.xml',
  'ubl/BIS3_Invoice_positive.XML',
  'cii/CII_example5.xml',
  'cii/CII_example2.xml',
] as const;

interface Case {
  readonly name: string;
  readonly syntax: InvoiceSyntax;
  readonly bytes: Buffer;
}

function ourFatal(result: ReadInvoiceResult): string[] {
  return [...new Set(result.findings.filter((f) => f.severity === 'fatal' && f.rule !== XSD_RULE).map((f) => f.rule))].sort();
}

async function variantsOf(base: (typeof fixtures)[number]): Promise<Case[]> {
  const { document } = await readInvoice(base.bytes);
  return VARIANTS.flatMap((variant, i) => {
    const doc = structuredClone(document) as MutableDocument;
    if (!variant.apply(doc)) return [];
    return [{ name: `${base.name} #${i} (${variant.aim})`, syntax: base.syntax, bytes: writeInvoice(doc, base.syntax) }];
  });
}

/** Each case where the two sets differ, with both sets; empty when all agree. */
async function disagreements(cases: readonly Case[]): Promise<{ name: string; ours: string[]; official: string[] }[]> {
  const official = await validateOfficially(cases.map((c): OfficialDocument => ({ name: c.name, xml: c.bytes })));
  const out: { name: string; ours: string[]; official: string[] }[] = [];
  for (const c of cases) {
    const report = official.get(c.name);
    const theirs = report ? fatalRuleIds(report) : ['(no official report)'];
    const ours = ourFatal(await readInvoice(c.bytes));
    if (ours.join() !== theirs.join()) out.push({ name: c.name, ours, official: theirs });
  }
  return out;
}

describe('EN 16931 validation: agreement with the official CEN schematron 1.3.16', () => {
  it('finds the 34 official examples', () => {
    expect(fixtures).toHaveLength(34);
  });

  it('reports, for every official example, the fatal rules the official validator reports, and no XSD finding', async () => {
    for (const f of fixtures) {
      const result = await readInvoice(f.bytes);
      expect({ name: f.name, syntax: result.syntax, xsd: result.findings.filter((x) => x.rule === XSD_RULE) }).toEqual({ name: f.name, syntax: f.syntax, xsd: [] });
    }
    expect(await disagreements(fixtures)).toEqual([]);
  }, 120_000);

  it('agrees on every derived broken variant (at least 150)', async () => {
    const cases = (await Promise.all(fixtures.filter((f) => (BASES as readonly string[]).includes(f.name)).map(variantsOf))).flat();
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(await disagreements(cases)).toEqual([]);
  }, 300_000);
});
