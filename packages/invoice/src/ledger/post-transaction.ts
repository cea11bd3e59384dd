import { DomainError } from '@invoicing/core';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { retryOnConflict } from '../shared/use-case-support';
import {
  accountKey,
  inAccount,
  invoicePosition,
  paymentPosition,
  zeroTotals,
  type InvoicePosition,
  type LedgerAccount,
  type LedgerTotals,
  type LedgerTransaction,
  type LedgerTransactionDraft,
  type PaymentPosition,
} from './ledger';
import { checkTransaction, referencesOf } from './ledger-invariants';
import { operationReused, type AppendOutcome, type Ledger } from './ledger.port';

/** What a transaction is built from: the account as of its head, with the positions of its payments and invoices. */
export interface LedgerState {
  readonly account: LedgerAccount;
  /** The head the transaction will follow; undefined while the account is empty. */
  readonly head: LedgerTransaction | undefined;
  readonly totals: LedgerTotals;
  /** Where a payment stands as of the head (zero amounts when it was never received here). */
  payment(paymentId: PaymentId): Promise<PaymentPosition>;
  /** Where an invoice stands as of the head (zero amounts while no posting names it). */
  invoice(invoiceId: InvoiceId): Promise<InvoicePosition>;
  /** Whether the payment was applied to the invoice as of the head: a payment settles an invoice in one application. */
  hasApplied(paymentId: PaymentId, invoiceId: InvoiceId): Promise<boolean>;
}

/** A draft without its operation id, which {@link postTransaction} takes up front. */
export type TransactionBuild = Omit<LedgerTransactionDraft, 'operationId'>;

/**
 * What {@link postTransaction} did. An append also gives what it read to check it: every transaction at or below the
 * head that names a payment or invoice of the new one, and the new one. For those payments and invoices that is their
 * whole ledger as of the append, so their documents can be projected without reading it again.
 */
export interface PostOutcome extends AppendOutcome {
  readonly read?: readonly LedgerTransaction[];
}

/** How to post. */
export interface PostOptions {
  /**
   * The caller looked the operation up just before (to decide what to build) and found nothing: it is not looked up
   * again before the build. An attempt that stores it in between still cannot store it twice: the append then breaks
   * its unique key and answers the stored one, and a refusal is looked up again (as for every caller).
   */
  readonly operationLookedUp?: boolean;
}

/**
 * Reads of one attempt, all as of one head: transactions above it are ignored (were any appended, the append at
 * head + 1 fails and the attempt starts over), and transactions of other accounts are only noted.
 */
class SnapshotReader {
  private readonly transactions = new Map<number, LedgerTransaction>();
  private readonly loadedPayments = new Map<PaymentId, Promise<void>>();
  private readonly loadedInvoices = new Map<InvoiceId, Promise<void>>();
  readonly elsewhere = { payments: new Set<PaymentId>(), invoices: new Set<InvoiceId>() };

  constructor(
    private readonly ledger: Ledger,
    readonly account: LedgerAccount,
    readonly head: LedgerTransaction | undefined,
  ) {}

  async payment(paymentId: PaymentId): Promise<PaymentPosition> {
    await this.load(this.loadedPayments, paymentId, () => this.ledger.forPayment(this.account.tenantId, paymentId), this.elsewhere.payments);
    return paymentPosition(paymentId, this.account.currency, this.postings());
  }

  async invoice(invoiceId: InvoiceId): Promise<InvoicePosition> {
    await this.load(this.loadedInvoices, invoiceId, () => this.ledger.forInvoice(this.account.tenantId, invoiceId), this.elsewhere.invoices);
    return invoicePosition(invoiceId, this.account.currency, this.postings());
  }

  async hasApplied(paymentId: PaymentId, invoiceId: InvoiceId): Promise<boolean> {
    await this.payment(paymentId);
    return this.postings().some((posting) => posting.type === 'applied' && posting.paymentId === paymentId && posting.invoiceId === invoiceId);
  }

  /** The postings read so far, each transaction once (one may name a payment and an invoice both). */
  postings(): LedgerTransaction['postings'] {
    return this.read().flatMap((transaction) => transaction.postings);
  }

