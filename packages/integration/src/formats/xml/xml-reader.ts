import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import { FormatError } from './format-error';

/** The namespace URIs of UBL 2.1 and CII D16B that the readers, writers and XPaths use. */
export const NS = {
  ublInvoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  ublCreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  ext: 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2',
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
} as const;

/** One element of the light tree the reader builds: enough for the syntax readers and for XPaths on findings. */
export interface XmlElement {
  /** Namespace URI, `''` when the element has none. */
  readonly ns: string;
  /** Local name, without prefix. */
  readonly name: string;
  /** Attributes without a namespace, by local name; `xmlns` declarations and `xsi:*` are not here. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text and CDATA, concatenated and untrimmed (a cut binary object has its real content back). */
  readonly text: string;
  /** 1-based line of the start tag's `<`. */
  readonly line: number;
  /** 1-based column of the start tag's `<`, in characters. */
  readonly column: number;
  readonly parent: XmlElement | undefined;
}

/** A document the reader accepted. */
export interface XmlDocument {
  readonly root: XmlElement;
  /** The decoded text with large binary objects replaced by a placeholder: what the XSD check should see. */
  readonly cutText: string;
  /** `cutText` as UTF-8 (without a BOM). When nothing was cut, a view of the input bytes: do not modify it. */
  cutBytes(): Uint8Array;
}

/** Limits of {@link readXml}; the defaults suit every official example by a wide margin (the deepest has 8 levels). */
export interface XmlLimits {
  /** Largest accepted input in bytes; default {@link DEFAULT_MAX_BYTES}. */
  readonly maxBytes?: number;
  /** Deepest accepted nesting, the root being 1; default {@link DEFAULT_MAX_DEPTH}. */
  readonly maxDepth?: number;
  /** Most elements accepted, the root included; default {@link DEFAULT_MAX_ELEMENTS}. */
  readonly maxElements?: number;
}

/** The syntaxes an e-invoice root can announce. */
export type XmlSyntax = 'ubl-invoice' | 'ubl-credit-note' | 'cii';

/** 32 MiB: far above any real invoice, low enough that a hostile file is refused before it costs memory. */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
/** 64 levels: the official examples reach 8; the cap also bounds saxes' O(depth²) namespace lookups. */
export const DEFAULT_MAX_DEPTH = 64;
/**
 * 500,000 elements: 50 for each of 10,000 rich lines (the official examples have 15 to 30 per line). Every element
 * costs the XSD check and the rules time and memory, whatever the file's size in bytes: a plain 954 KB file of 36,000
 * elements held the API's event loop 5 s (audit dos DOS-5).
 */
export const DEFAULT_MAX_ELEMENTS = 500_000;

/** Binary objects longer than this are cut before parsing (ADR 0014). */
const CUT_THRESHOLD = 4096;
/** The smallest content that is valid `xs:base64Binary`, so the XSD check still passes on the cut text. */
const PLACEHOLDER = 'AAAA';

type Building = { -readonly [K in keyof XmlElement]: XmlElement[K] } & { children: XmlElement[] };

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Reads an e-invoice file safely: size limit before decoding, strict UTF-8, no DOCTYPE (hence no entity is ever
 * declared), a depth limit, and large binary objects cut out so the parser and the XSD check skip them.
 *
 * @throws FormatError `format.too_large`, `format.not_utf8`, `format.invalid_base64`, `format.doctype_refused`,
 *   `format.too_deep`, `format.too_many_elements` or `format.malformed`.
 */
