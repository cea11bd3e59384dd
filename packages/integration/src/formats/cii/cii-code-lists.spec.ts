import { validateOfficially } from '@invoicing/en16931-official';
import { readInvoice } from '../e-invoice';
import { edit, officialDisagreements, officialExample, type RuleCase } from '../testing.data';
import { readXml } from '../xml';
import { ciiBindingRules } from './cii-binding-rules';
import { CII_NS } from './cii-path';
import { ciiCodeLists } from './cii-code-lists';

const invoice = (body: string) =>
  readXml(Buffer.from(`<rsm:CrossIndustryInvoice xmlns:rsm="${CII_NS.rsm}" xmlns:ram="${CII_NS.ram}">${body}</rsm:CrossIndustryInvoice>`)).root;

/** Each finding as `rule xpath`. */
const found = (body: string) => ciiCodeLists(invoice(body)).map((f) => `${f.rule} ${f.xpath}`);

const SETTLEMENT = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement';
const settlement = (content: string) => `<rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>${content}</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction>`;

describe('ciiCodeLists', () => {
  it('checks the type code against the invoice and credit note codes together (BR-CL-01)', () => {
    expect(found('<rsm:ExchangedDocument><ram:TypeCode>381</ram:TypeCode></rsm:ExchangedDocument>')).toEqual([]);
    expect(found('<rsm:ExchangedDocument><ram:TypeCode>999</ram:TypeCode></rsm:ExchangedDocument>')).toEqual(['BR-CL-01 /rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode']);
  });

  it('checks every VAT point date code against UNTDID 2475, where UBL\'s 3 is no code (BR-CL-06)', () => {
    const tax = (code: string) => `<ram:ApplicableTradeTax><ram:DueDateTypeCode>${code}</ram:DueDateTypeCode></ram:ApplicableTradeTax>`;
    expect(found(settlement(tax('5') + tax('3')))).toEqual([`BR-CL-06 ${SETTLEMENT}/ram:ApplicableTradeTax[2]/ram:DueDateTypeCode`]);
  });

  it('checks every payment means code, not only the first (BR-CL-16)', () => {
    const means = (code: string) => `<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>${code}</ram:TypeCode></ram:SpecifiedTradeSettlementPaymentMeans>`;
    expect(ciiCodeLists(invoice(settlement(means('58') + means('999'))))).toEqual([
      expect.objectContaining({ rule: 'BR-CL-16', severity: 'fatal', term: 'BT-81', xpath: `${SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans[2]/ram:TypeCode` }),
    ]);
  });
});

// Edits of "maximum content for EN16931" that break a code list the file's codes (ciiCodeLists: BR-CL-06, BR-CL-16)
// or the model (BR-CL-08/14/15 on the codes it reads, with the CII lists) decide; `rules` is every rule each breaks.
const INVOICE = officialExample('cii', 'CII_example5.xml').toString('utf8');
const SECOND_MEANS_CODE = /<ram:TypeCode>58<\/ram:TypeCode>(\s*<ram:PayeePartyCreditorFinancialAccount>\s*<ram:IBANID>A<)/;
const FIRST_MEANS_CODE = /<ram:TypeCode>58<\/ram:TypeCode>(\s*<ram:Information>)/;
const dueDateTypeCode = (code: string) => edit(INVOICE, /<ram:TaxPointDate>[\s\S]*?<\/ram:TaxPointDate>/, `<ram:DueDateTypeCode>${code}</ram:DueDateTypeCode>`);

