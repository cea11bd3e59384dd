import { formatError } from '../testing.data';
import { NS, child, children, detectSyntax, readXml } from './xml-reader';
import { XmlWriter } from './xml-writer';

const ubl = () => new XmlWriter('Invoice', { '': NS.ublInvoice, cac: NS.cac, cbc: NS.cbc });

describe('XmlWriter', () => {
  describe('toBuffer', () => {
    it('writes the declaration, the namespaces and two spaces of indentation, with leaves on one line', () => {
      const xml = ubl();
      xml.leaf('cbc:ID', 'INV-1');
      xml.open('cac:AccountingSupplierParty').open('cac:Party');
      xml.leaf('cbc:EndpointID', '123', { schemeID: '0088' });
      xml.close().close();
      xml.open('cac:Delivery').close();
      expect(xml.toBuffer().toString('utf8')).toBe(
        [
          '<?xml version="1.0" encoding="UTF-8"?>',
          `<Invoice xmlns="${NS.ublInvoice}" xmlns:cac="${NS.cac}" xmlns:cbc="${NS.cbc}">`,
          '  <cbc:ID>INV-1</cbc:ID>',
          '  <cac:AccountingSupplierParty>',
          '    <cac:Party>',
          '      <cbc:EndpointID schemeID="0088">123</cbc:EndpointID>',
          '    </cac:Party>',
          '  </cac:AccountingSupplierParty>',
          '  <cac:Delivery/>',
          '</Invoice>',
          '',
        ].join('\n'),
      );
    });

    it('refuses to finish while an element is open, and a close without an open element', () => {
      const xml = ubl();
      xml.open('cac:Party');
      expect(() => xml.toBuffer()).toThrow('<cac:Party> is still open');
      xml.close();
      expect(detectSyntax(readXml(xml.toBuffer()).root)).toBe('ubl-invoice');
      expect(() => xml.close()).toThrow('close() without an open element');
      expect(() => xml.leaf('cbc:Note', 'late')).toThrow('the root is closed already');
    });
  });

  describe('leaf', () => {
    it('skips a leaf whose text is undefined and attributes whose value is undefined, but writes empty text', () => {
      const xml = ubl();
      xml.leaf('cbc:Note', undefined, { languageID: 'en' });
      xml.leaf('cbc:Amount', '1.00', { currencyID: 'EUR', unused: undefined });
      xml.leaf('cbc:Empty', '');
      const text = xml.toBuffer().toString('utf8');
      expect(text).not.toContain('Note');
      expect(text).toContain('  <cbc:Amount currencyID="EUR">1.00</cbc:Amount>\n  <cbc:Empty></cbc:Empty>\n</Invoice>');
    });

    it('round-trips special characters in text and attributes', () => {
      const values = ['a & b < c > d " e \' f', 'tab\there', 'line\nfeed', 'carriage\rreturn', 'both\r\nends', '  spaced  ', '€ ü 😀 𝄞', ']]> &amp; <!-- -->', ''];
      const xml = ubl();
      for (const value of values) xml.leaf('cbc:Note', value, { languageID: value });
      const written = xml.toBuffer();
      const notes = children(readXml(written).root, NS.cbc, 'Note');
      expect(notes.map((n) => n.text)).toEqual(values);
      expect(notes.map((n) => n.attributes['languageID'])).toEqual(values);
      expect(written.toString('utf8')).toContain('<cbc:Note languageID="tab&#9;here">tab\there</cbc:Note>');
      expect(written.toString('utf8')).toContain('<cbc:Note languageID="both&#13;&#10;ends">both&#13;\nends</cbc:Note>');
    });

    it.each([
      ['U+0000', '\u0000'],
      ['U+0001', 'a\u0001b'],
      ['U+001F', '\u001f'],
      ['a lone high surrogate', 'x\ud83d'],
      ['a lone low surrogate', '\ude00x'],
      ['reversed surrogates', '\ude00\ud83d'],
      ['U+FFFE', '\ufffe'],
      ['U+FFFF', '\uffff'],
    ])('refuses %s in text and in attributes, naming the element', (_, value) => {
      expect(formatError(() => ubl().leaf('cbc:Note', value))).toMatchObject({ code: 'format.invalid_character', details: { element: 'cbc:Note' } });
      expect(formatError(() => ubl().leaf('cbc:Note', 'ok', { languageID: value }))).toMatchObject({
        code: 'format.invalid_character',
        details: { element: 'cbc:Note', attribute: 'languageID' },
      });
      expect(formatError(() => ubl().open('cac:Party', { id: value })).details).toMatchObject({ element: 'cac:Party', attribute: 'id' });
    });

    it('says which character it refused', () => {
      expect(formatError(() => ubl().leaf('cbc:Note', 'ab\u0001'))).toMatchObject({
        message: '<cbc:Note> contains U+0001, a character XML 1.0 does not allow',
        details: { codePoint: 'U+0001', index: 2 },
      });
    });
  });

  describe('open', () => {
    it('writes nested elements that read back with their attributes and positions', () => {
      const xml = new XmlWriter('rsm:CrossIndustryInvoice', { rsm: NS.rsm, ram: NS.ram });
      xml.open('rsm:SupplyChainTradeTransaction');
      for (const id of ['1', '2']) {
        xml.open('ram:IncludedSupplyChainTradeLineItem');
        xml.leaf('ram:LineID', id, { schemeID: id === '1' ? undefined : 'x' });
        xml.close();
      }
      xml.close();
      const root = readXml(xml.toBuffer()).root;
      expect(detectSyntax(root)).toBe('cii');
      const lines = children(child(root, NS.rsm, 'SupplyChainTradeTransaction'), NS.ram, 'IncludedSupplyChainTradeLineItem');
      expect(lines.map((l) => child(l, NS.ram, 'LineID')?.attributes)).toEqual([{}, { schemeID: 'x' }]);
      expect(lines.map((l) => [l.line, l.column])).toEqual([
        [4, 5],
        [7, 5],
      ]);
    });
  });
});