export function readXml(bytes: Uint8Array, limits: XmlLimits = {}): XmlDocument {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.byteLength > maxBytes) {
    throw new FormatError('format.too_large', `the file has ${bytes.byteLength} bytes, more than the ${maxBytes} accepted`, {
      size: bytes.byteLength,
      limit: maxBytes,
    });
  }
  const { text, cuts } = cutBinaryObjects(decodeUtf8(bytes));
  const root = parse(text, cuts, limits.maxDepth ?? DEFAULT_MAX_DEPTH, limits.maxElements ?? DEFAULT_MAX_ELEMENTS);
  let encoded: Uint8Array | undefined;
  return {
    root,
    cutText: text,
    // Valid UTF-8 decodes and re-encodes to the same bytes, so an uncut file needs no encoding.
    cutBytes: () => (encoded ??= cuts.size === 0 ? withoutBom(bytes) : new TextEncoder().encode(text)),
  };
}

/** The first child of `el` with this namespace and local name. */
export function child(el: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name && c.ns === ns);
}

/** Every child of `el` with this namespace and local name, in document order. */
export function children(el: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return el === undefined ? [] : el.children.filter((c) => c.name === name && c.ns === ns);
}

/**
 * The text of `el` without leading and trailing XML white space (space, tab, CR, LF: not `String.trim`'s wider set,
 * which would eat a no-break space the sender meant); `undefined` only when the element is absent.
 */
export function textOf(el: XmlElement): string;
export function textOf(el: XmlElement | undefined): string | undefined;
export function textOf(el: XmlElement | undefined): string | undefined {
  return el === undefined ? undefined : trimXmlSpace(el.text);
}

/** An attribute's value without leading and trailing XML white space; `undefined` when absent. */
export function attrOf(el: XmlElement | undefined, name: string): string | undefined {
  const value = el?.attributes[name];
  return value === undefined ? undefined : trimXmlSpace(value);
}

/** The cut binary objects whose content is plain base64 (see `Cut`); weak, so they go with their tree. */
const plainBase64 = new WeakSet<XmlElement>();

/**
 * The content of a binary object without its white space, as the readers keep base64. Most attachments were cut and
 * found plain, LF their only white space: removing it is a native search, where `\s+` tests megabytes one by one.
 */
export function base64Of(el: XmlElement): string {
  return plainBase64.has(el) ? el.text.replaceAll('\n', '') : el.text.replace(/\s+/g, '');
}

