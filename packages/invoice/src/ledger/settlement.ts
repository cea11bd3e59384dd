import { InvalidStateError, Money } from '@invoicing/core';
import type { Invoice } from '../invoice/invoice';
import type { PaymentId } from '../shared/ids';
import type { AppliedPosting, ApplicationReturnedPosting, CreditedPosting, InvoicePosition, Posting } from './ledger';
import type { LedgerState } from './post-transaction';

/** Where an invoice stands as of a ledger state, in the terms the use cases decide by. */
export interface InvoiceStanding {
  /** Fixed at issue: carried on every posting that names the invoice. */
  readonly due: Money;
  /** What the buyer still owes: due − paid − credited − voided. A write-off is still owed: paying or crediting reverses it. */
  readonly owed: Money;
  /** Net of reversals. */
  readonly writtenOff: Money;
  /** Net of what credit notes took back. */
  readonly paid: Money;
  /** What each payment paid of it, net, in the order they were first applied. */
  readonly paidBy: readonly { readonly paymentId: PaymentId; readonly amount: Money }[];
  readonly credited: Money;
  /** What a credit note may still credit: what is owed, and what was paid, which it gives back as the buyer's credit. */
  readonly creditable: Money;
  readonly voided: boolean;
  /** What came last of the payments and credits: what settled it, once it owes nothing. */
  readonly lastSettlement?: 'applied' | 'credited';
}

/**
 * Why an invoice that owes nothing takes nothing more, in the code its document's lifecycle gives once projected: a
 * payment that settled it last leaves it `paid`, a credit `credited`, a void `void` (a race the document did not show yet).
 */
export function settledError(standing: InvoiceStanding, invoiceId: string): InvalidStateError {
  if (standing.voided) return voidedError(invoiceId);
  const code = standing.lastSettlement === 'credited' ? 'invoice.fully_credited' : 'invoice.already_paid';
  return new InvalidStateError(code, `invoice ${invoiceId} owes nothing`, { invoiceId });
}

/** The invoice is void as of the ledger: nothing pays, credits, writes off or voids it any more. */
export function voidedError(invoiceId: string): InvalidStateError {
  return new InvalidStateError('invoice.voided', `invoice ${invoiceId} is void`, { invoiceId });
}

/** The invoice's standing as of the state's head; its amount due comes from the invoice until a posting carries it. */
export async function invoiceStanding(state: LedgerState, invoice: Invoice): Promise<InvoiceStanding> {
  const position = await state.invoice(invoice.id);
  // The document holds money the ledger does not: paid or credited before the ledger existed, and not (all) carried
  // into it yet (a backfill may be under way). Deciding from the ledger alone would count that money as still owed.
  // Documents are projected from the ledger, so otherwise they never hold more than it. Payments are compared as
  // applied, before what credit notes took back: a document may not show a return yet, never an application the ledger lacks.
  const applied = Money.sum(invoice.currency, invoice.payments.map((payment) => payment.amount));
  if (applied.greaterThan(position.paid.add(position.returned)) || invoice.creditedAmount.greaterThan(position.credited)) {
    throw new InvalidStateError('ledger.backfill_required', `invoice ${invoice.id} was paid or credited before the ledger recorded money: run npm run db:ledger-backfill to carry its movements into the ledger first`, {
      invoiceId: invoice.id,
    });
  }
  return standingOf(position, position.invoiceDue ?? invoice.totals.amountDue);
}

/** The standing of an invoice of amount due `due` at a ledger position: what the use cases decide by. */
export function standingOf(position: InvoicePosition, due: Money): InvoiceStanding {
  return {
    due,
    owed: due.subtract(position.paid).subtract(position.credited).subtract(position.voided),
    writtenOff: position.writtenOff,
    paid: position.paid,
    paidBy: position.paidBy,
    credited: position.credited,
    creditable: due.subtract(position.credited).subtract(position.voided),
    voided: position.voided.isPositive(),
    ...(position.lastSettlement === undefined ? {} : { lastSettlement: position.lastSettlement }),
  };
}

/**
 * The postings that pay part of an invoice: the payment, preceded by a reversal of as much of a write-off as it needs
 * room for (paid + credited + written off never exceed the amount due).
 */
export function settlementPostings(standing: InvoiceStanding, settling: AppliedPosting): Posting[] {
  const room = standing.owed.subtract(standing.writtenOff);
  const reversal = settling.amount.subtract(room).min(standing.writtenOff);
  return reversal.isPositive() ? [{ type: 'write_off_reversed', amount: reversal, invoiceId: settling.invoiceId, invoiceDue: standing.due }, settling] : [settling];
}

/**
 * The postings of a credit note: its credit, preceded by what makes room for it. The credit takes what the invoice still
 * owes first (reversing as much of a write-off as that needs); the rest it takes back from the payments that paid the
 * invoice, the last applied first, as their unapplied credit again (the buyer's, to refund or apply elsewhere). The
 * caller has checked that the credit is within {@link InvoiceStanding.creditable}.
 */
export function creditPostings(standing: InvoiceStanding, credited: CreditedPosting): Posting[] {
  const againstOwed = credited.amount.min(standing.owed);
  const writeOffReversal = againstOwed.subtract(standing.owed.subtract(standing.writtenOff)).min(standing.writtenOff);
  const postings: Posting[] = writeOffReversal.isPositive() ? [{ type: 'write_off_reversed', amount: writeOffReversal, invoiceId: credited.invoiceId, invoiceDue: standing.due }] : [];
  let toTakeBack = credited.amount.subtract(againstOwed);
  for (const part of [...standing.paidBy].reverse()) {
    if (!toTakeBack.isPositive()) break;
    const taken = part.amount.min(toTakeBack);
    if (!taken.isPositive()) continue;
    const reversal: ApplicationReturnedPosting = {
      type: 'application_returned',
      amount: taken,
      paymentId: part.paymentId,
      invoiceId: credited.invoiceId,
      invoiceDue: standing.due,
      creditNoteId: credited.creditNoteId,
      returnedOn: credited.creditedOn,
    };
    postings.push(reversal);
    toTakeBack = toTakeBack.subtract(taken);
  }
  return [...postings, credited];
}
