/**
 * The credit of an ended plan's last bill, split over the invoices earlier bills made (ADR 0030): no later bill of the
 * plan would carry it, so it is credited where it was charged.
 */
import { Money } from '@invoicing/core';
import { vatCategory, vatKey, type InvoiceId, type VatCategoryInput } from '@invoicing/invoice';
import type { BillAllowance, BillCreditNote, BillLine, BillState } from './bill';

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
  /** Whether it has a prepaid or rounding amount (BT-113, BT-114), which no bill gives. */
  readonly adjusted: boolean;
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

type Note = { lines: { lineId: string; amount: Money }[] };

/**
 * The last bill of an ended plan that comes to a credit, with the credit notes it is made into. Each credit line is
 * credited net of its share of the discount its days had ({@link netCredits}: the bill's document charge that gives
 * it back, shared by amount among the credit lines of its period and VAT category): on credit notes of the invoices
 * of the latest earlier bills that charged its item, as much as each charged of it and can still be credited in its
 * VAT category; what is left of it, on the latest issued invoices that can still be credited in that category. The
 * bill's other lines and its discount differences of days it only charges stay for its own invoice.
 *
 * An invoice is used as billing made it only: one edited before it was issued, or credited by a credit note billing
 * did not make, takes nothing, and when it charged a credited item the credit is not placed at all (what the edit or
 * credit note took back of it is not known to billing). A void or deleted one still takes its part, whose credit note
 * is then skipped: voiding took back all it charged. It takes the part of the items it charged only: credit put there
 * for anything else would be lost.
 *
 * @param earlier the partnership's bills before it, in its currency (their `creditNotes` count as taken)
 * @param sources the invoices of those bills, by id (absent: not found)
 * @param creditedAllowances the discount differences of its credited days alone (`ProposedBill.creditedAllowances`),
 *   for a period and VAT category it both credits and charges
 */
export function withCreditNotes(
  bill: BillState,
  earlier: readonly BillState[],
  sources: ReadonlyMap<InvoiceId, SourceInvoice>,
  newId: () => InvoiceId,
  creditedAllowances?: readonly BillAllowance[],
): FinalCredit {
  const credits = bill.lines.filter((line) => line.amount.isNegative());
  if (credits.length === 0) return { kind: 'unplaced', reason: 'nothing on it is a credit' };
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
  const withZeros = withCreditedDiscounts(bill, credits, creditedAllowances);
  const netted = netCredits(withZeros, credits, creditedAllowances);
  if (typeof netted === 'string') return { kind: 'unplaced', reason: netted };
  const { net, givenBack } = netted;
  const whole = { ...withZeros, allowances: withZeros.allowances.map((given, index) => (givenBack.has(index) ? { ...given, givenBack: (givenBack.get(index) as Money).toString() } : given)) };
  const notes = new Map<InvoiceId, Note>();
  const place = (line: BillLine, rest: Money, byItem: boolean): Money => {
    const category = keyOf(line.line.vat);
    for (const [invoiceId, book] of books) {
      if (!rest.isPositive()) break;
      // Credit for other items goes on issued invoices only: a void one's credit note is skipped.
      if (!byItem && book.state !== 'issued') continue;
      const room = book.room.get(category);
      const item = book.items.get(line.computation.item);
      const bound = byItem ? (item === undefined ? undefined : min(item, room)) : room;
      if (bound === undefined || !bound.isPositive()) continue;
      const part = rest.min(bound);
      book.room.set(category, (room as Money).subtract(part));
      if (item !== undefined) book.items.set(line.computation.item, item.subtract(part));
      rest = rest.subtract(part);
      let note = notes.get(invoiceId);
      if (note === undefined) notes.set(invoiceId, (note = { lines: [] }));
      const placed = note.lines.find((each) => each.lineId === line.line.id);
      if (placed) placed.amount = placed.amount.add(part);
      else note.lines.push({ lineId: line.line.id, amount: part });
    }
    return rest;
  };
  // Where each item was charged first, for all lines; then what is left, wherever there is room.
  const left = credits.map((line) => [line, place(line, net.get(line.line.id) as Money, true)] as const);
  for (const [line, rest] of left) {
    if (place(line, rest, false).isPositive()) return { kind: 'unplaced', reason: `its credit in VAT category ${keyOf(line.line.vat)} is more than the invoices made by earlier bills can still be credited there` };
  }
  const creditNotes: BillCreditNote[] = [...notes].map(([invoiceId, note]) => ({ invoiceId, creditNoteId: newId(), lines: note.lines }));
  const split = { ...whole, creditNotes };
  const own = invoicedPart(split);
  // No invoice is made without lines: a discount difference left to it would be lost.
  if (own.lines.length === 0 && own.allowances.length > 0) return { kind: 'unplaced', reason: 'a discount difference is left with no charged line to go with' };
  return { kind: 'credit_notes', bill: split };
}