/** `value` without leading and trailing XML white space (space, tab, CR, LF), as XPath's `normalize-space` trims. */
export function trimXmlSpace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isXmlSpace(value.charCodeAt(start))) start++;
  while (end > start && isXmlSpace(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

const PREFIXES: ReadonlyMap<string, string> = new Map([
  [NS.ublInvoice, ''],
  [NS.ublCreditNote, ''],
  [NS.cac, 'cac:'],
  [NS.cbc, 'cbc:'],
  [NS.ext, 'ext:'],
  [NS.rsm, 'rsm:'],
  [NS.ram, 'ram:'],
  [NS.udt, 'udt:'],
  [NS.qdt, 'qdt:'],
]);

/**
 * The XPath of `el` with the conventional prefixes (`/Invoice/cac:InvoiceLine[3]/cbc:LineExtensionAmount`),
 * whatever prefixes the file used, so findings read the same for every sender. A predicate appears only where the
 * parent has several children of that name; another namespace is written `Q{uri}name` (XPath 3).
 */
export function xpathOf(el: XmlElement): string {
  const steps: string[] = [];
  for (let at: XmlElement | undefined = el; at !== undefined; at = at.parent) {
    const prefix = PREFIXES.get(at.ns);
    const qname = prefix !== undefined ? prefix + at.name : at.ns === '' ? at.name : `Q{${at.ns}}${at.name}`;
    const position = at.parent === undefined ? undefined : positionsOf(at.parent).get(at);
    steps.push(position === undefined ? qname : `${qname}[${position}]`);
  }
  return '/' + steps.reverse().join('/');
}

/**
 * Per parent, the 1-based position of each child whose namespace and local name repeat among its siblings (as in an
 * XPath predicate); a child with a name of its own is absent. Only findings need positions, so they are counted for
 * the parent of the first one, once: weak, so they go with their tree.
 */
const positions = new WeakMap<XmlElement, ReadonlyMap<XmlElement, number>>();

function positionsOf(parent: XmlElement): ReadonlyMap<XmlElement, number> {
  let found = positions.get(parent);
  if (found === undefined) {
    // Two levels, by namespace then local name, rather than a `{uri}name` key to build per child.
    const groups = new Map<string, Map<string, XmlElement[]>>();
    for (const c of parent.children) {
      let names = groups.get(c.ns);
      if (names === undefined) groups.set(c.ns, (names = new Map()));
      const group = names.get(c.name);
      if (group === undefined) names.set(c.name, [c]);
      else group.push(c);
    }
    const numbered = new Map<XmlElement, number>();
    for (const names of groups.values()) for (const group of names.values()) if (group.length > 1) group.forEach((c, i) => numbered.set(c, i + 1));
    positions.set(parent, (found = numbered));
  }
  return found;
}

const ROOTS: Readonly<Record<string, { readonly ns: string; readonly syntax: XmlSyntax }>> = {
  Invoice: { ns: NS.ublInvoice, syntax: 'ubl-invoice' },
  CreditNote: { ns: NS.ublCreditNote, syntax: 'ubl-credit-note' },
  CrossIndustryInvoice: { ns: NS.rsm, syntax: 'cii' },
};

/**
 * The syntax the root announces, by namespace URI and local name (never by prefix).
 *
 * @throws FormatError `format.wrong_namespace` for a known root name in another namespace, `format.unknown_root`
 *   for any other root.
 */
export function detectSyntax(root: XmlElement): XmlSyntax {
  const known = Object.hasOwn(ROOTS, root.name) ? ROOTS[root.name] : undefined;
  const found = { ns: root.ns, name: root.name, line: root.line, column: root.column };
  if (known === undefined) {
    throw new FormatError('format.unknown_root', `the root element ${describe(root)} is not a UBL Invoice or CreditNote, nor a CII CrossIndustryInvoice`, {
      ...found,
      expected: Object.entries(ROOTS).map(([name, { ns }]) => `{${ns}}${name}`),
    });
  }
  if (root.ns !== known.ns) {
    throw new FormatError('format.wrong_namespace', `the root element ${describe(root)} must be in the namespace ${known.ns}`, {
      ...found,
      expected: known.ns,
    });
  }
  return known.syntax;
}

/**
 * {@link detectSyntax}, refusing a file of the other syntax family.
 *
 * @throws FormatError `format.syntax_mismatch` when a CII file is read as UBL or the other way round.
 */
export function expectSyntax(root: XmlElement, expected: 'ubl'): 'ubl-invoice' | 'ubl-credit-note';
export function expectSyntax(root: XmlElement, expected: 'cii'): 'cii';
export function expectSyntax(root: XmlElement, expected: 'ubl' | 'cii'): XmlSyntax;
export function expectSyntax(root: XmlElement, expected: 'ubl' | 'cii'): XmlSyntax {
  const syntax = detectSyntax(root);
  const family = syntax === 'cii' ? 'cii' : 'ubl';
  if (family !== expected) {
    throw new FormatError('format.syntax_mismatch', `expected a ${expected.toUpperCase()} document, found ${family.toUpperCase()} (${describe(root)})`, {
      expected,
      found: syntax,
      line: root.line,
      column: root.column,
    });
  }
  return syntax;
}

function describe(el: XmlElement): string {
  return el.ns === '' ? el.name : `{${el.ns}}${el.name}`;
}

// ---- decoding ----

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // A BOM is stripped by the decoder (ignoreBOM defaults to false).
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    throw new FormatError('format.not_utf8', `the file is not UTF-8: invalid byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at line ${line}`, {
      line,
      byteOffset: offset,
    });
  }
}

