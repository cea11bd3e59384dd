/**
 * The credit of an ended plan's last bill, split over the invoices earlier bills made (ADR 0030): no later bill of the
 * plan would carry it, so it is credited where it was charged.
 */
import { Money, type CalendarDate } from '@invoicing/core';
import { vatCategory, vatKey, type InvoiceId, type VatCategoryInput } from '@invoicing/invoice';
import type { BillCreditNote, BillLine, BillState } from './bill';

/**
 * The invoice an earlier bill made, as it is when the last bill is worked out: what it can still be credited depends
 * on it, not on the bill alone.
 */
export interface SourceInvoice {
  /** Issued (whatever its payments), a draft, void, or not found (a draft deleted). */
  readonly state: 'issued' | 'draft' | 'void' | 'missing';
  /** Its lines' net amounts, by line id. */
  readonly lineAmounts: ReadonlyMap<string, Money>;
  /** Its taxable amount per VAT category ({@link vatKey}). */
  readonly taxable: ReadonlyMap<string, Money>;
  /** The credit notes credited to it. */
  readonly creditNoteIds: readonly InvoiceId[];
}

/** How the credit of an ended plan's last bill can be made. */
export type FinalCredit =
  | { readonly kind: 'credit_notes'; readonly bill: BillState }
  /** An invoice that charged a credited item is a draft: nothing is decided until it is issued. */
  | { readonly kind: 'awaits_issue'; readonly invoiceId: InvoiceId }
  /** No credit notes can carry it: why. */
  | { readonly kind: 'unplaced'; readonly reason: string };

type Note = { lines: { lineId: string; amount: Money }[]; allowances: number[] };

/**
 * The last bill of an ended plan that comes to a credit, with the credit notes it is made into. Each credit line goes
 * on credit notes of the invoices of the latest earlier bills that charged its item, as much as each charged of it
 * and can still be credited in its VAT category; what is left of it, on the latest invoices that can still be
 * credited in that category. A document charge of the bill (a discount given back for credited days) goes on the
 * credit note that credits most of those days in its category. The bill's other lines and its discounts stay for its
 * own invoice.
 *
 * An invoice is used as billing made it only: one edited before it was issued, or credited by a credit note billing
 * did not make, takes nothing, and when it charged a credited item the credit is not placed at all (what the edit or
 * credit note took back of it is not known to billing). A void or deleted one still takes its part, whose credit note
 * is then skipped: voiding took back all it charged.
 *
 * @param earlier the partnership's bills before it, in its currency (their `creditNotes` count as taken)
 * @param sources the invoices of those bills, by id (absent: not found)
 */
export function withCreditNotes(bill: BillState, earlier: readonly BillState[], sources: ReadonlyMap<InvoiceId, SourceInvoice>, newId: () => InvoiceId): FinalCredit {
  const credits = bill.lines.filter((line) => line.amount.isNegative());
  if (credits.length === 0) return { kind: 'unplaced', reason: 'nothing on it is a credit' };
  if (bill.allowances.some((each) => each.side === 'allowance') && credits.length === bill.lines.length) return { kind: 'unplaced', reason: 'a discount with nothing charged' };
  const billed = earlier.filter((each) => each.status !== 'empty' && each.key !== bill.key).sort((one, other) => (other.position ?? 0) - (one.position ?? 0) || (other.billingDate > one.billingDate ? 1 : -1));
  const made = new Set(earlier.flatMap((each) => (each.creditNotes ?? []).map((note) => note.creditNoteId)));
  const items = new Set(credits.map((line) => line.computation.item));
  const books = new Map<InvoiceId, Book>();
  for (const each of billed) {
    const source = sources.get(each.invoiceId) ?? MISSING;
    const own = bookOf(each, source, made);
    const charged = [...own.items.keys()].some((item) => items.has(item));
    if (source.state === 'draft' && charged) return { kind: 'awaits_issue', invoiceId: each.invoiceId };
    // Credited elsewhere, its part could be credited twice: by the edit or credit note, and by billing.
    if (!own.usable && charged) return { kind: 'unplaced', reason: `invoice ${each.invoiceId} was changed or credited since billing made it` };
    if (own.usable) books.set(each.invoiceId, own);
  }
  takeEarlierCreditNotes(earlier, books);
  const notes = new Map<InvoiceId, Note>();
  const place = (line: BillLine, rest: Money, byItem: boolean): Money => {
    const category = keyOf(line.line.vat);
    for (const [invoiceId, book] of books) {
      if (!rest.isPositive()) break;
      const room = book.room.get(category);
      const item = book.items.get(line.computation.item);
      const bound = byItem ? (item === undefined ? undefined : min(item, room)) : room;
      if (bound === undefined || !bound.isPositive()) continue;
      const part = rest.min(bound);
      book.room.set(category, (room as Money).subtract(part));
      if (item !== undefined) book.items.set(line.computation.item, item.subtract(part));
      rest = rest.subtract(part);
      let note = notes.get(invoiceId);
      if (note === undefined) notes.set(invoiceId, (note = { lines: [], allowances: [] }));
      const placed = note.lines.find((each) => each.lineId === line.line.id);
      if (placed) placed.amount = placed.amount.add(part);
      else note.lines.push({ lineId: line.line.id, amount: part });
    }
    return rest;
  };
  // Where each item was charged first, for all lines; then what is left, wherever there is room.
  const left = credits.map((line) => [line, place(line, line.amount.negate(), true)] as const);
  for (const [line, rest] of left) {
    if (place(line, rest, false).isPositive()) return { kind: 'unplaced', reason: `its credit in VAT category ${keyOf(line.line.vat)} is more than the invoices made by earlier bills can still be credited there` };
  }
  for (const [index, given] of bill.allowances.entries()) {
    if (given.side !== 'charge') continue;
    const target = creditNoteOfDays(notes, bill, given.periodStart, given.allowance.vat);
    if (target === undefined) return { kind: 'unplaced', reason: `no credit note credits the days of ${given.periodStart ?? 'the discount'} in its VAT category` };
    target.allowances.push(index);
  }
  const creditNotes: BillCreditNote[] = [...notes].map(([invoiceId, note]) => ({ invoiceId, creditNoteId: newId(), lines: note.lines, allowances: note.allowances }));
  return { kind: 'credit_notes', bill: { ...bill, creditNotes } };
}