/**
 * The bill's lines and document allowances or charges its own invoice carries: with credit notes, the lines they do
 * not credit, and the discount differences of days the bill only charges; of days it both credits and charges, what
 * is left of the difference once the credited lines took their part ({@link netCredits}). One of days it only credits
 * is in the credit notes' net amounts.
 */
export function invoicedPart(bill: BillState): Pick<BillState, 'lines' | 'allowances'> {
  if (bill.creditNotes === undefined) return { lines: bill.lines, allowances: bill.allowances };
  const placed = new Set(bill.creditNotes.flatMap((note) => note.lines.map((part) => part.lineId)));
  const credits = bill.lines.filter((line) => line.amount.isNegative());
  const allowances = bill.allowances.flatMap((given): BillAllowance[] => {
    const days = ofDays(given);
    if (!credits.some(days)) return [given];
    if (!charges(bill, given)) return [];
    // What the credit notes give back of it is theirs.
    const left = signed(given, bill.currency).add(Money.of(given.givenBack ?? '0', bill.currency));
    return left.isZero() ? [] : [remainderOf(given, left)];
  });
  return { lines: bill.lines.filter((line) => !placed.has(line.line.id)), allowances };
}

/**
 * Whether the bill's credit notes and its own invoice share a discount difference (of days it both credits and
 * charges): its invoice's part of it is worked out from the bill ({@link invoicedPart}), which a release that stored
 * format 5 does not do (stored format 6, ADR 0010).
 */
export function sharesADiscount(bill: BillState): boolean {
  if (bill.creditNotes === undefined) return false;
  const credits = bill.lines.filter((line) => line.amount.isNegative());
  return bill.allowances.some((given) => credits.some(ofDays(given)) && charges(bill, given));
}

/**
 * What each credit line credits: its amount less its share of the discount its days had, to the cent. For days the
 * bill only credits, that is the bill's document charge giving the discount back, shared among their credit lines by
 * amount. For days it also charges, the bill holds one difference per discount for both: the credited days' part is
 * the one the period would have had had the bill charged nothing (`creditedAllowances`), what the credit notes give
 * back of it is returned by the difference's index (`givenBack`), and the rest stays with the charged days. Or why it
 * cannot be worked out: a discount added for days it credits, or one given back for days of several plan versions (one
 * may not have had it), does not say what each credited day gave back; split by a guess, each document would be
 * wrong by it (audits finalcredit3 M1, finalcredit4 P1).
 */
function netCredits(
  bill: BillState,
  credits: readonly BillLine[],
  creditedAllowances: readonly BillAllowance[] | undefined,
): { readonly net: Map<string, Money>; readonly givenBack: Map<number, Money> } | string {
  const net = new Map(credits.map((line) => [line.line.id, line.amount.negate()]));
  const shared = new Map<number, Map<string, Money>>();
  for (const [index, given] of bill.allowances.entries()) {
    const credited = credits.filter(ofDays(given));
    if (credited.length === 0) continue;
    const days = given.periodStart ?? 'its period';
    const both = charges(bill, given);
    let back: Money;
    if (both) {
      const part = creditedPart(given, bill.currency, creditedAllowances);
      if (typeof part === 'string') return part;
      back = part;
      shared.set(index, new Map());
    } else if (given.side !== 'charge') return `a discount is added for days of ${days} it only credits`;
    else back = Money.of(String(given.allowance.amount ?? '0'), bill.currency);
    if (back.isZero()) continue;
    if (new Set(credited.map((line) => line.computation.planVersion)).size > 1) return `the discount of ${days} is given back for days of several plan versions`;
    const shares = back.allocate(credited.map((line) => line.amount.negate().toDecimal()));
    for (const [at, line] of credited.entries()) {
      const share = shares[at] as Money;
      net.set(line.line.id, (net.get(line.line.id) as Money).subtract(share));
      shared.get(index)?.set(line.line.id, share);
    }
  }
  for (const amount of net.values()) if (amount.isNegative()) return 'a discount given back is larger than the credit of its days';
  // A line that credits nothing once netted goes on no credit note: its share stays on the invoice with it.
  const givenBack = new Map(
    [...shared].map(([index, byLine]) => [index, Money.sum(bill.currency, [...byLine].filter(([lineId]) => (net.get(lineId) as Money).isPositive()).map(([, share]) => share))] as const),
  );
  return { net, givenBack };
}

/**
 * The bill with a difference of 0.00 for each discount its credited days give back on days it also charges, when it
 * has none for that discount there: the charged days' part is then the exact opposite (a fixed discount the charges
 * take up), which their invoice carries ({@link invoicedPart}).
 */
