import { ConflictError, ValidationError, decodeCursor, encodeCursor, pageLimit, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import {
  accountKey,
  inAccount,
  operationReused,
  type AppendOutcome,
  type InvoiceId,
  type Ledger,
  type LedgerAccount,
  type LedgerTransaction,
  type PaymentId,
} from '@invoicing/invoice';
import type { Model } from 'mongoose';
import {
  ledgerTransactionId,
  ledgerTransactionToDomain,
  ledgerTransactionToPersistence,
  type LedgerTransactionDocument,
} from './mappers/ledger-transaction.mapper';
import { STORED_FORMAT, storedFormatOf } from './mappers/stored-format';
import { guarded, isDuplicateKey } from './mongo-errors';
import { op } from './query-support';

/** The two collections of the ledger (`ledger.schema.ts`). */
export interface LedgerModels {
  readonly ledger_transactions: Model<Record<string, unknown>>;
  readonly ledger_heads: Model<Record<string, unknown>>;
}

/**
 * The hint is raised at the first seq and every this many after: a search reads at most this many seqs past it, and
 * the process that appends knows its head anyway (`postTransaction`), so raising it on every append would cost each
 * payment a write for the rare search.
 */
const HINT_EVERY = 8;

/**
 * The reads that build and project transactions leave a credit note's content out (ADR 0024): it can be as large as the
 * credit note, and only `byOperation`, which makes the document again, needs it.
 */
const WITHOUT_CONTENT = { creditNote: 0 } as const;

/**
 * The ledger on MongoDB (or FerretDB 1.x): every append is one insert against two unique keys, the account's seq
 * (`_id`) and the tenant's operation id. An insert against a unique index is atomic on every server, so the database
 * decides every race; no document is ever updated, so FerretDB's non-isolated updates never touch money. The head is
 * found from a hint (`ledger_heads`) by reading seq after seq by `_id` until one is missing: point reads, where a sort
 * by seq would be done in FerretDB over the whole account.
 */
export class MongoLedger implements Ledger {
  constructor(private readonly models: LedgerModels) {}

  async head(account: LedgerAccount): Promise<LedgerTransaction | undefined> {
    const hint = await guarded(() => this.models.ledger_heads.findOne({ _id: accountKey(account) }, { _v: 1, seq: 1 }).lean<{ _v?: number; seq: number }>().exec());
    if (hint) storedFormatOf(hint, `ledger_heads ${accountKey(account)}`);
    let head: LedgerTransaction | undefined;
    // The hint's seq exists (it is only ever raised to a stored seq); the ones after it may too.
    for (let seq = hint?.seq ?? 1; ; seq += 1) {
      const found = await this.read(ledgerTransactionId(account, seq));
      if (!found) break;
      head = found;
    }
    // A hint above every stored seq: a restore that copied the hints after the transactions. The account is searched
    // from its first seq, and the hint lowered to what is stored, else every search would start past the head.
    if (hint && !head) {
      head = await this.search(account);
      const stale = { _id: accountKey(account) as never, seq: hint.seq };
      const heads = this.models.ledger_heads.collection;
      const found = head;
      await guarded<unknown>(() => (found ? heads.updateOne(stale, { $set: { seq: found.seq } }) : heads.deleteOne(stale))).catch(() => undefined);
    }
    return head;
  }

  /** The last of seqs 1, 2, 3 … stored (they have no gaps), in a number of point reads that grows with its logarithm. */
  private async search(account: LedgerAccount): Promise<LedgerTransaction | undefined> {
    let stored: LedgerTransaction | undefined;
    let low = 0;
    let high: number | undefined;
    while (high === undefined || high - low > 1) {
      const seq = high === undefined ? Math.max(1, low * 2) : Math.floor((low + high) / 2);
      const found = await this.read(ledgerTransactionId(account, seq));
      if (found) {
        stored = found;
        low = seq;
      } else high = seq;
    }
    return stored;
  }

  at(account: LedgerAccount, seq: number): Promise<LedgerTransaction | undefined> {
    return this.read(ledgerTransactionId(account, seq));
  }

  async append(transaction: LedgerTransaction): Promise<AppendOutcome> {
    try {
      await guarded(() => this.models.ledger_transactions.collection.insertOne(ledgerTransactionToPersistence(transaction) as unknown as Record<string, unknown>));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Which key was taken? The operation's, when it is stored; otherwise the seq.
      const stored = await this.byOperation(transaction.tenantId, transaction.operationId);
      if (stored && !inAccount(stored, transaction)) throw operationReused(transaction.operationId);
      if (stored) return { transaction: stored, replayed: true };
      throw new ConflictError('concurrency.conflict', `seq ${transaction.seq} of ${accountKey(transaction)} is taken`, { seq: transaction.seq });
    }
    if (transaction.seq === 1 || transaction.seq % HINT_EVERY === 0) await this.raiseHint(transaction);
    return { transaction, replayed: false };
  }

  async transactions(account: LedgerAccount, page: PageRequest): Promise<Page<LedgerTransaction>> {
    const limit = pageLimit(page.limit);
    const after = page.cursor ? decodeCursor(page.cursor, 1)[0] : 0;
    if (typeof after !== 'number' || !Number.isSafeInteger(after)) throw ValidationError.of('cursor', 'pagination.invalid_cursor', 'the cursor is not one this list returned');
    const found = await this.find({ tenantId: account.tenantId, partnerId: account.partnerId, currency: account.currency, seq: op({ $gt: after }) }, { seq: 1 }, limit + 1);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: found.length > limit && last ? encodeCursor([last.seq]) : null };
  }

  forPayment(tenantId: TenantId, paymentId: PaymentId): Promise<LedgerTransaction[]> {
    return this.find({ tenantId, paymentIds: paymentId }, { _id: 1 });
  }

  forInvoice(tenantId: TenantId, invoiceId: InvoiceId): Promise<LedgerTransaction[]> {
    return this.find({ tenantId, invoiceIds: invoiceId }, { _id: 1 });
  }

  async byOperation(tenantId: TenantId, operationId: string): Promise<LedgerTransaction | undefined> {
    const [found] = await this.find({ tenantId, operationId }, { _id: 1 }, 1, true);
    return found;
  }

  private async read(id: string): Promise<LedgerTransaction | undefined> {
    const document = await guarded(() => this.models.ledger_transactions.findOne({ _id: id }, WITHOUT_CONTENT).lean<LedgerTransactionDocument>().exec());
    return document ? ledgerTransactionToDomain(document) : undefined;
  }

  private async find(filter: Record<string, unknown>, sort: Record<string, 1>, limit?: number, withContent = false): Promise<LedgerTransaction[]> {
    let query = this.models.ledger_transactions.find(filter, withContent ? undefined : WITHOUT_CONTENT).sort(sort);
    if (limit !== undefined) query = query.limit(limit);
    const documents = await guarded(() => query.lean<LedgerTransactionDocument[]>().exec());
    return documents.map(ledgerTransactionToDomain);
  }

  /**
   * Only a hint: a lost raise (FerretDB's `$max` is not isolated, two first appends upsert at once, the server fails
   * after the append) leaves a lower seq that exists, so heads stay right. It never fails the append it follows, which
   * is stored: answering an error would have the caller record the money again.
   */
  private async raiseHint(transaction: LedgerTransaction): Promise<void> {
    await guarded(() =>
      this.models.ledger_heads.collection.updateOne(
        { _id: accountKey(transaction) as never },
        { $max: { seq: transaction.seq }, $setOnInsert: { _v: STORED_FORMAT, tenantId: transaction.tenantId } },
        { upsert: true },
      ),
    ).catch(() => undefined);
  }
}
