import { Decimal, ValidationError, atPath, decimal, definedFields, formatDecimal, requiredObject, type DecimalInput } from '@invoicing/core';
import { VATEX } from '../en16931/rules/code-list-values';
import { trimXmlSpace } from '../en16931/rules/code-lists';
import { optionalText } from '../shared/text';

/**
 * VAT category codes of EN 16931 (UNTDID 5305 subset):
 * S standard rate, Z zero rated, E exempt, AE reverse charge, K intra-community supply,
 * G export outside the EU, O not subject to VAT, L Canary Islands (IGIC), M Ceuta and Melilla (IPSI).
 */
export const VAT_CATEGORY_CODES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M'] as const;
export type VatCategoryCode = (typeof VAT_CATEGORY_CODES)[number];

/** The VAT treatment of a line or a document-level allowance/charge. */
export interface VatCategory {
  readonly code: VatCategoryCode;
  /** Percent, e.g. `20` or `5.5`; null for category O, which has no rate. */
  readonly rate: Decimal | null;
  /** Why no VAT is charged (BT-120); required for E, AE, K, G, O, forbidden otherwise. */
  readonly exemptionReason?: string;
  /** VATEX code of the exemption (BT-121), e.g. `VATEX-EU-IC`. */
  readonly exemptionReasonCode?: string;
}

/** What callers pass to describe a VAT category; rates are decimal strings. */
export interface VatCategoryInput {
  readonly code: string;
  readonly rate?: DecimalInput | null;
  readonly exemptionReason?: string;
  readonly exemptionReasonCode?: string;
}

/** Categories that charge no VAT and must say why (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10). */
const NEEDS_REASON: ReadonlySet<VatCategoryCode> = new Set(['E', 'AE', 'K', 'G', 'O']);
/** Categories whose rate is always zero (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05). */
const ZERO_RATE: ReadonlySet<VatCategoryCode> = new Set(['Z', 'E', 'AE', 'K', 'G']);

function isCategoryCode(code: unknown): code is VatCategoryCode {
  return typeof code === 'string' && (VAT_CATEGORY_CODES as readonly string[]).includes(code);
}

/**
 * Checks a VAT category against the EN 16931 rules that concern a single line:
 * S has a positive rate; Z, E, AE, K and G a zero rate; L and M a rate of zero or more; O no rate at all;
 * E, AE, K, G and O need an exemption reason (text or VATEX code); S, Z, L and M must not have one.
 * @throws ValidationError `request.is_object` | `vat.unknown_category` | `vat.rate_required` | `vat.rate_must_be_zero` | `vat.rate_not_allowed` | `vat.rate_must_be_positive` | `vat.exemption_reason_required` | `vat.exemption_reason_not_allowed`
 */
export function vatCategory(input: VatCategoryInput): VatCategory {
  const { code } = requiredObject(input);
  if (!isCategoryCode(code)) {
    throw ValidationError.of('code', 'vat.unknown_category', `${JSON.stringify(code)} is not one of ${VAT_CATEGORY_CODES.join(', ')}`);
  }
  const exemptionReason = optionalText(input.exemptionReason, 'exemptionReason', 1000);
  const exemptionReasonCode = optionalText(input.exemptionReasonCode, 'exemptionReasonCode', 30);
  const hasReason = exemptionReason !== undefined || exemptionReasonCode !== undefined;
  if (NEEDS_REASON.has(code) && !hasReason) {
    throw ValidationError.of('exemptionReason', 'vat.exemption_reason_required', `category ${code} needs an exemption reason or reason code`);
  }
  if (!NEEDS_REASON.has(code) && hasReason) {
    throw ValidationError.of('exemptionReason', 'vat.exemption_reason_not_allowed', `category ${code} must not have an exemption reason`);
  }
  const rate = rateFor(code, input.rate);
  return {
    code,
    rate,
    ...definedFields({ exemptionReason, exemptionReasonCode }),
  };
}

/**
 * Whether EN 16931 takes `code` as a VATEX code (BT-121): the list and the comparison of the validator's BR-CL-22,
 * which upper-cases the code, so that a draft and its e-invoice never disagree.
 */
export function isVatexCode(code: string): boolean {
  return VATEX.has(trimXmlSpace(code).toUpperCase());
}

/**
 * A VAT category an invoice or credit note states (a line's, a document allowance's or charge's): {@link vatCategory},
 * with its exemption reason code in the CEF VATEX list, or the document's e-invoice could never be handed out (BR-CL-22).
 * Other callers ({@link vatCategory}) also read categories stored before the code was checked.
 * @throws ValidationError as {@link vatCategory} | `vat.unknown_exemption_code`
 */
export function invoicedVatCategory(input: VatCategoryInput): VatCategory {
  const category = vatCategory(input);
  const code = category.exemptionReasonCode;
  if (code !== undefined && !isVatexCode(code)) {
    throw ValidationError.of('exemptionReasonCode', 'vat.unknown_exemption_code', `${JSON.stringify(code)} is not a CEF VATEX code, such as "VATEX-EU-IC" (BR-CL-22)`);
  }
  return category;
}

function rateFor(code: VatCategoryCode, given: DecimalInput | null | undefined): Decimal | null {
  if (code === 'O') {
    if (given !== undefined && given !== null) throw ValidationError.of('rate', 'vat.rate_not_allowed', 'category O (not subject to VAT) has no rate');
    return null;
  }
  if (given === undefined || given === null) {
    if (ZERO_RATE.has(code)) return new Decimal(0);
    throw ValidationError.of('rate', 'vat.rate_required', `category ${code} needs a rate`);
  }
  const rate = atPath('rate', () => decimal(given));
  // Compared with 0 rather than isNegative/isPositive: decimal.js gives zero a sign, so 0 is "positive" and -0 "negative".
  if (rate.lessThan(0) || rate.greaterThan(100)) throw ValidationError.of('rate', 'vat.rate_out_of_range', 'a VAT rate is a percent from 0 to 100');
  if (ZERO_RATE.has(code) && !rate.isZero()) throw ValidationError.of('rate', 'vat.rate_must_be_zero', `category ${code} has a rate of 0`);
  if (code === 'S' && !rate.greaterThan(0)) throw ValidationError.of('rate', 'vat.rate_must_be_positive', 'category S has a rate above 0');
  return rate;
}

/** Key that groups amounts into one VAT breakdown entry: same category, same rate (one breakdown entry per category and rate). */
export function vatKey(category: VatCategory): string {
  return `${category.code}:${category.rate === null ? '-' : formatDecimal(category.rate)}`;
}

/** The JSON-safe form of a VAT category (rates as strings). */
export function vatCategoryToInput(category: VatCategory): VatCategoryInput {
  return {
    code: category.code,
    rate: category.rate === null ? null : formatDecimal(category.rate),
    ...definedFields({ exemptionReason: category.exemptionReason, exemptionReasonCode: category.exemptionReasonCode }),
  };
}
