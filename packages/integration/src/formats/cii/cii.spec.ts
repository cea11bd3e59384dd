// The official validator is the test oracle (ADR 0013): a tool, used only by tests.
import { fatalRuleIds, validateOfficially } from '@invoicing/en16931-official';
import { En16931 } from '@invoicing/invoice';
import { EXAMPLE_5, countChildReads, lineWithPartlyStatedAttributes, officialExample, officialExamples } from '../testing.data';
import { readXml, type XmlElement } from '../xml';
import { validateXsd } from '../xsd/xsd-validator';
import { CII_NS } from './cii-path';
import { ciiXpath, locateCii, readCii, writeCii } from '.';

// The 15 official CII examples.
const files = officialExamples('cii').map((example) => example.file);

function root(bytes: Uint8Array): XmlElement {
  return readXml(bytes).root;
}

function read(bytes: Uint8Array): En16931.En16931Document {
  return readCii(root(bytes));
}

function fixture(name: string): En16931.En16931Document {
  return read(officialExample('cii', name));
}

const TRANSACTION = '/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction';
const SETTLEMENT = `${TRANSACTION}/ram:ApplicableHeaderTradeSettlement`;

describe('CII D16B', () => {
  it('finds the 15 official CII examples', () => {
    expect(files).toHaveLength(15);
  });

  describe('readCii and writeCii', () => {
    it.each(files)('%s: read → write → read gives the same document', (name) => {
      const doc = fixture(name);
      expect(read(writeCii(doc))).toEqual(doc);
    });
  });

  describe('readCii', () => {
    it('reads every kind of term of a rich invoice (CII_example5)', () => {
      const doc = fixture('CII_example5.xml');
      expect(doc).toMatchObject({
        ...EXAMPLE_5.terms,
        taxPointDate: '2013-04-10',
        paymentTerms: '50% prepaid, 50% within one month',
        notes: [{ subjectCode: 'AAI', text: 'Ordered through our website' }],
        process: { specification: 'urn:cen.eu:en16931:2017' },
        payee: { name: 'Dagobert Duck', identifier: { id: 'DK16356608' }, legalRegistration: { id: 'DK16356608' } },
        taxRepresentative: { name: 'Dick Panama', vatId: 'DK16356609' },
        delivery: { partyName: 'Logistic service Ltd', locationId: { id: '5790000436068', scheme: '0088' }, date: '2013-04-15' },
      });
      expect(doc.seller).toMatchObject(EXAMPLE_5.seller);
      expect(doc.paymentInstructions).toEqual({
        meansCode: '58',
        meansText: 'Half prepaid',
        remittanceInformation: 'Payref1',
        directDebit: { mandateReference: '123456', creditorId: 'DK5678' },
        creditTransfers: [{ accountId: 'DK1212341234123412' }, { accountId: 'A' }],
      });
      // BT-110 in DKK, BT-111 in the VAT accounting currency, told apart by currencyID.
      expect(doc.totals).toMatchObject({ vatTotal: '675.00', vatTotalInAccountingCurrency: '628.62', lineNetTotal: '4000.00', amountDue: '2337.5' });
      expect(doc.allowances).toEqual([
        { amount: '150', baseAmount: '1500', percentage: '10', reason: 'Loyal customer', reasonCode: '95', vatCategory: 'S', vatRate: '25' },
      ]);
      expect(doc.charges).toEqual([{ amount: '150', baseAmount: '1500', percentage: '10', reason: 'Packaging', reasonCode: 'ABL', vatCategory: 'S', vatRate: '25' }]);
      expect(doc.vatBreakdown).toEqual([
        { taxableAmount: '1500', taxAmount: '375', category: 'S', rate: '25' },
        { taxableAmount: '2500', taxAmount: '300', category: 'S', rate: '12' },
      ]);
      expect(doc.attachments).toContainEqual({
        reference: 'sales slip',
        description: 'your sales slip',
        content: {
          base64: 'SlZCRVJpMHhMalVOQ2lVTkNqRWdNQ0J2WW1vT3k2SlRaWDliY2dSVnhJVkcuLi50Ykxvc0NoVTJYUmY5eGIvb21zY2dUWS9sWEVoVWI=',
          mimeCode: 'application/pdf',
          filename: 'EHF.pdf',
        },
      });
      expect(doc.lines[0]).toEqual({
        id: '1',
        note: 'first line',
        objectIdentifier: { id: 'Object2' },
        quantity: '1000',
        unitCode: 'C62',
        netAmount: '1000',
        orderLineReference: '1',
        buyerAccountingReference: 'ACC7654',
        period: { start: '2013-03-10', end: '2013-03-10' },
        allowances: [{ amount: '100', baseAmount: '1000', percentage: '10', reason: 'Loyal customer', reasonCode: '95' }],
        charges: [{ amount: '100', baseAmount: '1000', percentage: '10', reason: 'Packaging', reasonCode: 'ABL' }],
        price: { netPrice: '1', discount: '10', grossPrice: '1.1', baseQuantity: '1', baseQuantityUnitCode: 'C62' },
        vat: { category: 'S', rate: '25' },
        item: {
          name: 'Printing paper',
          description: 'Printing paper, 2mm',
          sellerId: 'JB007',
          buyerId: 'BUY123',
          standardId: { id: '1234567890128', scheme: '0088' },
          originCountry: 'NL',
          classifications: [],
          attributes: [{ name: 'Thickness', value: '2 mm' }],
        },
      });
    });

    it('reads an XRechnung CII invoice: seller, IBAN and BIC, classifications, and absent terms as absent keys', () => {
      const doc = fixture('XRechnung-O.xml');
      expect(doc).toMatchObject({ issueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), currency: 'EUR' });
      expect(doc.paymentInstructions?.creditTransfers).toContainEqual(expect.objectContaining({ serviceProviderId: 'HELADEFFXXX' }));
      expect(doc.lines[0]?.objectIdentifier).toEqual({ id: '50028642477' });
      expect(doc.lines[0]?.charges[0]).toEqual({ amount: '15894.27', baseAmount: '83654.15', percentage: '19.0000', reason: 'Versicherungssteuer', reasonCode: 'ZZZ' });
      expect(Object.keys(doc)).not.toContain('vatAccountingCurrency');
      expect(JSON.stringify(doc)).not.toContain('undefined');
    });

    it('reads a forint invoice with line numbers as written (huf_example_cii)', () => {
      const doc = fixture('huf_example_cii.xml');
      expect(doc.currency).toBe('HUF');
      expect(doc.totals.vatTotal).toBe('18679.00');
      expect(doc.totals.vatTotalInAccountingCurrency).toBeUndefined();
      expect(doc.seller.identifiers).toEqual([{ id: '5201' }]);
      expect(doc.buyer.identifier).toEqual({ id: '843312' });
    });

    it('reads a VAT total amount as BT-110 only in the document currency, and as BT-111 only in the VAT accounting currency', () => {
      const summation = (amounts: string) =>
        `<rsm:CrossIndustryInvoice xmlns:rsm="${CII_NS.rsm}" xmlns:ram="${CII_NS.ram}"><rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>` +
        `<ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode><ram:InvoiceCurrencyCode>EUX</ram:InvoiceCurrencyCode>` +
        `<ram:SpecifiedTradeSettlementHeaderMonetarySummation>${amounts}</ram:SpecifiedTradeSettlementHeaderMonetarySummation>` +
        `</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>`;
      const total = (currency: string, amount: string) => `<ram:TaxTotalAmount currencyID="${currency}">${amount}</ram:TaxTotalAmount>`;
      expect(read(Buffer.from(summation(total('EUR', '10.00')))).totals).toEqual({ vatTotalInAccountingCurrency: '10.00' });
      expect(read(Buffer.from(summation(total('EUX', '10.00') + total('EUR', '7.50')))).totals).toEqual({ vatTotal: '10.00', vatTotalInAccountingCurrency: '7.50' });
      expect(read(Buffer.from(summation(total('DKK', '10.00')))).totals).toEqual({});
    });

    it('keeps an empty address as an empty group and an item attribute as stated, through a write and a read', () => {
      const doc: En16931.En16931Document = {
        ...En16931.emptyDocument(),
        seller: { name: 'S', identifiers: [], address: {} },
        lines: [lineWithPartlyStatedAttributes()],
      };
      const xml = writeCii(doc).toString('utf8');
      expect(xml).toContain('<ram:PostalTradeAddress/>');
      expect(read(Buffer.from(xml))).toEqual(doc);
    });

    it('keeps a date that is not in format 102 as written', () => {
      const xml = writeCii({ ...En16931.emptyDocument(), number: 'X', issueDate: '2024-02-30T10:00', dueDate: '2024-03-01' }).toString('utf8');
      expect(xml).toContain('<udt:DateTimeString>2024-02-30T10:00</udt:DateTimeString>');
      expect(xml).toContain('<udt:DateTimeString format="102">20240301</udt:DateTimeString>');
      expect(read(Buffer.from(xml))).toMatchObject({ issueDate: '2024-02-30T10:00', dueDate: '2024-03-01' });
    });
  });

  describe('writeCii', () => {
    it('writes a credit note as its type code only, with the rsm/ram/udt/qdt prefixes', () => {
      const xml = writeCii({ ...En16931.emptyDocument(), number: 'CN-1', typeCode: '381', issueDate: '2024-05-01' }).toString('utf8');
      expect(xml).toContain('<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"');
      expect(xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
      expect(xml).not.toMatch(/CreditNote/);
    });

    it('writes an empty document with only the containers the schema requires', () => {
      const xml = writeCii(En16931.emptyDocument()).toString('utf8');
      expect(xml).toMatch(/<rsm:ExchangedDocumentContext\/>/);
      expect(xml).toMatch(/<ram:ApplicableHeaderTradeAgreement\/>/);
      expect(xml).toMatch(/<ram:ApplicableHeaderTradeDelivery\/>/);
      expect(xml).toMatch(/<ram:ApplicableHeaderTradeSettlement\/>/);
      expect(read(Buffer.from(xml))).toEqual(En16931.emptyDocument());
    });

    it('writes BT-7 and BT-8 once, on the first VAT breakdown entry', () => {
      const doc: En16931.En16931Document = {
        ...En16931.emptyDocument(),
        taxPointDate: '2024-01-31',
        taxPointDateCode: '5',
        vatBreakdown: [
          { category: 'S', rate: '19', taxableAmount: '100', taxAmount: '19' },
          { category: 'S', rate: '7', taxableAmount: '100', taxAmount: '7' },
        ],
      };
      const xml = writeCii(doc).toString('utf8');
      expect(xml.match(/<ram:TaxPointDate>/g)).toHaveLength(1);
      expect(xml.match(/<ram:DueDateTypeCode>/g)).toHaveLength(1);
      expect(read(Buffer.from(xml))).toEqual(doc);
    });

    it('writes BT-8 in a UBL code (UNTDID 2005) as the CII code of the same meaning (UNTDID 2475)', () => {
      const written = (code: string) => {
        const doc = { ...En16931.emptyDocument(), taxPointDateCode: code, vatBreakdown: [{ category: 'S', rate: '19' }] };
        return /<ram:DueDateTypeCode>([^<]*)</.exec(writeCii(doc).toString('utf8'))?.[1];
      };
      expect(['3', '35', '432', '5', '29', '72', '4'].map(written)).toEqual(['5', '29', '72', '5', '29', '72', '4']);
    });

    it('writes an account that is not an IBAN as a proprietary id', () => {
      const doc: En16931.En16931Document = {
        ...En16931.emptyDocument(),
        paymentInstructions: { meansCode: '30', creditTransfers: [{ accountId: 'DE02 1203 0000 0000 2020 51' }, { accountId: '123456789', serviceProviderId: 'BYLADEM1001' }] },
      };
      const xml = writeCii(doc).toString('utf8');
      expect(xml).toContain('<ram:IBANID>DE02 1203 0000 0000 2020 51</ram:IBANID>');
      expect(xml).toContain('<ram:ProprietaryID>123456789</ram:ProprietaryID>');
      expect(xml.match(/<ram:TypeCode>30<\/ram:TypeCode>/g)).toHaveLength(2);
      expect(read(Buffer.from(xml))).toEqual(doc);
    });

    it('writes every example so that libxml2 finds it valid against the CII D16B schema', async () => {
      const findings = await Promise.all(files.map(async (name) => ({ name, findings: await validateXsd(writeCii(fixture(name)), 'cii') })));
      expect(findings).toEqual(files.map((name) => ({ name, findings: [] })));
    });

    it('writes every example so that the official validator finds no schema error and no rule broken, not even a warning', async () => {
      // One JVM for the whole batch; the originals pass with no finding at all (tools/en16931-official/README.md).
      const reports = await validateOfficially(files.map((name) => ({ name, xml: writeCii(fixture(name)) })));
      const verdicts = files.map((name) => {
        const report = reports.get(name);
        return {
          name,
          schemaErrors: report?.schemaErrors,
          fatal: report ? fatalRuleIds(report) : 'missing',
          warnings: report?.findings.filter((finding) => finding.flag !== 'fatal').map((finding) => finding.id),
        };
      });
      expect(verdicts).toEqual(files.map((name) => ({ name, schemaErrors: [], fatal: [], warnings: [] })));
    }, 120_000);
  });

  describe('ciiXpath', () => {
    it('gives the binding XPath of a term, positions 1-based', () => {
      expect(ciiXpath('lines[2].netAmount')).toBe(
        `${TRANSACTION}/ram:IncludedSupplyChainTradeLineItem[3]/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount`,
      );
      expect(ciiXpath('vatBreakdown[0].taxAmount')).toBe(`${SETTLEMENT}/ram:ApplicableTradeTax[1]/ram:CalculatedAmount`);
      expect(ciiXpath('seller.address.country')).toBe(
        `${TRANSACTION}/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID`,
      );
      expect(ciiXpath('totals.amountDue')).toBe(`${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount`);
      expect(ciiXpath('buyer.name')).toBe(`${TRANSACTION}/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/ram:Name`);
      expect(ciiXpath('issueDate')).toBe('/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString');
      expect(ciiXpath('seller.vatId')).toBe(
        `${TRANSACTION}/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/ram:SpecifiedTaxRegistration[ram:ID/@schemeID='VA']/ram:ID`,
      );
    });

    it('tells allowances from charges and BT-110 from BT-111 by predicates', () => {
      expect(ciiXpath('charges[1].amount')).toBe(`${SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator='true'][2]/ram:ActualAmount`);
      expect(ciiXpath('lines[0].allowances[0].reason')).toBe(
        `${TRANSACTION}/ram:IncludedSupplyChainTradeLineItem[1]/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator='false'][1]/ram:Reason`,
      );
      expect(ciiXpath('totals.vatTotalInAccountingCurrency')).toBe(
        `${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount[@currencyID=../../ram:TaxCurrencyCode]`,
      );
    });

    it('falls back to the nearest group when the pointer names no known term', () => {
      expect(ciiXpath('lines[4].nonsense')).toBe(`${TRANSACTION}/ram:IncludedSupplyChainTradeLineItem[5]`);
      expect(ciiXpath('seller.address.planet')).toBe(`${TRANSACTION}/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/ram:PostalTradeAddress`);
      expect(ciiXpath('lines.netAmount')).toBe(TRANSACTION);
      expect(ciiXpath('whatever')).toBe('/rsm:CrossIndustryInvoice');
      expect(ciiXpath('')).toBe('/rsm:CrossIndustryInvoice');
    });

    it('points at the element in a document, or at its nearest present ancestor when the term is absent', () => {
      const cii = root(officialExample('cii', 'CII_example5.xml'));
      const amount = locateCii('lines[1].netAmount', cii);
      expect(amount.text.trim()).toBe(fixture('CII_example5.xml').lines[1]?.netAmount);
      expect(ciiXpath('lines[1].netAmount', cii)).toBe(
        `${TRANSACTION}/ram:IncludedSupplyChainTradeLineItem[2]/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount`,
      );
      expect(locateCii('totals.vatTotalInAccountingCurrency', cii).text.trim()).toBe('628.62');
      expect(locateCii('totals.vatTotal', cii).text.trim()).toBe('675.00');
      expect(locateCii('charges[0].reason', cii).text.trim()).toBe('Packaging');
      expect(locateCii('seller.vatId', cii).text.trim()).toBe('NL16356706');
      expect(locateCii('seller.taxRegistrationId', cii).attributes['schemeID']).toBe('FC');
      expect(locateCii('paymentInstructions.creditTransfers[1].accountId', cii).text.trim()).toBe('A');
      // Absent: the rounding amount, a ninth line.
      expect(ciiXpath('totals.rounding', cii)).toBe(`${SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation`);
      expect(ciiXpath('lines[8].netAmount', cii)).toBe(TRANSACTION);
    });
  });
});

describe('locateCii on a document of many lines (audit D1: each finding went over every line again)', () => {
  it('places a finding on each of 2 000 lines, going over the lines once for all of them', () => {
    const doc = fixture('CII_example5.xml');
    const first = doc.lines[0] as En16931.Line;
    const lines = Array.from({ length: 2000 }, (_, i) => ({ ...first, id: `L${i + 1}` }));
    const cii = root(writeCii({ ...doc, lines }));
    const transaction = cii.children.find((c) => c.name === 'SupplyChainTradeTransaction') as XmlElement;
    const reads = countChildReads(transaction);
    const placed = lines.map((_, i) => locateCii(`lines[${i}].id`, cii).text.trim());
    expect(placed).toEqual(lines.map((line) => line.id));
    // Once per finding, this was 2 000 × the transaction's children.
    expect(reads()).toBeLessThan(5 * transaction.children.length);
  });
});