/** Where the decoder gave up; only run on failure, to point the sender at the byte. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // The second byte's range also excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    const second = bytes[i + 1] ?? 0;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}

function withoutBom(bytes: Uint8Array): Uint8Array {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

// ---- the binary cut ----

const NO_CUTS: ReadonlyMap<number, Cut> = new Map();

/** A binary object replaced by the placeholder. */
interface Cut {
  /** The content as a parser would report it (line ends normalised). */
  readonly original: string;
  /** Whether the content is base64 digits in lines broken by LF only (the shape of nearly every attachment). */
  readonly plain: boolean;
  readonly newlines: number;
  /** How much shorter the content's last line became: later tags on that line get their real column back. */
  readonly columnShift: number;
}

/** The start tag of an element whose local name ends with `BinaryObject`; attribute values may hold `>`. */
const BINARY_START_TAG = /<((?:[^\s<>/:=!?]+:)?[^\s<>/:=!?]*BinaryObject)(?:\s+[^\s<>/=]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*>/y;

/**
 * Replaces the text of every `*BinaryObject` element longer than {@link CUT_THRESHOLD} with the placeholder and
 * as many line breaks, so line numbers hold. A linear scan of the markup, skipping comments, CDATA and processing
 * instructions: running the parser (or the XSD check) over megabytes of base64 is what we want to avoid.
 * The map is keyed by the offset of the cut content in the returned text, which is where the parser's position
 * stands when it reports the element's start tag.
 */
function cutBinaryObjects(text: string): { text: string; cuts: ReadonlyMap<number, Cut> } {
  // The name of every tag cut ends with it: most invoices have no attachment, and one native search spares them the scan.
  if (!text.includes('BinaryObject')) return { text, cuts: NO_CUTS };
  const cuts = new Map<number, Cut>();
  const pieces: string[] = [];
  let copied = 0;
  let cutLength = 0;
  let i = text.indexOf('<');
  while (i !== -1) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', i)) i = skipPast(text, '-->', i + 4);
      else if (text.startsWith('<![CDATA[', i)) i = skipPast(text, ']]>', i + 9);
      else break; // a DOCTYPE: the parser refuses the file, so nothing is worth cutting
    } else if (next === 0x3f /* ? */) {
      i = skipPast(text, '?>', i + 2);
    } else if (next === 0x2f /* / */) {
      i += 2;
    } else {
      BINARY_START_TAG.lastIndex = i;
      const tag = mayBeBinaryObject(text, i) ? BINARY_START_TAG.exec(text) : null;
      if (tag === null) {
        i++;
      } else {
        const start = BINARY_START_TAG.lastIndex;
        const end = text.indexOf('<', start);
        if (end === -1) break;
        const name = tag[1] ?? '';
        if (end - start > CUT_THRESHOLD && closesAt(text, end, name)) {
          const scan = checkBase64(text, start, end, name);
          if (scan !== undefined) {
            const kept = text.slice(copied, start);
            const placeholder = PLACEHOLDER + '\n'.repeat(scan.newlines);
            pieces.push(kept, placeholder);
            cutLength += kept.length;
            const raw = text.slice(start, end);
            cuts.set(cutLength, {
              // Plain content has no CR: no need to scan megabytes for one.
              original: !scan.plain && raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw,
              plain: scan.plain,
              newlines: scan.newlines,
              columnShift: scan.lastLineLength - (scan.newlines > 0 ? 0 : PLACEHOLDER.length),
            });
            cutLength += placeholder.length;
            copied = end;
          }
        }
        i = end;
        continue;
      }
    }
    if (i === -1) break;
    i = text.indexOf('<', i);
  }
  if (copied === 0) return { text, cuts };
  pieces.push(text.slice(copied));
  return { text: pieces.join(''), cuts };
}

/**
 * Whether the start tag at `at` can match {@link BINARY_START_TAG}: its name, up to the first character that ends a
 * name there (`\s`, `<`, `>`, `/`, `=`, `!`, `?`), ends with `BinaryObject`. Most tags are not, and this spares them
 * the expression. A name with a character beyond ASCII is left to the expression, which alone knows what `\s` takes.
 */
