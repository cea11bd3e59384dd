import { describe, expect, it } from '@jest/globals';
import { InvalidStateError, Money, type PageRequest, type TenantId } from '@invoicing/core';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { aPaymentId } from '../testing/builders';
import { InMemoryLedger } from '../testing/in-memory/in-memory-ledger';
import { aLedgerAccount, anInvoiceId, anOperationId, postingsIn } from '../testing/ledger-builders';
import type { LedgerAccount, LedgerTransaction, PaymentPosition } from './ledger';
import { checkTransaction } from './ledger-invariants';
import type { Ledger } from './ledger.port';
import { postTransaction, type LedgerState } from './post-transaction';

const AT = new Date('2026-02-01T10:00:00Z');

async function receive(ledger: Ledger, account: LedgerAccount, amount: string): Promise<PaymentId> {
  const paymentId = aPaymentId();
  await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'payment', postings: [postingsIn(account).received(paymentId, amount)], at: AT }));
  return paymentId;
}

/** The transaction another process's attempt of `operationId` would append after the account's head, made ready to append. */
async function checkedFirst(ledger: Ledger, account: LedgerAccount, operationId: string, postings: LedgerTransaction['postings']): Promise<LedgerTransaction> {
  const head = await ledger.head(account);
  const read = head ? (await ledger.transactions(account, { limit: 100 })).items : [];
  return checkTransaction(
    { account, head, postings: read.flatMap((transaction) => transaction.postings), elsewhere: { payments: new Set(), invoices: new Set() } },
    { operationId, kind: 'refund', postings, at: AT },
  );
}

/** A ledger where another writer appends `interloper` right after the first head is read (searched, or known and read by seq). */
class InterruptedLedger extends InMemoryLedger {
  private interloper: (() => Promise<unknown>) | undefined;

  interruptOnce(write: () => Promise<unknown>): void {
    this.interloper = write;
  }

  override async head(account: LedgerAccount): Promise<LedgerTransaction | undefined> {
    return this.interrupted(await super.head(account));
  }

  override async at(account: LedgerAccount, seq: number): Promise<LedgerTransaction | undefined> {
    return this.interrupted(await super.at(account, seq));
  }

  private async interrupted(read: LedgerTransaction | undefined): Promise<LedgerTransaction | undefined> {
    const write = this.interloper;
    this.interloper = undefined;
    await write?.();
    return read;
  }
}

/** A ledger whose store can be put back to an earlier state (a restore under a running process), counting its reads. */
class RestorableLedger implements Ledger {
  private store = new InMemoryLedger();
  readonly reads = { head: 0, at: 0 };

  /** Keeps the first `count` transactions of the account. */
  async restore(account: LedgerAccount, count: number): Promise<void> {
    const kept = (await this.store.transactions(account, { limit: 100 })).items.slice(0, count);
    this.store = new InMemoryLedger();
    for (const transaction of kept) await this.store.append(transaction);
  }

  head(account: LedgerAccount) {
    this.reads.head += 1;
    return this.store.head(account);
  }
  at(account: LedgerAccount, seq: number) {
    this.reads.at += 1;
    return this.store.at(account, seq);
  }
  append(transaction: LedgerTransaction) {
    return this.store.append(transaction);
  }
  transactions(account: LedgerAccount, page: PageRequest) {
    return this.store.transactions(account, page);
  }
  forPayment(tenantId: TenantId, paymentId: PaymentId) {
    return this.store.forPayment(tenantId, paymentId);
  }
  forInvoice(tenantId: TenantId, invoiceId: InvoiceId) {
    return this.store.forInvoice(tenantId, invoiceId);
  }
  byOperation(tenantId: TenantId, operationId: string) {
    return this.store.byOperation(tenantId, operationId);
  }
}

