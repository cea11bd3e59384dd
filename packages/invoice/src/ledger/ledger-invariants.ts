import { InvalidStateError, Money, definedFields, type ErrorDetails } from '@invoicing/core';
import type { InvoiceId, PaymentId } from '../shared/ids';
import {
  foldTotals,
  invoicePosition,
  paymentPosition,
  zeroTotals,
  type LedgerAccount,
  type LedgerTotals,
  type LedgerTransaction,
  type LedgerTransactionDraft,
  type Posting,
} from './ledger';

/**
 * A transaction would break one of the ledger's invariants; nothing was written. Codes:
 * `ledger.invalid_operation`, `ledger.empty_transaction`, `ledger.invalid_amount`, `ledger.currency_mismatch`,
 * `ledger.account_mismatch`, `ledger.unknown_payment`, `ledger.duplicate_payment`, `ledger.duplicate_application`, `ledger.insufficient_unapplied`,
 * `ledger.invoice_due_mismatch`, `ledger.write_off_exceeded`, `ledger.return_exceeded`, `ledger.return_without_credit`, `ledger.return_while_owed`, `ledger.invoice_overpaid`,
 * `ledger.void_partial`, `ledger.unbalanced`.
 */
export class LedgerViolationError extends InvalidStateError {
  override readonly name: string = 'LedgerViolationError';
}

/**
 * What the ledger held when a draft was built: the account's head (undefined while empty) and, at or below it, every
 * posting that names a payment or an invoice the draft names. Entries are immutable and seq n + 1 is only ever
 * inserted after n exists, so postings read at or below the head are a consistent snapshot.
 */
export interface LedgerSnapshot {
  readonly account: LedgerAccount;
  readonly head: LedgerTransaction | undefined;
  readonly postings: readonly Posting[];
  /** Payments and invoices of the draft that transactions of another account name. */
  readonly elsewhere: { readonly payments: ReadonlySet<PaymentId>; readonly invoices: ReadonlySet<InvoiceId> };
}

/** Longest operation id: room for a prefix and an idempotency key. */
export const MAX_OPERATION_ID_LENGTH = 300;

// Control characters cannot be stored by every backend (PostgreSQL's jsonb refuses U+0000) and mean nothing in an id.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function violation(code: string, message: string, details: ErrorDetails = {}): LedgerViolationError {
  return new LedgerViolationError(code, message, details);
}

/** The payments and the invoices a list of postings names. */
export function referencesOf(postings: readonly Posting[]): { readonly payments: PaymentId[]; readonly invoices: InvoiceId[] } {
  const payments = new Set<PaymentId>();
  const invoices = new Set<InvoiceId>();
  for (const posting of postings) {
    if ('paymentId' in posting) payments.add(posting.paymentId);
    if ('invoiceId' in posting) invoices.add(posting.invoiceId);
  }
  return { payments: [...payments], invoices: [...invoices] };
}

function checkBalanced(totals: LedgerTotals, where: string): void {
  if (!totals.received.equals(totals.applied.add(totals.refunded).add(totals.unapplied))) {
    throw violation('ledger.unbalanced', `${where}: received ≠ applied + refunded + unapplied`, {
      received: totals.received.toJSON(),
      applied: totals.applied.toJSON(),
      refunded: totals.refunded.toJSON(),
      unapplied: totals.unapplied.toJSON(),
    });
  }
}

function checkPosting(posting: Posting, index: number, account: LedgerAccount): void {
  const amounts: Money[] = 'invoiceDue' in posting ? [posting.amount, posting.invoiceDue] : [posting.amount];
  for (const amount of amounts) {
    if (amount.currency !== account.currency) {
      throw violation('ledger.currency_mismatch', `posting ${index} is in ${amount.currency}, the account in ${account.currency}`, { index, currency: amount.currency });
    }
    if (!amount.isPositive()) throw violation('ledger.invalid_amount', `posting ${index}: amounts are above zero`, { index, amount: amount.toJSON() });
  }
}

/**
 * A payment's application is taken back only to make room for a credit: by the credit note that credits the same
 * invoice in the same transaction, for no more than it credits.
 */
function checkReturns(postings: readonly Posting[]): void {
  for (const posting of postings) {
    if (posting.type !== 'application_returned') continue;
    const credit = postings.find((other) => other.type === 'credited' && other.creditNoteId === posting.creditNoteId && other.invoiceId === posting.invoiceId);
    const reversed = postings
      .filter((other) => other.type === 'application_returned' && other.creditNoteId === posting.creditNoteId)
      .reduce((sum, other) => sum.add(other.amount), Money.zero(posting.amount.currency));
    if (credit === undefined || reversed.greaterThan(credit.amount)) {
      throw violation('ledger.return_without_credit', `a payment's application to invoice ${posting.invoiceId} is taken back only by the credit note that credits it, for no more than it credits`, {
        invoiceId: posting.invoiceId,
        paymentId: posting.paymentId,
      });
    }
  }
}

/**
 * Checks a draft against the snapshot it was built on and returns the transaction to append: at the head's seq + 1,
 * with the totals after it. This is the only way a transaction is made, so no transaction can be stored that breaks:
 * - every amount above zero, in the account's currency (and within Money's bounds, which Money itself enforces);
 * - each payment received once, in this account, before or with anything drawn from it;
 * - each payment's applied + refunded ≤ received, and at most one application of it per invoice;
 * - each invoice's paid + credited + written off + voided ≤ its amount due, the same amount due on every posting, a
 *   write-off reversed no further than it was written off, a void for the whole amount due (so only when nothing else
 *   settled it, and nothing after it);
 * - an application taken back only by a credit note of the same invoice in the same transaction, for no more than it
 *   credits, no further than that payment paid that invoice, and leaving the invoice owing nothing;
 * - the totals balance: received = applied + refunded + unapplied, unapplied never below zero.
 * @throws LedgerViolationError, nothing being written
 */