function mayBeBinaryObject(text: string, at: number): boolean {
  let end = at + 1;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c >= 0x80) return true;
    if ((c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x3c || c === 0x3e || c === 0x2f || c === 0x3d || c === 0x21 || c === 0x3f) break;
  }
  return end - at > 12 && text.startsWith('BinaryObject', end - 12);
}

function skipPast(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at === -1 ? -1 : at + terminator.length;
}

/** Whether `</name` followed by optional white space and `>` starts at `at`. */
function closesAt(text: string, at: number, name: string): boolean {
  if (!text.startsWith(name, at + 2) || text.charCodeAt(at + 1) !== 0x2f) return false;
  let k = at + 2 + name.length;
  while (isXmlSpace(text.charCodeAt(k))) k++;
  return text.charCodeAt(k) === 0x3e;
}

function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

const BASE64_ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/** Base64 digits in lines broken by LF only, then up to two `=`: the shape of nearly every attachment. */
const PLAIN_BASE64 = /^[A-Za-z0-9+/\n]*=?=?\n*$/;

/** What the base64 check of a binary object found: its line breaks, for the placeholder, and whether it is plain. */
interface Base64Scan {
  readonly newlines: number;
  readonly lastLineLength: number;
  readonly plain: boolean;
}

function checkBase64(text: string, start: number, end: number, element: string): Base64Scan | undefined {
  // A multi-megabyte attachment is checked by the expression, natively, and its line breaks counted with indexOf;
  // anything else (CR, spaces, a character reference, an error to locate) goes through the loop below.
  const content = text.slice(start, end);
  if (!PLAIN_BASE64.test(content)) return checkBase64Slowly(text, start, end, element);
  let newlines = 0;
  let lastBreak = -1;
  for (let at = content.indexOf('\n'); at !== -1; at = content.indexOf('\n', at + 1)) {
    newlines++;
    lastBreak = at;
  }
  const significant = content.length - newlines;
  let bodyEnd = content.length;
  while (bodyEnd > 0 && content.charCodeAt(bodyEnd - 1) === 0x0a) bodyEnd--;
  const padding = content.charCodeAt(bodyEnd - 1) !== 0x3d ? 0 : content.charCodeAt(bodyEnd - 2) === 0x3d ? 2 : 1;
  const lastDigit = content.charCodeAt(bodyEnd - padding - 1);
  if (significant % 4 !== 0 || lastDigit === 0x0a) return checkBase64Slowly(text, start, end, element);
  if ((padding === 2 && !'AQgw'.includes(String.fromCharCode(lastDigit))) || (padding === 1 && !'AEIMQUYcgkosw048'.includes(String.fromCharCode(lastDigit)))) {
    return checkBase64Slowly(text, start, end, element);
  }
  return { newlines, lastLineLength: content.length - lastBreak - 1, plain: true };
}

/**
 * Checks `text[start, end)` against the lexical space of `xs:base64Binary`, which the cut hides from the XSD check:
 * the alphabet, white space anywhere, a length that is a multiple of 4, at most two `=` at the end, and the bits
 * a padded quantum leaves unused set to zero. Returns `undefined` for content with a character reference: that is
 * legal XML, rare, and left to the parser and the XSD check uncut.
 */