  /** The transactions read so far, by seq. */
  read(): LedgerTransaction[] {
    return [...this.transactions.values()].sort((left, right) => left.seq - right.seq);
  }

  private load<Id>(loaded: Map<Id, Promise<void>>, id: Id, read: () => Promise<LedgerTransaction[]>, elsewhere: Set<Id>): Promise<void> {
    let loading = loaded.get(id);
    if (!loading) {
      loading = read().then((found) => {
        for (const transaction of found) {
          if (!inAccount(transaction, this.account)) elsewhere.add(id);
          else if (transaction.seq <= (this.head?.seq ?? 0)) this.transactions.set(transaction.seq, transaction);
        }
      });
      loaded.set(id, loading);
    }
    return loading;
  }
}

/**
 * Writers of one account through one ledger instance run one after the other, in call order: in one process they would
 * only make each other read again and retry (measured on FerretDB: 50 refunds of one account took 21 s through 50
 * ledger objects, 2.4 s through one; ADR 0006). Writers of other processes are still kept apart by the ledger's unique keys alone.
 */
const queues = new WeakMap<Ledger, Map<string, Promise<unknown>>>();

/**
 * The head each account had after the last append this process made to it through a ledger object: where its next
 * append starts, once a point read finds it still stored (a restored database may have lost it). One read instead of
 * the head's search (a hint and up to nine reads). Another process may have appended since: an append built on the
 * known head then finds seq head + 1 taken and starts over from the head searched anew, and an attempt that appends
 * nothing (`build` refuses, or finds nothing to move) is decided again on the searched head before it answers. At most
 * {@link KNOWN_HEADS} accounts per ledger object are kept, the least recently appended to dropped first.
 */
const knownHeads = new WeakMap<Ledger, Map<string, LedgerTransaction>>();
const KNOWN_HEADS = 10_000;

function knownHeadsOf(ledger: Ledger): Map<string, LedgerTransaction> {
  let heads = knownHeads.get(ledger);
  if (!heads) {
    heads = new Map();
    knownHeads.set(ledger, heads);
  }
  return heads;
}

function rememberHead(ledger: Ledger, transaction: LedgerTransaction): void {
  const heads = knownHeadsOf(ledger);
  const key = accountKey(transaction);
  heads.delete(key);
  heads.set(key, transaction);
  if (heads.size > KNOWN_HEADS) heads.delete(heads.keys().next().value as string);
}

/**
 * The account's head: the one this process appended last, if still stored (`known`: perhaps no longer the head), else
 * searched for.
 */
async function headOf(ledger: Ledger, account: LedgerAccount, trustKnown: boolean): Promise<{ readonly head: LedgerTransaction | undefined; readonly known: boolean }> {
  const heads = knownHeadsOf(ledger);
  const key = accountKey(account);
  const known = heads.get(key);
  heads.delete(key);
  if (trustKnown && known) {
    const stored = await ledger.at(account, known.seq);
    if (stored) return { head: stored, known: true };
  }
  return { head: await ledger.head(account), known: false };
}