describe('postTransaction', () => {
  it('builds from the state as of the head: totals, and the positions of payments and invoices', async () => {
    const ledger = new InMemoryLedger();
    const account = aLedgerAccount();
    const post = postingsIn(account);
    const payment = await receive(ledger, account, '100.00');
    const invoice = anInvoiceId();
    await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'application', postings: [post.applied(payment, invoice, '30.00', '50.00')], at: AT }));
    const second = await receive(ledger, account, '20.00');
    const { transaction } = await postTransaction(ledger, { account, operationId: anOperationId() }, async (state) => {
      expect(state.head?.seq).toBe(3);
      expect(state.totals.unapplied).toEqual(Money.of('90.00', 'EUR'));
      expect((await state.payment(payment)).unapplied).toEqual(Money.of('70.00', 'EUR'));
      expect([await state.hasApplied(payment, invoice), await state.hasApplied(second, invoice)]).toEqual([true, false]);
      const position = await state.invoice(invoice);
      expect(position.outstanding).toEqual(Money.of('20.00', 'EUR'));
      return { kind: 'application', postings: [post.applied(second, invoice, position.outstanding.toString(), '50.00')], at: AT };
    });
    expect(transaction.seq).toBe(4);
    expect(transaction.totalsAfter.applied).toEqual(Money.of('50.00', 'EUR'));
  });

  it('starts over from the new head when another writer took the seq, never seeing a transaction above its head', async () => {
    const ledger = new InterruptedLedger();
    const account = aLedgerAccount();
    const post = postingsIn(account);
    const payment = await receive(ledger, account, '10.00');
    // Another process's writer: straight to the ledger, as postTransaction there would (this one's calls queue).
    const head = await ledger.head(account);
    const other = checkTransaction(
      { account, head, postings: head?.postings ?? [], elsewhere: { payments: new Set(), invoices: new Set() } },
      { operationId: anOperationId(), kind: 'refund', postings: [post.refunded(payment, '4.00')], at: AT },
    );
    ledger.interruptOnce(() => ledger.append(other));
    const seen: PaymentPosition[] = [];
    const { transaction } = await postTransaction(ledger, { account, operationId: anOperationId() }, async (state) => {
      const position = await state.payment(payment);
      seen.push(position);
      return { kind: 'refund', postings: [post.refunded(payment, position.unapplied.toString())], at: AT };
    });
    // The first attempt read the head before the other refund, and its reads stayed at that head.
    expect(seen.map((position) => position.unapplied.toString())).toEqual(['10.00', '6.00']);
    expect(transaction.seq).toBe(3);
    expect(transaction.totalsAfter.unapplied).toEqual(Money.zero('EUR'));
  });

  it('refuses a payment received in another account', async () => {
    const ledger = new InMemoryLedger();
    const account = aLedgerAccount();
    const payment = await receive(ledger, account, '10.00');
    const dollars: LedgerAccount = { ...account, currency: 'USD' };
    await receive(ledger, dollars, '10.00');
    await expect(
      postTransaction(ledger, { account: dollars, operationId: anOperationId() }, () => ({ kind: 'refund', postings: [postingsIn(dollars).refunded(payment, '1.00')], at: AT })),
    ).rejects.toMatchObject({ code: 'ledger.account_mismatch' });
    expect((await ledger.head(dollars))?.seq).toBe(1);
  });

  it('runs the writers of one account through one ledger in call order, each building on the one before', async () => {
    const ledger = new InMemoryLedger();
    const account = aLedgerAccount();
    const post = postingsIn(account);
    const payment = await receive(ledger, account, '10.00');
    let attempts = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        postTransaction(ledger, { account, operationId: anOperationId() }, () => {
          attempts += 1;
          return { kind: 'refund', postings: [post.refunded(payment, '1.00')], at: AT };
        }),
      ),
    );
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.transaction.seq : 'refused'))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 'refused', 'refused']);
    // No retry but one: the first refusal, built on the head this process appended last, is decided again on the head
    // searched (another process could have added credit since); the second starts from the searched head.
    expect(attempts).toBe(13);
  });

  it('answers what attempts of one operation stored first when the caller looked it up beforehand, and reads what it appended on', async () => {
    const ledger = new InMemoryLedger();
    const account = aLedgerAccount();
    const payment = aPaymentId();
    const operationId = anOperationId('payment');
    const build = () => ({ kind: 'payment' as const, postings: [postingsIn(account).received(payment, '15.00')], at: AT });
    // Both looked and found nothing; the second is refused as built (the payment is received already) and answered the first.
    const [first, second] = await Promise.all([
      postTransaction(ledger, { account, operationId }, build, { operationLookedUp: true }),
      postTransaction(ledger, { account, operationId }, build, { operationLookedUp: true }),
    ]);
    expect([first.replayed, second.replayed]).toEqual([false, true]);
    expect(second.transaction).toEqual(first.transaction);
    expect(first.read).toEqual([first.transaction]);
    await expect(postTransaction(ledger, { account, operationId: anOperationId() }, build, { operationLookedUp: true })).rejects.toMatchObject({ code: 'ledger.duplicate_payment' });
  });

  it('answers the operation another attempt stored after the lookup when the build is refused on a head that holds it', async () => {
    // Audit L1: a retried refund found nothing under its operation, then the first attempt's append (another process,
    // delayed) landed before the retry read the head; the retry's build saw no credit left and refused.
    const store = new InMemoryLedger();
    const account = aLedgerAccount();
    const post = postingsIn(account);
    const payment = await receive(store, account, '100.00');
    const operationId = anOperationId('refund');
    const refund = post.refunded(payment, '100.00');
    const build = async (state: LedgerState) => {
      const credit = state.totals.unapplied;
      if (credit.lessThan(refund.amount)) throw new InvalidStateError('test.insufficient_credit', `only ${credit.toString()} of credit`);
      return { kind: 'refund' as const, postings: [refund], at: AT };
    };
    const first = await checkedFirst(store, account, operationId, [refund]);
    // This process's ledger object: the first attempt is appended right after its lookup found nothing.
    const retrying = Object.create(store) as InMemoryLedger;
    let appended = false;
    retrying.byOperation = async (tenantId, id) => {
      const found = await store.byOperation(tenantId, id);
      if (!appended) await store.append(first);
      appended = true;
      return found;
    };

    const outcome = await postTransaction(retrying, { account, operationId }, build);

    expect(outcome).toEqual({ transaction: first, replayed: true });
    expect((await store.head(account))?.seq).toBe(2);
    // A refusal of an operation nothing stored stays a refusal.
    await expect(postTransaction(store, { account, operationId: anOperationId('refund') }, build)).rejects.toMatchObject({ code: 'test.insufficient_credit' });
  });

  it('lets the build refuse: nothing is written', async () => {
    const ledger = new InMemoryLedger();
    const account = aLedgerAccount();
    await expect(
      postTransaction(ledger, { account, operationId: anOperationId() }, () => {
        throw new Error('no receivable');
      }),
    ).rejects.toThrow('no receivable');
    expect(await ledger.head(account)).toBeUndefined();
  });
  it('starts an account\'s next append from the head it appended, read by seq, and searches again when that head is gone', async () => {
    const ledger = new RestorableLedger();
    const account = aLedgerAccount();
    await receive(ledger, account, '10.00');
    await receive(ledger, account, '20.00');
    await receive(ledger, account, '30.00');
    // The first append searched for the head; each later one read the head it knew.
    expect(ledger.reads).toEqual({ head: 1, at: 2 });
    // The database put back to its first transaction: the head known (seq 3) is gone, so no seq 4 after a gap.
    await ledger.restore(account, 1);
    await receive(ledger, account, '40.00');
    expect(ledger.reads).toEqual({ head: 2, at: 3 });
    const stored = (await ledger.transactions(account, { limit: 10 })).items;
    expect(stored.map((transaction) => transaction.seq)).toEqual([1, 2]);
    expect(stored[1]?.totalsAfter.received).toEqual(Money.of('50.00', 'EUR'));
  });
});
