import { Money, ValidationError, atPath, collectIssues, decimal, formatDecimal, type CurrencyCode } from '@invoicing/core';
import type { DocumentAllowanceCharge, InvoiceLine } from './invoice-line';
import { vatKey, type VatCategory } from './vat';

/** One entry of the VAT breakdown (BG-23): all amounts of one category and rate. */
export interface VatBreakdown {
  readonly category: VatCategory;
  /** BT-116: line net amounts − document allowances + document charges of this category and rate. */
  readonly taxableAmount: Money;
  /** BT-117: taxable amount × rate ÷ 100, rounded half-up (BR-CO-17). */
  readonly taxAmount: Money;
}

/** Document totals (BG-22), each named after its business term. */
export interface InvoiceTotals {
  /** BT-106, sum of line net amounts (BR-CO-10). */
  readonly lineTotal: Money;
  /** BT-107, sum of document-level allowances (BR-CO-11). */
  readonly allowanceTotal: Money;
  /** BT-108, sum of document-level charges (BR-CO-12). */
  readonly chargeTotal: Money;
  /** BT-109 = BT-106 − BT-107 + BT-108 (BR-CO-13). */
  readonly taxExclusive: Money;
  /** BT-110, sum of the VAT breakdown's tax amounts (BR-CO-14). */
  readonly taxTotal: Money;
  /** BT-112 = BT-109 + BT-110 (BR-CO-15). */
  readonly taxInclusive: Money;
  /** BT-113, paid before the document was issued. */
  readonly prepaid: Money;
  /** BT-114, added to make the amount due a round figure. */
  readonly rounding: Money;
  /** BT-115 = BT-112 − BT-113 + BT-114 (BR-CO-16). */
  readonly amountDue: Money;
}

/** Everything a document's totals depend on. */
export interface TotalsInput {
  readonly currency: CurrencyCode;
  readonly lines: readonly InvoiceLine[];
  readonly allowances: readonly DocumentAllowanceCharge[];
  readonly charges: readonly DocumentAllowanceCharge[];
  readonly prepaid: Money;
  readonly rounding: Money;
}

/**
 * The VAT breakdown, one entry per category and rate in order of first appearance.
 * Tax is computed once per entry on its taxable amount and rounded there (BR-CO-17), never summed from rounded line taxes.
 * An entry has one exemption reason (BT-120) and one reason code (BT-121), from the lines, allowances and charges that
 * give them; see {@link exemptionOf} for several.
 */
export function vatBreakdown(input: Pick<TotalsInput, 'currency' | 'lines' | 'allowances' | 'charges'>): VatBreakdown[] {
  const groups = new Map<string, { category: VatCategory; taxable: Money; reasons: string[]; codes: string[] }>();
  const add = (category: VatCategory, amount: Money): void => {
    const key = vatKey(category);
    const group = groups.get(key) ?? { category, taxable: Money.zero(input.currency), reasons: [], codes: [] };
    if (category.exemptionReason !== undefined && !group.reasons.includes(category.exemptionReason)) group.reasons.push(category.exemptionReason);
    if (category.exemptionReasonCode !== undefined && !group.codes.includes(category.exemptionReasonCode)) group.codes.push(category.exemptionReasonCode);
    group.taxable = group.taxable.add(amount);
    groups.set(key, group);
  };
  for (const line of input.lines) add(line.vat, line.netAmount);
  for (const allowance of input.allowances) add(allowance.vat, allowance.amount.negate());
  for (const charge of input.charges) add(charge.vat, charge.amount);
  return [...groups.values()].map(({ category, taxable, reasons, codes }) => ({
    category: exemptionOf(category, reasons, codes),
    taxableAmount: taxable,
    taxAmount: taxOf(category, taxable),
  }));
}

/** BT-117 as computed: taxable amount × rate ÷ 100, rounded half-up (BR-CO-17); zero without a rate. */
export function taxOf(category: VatCategory, taxable: Money): Money {
  return category.rate === null ? Money.zero(taxable.currency) : taxable.multiply(category.rate.dividedBy(100));
}