function checkBase64Slowly(text: string, start: number, end: number, element: string): Base64Scan | undefined {
  let newlines = 0;
  let lastLineStart = start;
  let digits = 0;
  let padding = 0;
  let lastDigit = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09) continue;
    if (c === 0x0a || c === 0x0d) {
      // CR LF is one line break, as for the parser.
      if (c === 0x0a || text.charCodeAt(i + 1) !== 0x0a) newlines++;
      lastLineStart = i + 1;
      continue;
    }
    if (c === 0x26 /* & */) return undefined;
    if (c === 0x3d /* = */ && padding < 2) {
      padding++;
      continue;
    }
    if (padding > 0 || c >= 128 || BASE64_ALPHABET[c] !== 1) invalidBase64(text, i, element, `unexpected ${JSON.stringify(String.fromCodePoint(text.codePointAt(i) ?? c))}`);
    digits++;
    lastDigit = c;
  }
  if ((digits + padding) % 4 !== 0) invalidBase64(text, end, element, `${digits + padding} characters, not a multiple of 4`);
  const unusedBitsSet =
    (padding === 2 && !'AQgw'.includes(String.fromCharCode(lastDigit))) || (padding === 1 && !'AEIMQUYcgkosw048'.includes(String.fromCharCode(lastDigit)));
  if (unusedBitsSet) invalidBase64(text, end, element, `the last character before the padding must leave the unused bits at zero`);
  return { newlines, lastLineLength: end - lastLineStart, plain: false };
}

function invalidBase64(text: string, offset: number, element: string, found: string): never {
  const { line, column } = positionOf(text, offset);
  throw new FormatError('format.invalid_base64', `${element} at line ${line}, column ${column} is not valid base64: ${found}`, {
    line,
    column,
    element,
    found,
  });
}

/** Line and column of an offset, counted from the start: only for error messages, where a pass is affordable. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: codePoints(text, lineStart, offset) + 1 };
}

function codePoints(text: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--; // the second half of a pair
  }
  return n;
}

// ---- parsing ----

/**
 * The namespace URIs the readers and rules compare with, by themselves: an element's `ns` is then the very string of
 * `NS`, and `el.ns === NS.cac` is decided by identity instead of comparing 70 characters.
 */
const KNOWN_NAMESPACES: ReadonlyMap<string, string> = new Map(Object.values(NS).map((uri) => [uri, uri]));

function parse(text: string, cuts: ReadonlyMap<number, Cut>, maxDepth: number, maxElements: number): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Building[] = [];
  let elements = 0;
  const restored: [Building, Cut][] = [];
  let root: Building | undefined;
  // saxes hands every element of a namespace declaration the same URI string: comparing it with the few already seen
  // is a pointer comparison, cheaper than a map lookup that reads the whole URI. The cache is bounded: a hostile file
  // may declare any number of namespaces.
  const urisSeen: string[] = [];
  const urisInterned: string[] = [];
  const intern = (uri: string): string => {
    for (let i = 0; i < urisSeen.length; i++) if (urisSeen[i] === uri) return urisInterned[i] as string;
    const interned = KNOWN_NAMESPACES.get(uri) ?? uri;
    if (urisSeen.length < 8) {
      urisSeen.push(uri);
      urisInterned.push(interned);
    }
    return interned;
  };
  // Columns after a cut on the same line are shorter by the cut's length; these give them back.
  let shiftLine = 0;
  let shift = 0;
  const realColumn = (line: number, column: number) => (line === shiftLine ? column + shift : column);

  // At most 6 handlers: saxes stores each one with a keyed write, and from the 7th on V8 turns the parser into a
  // dictionary object, which makes every parse about 5 times slower. So saxes errors are caught (it throws them when
  // no handler is set), the declaration is checked at the root, and the start tag is located from `opentag`.
  parser.on('doctype', () => {
    const { line, column } = positionOf(text, text.indexOf('<!DOCTYPE'));
    throw new FormatError('format.doctype_refused', `a DOCTYPE at line ${line} is refused: e-invoices declare no DTD or entities`, { line, column });
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const depth = stack.length;
    const { line, column } = startTagPosition(text, parser, realColumn);
    if (depth >= maxDepth) {
      throw new FormatError('format.too_deep', `<${tag.name}> at line ${line} is nested deeper than ${maxDepth} levels`, { line, column, limit: maxDepth });
    }
    if (++elements > maxElements) {
      throw new FormatError('format.too_many_elements', `<${tag.name}> at line ${line} is element ${elements}: a file has at most ${maxElements}`, { line, column, limit: maxElements });
    }
    const parent = stack[depth - 1];
    if (parent === undefined) checkDeclaredEncoding(parser.xmlDecl.encoding);
    const el: Building = { ns: intern(tag.uri), name: tag.local, attributes: plainAttributes(tag), children: [], text: '', line, column, parent };
    if (parent === undefined) root = el;
    else parent.children.push(el);
    stack.push(el);
    const cut = cuts.size === 0 ? undefined : cuts.get(parser.position);
    if (cut !== undefined) {
      restored.push([el, cut]);
      const endLine = parser.line + cut.newlines;
      shift = endLine === shiftLine ? shift + cut.columnShift : cut.columnShift;
      shiftLine = endLine;
    }
  });
  parser.on('text', (chunk) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += chunk;
  });
  parser.on('cdata', (chunk) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += chunk;
  });
  parser.on('closetag', () => stack.pop());

  try {
    parser.write(text).close();
  } catch (error) {
    // saxes prefixes its own errors with `line:column: `; anything else (ours included) goes through as it is.
    const reason = error instanceof Error && !(error instanceof FormatError) ? /^\d+:\d+: (.*)$/s.exec(error.message)?.[1] : undefined;
    if (reason === undefined) throw error;
    const line = parser.line;
    const column = realColumn(line, parser.column);
    throw new FormatError('format.malformed', `malformed XML at line ${line}, column ${column}: ${reason}`, { line, column, reason });
  }
  if (root === undefined) throw new FormatError('format.malformed', 'the document has no root element', { line: parser.line, column: parser.column });
  for (const [el, cut] of restored) {
    el.text = cut.original;
    if (cut.plain) plainBase64.add(el);
  }
  return root;
}

