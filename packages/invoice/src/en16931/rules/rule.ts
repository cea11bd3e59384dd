import type { En16931Document, Finding, FindingSeverity } from '../model';

/** The two syntaxes of EN 16931, whose official stylesheets (CEN schematron 1.3.16) test some rules differently. */
export type En16931Syntax = 'ubl' | 'cii';

/** What a rule set needs to know besides the document. */
export interface RuleOptions {
  /** Whose stylesheet a rule follows where the UBL and the CII one differ. */
  readonly syntax: En16931Syntax;
  /**
   * The document was read from a file, whose syntax adapter checks the code lists that depend on how the file writes
   * them (BR-CL-01 by UBL root, BR-CL-06, BR-CL-16 on every payment means): the model-level check leaves them to it.
   */
  readonly codesCheckedOnFile: boolean;
}

/** UBL semantics, every code list on the model: a document built in code. */
export const MODEL_RULE_OPTIONS: RuleOptions = { syntax: 'ubl', codesCheckedOnFile: false };

/** A group of EN 16931 rules: reads the document, returns what it breaks. Pure and synchronous. */
export type RuleSet = (doc: En16931Document, options?: RuleOptions) => Finding[];

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

/**
 * A VAT breakdown entry (BG-23) of category O, L or M in CII: the stylesheet's rules for those categories have the
 * whole `ram:ApplicableTradeTax` as context, with a higher priority than BR-45 … BR-48, BR-CO-03, BR-CO-17, BR-DEC-19
 * and BR-DEC-20, which share it. XSLT applies one template per node, so in CII those never test such an entry.
 */
export function ciiShadowsEntry(options: RuleOptions, category: string | undefined): boolean {
  return options.syntax === 'cii' && (category === 'O' || category === 'L' || category === 'M');
}
