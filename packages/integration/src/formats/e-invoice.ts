import { EInvoiceRefusedError, validateEn16931, type En16931, type En16931Document } from '@invoicing/invoice';
import { locateCii, readCii, writeCii } from './cii';
import { ciiBindingRules } from './cii/cii-binding-rules';
import { ciiCodeLists } from './cii/cii-code-lists';
import { locateUbl, readUbl, writeUbl } from './ubl';
import { ublAmountCurrencies } from './ubl/ubl-amount-currencies';
import { ublBindingRules } from './ubl/ubl-binding-rules';
import { ublCodeLists } from './ubl/ubl-code-lists';
import { detectSyntax, expectSyntax, readXml, xpathOf, type XmlElement, type XmlLimits } from './xml';
import { validateXsd } from './xsd/xsd-validator';

/** The two syntaxes of EN 16931: UBL 2.1 (Peppol BIS Billing 3.0) and UN/CEFACT CII D16B (Factur-X, XRechnung). */
export type InvoiceSyntax = 'ubl' | 'cii';

/** A finding about a file: the rule's, plus where in the file (XPath, line, column). */
export type FileFinding = En16931.Finding;

/** What `readInvoice` returns: the document as stated, its syntax, and every finding, fatal first. */
export interface ReadInvoiceResult {
  readonly document: En16931Document;
  readonly syntax: InvoiceSyntax;
  readonly findings: readonly FileFinding[];
}

export interface ReadInvoiceOptions extends XmlLimits {
  /** Refuse a file of the other syntax (`format.syntax_mismatch`) instead of detecting it. */
  readonly syntax?: InvoiceSyntax;
}

/** The rule id of a finding of the XSD check; the official validator reports these apart, without rule ids. */
export const XSD_RULE = 'XSD';

/**
 * Reads a UBL or CII invoice or credit note into the EN 16931 semantic model and validates it: the official XSD of
 * its syntax, its syntax-binding rules (UBL-*, CII-*), the code lists whose answer depends on how the file writes the
 * code (BR-CL-01, BR-CL-06, BR-CL-16), then the EN 16931 business rules as that syntax's official stylesheet tests
 * them. A UBL file is also held to Peppol's PEPPOL-EN16931-R051 (every amount in the document currency, BT-111 apart):
 * the model keeps one currency for all amounts, so an amount in another would be read as if in BT-5. A file that is not a safe, well-formed e-invoice XML throws a `FormatError` (`format.*`); a document that
 * breaks rules is returned with its findings, never corrected.
 */
export async function readInvoice(bytes: Uint8Array, options: ReadInvoiceOptions = {}): Promise<ReadInvoiceResult> {
  const xml = readXml(bytes, options);
  const kind = options.syntax === undefined ? detectSyntax(xml.root) : expectSyntax(xml.root, options.syntax);
  const syntax: InvoiceSyntax = kind === 'cii' ? 'cii' : 'ubl';
  const document = syntax === 'ubl' ? readUbl(xml.root) : readCii(xml.root);
  const schema = (await validateXsd(xml.cutBytes(), kind)).map(
    (f): FileFinding => ({ rule: XSD_RULE, severity: 'fatal', message: f.message, ...(f.line === undefined ? {} : { line: f.line }), ...(f.column === undefined ? {} : { column: f.column }) }),
  );
  const binding = syntax === 'ubl' ? [...ublBindingRules(xml.root), ...ublAmountCurrencies(xml.root)] : ciiBindingRules(xml.root);
  const codeLists = syntax === 'ubl' ? ublCodeLists(xml.root) : ciiCodeLists(xml.root);
  const locate = syntax === 'ubl' ? locateUbl : locateCii;
  const rules = validateEn16931(document, { syntax }).map((f) => placed(f, locate(f.pointer ?? '', xml.root)));
  return { document, syntax, findings: [...schema, ...binding, ...codeLists, ...rules].sort((a, b) => severityOrder(a) - severityOrder(b)) };
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
  const fatal = (await validate(file)).filter((finding) => finding.severity === 'fatal');
  if (fatal.length > 0) throw new EInvoiceRefusedError('e_invoice.invalid', `The document breaks ${fatal.length} EN 16931 rule(s): its file would claim it conforms.`, fatal);
  return file;
}

function placed(finding: En16931.Finding, el: XmlElement): FileFinding {
  return { ...finding, xpath: xpathOf(el), line: el.line, column: el.column };
}

function severityOrder(finding: FileFinding): number {
  return finding.severity === 'fatal' ? 0 : 1;
}