export function checkTransaction(snapshot: LedgerSnapshot, draft: LedgerTransactionDraft): LedgerTransaction {
  const { account, head } = snapshot;
  const before = head?.totalsAfter ?? zeroTotals(account.currency);
  checkBalanced(before, `the head of ${account.partnerId} ${account.currency}`);
  if (typeof draft.operationId !== 'string' || draft.operationId.length === 0 || draft.operationId.length > MAX_OPERATION_ID_LENGTH || CONTROL_CHARACTER.test(draft.operationId)) {
    throw violation('ledger.invalid_operation', `an operation id is 1 to ${MAX_OPERATION_ID_LENGTH} characters without control characters`);
  }
  if (draft.postings.length === 0) throw violation('ledger.empty_transaction', 'a transaction moves money: it has at least one posting');
  draft.postings.forEach((posting, index) => checkPosting(posting, index, account));

  checkReturns(draft.postings);

  const references = referencesOf(draft.postings);
  for (const paymentId of references.payments) {
    if (snapshot.elsewhere.payments.has(paymentId)) {
      throw violation('ledger.account_mismatch', `payment ${paymentId} belongs to another account`, { paymentId });
    }
  }
  for (const invoiceId of references.invoices) {
    if (snapshot.elsewhere.invoices.has(invoiceId)) {
      throw violation('ledger.account_mismatch', `invoice ${invoiceId} belongs to another account`, { invoiceId });
    }
  }

  const postings = [...snapshot.postings, ...draft.postings];
  for (const paymentId of references.payments) {
    const position = paymentPosition(paymentId, account.currency, postings);
    if (position.receipts === 0) throw violation('ledger.unknown_payment', `payment ${paymentId} was never received in this account`, { paymentId });
    if (position.receipts > 1) throw violation('ledger.duplicate_payment', `payment ${paymentId} is received once`, { paymentId });
    const appliedTo = postings.flatMap((posting) => (posting.type === 'applied' && posting.paymentId === paymentId ? [posting.invoiceId] : []));
    if (new Set(appliedTo).size !== appliedTo.length) {
      throw violation('ledger.duplicate_application', `payment ${paymentId} settles an invoice in one application`, { paymentId });
    }
    if (position.unapplied.isNegative()) {
      throw violation('ledger.insufficient_unapplied', `payment ${paymentId}: applied and refunded would exceed the ${position.received.toString()} received`, {
        paymentId,
        received: position.received.toJSON(),
        applied: position.applied.toJSON(),
        refunded: position.refunded.toJSON(),
      });
    }
  }
  for (const invoiceId of references.invoices) {
    const position = invoicePosition(invoiceId, account.currency, postings);
    const due = position.invoiceDue;
    const naming = postings.filter((posting) => 'invoiceId' in posting && posting.invoiceId === invoiceId);
    if (due === undefined || naming.some((posting) => 'invoiceDue' in posting && !posting.invoiceDue.equals(due))) {
      throw violation('ledger.invoice_due_mismatch', `invoice ${invoiceId}: every posting carries the same amount due`, { invoiceId });
    }
    const overReversed = position.paidBy.find((part) => part.amount.isNegative());
    if (overReversed) {
      throw violation('ledger.return_exceeded', `invoice ${invoiceId}: payment ${overReversed.paymentId} is taken back no further than it paid the invoice`, {
        invoiceId,
        paymentId: overReversed.paymentId,
      });
    }
    // What a payment paid is taken back only for a credit above what the invoice owed: never while it still owes.
    if (draft.postings.some((posting) => posting.type === 'application_returned' && posting.invoiceId === invoiceId) && !position.outstanding.isZero()) {
      throw violation('ledger.return_while_owed', `invoice ${invoiceId}: a credit takes what is owed before it takes back what was paid`, { invoiceId, outstanding: position.outstanding.toJSON() });
    }
    if (position.writtenOff.isNegative()) {
      throw violation('ledger.write_off_exceeded', `invoice ${invoiceId}: a write-off is reversed no further than it was written off`, { invoiceId });
    }
    // Voided means the whole amount due, once; with outstanding ≥ 0 below, nothing else can then settle the invoice.
    if (position.voided.isPositive() && !position.voided.equals(due)) {
      throw violation('ledger.void_partial', `invoice ${invoiceId}: a void cancels the whole ${due.toString()} due, once`, { invoiceId, voided: position.voided.toJSON() });
    }
    if (position.outstanding.isNegative()) {
      throw violation('ledger.invoice_overpaid', `invoice ${invoiceId}: paid, credited and written off would exceed the ${due.toString()} due`, {
        invoiceId,
        invoiceDue: due.toJSON(),
        paid: position.paid.toJSON(),
        credited: position.credited.toJSON(),
        writtenOff: position.writtenOff.toJSON(),
      });
    }
  }

  const totalsAfter = foldTotals(before, draft.postings);
  // Implied by the per-payment checks when the snapshot is complete; checked on its own so that an incomplete one
  // (a reader that missed postings) still cannot take the account below zero.
  if (totalsAfter.unapplied.isNegative()) {
    throw violation('ledger.insufficient_unapplied', `the account's unapplied credit would go below zero`, { unapplied: before.unapplied.toJSON() });
  }
  return {
    tenantId: account.tenantId,
    partnerId: account.partnerId,
    currency: account.currency,
    seq: (head?.seq ?? 0) + 1,
    operationId: draft.operationId,
    kind: draft.kind,
    postings: draft.postings,
    totalsAfter,
    at: draft.at,
    ...definedFields({ actor: draft.actor, creditNote: draft.creditNote, requestDigest: draft.requestDigest }),
  };
}