function checkDeclaredEncoding(encoding: string | undefined): void {
  // libxml2 would honour another declared encoding; both parsers must read the same characters.
  if (encoding !== undefined && encoding.toUpperCase() !== 'UTF-8') {
    throw new FormatError('format.not_utf8', `the file declares the encoding ${encoding}; only UTF-8 is accepted`, { line: 1, found: encoding, expected: 'UTF-8' });
  }
}

/**
 * Line and column of the `<` of the start tag saxes just reported, the parser standing right after its `>`.
 * Attribute values cannot hold a literal `<`, so the nearest one before is ours; each scan covers only this tag
 * (and, when the tag spans lines, the part of its first line before it), so the total stays linear.
 */
function startTagPosition(text: string, parser: SaxesParser, realColumn: (line: number, column: number) => number): { line: number; column: number } {
  const end = parser.position;
  const lt = text.lastIndexOf('<', end - 1);
  const sinceLineStart = parser.columnIndex;
  if (end - lt <= sinceLineStart) {
    // The tag starts on the current line; without astral characters on it, code units are characters.
    const width = parser.column === sinceLineStart ? end - lt : codePoints(text, lt, end);
    return { line: parser.line, column: realColumn(parser.line, parser.column - width + 1) };
  }
  let newlines = 0;
  for (let i = lt; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) newlines++;
  }
  let lineStart = lt;
  while (lineStart > 0 && text.charCodeAt(lineStart - 1) !== 0x0a && text.charCodeAt(lineStart - 1) !== 0x0d) lineStart--;
  const line = parser.line - newlines;
  return { line, column: realColumn(line, codePoints(text, lineStart, lt) + 1) };
}

function plainAttributes(tag: SaxesTagNS): Readonly<Record<string, string>> {
  let attributes: Record<string, string> | undefined;
  // saxes makes `tag.attributes` with `Object.create(null)`: a `for … in` sees its own keys only, and allocates no array.
  for (const key in tag.attributes) {
    const attribute = tag.attributes[key] as SaxesAttributeNS;
    if (attribute.uri === '') (attributes ??= {})[attribute.local] = attribute.value;
  }
  return attributes ?? NO_ATTRIBUTES;
}
