import type { CalendarDate, CurrencyCode, Money, TenantId } from '@invoicing/core';
import type { InvoiceId, PartnerId } from '../shared/ids';
import type { AggregateRepository } from '../shared/repository.port';
import type { Invoice, InvoiceState } from './invoice';

/** The days around an issue date within which an invoice with the same buyer, currency and total is flagged. */
export const DUPLICATE_WINDOW_DAYS = 3;

/** What makes two invoices look like the same one sent twice. */
export interface DuplicateProbe {
  readonly buyerId: PartnerId;
  readonly currency: CurrencyCode;
  /** Compared with each candidate's total with VAT (BT-112). */
  readonly total: Money;
  /** Candidates whose issue date (planned or actual) is in this range, both ends included. */
  readonly from: CalendarDate;
  readonly to: CalendarDate;
}

/** The issue date an invoice is compared on for duplicates: the actual or planned one, else the day it was created (UTC). */
export function duplicateReferenceDate(state: Pick<InvoiceState, 'issueDate' | 'createdAt'>): CalendarDate {
  return state.issueDate ?? (state.createdAt.toISOString().slice(0, 10) as CalendarDate);
}

/**
 * Port: stores invoices and credit notes. `save` refuses, with ConflictError:
 * `invoice.duplicate_external_reference` for a second document with the same seller, buyer and external reference;
 * `invoice.duplicate_number` for a second document with the same number.
 */
export interface InvoiceRepository extends AggregateRepository<Invoice, InvoiceId> {
  /**
   * The tenant's documents recorded from another system's history (`Invoice.recordIssued`) holding these numbers, in
   * no particular order; a number no such document holds is left out (documents made here are never returned).
   */
  findImported(tenantId: TenantId, numbers: readonly string[]): Promise<Invoice[]>;
  findByExternalReference(tenantId: TenantId, sellerId: PartnerId, buyerId: PartnerId, externalReference: string): Promise<Invoice | undefined>;
  /**
   * Runs `task` as the only one, in every process, working with this external reference of the tenant. A credit note
   * checks its reference, credits the invoice, then stores itself, and only the last step meets the unique key: a draft
   * taking the reference in between would leave the credit in the ledger and no credit note. Both therefore check and
   * store under this.
   * @throws ConflictError `concurrency.conflict` when another holds it for longer than a write waits
   */
  holdingReference<T>(tenantId: TenantId, externalReference: string, task: () => Promise<T>): Promise<T>;
  /** The oldest (by id) non-void invoice matching the probe, if any. */
  findPossibleDuplicate(tenantId: TenantId, probe: DuplicateProbe): Promise<InvoiceId | undefined>;
  /**
   * Invoices the buyer still owes in a currency (status issued or partially paid, outstanding above zero),
   * oldest first: by due date, then issue date, then id. Default target of a payment.
   */
  findReceivables(tenantId: TenantId, buyerId: PartnerId, currency: CurrencyCode): Promise<Invoice[]>;
}
/** Injection token of {@link InvoiceRepository}. */
export const INVOICE_REPOSITORY = Symbol.for('@invoicing/invoice/InvoiceRepository');
