import { EInvoiceRefusedError, validateEn16931, type En16931, type En16931Document } from '@invoicing/invoice';
import { locateCii, readCii, writeCii } from './cii';
import { ciiBindingRules } from './cii/cii-binding-rules';
import { ciiCodeLists } from './cii/cii-code-lists';
import { locateUbl, readUbl, writeUbl } from './ubl';
import { ublAmountCurrencies } from './ubl/ubl-amount-currencies';
import { ublBindingRules } from './ubl/ubl-binding-rules';
import { ublCodeLists } from './ubl/ubl-code-lists';
import { FormatError, NS, child, children, detectSyntax, expectSyntax, readXml, xpathOf, type XmlElement, type XmlLimits, type XmlSyntax } from './xml';
import { validateXsd } from './xsd/xsd-validator';

/** The two syntaxes of EN 16931: UBL 2.1 (Peppol BIS Billing 3.0) and UN/CEFACT CII D16B (Factur-X, XRechnung). */
export type InvoiceSyntax = 'ubl' | 'cii';

/** A finding about a file: the rule's, plus where in the file (XPath, line, column). */
export type FileFinding = En16931.Finding;

/** What `readInvoice` returns: the document as stated, its syntax, and its findings, fatal first. */
export interface ReadInvoiceResult {
  readonly document: En16931Document;
  readonly syntax: InvoiceSyntax;
  /** Every finding, fatal first; only the first `maxFindings` when that option is given. */
  readonly findings: readonly FileFinding[];
  /** The findings after the first `maxFindings`, counted and not listed: 0 when every finding is listed. */
  readonly omittedFindings: number;
}

export interface ReadInvoiceOptions extends XmlLimits {
  /** Refuse a file of the other syntax (`format.syntax_mismatch`) instead of detecting it. */
  readonly syntax?: InvoiceSyntax;
  /** Most invoice lines (BG-25) accepted, counted before any check; default {@link DEFAULT_MAX_LINES}. */
  readonly maxLines?: number;
  /** List this many findings, fatal first, and count the others (`omittedFindings`); default: list them all. */
  readonly maxFindings?: number;
}

/**
 * 10,000 lines: the most an invoice of the platform has (`invoice.too_many_lines`). The rules and the XSD check cost
 * time in proportion to the lines, and a file of more could not be imported anyway.
 */
export const DEFAULT_MAX_LINES = 10_000;

/** The rule id of a finding of the XSD check; the official validator reports these apart, without rule ids. */
export const XSD_RULE = 'XSD';

/**
 * Reads a UBL or CII invoice or credit note into the EN 16931 semantic model and validates it: the official XSD of
 * its syntax, its syntax-binding rules (UBL-*, CII-*), the code lists whose answer depends on how the file writes the
 * code (BR-CL-01, BR-CL-06, BR-CL-16), then the EN 16931 business rules as that syntax's official stylesheet tests
 * them. A UBL file is also held to Peppol's PEPPOL-EN16931-R051 (every amount in the document currency, BT-111 apart):
 * the model keeps one currency for all amounts, so an amount in another would be read as if in BT-5. A file that is not a safe, well-formed e-invoice XML throws a `FormatError` (`format.*`); a document that
 * breaks rules is returned with its findings, never corrected. What reading costs is bounded by the file's bytes,
 * depth and elements (see `XmlLimits`) and its lines (`maxLines`), each checked before the schema and the rules.
 * @throws FormatError `format.too_many_lines`, and those of `readXml`, `detectSyntax` and `expectSyntax`
 */
