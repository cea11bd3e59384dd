/**
 * Regenerates `code-list-values.ts` from the official CEN EN 16931 schematron 1.3.16, compiled to XSLT (the artefacts
 * that `tools/en16931-official` provisions). A build-time script, never shipped or imported:
 *
 *   node packages/invoice/src/en16931/rules/code-lists.extract.js [<dir holding ubl/ and cii/>]
 *
 * Each list is read from the `xsl:when` test of its BR-CL rule, in the order the XSLT writes it. Where several rules
 * share a list (ISO 4217, ISO 6523 ICD, ISO 3166-1, UNCL 5305), the script checks that they really are equal, and it
 * fails loudly when the XSLT no longer has the shape it expects, rather than writing a partial list.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const RELEASE = '1.3.16-phive4.3.7-ubl10.2.0-cii4.1.1-xsds4.1.0-saxon12.9';
const cache = process.env.INVOICING_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'invoicing');
const dir = process.argv[2] ?? path.join(cache, 'en16931-official', RELEASE, 'external', 'schematron', '1.3.16');
const files = { ubl: path.join(dir, 'ubl', 'EN16931-UBL-validation.xslt'), cii: path.join(dir, 'cii', 'EN16931-CII-validation.xslt') };
const out = path.join(__dirname, 'code-list-values.ts');

function unescapeXml(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** The executed test (`xsl:when`) of every BR-CL assertion of one XSLT, by rule id. */
function tests(xslt) {
  const found = new Map();
  const assertion = /<xsl:when test="([^"]*)" \/>\s*<xsl:otherwise>\s*<svrl:failed-assert test="[^"]*">\s*<xsl:attribute name="id">(BR-CL-\d+)<\/xsl:attribute>/g;
  for (const [, test, id] of xslt.matchAll(assertion)) {
    if (found.has(id)) throw new Error(`${id} is asserted twice`);
    found.set(id, unescapeXml(test));
  }
  return found;
}

