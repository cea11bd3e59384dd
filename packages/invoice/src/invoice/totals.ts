import { Money, ValidationError, formatDecimal, type CurrencyCode, type ValidationIssue } from '@invoicing/core';
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
 * An entry has one exemption reason (BT-120) and one reason code (BT-121): each is taken from the lines, allowances and
 * charges that give it, and all that give it must give the same.
 * @throws ValidationError `vat.exemption_reason_conflict`, under the path of each line, allowance or charge that differs
 */
export function vatBreakdown(input: Pick<TotalsInput, 'currency' | 'lines' | 'allowances' | 'charges'>): VatBreakdown[] {
  const groups = new Map<string, { category: VatCategory; taxable: Money }>();
  const issues: ValidationIssue[] = [];
  const add = (path: string, category: VatCategory, amount: Money): void => {
    const key = vatKey(category);
    const group = groups.get(key) ?? { category, taxable: Money.zero(input.currency) };
    group.category = withReasonOf(group.category, category, `${path}.vat`, issues);
    group.taxable = group.taxable.add(amount);
    groups.set(key, group);
  };
  input.lines.forEach((line, index) => add(`lines.${index}`, line.vat, line.netAmount));
  input.allowances.forEach((allowance, index) => add(`allowances.${index}`, allowance.vat, allowance.amount.negate()));
  input.charges.forEach((charge, index) => add(`charges.${index}`, charge.vat, charge.amount));
  if (issues.length > 0) throw new ValidationError(issues);
  return [...groups.values()].map(({ category, taxable }) => ({
    category,
    taxableAmount: taxable,
    taxAmount: category.rate === null ? Money.zero(input.currency) : taxable.multiply(category.rate.dividedBy(100)),
  }));
}

/**
 * The entry's category with the reason and code `next` gives where the entry has none yet. A different one would be
 * lost, since an entry shows one: it is reported under `path` instead. Reasons are compared as stored (trimmed).
 */
function withReasonOf(entry: VatCategory, next: VatCategory, path: string, issues: ValidationIssue[]): VatCategory {
  const fields = [
    ['exemptionReason', 'exemption reason'],
    ['exemptionReasonCode', 'exemption reason code'],
  ] as const;
  let merged = entry;
  for (const [field, name] of fields) {
    const [kept, given] = [entry[field], next[field]];
    if (given === undefined || given === kept) continue;
    if (kept === undefined) {
      merged = { ...merged, [field]: given };
    } else {
      issues.push({
        path: `${path}.${field}`,
        code: 'vat.exemption_reason_conflict',
        message: `${name} ${JSON.stringify(given)} differs from ${JSON.stringify(kept)}, given before in category ${entry.code}${entry.rate === null ? '' : ` at ${formatDecimal(entry.rate)} %`}: one VAT breakdown entry per category and rate has one ${name}`,
      });
    }
  }
  return merged;
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
