import type { Finding, FindingSeverity } from '../model';

/** A group of EN 16931 rules: reads the document, returns what it breaks. Pure and synchronous. */
export type RuleSet = (doc: import('../model').En16931Document) => Finding[];

/** One finding of `rule` at `pointer` (semantic path, e.g. `lines[2].netAmount`) about business term `term`. */
export function finding(rule: string, message: string, term?: string, pointer?: string, severity: FindingSeverity = 'fatal'): Finding {
  return {
    rule,
    severity,
    message,
    ...(term === undefined ? {} : { term }),
    ...(pointer === undefined ? {} : { pointer }),
  };
}
