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
