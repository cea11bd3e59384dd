/**
 * The credit of an ended plan's last bill, split over the invoices that charged its items (ADR 0030): no later bill of
 * the plan would carry it, so it is credited where it was charged.
 */
import { Money, type CalendarDate } from '@invoicing/core';
import type { InvoiceId, VatCategoryInput } from '@invoicing/invoice';
import type { BillCreditNote, BillLine, BillState } from './bill';

/**
 * The last bill of an ended plan that comes to a credit, with the credit notes it is made into: each of its credit
 * lines on a credit note of the invoice of the latest earlier bill that charged its item (split over earlier ones when
 * that one charged less), and each of its document charges (the discount the credited days had, given back) on the
 * credit note that credits most of those days in its VAT category. Its other lines and its discounts stay for its own
 * invoice.
 *
 * Undefined when the credit cannot be placed so: a credit line for more than the earlier bills charged for its item
 * less what earlier credit notes took back, a discount given back with no credited days of its period and category
 * on any of the credit notes, or a discount with no charge left for the invoice. The bill then stays due as before
 * (`billing.credit_pending`).
 *
 * @param earlier the partnership's bills before it, in its currency (`BillState.creditNotes` of theirs count as taken)
 */
export function withCreditNotes(bill: BillState, earlier: readonly BillState[], newId: () => InvoiceId): BillState | undefined {
  const credits = bill.lines.filter((line) => line.amount.isNegative());
  const discounted = bill.allowances.some((each) => each.side === 'allowance');
  if (credits.length === 0 || (discounted && credits.length === bill.lines.length)) return undefined;
  const left = chargedLeft(earlier);
  // The latest bill first: the unused time of a fee was charged by the bill of its period, the latest to charge it.
  const sources = earlier.filter((each) => each.status !== 'empty' && each.key !== bill.key).sort((one, other) => order(other) - order(one) || (other.billingDate > one.billingDate ? 1 : -1));
  const notes = new Map<InvoiceId, { lines: { lineId: string; amount: Money }[]; allowances: number[] }>();
  for (const line of credits) {
    let rest = line.amount.negate();
    for (const source of sources) {
      if (!rest.isPositive()) break;
      const key = itemKey(source, line.computation.item);
      const available = left.get(key);
      if (available === undefined || !available.isPositive()) continue;
      const part = rest.min(available);
      left.set(key, available.subtract(part));
      rest = rest.subtract(part);
      noteOf(notes, source.invoiceId).lines.push({ lineId: line.line.id, amount: part });
    }
    if (rest.isPositive()) return undefined;
  }
  for (const [index, given] of bill.allowances.entries()) {
    if (given.side !== 'charge') continue;
    const target = creditNoteOfDays(notes, bill, given.periodStart, given.allowance.vat);
    if (target === undefined) return undefined;
    target.allowances.push(index);
  }
  const creditNotes: BillCreditNote[] = [...notes].map(([invoiceId, note]) => ({ invoiceId, creditNoteId: newId(), lines: note.lines, allowances: note.allowances }));
  return { ...bill, creditNotes };
}

/** The bill's lines and document allowances or charges its own invoice carries: those none of its credit notes does. */
export function invoicedPart(bill: BillState): Pick<BillState, 'lines' | 'allowances'> {
  const notes = bill.creditNotes ?? [];
  const lineIds = new Set(notes.flatMap((note) => note.lines.map((each) => each.lineId)));
  const taken = new Set(notes.flatMap((note) => note.allowances));
  return { lines: bill.lines.filter((line) => !lineIds.has(line.line.id)), allowances: bill.allowances.filter((_, index) => !taken.has(index)) };
}

/**
 * What each earlier bill charged per item (its lines of positive amount), less what earlier credit notes took back of
 * it on that bill's invoice.
 */
function chargedLeft(earlier: readonly BillState[]): Map<string, Money> {
  const left = new Map<string, Money>();
  for (const bill of earlier) {
    for (const line of bill.lines) {
      if (!line.amount.isPositive()) continue;
      const key = itemKey(bill, line.computation.item);
      left.set(key, (left.get(key) ?? Money.zero(bill.currency)).add(line.amount));
    }
  }
  const byInvoice = new Map(earlier.map((bill) => [bill.invoiceId, bill]));
  for (const bill of earlier) {
    for (const note of bill.creditNotes ?? []) {
      const source = byInvoice.get(note.invoiceId);
      if (source === undefined) continue;
      for (const part of note.lines) {
        const line = bill.lines.find((each) => each.line.id === part.lineId);
        if (line === undefined) continue;
        const key = itemKey(source, line.computation.item);
        left.set(key, (left.get(key) ?? Money.zero(bill.currency)).subtract(part.amount));
      }
    }
  }
  return left;
}

/**
 * The credit note that credits most of the days of `periodStart` in a VAT category: where a discount those days had
 * is given back.
 */
function creditNoteOfDays(
  notes: Map<InvoiceId, { lines: { lineId: string; amount: Money }[]; allowances: number[] }>,
  bill: BillState,
  periodStart: CalendarDate | undefined,
  vat: VatCategoryInput,
): { lines: { lineId: string; amount: Money }[]; allowances: number[] } | undefined {
  let best: { note: { lines: { lineId: string; amount: Money }[]; allowances: number[] }; credit: Money } | undefined;
  for (const note of notes.values()) {
    const lines = note.lines.filter((part) => {
      const line = bill.lines.find((each) => each.line.id === part.lineId) as BillLine;
      return (periodStart === undefined || line.computation.period?.start === periodStart) && sameVat(line.line.vat, vat);
    });
    const credit = Money.sum(bill.currency, lines.map((part) => part.amount));
    if (credit.isPositive() && (best === undefined || credit.greaterThan(best.credit))) best = { note, credit };
  }
  return best?.note;
}

function sameVat(one: VatCategoryInput, other: VatCategoryInput): boolean {
  const rate = (vat: VatCategoryInput) => (vat.rate === undefined || vat.rate === null ? null : Number(vat.rate.toString()));
  return one.code === other.code && rate(one) === rate(other);
}

function noteOf(notes: Map<InvoiceId, { lines: { lineId: string; amount: Money }[]; allowances: number[] }>, invoiceId: InvoiceId) {
  let note = notes.get(invoiceId);
  if (note === undefined) {
    note = { lines: [], allowances: [] };
    notes.set(invoiceId, note);
  }
  return note;
}

function itemKey(bill: BillState, item: string): string {
  return `${bill.key}|${item}`;
}

/** A bill's place among its partnership's bills: its position, else its date (bills recorded before positions). */
function order(bill: BillState): number {
  return bill.position ?? 0;
}
