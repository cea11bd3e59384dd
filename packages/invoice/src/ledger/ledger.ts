import { Money, RunningTotal, definedFields, type CalendarDate, type CurrencyCode, type TenantId } from '@invoicing/core';
import type { InvoiceId, PartnerId, PaymentId, RefundId } from '../shared/ids';
import type { CreditNoteContent } from '../invoice/credit-note-content';

/**
 * A partner's receivable account in one currency. Every invoice has one buyer and one currency, so every money movement
 * that touches an invoice belongs to exactly one account; serialising an account's writes serialises its invoices.
 */
export interface LedgerAccount {
  readonly tenantId: TenantId;
  readonly partnerId: PartnerId;
  readonly currency: CurrencyCode;
}

/** Money received from the partner: the only posting that adds to the account's credit. */
export interface ReceivedPosting {
  readonly type: 'received';
  readonly amount: Money;
  readonly paymentId: PaymentId;
  readonly receivedOn: CalendarDate;
  readonly reference?: string;
}

/**
 * Part of a payment applied to an invoice. `invoiceDue` is the invoice's amount due, fixed at issue, carried on every
 * posting that touches the invoice so the ledger alone can prove the invoice is never settled above it.
 */
export interface AppliedPosting {
  readonly type: 'applied';
  readonly amount: Money;
  readonly paymentId: PaymentId;
  readonly invoiceId: InvoiceId;
  readonly invoiceDue: Money;
  readonly appliedOn: CalendarDate;
}

/**
 * Part of a payment's application to an invoice taken back, because a credit note credits more than the invoice still
 * owes: what the buyer paid for what is credited becomes the payment's unapplied credit again, for a refund or another
 * invoice. Only a credit note does this, in its own transaction, before its `credited` posting.
 */
export interface ApplicationReturnedPosting {
  readonly type: 'application_returned';
  readonly amount: Money;
  readonly paymentId: PaymentId;
  readonly invoiceId: InvoiceId;
  readonly invoiceDue: Money;
  readonly creditNoteId: InvoiceId;
  readonly returnedOn: CalendarDate;
}

/** A credit note applied to the invoice it corrects. */
export interface CreditedPosting {
  readonly type: 'credited';
  readonly amount: Money;
  readonly creditNoteId: InvoiceId;
  readonly creditNoteNumber: string;
  readonly invoiceId: InvoiceId;
  readonly invoiceDue: Money;
  readonly creditedOn: CalendarDate;
}

/** Part of a payment's unapplied credit paid back to the partner. One refund may draw on several payments. */
export interface RefundedPosting {
  readonly type: 'refunded';
  readonly amount: Money;
  readonly refundId: RefundId;
  readonly paymentId: PaymentId;
  readonly refundedOn: CalendarDate;
  readonly reference?: string;
}

/** What is outstanding on an invoice, written off as uncollectible. */
export interface WrittenOffPosting {
  readonly type: 'written_off';
  readonly amount: Money;
  readonly invoiceId: InvoiceId;
  readonly invoiceDue: Money;
}

/**
 * Part of a write-off taken back, because the buyer pays a written-off invoice after all. Postings are immutable, so a
 * write-off is undone by a posting of its own, appended in the same transaction as the payment it makes room for.
 */
export interface WriteOffReversedPosting {
  readonly type: 'write_off_reversed';
  readonly amount: Money;
  readonly invoiceId: InvoiceId;
  readonly invoiceDue: Money;
}

/**
 * An invoice cancelled: its whole amount due no longer owed. Only an invoice nothing was paid or credited on is voided,
 * and nothing can settle it afterwards: the voided amount counts against its amount due like a payment would. The
 * partner's credit and the account's totals do not change.
 */
export interface VoidedPosting {
  readonly type: 'voided';
  readonly amount: Money;
  readonly invoiceId: InvoiceId;
  readonly invoiceDue: Money;
  readonly reason?: string;
}

/** One movement of money inside a transaction; every amount is above zero and in the account's currency. */
export type Posting =
  | ReceivedPosting
  | AppliedPosting
  | ApplicationReturnedPosting
  | CreditedPosting
  | RefundedPosting
  | WrittenOffPosting
  | WriteOffReversedPosting
  | VoidedPosting;

/** What business operation a transaction records: a label for readers, the invariants look at the postings only. */
export type LedgerTransactionKind = 'payment' | 'application' | 'credit_note' | 'refund' | 'write_off' | 'void' | 'opening';

