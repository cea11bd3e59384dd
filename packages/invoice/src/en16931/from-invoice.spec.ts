import { aDraft, aPartner, aPartnership, aTenant, issue } from '../testing';
import { assertEn16931Currency, invoiceToEn16931 } from './from-invoice';
import { validateEn16931 } from './validate-en16931';

const tenant = aTenant();
const seller = aPartner(tenant, { legalName: 'Seller SAS', identifiers: { vatId: 'FR12345678901', electronicAddress: { scheme: '0009', value: '12345678900011' } } });
const buyer = aPartner(tenant, { legalName: 'Buyer GmbH', identifiers: { vatId: 'DE123456789' } });
const partnership = aPartnership(tenant, seller, buyer);

describe('invoiceToEn16931', () => {
  it('writes an issued invoice with the totals the domain computed, and it breaks no EN 16931 rule', () => {
    const invoice = issue(
      aDraft(tenant, partnership, {
        lines: [
          { name: 'Consulting', quantity: '3', unitCode: 'HUR', netPrice: '100.00', vat: { code: 'S', rate: '20' }, allowances: [{ amount: '10.00', reason: 'Loyalty' }] },
          { name: 'Training', quantity: '1.5', unitCode: 'DAY', netPrice: '800.00', priceBaseQuantity: '2', vat: { code: 'S', rate: '5.5' } },
        ],
        charges: [{ amount: '25.00', reason: 'Travel', vat: { code: 'S', rate: '20' } }],
        buyerReference: 'PO-77',
        notes: ['Thank you'],
      }),
      seller,
      buyer,
      7,
    );
    const doc = invoiceToEn16931(invoice.toState());
    expect(doc).toMatchObject({
      number: invoice.number,
      issueDate: '2026-01-15',
      typeCode: '380',
      currency: 'EUR',
      buyerReference: 'PO-77',
      paymentTerms: 'Net 30 days',
      notes: [{ text: 'Thank you' }],
      seller: { name: 'Seller SAS', vatId: 'FR12345678901', electronicAddress: { id: '12345678900011', scheme: '0009' }, address: { line1: '1 rue de la Paix', city: 'Paris', country: 'FR' } },
      buyer: { name: 'Buyer GmbH', vatId: 'DE123456789' },
      charges: [{ amount: '25.00', reason: 'Travel', vatCategory: 'S', vatRate: '20' }],
      totals: { lineNetTotal: '890.00', chargeTotal: '25.00', taxExclusive: '915.00', vatTotal: '96.00', taxInclusive: '1011.00', amountDue: '1011.00' },
    });
    expect(doc.lines[1]).toMatchObject({ quantity: '1.5', unitCode: 'DAY', netAmount: '600.00', price: { netPrice: '800', baseQuantity: '2' }, vat: { category: 'S', rate: '5.5' } });
    expect(validateEn16931(doc)).toEqual([]);
  });

  it('writes a discounted return line with the allowance of its signed gross, and it breaks no EN 16931 rule', () => {
    // −2 × 10.00 = −20.00; 10 % of it is −2.00 (BT-136, BT-138); net −20.00 − (−2.00) = −18.00 (BT-131).
    const invoice = issue(
      aDraft(tenant, partnership, {
        lines: [
          { name: 'Widget', quantity: '5', unitCode: 'C62', netPrice: '10.00', vat: { code: 'S', rate: '20' }, allowances: [{ percent: '10', reason: 'Discount' }] },
          { name: 'Widget returned', quantity: '-2', unitCode: 'C62', netPrice: '10.00', vat: { code: 'S', rate: '20' }, allowances: [{ percent: '10', reason: 'Discount' }] },
        ],
      }),
      seller,
      buyer,
      8,
    );
    const doc = invoiceToEn16931(invoice.toState());

    // The base of a percent is written (BT-137) when the line computed it: Peppol's R041 wants one with every percent.
    expect(doc.lines[0]).toMatchObject({ netAmount: '45.00', allowances: [{ amount: '5.00', percentage: '10', baseAmount: '50.00' }] });
    expect(doc.lines[1]).toMatchObject({ quantity: '-2', netAmount: '-18.00', allowances: [{ amount: '-2.00', percentage: '10', baseAmount: '-20.00', reason: 'Discount' }] });
    expect(doc.totals).toMatchObject({ lineNetTotal: '27.00', vatTotal: '5.40', amountDue: '32.40' });
    expect(validateEn16931(doc)).toEqual([]);
  });

  it('writes a credit note with type 381 and the invoice it corrects', () => {
    const invoice = issue(aDraft(tenant, partnership, { kind: 'credit_note', precedingInvoice: { id: 'inv-1' as never, number: 'INV-000001', issueDate: '2026-01-02' as never } }), seller, buyer, 2);
    const doc = invoiceToEn16931(invoice.toState());
    expect([doc.typeCode, doc.precedingInvoices]).toEqual(['381', [{ reference: 'INV-000001', issueDate: '2026-01-02' }]]);
    expect(validateEn16931(doc).filter((f) => f.severity === 'fatal')).toEqual([]);
  });

  it('refuses a draft: it has no number and no frozen parties', () => {
    expect(() => invoiceToEn16931(aDraft(tenant, partnership).toState())).toThrow(expect.objectContaining({ code: 'invoice.not_issued' }));
  });
});

describe('assertEn16931Currency', () => {
  it('refuses a currency of more than 2 decimals, whose amounts EN 16931 cannot state, and takes those of 0 to 2', () => {
    for (const currency of ['BHD', 'KWD', 'OMR']) {
      expect(() => assertEn16931Currency({ id: 'inv-1' as never, currency: currency as never })).toThrow(expect.objectContaining({ code: 'e_invoice.currency_not_supported', details: { invoiceId: 'inv-1', currency } }));
    }
    for (const currency of ['EUR', 'JPY', 'USD']) expect(() => assertEn16931Currency({ id: 'inv-1' as never, currency: currency as never })).not.toThrow();
  });
});
