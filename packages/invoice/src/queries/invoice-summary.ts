import { daysBetween, definedFields, type CalendarDate, type CurrencyCode, type Money } from '@invoicing/core';
import type { DocumentSeal } from '../invoice/document-seal';
import type { Invoice, DocumentKind } from '../invoice/invoice';
import type { InvoiceStatus } from '../invoice/invoice-lifecycle';
import { RECEIVABLE_STATUSES } from '../invoice/invoice-lifecycle';
import type { ContactId, InvoiceId, PartnerId, PartnershipId } from '../shared/ids';

/** One invoice or credit note as lists and reports show it. */
export interface InvoiceSummary {
  readonly id: InvoiceId;
  readonly kind: DocumentKind;
  readonly status: InvoiceStatus;
  readonly number?: string;
  readonly partnershipId: PartnershipId;
  readonly sellerId: PartnerId;
  readonly buyerId: PartnerId;
  readonly buyerContactId?: ContactId;
  readonly currency: CurrencyCode;
  readonly issueDate?: CalendarDate;
  readonly dueDate?: CalendarDate;
  readonly externalReference?: string;
  readonly purchaseOrderReference?: string;
  /** Total with VAT (BT-112). */
  readonly total: Money;
  /** Paid in advance (BT-113). */
  readonly prepaid: Money;
  /** Rounding amount (BT-114): amount due = total − prepaid + rounding. */
  readonly rounding: Money;
  /** Amount due at issue (BT-115). */
  readonly amountDue: Money;
  /** What payments paid of it, less what credit notes took back from them (the buyer's credit again). */
  readonly paid: Money;
  readonly credited: Money;
  /** What the buyer still owes: amountDue − paid − credited, never below zero; zero but on an issued, partially paid or uncollectible invoice. */
  readonly outstanding: Money;
  readonly possibleDuplicateOf?: InvoiceId;
  /** The document's seal in its series' hash chain, once sealed (ADR 0022). */
  readonly seal?: DocumentSeal;
}

/** The summary of an invoice. */
export function summarize(invoice: Invoice): InvoiceSummary {
  const state = invoice.toState();
  return {
    id: invoice.id,
    kind: invoice.kind,
    status: invoice.status,
    ...definedFields({ number: state.number }),
    partnershipId: state.partnershipId,
    sellerId: state.sellerId,
    buyerId: state.buyerId,
    ...definedFields({ buyerContactId: state.buyerContactId }),
    currency: state.currency,
    ...definedFields({ issueDate: state.issueDate, dueDate: state.dueDate, externalReference: state.externalReference, purchaseOrderReference: state.purchaseOrderReference }),
    total: state.totals.taxInclusive,
    prepaid: state.totals.prepaid,
    rounding: state.totals.rounding,
    amountDue: state.totals.amountDue,
    paid: invoice.paidAmount,
    credited: invoice.creditedAmount,
    outstanding: invoice.outstanding,
    ...definedFields({ possibleDuplicateOf: state.possibleDuplicateOf, seal: state.seal }),
  };
}

/** Whole days an invoice is late on `asOf`: 0 on its due date and before. */
export function daysPastDue(dueDate: CalendarDate, asOf: CalendarDate): number {
  return Math.max(0, daysBetween(dueDate, asOf));
}

/** True while the buyer still owes something on it: an invoice, issued or partially paid, with an amount outstanding. */
export function isOwing(summary: Pick<InvoiceSummary, 'kind' | 'status' | 'outstanding'>): boolean {
  return summary.kind === 'invoice' && RECEIVABLE_STATUSES.includes(summary.status) && summary.outstanding.isPositive();
}

/**
 * True when an invoice owing now was issued by `asOf`: the reports as of a date count no invoice issued after it.
 * (What they count is what is owed now: payments and credits made after `asOf` are not added back.)
 */
export function isOwingAsOf(summary: Pick<InvoiceSummary, 'kind' | 'status' | 'issueDate' | 'outstanding'>, asOf: CalendarDate): boolean {
  return isOwing(summary) && summary.issueDate !== undefined && summary.issueDate <= asOf;
}

/** True when the buyer still owes it, it was issued by `asOf`, and its due date is before `asOf` (derived, never stored). */
export function isPastDue(summary: Pick<InvoiceSummary, 'kind' | 'status' | 'issueDate' | 'dueDate' | 'outstanding'>, asOf: CalendarDate): boolean {
  return isOwingAsOf(summary, asOf) && summary.dueDate !== undefined && summary.dueDate < asOf;
}

/** Aging buckets: not yet due, then by days past due. */
export const AGING_BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** The bucket of an invoice `days` past due. */
export function agingBucket(days: number): AgingBucket {
  if (days <= 0) return 'current';
  if (days <= 30) return 'days1To30';
  if (days <= 60) return 'days31To60';
  if (days <= 90) return 'days61To90';
  return 'over90';
}
