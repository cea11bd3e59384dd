import type { En16931Document, Finding } from './model';
import { calculationRules } from './rules/calculation';
import { codeListRules } from './rules/code-lists';
import { coreRules } from './rules/core';
import { decimalRules } from './rules/decimals';
import type { En16931Syntax, RuleOptions, RuleSet } from './rules/rule';
import { vatCategoryRules } from './rules/vat-categories';
import { ciiVatCategoryRules } from './rules/vat-categories-cii';

/** Every rule set, in the order their findings are reported. */
const RULE_SETS: readonly RuleSet[] = [
  coreRules, // BR-01 … BR-65
  calculationRules, // BR-CO-*
  decimalRules, // BR-DEC-*
  // BR-S-*, BR-Z-*, BR-E-*, BR-AE-*, BR-IC-*, BR-G-*, BR-O-*, BR-AF-*, BR-AG-*, BR-B-*: the two stylesheets differ most here.
  (doc, options) => (options?.syntax === 'cii' ? ciiVatCategoryRules(doc, options) : vatCategoryRules(doc, options)),
  codeListRules, // BR-CL-*
];

/** How `validateEn16931` reads the document. */
export interface ValidateEn16931Options {
  /**
   * The syntax the document was read from. Where the official UBL and CII stylesheets test a rule differently, the
   * rules follow that syntax's, so that a file gets the answer the official validator gives it. The code lists whose
   * answer depends on how the file writes them (BR-CL-01, BR-CL-06, BR-CL-16) are then left to the syntax adapter,
   * which checks them on the file. Without it: the UBL stylesheet, and those code lists on the model (with either
   * syntax's list where the two differ).
   */
  readonly syntax?: En16931Syntax;
}

/**
 * The EN 16931 business rules (CEN schematron 1.3.16: BR-*, BR-CO-*, BR-DEC-*, the VAT category rules and the code
 * lists) on the semantic model. Syntax-binding rules (UBL-*, CII-*) are the formats adapter's.
 */
export function validateEn16931(doc: En16931Document, options: ValidateEn16931Options = {}): Finding[] {
  const ruleOptions: RuleOptions = { syntax: options.syntax ?? 'ubl', codesCheckedOnFile: options.syntax !== undefined };
  return RULE_SETS.flatMap((rules) => rules(doc, ruleOptions));
}
