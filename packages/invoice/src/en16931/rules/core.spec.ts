import { describe, expect, it } from '@jest/globals';
import type { En16931Document } from '../model';
import { validDocument, validLine, withLine } from '../testing';
import { validateEn16931 } from '../validate-en16931';
import { coreRules } from './core';

/** Each finding as `rule pointer` (or the rule alone for a whole-document rule). */
const found = (doc: En16931Document): string[] => coreRules(doc).map((f) => (f.pointer === undefined ? f.rule : `${f.rule} ${f.pointer}`));

type Change = (doc: En16931Document) => En16931Document;

const seller = (patch: Partial<En16931Document['seller']>): Change => (doc) => ({ ...doc, seller: { ...doc.seller, ...patch } });
const buyer = (patch: Partial<En16931Document['buyer']>): Change => (doc) => ({ ...doc, buyer: { ...doc.buyer, ...patch } });
const totals = (patch: Partial<En16931Document['totals']>): Change => (doc) => ({ ...doc, totals: { ...doc.totals, ...patch } });
const set = (patch: Partial<En16931Document>): Change => (doc) => ({ ...doc, ...patch });
const line = (patch: Parameters<typeof withLine>[2]): Change => (doc) => withLine(doc, 0, patch);
const price = (patch: Partial<En16931Document['lines'][number]['price']>): Change => line({ price: { netPrice: '10.00', ...patch } });
const item = (patch: Partial<En16931Document['lines'][number]['item']>): Change => line({ item: { name: 'Widget', classifications: [], attributes: [], ...patch } });
const payment = (patch: Partial<NonNullable<En16931Document['paymentInstructions']>>): Change =>
  set({ paymentInstructions: { meansCode: '58', creditTransfers: [{ accountId: 'DE89370400440532013000' }], ...patch } });
const allowance = { amount: '1.00', vatCategory: 'S', vatRate: '19', reason: 'Discount' };
const representative = { name: 'Rep Ltd', vatId: 'DE999999999', address: { country: 'DE' } };