const CASES: readonly RuleCase[] = [
  { when: 'the VAT point date code is a UBL code', xml: dueDateTypeCode('3'), rules: ['BR-CL-06'] },
  { when: 'the VAT point date code is in neither list', xml: dueDateTypeCode('999'), rules: ['BR-CL-06'] },
  {
    when: "a line's VAT point date code is not a code",
    xml: edit(INVOICE, /(<ram:SpecifiedLineTradeSettlement>\s*<ram:ApplicableTradeTax>\s*<ram:TypeCode>VAT<\/ram:TypeCode>\s*<ram:CategoryCode>S<\/ram:CategoryCode>)/, '$1<ram:DueDateTypeCode>999</ram:DueDateTypeCode>'),
    rules: ['BR-CL-06'],
  },
  { when: 'the first payment means has an unknown code', xml: edit(INVOICE, FIRST_MEANS_CODE, '<ram:TypeCode>XX</ram:TypeCode>$1'), rules: ['BR-CL-16', 'CII-SR-467'] },
  { when: 'a second payment means has an unknown code', xml: edit(INVOICE, SECOND_MEANS_CODE, '<ram:TypeCode>XX</ram:TypeCode>$1'), rules: ['BR-CL-16', 'CII-SR-467'] },
  { when: 'a note subject code has two letters', xml: edit(INVOICE, '<ram:SubjectCode>AAI</ram:SubjectCode>', '<ram:SubjectCode>AA</ram:SubjectCode>'), rules: ['BR-CL-08'] },
  { when: 'a note subject code is empty', xml: edit(INVOICE, '<ram:SubjectCode>AAI</ram:SubjectCode>', '<ram:SubjectCode></ram:SubjectCode>'), rules: ['BR-CL-08'] },
  { when: 'a note subject code of three letters is not a code', xml: edit(INVOICE, '<ram:SubjectCode>AAI</ram:SubjectCode>', '<ram:SubjectCode>XXX</ram:SubjectCode>'), rules: ['BR-CL-08'] },
  { when: "the seller's country is SS (South Sudan, not in the CII list)", xml: edit(INVOICE, '<ram:CountryID>NL</ram:CountryID>', '<ram:CountryID>SS</ram:CountryID>'), rules: ['BR-CL-14'] },
  { when: "the seller's country is in neither list", xml: edit(INVOICE, '<ram:CountryID>NL</ram:CountryID>', '<ram:CountryID>XX</ram:CountryID>'), rules: ['BR-CL-14'] },
  { when: "an item's origin country is SS", xml: edit(INVOICE, '<ram:ID>NL</ram:ID>', '<ram:ID>SS</ram:ID>'), rules: ['BR-CL-15'] },
  { when: "an item's origin country is in neither list", xml: edit(INVOICE, '<ram:ID>NL</ram:ID>', '<ram:ID>XX</ram:ID>'), rules: ['BR-CL-15'] },
];

/** Codes the CII lists have and the UBL ones do not. */
const ACCEPTED: readonly RuleCase[] = [
  { when: 'a note subject code is one of the codes only the CII list has', xml: edit(INVOICE, '<ram:SubjectCode>AAI</ram:SubjectCode>', '<ram:SubjectCode>BAT</ram:SubjectCode>'), rules: [] },
  { when: "the seller's country is AN", xml: edit(INVOICE, '<ram:CountryID>NL</ram:CountryID>', '<ram:CountryID>AN</ram:CountryID>'), rules: [] },
];

const codeListRules = (rules: readonly string[]) => rules.filter((rule) => rule.startsWith('BR-CL-'));

describe('readInvoice of a CII file', () => {
  it.each([...CASES, ...ACCEPTED])('reports $rules once when $when, and the binding rules none of them', async ({ xml, rules }) => {
    const expected = codeListRules(rules);
    const findings = (await readInvoice(Buffer.from(xml))).findings.filter((f) => f.rule.startsWith('BR-CL-'));
    expect(findings.map((f) => f.rule)).toEqual(expected);
    expect(ciiBindingRules(readXml(Buffer.from(xml)).root).filter((f) => expected.includes(f.rule))).toEqual([]);
  });

  it('places BR-CL-06 and BR-CL-16 where ciiCodeLists does', async () => {
    for (const { xml, rules } of CASES.filter((c) => c.rules[0] === 'BR-CL-06' || c.rules[0] === 'BR-CL-16')) {
      const rule = rules[0] ?? '';
      const placed = (await readInvoice(Buffer.from(xml))).findings.filter((f) => f.rule === rule);
      expect(placed).toEqual(ciiCodeLists(readXml(Buffer.from(xml)).root));
    }
  });

  it('agrees with the official validator on the BR-CL-* rules of every case', async () => {
    const all = [...CASES, ...ACCEPTED];
    const official = await validateOfficially(all.map((c, i) => ({ name: `${i}`, xml: c.xml })));
    const ours = await Promise.all(all.map(async (c) => (await readInvoice(Buffer.from(c.xml))).findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)));
    const disagreements = officialDisagreements(all, official, (_, i) => codeListRules(ours[i] ?? []), (rule) => rule.startsWith('BR-CL-'));
    expect(disagreements).toEqual([]);
  }, 120_000);
});
