import { validateOfficially } from '@invoicing/en16931-official';
import { readInvoice } from '../e-invoice';
import { after, before, edit, officialDisagreements, officialExample, type RuleCase } from '../testing.data';
import { readXml } from '../xml';
import { UBL_NS } from './ubl-path';
import { ublCodeLists } from './ubl-code-lists';

const invoice = (root: 'Invoice' | 'CreditNote', body: string) =>
  readXml(Buffer.from(`<${root} xmlns="${root === 'Invoice' ? UBL_NS.invoice : UBL_NS.creditNote}" xmlns:cac="${UBL_NS.cac}" xmlns:cbc="${UBL_NS.cbc}">${body}</${root}>`)).root;

/** Each finding as `rule xpath`. */
const found = (root: ReturnType<typeof invoice>) => ublCodeLists(root).map((f) => `${f.rule} ${f.xpath}`);

describe('ublCodeLists', () => {
  it('checks the type code against the list of its own element (BR-CL-01)', () => {
    expect(found(invoice('Invoice', '<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>'))).toEqual([]);
    expect(found(invoice('Invoice', '<cbc:InvoiceTypeCode>381</cbc:InvoiceTypeCode>'))).toEqual(['BR-CL-01 /Invoice/cbc:InvoiceTypeCode']);
    expect(found(invoice('CreditNote', '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>'))).toEqual([]);
    expect(found(invoice('CreditNote', '<cbc:CreditNoteTypeCode> 380 </cbc:CreditNoteTypeCode>'))).toEqual(['BR-CL-01 /CreditNote/cbc:CreditNoteTypeCode']);
  });

  it('checks every VAT point date code, the lines\' too, against UNTDID 2005 (BR-CL-06)', () => {
    const root = invoice(
      'Invoice',
      '<cac:InvoicePeriod><cbc:DescriptionCode>35</cbc:DescriptionCode></cac:InvoicePeriod>' +
        '<cac:InvoiceLine><cac:InvoicePeriod><cbc:DescriptionCode>29</cbc:DescriptionCode></cac:InvoicePeriod></cac:InvoiceLine>',
    );
    expect(found(root)).toEqual(['BR-CL-06 /Invoice/cac:InvoiceLine/cac:InvoicePeriod/cbc:DescriptionCode']);
  });

  it('checks every payment means code, not only the first (BR-CL-16), and places the finding on it', () => {
    const root = invoice(
      'Invoice',
      '<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode></cac:PaymentMeans>\n' +
        '<cac:PaymentMeans><cbc:PaymentMeansCode>999</cbc:PaymentMeansCode></cac:PaymentMeans>',
    );
    expect(ublCodeLists(root)).toEqual([
      expect.objectContaining({ rule: 'BR-CL-16', severity: 'fatal', term: 'BT-81', xpath: '/Invoice/cac:PaymentMeans[2]/cbc:PaymentMeansCode', line: 2, column: 19 }),
    ]);
  });
});

// Edits of an official invoice and credit note that break these code lists; `rules` is every rule each one breaks.
const INVOICE = officialExample('ubl', 'ubl-tc434-example5.xml').toString('utf8');
const CREDIT_NOTE = officialExample('ubl', 'ubl-tc434-creditnote1.xml').toString('utf8');
const MEANS = (code: string) => `<cac:PaymentMeans><cbc:PaymentMeansCode>${code}</cbc:PaymentMeansCode></cac:PaymentMeans>`;
const CODE_LISTS = ['BR-CL-01', 'BR-CL-06', 'BR-CL-16'];

const CASES: readonly RuleCase[] = [
  { when: 'an invoice has a credit note type code', xml: edit(INVOICE, '<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>', '<cbc:InvoiceTypeCode>381</cbc:InvoiceTypeCode>'), rules: ['BR-CL-01'] },
  { when: 'a credit note has an invoice type code', xml: edit(CREDIT_NOTE, '<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>', '<cbc:CreditNoteTypeCode>380</cbc:CreditNoteTypeCode>'), rules: ['BR-CL-01'] },
  { when: 'the type code is in neither list', xml: edit(INVOICE, '<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>', '<cbc:InvoiceTypeCode>999</cbc:InvoiceTypeCode>'), rules: ['BR-CL-01'] },
  { when: 'the VAT point date code is a CII code', xml: after(INVOICE, '<cbc:StartDate>2013-03-10</cbc:StartDate>', '<cbc:DescriptionCode>5</cbc:DescriptionCode>'), rules: ['BR-CL-06'] },
  { when: 'the VAT point date code is in neither list', xml: after(INVOICE, '<cbc:StartDate>2013-03-10</cbc:StartDate>', '<cbc:DescriptionCode>999</cbc:DescriptionCode>'), rules: ['BR-CL-06'] },
  {
    when: "a line period's VAT point date code is not a code",
    xml: after(INVOICE, '<cac:InvoicePeriod>\n            <cbc:StartDate>2013-03-10</cbc:StartDate>', '<cbc:DescriptionCode>999</cbc:DescriptionCode>'),
    rules: ['BR-CL-06'],
  },
  { when: 'the first payment means has an unknown code', xml: edit(INVOICE, '<cbc:PaymentMeansCode>49</cbc:PaymentMeansCode>', '<cbc:PaymentMeansCode>XX</cbc:PaymentMeansCode>'), rules: ['BR-CL-16'] },
  { when: 'a second payment means has an unknown code', xml: before(INVOICE, '<cac:PaymentTerms>', MEANS('XX')), rules: ['BR-CL-16', 'UBL-SR-47'] },
];

describe('readInvoice of a UBL file', () => {
  it.each(CASES)('reports $rules once, where ublCodeLists places it, when $when', async ({ xml, rules }) => {
    const fromFile = ublCodeLists(readXml(Buffer.from(xml)).root);
    expect(fromFile.map((f) => f.rule)).toEqual(rules.filter((rule) => CODE_LISTS.includes(rule)));
    // Neither the binding rules nor the model report these codes again.
    expect((await readInvoice(Buffer.from(xml))).findings.filter((f) => CODE_LISTS.includes(f.rule))).toEqual(fromFile);
  });

  it('agrees with the official validator on the BR-CL-* rules of every case', async () => {
    const official = await validateOfficially(CASES.map((c, i) => ({ name: `${i}`, xml: c.xml })));
    const ours = await Promise.all(CASES.map(async (c) => (await readInvoice(Buffer.from(c.xml))).findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)));
    const disagreements = officialDisagreements(CASES, official, (_, i) => (ours[i] ?? []).filter((rule) => rule.startsWith('BR-CL-')), (rule) => rule.startsWith('BR-CL-'));
    expect(disagreements).toEqual([]);
  }, 120_000);
});
