import { NS, type XmlElement } from '../xml';

/** The CII D16B namespaces by the prefixes the standard's documentation (and our writer) uses. */
export const CII_NS = { rsm: NS.rsm, ram: NS.ram, udt: NS.udt, qdt: NS.qdt } as const;

type Prefix = keyof typeof CII_NS;

function matches(el: XmlElement, step: string): boolean {
  const colon = step.indexOf(':');
  return el.name === step.slice(colon + 1) && el.ns === CII_NS[step.slice(0, colon) as Prefix];
}

/** Every element reached by `steps` (`'ram:SellerTradeParty', 'ram:Name'`) below `from`, in document order. */
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

/** The trimmed value of an attribute of `el`. */
export function attr(el: XmlElement | undefined, name: string): string | undefined {
  return el?.attributes[name]?.trim();
}

/** `value` without its `undefined` members, so that absent terms are absent keys (clean for `toEqual` and JSON). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `value` when it has at least one defined member, else `undefined` (an empty group is an absent group). */
export function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  const compacted = compact(value);
  return Object.keys(compacted).length > 0 ? compacted : undefined;
}
