import type { XmlElement } from '../xml';

/** The UBL 2.1 namespaces, by the prefixes the standard's documentation uses. */
export const UBL_NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
} as const;

function matches(el: XmlElement, step: string): boolean {
  const colon = step.indexOf(':');
  const ns = step.startsWith('cac:') ? UBL_NS.cac : step.startsWith('cbc:') ? UBL_NS.cbc : undefined;
  return el.name === step.slice(colon + 1) && el.ns === ns;
}

/** Every element reached by `steps` (`'cac:Party', 'cbc:Name'`) below `from`, in document order. */
export function all(from: XmlElement | undefined, ...steps: string[]): XmlElement[] {
  let level: XmlElement[] = from ? [from] : [];
  for (const step of steps) level = level.flatMap((el) => el.children.filter((c) => matches(c, step)));
  return level;
}

/** The first element reached by `steps`. */
export function at(from: XmlElement | undefined, ...steps: string[]): XmlElement | undefined {
  return all(from, ...steps)[0];
}

/** The trimmed text of the first element reached by `steps`; `undefined` when there is none. */
export function text(from: XmlElement | undefined, ...steps: string[]): string | undefined {
  return at(from, ...steps)?.text.trim();
}

/** An attribute of the first element reached by `steps`. */
export function attr(from: XmlElement | undefined, name: string, ...steps: string[]): string | undefined {
  return at(from, ...steps)?.attributes[name]?.trim();
}

/** `value` without its `undefined` members, so that absent terms are absent keys (clean for `toEqual` and JSON). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `value` when it has at least one defined member, else `undefined` (an empty group is an absent group). */
export function nonEmpty<T extends object>(value: T): T | undefined {
  const compacted = compact(value);
  return Object.keys(compacted).length > 0 ? compacted : undefined;
}
