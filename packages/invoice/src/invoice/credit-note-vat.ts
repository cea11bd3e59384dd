/**
 * What the credit notes of an invoice take back in each of its VAT categories (code and rate): together, never more
 * taxable amount or VAT than the invoice charged there, and, once they took all of a category's taxable amount,
 * exactly its VAT (audit of credit notes, C1 and C2).
 */
import { DomainError, Money, formatDecimal } from '@invoicing/core';
import type { InvoiceId } from '../shared/ids';
import type { InvoiceState } from './invoice';
import type { InvoiceLineInput } from './invoice-line';
import type { ClosingVatInput, VatBreakdown } from './totals';
import { vatCategoryToInput, vatKey, type VatCategory, type VatCategoryInput } from './vat';

/** The taxable amount (BT-116) and VAT (BT-117) of one VAT category, summed over one document or several. */
export interface CategoryAmounts {
  readonly category: VatCategory;
  readonly taxable: Money;
  readonly tax: Money;
}

/** Amounts by category ({@link vatKey}: code and rate), in order of first appearance. */
export type AmountsByCategory = ReadonlyMap<string, CategoryAmounts>;

/** The breakdowns' amounts, summed per category. */
export function amountsByCategory(breakdowns: readonly (readonly VatBreakdown[])[]): AmountsByCategory {
  const sums = new Map<string, CategoryAmounts>();
  for (const entry of breakdowns.flat()) {
    const key = vatKey(entry.category);
    const sum = sums.get(key);
    sums.set(key, {
      category: sum?.category ?? entry.category,
      taxable: sum ? sum.taxable.add(entry.taxableAmount) : entry.taxableAmount,
      tax: sum ? sum.tax.add(entry.taxAmount) : entry.taxAmount,
    });
  }
  return sums;
}

/**
 * The VAT a credit note takes in the categories it closes: where its taxable amount, with what the invoice's other
 * credit notes took, comes to all the invoice charged there, it takes the rest of the invoice's VAT rather than its
 * own rounded VAT. A category's credits then add up to its VAT to the cent, and nothing is left that no credit note
 * could take back (3 × 0.10 at 15 % comes to 0.35; credited line by line, 0.12, 0.12 and 0.11, not 0.12 three times).
 * `note`: the credit note's breakdown as computed.
 */
export function closingVat(invoiced: AmountsByCategory, credited: AmountsByCategory, note: readonly VatBreakdown[]): ClosingVatInput[] {
  return note.flatMap((entry) => {
    const key = vatKey(entry.category);
    const charged = invoiced.get(key);
    const before = credited.get(key);
    if (!charged || !entry.taxableAmount.add(before?.taxable ?? zeroOf(entry)).equals(charged.taxable)) return [];
    const rest = charged.tax.subtract(before?.tax ?? zeroOf(entry));
    return rest.equals(entry.taxAmount) ? [] : [{ code: entry.category.code, rate: rateOf(entry.category), taxAmount: rest.toString() }];
  });
}

/**
 * Checks that the credit note, with the invoice's other credit notes, takes back in each of its categories between
 * nothing and what the invoice charged there, in taxable amount and in VAT: no more than was charged, and nothing
 * charged through a credit note.
 * @throws DomainError `invoice.credit_exceeds_vat_category` for the first category it goes past, or that the invoice
 * does not have; `details.remaining` is what is left to credit there
 */
export function assertWithinInvoiced(invoiceId: InvoiceId, invoiced: AmountsByCategory, credited: AmountsByCategory, note: readonly VatBreakdown[]): void {
  for (const entry of note) {
    const key = vatKey(entry.category);
    const charged = invoiced.get(key);
    const zero = zeroOf(entry);
    const before = credited.get(key);
    if (charged && between(entry.taxableAmount.add(before?.taxable ?? zero), charged.taxable) && between(entry.taxAmount.add(before?.tax ?? zero), charged.tax)) continue;
    const remaining = { taxableAmount: (charged?.taxable ?? zero).subtract(before?.taxable ?? zero), taxAmount: (charged?.tax ?? zero).subtract(before?.tax ?? zero) };
    const named = `VAT category ${entry.category.code}${entry.category.rate === null ? '' : ` ${formatDecimal(entry.category.rate)} %`}`;
    throw new DomainError(
      'invoice.credit_exceeds_vat_category',
      charged
        ? `the credit note takes back ${entry.taxableAmount.toString()} and VAT ${entry.taxAmount.toString()} in ${named}, where the invoice has ${remaining.taxableAmount.toString()} and VAT ${remaining.taxAmount.toString()} left to credit`
        : `the invoice has no ${named}: a credit note takes back only what the invoice charged`,
      {
        invoiceId,
        category: { code: entry.category.code, rate: rateOf(entry.category) },
        remaining: { taxableAmount: remaining.taxableAmount.toJSON(), taxAmount: remaining.taxAmount.toJSON() },
        requested: { taxableAmount: entry.taxableAmount.toJSON(), taxAmount: entry.taxAmount.toJSON() },
      },
    );
  }
}

/**
 * The lines of a credit note that takes back what the invoice's other credit notes left: one per category with
 * something left, its taxable amount as the price (a quantity of −1 when it is negative), in the category of the
 * invoice's first line, allowance or charge in it (its exemption reason with it). The credit note then closes each
 * category ({@link closingVat}). With nothing left in any category, one line of nothing carries the invoice's rounding
 * amount.
 */
export function remainderLines(invoice: InvoiceState, invoiced: AmountsByCategory, credited: AmountsByCategory): InvoiceLineInput[] {
  const categories = new Map<string, VatCategoryInput>();
  for (const { vat } of [...invoice.lines, ...invoice.allowances, ...invoice.charges]) if (!categories.has(vatKey(vat))) categories.set(vatKey(vat), vatCategoryToInput(vat));
  const name = `Remainder of invoice ${invoice.number ?? invoice.id}`;
  const line = (key: string, category: VatCategory, taxable: Money): InvoiceLineInput => ({
    name,
    quantity: taxable.isNegative() ? '-1' : '1',
    unitCode: 'C62',
    netPrice: taxable.abs().toString(),
    vat: categories.get(key) ?? vatCategoryToInput(category),
  });
  const lines = [...invoiced].flatMap(([key, charged]) => {
    const before = credited.get(key);
    const taxable = charged.taxable.subtract(before?.taxable ?? zeroOf(charged));
    const tax = charged.tax.subtract(before?.tax ?? zeroOf(charged));
    return taxable.isZero() && tax.isZero() ? [] : [line(key, charged.category, taxable)];
  });
  const [first] = invoiced;
  return lines.length > 0 || !first ? lines : [line(first[0], first[1].category, zeroOf(first[1]))];
}

/** Whether `value` lies between zero and `bound`, both included, whatever the sign of `bound`. */
function between(value: Money, bound: Money): boolean {
  const zero = Money.zero(value.currency);
  return !value.lessThan(bound.min(zero)) && !value.greaterThan(bound.max(zero));
}

function zeroOf(entry: VatBreakdown | CategoryAmounts): Money {
  return Money.zero('taxableAmount' in entry ? entry.taxableAmount.currency : entry.taxable.currency);
}

function rateOf(category: VatCategory): string | null {
  return category.rate === null ? null : formatDecimal(category.rate);
}
