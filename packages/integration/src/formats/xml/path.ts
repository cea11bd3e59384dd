import { definedFields } from '@invoicing/core';
import { attrOf, textOf, type XmlElement } from './xml-reader';

/** Child steps by prefixed name (`'cac:Party'`, `'ram:Name'`) over the reader's tree, with one syntax's prefixes. */
export interface XmlPath {
  /** Every element reached by `steps` (`'cac:Party', 'cbc:Name'`) below `from`, in document order. */
  all(from: XmlElement | undefined, ...steps: string[]): XmlElement[];
  /** The first element reached by `steps`, in document order. */
  at(from: XmlElement | undefined, ...steps: string[]): XmlElement | undefined;
  /** The trimmed text of the first element reached by `steps`; `undefined` when there is none. */
  text(from: XmlElement | undefined, ...steps: string[]): string | undefined;
  /** The trimmed value of an attribute of the first element reached by `steps` (of `from` itself, without steps). */
  attr(from: XmlElement | undefined, name: string, ...steps: string[]): string | undefined;
}

/** A step parsed: the namespace its prefix stands for (`undefined` for an unknown prefix: it matches nothing). */
interface Step {
  readonly ns: string | undefined;
  readonly name: string;
}

/**
 * The child-step functions for a syntax whose prefixes stand for `namespaces` (`{ cac: '…', cbc: '…' }`). Each step
 * string is parsed once and kept: the readers walk the same few hundred steps on every document.
 */
export function xmlPath(namespaces: Readonly<Record<string, string>>): XmlPath {
  const prefixes = new Map(Object.entries(namespaces));
  const parsed = new Map<string, Step>();
  const parse = (step: string): Step => {
    let found = parsed.get(step);
    if (found === undefined) {
      const colon = step.indexOf(':');
      found = { ns: colon < 0 ? undefined : prefixes.get(step.slice(0, colon)), name: step.slice(colon + 1) };
      parsed.set(step, found);
    }
    return found;
  };
  // The name first: it usually differs, and is shorter than a namespace URI.
  const matches = (el: XmlElement, step: Step) => el.name === step.name && el.ns === step.ns;

  /** The first element `steps[i…]` reach below `el`, depth first, which is document order. */
  const first = (el: XmlElement, steps: readonly string[], i: number): XmlElement | undefined => {
    if (i === steps.length) return el;
    const step = parse(steps[i] as string);
    for (const c of el.children) {
      if (!matches(c, step)) continue;
      const found = first(c, steps, i + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const firstOf = (from: XmlElement | undefined, steps: readonly string[]) => (from === undefined ? undefined : first(from, steps, 0));
  return {
    all(from, ...steps) {
      if (from === undefined) return [];
      let level: XmlElement[] = [from];
      for (const s of steps) {
        const step = parse(s);
        const next: XmlElement[] = [];
        for (const el of level) for (const c of el.children) if (matches(c, step)) next.push(c);
        level = next;
      }
      return level;
    },
    at: (from, ...steps) => firstOf(from, steps),
    text: (from, ...steps) => textOf(firstOf(from, steps)),
    attr: (from, name, ...steps) => attrOf(firstOf(from, steps), name),
  };
}

/** `value` when it has at least one defined member, else `undefined` (an empty group is an absent group). */
export function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  const kept = definedFields(value) as T;
  return Object.keys(kept).length > 0 ? kept : undefined;
}