/** [rule, when, change, every finding of the core rules on the changed valid document]. */
const cases: [string, string, Change, string[]][] = [
  ['BR-01', 'the specification identifier is missing', set({ process: {} }), ['BR-01 process.specification']],
  ['BR-01', 'the specification identifier is only XML whitespace', set({ process: { specification: ' \t\r\n' } }), ['BR-01 process.specification']],
  ['BR-01', 'the specification identifier is a no-break space, which normalize-space keeps', set({ process: { specification: '\u00a0' } }), []],
  ['BR-02', 'the invoice number is missing', set({ number: undefined }), ['BR-02 number']],
  ['BR-02', 'the invoice number is blank', set({ number: '  ' }), ['BR-02 number']],
  ['BR-03', 'the issue date is missing', set({ issueDate: undefined }), ['BR-03 issueDate']],
  ['BR-04', 'the type code is empty', set({ typeCode: '' }), ['BR-04 typeCode']],
  ['BR-05', 'the currency code is missing', set({ currency: undefined }), ['BR-05 currency']],
  ['BR-06', 'the seller name is missing', seller({ name: undefined }), ['BR-06 seller.name']],
  ['BR-07', 'the buyer name is blank', buyer({ name: ' ' }), ['BR-07 buyer.name']],
  ['BR-08', 'the seller address is missing (and BR-09, tested on the address, is silent)', seller({ address: undefined }), ['BR-08 seller.address']],
  ['BR-09', 'the seller address has no country', seller({ address: { city: 'Berlin' } }), ['BR-09 seller.address.country']],
  ['BR-09', 'the seller country is blank', seller({ address: { country: ' ' } }), ['BR-09 seller.address.country']],
  ['BR-10', 'the buyer address is missing', buyer({ address: undefined }), ['BR-10 buyer.address']],
  ['BR-11', 'the buyer address has no country', buyer({ address: { city: 'Paris' } }), ['BR-11 buyer.address.country']],
  ['BR-12', 'BT-106 is missing', totals({ lineNetTotal: undefined }), ['BR-12 totals.lineNetTotal']],
  ['BR-13', 'BT-109 is missing', totals({ taxExclusive: undefined }), ['BR-13 totals.taxExclusive']],
  ['BR-14', 'BT-112 is missing', totals({ taxInclusive: undefined }), ['BR-14 totals.taxInclusive']],
  ['BR-15', 'BT-115 is missing', totals({ amountDue: undefined }), ['BR-15 totals.amountDue']],
  ['BR-16', 'there is no line', set({ lines: [] }), ['BR-16']],
  ['BR-17', 'the payee has no name', set({ payee: { identifier: { id: 'P1' } } }), ['BR-17 payee.name']],
  ['BR-17', "the payee name is the seller's trading name", (doc) => ({ ...seller({ tradingName: 'Shop' })(doc), payee: { name: 'Shop' } }), ['BR-17 payee.name']],
  ['BR-17', "the payee identifier is one of the seller's", (doc) => ({ ...seller({ identifiers: [{ id: 'A' }, { id: 'P1' }] })(doc), payee: { name: 'Factor', identifier: { id: 'P1' } } }), ['BR-17 payee.name']],
  ['BR-17', "the payee name is the seller's legal name, which UBL does not compare", set({ payee: { name: 'Seller GmbH' } }), []],
  ['BR-17', 'the payee has its own name and identifier', (doc) => ({ ...seller({ identifiers: [{ id: 'A' }] })(doc), payee: { name: 'Factor', identifier: { id: 'P1' } } }), []],
  ['BR-18', 'the tax representative is empty (BR-19, BR-56 too)', set({ taxRepresentative: {} }), ['BR-18 taxRepresentative.name', 'BR-19 taxRepresentative.address', 'BR-56 taxRepresentative.vatId']],
  ['BR-18', 'the tax representative has everything', set({ taxRepresentative: representative }), []],
  ['BR-19', 'the tax representative has no address', set({ taxRepresentative: { ...representative, address: undefined } }), ['BR-19 taxRepresentative.address']],
  ['BR-20', 'the tax representative address has no country', set({ taxRepresentative: { ...representative, address: { city: 'Bonn' } } }), ['BR-20 taxRepresentative.address.country']],
  ['BR-56', 'the tax representative has no VAT id', set({ taxRepresentative: { ...representative, vatId: undefined } }), ['BR-56 taxRepresentative.vatId']],
  ['BR-56', "the tax representative's VAT id is present but empty, which UBL only tests for presence", set({ taxRepresentative: { ...representative, vatId: '' } }), []],
  ['BR-21', 'the second line has a blank id', (doc) => ({ ...doc, lines: [validLine('1'), validLine(' ')] }), ['BR-21 lines[1].id']],
  ['BR-22', 'a line has no quantity', line({ quantity: undefined }), ['BR-22 lines[0].quantity']],
  ['BR-22', 'a line has an empty quantity, which UBL only tests for presence', line({ quantity: '' }), []],
  ['BR-23', 'a line has no unit code', line({ unitCode: undefined }), ['BR-23 lines[0].unitCode']],
  ['BR-24', 'a line has no net amount', line({ netAmount: undefined }), ['BR-24 lines[0].netAmount']],
  ['BR-25', 'a line has a blank item name', item({ name: '\n' }), ['BR-25 lines[0].item.name']],
  ['BR-26', 'a line has no net price (an absent price also compares as negative: BR-27)', price({ netPrice: undefined }), ['BR-26 lines[0].price.netPrice', 'BR-27 lines[0].price.netPrice']],
  ['BR-27', 'the net price is negative', price({ netPrice: '-0.01' }), ['BR-27 lines[0].price.netPrice']],
  ['BR-27', 'the net price is -0.00, which Saxon compares as the double -0.0', price({ netPrice: '-0.00' }), ['BR-27 lines[0].price.netPrice']],
  ['BR-27', 'the net price is -0, which Saxon compares as the integer 0', price({ netPrice: '-0' }), []],
  ['BR-27', 'the net price is zero', price({ netPrice: '0.00' }), []],
  ['BR-27', 'the net price is not a decimal', price({ netPrice: '1e3' }), ['BR-27 lines[0].price.netPrice']],
  ['BR-28', 'the gross price is negative', price({ grossPrice: '-5' }), ['BR-28 lines[0].price.grossPrice']],
  ['BR-28', 'the gross price is -0.0', price({ grossPrice: '-0.0' }), ['BR-28 lines[0].price.grossPrice']],
  ['BR-28', 'the gross price is positive', price({ grossPrice: '+12.50' }), []],
  ['BR-29', 'the invoicing period ends before it starts', set({ invoicePeriod: { start: '2024-02-01', end: '2024-01-31' } }), ['BR-29 invoicePeriod.end']],
  ['BR-29', 'the invoicing period is one day', set({ invoicePeriod: { start: '2024-01-31', end: '2024-01-31' } }), []],
  ['BR-29', 'the invoicing period has a start only', set({ invoicePeriod: { start: '2024-02-01' } }), []],
  ['BR-30', 'the line period ends before it starts', line({ period: { start: '2024-01-02', end: '2024-01-01' } }), ['BR-30 lines[0].period.end']],
  ['BR-30', 'the line period has an end only', line({ period: { end: '2024-01-01' } }), []],
  ['BR-31', 'a document allowance is empty (BR-32, BR-33 too)', set({ allowances: [{}] }), ['BR-31 allowances[0].amount', 'BR-32 allowances[0].vatCategory', 'BR-33 allowances[0].reason']],
  ['BR-31', 'a document allowance is complete', set({ allowances: [allowance] }), []],
  ['BR-32', 'a document allowance has no VAT category', set({ allowances: [{ ...allowance, vatCategory: undefined }] }), ['BR-32 allowances[0].vatCategory']],
  ['BR-33', 'a document allowance has neither reason nor reason code', set({ allowances: [{ ...allowance, reason: undefined }] }), ['BR-33 allowances[0].reason']],
  ['BR-33', 'a document allowance has a reason code only', set({ allowances: [{ ...allowance, reason: undefined, reasonCode: '95' }] }), []],
  ['BR-36', 'a document charge is empty (BR-37, BR-38 too)', set({ charges: [{}] }), ['BR-36 charges[0].amount', 'BR-37 charges[0].vatCategory', 'BR-38 charges[0].reason']],
  ['BR-36', 'a document charge is complete', set({ charges: [{ ...allowance, reason: 'Freight' }] }), []],
  ['BR-37', 'a document charge has no VAT category', set({ charges: [{ ...allowance, vatCategory: undefined }] }), ['BR-37 charges[0].vatCategory']],
  ['BR-38', 'a document charge has neither reason nor reason code', set({ charges: [{ ...allowance, reason: undefined }] }), ['BR-38 charges[0].reason']],
  ['BR-41', 'a line allowance has no amount', line({ allowances: [{ reason: 'Discount' }] }), ['BR-41 lines[0].allowances[0].amount']],
  ['BR-42', 'a line allowance has no reason', line({ allowances: [{ amount: '1.00' }] }), ['BR-42 lines[0].allowances[0].reason']],
  ['BR-42', 'a line allowance has an empty reason, which UBL only tests for presence', line({ allowances: [{ amount: '1.00', reason: '' }] }), []],
  ['BR-43', 'a line charge has no amount', line({ charges: [{ reasonCode: 'FC' }] }), ['BR-43 lines[0].charges[0].amount']],
  ['BR-44', 'a line charge has no reason', line({ charges: [{ amount: '1.00' }] }), ['BR-44 lines[0].charges[0].reason']],
  ['BR-45', 'a VAT breakdown is empty (BR-46, BR-47, BR-48 too)', set({ vatBreakdown: [{}] }), ['BR-45 vatBreakdown[0].taxableAmount', 'BR-46 vatBreakdown[0].taxAmount', 'BR-47 vatBreakdown[0].category', 'BR-48 vatBreakdown[0].rate']],
  ['BR-46', 'a VAT breakdown has no tax amount', set({ vatBreakdown: [{ taxableAmount: '20.00', category: 'S', rate: '19' }] }), ['BR-46 vatBreakdown[0].taxAmount']],
  ['BR-48', 'an exempt (E) VAT breakdown has no rate', set({ vatBreakdown: [{ taxableAmount: '20.00', taxAmount: '0.00', category: 'E' }] }), ['BR-48 vatBreakdown[0].rate']],
  ['BR-48', 'a not-subject (O) VAT breakdown has no rate, the code padded with spaces', set({ vatBreakdown: [{ taxableAmount: '20.00', taxAmount: '0.00', category: ' O ' }] }), []],
  ['BR-49', 'the payment instructions have no means code', payment({ meansCode: undefined }), ['BR-49 paymentInstructions.meansCode']],
  ['BR-49', 'the payment instructions hold only the SEPA creditor id, which UBL keeps on the party', set({ paymentInstructions: { creditTransfers: [], directDebit: { creditorId: 'DE98ZZZ09999999999' } } }), []],
  ['BR-50', 'a credit transfer account id is blank', payment({ creditTransfers: [{ accountId: 'DE89370400440532013000' }, { accountId: ' ' }] }), ['BR-50 paymentInstructions.creditTransfers[1].accountId']],
  ['BR-50', 'an account id is missing under a means code that is not 30 or 58 as written (BR-61 normalizes it)', payment({ meansCode: ' 58', creditTransfers: [{ accountName: 'Seller' }] }), ['BR-61 paymentInstructions.creditTransfers[0].accountId']],
  ['BR-61', "one of two accounts has no id: its payment means has none", payment({ creditTransfers: [{ accountName: 'Seller' }, { accountId: 'DE89370400440532013000' }] }), ['BR-61 paymentInstructions.creditTransfers[0].accountId', 'BR-50 paymentInstructions.creditTransfers[0].accountId']],
  ['BR-61', 'a credit transfer (30) has no account', payment({ meansCode: '30', creditTransfers: [] }), ['BR-61 paymentInstructions.creditTransfers']],
  ['BR-61', 'a credit transfer has an empty account id, which BR-61 only tests for presence', payment({ creditTransfers: [{ accountId: '' }] }), ['BR-50 paymentInstructions.creditTransfers[0].accountId']],
  ['BR-61', 'a direct debit (59) has no account', payment({ meansCode: '59', creditTransfers: [] }), []],
  ['BR-51', 'the card number has 11 characters', payment({ meansCode: '48', creditTransfers: [], card: { accountNumber: '12345678901' } }), ['BR-51 paymentInstructions.card.accountNumber']],
  ['BR-51', 'the card number has 10 characters once the outer whitespace is dropped', payment({ meansCode: '48', creditTransfers: [], card: { accountNumber: '\n 1234567890 \t' } }), []],
  ['BR-51', 'the card number has 11 characters once inner whitespace is one space', payment({ meansCode: '48', creditTransfers: [], card: { accountNumber: '12345 \t 67890' } }), ['BR-51 paymentInstructions.card.accountNumber']],
  ['BR-52', 'a supporting document has no reference', set({ attachments: [{ reference: 'A1' }, { description: 'Timesheet' }] }), ['BR-52 attachments[1].reference']],
  ['BR-52', 'the invoiced object identifier (an additional document reference in UBL) is blank', set({ invoicedObjectIdentifier: { id: ' ', scheme: 'AAA' } }), ['BR-52 invoicedObjectIdentifier.id']],
  ['BR-53', 'the VAT accounting currency has no VAT total', set({ vatAccountingCurrency: 'USD' }), ['BR-53 totals.vatTotalInAccountingCurrency']],
  ['BR-53', 'the VAT accounting currency has its VAT total', (doc) => ({ ...totals({ vatTotalInAccountingCurrency: '4.10' })(doc), vatAccountingCurrency: 'USD' }), []],
  ['BR-53', 'the VAT accounting currency is the document currency, whose VAT total is given', set({ vatAccountingCurrency: 'EUR' }), []],
  ['BR-54', 'an item attribute has no value', item({ attributes: [{ name: 'Colour', value: 'red' }, { name: 'Size' }] }), ['BR-54 lines[0].item.attributes[1]']],
  ['BR-54', 'an item attribute has no name', item({ attributes: [{ value: 'red' }] }), ['BR-54 lines[0].item.attributes[0]']],
  ['BR-54', 'an item attribute has an empty value, which both syntaxes only test for presence', item({ attributes: [{ name: 'Size', value: '' }] }), []],
  ['BR-55', 'a preceding invoice reference has no reference', set({ precedingInvoices: [{ issueDate: '2023-12-01' }] }), ['BR-55 precedingInvoices[0].reference']],
  ['BR-55', 'a preceding invoice reference is complete', set({ precedingInvoices: [{ reference: 'INV-2023-9' }] }), []],
  ['BR-57', 'the deliver-to address has no country', set({ delivery: { address: { city: 'Lyon' } } }), ['BR-57 delivery.address.country']],
  ['BR-57', 'a delivery has no address', set({ delivery: { date: '2024-01-30' } }), []],
  ['BR-62', 'the seller electronic address has no scheme', seller({ electronicAddress: { id: 'seller@example.com' } }), ['BR-62 seller.electronicAddress.scheme']],
  ['BR-62', 'the seller electronic address has an empty scheme, which UBL only tests for presence', seller({ electronicAddress: { id: 'x', scheme: '' } }), []],
  ['BR-63', 'the buyer electronic address has no scheme', buyer({ electronicAddress: { id: 'buyer@example.com' } }), ['BR-63 buyer.electronicAddress.scheme']],
  ['BR-63', 'the buyer electronic address has a scheme', buyer({ electronicAddress: { id: 'buyer@example.com', scheme: 'EM' } }), []],
  ['BR-64', 'the item standard identifier has no scheme', item({ standardId: { id: '4000001000005' } }), ['BR-64 lines[0].item.standardId.scheme']],
  ['BR-64', 'the item standard identifier has a scheme', item({ standardId: { id: '4000001000005', scheme: '0160' } }), []],
  ['BR-65', 'an item classification has no scheme', item({ classifications: [{ id: '43211503', scheme: 'STI' }, { id: '9' }] }), ['BR-65 lines[0].item.classifications[1].scheme']],
];

