import { readInvoice } from '../e-invoice';
import { countChildReads, edit, officialExample, officialExamples } from '../testing.data';
import { NS, readXml } from '../xml';
import { AMOUNT_CURRENCY_RULE, ublAmountCurrencies } from './ubl-amount-currencies';

// ubl-tc434-example5 is in DKK (BT-5) with its VAT total in EUR as well (BT-6, BT-111).
const INVOICE = officialExample('ubl', 'ubl-tc434-example5.xml').toString('utf8');

const findingsOf = (xml: string) => ublAmountCurrencies(readXml(Buffer.from(xml)).root);

describe('PEPPOL-EN16931-R051: every amount of a UBL file in the document currency', () => {
  it.each(officialExamples('ubl').map((e) => [e.file, e.bytes] as const))('reports nothing on the official example %s', (_, bytes) => {
    expect(findingsOf(bytes.toString('utf8'))).toEqual([]);
  });

  it('reports the amount due stated in another currency, where it is', () => {
    const findings = findingsOf(edit(INVOICE, '<cbc:PayableAmount currencyID="DKK">', '<cbc:PayableAmount currencyID="EUR">'));
    expect(findings).toEqual([expect.objectContaining({ rule: AMOUNT_CURRENCY_RULE, severity: 'fatal', xpath: '/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount' })]);
  });

  it('reports a VAT category tax amount (BT-117) in another currency, which Peppol’s own context leaves out', () => {
    const findings = findingsOf(edit(INVOICE, '<cbc:TaxAmount currencyID="DKK">375.00', '<cbc:TaxAmount currencyID="EUR">375.00'));
    expect(findings.map((f) => [f.rule, f.xpath])).toEqual([[AMOUNT_CURRENCY_RULE, '/Invoice/cac:TaxTotal[1]/cac:TaxSubtotal[1]/cbc:TaxAmount']]);
  });

  it('reports the VAT total of the breakdown (BT-110) in the accounting currency: only a total without subtotals is BT-111', () => {
    const findings = findingsOf(edit(INVOICE, '<cbc:TaxAmount currencyID="DKK">675.00', '<cbc:TaxAmount currencyID="EUR">675.00'));
    expect(findings.map((f) => f.xpath)).toEqual(['/Invoice/cac:TaxTotal[1]/cbc:TaxAmount']);
  });

  it('leaves a missing document currency and a missing currencyID to the rules that report them (BR-05, BR-CL-03)', () => {
    expect(findingsOf(edit(INVOICE, /<cbc:DocumentCurrencyCode>[^<]*<\/cbc:DocumentCurrencyCode>/, ''))).toEqual([]);
    expect(findingsOf(edit(INVOICE, ' currencyID="DKK">2337.50</cbc:PayableAmount>', '>2337.50</cbc:PayableAmount>'))).toEqual([]);
  });

  it('compares codes as XPath does after trimming XML white space', () => {
    expect(findingsOf(edit(INVOICE, '<cbc:PayableAmount currencyID="DKK">', '<cbc:PayableAmount currencyID=" DKK ">'))).toEqual([]);
  });

  it('asks once per VAT total whether it has a breakdown, however many amounts it holds (audit D1: once per amount)', () => {
    const amounts = '<cbc:TaxAmount currencyID="EUR">628.62</cbc:TaxAmount>'.repeat(2000);
    const { root } = readXml(Buffer.from(edit(INVOICE, '<cbc:TaxAmount currencyID="EUR">628.62</cbc:TaxAmount>', amounts)));
    const total = root.children.filter((c) => c.ns === NS.cac && c.name === 'TaxTotal')[1];
    if (total === undefined) throw new Error('no second cac:TaxTotal');
    const reads = countChildReads(total);
    expect(ublAmountCurrencies(root)).toEqual([]);
    // Once per amount, this was 2 000 × its 2 000 children.
    expect(reads()).toBeLessThan(5 * total.children.length);
  });

  it('is one of the fatal findings readInvoice reports, so an import or a validation refuses the file', async () => {
    const { findings } = await readInvoice(Buffer.from(edit(INVOICE, '<cbc:PayableAmount currencyID="DKK">', '<cbc:PayableAmount currencyID="EUR">')));
    expect(findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual([AMOUNT_CURRENCY_RULE]);
  });
});
