// The XSD step on the 34 official fixtures, on broken variants, on a hostile DOCTYPE, and the vendored schemas
// against the jars ADR 0013 pins.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { provisionOfficialValidator, readZipEntry, type OfficialValidatorFiles } from '@invoicing/en16931-official';
import { officialExamples } from '../testing.data';
import { loadLibxml2 } from './load-libxml2';
import { validateXsd, type XsdKind } from './xsd-validator';

const fixtures = officialExamples().map(({ name, syntax, bytes: xml }) => {
  const kind: XsdKind = syntax === 'cii' ? 'cii' : /<(\w+:)?CreditNote[\s>]/.test(xml.toString('utf8')) ? 'ubl-credit-note' : 'ubl-invoice';
  return { name, xml, kind };
});

function fixture(name: string): string {
  const found = fixtures.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found.xml.toString('utf8');
}

/** `xml` with `inserted` placed before the first `before`, and the line it lands on. */
function insertBefore(xml: string, before: string, inserted: string): { xml: string; line: number } {
  const at = xml.indexOf(before);
  if (at < 0) throw new Error(`no ${before}`);
  return { xml: xml.slice(0, at) + inserted + xml.slice(at), line: xml.slice(0, at).split('\n').length };
}

const bytes = (xml: string) => Buffer.from(xml, 'utf8');

describe('validateXsd', () => {
  it('finds all 34 official fixtures valid', async () => {
    expect(fixtures).toHaveLength(34);
    expect(fixtures.filter((each) => each.kind === 'ubl-credit-note').map((each) => each.name)).toEqual(['ubl/ubl-tc434-creditnote1.xml']);
    for (const { name, xml, kind } of fixtures) {
      expect({ name, findings: await validateXsd(xml, kind) }).toEqual({ name, findings: [] });
    }
  });

  it('reports an unexpected UBL element with libxml2 message and its line', async () => {
    const broken = insertBefore(fixture('ubl/ubl-tc434-example1.xml'), '<cbc:IssueDate>', '<cbc:Foo/>');
    const findings = await validateXsd(bytes(broken.xml), 'ubl-invoice');
    expect(findings).toEqual([{ message: expect.stringMatching(/^Element '\{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\}Foo': This element is not expected\. Expected is one of/), line: broken.line }]);
  });

  it('reports a broken CII document with its line', async () => {
    const broken = insertBefore(fixture('cii/CII_example1.xml'), '<ram:TypeCode>', '<ram:Foo/>');
    const findings = await validateXsd(bytes(broken.xml), 'cii');
    expect(findings).toEqual([{ message: expect.stringMatching(/^Element '\{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\}Foo': This element is not expected/), line: broken.line }]);
  });

  it('checks a document against the schema of its kind only', async () => {
    const creditNote = bytes(fixture('ubl/ubl-tc434-creditnote1.xml'));
    expect(await validateXsd(creditNote, 'ubl-invoice')).toEqual([{ message: expect.stringContaining('No matching global declaration'), line: expect.any(Number) }]);
    expect(await validateXsd(bytes(fixture('ubl/ubl-tc434-example1.xml')), 'cii')).not.toEqual([]);
  });

  it('reports XML that is not well-formed, with line and column', async () => {
    const xml = fixture('ubl/ubl-tc434-example1.xml').replace('</cbc:IssueDate>', '</cbc:IssueDat>');
    const line = xml.slice(0, xml.indexOf('</cbc:IssueDat>')).split('\n').length;
    expect(await validateXsd(bytes(xml), 'ubl-invoice')).toEqual([{ message: expect.stringContaining('Opening and ending tag mismatch'), line, column: expect.any(Number) }]);
  });

  it('gives true line numbers past 65,535', async () => {
    const padded = fixture('ubl/ubl-tc434-example1.xml').replace('<cbc:IssueDate>', `${'\n'.repeat(70_000)}<cbc:IssueDate>`);
    const broken = insertBefore(padded, '<cbc:IssueDate>', '<cbc:Foo/>');
    expect(broken.line).toBeGreaterThan(70_000);
    expect(await validateXsd(bytes(broken.xml), 'ubl-invoice')).toEqual([expect.objectContaining({ line: broken.line })]);
  });
});