/** The business operations a transaction can record. */
export const LEDGER_TRANSACTION_KINDS = ['payment', 'application', 'credit_note', 'refund', 'write_off', 'void', 'opening'] as const satisfies readonly LedgerTransactionKind[];

/**
 * An account's running totals. `unapplied` is received − applied − refunded: the partner's credit. `applied` and
 * `writtenOff` are net of reversals. Credits and write-offs reduce what invoices owe, not the partner's credit. The others add up the
 * account's whole life, past what one amount may be (ADR 0011): an account that received 10^15 dong over the years
 * still takes the next payment.
 */
export interface LedgerTotals {
  readonly received: RunningTotal;
  readonly applied: RunningTotal;
  readonly credited: RunningTotal;
  readonly refunded: RunningTotal;
  readonly writtenOff: RunningTotal;
  readonly unapplied: Money;
}

/** What a caller asks to append; the ledger adds the account, the sequence number and the totals. */
export interface LedgerTransactionDraft {
  /**
   * The business operation, unique per tenant (e.g. derived from an idempotency key or a refund id): a retry of the
   * same operation finds the transaction already stored instead of appending a second one.
   */
  readonly operationId: string;
  readonly kind: LedgerTransactionKind;
  readonly postings: readonly Posting[];
  readonly at: Date;
  /** Who asked for it (a user or client id), when known. */
  readonly actor?: string;
  /**
   * The content of the credit note a `credit_note` transaction credits, stored with the credit: the document is stored
   * after the append, and a process that stops in between leaves it to be made again from here (ADR 0024). Read back
   * only by {@link Ledger.byOperation}; the other reads leave it out.
   */
  readonly creditNote?: CreditNoteContent;
  /**
   * A digest of what the request asked that the postings cannot show, so that a retry under the same operation id is
   * told from another request: for a payment, the invoices it named (or that it named none); for an application, its
   * payment and the invoices it named. Absent on transactions
   * stored before it was kept, which are compared by their postings alone, and on those whose postings say it all.
   */
  readonly requestDigest?: string;
}

/**
 * One immutable entry of an account's ledger: several postings appended atomically, at sequence number `seq`
 * (1, 2, 3 … per account, without gaps), with the account's totals after it.
 */
export interface LedgerTransaction extends LedgerAccount, LedgerTransactionDraft {
  readonly seq: number;
  readonly totalsAfter: LedgerTotals;
}

/** A stable text key of an account, for maps and locks. */
export function accountKey(account: LedgerAccount): string {
  return `${account.tenantId}/${account.partnerId}/${account.currency}`;
}

/** True when the transaction belongs to the account. */
export function inAccount(transaction: LedgerAccount, account: LedgerAccount): boolean {
  return transaction.tenantId === account.tenantId && transaction.partnerId === account.partnerId && transaction.currency === account.currency;
}

/** The totals of an account nothing was posted to. */
export function zeroTotals(currency: CurrencyCode): LedgerTotals {
  const zero = RunningTotal.zero(currency);
  return { received: zero, applied: zero, credited: zero, refunded: zero, writtenOff: zero, unapplied: Money.zero(currency) };
}

/**
 * Folds postings into running totals. Pure and total: it checks nothing (see `ledger-invariants.ts`), so a checker can
 * recompute stored totals from the postings alone and compare.
 */
export function foldTotals(totals: LedgerTotals, postings: readonly Posting[]): LedgerTotals {
  let { received, applied, credited, refunded, writtenOff } = totals;
  for (const posting of postings) {
    switch (posting.type) {
      case 'received':
        received = received.add(posting.amount);
        break;
      case 'applied':
        applied = applied.add(posting.amount);
        break;
      case 'application_returned':
        applied = applied.subtract(posting.amount);
        break;
      case 'credited':
        credited = credited.add(posting.amount);
        break;
      case 'refunded':
        refunded = refunded.add(posting.amount);
        break;
      case 'written_off':
        writtenOff = writtenOff.add(posting.amount);
        break;
      case 'write_off_reversed':
        writtenOff = writtenOff.subtract(posting.amount);
        break;
      case 'voided':
        break;
    }
  }
  // The credit is an amount: past `Money`'s range it is refused (`money.out_of_range`), until refunds or applications bring it back.
  return { received, applied, credited, refunded, writtenOff, unapplied: Money.ofMinor(received.minor - applied.minor - refunded.minor, totals.unapplied.currency) };
}

/** Where one payment stands: what it brought in and what was drawn from it. */
export interface PaymentPosition {
  readonly paymentId: PaymentId;
  readonly received: Money;
  /** How many `received` postings name the payment: 1 once received, never more. */
  readonly receipts: number;
  /** Net of the applications credit notes took back. */
  readonly applied: Money;
  readonly refunded: Money;
  /** received − applied − refunded. */
  readonly unapplied: Money;
}

