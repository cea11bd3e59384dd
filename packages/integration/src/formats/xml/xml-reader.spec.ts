import { BIG_EXAMPLE as BIG, formatError, officialExample as fixture, officialExamples } from '../testing.data';
import { NS, base64Of, child, children, detectSyntax, expectSyntax, readXml, textOf, xpathOf, type XmlElement } from './xml-reader';

const fixtures = officialExamples();

const utf8 = (text: string) => new TextEncoder().encode(text);
const read = (text: string) => readXml(utf8(text));

function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) yield* walk(c);
}

/** The text at a 1-based line and a 1-based column counted in characters. */
function textAt(lines: readonly string[], line: number, column: number): string {
  const text = lines[line - 1] ?? '';
  let at = 0;
  for (let k = 1; k < column; k++) at += (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
  return text.slice(at, at + 300);
}

const UBL_HEAD = `<Invoice xmlns="${NS.ublInvoice}" xmlns:cac="${NS.cac}" xmlns:cbc="${NS.cbc}">`;
const base64Lines = (lines: number, width = 76) => Array.from({ length: lines }, () => 'QUJD'.repeat(width / 4));

describe('readXml', () => {
  describe('on the official EN 16931 examples', () => {
    it('finds all 34 of them', () => {
      expect(fixtures).toHaveLength(34);
    });

    it.each(fixtures.map((f) => [f.name, f] as const))('reads %s and detects its syntax', (_, { syntax, file, bytes }) => {
      const { root } = readXml(bytes);
      const expected = syntax === 'cii' ? 'cii' : file === 'ubl-tc434-creditnote1.xml' ? 'ubl-credit-note' : 'ubl-invoice';
      expect(detectSyntax(root)).toBe(expected);
      expect(expectSyntax(root, syntax)).toBe(expected);
    });

    it('places every start tag of every example at its line and column', () => {
      for (const { name, bytes } of fixtures) {
        const lines = bytes.toString('utf8').split(/\r\n|\r|\n/);
        for (const el of walk(readXml(bytes).root)) {
          const at = textAt(lines, el.line, el.column);
          expect({ file: name, xpath: xpathOf(el), at: at.slice(0, 60) }).toEqual(
            expect.objectContaining({ at: expect.stringMatching(new RegExp(`^<([\\w.-]+:)?${el.name}[\\s/>]|^<([\\w.-]+:)?${el.name}$`)) }),
          );
        }
      }
    });

    it('gives every element of every example an XPath that selects it and nothing else', () => {
      // Positions are counted only when a finding asks for an XPath: here each one is checked by walking it back down.
      const uris: Record<string, string> = { cac: NS.cac, cbc: NS.cbc, ext: NS.ext, rsm: NS.rsm, ram: NS.ram, udt: NS.udt, qdt: NS.qdt };
      const select = (root: XmlElement, xpath: string): XmlElement[] => {
        const [rootStep, ...steps] = xpath.slice(1).split('/');
        let found: XmlElement[] = rootStep?.replace(/^\w+:/, '') === root.name ? [root] : [];
        for (const step of steps) {
          const [, prefix, uri, name, position] = /^(?:(\w+):|Q\{([^}]*)\})?([\w.-]+)(?:\[(\d+)\])?$/.exec(step) ?? [];
          const ns = (el: XmlElement) => (uri ?? (prefix === undefined ? ['', NS.ublInvoice, NS.ublCreditNote].includes(el.ns) : el.ns === uris[prefix]));
          const named = found.flatMap((el) => el.children.filter((c) => c.name === name && (ns(c) === true || c.ns === ns(c))));
          found = position === undefined ? named : named.length > 1 ? named.slice(Number(position) - 1, Number(position)) : [];
        }
        return found;
      };
      for (const { name, bytes } of fixtures) {
        const { root } = readXml(bytes);
        for (const el of walk(root)) {
          const xpath = xpathOf(el);
          const selected = select(root, xpath);
          expect({ file: name, xpath, alone: selected.length === 1 && selected[0] === el }).toEqual({ file: name, xpath, alone: true });
        }
      }
    });

    it('gives the XPath with conventional prefixes and positional predicates only where names repeat', () => {
      const { root } = readXml(fixture('ubl', 'ubl-tc434-example1.xml'));
      const amount = child(children(root, NS.cac, 'InvoiceLine')[2], NS.cbc, 'LineExtensionAmount');
      expect(amount).toMatchObject({ line: 155, column: 9, attributes: { currencyID: 'EUR' } });
      expect(textOf(amount)).toBe('8.29');
      expect(xpathOf(amount as XmlElement)).toBe('/Invoice/cac:InvoiceLine[3]/cbc:LineExtensionAmount');
      expect(xpathOf(child(root, NS.cbc, 'ID') as XmlElement)).toBe('/Invoice/cbc:ID');
      expect(xpathOf(root)).toBe('/Invoice');

      const cii = readXml(fixture('cii', 'CII_example1.xml')).root;
      const transaction = child(cii, NS.rsm, 'SupplyChainTradeTransaction');
      const second = children(transaction, NS.ram, 'IncludedSupplyChainTradeLineItem')[1] as XmlElement;
      expect(second).toMatchObject({ line: 60, column: 9 });
      expect(xpathOf(second)).toBe('/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[2]');

      const note = readXml(fixture('ubl', 'ubl-tc434-creditnote1.xml')).root;
      expect(xpathOf(child(note, NS.cbc, 'ID') as XmlElement)).toBe('/CreditNote/cbc:ID');
    });
  });

  describe('tree', () => {
    it('uses namespace URIs, never the file prefixes', () => {
      const { root } = read(
        `<inv:Invoice xmlns:inv="${NS.ublInvoice}" xmlns:a="${NS.cac}" xmlns:b="${NS.cbc}"><a:InvoiceLine><b:ID>1</b:ID></a:InvoiceLine>` +
          `<a:InvoiceLine><b:ID>2</b:ID><b:Note>x</b:Note><b:Note>y</b:Note></a:InvoiceLine><x:Other xmlns:x="urn:other"/><Plain xmlns=""/></inv:Invoice>`,
      );
      expect(detectSyntax(root)).toBe('ubl-invoice');
      const second = children(root, NS.cac, 'InvoiceLine')[1];
      expect(textOf(child(second, NS.cbc, 'ID'))).toBe('2');
      expect(xpathOf(children(second, NS.cbc, 'Note')[1] as XmlElement)).toBe('/Invoice/cac:InvoiceLine[2]/cbc:Note[2]');
      expect(xpathOf(child(second, NS.cbc, 'ID') as XmlElement)).toBe('/Invoice/cac:InvoiceLine[2]/cbc:ID');
      expect(xpathOf(child(root, 'urn:other', 'Other') as XmlElement)).toBe('/Invoice/Q{urn:other}Other');
      expect(xpathOf(child(root, '', 'Plain') as XmlElement)).toBe('/Invoice/Plain');
    });

    it('counts positions among the siblings of the same namespace and local name, however they interleave', () => {
      const { root } = read(`<r xmlns:a="urn:a" xmlns:b="urn:b"><x/><a:x/><b:x/><x/><a:x/><y/><b:x/><a:x/></r>`);
      expect(root.children.map(xpathOf)).toEqual(['/r/x[1]', '/r/Q{urn:a}x[1]', '/r/Q{urn:b}x[1]', '/r/x[2]', '/r/Q{urn:a}x[2]', '/r/y', '/r/Q{urn:b}x[2]', '/r/Q{urn:a}x[3]']);
      expect(xpathOf(read('<r><only/></r>').root.children[0] as XmlElement)).toBe('/r/only');
    });

    it('keeps only attributes without a namespace, by local name', () => {
      const { root } = read(
        `<Invoice xmlns="${NS.ublInvoice}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="x y" ` +
          `xmlns:cbc="${NS.cbc}"><cbc:Amount currencyID="EUR" xml:lang="en">1.00</cbc:Amount></Invoice>`,
      );
      expect(root.attributes).toEqual({});
      expect(child(root, NS.cbc, 'Amount')?.attributes).toEqual({ currencyID: 'EUR' });
    });

    it('concatenates text and CDATA untrimmed, decodes references and ignores comments and processing instructions', () => {
      const { root } = read('<?xml version="1.0"?>\n<a> x &amp; <![CDATA[<y>]]>z<!-- c --><?pi data?>w&#x20AC; <b/></a>');
      expect(root.text).toBe(' x & <y>zw€ ');
      expect(textOf(root)).toBe('x & <y>zw€');
      expect(child(root, '', 'b')).toMatchObject({ text: '', parent: root });
      expect(textOf(child(root, '', 'b'))).toBe('');
      expect(textOf(child(root, '', 'missing'))).toBeUndefined();
      expect(textOf(read('<a>\t\u00a0x\u00a0\r\n</a>').root)).toBe('\u00a0x\u00a0');
      expect(children(undefined, '', 'b')).toEqual([]);
    });

    it('strips a byte order mark, and cutBytes leaves it out', () => {
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('<a>é</a>')]);
      const doc = readXml(bytes);
      expect(doc.root.text).toBe('é');
      expect(Buffer.from(doc.cutBytes()).toString('utf8')).toBe('<a>é</a>');
    });

    it('counts columns in characters, also after astral characters and when a tag name ends the line', () => {
      const { root } = read('<a>\n😀😀<b/>\r\n  <c\n d="1"/></a>');
      expect(child(root, '', 'b')).toMatchObject({ line: 2, column: 3 });
      expect(child(root, '', 'c')).toMatchObject({ line: 3, column: 3, attributes: { d: '1' } });
    });
  });

  describe('syntax', () => {
    it('refuses a CII file read as UBL and the other way round', () => {
      const cii = readXml(fixture('cii', 'CII_example1.xml')).root;
      expect(formatError(() => expectSyntax(cii, 'ubl'))).toMatchObject({ code: 'format.syntax_mismatch', details: { expected: 'ubl', found: 'cii' } });
      const ubl = readXml(fixture('ubl', 'ubl-tc434-creditnote1.xml')).root;
      expect(formatError(() => expectSyntax(ubl, 'cii'))).toMatchObject({ code: 'format.syntax_mismatch', details: { expected: 'cii', found: 'ubl-credit-note' } });
    });

    it('refuses a known root name in another namespace', () => {
      expect(formatError(() => detectSyntax(read('<Invoice xmlns="urn:example"/>').root))).toMatchObject({
        code: 'format.wrong_namespace',
        details: { ns: 'urn:example', name: 'Invoice', expected: NS.ublInvoice, line: 1, column: 1 },
      });
      expect(formatError(() => detectSyntax(read(`<Invoice xmlns="${NS.ublCreditNote}"/>`).root)).code).toBe('format.wrong_namespace');
      expect(formatError(() => detectSyntax(read('<rsm:CrossIndustryInvoice xmlns:rsm="urn:cii:old"/>').root)).code).toBe('format.wrong_namespace');
    });

    it('refuses an unknown root, even in a known namespace', () => {
      expect(formatError(() => detectSyntax(read(`<Order xmlns="${NS.ublInvoice}"/>`).root))).toMatchObject({ code: 'format.unknown_root', details: { name: 'Order' } });
      expect(formatError(() => detectSyntax(read('<html/>').root)).code).toBe('format.unknown_root');
      expect(formatError(() => detectSyntax(read('<toString/>').root)).code).toBe('format.unknown_root');
    });
  });

  describe('hostile input', () => {
    it('refuses a DOCTYPE with an external entity, before reading it', () => {
      const xxe = `<?xml version="1.0"?>\n<!DOCTYPE Invoice [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n${UBL_HEAD}<cbc:Note>&xxe;</cbc:Note></Invoice>`;
      expect(formatError(() => read(xxe))).toMatchObject({ code: 'format.doctype_refused', details: { line: 2, column: 1 } });
    });

    it('refuses the billion laughs', () => {
      const laughs = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE lolz [',
        ' <!ENTITY lol "lol">',
        ...Array.from({ length: 9 }, (_, k) => ` <!ENTITY lol${k + 1} "${`&lol${k === 0 ? '' : k};`.repeat(10)}">`),
        ']>',
        '<lolz>&lol9;</lolz>',
      ].join('\n');
      expect(formatError(() => read(laughs)).code).toBe('format.doctype_refused');
    });

    it('refuses an entity that was never declared', () => {
      expect(formatError(() => read(`${UBL_HEAD}<cbc:Note>&xxe;</cbc:Note></Invoice>`)).code).toBe('format.malformed');
    });

    it('refuses 100,000 levels of nesting fast', () => {
      const deep = utf8('<a>'.repeat(100_000) + '</a>'.repeat(100_000));
      const began = performance.now();
      expect(formatError(() => readXml(deep))).toMatchObject({ code: 'format.too_deep', details: { line: 1, column: 65 * 3 - 2, limit: 64 } });
      expect(performance.now() - began).toBeLessThan(500);
    });

    it('accepts exactly the depth limit, which can be changed', () => {
      const nested = (depth: number) => '<a>'.repeat(depth) + '</a>'.repeat(depth);
      expect(() => read(nested(64))).not.toThrow();
      expect(formatError(() => read(nested(65))).code).toBe('format.too_deep');
      expect(formatError(() => readXml(utf8(nested(3)), { maxDepth: 2 })).code).toBe('format.too_deep');
    });

    it('refuses more elements than its limit while parsing, which can be changed (audit dos DOS-5)', () => {
      // Each element costs the XSD check and the rules time and memory, whatever the file's size in bytes.
      const notes = (count: number) => utf8(`${UBL_HEAD}${'<cbc:Note>n</cbc:Note>'.repeat(count)}</Invoice>`);
      expect(() => readXml(notes(499_999))).not.toThrow();
      expect(formatError(() => readXml(notes(500_000)))).toMatchObject({ code: 'format.too_many_elements', details: { limit: 500_000, line: 1 } });
      expect(() => readXml(notes(2), { maxElements: 3 })).not.toThrow();
      expect(formatError(() => readXml(notes(3), { maxElements: 3 })).code).toBe('format.too_many_elements');
    });

    it('refuses 33 MiB before decoding anything', () => {
      const huge = new Uint8Array(33 * 1024 * 1024).fill(0xff); // not even UTF-8: the size decides first
      const began = performance.now();
      expect(formatError(() => readXml(huge))).toMatchObject({ code: 'format.too_large', details: { size: 33 * 1024 * 1024, limit: 32 * 1024 * 1024 } });
      expect(performance.now() - began).toBeLessThan(50);
      expect(formatError(() => readXml(utf8('<a/>'), { maxBytes: 3 })).code).toBe('format.too_large');
    });

    it('reports malformed XML with its line and column', () => {
      const error = formatError(() => read(`${UBL_HEAD}\n  <cbc:ID>1</cbc:ID>\n  <cbc:Note>x</cbc:Nope>\n</Invoice>`));
      expect(error).toMatchObject({ code: 'format.malformed', details: { line: 3, column: 24 } });
      expect(error.message).toMatch(/^malformed XML at line 3, column 24: unexpected close tag/);
      expect(formatError(() => read('')).code).toBe('format.malformed');
      expect(formatError(() => read('<a/><b/>')).code).toBe('format.malformed');
      expect(formatError(() => read('<p:a/>')).details).toMatchObject({ line: 1, reason: expect.stringContaining('unbound namespace prefix') });
    });

    it('refuses bytes that are not UTF-8, with the line', () => {
      const latin1 = new Uint8Array([...utf8('<a>\n<b>caf'), 0xe9, ...utf8('</b></a>')]);
      expect(formatError(() => readXml(latin1))).toMatchObject({ code: 'format.not_utf8', details: { line: 2, byteOffset: 10 } });
      expect(formatError(() => readXml(new Uint8Array([0xff, 0xfe, 0x3c, 0x00]))).code).toBe('format.not_utf8'); // UTF-16
      expect(formatError(() => readXml(new Uint8Array([0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80]))).details).toMatchObject({ byteOffset: 3 }); // a surrogate
    });

    it('refuses a declared encoding other than UTF-8', () => {
      expect(formatError(() => read('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'))).toMatchObject({ code: 'format.not_utf8', details: { found: 'ISO-8859-1' } });
      expect(() => read('<?xml version="1.0" encoding="utf-8"?><a/>')).not.toThrow();
    });
  });

  describe('binary objects', () => {
    const original = fixture('ubl', BIG).toString('utf8');

    it('keeps the full base64 of the 3.3 MB example in the element, while the cut bytes are small', () => {
      const doc = readXml(fixture('ubl', BIG));
      const attachment = child(child(child(doc.root, NS.cac, 'AdditionalDocumentReference'), NS.cac, 'Attachment'), NS.cbc, 'EmbeddedDocumentBinaryObject');
      const base64 = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]*)</.exec(original)?.[1] ?? '';
      expect(base64.length).toBeGreaterThan(3_000_000);
      expect(attachment?.text).toBe(base64);
      expect(attachment?.attributes).toEqual({ mimeCode: 'application/pdf', filename: 'mappatura_ubl_sdi.pdf' });
      expect(doc.cutBytes().length).toBeLessThan(20_000);
      expect(doc.cutText).toContain('>AAAA</cbc:EmbeddedDocumentBinaryObject>');
      expect(doc.cutText.split('\n')).toHaveLength(original.split('\n').length);
    });

    it('keeps the line numbers after the cut element', () => {
      const { root } = readXml(fixture('ubl', BIG));
      const lines = original.split('\n');
      const lineOf = (tag: string) => lines.findIndex((l) => l.includes(tag)) + 1;
      const supplier = child(root, NS.cac, 'AccountingSupplierParty');
      expect(supplier?.line).toBe(lineOf('<cac:AccountingSupplierParty>'));
      expect(supplier?.line).toBeGreaterThan(lineOf('<cbc:EmbeddedDocumentBinaryObject'));
      const lastLine = children(root, NS.cac, 'InvoiceLine').at(-1);
      expect(lastLine?.line).toBe(lines.map((l, k) => (l.includes('<cac:InvoiceLine>') ? k + 1 : 0)).reduce((a, b) => Math.max(a, b)));
    });

    it('keeps line breaks and columns, and restores the text with its line ends normalised', () => {
      const base64 = base64Lines(80).join('\r\n');
      const doc = read(`${UBL_HEAD}\n<cbc:EmbeddedDocumentBinaryObject mimeCode="a>b">\r\n${base64}</cbc:EmbeddedDocumentBinaryObject><cbc:Next/>\n<cbc:After/></Invoice>`);
      const binary = child(doc.root, NS.cbc, 'EmbeddedDocumentBinaryObject');
      expect(binary?.text).toBe(`\n${base64.replace(/\r\n/g, '\n')}`);
      expect(binary?.attributes).toEqual({ mimeCode: 'a>b' });
      expect(child(doc.root, NS.cbc, 'Next')).toMatchObject({ line: 82, column: 77 + '</cbc:EmbeddedDocumentBinaryObject>'.length });
      expect(child(doc.root, NS.cbc, 'After')).toMatchObject({ line: 83, column: 1 });
      expect(doc.cutText).toContain(`mimeCode="a>b">AAAA${'\n'.repeat(80)}</cbc:`);
    });

    it('cuts CII attachments and two objects on one line, keeping the columns after both', () => {
      const big = 'QUJD'.repeat(2000);
      const text =
        `<rsm:CrossIndustryInvoice xmlns:rsm="${NS.rsm}" xmlns:ram="${NS.ram}"><ram:AttachmentBinaryObject>${big}</ram:AttachmentBinaryObject>` +
        `<ram:AttachmentBinaryObject >${big}QQ==</ram:AttachmentBinaryObject ><ram:X/></rsm:CrossIndustryInvoice>`;
      const doc = read(text);
      const [first, second] = children(doc.root, NS.ram, 'AttachmentBinaryObject');
      expect([first?.text, second?.text]).toEqual([big, `${big}QQ==`]);
      expect(doc.cutText.match(/>AAAA</g)).toHaveLength(2);
      expect(second?.column).toBe(text.indexOf('<ram:AttachmentBinaryObject >') + 1);
      expect(child(doc.root, NS.ram, 'X')?.column).toBe(text.indexOf('<ram:X/>') + 1);
    });

    it('gives the base64 of a binary object without white space, whether it was cut plain, cut otherwise or left', () => {
      const lines = base64Lines(80);
      const text =
        `${UBL_HEAD}<cbc:EmbeddedDocumentBinaryObject>${lines.join('\n')}\n</cbc:EmbeddedDocumentBinaryObject>` +
        `<cbc:EmbeddedDocumentBinaryObject> ${lines.join(' \t\r\n')} </cbc:EmbeddedDocumentBinaryObject>` +
        `<cbc:EmbeddedDocumentBinaryObject>\u00a0QU\u2003JD\n</cbc:EmbeddedDocumentBinaryObject></Invoice>`;
      const [plain, spaced, short] = children(read(text).root, NS.cbc, 'EmbeddedDocumentBinaryObject').map((el) => base64Of(el));
      expect([plain, spaced]).toEqual([lines.join(''), lines.join('')]);
      // Left to the parser and the XSD check, an object keeps the readers' rule: every \s goes, not only XML's.
      expect(short).toBe('QUJD');
    });

    it('reports a malformed tag after a cut object at its column in the file', () => {
      const text = `${UBL_HEAD}<cbc:EmbeddedDocumentBinaryObject>${'QUJD'.repeat(2000)}</cbc:EmbeddedDocumentBinaryObject></cbc:Nope></Invoice>`;
      expect(formatError(() => read(text)).details).toMatchObject({ line: 1, column: text.indexOf('</cbc:Nope>') + '</cbc:Nope>'.length });
    });

    it('scans hostile markup in linear time', () => {
      const unclosed = '<a></b>' + `<cbc:XBinaryObject x='>'>${'A'.repeat(5000)}`.repeat(2000);
      const began = performance.now();
      expect(formatError(() => read(unclosed)).code).toBe('format.malformed');
      expect(performance.now() - began).toBeLessThan(2000);
    });

    it('leaves short objects, and objects inside comments or CDATA, as they are', () => {
      const short = `${UBL_HEAD}<cbc:EmbeddedDocumentBinaryObject>${'QUJD'.repeat(1024)}</cbc:EmbeddedDocumentBinaryObject></Invoice>`;
      expect(Buffer.from(read(short).cutBytes()).toString('utf8')).toBe(short);
      const hidden = `<cbc:EmbeddedDocumentBinaryObject>${'!'.repeat(5000)}</cbc:EmbeddedDocumentBinaryObject>`;
      const doc = read(`${UBL_HEAD}<!-- ${hidden} --><cbc:Note><![CDATA[${hidden}]]></cbc:Note></Invoice>`);
      expect(textOf(child(doc.root, NS.cbc, 'Note'))).toBe(hidden);
      expect(doc.cutText).not.toContain('AAAA');
    });

    it('refuses invalid base64 in a cut object, with its line', () => {
      const lines = base64Lines(70);
      lines[64] = `${(lines[64] ?? '').slice(0, 10)}!${(lines[64] ?? '').slice(11)}`;
      const error = formatError(() => read(`${UBL_HEAD}\n<cbc:EmbeddedDocumentBinaryObject>\n${lines.join('\n')}\n</cbc:EmbeddedDocumentBinaryObject></Invoice>`));
      expect(error).toMatchObject({ code: 'format.invalid_base64', details: { line: 67, column: 11, element: 'cbc:EmbeddedDocumentBinaryObject', found: 'unexpected "!"' } });
    });

    it.each([
      ['a length that is not a multiple of 4', 'QUJD'.repeat(2000) + 'QUJ'],
      ['three padding characters', 'QUJD'.repeat(2000) + 'Q==='],
      ['data after the padding', 'QUJD'.repeat(2000) + 'QU==QUJD'],
      ['unused bits set before "=="', 'QUJD'.repeat(2000) + 'QR=='],
      ['unused bits set before "="', 'QUJD'.repeat(2000) + 'QUJ='],
    ])('refuses %s', (_, base64) => {
      expect(formatError(() => read(`<ram:AttachmentBinaryObject xmlns:ram="${NS.ram}">${base64}</ram:AttachmentBinaryObject>`)).code).toBe('format.invalid_base64');
    });

    it('accepts correct padding and leaves an object with character references to the parser', () => {
      const padded = read(`<x:AttachmentBinaryObject xmlns:x="${NS.ram}">${'QUJD'.repeat(2000)}QQ==</x:AttachmentBinaryObject>`);
      expect(padded.root.text).toHaveLength(8004);
      expect(padded.cutText).toContain('>AAAA<');
      const referenced = read(`<x:AttachmentBinaryObject xmlns:x="${NS.ram}">${'QUJD'.repeat(2000)}Q&#x2B;==</x:AttachmentBinaryObject>`);
      expect(referenced.root.text.endsWith('Q+==')).toBe(true);
      expect(referenced.cutText).not.toContain('AAAA');
    });
  });
});