/** The space-separated lists a test matches against (`contains(' A B C ', …)`), in the order written. */
function lists(test, id) {
  const result = [...test.matchAll(/contains\(\s*'( [^']* )'/g)].map(([, list]) => list.trim().split(' '));
  if (result.length === 0) throw new Error(`${id}: no code list in its test`);
  for (const list of result) if (new Set(list).size !== list.length) throw new Error(`${id}: a code is listed twice`);
  return result;
}

function sameList(a, b) {
  return a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');
}

const source = { ubl: fs.readFileSync(files.ubl, 'utf8'), cii: fs.readFileSync(files.cii, 'utf8') };
const ubl = tests(source.ubl);
const cii = tests(source.cii);
const list = (syntax, id, index = 0) => {
  const test = (syntax === 'ubl' ? ubl : cii).get(id);
  if (test === undefined) throw new Error(`${id} is not in the ${syntax} XSLT`);
  const found = lists(test, id)[index];
  if (found === undefined) throw new Error(`${id} has no list number ${index + 1}`);
  return found;
};
const same = (name, first, ...others) => {
  for (const other of others) if (!sameList(first, other)) throw new Error(`${name}: the rules that share it differ`);
  return first;
};

const mimes = (syntax) => {
  const test = (syntax === 'ubl' ? ubl : cii).get('BR-CL-24') ?? '';
  const codes = [...test.matchAll(/@mimeCode\s*=\s*'([^']*)'/g)].map(([, code]) => code);
  if (codes.length === 0) throw new Error(`BR-CL-24: no MIME code in the ${syntax} XSLT`);
  return codes;
};
const mimeCodes = same('MIME codes', mimes('ubl'), mimes('cii'));

const invoiceTypes = list('ubl', 'BR-CL-01', 0);
const creditNoteTypes = list('ubl', 'BR-CL-01', 1);
const allTypes = [...invoiceTypes, ...creditNoteTypes.filter((code) => !invoiceTypes.includes(code))];

/** [constant, rules, description, codes] */
const constants = [
  ['UNTDID_1001', 'BR-CL-01', 'UNTDID 1001 document type codes an invoice or a credit note may have (the CII list: both UBL lists together)', same('UNTDID 1001', list('cii', 'BR-CL-01'), allTypes)],
  ['UNTDID_1001_UBL_INVOICE', 'BR-CL-01', 'UNTDID 1001 codes of a UBL `Invoice` (`cbc:InvoiceTypeCode`)', invoiceTypes],
  ['UNTDID_1001_UBL_CREDIT_NOTE', 'BR-CL-01', 'UNTDID 1001 codes of a UBL `CreditNote` (`cbc:CreditNoteTypeCode`)', creditNoteTypes],
  ['ISO_4217', 'BR-CL-03, BR-CL-04, BR-CL-05', 'ISO 4217 alpha-3 currency codes', same('ISO 4217', list('ubl', 'BR-CL-04'), list('ubl', 'BR-CL-03'), list('ubl', 'BR-CL-05'), list('cii', 'BR-CL-03'), list('cii', 'BR-CL-04'), list('cii', 'BR-CL-05'))],
  ['UNTDID_2005_TAX_POINT', 'BR-CL-06', 'UNTDID 2005 subset for the VAT point date code (BT-8) in UBL', list('ubl', 'BR-CL-06')],
  ['UNTDID_2475_TAX_POINT', 'BR-CL-06', 'UNTDID 2475 subset for the VAT point date code (BT-8) in CII', list('cii', 'BR-CL-06')],
  ['UNTDID_1153', 'BR-CL-07', 'UNTDID 1153 reference code qualifiers (object identifier scheme, BT-18-1, BT-128-1)', same('UNTDID 1153', list('ubl', 'BR-CL-07'), list('cii', 'BR-CL-07'))],
  ['UNTDID_4451', 'BR-CL-08', 'UNTDID 4451 text subject codes (BT-21) as the UBL XSLT lists them, in its order', list('ubl', 'BR-CL-08')],
  ['UNTDID_4451_CII', 'BR-CL-08', 'UNTDID 4451 text subject codes as the CII XSLT lists them (a later list: a few more codes)', list('cii', 'BR-CL-08')],
  ['ISO_6523_ICD', 'BR-CL-10, BR-CL-11, BR-CL-21, BR-CL-26', 'ISO 6523 ICD identifier schemes', same('ISO 6523 ICD', list('ubl', 'BR-CL-10'), list('ubl', 'BR-CL-11'), list('ubl', 'BR-CL-21'), list('ubl', 'BR-CL-26'), list('cii', 'BR-CL-10'), list('cii', 'BR-CL-11'), list('cii', 'BR-CL-21'), list('cii', 'BR-CL-26'))],
  ['UNTDID_7143', 'BR-CL-13', 'UNTDID 7143 item classification schemes (BT-158-1)', same('UNTDID 7143', list('ubl', 'BR-CL-13'), list('cii', 'BR-CL-13'))],
  ['ISO_3166', 'BR-CL-14, BR-CL-15', 'ISO 3166-1 alpha-2 country codes as the UBL XSLT lists them', same('ISO 3166-1', list('ubl', 'BR-CL-14'), list('ubl', 'BR-CL-15'))],
  ['ISO_3166_CII', 'BR-CL-14, BR-CL-15', 'ISO 3166-1 alpha-2 country codes as the CII XSLT lists them', same('ISO 3166-1 (CII)', list('cii', 'BR-CL-14'), list('cii', 'BR-CL-15'))],
  ['UNTDID_4461', 'BR-CL-16', 'UNTDID 4461 payment means codes (BT-81)', same('UNTDID 4461', list('ubl', 'BR-CL-16'), list('cii', 'BR-CL-16'))],
  ['UNTDID_5305', 'BR-CL-17, BR-CL-18', 'UNTDID 5305 subset: the VAT category codes', same('UNTDID 5305', list('ubl', 'BR-CL-17'), list('ubl', 'BR-CL-18'), list('cii', 'BR-CL-17'), list('cii', 'BR-CL-18'))],
  ['UNTDID_5189', 'BR-CL-19', 'UNTDID 5189 allowance reason codes (BT-98, BT-140)', same('UNTDID 5189', list('ubl', 'BR-CL-19'), list('cii', 'BR-CL-19'))],
  ['UNTDID_7161', 'BR-CL-20', 'UNTDID 7161 charge reason codes (BT-105, BT-145)', same('UNTDID 7161', list('ubl', 'BR-CL-20'), list('cii', 'BR-CL-20'))],
  ['VATEX', 'BR-CL-22', 'CEF VATEX exemption reason codes (BT-121), all upper case (the rule compares the upper-cased code)', same('VATEX', list('ubl', 'BR-CL-22'), list('cii', 'BR-CL-22'))],
  ['UNECE_REC_20_21', 'BR-CL-23', 'UN/ECE Recommendation 20 unit codes with the Recommendation 21 extension (BT-130, BT-150)', same('Rec 20/21', list('ubl', 'BR-CL-23'), list('cii', 'BR-CL-23'))],
  ['MIME_CODES', 'BR-CL-24', 'MIME codes an attachment (BT-125-1) may have; compared as written, without trimming', mimeCodes],
  ['EAS', 'BR-CL-25', 'CEF EAS electronic address schemes (BT-34-1, BT-49-1)', same('EAS', list('ubl', 'BR-CL-25'), list('cii', 'BR-CL-25'))],
];
if (constants.find(([name]) => name === 'VATEX')[3].some((code) => code !== code.toUpperCase())) throw new Error('VATEX: a code in lower case could never match');

const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');
const quoted = (codes) => {
  const rows = [];
  let row = '';
  for (const code of codes.map((c) => `'${c.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)) {
    if (row.length + code.length + 2 > 116) {
      rows.push(row.trimEnd());
      row = '';
    }
    row += `${code}, `;
  }
  rows.push(row.trimEnd());
  return rows.map((r) => `  ${r}`).join('\n');
};

const text = [
  '// Generated by code-lists.extract.js from the official CEN EN 16931 schematron 1.3.16 (EUPL 1.2), compiled XSLT:',
  `//   ubl/EN16931-UBL-validation.xslt sha256 ${sha256(source.ubl)}`,
  `//   cii/EN16931-CII-validation.xslt sha256 ${sha256(source.cii)}`,
  '// Do not edit; regenerate with `node packages/invoice/src/en16931/rules/code-lists.extract.js`.',
  '',
  ...constants.flatMap(([name, rules, description, codes]) => [
    `/** ${description}; ${rules}. ${codes.length} codes. */`,
    `export const ${name}: ReadonlySet<string> = new Set([`,
    quoted(codes),
    ']);',
    '',
  ]),
].join('\n');
fs.writeFileSync(out, text);
process.stdout.write(`${out}: ${constants.length} lists, ${constants.reduce((n, c) => n + c[3].length, 0)} codes\n`);
