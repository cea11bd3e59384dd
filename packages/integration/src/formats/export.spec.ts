import { fatalRuleIds, validateOfficially } from '@invoicing/en16931-official';
import { invoiceToEn16931, type Invoice } from '@invoicing/invoice';
import { aDraft, aPartner, aPartnership, aTenant, issue } from '@invoicing/invoice/testing';
import { readInvoice, writeInvoice } from './e-invoice';

// Invoices issued by the domain, written as e-invoices: the official validator must find nothing fatal in either syntax.
const tenant = aTenant();
const seller = aPartner(tenant, { legalName: 'Seller SAS', identifiers: { vatId: 'FR12345678901', electronicAddress: { scheme: '0009', value: '12345678900011' } } });
const buyer = aPartner(tenant, { legalName: 'Buyer GmbH', identifiers: { vatId: 'DE123456789', electronicAddress: { scheme: '9930', value: 'DE123456789' } } });
const partnership = aPartnership(tenant, seller, buyer);

const invoices: [string, Invoice][] = [
  [
    'mixed rates, allowances and a charge',
    issue(
      aDraft(tenant, partnership, {
        lines: [
          { name: 'Consulting', quantity: '3', unitCode: 'HUR', netPrice: '100.00', vat: { code: 'S', rate: '20' }, allowances: [{ amount: '10.00', reason: 'Loyalty' }] },
          { name: 'Training', quantity: '1.5', unitCode: 'DAY', netPrice: '800.00', priceBaseQuantity: '2', vat: { code: 'S', rate: '5.5' } },
        ],
        charges: [{ amount: '25.00', reason: 'Travel', vat: { code: 'S', rate: '20' } }],
        allowances: [{ percent: '5', baseAmount: '100.00', reason: 'Early order', vat: { code: 'S', rate: '20' } }],
        buyerReference: 'PO-77',
        notes: ['Thank you'],
      }),
      seller,
      buyer,
      1,
    ),
  ],
  ['an exempt supply', issue(aDraft(tenant, partnership, { lines: [{ name: 'Medical care', quantity: '2', unitCode: 'C62', netPrice: '49.99', vat: { code: 'E', rate: '0', exemptionReason: 'Exempt under Article 132 of Directive 2006/112/EC', exemptionReasonCode: 'VATEX-EU-132' } }] }), seller, buyer, 2)],
  ['a credit note', issue(aDraft(tenant, partnership, { kind: 'credit_note', precedingInvoice: { id: 'inv-1' as never, number: 'INV-000001', issueDate: '2026-01-02' as never } }), seller, buyer, 3)],
];

describe('issued invoices as e-invoices', () => {
  it('pass the official XSD and schematron in UBL and in CII, and read back as the same document', async () => {
    const written = invoices.flatMap(([name, invoice]) => {
      const doc = invoiceToEn16931(invoice.toState());
      return (['ubl', 'cii'] as const).map((syntax) => ({ name: `${syntax}: ${name}`, doc, syntax, xml: writeInvoice(doc, syntax) }));
    });
    for (const w of written) {
      const again = await readInvoice(w.xml);
      expect({ name: w.name, document: again.document, fatal: again.findings.filter((f) => f.severity === 'fatal') }).toEqual({ name: w.name, document: w.doc, fatal: [] });
    }
    const reports = await validateOfficially(written.map(({ name, xml }) => ({ name, xml })));
    const verdict = (name: string) => {
      const report = reports.get(name);
      return { name, schema: report?.schemaErrors, fatal: report ? fatalRuleIds(report) : 'no report' };
    };
    expect(written.map(({ name }) => verdict(name))).toEqual(
      written.map(({ name }) => ({ name, schema: [], fatal: [] })),
    );
  }, 60_000);
});
