import { readXml } from '../xml';
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
