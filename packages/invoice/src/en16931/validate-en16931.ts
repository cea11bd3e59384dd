import type { En16931Document, Finding } from './model';
import { calculationRules } from './rules/calculation';
import { codeListRules } from './rules/code-lists';
import { coreRules } from './rules/core';
import { decimalRules } from './rules/decimals';
import type { RuleSet } from './rules/rule';
import { vatCategoryRules } from './rules/vat-categories';

/** Every rule set, in the order their findings are reported. */
const RULE_SETS: readonly RuleSet[] = [
  coreRules, // BR-01 … BR-65
  calculationRules, // BR-CO-*
  decimalRules, // BR-DEC-*
  vatCategoryRules, // BR-S-*, BR-Z-*, BR-E-*, BR-AE-*, BR-IC-*, BR-G-*, BR-O-*, BR-AF-*, BR-AG-*, BR-B-*
  codeListRules, // BR-CL-*
];

/**
 * The EN 16931 business rules (CEN schematron 1.3.16: BR-*, BR-CO-*, BR-DEC-*, the VAT category rules and the code
 * lists) on the semantic model. Syntax-binding rules (UBL-*, CII-*) are the formats adapter's.
 */
export function validateEn16931(doc: En16931Document): Finding[] {
  return RULE_SETS.flatMap((rules) => rules(doc));
}
