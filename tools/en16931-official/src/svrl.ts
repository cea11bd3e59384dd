/**
 * The two bits of XML reading the oracle needs, kept small on purpose (no XML library in the workspace yet, and the
 * choice of one belongs to issue 14's ADR): which syntax a document claims by its root element, and the findings of
 * an SVRL report, whose shape the official XSLT fixes.
 */
import type { OfficialSyntax } from './provision';

/** One assertion of the official schematron that a document fails. */
export interface OfficialFinding {
  /** The rule id, e.g. `BR-02`, `BR-CL-04`, `BR-CO-10`, `UBL-SR-12`. */
  readonly id: string;
  /** `fatal` or `warning` in EN 16931 1.3.16; kept as written should another flag appear. */
  readonly flag: 'fatal' | 'warning' | (string & {});
  /** XPath of the context node the rule fired on, as the XSLT writes it. */
  readonly location: string;
  /** The rule's message, whitespace collapsed. */
  readonly text: string;
}

const NAMESPACES: Record<string, { root: string; syntax: OfficialSyntax }> = {
  'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2': { root: 'Invoice', syntax: 'ubl-invoice' },
  'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2': { root: 'CreditNote', syntax: 'ubl-creditnote' },
  'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100': { root: 'CrossIndustryInvoice', syntax: 'cii' },
};

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces XML's predefined entities and character references. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of tag.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    found.set(match[1] as string, decodeXmlText(match[2] ?? match[3] ?? ''));
  }
  return found;
}

/**
 * The syntax a document claims: its root element's local name and namespace (UBL Invoice, UBL CreditNote or CII
 * CrossIndustryInvoice), or undefined for anything else. Skips the XML declaration, comments, processing
 * instructions and a DOCTYPE without internal subset.
 */
export function detectSyntax(xml: string | Buffer): OfficialSyntax | undefined {
  // The root's start tag is near the top; latin1 keeps byte offsets and reads every ASCII name right.
  const head = typeof xml === 'string' ? xml.slice(0, 64 * 1024) : xml.subarray(0, 64 * 1024).toString('latin1');
  const prolog = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*>)*<([\w.-]+(?::[\w.-]+)?)([^>]*)>/.exec(head);
  if (!prolog) return undefined;
  const [prefix, local] = (prolog[1] as string).includes(':') ? (prolog[1] as string).split(':') : [undefined, prolog[1] as string];
  const namespace = attributes(prolog[2] as string).get(prefix ? `xmlns:${prefix}` : 'xmlns');
  const known = namespace ? NAMESPACES[namespace] : undefined;
  return known && known.root === local ? known.syntax : undefined;
}

/**
 * The failed assertions (and successful reports, which EN 16931 does not use but SVRL allows) of an SVRL document,
 * in document order. The namespace prefix is not assumed to be `svrl`.
 */
export function parseSvrl(svrl: string): OfficialFinding[] {
  const findings: OfficialFinding[] = [];
  const element = /<(?:[\w.-]+:)?(failed-assert|successful-report)\b([^>]*?)(\/>|>([\s\S]*?)<\/(?:[\w.-]+:)?\1\s*>)/g;
  for (const match of svrl.matchAll(element)) {
    const attrs = attributes(match[2] as string);
    const textElement = /<(?:[\w.-]+:)?text\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?text\s*>/.exec(match[4] ?? '');
    findings.push({
      id: attrs.get('id') ?? '',
      flag: attrs.get('flag') ?? '',
      location: attrs.get('location') ?? '',
      text: decodeXmlText((textElement?.[1] ?? '').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim(),
    });
  }
  return findings;
}
