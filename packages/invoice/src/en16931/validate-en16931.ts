import type { En16931Document, Finding } from './model';
import type { RuleSet } from './rules/rule';

/** Every rule set, in the order their findings are reported. */
const RULE_SETS: readonly RuleSet[] = [];

/**
 * The EN 16931 business rules (CEN schematron 1.3.16: BR-*, BR-CO-*, BR-DEC-*, the VAT category rules and the code
 * lists) on the semantic model. Syntax-binding rules (UBL-*, CII-*) are the formats adapter's.
 */
export function validateEn16931(doc: En16931Document): Finding[] {
  return RULE_SETS.flatMap((rules) => rules(doc));
}