export async function readInvoice(bytes: Uint8Array, options: ReadInvoiceOptions = {}): Promise<ReadInvoiceResult> {
  const xml = readXml(bytes, options);
  const kind = options.syntax === undefined ? detectSyntax(xml.root) : expectSyntax(xml.root, options.syntax);
  checkLines(xml.root, kind, options.maxLines ?? DEFAULT_MAX_LINES);
  const syntax: InvoiceSyntax = kind === 'cii' ? 'cii' : 'ubl';
  const document = syntax === 'ubl' ? readUbl(xml.root) : readCii(xml.root);
  const schema = (await validateXsd(xml.cutBytes(), kind)).map(
    (f): FileFinding => ({ rule: XSD_RULE, severity: 'fatal', message: f.message, ...(f.line === undefined ? {} : { line: f.line }), ...(f.column === undefined ? {} : { column: f.column }) }),
  );
  const binding = syntax === 'ubl' ? [...ublBindingRules(xml.root), ...ublAmountCurrencies(xml.root)] : ciiBindingRules(xml.root);
  const codeLists = syntax === 'ubl' ? ublCodeLists(xml.root) : ciiCodeLists(xml.root);
  const locate = syntax === 'ubl' ? locateUbl : locateCii;
  const rules = validateEn16931(document, { syntax }).map((f) => placed(f, locate(f.pointer ?? '', xml.root)));
  const findings = [...schema, ...binding, ...codeLists, ...rules].sort((a, b) => severityOrder(a) - severityOrder(b));
  const listed = options.maxFindings !== undefined && findings.length > options.maxFindings ? findings.slice(0, Math.max(0, options.maxFindings)) : findings;
  return { document, syntax, findings: listed, omittedFindings: findings.length - listed.length };
}

/** @throws FormatError `format.too_many_lines` */
function checkLines(root: XmlElement, kind: XmlSyntax, limit: number): void {
  const lines =
    kind === 'cii'
      ? children(child(root, NS.rsm, 'SupplyChainTradeTransaction'), NS.ram, 'IncludedSupplyChainTradeLineItem').length
      : children(root, NS.cac, kind === 'ubl-credit-note' ? 'CreditNoteLine' : 'InvoiceLine').length;
  if (lines > limit) {
    throw new FormatError('format.too_many_lines', `the file has ${lines} invoice lines, more than the ${limit} accepted`, { lines, limit });
  }
}

/** The findings of `readInvoice`, for a caller that does not need the document. */
export async function validate(bytes: Uint8Array, options: ReadInvoiceOptions = {}): Promise<readonly FileFinding[]> {
  return (await readInvoice(bytes, options)).findings;
}

/** Writes a document in a syntax; UBL makes a `CreditNote` of a credit-note type code (BT-3). */
export function writeInvoice(document: En16931Document, syntax: InvoiceSyntax): Buffer {
  return syntax === 'ubl' ? writeUbl(document) : writeCii(document);
}

/**
 * {@link writeInvoice}, for a file handed out as an EN 16931 e-invoice: the file is validated as {@link readInvoice}
 * validates a file received, and one that breaks a rule is refused rather than handed out. The domain accepts some
 * documents EN 16931 does not (a unit code outside UN/ECE Rec 20, an address in no ISO 3166 country, a record imported
 * without the parties' addresses): their files would be refused by whoever receives them.
 * @throws EInvoiceRefusedError `e_invoice.invalid`, with the fatal findings
 */
export async function writeConformingInvoice(document: En16931Document, syntax: InvoiceSyntax): Promise<Buffer> {
  const file = writeInvoice(document, syntax);
  // Our own file of a document the domain bounded: the limits that guard against a hostile file do not apply.
  const fatal = (await validate(file, { maxElements: Number.POSITIVE_INFINITY, maxLines: Number.POSITIVE_INFINITY })).filter((finding) => finding.severity === 'fatal');
  if (fatal.length > 0) throw new EInvoiceRefusedError('e_invoice.invalid', `The document breaks ${fatal.length} EN 16931 rule(s): its file would claim it conforms.`, fatal);
  return file;
}

function placed(finding: En16931.Finding, el: XmlElement): FileFinding {
  return { ...finding, xpath: xpathOf(el), line: el.line, column: el.column };
}

function severityOrder(finding: FileFinding): number {
  return finding.severity === 'fatal' ? 0 : 1;
}