/** The bill's lines and document allowances or charges its own invoice carries: those none of its credit notes does. */
export function invoicedPart(bill: BillState): Pick<BillState, 'lines' | 'allowances'> {
  const notes = bill.creditNotes ?? [];
  const lineIds = new Set(notes.flatMap((note) => note.lines.map((each) => each.lineId)));
  const taken = new Set(notes.flatMap((note) => note.allowances));
  return { lines: bill.lines.filter((line) => !lineIds.has(line.line.id)), allowances: bill.allowances.filter((_, index) => !taken.has(index)) };
}

/** What an earlier bill's invoice can still be credited: per item it charged, and per VAT category. */
interface Book {
  readonly usable: boolean;
  readonly items: Map<string, Money>;
  readonly room: Map<string, Money>;
}

const MISSING: SourceInvoice = { state: 'missing', lineAmounts: new Map(), taxable: new Map(), creditNoteIds: [] };

/**
 * An earlier bill's invoice as a source of credit: its items' net amounts (the lines of its invoice), and its taxable
 * amount per category, as issued, or, void or deleted, as the bill says. Not usable when issued otherwise than the bill
 * made it, or credited by a credit note no bill made.
 */
function bookOf(bill: BillState, source: SourceInvoice, made: ReadonlySet<InvoiceId>): Book {
  const { lines, allowances } = invoicedPart(bill);
  const items = new Map<string, Money>();
  const room = new Map<string, Money>();
  const add = (map: Map<string, Money>, key: string, amount: Money) => map.set(key, (map.get(key) ?? Money.zero(bill.currency)).add(amount));
  for (const line of lines) add(items, line.computation.item, line.amount);
  if (source.state === 'issued') {
    const unchanged = source.lineAmounts.size === lines.length && lines.every((line) => source.lineAmounts.get(line.line.id)?.equals(line.amount) === true);
    const creditedByBilling = source.creditNoteIds.every((id) => made.has(id));
    for (const [category, amount] of source.taxable) room.set(category, amount);
    return { usable: unchanged && creditedByBilling, items, room };
  }
  for (const line of lines) add(room, keyOf(line.line.vat), line.amount);
  for (const each of allowances) {
    const amount = Money.of(String(each.allowance.amount ?? '0'), bill.currency);
    add(room, keyOf(each.allowance.vat), each.side === 'allowance' ? amount.negate() : amount);
  }
  return { usable: source.state !== 'draft', items, room };
}

/** Takes what earlier bills' credit notes credited from the books of the invoices they credited. */
function takeEarlierCreditNotes(earlier: readonly BillState[], books: ReadonlyMap<InvoiceId, Book>): void {
  for (const bill of earlier) {
    for (const note of bill.creditNotes ?? []) {
      const book = books.get(note.invoiceId);
      if (book === undefined) continue;
      for (const part of note.lines) {
        const line = bill.lines.find((each) => each.line.id === part.lineId);
        if (line === undefined) continue;
        const category = keyOf(line.line.vat);
        const item = book.items.get(line.computation.item);
        if (item !== undefined) book.items.set(line.computation.item, item.subtract(part.amount));
        book.room.set(category, (book.room.get(category) ?? Money.zero(part.amount.currency)).subtract(part.amount));
      }
      for (const index of note.allowances) {
        const given = bill.allowances[index];
        if (given === undefined) continue;
        const category = keyOf(given.allowance.vat);
        const room = book.room.get(category);
        if (room !== undefined) book.room.set(category, room.add(Money.of(String(given.allowance.amount ?? '0'), room.currency)));
      }
    }
  }
}

/**
 * The credit note that credits most of the days of `periodStart` in a VAT category: where a discount those days had
 * is given back.
 */
function creditNoteOfDays(notes: ReadonlyMap<InvoiceId, Note>, bill: BillState, periodStart: CalendarDate | undefined, vat: VatCategoryInput): Note | undefined {
  let best: { note: Note; credit: Money } | undefined;
  for (const note of notes.values()) {
    const lines = note.lines.filter((part) => {
      const line = bill.lines.find((each) => each.line.id === part.lineId) as BillLine;
      return (periodStart === undefined || line.computation.period?.start === periodStart) && keyOf(line.line.vat) === keyOf(vat);
    });
    const credit = Money.sum(bill.currency, lines.map((part) => part.amount));
    if (credit.isPositive() && (best === undefined || credit.greaterThan(best.credit))) best = { note, credit };
  }
  return best?.note;
}

function keyOf(vat: VatCategoryInput): string {
  return vatKey(vatCategory(vat));
}

function min(one: Money, other: Money | undefined): Money | undefined {
  return other === undefined ? undefined : one.min(other);
}
