import { FormatError } from './format-error';

/** Attributes of an element; those whose value is `undefined` are not written. */
export type XmlAttributes = Readonly<Record<string, string | undefined>>;

const INDENTS: string[] = [];
function indent(depth: number): string {
  return (INDENTS[depth] ??= '\n' + '  '.repeat(depth));
}

/**
 * Writes an e-invoice as indented UTF-8 XML (ADR 0014): strings pushed to an array and joined once, every value
 * escaped, and any character XML 1.0 forbids refused rather than written, since no reader could parse the file.
 *
 * @example
 * const xml = new XmlWriter('Invoice', { '': NS.ublInvoice, cbc: NS.cbc });
 * xml.leaf('cbc:ID', 'INV-1');
 * xml.leaf('cbc:Note', undefined); // skipped
 * const bytes = xml.toBuffer();
 */
export class XmlWriter {
  private readonly parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  /** Names of the open elements, and whether each has children yet (to write `<a/>` when it has none). */
  private readonly stack: { name: string; empty: boolean }[] = [];

  /** Opens the root; `namespaces` maps each prefix (`''` for the default namespace) to its URI. */
  constructor(rootName: string, namespaces: Readonly<Record<string, string>>) {
    const declarations: Record<string, string> = {};
    for (const [prefix, uri] of Object.entries(namespaces)) declarations[prefix === '' ? 'xmlns' : `xmlns:${prefix}`] = uri;
    this.parts.push('<', rootName, this.attributes(rootName, declarations), '>');
    this.stack.push({ name: rootName, empty: true });
  }

  /** Opens a child of the current element; close it with {@link close}. */
  open(name: string, attributes?: XmlAttributes): this {
    this.startChild();
    this.parts.push(indent(this.stack.length), '<', name, this.attributes(name, attributes), '>');
    this.stack.push({ name, empty: true });
    return this;
  }

  /** Closes the element {@link open} opened last. */
  close(): this {
    const element = this.stack.pop();
    if (element === undefined) throw new Error('XmlWriter: close() without an open element');
    if (element.empty) this.parts[this.parts.length - 1] = '/>'; // replaces the start tag's '>'
    else this.parts.push(indent(this.stack.length), '</', element.name, '>');
    return this;
  }

  /** Writes `<name>text</name>` on one line; writes nothing at all when `text` is `undefined`. */
  leaf(name: string, text: string | undefined, attributes?: XmlAttributes): this {
    if (text === undefined) return this;
    this.startChild();
    this.parts.push(indent(this.stack.length), '<', name, this.attributes(name, attributes), '>', escape(text, false, name), '</', name, '>');
    return this;
  }

  /** Closes the root and returns the document; every other element must have been closed. */
  toBuffer(): Buffer {
    if (this.stack.length > 1) throw new Error(`XmlWriter: <${this.stack[this.stack.length - 1]?.name ?? ''}> is still open`);
    if (this.stack.length === 1) {
      this.close();
      this.parts.push('\n');
    }
    return Buffer.from(this.parts.join(''), 'utf8');
  }

  private startChild(): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) throw new Error('XmlWriter: the root is closed already');
    parent.empty = false;
  }

  private attributes(element: string, attributes: XmlAttributes | undefined): string {
    if (attributes === undefined) return '';
    let out = '';
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== undefined) out += ` ${name}="${escape(value, true, element, name)}"`;
    }
    return out;
  }
}

const ENTITIES: Readonly<Record<number, string>> = { 0x26: '&amp;', 0x3c: '&lt;', 0x3e: '&gt;', 0x22: '&quot;' };

/**
 * Escapes `& < > "`, and CR everywhere (a reader turns a literal one into LF); tab and LF too in attributes, where a
 * reader would turn them into spaces. Throws on a character XML 1.0 forbids.
 */
function escape(value: string, inAttribute: boolean, element: string, attribute?: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let replacement: string | undefined;
    if (c < 0x20) {
      if (c === 0x0d) replacement = '&#13;';
      else if (c === 0x09) replacement = inAttribute ? '&#9;' : undefined;
      else if (c === 0x0a) replacement = inAttribute ? '&#10;' : undefined;
      else forbidden(value, i, element, attribute);
    } else if (c === 0x26 || c === 0x3c || c === 0x3e || c === 0x22) {
      replacement = ENTITIES[c];
    } else if (c >= 0xd800) {
      if (c <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++; // a valid pair
      else if (c <= 0xdfff || c === 0xfffe || c === 0xffff) forbidden(value, i, element, attribute);
    }
    if (replacement !== undefined) {
      out += value.slice(copied, i) + replacement;
      copied = i + 1;
    }
  }
  return copied === 0 ? value : out + value.slice(copied);
}

function forbidden(value: string, index: number, element: string, attribute: string | undefined): never {
  const codePoint = `U+${value.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
  const where = attribute === undefined ? `<${element}>` : `the attribute ${attribute} of <${element}>`;
  throw new FormatError('format.invalid_character', `${where} contains ${codePoint}, a character XML 1.0 does not allow`, {
    element,
    ...(attribute === undefined ? {} : { attribute }),
    codePoint,
    index,
  });
}
