// The oracle itself, on the real artefacts (Java, Saxon-HE, the CEN schematron 1.3.16, the XSDs): every official
// example passes, and documents broken one rule at a time report the rule ids the official validator really reports.
// One batch, so one JVM, for the whole file.
import fs from 'node:fs';
import path from 'node:path';
import { fatalRuleIds, validateOfficially, type OfficialReport } from './validate';

/** `../shared/fixtures/en16931` beside the clone, as CI lays it out. */
const fixturesDir = path.resolve(__dirname, '../../../../shared/fixtures/en16931');
const fixtures = (['ubl', 'cii'] as const).flatMap((folder) =>
  fs
    .readdirSync(path.join(fixturesDir, folder))
    .filter((file) => /\.xml$/i.test(file))
    .sort()
    .map((file) => ({ name: `${folder}/${file}`, xml: fs.readFileSync(path.join(fixturesDir, folder, file)) })),
);

function fixture(name: string): string {
  const found = fixtures.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found.xml.toString('utf8');
}

/** `xml` with the first match of `pattern` after `from` replaced; fails when nothing changes, so a variant is never a no-op. */
function broken(xml: string, pattern: RegExp, replacement: string, from = 0): string {
  const changed = xml.slice(0, from) + xml.slice(from).replace(pattern, replacement);
  if (changed === xml) throw new Error(`${pattern} changed nothing`);
  return changed;
}

const ubl = fixture('ubl/ubl-tc434-example1.xml');
const cii = fixture('cii/CII_example1.xml');

/**
 * Each variant breaks one thing; `fatal` is the set the official schematron reports for it, checked by hand:
 * - an unknown currency code also breaks BR-CO-15, because both syntaxes' rule sums only the VAT totals whose
 *   currencyID equals the document currency (BT-5): with EUX none does, so BT-110 counts as 0;
 * - a wrong line net amount also breaks BR-S-08, the standard-rate VAT breakdown's taxable amount (BT-116) no longer
 *   being the sum of the standard-rated lines.
 */
const variants: { name: string; xml: string; fatal: string[]; schemaErrors: boolean }[] = [
  // UBL's XSD requires cbc:ID as well: both layers speak.
  { name: 'ubl: no invoice number', xml: broken(ubl, /\s*<cbc:ID>12115118<\/cbc:ID>/, ''), fatal: ['BR-02'], schemaErrors: true },
  { name: 'ubl: unknown currency', xml: broken(ubl, /<cbc:DocumentCurrencyCode>EUR</, '<cbc:DocumentCurrencyCode>EUX<'), fatal: ['BR-CL-04', 'BR-CO-15'], schemaErrors: false },
  {
    name: 'ubl: a line net amount that the lines total does not add up to',
    xml: broken(ubl, /(<cbc:LineExtensionAmount currencyID="EUR">)19\.90</, '$129.90<', ubl.indexOf('<cac:InvoiceLine>')),
    fatal: ['BR-CO-10', 'BR-S-08'],
    schemaErrors: false,
  },
  { name: 'cii: no invoice number', xml: broken(cii, /\s*<ram:ID>12115118<\/ram:ID>/, ''), fatal: ['BR-02'], schemaErrors: true },
  { name: 'cii: unknown currency', xml: broken(cii, /<ram:InvoiceCurrencyCode>EUR</, '<ram:InvoiceCurrencyCode>EUX<'), fatal: ['BR-CL-04', 'BR-CO-15'], schemaErrors: false },
  {
    name: 'cii: a line net amount that the lines total does not add up to',
    xml: broken(cii, /<ram:LineTotalAmount>19\.9</, '<ram:LineTotalAmount>29.9<'),
    fatal: ['BR-CO-10', 'BR-S-08'],
    schemaErrors: false,
  },
];

/** A syntax-binding rule that only warns: UBL-CR-004, "should not include the CopyIndicator". */
const warned = { name: 'ubl: a copy indicator', xml: broken(ubl, /(<cbc:ID>12115118<\/cbc:ID>)/, '$1<cbc:CopyIndicator>false</cbc:CopyIndicator>') };

const truncated = { name: 'ubl: cut in the middle', xml: ubl.slice(0, Math.floor(ubl.length / 2)) };

let reports: Map<string, OfficialReport>;

beforeAll(async () => {
  const started = Date.now();
  reports = await validateOfficially([...fixtures, ...variants, warned, truncated], { log: (line) => console.log(line) });
  console.log(`official validation of ${reports.size} documents in one JVM: ${Date.now() - started} ms`);
  // The first run downloads from Maven Central (about 30 s on a fast line); later runs take a few seconds.
}, 15 * 60_000);

describe('the official EN 16931 validator', () => {
  it('finds the 34 official examples beside the clone', () => {
    expect(fixtures).toHaveLength(34);
  });

  it.each(fixtures.map((document) => document.name))('passes the official example %s: XSD valid, no fatal finding', (name) => {
    const report = reports.get(name) as OfficialReport;
    expect(report.syntax).toBe(name === 'ubl/ubl-tc434-creditnote1.xml' ? 'ubl-creditnote' : name.startsWith('ubl/') ? 'ubl-invoice' : 'cii');
    expect(report.schemaErrors).toEqual([]);
    expect(fatalRuleIds(report)).toEqual([]);
  });

  it.each(variants.map((variant) => [variant.name, variant] as const))('reports the broken rule: %s', (_name, variant) => {
    const report = reports.get(variant.name) as OfficialReport;
    expect(fatalRuleIds(report)).toEqual(variant.fatal);
    expect(report.schemaErrors.length > 0).toBe(variant.schemaErrors);
    const finding = report.findings.find((candidate) => candidate.id === variant.fatal[0]);
    expect(finding?.flag).toBe('fatal');
    expect(finding?.text).toContain(`[${variant.fatal[0]}]`);
    expect(finding?.location).toMatch(/^\//);
  });

  it('reports warnings apart from the fatal set', () => {
    const report = reports.get(warned.name) as OfficialReport;
    expect(report.schemaErrors).toEqual([]);
    expect(fatalRuleIds(report)).toEqual([]);
    expect(report.findings.map(({ id, flag }) => ({ id, flag }))).toEqual([{ id: 'UBL-CR-004', flag: 'warning' }]);
  });

  it('reports a document that is not well-formed as a schema error, with no schematron finding', () => {
    const report = reports.get(truncated.name) as OfficialReport;
    expect(report.syntax).toBe('ubl-invoice');
    expect(report.schemaErrors.join('\n')).toMatch(/XML document structures must start and end within the same entity|must be terminated/);
    expect(report.findings).toEqual([]);
  });
});
