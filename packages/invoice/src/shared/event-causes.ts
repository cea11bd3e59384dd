import type { DomainEvent } from '@invoicing/core';

/**
 * The event of another record that an event follows from: one operation raises both, each in its own record's
 * outbox, and the relay logs the cause first (docs/events.md, "Ordering").
 */
export interface EventCause {
  /** The record whose event comes first. */
  readonly aggregateType: 'payment' | 'invoice';
  readonly aggregateId: string;
  /** Whether an event of that record is the cause. */
  readonly is: (event: DomainEvent) => boolean;
}

/**
 * The cause of an event, when it has one in another record: an invoice's `invoice.payment_applied` follows its
 * payment's `payment.applied` to that invoice (which follows the payment's `payment.received` in the payment's own
 * order), an invoice's `invoice.credited` follows its credit note's `credit_note.issued`, and a payment's
 * `payment.application_returned` follows the `invoice.credited` of the credit note that took it back. A payment records
 * an invoice once, an invoice a credit note once, so the cause is one event.
 */
export function causeOf(event: DomainEvent): EventCause | undefined {
  const payload = (event.payload ?? {}) as { readonly paymentId?: unknown; readonly creditNoteId?: unknown };
  if (event.type === 'invoice.payment_applied' && typeof payload.paymentId === 'string') {
    const invoiceId = event.aggregateId;
    return {
      aggregateType: 'payment',
      aggregateId: payload.paymentId,
      is: (candidate) => candidate.type === 'payment.applied' && (candidate.payload as { readonly invoiceId?: unknown } | undefined)?.invoiceId === invoiceId,
    };
  }
  if (event.type === 'invoice.credited' && typeof payload.creditNoteId === 'string') {
    return { aggregateType: 'invoice', aggregateId: payload.creditNoteId, is: (candidate) => candidate.type === 'credit_note.issued' };
  }
  const returned = payload as { readonly invoiceId?: unknown; readonly creditNoteId?: unknown };
  if (event.type === 'payment.application_returned' && typeof returned.invoiceId === 'string' && typeof returned.creditNoteId === 'string') {
    const creditNoteId = returned.creditNoteId;
    return {
      aggregateType: 'invoice',
      aggregateId: returned.invoiceId,
      is: (candidate) => candidate.type === 'invoice.credited' && (candidate.payload as { readonly creditNoteId?: unknown } | undefined)?.creditNoteId === creditNoteId,
    };
  }
  return undefined;
}
