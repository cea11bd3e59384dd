import { fatalRuleIds, validateOfficially } from '@invoicing/en16931-official';
import { En16931, type En16931Document } from '@invoicing/invoice';
import { BIG_EXAMPLE, EXAMPLE_5, countChildReads, lineWithPartlyStatedAttributes, officialExample, officialExamples } from '../testing.data';
import { validate } from '../e-invoice';
import { readXml } from '../xml';
import { locateUbl } from './ubl-locations';
import { UBL_NS } from './ubl-path';
import { readUbl } from './ubl-reader';
import { writeUbl } from './ubl-writer';

// The 19 official UBL examples of the CEN validation artefacts.
const files = officialExamples('ubl').map((example) => example.file);

function read(bytes: Uint8Array): En16931Document {
  return readUbl(readXml(bytes).root);
}

/** The local name of a written document's root element. */
function rootOf(xml: string): string | undefined {
  return /^(?:<\?xml[^>]*\?>\s*)?<([A-Za-z]+)[\s>]/.exec(xml)?.[1];
}

function fixture(name: string): En16931Document {
  return read(officialExample('ubl', name));
}

describe('UBL 2.1 ↔ EN 16931 semantic model', () => {
  it('finds the 19 official UBL examples', () => {
    expect(files).toHaveLength(19);
  });

  it.each(files)('%s: read → write → read gives the same document', (name) => {
    const doc = fixture(name);
    expect(read(writeUbl(doc))).toEqual(doc);
  });

  it('reads the terms of a rich invoice (ubl-tc434-example5)', () => {
    const doc = fixture('ubl-tc434-example5.xml');
    expect(doc).toMatchObject({
      ...EXAMPLE_5.terms,
      tenderOrLotReference: 'Lot567',
      notes: [{ text: 'Ordered through our website#Ordering information' }],
      process: { specification: 'urn:cen.eu:en16931:2017', businessProcess: '1' },
    });
    expect(doc.seller).toMatchObject(EXAMPLE_5.seller);
    expect(doc.attachments).toEqual([
      { reference: 'OBJ999', description: 'ATS' },
      { reference: 'sales slip', description: 'your sales slip', content: { base64: 'VGVzdGluZyBCYXNlNjQgZW5jb2Rpbmc=', mimeCode: 'application/pdf', filename: 'EHF.pdf' } },
    ]);
    expect(doc.totals.vatTotalInAccountingCurrency).toBeDefined();
    expect(doc.lines.length).toBeGreaterThan(0);
  });

  it('reads a ChargeIndicator of 1 (an xs:boolean) as a charge, on the document and on a line, and 0 as an allowance', () => {
    const bytes = officialExample('ubl', 'ubl-tc434-example5.xml');
    const source = new TextDecoder().decode(bytes);
    const written = (indicator: string, other: string) => new TextEncoder().encode(source.replaceAll('<cbc:ChargeIndicator>true<', `<cbc:ChargeIndicator>${indicator}<`).replaceAll('<cbc:ChargeIndicator>false<', `<cbc:ChargeIndicator>${other}<`));
    const doc = read(bytes);
    expect(doc.charges.map((charge) => charge.amount)).toEqual(['150.00']);

    // Before, only `true` was a charge: a charge of 150.00 written `1` was read as an allowance, the amount due 300 less.
    expect(read(written('1', '0'))).toEqual(doc);
    expect(read(written(' 1 ', ' false '))).toEqual(doc);
  });

  it('reads a credit note: its lines, its exempt VAT breakdown and its payment account', () => {
    const doc = fixture('ubl-tc434-creditnote1.xml');
    expect(doc.typeCode).toBe('381');
    expect(doc.vatBreakdown).toEqual([{ taxableAmount: '100.11', taxAmount: '0.00', category: 'E', rate: '0.00', exemptionReason: 'Taxes are not applicable' }]);
    expect(doc.paymentInstructions).toEqual({
      meansCode: '1',
      remittanceInformation: '010676609538',
      creditTransfers: [{ accountId: 'BE91000000143476', serviceProviderId: 'BPOTBEB1' }],
    });
    expect(doc.lines).toEqual([
      expect.objectContaining({
        id: '1',
        quantity: '1.00',
        unitCode: 'C62',
        netAmount: '100.11',
        price: { netPrice: '100.11' },
        vat: { category: 'E', rate: '0.00' },
        item: expect.objectContaining({ sellerId: 'V55', attributes: [{ name: '2', value: 'Contributions - précompte professionnel' }] }),
      }),
    ]);
    expect(writeUbl(doc).toString('utf8')).toContain('<CreditNote ');
  });

  it('writes a document of a code in both official UBL lists (81) as the Invoice it was read from, with its due date', async () => {
    const source = new TextDecoder().decode(officialExample('ubl', 'ubl-tc434-example5.xml')).replace('<cbc:InvoiceTypeCode>380<', '<cbc:InvoiceTypeCode>81<');
    // Without payment means, a CreditNote has no place for the due date (BT-9): before, it was lost.
    const doc = { ...read(Buffer.from(source)), paymentInstructions: undefined };
    expect([doc.typeCode, doc.dueDate]).toEqual(['81', '2013-05-10']);
    const written = writeUbl(doc);
    expect(rootOf(written.toString('utf8'))).toBe('Invoice');
    expect(read(written)).toEqual(doc);
    expect((await validate(written)).filter((f) => f.severity === 'fatal')).toEqual([]);
  });

  it('writes every code of the official credit-note list but 81 as a CreditNote that validates (261 self credit note, 458 …)', async () => {
    const doc = fixture('ubl-tc434-creditnote1.xml');
    for (const typeCode of ['83', '261', '262', '296', '308', '381', '396', '420', '458', '502', '503', '532']) {
      const written = writeUbl({ ...doc, typeCode });
      // Before, only 81, 83, 381, 396 and 532 were: a 261 came out as an Invoice, which BR-CL-01 refuses.
      const xml = written.toString('utf8');
      expect({ typeCode, root: rootOf(xml), code: xml.includes(`<cbc:CreditNoteTypeCode>${typeCode}</cbc:CreditNoteTypeCode>`) }).toEqual({ typeCode, root: 'CreditNote', code: true });
      expect({ typeCode, fatal: (await validate(written)).filter((f) => f.severity === 'fatal') }).toEqual({ typeCode, fatal: [] });
      expect(read(written)).toEqual({ ...doc, typeCode });
    }
  });

  it('reads a TaxTotal as BT-110 only in the document currency, as BT-111 only in the VAT accounting currency, and every breakdown', () => {
    const invoice = (taxTotals: string) =>
      `<Invoice xmlns="${UBL_NS.invoice}" xmlns:cac="${UBL_NS.cac}" xmlns:cbc="${UBL_NS.cbc}">` +
      `<cbc:DocumentCurrencyCode>EUX</cbc:DocumentCurrencyCode><cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>${taxTotals}</Invoice>`;
    const taxTotal = (currency: string, amount: string, subtotal = '') =>
      `<cac:TaxTotal><cbc:TaxAmount currencyID="${currency}">${amount}</cbc:TaxAmount>${subtotal}</cac:TaxTotal>`;
    const subtotal = '<cac:TaxSubtotal><cbc:TaxAmount currencyID="EUR">10.00</cbc:TaxAmount></cac:TaxSubtotal>';
    const inAccountingOnly = read(Buffer.from(invoice(taxTotal('EUR', '10.00', subtotal))));
    expect(inAccountingOnly.totals).toEqual({ vatTotalInAccountingCurrency: '10.00' });
    expect(inAccountingOnly.vatBreakdown).toEqual([{ taxAmount: '10.00' }]);
    expect(read(Buffer.from(invoice(taxTotal('EUR', '7.50') + taxTotal('EUX', '10.00')))).totals).toEqual({ vatTotal: '10.00', vatTotalInAccountingCurrency: '7.50' });
    expect(read(Buffer.from(invoice(taxTotal('DKK', '10.00')))).totals).toEqual({});
  });

  it('keeps an empty address as an empty group and an item attribute as stated, through a write and a read', () => {
    const doc: En16931Document = {
      ...En16931.emptyDocument(),
      buyer: { name: 'B', address: {} },
      delivery: { address: {} },
      lines: [lineWithPartlyStatedAttributes()],
    };
    const xml = writeUbl(doc).toString('utf8');
    expect(xml).toContain('<cac:PostalAddress/>');
    expect(xml).toContain('<cbc:Value></cbc:Value>');
    expect(read(Buffer.from(xml))).toEqual(doc);
  });

  it('writes BT-8 in a CII code (UNTDID 2475) as the UBL code of the same meaning (UNTDID 2005)', () => {
    const written = (code: string) => /<cbc:DescriptionCode>([^<]*)</.exec(writeUbl({ ...En16931.emptyDocument(), taxPointDateCode: code }).toString('utf8'))?.[1];
    expect(['5', '29', '72', '3', '35', '432', '4'].map(written)).toEqual(['3', '35', '432', '3', '35', '432', '4']);
  });

  it('keeps the 3.3 MB base64 attachment whole through a round trip', () => {
    const doc = fixture(BIG_EXAMPLE);
    const content = doc.attachments.find((a) => a.content)?.content;
    expect(content?.base64.length).toBeGreaterThan(1_000_000);
    expect(read(writeUbl(doc)).attachments).toEqual(doc.attachments);
  });

  it('writes every example so that the official validator finds no schema error and no fatal rule', async () => {
    const written = files.map((name) => ({ name, xml: writeUbl(fixture(name)) }));
    const reports = await validateOfficially(written);
    const verdicts = files.map((name) => {
      const report = reports.get(name);
      return { name, schemaErrors: report?.schemaErrors, fatal: report ? fatalRuleIds(report) : 'missing' };
    });
    const originals = await validateOfficially(files.map((name) => ({ name, xml: officialExample('ubl', name) })));
    // An example the official validator already faults keeps exactly those faults, no more.
    expect(verdicts).toEqual(
      files.map((name) => {
        const original = originals.get(name);
        return { name, schemaErrors: [], fatal: original ? fatalRuleIds(original) : 'missing' };
      }),
    );
  }, 120_000);
});

describe('locateUbl on a document of many lines (audit D1: each finding went over every line again)', () => {
  it('places a finding on each of 2 000 lines, going over the lines once for all of them', () => {
    const doc = fixture('ubl-tc434-example5.xml');
    const first = doc.lines[0] as En16931.Line;
    const lines = Array.from({ length: 2000 }, (_, i) => ({ ...first, id: `L${i + 1}` }));
    const root = readXml(writeUbl({ ...doc, lines })).root;
    const reads = countChildReads(root);
    const placed = lines.map((_, i) => locateUbl(`lines[${i}].id`, root).text.trim());
    expect(placed).toEqual(lines.map((line) => line.id));
    // Once per finding, this was 2 000 × the root's children.
    expect(reads()).toBeLessThan(5 * root.children.length);
  });
});
