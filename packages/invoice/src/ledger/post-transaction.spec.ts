import { describe, expect, it } from '@jest/globals';
import { Money } from '@invoicing/core';
import type { PaymentId } from '../shared/ids';
import { aPaymentId } from '../testing/builders';
import { InMemoryLedger } from '../testing/in-memory/in-memory-ledger';
import { aLedgerAccount, anInvoiceId, anOperationId, postingsIn } from '../testing/ledger-builders';
import type { LedgerAccount, LedgerTransaction, PaymentPosition } from './ledger';
import { checkTransaction } from './ledger-invariants';
import { postTransaction } from './post-transaction';

const AT = new Date('2026-02-01T10:00:00Z');

async function receive(ledger: InMemoryLedger, account: LedgerAccount, amount: string): Promise<PaymentId> {
  const paymentId = aPaymentId();
  await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'payment', postings: [postingsIn(account).received(paymentId, amount)], at: AT }));
  return paymentId;
}

/** A ledger where another writer appends `interloper` right after the first head is read. */
class InterruptedLedger extends InMemoryLedger {
  private interloper: (() => Promise<unknown>) | undefined;

  interruptOnce(write: () => Promise<unknown>): void {
    this.interloper = write;
  }

  override async head(account: LedgerAccount): Promise<LedgerTransaction | undefined> {
    const head = await super.head(account);
    const write = this.interloper;
    this.interloper = undefined;
    await write?.();
    return head;
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
    expect(attempts).toBe(12);
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
});