function withCreditedDiscounts(bill: BillState, credits: readonly BillLine[], creditedAllowances: readonly BillAllowance[] | undefined): BillState {
  const missing = (creditedAllowances ?? []).filter(
    (alone) => !bill.allowances.some((given) => sameDays(alone)(given) && given.discountCode === alone.discountCode) && credits.some(ofDays(alone)) && charges(bill, alone),
  );
  if (missing.length === 0) return bill;
  return { ...bill, allowances: [...bill.allowances, ...missing.map((alone) => remainderOf(alone, Money.zero(bill.currency)))] };
}

/** What the credited days of a period and category the bill also charges give back of one of their discounts. */
function creditedPart(given: BillAllowance, currency: BillState['currency'], creditedAllowances: readonly BillAllowance[] | undefined): Money | string {
  const days = given.periodStart ?? 'its period';
  if (given.periodStart === undefined || creditedAllowances === undefined) return `the discount of ${days} is shared by days it credits and days it charges`;
  const own = creditedAllowances.filter((each) => sameDays(given)(each) && each.discountCode === given.discountCode);
  const part = Money.sum(currency, own.map((each) => signed(each, currency)));
  if (part.isPositive()) return `a discount is added for days of ${days} it credits`;
  return part.negate();
}

/** Whether the bill charges anything on the days of a document allowance or charge. */
function charges(bill: BillState, given: BillAllowance): boolean {
  return bill.lines.some((line) => !line.amount.isNegative() && ofDays(given)(line));
}

/** A discount difference as it reduces the total: an allowance positive, a charge negative. */
function signed(given: BillAllowance, currency: BillState['currency']): Money {
  const amount = Money.of(String(given.allowance.amount ?? '0'), currency);
  return given.side === 'allowance' ? amount : amount.negate();
}

/** What is left of a discount difference for the days charged: no percent, which was stated on all its days. */
function remainderOf(given: BillAllowance, left: Money): BillAllowance {
  const { percent: _percent, baseAmount: _base, reasonCode: _code, ...allowance } = given.allowance;
  const { givenBack: _givenBack, ...difference } = given;
  const side = left.isPositive() ? 'allowance' : 'charge';
  return { ...difference, side, allowance: { ...allowance, amount: left.abs().toString(), ...(side === 'allowance' ? { reasonCode: '95' } : {}) } };
}

/** Whether two discount differences are of the same days: period and VAT category. */
function sameDays(given: BillAllowance): (other: BillAllowance) => boolean {
  return (other) => other.periodStart === given.periodStart && keyOf(other.allowance.vat) === keyOf(given.allowance.vat);
}

/** Whether a line is of the days a bill's document allowance or charge is for: its period and VAT category. */
function ofDays(given: BillState['allowances'][number]): (line: BillLine) => boolean {
  return (line) => (given.periodStart === undefined || line.computation.period?.start === given.periodStart) && keyOf(line.line.vat) === keyOf(given.allowance.vat);
}

/** What an earlier bill's invoice can still be credited: per item it charged, and per VAT category. */
interface Book {
  readonly state: SourceInvoice['state'];
  readonly usable: boolean;
  readonly items: Map<string, Money>;
  readonly room: Map<string, Money>;
}

const MISSING: SourceInvoice = { state: 'missing', lineAmounts: new Map(), taxable: new Map(), adjusted: false, creditNoteIds: [] };

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
  // What the bill made it charge per category: its lines, less its discounts, plus its document charges.
  for (const line of lines) add(room, keyOf(line.line.vat), line.amount);
  for (const each of allowances) {
    const amount = Money.of(String(each.allowance.amount ?? '0'), bill.currency);
    add(room, keyOf(each.allowance.vat), each.side === 'allowance' ? amount.negate() : amount);
  }
  if (source.state === 'issued') {
    // As billing made it: the same lines and amounts, the same taxable amounts (no allowance or charge added), no
    // prepaid or rounding amount, and no credit note but billing's.
    const sameLines = source.lineAmounts.size === lines.length && lines.every((line) => source.lineAmounts.get(line.line.id)?.equals(line.amount) === true);
    const sameTaxable = source.taxable.size === room.size && [...room].every(([category, amount]) => source.taxable.get(category)?.equals(amount) === true);
    const creditedByBilling = source.creditNoteIds.every((id) => made.has(id));
    return { state: source.state, usable: sameLines && sameTaxable && !source.adjusted && creditedByBilling, items, room };
  }
  return { state: source.state, usable: source.state !== 'draft', items, room };
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
    }
  }
}

function keyOf(vat: VatCategoryInput): string {
  return vatKey(vatCategory(vat));
}

function min(one: Money, other: Money | undefined): Money | undefined {
  return other === undefined ? undefined : one.min(other);
}
