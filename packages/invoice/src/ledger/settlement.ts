import { InvalidStateError, type Money } from '@invoicing/core';
import type { Invoice } from '../invoice/invoice';
import type { AppliedPosting, CreditedPosting, Posting } from './ledger';
import type { LedgerState } from './post-transaction';

/** Where an invoice stands as of a ledger state, in the terms the use cases decide by. */
export interface InvoiceStanding {
  /** Fixed at issue: carried on every posting that names the invoice. */
  readonly due: Money;
  /** What the buyer still owes: due − paid − credited − voided. A write-off is still owed: paying or crediting reverses it. */
  readonly owed: Money;
  /** Net of reversals. */
  readonly writtenOff: Money;
  readonly paid: Money;
  readonly credited: Money;
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
  // Documents are projected from the ledger, so otherwise they never hold more than it.
  if (invoice.paidAmount.greaterThan(position.paid) || invoice.creditedAmount.greaterThan(position.credited)) {
    throw new InvalidStateError('ledger.backfill_required', `invoice ${invoice.id} was paid or credited before the ledger recorded money: run npm run db:ledger-backfill to carry its movements into the ledger first`, {
      invoiceId: invoice.id,
    });
  }
  const due = position.invoiceDue ?? invoice.totals.amountDue;
  return {
    due,
    owed: due.subtract(position.paid).subtract(position.credited).subtract(position.voided),
    writtenOff: position.writtenOff,
    paid: position.paid,
    credited: position.credited,
    voided: position.voided.isPositive(),
    ...(position.lastSettlement === undefined ? {} : { lastSettlement: position.lastSettlement }),
  };
}

/**
 * The postings that settle part of an invoice: the payment or credit, preceded by a reversal of as much of a write-off
 * as it needs room for (paid + credited + written off never exceed the amount due).
 */
export function settlementPostings(standing: InvoiceStanding, settling: AppliedPosting | CreditedPosting): Posting[] {
  const room = standing.owed.subtract(standing.writtenOff);
  const reversal = settling.amount.subtract(room).min(standing.writtenOff);
  return reversal.isPositive() ? [{ type: 'write_off_reversed', amount: reversal, invoiceId: settling.invoiceId, invoiceDue: standing.due }, settling] : [settling];
}