async function queued<T>(ledger: Ledger, account: LedgerAccount, task: () => Promise<T>): Promise<T> {
  let tails = queues.get(ledger);
  if (!tails) {
    tails = new Map();
    queues.set(ledger, tails);
  }
  const key = accountKey(account);
  const current = (tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
  tails.set(key, current);
  try {
    return await current;
  } finally {
    if (tails.get(key) === current) tails.delete(key);
  }
}

/**
 * Appends one transaction to an account, safely under any concurrency and any retry:
 * 1. an operation already stored is returned as it was (a replay), before anything is built;
 * 2. the head is read and `build` turns the state as of it into postings;
 * 3. the invariants are checked against that same state (`checkTransaction`); a violation writes nothing;
 * 4. the transaction is appended at head + 1; if another writer took that seq, it starts over from 2 (bounded, with
 *    jittered backoff, like every read-modify-write of the domain);
 * 5. a refusal (a DomainError from 2–4) is answered with the operation if another attempt of it stored it after step 1:
 *    the head then holds it, so building it again is refused (no credit left, an invoice already void …).
 * Calls for one account through one `ledger` object queue in this process; `build` must therefore not post to the
 * same account through the same ledger.
 * @throws LedgerViolationError; ConflictError `ledger.operation_reused` | `concurrency.conflict` (after the last retry); whatever `build` throws
 */
export async function postTransaction(
  ledger: Ledger,
  target: { readonly account: LedgerAccount; readonly operationId: string },
  build: (state: LedgerState) => TransactionBuild | Promise<TransactionBuild>,
  options: PostOptions = {},
): Promise<PostOutcome> {
  return queued(ledger, target.account, async () => (await post(ledger, target, build, options)) as PostOutcome);
}

/**
 * {@link postTransaction} for an operation that may find nothing to move (a payment's credit applied to invoices that
 * turn out settled): when `build` answers undefined, nothing is appended and the answer is undefined.
 */
export async function postTransactionIfAny(
  ledger: Ledger,
  target: { readonly account: LedgerAccount; readonly operationId: string },
  build: (state: LedgerState) => TransactionBuild | undefined | Promise<TransactionBuild | undefined>,
  options: PostOptions = {},
): Promise<PostOutcome | undefined> {
  return queued(ledger, target.account, () => post(ledger, target, build, options));
}

async function post(
  ledger: Ledger,
  target: { readonly account: LedgerAccount; readonly operationId: string },
  build: (state: LedgerState) => TransactionBuild | undefined | Promise<TransactionBuild | undefined>,
  options: PostOptions,
): Promise<PostOutcome | undefined> {
  const { account, operationId } = target;
  const replay = async (): Promise<PostOutcome | undefined> => {
    const stored = await ledger.byOperation(account.tenantId, operationId);
    if (stored && !inAccount(stored, account)) throw operationReused(operationId);
    return stored && { transaction: stored, replayed: true };
  };
  if (!options.operationLookedUp) {
    const stored = await replay();
    if (stored) return stored;
  }
  try {
    return await append(ledger, target, build);
  } catch (error) {
    // Refused as built on a head that already holds this very operation (another attempt of it, here or in another
    // process, appended it after the lookup): that one is the answer, never a refusal of what is stored.
    if (!(error instanceof DomainError)) throw error;
    const stored = await replay();
    if (stored) return stored;
    throw error;
  }
}

async function append(
  ledger: Ledger,
  target: { readonly account: LedgerAccount; readonly operationId: string },
  build: (state: LedgerState) => TransactionBuild | undefined | Promise<TransactionBuild | undefined>,
): Promise<PostOutcome | undefined> {
  const { account, operationId } = target;
  // Only the first attempt starts from the head this process knows: a conflict means someone else appended since.
  let trustKnown = true;
  return retryOnConflict(async () => {
    for (;;) {
      const { head, known } = await headOf(ledger, account, trustKnown);
      trustKnown = false;
      const reader = new SnapshotReader(ledger, account, head);
      let transaction: LedgerTransaction;
      try {
        const built = await build({
          account,
          head,
          totals: head?.totalsAfter ?? zeroTotals(account.currency),
          payment: (paymentId) => reader.payment(paymentId),
          invoice: (invoiceId) => reader.invoice(invoiceId),
          hasApplied: (paymentId, invoiceId) => reader.hasApplied(paymentId, invoiceId),
        });
        // Nothing to move as of a head another process may have passed (a payment it received, an invoice it
        // posted): decided again on the searched head.
        if (built === undefined) {
          if (known) continue;
          return undefined;
        }
        const draft: LedgerTransactionDraft = { ...built, operationId };
        const references = referencesOf(draft.postings);
        await Promise.all([...references.payments.map((id) => reader.payment(id)), ...references.invoices.map((id) => reader.invoice(id))]);
        transaction = checkTransaction({ account, head, postings: reader.postings(), elsewhere: reader.elsewhere }, draft);
      } catch (error) {
        // Refused as of that head (not enough credit, a payment it does not hold yet): likewise decided again.
        if (known && error instanceof DomainError) continue;
        throw error;
      }
      const outcome = await ledger.append(transaction);
      if (!outcome.replayed) rememberHead(ledger, outcome.transaction);
      return outcome.replayed ? outcome : { ...outcome, read: [...reader.read(), outcome.transaction] };
    }
  });
}