/** Where one invoice stands in the ledger: what settled it, against the amount due its postings carry. */
export interface InvoicePosition {
  readonly invoiceId: InvoiceId;
  /** The amount due the invoice's postings carry; undefined while none names it. */
  readonly invoiceDue?: Money;
  /** Net of the applications credit notes took back. */
  readonly paid: Money;
  /** What each payment paid of it, net of what credit notes took back, in the order they were first applied. */
  readonly paidBy: readonly { readonly paymentId: PaymentId; readonly amount: Money }[];
  /** What credit notes took back of its payments (`paid` is net of it). */
  readonly returned: Money;
  readonly credited: Money;
  /** Net of reversals. */
  readonly writtenOff: Money;
  /** The amount due when the invoice was voided; zero otherwise. */
  readonly voided: Money;
  /** invoiceDue − paid − credited − writtenOff − voided (zero while no posting names it). */
  readonly outstanding: Money;
  /**
   * Whether a payment or a credit came last, of those that paid or credited it: what settled it, once it owes nothing.
   * A credit of an invoice that owed nothing only takes back what was paid: it leaves it paid, unless it takes back all.
   */
  readonly lastSettlement?: 'applied' | 'credited';
}

/** The position of a payment after `postings` (those naming other payments are ignored). */
export function paymentPosition(paymentId: PaymentId, currency: CurrencyCode, postings: readonly Posting[]): PaymentPosition {
  let received = Money.zero(currency);
  let applied = received;
  let refunded = received;
  let receipts = 0;
  for (const posting of postings) {
    if (!('paymentId' in posting) || posting.paymentId !== paymentId) continue;
    if (posting.type === 'received') {
      received = received.add(posting.amount);
      receipts += 1;
    } else if (posting.type === 'applied') {
      applied = applied.add(posting.amount);
    } else if (posting.type === 'application_returned') {
      applied = applied.subtract(posting.amount);
    } else {
      refunded = refunded.add(posting.amount);
    }
  }
  return { paymentId, received, receipts, applied, refunded, unapplied: received.subtract(applied).subtract(refunded) };
}

/** The position of an invoice after `postings` (those naming other invoices are ignored). */
export function invoicePosition(invoiceId: InvoiceId, currency: CurrencyCode, postings: readonly Posting[]): InvoicePosition {
  let paid = Money.zero(currency);
  let credited = paid;
  let writtenOff = paid;
  let voided = paid;
  let invoiceDue: Money | undefined;
  let lastSettlement: InvoicePosition['lastSettlement'];
  const paidBy = new Map<PaymentId, Money>();
  // What the credit note being read took back from payments so far: a credit that only took back settles nothing anew.
  let reversed = Money.zero(currency);
  let returned = Money.zero(currency);
  for (const posting of postings) {
    if (!('invoiceId' in posting) || posting.invoiceId !== invoiceId) continue;
    invoiceDue ??= posting.invoiceDue;
    if (posting.type === 'applied') {
      paid = paid.add(posting.amount);
      paidBy.set(posting.paymentId, (paidBy.get(posting.paymentId) ?? Money.zero(currency)).add(posting.amount));
      lastSettlement = 'applied';
    } else if (posting.type === 'application_returned') {
      paid = paid.subtract(posting.amount);
      paidBy.set(posting.paymentId, (paidBy.get(posting.paymentId) ?? Money.zero(currency)).subtract(posting.amount));
      reversed = reversed.add(posting.amount);
      returned = returned.add(posting.amount);
    } else if (posting.type === 'credited') {
      credited = credited.add(posting.amount);
      if (posting.amount.greaterThan(reversed) || !paid.isPositive()) lastSettlement = 'credited';
      reversed = Money.zero(currency);
    } else if (posting.type === 'written_off') writtenOff = writtenOff.add(posting.amount);
    else if (posting.type === 'voided') voided = voided.add(posting.amount);
    else writtenOff = writtenOff.subtract(posting.amount);
  }
  const outstanding = (invoiceDue ?? Money.zero(currency)).subtract(paid).subtract(credited).subtract(writtenOff).subtract(voided);
  return {
    invoiceId,
    ...definedFields({ invoiceDue, lastSettlement }),
    paid,
    paidBy: [...paidBy].map(([paymentId, amount]) => ({ paymentId, amount })),
    returned,
    credited,
    writtenOff,
    voided,
    outstanding,
  };
}
