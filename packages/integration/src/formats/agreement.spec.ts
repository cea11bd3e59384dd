import { fatalRuleIds, validateOfficially, type OfficialDocument } from '@invoicing/en16931-official';
import { VARIANTS, type MutableDocument } from './agreement-variants.data';
import { XSD_RULE, readInvoice, writeInvoice, type InvoiceSyntax, type ReadInvoiceResult } from './e-invoice';
import { officialExamples } from './testing.data';
import { AMOUNT_CURRENCY_RULE } from './ubl/ubl-amount-currencies';

// Issue 14's test of our validator: for every official example, and for every variant derived from a few of them by
// breaking one rule, the set of fatal rule ids we report equals the set the official CEN schematron 1.3.16 reports.
const fixtures = officialExamples();

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

// Peppol's PEPPOL-EN16931-R051, which the platform adds to the CEN rules (ubl-amount-currencies.ts), is not theirs.
function ourFatal(result: ReadInvoiceResult): string[] {
  return [...new Set(result.findings.filter((f) => f.severity === 'fatal' && f.rule !== XSD_RULE && f.rule !== AMOUNT_CURRENCY_RULE).map((f) => f.rule))].sort();
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

  it('agrees on edits of the file that no change of the model can express', async () => {
    const text = (name: string) => fixtures.find((f) => f.name === name)?.bytes.toString('utf8') ?? '';
    const ubl = text('ubl/ubl-tc434-example5.xml');
    const cii = text('cii/CII_example5.xml');
    const edits: [string, InvoiceSyntax, string][] = [
      // The amounts keep their currencyID: no VAT total is in BT-5 (BR-CO-15), the breakdown still sums (BR-CO-14).
      ['an unknown document currency, UBL', 'ubl', ubl.replace('<cbc:DocumentCurrencyCode>DKK', '<cbc:DocumentCurrencyCode>EUX')],
      ['an unknown document currency, CII', 'cii', cii.replace('<ram:InvoiceCurrencyCode>DKK', '<ram:InvoiceCurrencyCode>EUX')],
      ['BT-6 equal to BT-5 with two VAT totals in it', 'ubl', ubl.replace(/<cbc:TaxCurrencyCode>[^<]*/, '<cbc:TaxCurrencyCode>DKK')],
      ['an empty buyer address', 'ubl', ubl.replace(/(<cac:AccountingCustomerParty>[\s\S]*?<cac:PostalAddress>)[\s\S]*?(<\/cac:PostalAddress>)/, '$1$2')],
      ['a credit note type code in an Invoice', 'ubl', ubl.replace(/<cbc:InvoiceTypeCode>[^<]*/, '<cbc:InvoiceTypeCode>381')],
      ['a CII VAT point date code in UBL', 'ubl', ubl.replace('<cac:InvoicePeriod>', '<cac:InvoicePeriod><cbc:DescriptionCode>5</cbc:DescriptionCode>')],
      // XPath's normalize-space trims XML white space only: a no-break space makes the code unknown (BR-CL-14).
      ['a seller country padded with a no-break space, CII', 'cii', cii.replace(/(<ram:SellerTradeParty>[\s\S]*?<ram:CountryID>)([^<]*)/, '$1$2\u00a0')],
      ['a seller country padded with a no-break space, UBL', 'ubl', ubl.replace(/(<cac:AccountingSupplierParty>[\s\S]*?<cbc:IdentificationCode>)([^<]*)/, '$1$2\u00a0')],
      ['a UBL VAT point date code in CII', 'cii', cii.replace(/<ram:TaxPointDate>[\s\S]*?<\/ram:TaxPointDate>/, '<ram:DueDateTypeCode>3</ram:DueDateTypeCode>')],
    ];
    const cases = edits.map(([name, syntax, xml]): Case => ({ name, syntax, bytes: Buffer.from(xml) }));
    expect(cases.map((c) => c.bytes.toString('utf8'))).not.toContain(ubl);
    expect(cases.map((c) => c.bytes.toString('utf8'))).not.toContain(cii);
    expect(await disagreements(cases)).toEqual([]);
  }, 120_000);

  it('agrees on every derived broken variant (at least 150)', async () => {
    const cases = (await Promise.all(fixtures.filter((f) => (BASES as readonly string[]).includes(f.name)).map(variantsOf))).flat();
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(await disagreements(cases)).toEqual([]);
  }, 300_000);
});
