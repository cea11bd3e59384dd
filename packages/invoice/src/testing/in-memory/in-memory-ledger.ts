import { ConflictError, pageOf, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import { accountKey, inAccount, type LedgerAccount, type LedgerTransaction } from '../../ledger/ledger';
import { operationReused, type AppendOutcome, type Ledger } from '../../ledger/ledger.port';
import type { InvoiceId, PaymentId } from '../../shared/ids';

/**
 * The ledger in memory: each account's transactions in seq order, and an index of operations per tenant. An append
 * checks both keys and stores in one synchronous step, which is what the database's unique indexes do in one insert.
 */
export class InMemoryLedger implements Ledger {
  private readonly accounts = new Map<string, LedgerTransaction[]>();
  private readonly operations = new Map<string, LedgerTransaction>();

  async head(account: LedgerAccount): Promise<LedgerTransaction | undefined> {
    return withoutContent(this.accounts.get(accountKey(account))?.at(-1));
  }

  async at(account: LedgerAccount, seq: number): Promise<LedgerTransaction | undefined> {
    return withoutContent(this.accounts.get(accountKey(account))?.find((transaction) => transaction.seq === seq));
  }

  async append(transaction: LedgerTransaction): Promise<AppendOutcome> {
    const stored = this.operations.get(operationKey(transaction.tenantId, transaction.operationId));
    if (stored) {
      if (!inAccount(stored, transaction)) throw operationReused(transaction.operationId);
      return { transaction: stored, replayed: true };
    }
    const entries = this.accounts.get(accountKey(transaction)) ?? [];
    if (entries.length >= transaction.seq) {
      throw new ConflictError('concurrency.conflict', `seq ${transaction.seq} of ${accountKey(transaction)} is taken`, { seq: transaction.seq });
    }
    this.accounts.set(accountKey(transaction), [...entries, transaction]);
    this.operations.set(operationKey(transaction.tenantId, transaction.operationId), transaction);
    return { transaction, replayed: false };
  }

  async transactions(account: LedgerAccount, page: PageRequest): Promise<Page<LedgerTransaction>> {
    return pageOf((this.accounts.get(accountKey(account)) ?? []).map(withoutContent) as LedgerTransaction[], page, (transaction) => [transaction.seq], (left, right) => Number(left[0]) - Number(right[0]));
  }

  async forPayment(tenantId: TenantId, paymentId: PaymentId): Promise<LedgerTransaction[]> {
    return this.naming(tenantId, (posting) => 'paymentId' in posting && posting.paymentId === paymentId);
  }

  async forInvoice(tenantId: TenantId, invoiceId: InvoiceId): Promise<LedgerTransaction[]> {
    return this.naming(tenantId, (posting) => 'invoiceId' in posting && posting.invoiceId === invoiceId);
  }

  async byOperation(tenantId: TenantId, operationId: string): Promise<LedgerTransaction | undefined> {
    return this.operations.get(operationKey(tenantId, operationId));
  }

  private naming(tenantId: TenantId, names: (posting: LedgerTransaction['postings'][number]) => boolean): LedgerTransaction[] {
    return [...this.accounts.entries()]
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .flatMap(([, entries]) => entries)
      .filter((transaction) => transaction.tenantId === tenantId && transaction.postings.some(names))
      .map((transaction) => withoutContent(transaction) as LedgerTransaction);
  }
}

/** A transaction as the reads other than `byOperation` answer it: without the credit note's content, as the database's. */
function withoutContent(transaction: LedgerTransaction | undefined): LedgerTransaction | undefined {
  if (transaction?.creditNote === undefined) return transaction;
  const { creditNote: _content, ...rest } = transaction;
  return rest;
}

function operationKey(tenantId: TenantId, operationId: string): string {
  return `${tenantId}\u0000${operationId}`;
}
