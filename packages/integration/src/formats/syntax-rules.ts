import { En16931 } from '@invoicing/invoice';
import { trimXmlSpace, xpathOf, type XmlElement } from './xml';

/*
 * What the rules of the two syntaxes (ubl/ and cii/: binding rules and code lists) share to read the official
 * stylesheets' tests on our tree: XPath's string value, normalize-space and string-length, and a fatal finding placed
 * on its context element.
 */

type Finding = En16931.Finding;

/** Whether `el` is there and has this namespace and local name (the name first: it usually differs, and is short). */
export function isName(el: XmlElement | undefined, ns: string, local: string): boolean {
  return el !== undefined && el.name === local && el.ns === ns;
}

// The attribute names looked up by the rules are fixed and none is a member of `Object.prototype`, so a plain
// property read is exact, and much cheaper than `Object.hasOwn` in a walk.
export function hasAttribute(el: XmlElement, name: string): boolean {
  return el.attributes[name] !== undefined;
}

/**
 * The XPath string value: the element's text and its descendants' (`''` for no element). The tree keeps an element's
 * own text apart from its children's, so for mixed content the order is approximate; the values tested have none.
 */
export function stringValue(el: XmlElement | undefined): string {
  if (el === undefined) return '';
  if (el.children.length === 0) return el.text;
  let value = el.text;
  for (const c of el.children) value += stringValue(c);
  return value;
}

/** XPath's `normalize-space`: XML white space (space, tab, CR, LF) trimmed and each inner run made one space. */
export function normalizeSpace(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return trimXmlSpace(value.replace(/[ \t\r\n]+/g, ' '));
  }
  return value;
}

/** XPath's `string-length`: characters, a surrogate pair being one. */
export function stringLength(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

/** Adds a fatal finding of `rule`, placed on `el` (its XPath, line and column). */
export function fail(out: Finding[], rule: string, message: string, el: XmlElement, term?: string): void {
  out.push({ rule, severity: 'fatal', message, ...(term === undefined ? {} : { term }), xpath: xpathOf(el), line: el.line, column: el.column });
}

/** A code list a syntax checks on the file: the rule, its term, its message and the codes it accepts. */
export interface FileCodeList {
  readonly rule: string;
  readonly term: string;
  readonly message: string;
  readonly codes: ReadonlySet<string>;
}

/** BR-CL-01 with the document type codes a syntax accepts on an element (the message is both stylesheets'). */
export function typeCodeList(codes: ReadonlySet<string>): FileCodeList {
  return { rule: 'BR-CL-01', term: 'BT-3', message: 'The document type code MUST be coded by the invoice and credit note related code lists of UNTDID 1001', codes };
}

/**
 * Each element of the tree that `listOf` gives a code list, and whose code is not in it, as a finding of that list's
 * rule: the stylesheets' `normalize-space(.)` is one of the codes.
 */
export function codeListFindings(root: XmlElement, listOf: (el: XmlElement) => FileCodeList | undefined): Finding[] {
  const out: Finding[] = [];
  const visit = (el: XmlElement): void => {
    const list = listOf(el);
    if (list !== undefined && !En16931.isListed(list.codes, el.text)) fail(out, list.rule, `${list.message}: "${el.text.trim()}"`, el, list.term);
    for (const c of el.children) visit(c);
  };
  visit(root);
  return out;
}
