import { ConflictError, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import type { InvoiceId, PaymentId } from '../shared/ids';
import type { LedgerAccount, LedgerTransaction } from './ledger';

/** What an append did: stored the transaction, or found the one its operation stored before (a replay). */
export interface AppendOutcome {
  readonly transaction: LedgerTransaction;
  /** True when the operation was stored before: `transaction` is that first one, and nothing new was written. */
  readonly replayed: boolean;
}

/**
 * Port: the append-only ledger of money movements. Transactions are immutable; the store never updates or deletes one.
 * Two unique keys make every write safe without transactions: (account, seq), so two writers cannot both extend an
 * account from the same head, and (tenant, operation id), so one operation is stored once. Every movement of money
 * is written here first; payments' and invoices' amounts are projections of it (ADR 0006).
 */
export interface Ledger {
  /** The account's latest transaction; undefined while nothing was posted to it. */
  head(account: LedgerAccount): Promise<LedgerTransaction | undefined>;

  /** The account's transaction at `seq`, if stored: one point read. */
  at(account: LedgerAccount, seq: number): Promise<LedgerTransaction | undefined>;

  /**
   * Stores a transaction made by `checkTransaction` at its `seq` (the head it was checked against, plus one). When the
   * tenant already holds a transaction of the same operation in this account, nothing is written and that one is
   * returned, whatever the new one holds: the first outcome of an operation stands.
   * @throws ConflictError `concurrency.conflict` when another operation took that seq: read the head again and retry;
   * ConflictError `ledger.operation_reused` when the operation id was stored for another account
   */
  append(transaction: LedgerTransaction): Promise<AppendOutcome>;

  /** The account's transactions, oldest first (by seq). */
  transactions(account: LedgerAccount, page: PageRequest): Promise<Page<LedgerTransaction>>;

  /** Every transaction with a posting that names the payment, in any account of the tenant, by account and seq. */
  forPayment(tenantId: TenantId, paymentId: PaymentId): Promise<LedgerTransaction[]>;

  /** Every transaction with a posting that names the invoice (not a credit note's own id), by account and seq. */
  forInvoice(tenantId: TenantId, invoiceId: InvoiceId): Promise<LedgerTransaction[]>;

  /** The transaction an operation stored, if any. */
  byOperation(tenantId: TenantId, operationId: string): Promise<LedgerTransaction | undefined>;
}

/** Injection token of {@link Ledger}. */
export const LEDGER = Symbol.for('@invoicing/invoice/Ledger');

/** The error of an operation id already stored for another account (see {@link Ledger.append}). */
export function operationReused(operationId: string): ConflictError {
  return new ConflictError('ledger.operation_reused', `operation ${operationId} was stored for another account`, { operationId });
}
