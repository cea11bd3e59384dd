/**
 * The stored-format version every document carries in `_v` (not to be confused with an aggregate's `version`, its
 * optimistic-concurrency counter). Writers write {@link STORED_FORMAT}, or a later format for the documents that hold
 * what an earlier release would misread (each below says which: periods, returns, a bill's credit notes, a shared
 * discount, a separate approver, a draft's or a bill's authors); readers accept the formats they know and refuse any
 * other, so a document written by a newer release is never misread by an older one.
 * Documents stored before `_v` existed have no `_v` and are format 1.
 *
 * Format 2 adds the top-level query keys of invoices, payments, partnerships and marketables (ADR 0012); every other
 * document is the same in both. Format-1 documents are still read, and are rewritten to format 2 by
 * `upgradeStoredFormat` (run by `ensureIndexes`) because the queries look for the keys.
 */
export const STORED_FORMAT = 2;

/**
 * Format 3 is format 2 for an invoice or credit note that holds a period (its own, BG-14, or a line's, BG-26; ADR
 * 0025), and is written for those only. An earlier release would read such a document without its periods, write it
 * back without them on its next save and seal it without them (a chain `db:check` would then call broken): with
 * format 3 it refuses the document instead. Every other document is written in format 2, as before.
 */
export const PERIODS_FORMAT = 3;

/**
 * Format 4 is written for what holds money a credit note took back from payments, and only for that: a payment with
 * `returns`, an invoice a credit of which has `paymentsReturned` (with or without periods: format 3's fields too), a
 * ledger transaction with an `application_returned` posting. It is format 2 (3) otherwise. An earlier release would
 * read such a payment or invoice without what was taken back (a payment's credit too low, an invoice's paid amount too
 * high), and write it back without it on its next save; it would fail on the posting type. With format 4 it refuses
 * the document (`persistence.unsupported_format`) instead.
 */
export const RETURNS_FORMAT = 4;

/**
 * Format 5 is written for a bill made into credit notes (`creditNotes`, the last bill of an ended plan that comes to a
 * credit, ADR 0030), and only for that. An earlier release would read it without them and make its invoice of all its
 * lines, a credit it refuses to issue; with format 5 it refuses the bill instead.
 */
export const BILL_CREDIT_NOTES_FORMAT = 5;

/**
 * Format 6 is format 5 for a bill whose credit notes and invoice share a discount difference (of days it both credits
 * and charges, ADR 0030 as amended on 7 December 2026), and only for that. A release that reads format 5 would leave
 * the charged days' part of the difference out of the bill's invoice; with format 6 it refuses the bill instead.
 */
export const BILL_SHARED_DISCOUNT_FORMAT = 6;

/**
 * Format 7 is format 2 for a partnership whose approval policy asks for a separate approver (four eyes), and only for
 * that. An earlier release would read the policy without it and, on the partnership's next save, write it back
 * without it: the control would be off for good, silently. With format 7 it refuses the partnership instead.
 */
export const SEPARATE_APPROVER_FORMAT = 7;

/**
 * Format 8 is format 2 or 3 (periods allowed) for a draft that records its authors (ADR 0031), and only for that. An
 * earlier release would approve such a draft without asking its partnership for a separate approver, and drop its
 * authors when saving it: its author could approve it there, and a release that knows four eyes would then find no
 * author to refuse at issue. With format 8 it refuses the draft instead. An issued document keeps its authors in format
 * 2, 3 or 4: no approval is asked of it any more.
 */
export const DRAFT_AUTHORS_FORMAT = 8;

/**
 * Format 9 is format 5 or 6 (credit notes and a shared discount allowed) for a bill that records its invoice's authors
 * (who added its one-off charges, ADR 0031), with or without credit notes. An earlier release would make the bill's
 * invoice without them, which anyone could then approve; with format 9 it refuses the bill instead.
 */
export const BILL_AUTHORS_FORMAT = 9;

/** The formats this release reads: of every document, of payments, of ledger transactions, of invoices and credit notes, of partnerships, and of bills. */
const READABLE_FORMATS: readonly unknown[] = [1, 2];
export const PAYMENT_FORMATS: readonly unknown[] = [...READABLE_FORMATS, RETURNS_FORMAT];
export const LEDGER_FORMATS: readonly unknown[] = [...READABLE_FORMATS, RETURNS_FORMAT];
export const INVOICE_FORMATS: readonly unknown[] = [...READABLE_FORMATS, PERIODS_FORMAT, RETURNS_FORMAT, DRAFT_AUTHORS_FORMAT];
export const PARTNERSHIP_FORMATS: readonly unknown[] = [...READABLE_FORMATS, SEPARATE_APPROVER_FORMAT];
export const BILL_FORMATS: readonly unknown[] = [...READABLE_FORMATS, BILL_CREDIT_NOTES_FORMAT, BILL_SHARED_DISCOUNT_FORMAT, BILL_AUTHORS_FORMAT];

/**
 * A document was written in a stored format this release does not know (a newer release wrote it, or it was edited by
 * hand). Reading it anyway could drop or misread fields, so it is refused; deploy the release that wrote it.
 */
export class UnsupportedStoredFormatError extends Error {
  override readonly name = 'UnsupportedStoredFormatError';
  readonly code = 'persistence.unsupported_format';

  constructor(
    /** What was read: a collection and the document's `_id`, or an outbox entry's id. */
    readonly source: string,
    readonly format: unknown,
    readable: readonly unknown[] = READABLE_FORMATS,
  ) {
    super(`${source} is stored in format ${JSON.stringify(format)}; this release reads format ${readable.join(', ')} only`);
  }
}

/**
 * The stored format of a document read from the database: its `_v`, or 1 when absent.
 * @throws UnsupportedStoredFormatError for any other value
 */
export function storedFormatOf(document: { readonly _v?: unknown }, source: string, readable: readonly unknown[] = READABLE_FORMATS): number {
  const format = document._v ?? 1;
  if (!readable.includes(format)) throw new UnsupportedStoredFormatError(source, format, readable);
  return format as number;
}