describe('a DOCTYPE reaching the XSD step', () => {
  // saxes refuses every DOCTYPE before this step (ADR 0014); this is the second line of defence. A file that would make
  // the document valid if libxml2 read it.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'xsd-xxe-'));
  const secret = path.join(folder, 'issue-date.txt');
  fs.writeFileSync(secret, '2099-12-31');
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  const hostile = fixture('ubl/ubl-tc434-example1.xml')
    .replace('<Invoice', `<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file://${secret}">]>\n<Invoice`)
    .replace(/<cbc:IssueDate>[^<]*</, '<cbc:IssueDate>&xxe;<');

  it('reads no file: libxml2 never even asks for it, and the document is not found valid', async () => {
    const libxml2 = await loadLibxml2();
    // Records each name libxml2 tries to open that the in-memory provider does not serve, and opens none.
    const asked: string[] = [];
    libxml2.xmlRegisterInputProvider({
      match: (name) => {
        asked.push(name);
        return false;
      },
      open: () => undefined,
      read: () => -1,
      close: () => false,
    });

    // The control: a parse that substitutes external entities would ask for the file.
    const substituted = libxml2.XmlDocument.fromString(hostile, { option: libxml2.ParseOption.XML_PARSE_NOENT });
    substituted.dispose();
    expect(asked).toEqual([`file://${secret}`]);

    asked.length = 0;
    const findings = await validateXsd(bytes(hostile), 'ubl-invoice');
    expect(asked).toEqual([]);
    expect(findings).toEqual([{ message: expect.stringContaining('libxml2 could not validate the document') }]);
    expect(JSON.stringify(findings)).not.toContain('2099-12-31');
  });
});

describe('the vendored XSDs', () => {
  const schemaFolder = __dirname;
  const vendored = (function walk(folder: string): string[] {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) return walk(file);
      return entry.name.endsWith('.xsd') ? [path.relative(schemaFolder, file).split(path.sep).join('/')] : [];
    });
  })(schemaFolder).sort();

  let official: OfficialValidatorFiles;
  beforeAll(async () => {
    official = await provisionOfficialValidator();
  }, 10 * 60_000);

  /** The jar and entry each vendored file comes from (README.md). */
  function origin(file: string): { jar: string; entry: string } {
    const imported = /^ubl21\/imported\/(.+)$/.exec(file);
    if (imported) {
      const entry = `schemas/${imported[1]}`;
      const [jar, ...others] = [official.jars.ccts, official.jars.xmldsig, official.jars.xades132, official.jars.xades141].filter((each) => readZipEntry(fs.readFileSync(each), entry));
      if (!jar || others.length > 0) throw new Error(`${entry} is not in exactly one ph-xsds jar`);
      return { jar, entry };
    }
    if (file.startsWith('ubl21/')) return { jar: official.jars.ubl, entry: `external/schemas/${file}` };
    if (file.startsWith('cii-d16b/')) return { jar: official.jars.cii, entry: `external/schemas/d16b/${file.slice('cii-d16b/'.length)}` };
    if (file === 'LICENSE-Apache-2.0.txt') return { jar: official.jars.ubl, entry: 'LICENSE' };
    throw new Error(`no known origin for ${file}`);
  }

  it('are byte-identical to the entries of the pinned jars', () => {
    for (const file of [...vendored, 'LICENSE-Apache-2.0.txt']) {
      const { jar, entry } = origin(file);
      const original = readZipEntry(fs.readFileSync(jar), entry);
      expect({ file, identical: original?.equals(fs.readFileSync(path.join(schemaFolder, file))) }).toEqual({ file, identical: true });
    }
  });

  it('are exactly what Invoice, CreditNote and CrossIndustryInvoice import', () => {
    const roots: readonly string[] = [
      'ubl21/maindoc/UBL-Invoice-2.1.xsd',
      'ubl21/maindoc/UBL-CreditNote-2.1.xsd',
      'ubl21/imported/CCTS_CCT_SchemaModule.xsd',
      'ubl21/imported/xmldsig-core-schema.xsd',
      'ubl21/imported/XAdES01903v132-201601.xsd',
      'ubl21/imported/XAdES01903v141-201601.xsd',
      'cii-d16b/data/standard/CrossIndustryInvoice_100pD16B.xsd',
    ];
    const needed = new Set<string>();
    const pending = [...roots];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (needed.has(file)) continue;
      needed.add(file);
      const text = fs.readFileSync(path.join(schemaFolder, file), 'utf8');
      for (const match of text.matchAll(/<(?:\w+:)?(?:import|include|redefine)\b[^>]*?schemaLocation="([^"]+)"/g)) {
        pending.push(path.posix.join(path.posix.dirname(file), match[1] ?? ''));
      }
    }
    expect([...needed].sort()).toEqual(vendored);
    expect(vendored.filter((file) => fs.readFileSync(path.join(schemaFolder, file), 'utf8').includes('<!DOCTYPE'))).toEqual([]);
  });
});