describe('coreRules', () => {
  it('finds nothing in the valid document, nor do the other rule sets', () => {
    expect(validateEn16931(validDocument())).toEqual([]);
  });

  it.each(cases)('%s: when %s, reports exactly what the official UBL schematron reports', (_rule, _when, change, expected) => {
    expect(found(change(validDocument()))).toEqual(expected);
  });

  it('reports a rule once per context: BR-21 on each line without an id', () => {
    const doc = { ...validDocument(), lines: [validLine(''), validLine('2'), validLine(' ')] };

    expect(found(doc)).toEqual(['BR-21 lines[0].id', 'BR-21 lines[2].id']);
  });

  it('gives each finding its business term, a message and the official severity: BR-51 only warns', () => {
    const doc = payment({ meansCode: '48', creditTransfers: [], card: { accountNumber: '4111111111111111' } })(set({ number: undefined })(validDocument()));

    expect(coreRules(doc)).toEqual([
      { rule: 'BR-02', severity: 'fatal', message: 'An Invoice shall have an Invoice number (BT-1).', term: 'BT-1', pointer: 'number' },
      expect.objectContaining({ rule: 'BR-51', severity: 'warning', term: 'BT-87', pointer: 'paymentInstructions.card.accountNumber' }),
    ]);
  });

  it('has no pointer for a whole-document rule', () => {
    expect(coreRules({ ...validDocument(), lines: [] })).toEqual([
      { rule: 'BR-16', severity: 'fatal', message: 'An Invoice shall have at least one Invoice line (BG-25).', term: 'BG-25' },
    ]);
  });
});