/**
 * The VAT amount (BT-117) a credit note states for one of its VAT categories (code and rate) instead of computing it:
 * the rest of what its invoice charged there, taken by the credit note that takes the last of the category's taxable
 * amount (see `closingVat`). Stored with the credit note's content in the ledger (ADR 0024), decimals as text.
 */
export interface ClosingVatInput {
  readonly code: string;
  /** Null for category O, which has no rate. */
  readonly rate: string | null;
  readonly taxAmount: string;
}

/**
 * The breakdown with the VAT amounts a credit note states ({@link ClosingVatInput}) in place of the computed ones. BR-CO-17
 * takes a tax amount within one unit of the currency of the computed one; a closing amount is a few cents off at most.
 * @throws ValidationError `request.is_in` at `closingVat.N` for an entry that names no category of the breakdown;
 * `money.*` at `closingVat.N.taxAmount`
 */
export function withClosingVat(breakdown: readonly VatBreakdown[], closing: readonly ClosingVatInput[]): VatBreakdown[] {
  const stated = new Map<string, Money>();
  const currency = breakdown[0]?.taxableAmount.currency;
  collectIssues((attempt) =>
    closing.forEach((entry, index) =>
      attempt(`closingVat.${index}`, () => {
        const key = `${entry.code}:${entry.rate === null ? '-' : formatDecimal(decimal(entry.rate))}`;
        if (currency === undefined || !breakdown.some((each) => vatKey(each.category) === key)) {
          throw ValidationError.of('', 'request.is_in', `the document has no VAT category ${entry.code} ${entry.rate ?? ''}`.trim());
        }
        stated.set(key, atPath('taxAmount', () => Money.of(entry.taxAmount, currency)));
      }),
    ),
  );
  return breakdown.map((entry) => {
    const taxAmount = stated.get(vatKey(entry.category));
    return taxAmount === undefined ? entry : { ...entry, taxAmount };
  });
}

/** The VAT amounts of the breakdown that are not the computed ones ({@link withClosingVat} made them so). */
export function closingVatOf(breakdown: readonly VatBreakdown[]): ClosingVatInput[] {
  return breakdown
    .filter((entry) => !entry.taxAmount.equals(taxOf(entry.category, entry.taxableAmount)))
    .map(({ category, taxAmount }) => ({ code: category.code, rate: category.rate === null ? null : formatDecimal(category.rate), taxAmount: taxAmount.toString() }));
}

/**
 * The entry's category with its exemption: the reason code the first one that gives a code gives, and the reasons
 * given, each once, in order, joined by "; ", followed by the other codes. Nothing a line gives is lost (review of
 * 6 December 2026: a second reason was dropped), and nothing is refused: a plan's charges, a correction of a bill and an
 * invoice credited in full carry the reasons they were issued with.
 */
function exemptionOf(category: VatCategory, reasons: readonly string[], codes: readonly string[]): VatCategory {
  const { exemptionReason: _reason, exemptionReasonCode: _code, ...rest } = category;
  const [code, ...otherCodes] = codes;
  const text = [...reasons, ...otherCodes].join('; ');
  return { ...rest, ...(text === '' ? {} : { exemptionReason: text }), ...(code === undefined ? {} : { exemptionReasonCode: code }) };
}

/** Computes the document totals from lines, allowances, charges, prepaid and rounding amounts (BR-CO-10 … BR-CO-16). */
export function computeTotals(input: TotalsInput, breakdown: readonly VatBreakdown[] = vatBreakdown(input)): InvoiceTotals {
  const { currency } = input;
  const lineTotal = Money.sum(currency, input.lines.map((line) => line.netAmount));
  const allowanceTotal = Money.sum(currency, input.allowances.map((item) => item.amount));
  const chargeTotal = Money.sum(currency, input.charges.map((item) => item.amount));
  const taxExclusive = lineTotal.subtract(allowanceTotal).add(chargeTotal);
  const taxTotal = Money.sum(currency, breakdown.map((entry) => entry.taxAmount));
  const taxInclusive = taxExclusive.add(taxTotal);
  const amountDue = taxInclusive.subtract(input.prepaid).add(input.rounding);
  return { lineTotal, allowanceTotal, chargeTotal, taxExclusive, taxTotal, taxInclusive, prepaid: input.prepaid, rounding: input.rounding, amountDue };
}
