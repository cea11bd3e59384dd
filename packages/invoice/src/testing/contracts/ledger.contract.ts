import { ConflictError, InvalidStateError, Money, parseCalendarDate, type DomainError } from '@invoicing/core';
import { foldTotals, zeroTotals, type LedgerAccount, type LedgerTransaction, type Posting } from '../../ledger/ledger';
import { checkTransaction, LedgerViolationError } from '../../ledger/ledger-invariants';
import type { Ledger } from '../../ledger/ledger.port';
import type { CreditNoteContent } from '../../invoice/credit-note-content';
import { postTransaction, postTransactionIfAny, type LedgerState } from '../../ledger/post-transaction';
import type { PaymentId } from '../../shared/ids';
import { aPaymentId } from '../builders';
import { aLedgerAccount, anInvoiceId, anOperationId, postingsIn } from '../ledger-builders';
import { jestGlobals } from './jest-globals';

const AT = new Date('2026-02-01T10:00:00Z');

/** Every transaction of an account, through the pages. */
async function allTransactions(ledger: Ledger, account: LedgerAccount): Promise<LedgerTransaction[]> {
  const all: LedgerTransaction[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await ledger.transactions(account, { limit: 200, ...(cursor ? { cursor: cursor as never } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Receives a payment of `amount` into the account; returns its id. */
async function receive(ledger: Ledger, account: LedgerAccount, amount: string): Promise<PaymentId> {
  const paymentId = aPaymentId();
  await postTransaction(ledger, { account, operationId: anOperationId('payment') }, () => ({
    kind: 'payment',
    postings: [postingsIn(account).received(paymentId, amount)],
    at: AT,
  }));
  return paymentId;
}

/**
 * A refund of `amount`, drawn from `payments` oldest first as far as their credit goes; whatever they cannot cover is
 * drawn from the last one anyway, so that the ledger's own check (not the build) refuses a refund that does not fit.
 */
async function refundBuild(state: LedgerState, payments: readonly PaymentId[], amount: Money): Promise<Posting[]> {
  const post = postingsIn(state.account);
  const postings: Posting[] = [];
  let remaining = amount;
  for (const [index, paymentId] of payments.entries()) {
    const available = (await state.payment(paymentId)).unapplied;
    const take = index === payments.length - 1 ? remaining : remaining.min(available);
    if (take.isPositive()) postings.push({ ...post.refunded(paymentId, '1'), amount: take });
    remaining = remaining.subtract(take);
  }
  return postings;
}

function codeOf(error: unknown): string | undefined {
  return (error as DomainError | undefined)?.code;
}

/**
 * Contract of `Ledger`: append-only, gapless per account, one transaction per operation, and, through
 * `postTransaction`, no lost update and no broken invariant under concurrent writers. `ledger()` may return the same
 * object each time or a new one over the same store (as another process would have one).
 */
export function describeLedgerContract(ledger: () => Ledger): void {
  const { describe, expect, it } = jestGlobals();
  describe('Ledger', () => {
    it('appends transactions at 1, 2, 3 … per account with their running totals, and reads them back as stored', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const [payment, invoice, creditNote, written] = [aPaymentId(), anInvoiceId(), anInvoiceId(), anInvoiceId()];
      const drafts: { kind: LedgerTransaction['kind']; postings: Posting[]; actor?: string }[] = [
        { kind: 'payment', postings: [post.received(payment, '100.00', 'BANK-1'), post.applied(payment, invoice, '30.00', '50.00')], actor: 'user-1' },
        { kind: 'credit_note', postings: [post.credited(creditNote, invoice, '20.00', '50.00')] },
        { kind: 'refund', postings: [post.refunded(payment, '5.00')] },
        { kind: 'write_off', postings: [post.writtenOff(written, '40.00', '40.00')] },
        { kind: 'application', postings: [post.writeOffReversed(written, '10.00', '40.00'), post.applied(payment, written, '10.00', '40.00')] },
      ];
      const appended: LedgerTransaction[] = [];
      for (const draft of drafts) {
        const outcome = await postTransaction(store, { account, operationId: anOperationId() }, () => ({ ...draft, at: AT }));
        expect(outcome.replayed).toBe(false);
        appended.push(outcome.transaction);
      }
      expect(appended.map((transaction) => transaction.seq)).toEqual([1, 2, 3, 4, 5]);
      const money = (amount: string): Money => Money.of(amount, 'EUR');
      expect(appended[4]?.totalsAfter).toEqual({
        received: money('100.00'),
        applied: money('40.00'),
        credited: money('20.00'),
        refunded: money('5.00'),
        writtenOff: money('30.00'),
        unapplied: money('55.00'),
      });
      expect(await store.head(account)).toEqual(appended[4]);
      expect(await store.at(account, 3)).toEqual(appended[2]);
      expect(await store.at(account, 6)).toBeUndefined();
      expect(await store.at({ ...account, currency: 'USD' }, 1)).toBeUndefined();
      expect(await allTransactions(store, account)).toEqual(appended);
      const first = await store.transactions(account, { limit: 2 });
      expect(first.items.map((transaction) => transaction.seq)).toEqual([1, 2]);
      const second = await store.transactions(account, { limit: 2, cursor: first.nextCursor ?? undefined });
      expect(second.items.map((transaction) => transaction.seq)).toEqual([3, 4]);
      expect((await store.forPayment(account.tenantId, payment)).map((transaction) => transaction.seq)).toEqual([1, 3, 5]);
      expect((await store.forInvoice(account.tenantId, invoice)).map((transaction) => transaction.seq)).toEqual([1, 2]);
      expect(await store.byOperation(account.tenantId, appended[1]?.operationId ?? '')).toEqual(appended[1]);
    });

    it('keeps accounts apart: per partner, per currency and per tenant', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const dollars: LedgerAccount = { ...account, currency: 'USD' };
      const other = aLedgerAccount();
      const payment = await receive(store, account, '10.00');
      await receive(store, dollars, '10.00');
      await receive(store, other, '10.00');
      expect((await store.head(account))?.seq).toBe(1);
      expect((await store.head(dollars))?.seq).toBe(1);
      expect((await store.head(other))?.seq).toBe(1);
      expect(await store.head(aLedgerAccount())).toBeUndefined();
      expect(await store.forPayment(other.tenantId, payment)).toEqual([]);
      expect(await store.transactions(aLedgerAccount(), {})).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a seq another writer took, and stores exactly one of many appends at the same seq', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const drafts = Array.from({ length: 20 }, () =>
        checkTransaction(
          { account, head: undefined, postings: [], elsewhere: { payments: new Set(), invoices: new Set() } },
          { operationId: anOperationId(), kind: 'payment', postings: [post.received(aPaymentId(), '10.00')], at: AT },
        ),
      );
      const outcomes = await Promise.allSettled(drafts.map((draft) => store.append(draft)));
      const stored = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(stored).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(ConflictError);
          expect(codeOf(outcome.reason)).toBe('concurrency.conflict');
        }
      }
      expect(await allTransactions(store, account)).toHaveLength(1);
    });

    it('serialises 50 concurrent refunds of one credit: exactly those that fit succeed, no lost update, seqs without gaps', async () => {
      // Five ledger objects over one store, as five processes would have: writers through one object queue, writers
      // through different ones race at the store.
      const stores = Array.from({ length: 5 }, () => ledger());
      const store = stores[0] as Ledger;
      const account = aLedgerAccount();
      const payments = [await receive(store, account, '30.00'), await receive(store, account, '30.00')];
      const refund = Money.of('2.00', 'EUR');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, index) =>
          postTransaction(stores[index % stores.length] as Ledger, { account, operationId: anOperationId('refund') }, async (state) => ({
            kind: 'refund',
            postings: await refundBuild(state, payments, refund),
            at: AT,
          })),
        ),
      );
      const succeeded = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.transaction] : []));
      expect(succeeded).toHaveLength(30);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(LedgerViolationError);
          expect(codeOf(outcome.reason)).toBe('ledger.insufficient_unapplied');
        }
      }
      const all = await allTransactions(store, account);
      expect(all.map((transaction) => transaction.seq)).toEqual(Array.from({ length: 32 }, (_, index) => index + 1));
      // Every refund stored is one that was answered, and every answer is stored.
      expect(new Set(all.slice(2).map((transaction) => transaction.operationId))).toEqual(new Set(succeeded.map((transaction) => transaction.operationId)));
      const head = all.at(-1);
      expect(head?.totalsAfter.refunded).toEqual(Money.of('60.00', 'EUR'));
      expect(head?.totalsAfter.unapplied).toEqual(Money.zero('EUR'));
      expect(head?.totalsAfter).toEqual(foldTotals(zeroTotals('EUR'), all.flatMap((transaction) => transaction.postings)));
    });

    it('decides on the account as it is, not as this process last appended it: credit, payments and invoices another process posted since count', async () => {
      // Two ledger objects over one store, as two API processes: `mine` appended last at seq 1, `theirs` appended since.
      const [mine, theirs] = [ledger(), ledger()] as [Ledger, Ledger];
      const account = aLedgerAccount();
      const post = postingsIn(account);
      await receive(mine, account, '10.00');
      const theirPayment = await receive(theirs, account, '100.00');
      // A refund that only their credit covers: refused only if decided as of seq 1.
      const refund = await postTransaction(mine, { account, operationId: anOperationId('refund') }, async (state) => {
        const credit = (await state.payment(theirPayment)).unapplied;
        if (credit.lessThan(Money.of('50.00', 'EUR'))) throw new InvalidStateError('test.insufficient_credit', `only ${credit.toString()} of credit`);
        return { kind: 'refund', postings: [post.refunded(theirPayment, '50.00')], at: AT };
      });
      expect(refund.transaction.seq).toBe(3);
      // An application of their payment, which finds nothing to apply (and appends nothing) unless decided as of seq 3.
      await receive(theirs, account, '5.00');
      const invoice = anInvoiceId();
      const applied = await postTransactionIfAny(mine, { account, operationId: anOperationId('application') }, async (state) => {
        const credit = (await state.payment(theirPayment)).unapplied;
        return credit.isPositive() ? { kind: 'application', postings: [post.applied(theirPayment, invoice, '20.00', '20.00')], at: AT } : undefined;
      });
      expect(applied?.transaction.seq).toBe(5);
      const all = await allTransactions(mine, account);
      expect(all.map((transaction) => transaction.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all.at(-1)?.totalsAfter.unapplied).toEqual(Money.of('45.00', 'EUR'));
    });

    it('keeps taking money once its lifetime totals pass the largest amount; only a credit past it is refused', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const largest = Money.largest('EUR').toString();
      const first = await receive(store, account, largest);
      await postTransaction(store, { account, operationId: anOperationId('refund') }, () => ({ kind: 'refund', postings: [postingsIn(account).refunded(first, largest)], at: AT }));
      // Before running totals, this second receipt made `received` 2 × the largest amount: refused, and every later one.
      await receive(store, account, largest);
      const head = await store.head(account);
      expect(head?.seq).toBe(3);
      expect(head?.totalsAfter.received.minor).toBe(2n * Money.largest('EUR').minor);
      expect(head?.totalsAfter.refunded.minor).toBe(Money.largest('EUR').minor);
      expect(head?.totalsAfter.unapplied).toEqual(Money.largest('EUR'));
      // A credit past the largest amount is what stays refused: the partner's credit is an amount.
      const third = aPaymentId();
      await expect(
        postTransaction(store, { account, operationId: anOperationId('payment') }, () => ({ kind: 'payment', postings: [postingsIn(account).received(third, '0.01')], at: AT })),
      ).rejects.toMatchObject({ code: 'money.out_of_range' });
      expect((await allTransactions(store, account)).map((transaction) => transaction.seq)).toEqual([1, 2, 3]);
    });

    it('stores an operation once when it is appended twice at once; both callers get the stored transaction', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const operationId = anOperationId('payment');
      const post = postingsIn(account);
      // Two attempts of one operation that would record different amounts: the first stored wins.
      const outcomes = await Promise.all(
        ['10.00', '20.00'].map((amount) =>
          postTransaction(store, { account, operationId }, () => ({ kind: 'payment', postings: [post.received(aPaymentId(), amount)], at: AT })),
        ),
      );
      expect(outcomes.map((outcome) => outcome.replayed).sort()).toEqual([false, true]);
      expect(outcomes[0]?.transaction).toEqual(outcomes[1]?.transaction);
      expect(await allTransactions(store, account)).toEqual([outcomes[0]?.transaction]);
    });

    it('answers a retried operation with what it stored, without building it again', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const payment = await receive(store, account, '10.00');
      const operationId = anOperationId('refund');
      const build = (): { kind: 'refund'; postings: Posting[]; at: Date } => ({ kind: 'refund', postings: [postingsIn(account).refunded(payment, '10.00')], at: AT });
      const first = await postTransaction(store, { account, operationId }, build);
      // The credit is used up, so building the refund again would fail: the retry must not get that far.
      const retry = await postTransaction(store, { account, operationId }, build);
      expect(retry).toEqual({ transaction: first.transaction, replayed: true });
      expect(await store.append({ ...first.transaction, seq: 3 })).toEqual({ transaction: first.transaction, replayed: true });
      expect((await store.head(account))?.seq).toBe(2);
    });

    it('refuses an operation id stored for another account', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const operationId = anOperationId();
      const draft = { kind: 'payment' as const, postings: [postingsIn(account).received(aPaymentId(), '10.00')], at: AT };
      await postTransaction(store, { account, operationId }, () => draft);
      const elsewhere: LedgerAccount = { ...account, currency: 'USD' };
      await expect(
        postTransaction(store, { account: elsewhere, operationId }, () => ({ ...draft, postings: [postingsIn(elsewhere).received(aPaymentId(), '10.00')] })),
      ).rejects.toMatchObject({ code: 'ledger.operation_reused' });
      const direct = checkTransaction(
        { account: elsewhere, head: undefined, postings: [], elsewhere: { payments: new Set(), invoices: new Set() } },
        { ...draft, operationId, postings: [postingsIn(elsewhere).received(aPaymentId(), '10.00')] },
      );
      await expect(store.append(direct)).rejects.toMatchObject({ code: 'ledger.operation_reused' });
      expect(await store.head(elsewhere)).toBeUndefined();
    });

    it('writes nothing when a transaction breaks an invariant, and the operation can still be stored once it fits', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const payment = await receive(store, account, '50.00');
      const invoice = anInvoiceId();
      const refused: [string, Posting[]][] = [
        ['ledger.insufficient_unapplied', [post.applied(payment, invoice, '50.01', '100.00')]],
        ['ledger.invoice_overpaid', [post.applied(payment, invoice, '40.00', '30.00')]],
        ['ledger.unknown_payment', [post.refunded(aPaymentId(), '1.00')]],
        ['ledger.duplicate_payment', [post.received(payment, '1.00')]],
        ['ledger.write_off_exceeded', [post.writeOffReversed(invoice, '1.00', '100.00')]],
      ];
      const operationId = anOperationId();
      for (const [code, postings] of refused) {
        await expect(postTransaction(store, { account, operationId }, () => ({ kind: 'application', postings, at: AT }))).rejects.toMatchObject({ code });
      }
      expect((await store.head(account))?.seq).toBe(1);
      expect(await store.byOperation(account.tenantId, operationId)).toBeUndefined();
      const fits = await postTransaction(store, { account, operationId }, () => ({ kind: 'application', postings: [post.applied(payment, invoice, '30.00', '30.00')], at: AT }));
      expect(fits.transaction.seq).toBe(2);
    });

    it('keeps the dates, optional fields and every posting type exactly', async () => {
      const store = ledger();
      const account = aLedgerAccount('BHD');
      const post = postingsIn(account);
      const payment = aPaymentId();
      const postings: Posting[] = [{ ...post.received(payment, '1.234'), receivedOn: parseCalendarDate('2026-03-31') }, post.refunded(payment, '0.001')];
      const { transaction } = await postTransaction(store, { account, operationId: anOperationId() }, () => ({ kind: 'opening', postings, at: new Date('2026-03-31T23:59:59.123Z') }));
      const [read] = await store.forPayment(account.tenantId, payment);
      expect(read).toEqual(transaction);
      expect(read?.postings).toEqual(postings);
      expect(read?.at).toEqual(new Date('2026-03-31T23:59:59.123Z'));
      expect(read && 'actor' in read).toBe(false);
      expect(read?.totalsAfter.unapplied).toEqual(Money.of('1.233', 'BHD'));
    });

    it('keeps the digest of what a request asked with its transaction, answered by every read', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const payment = aPaymentId();
      const operationId = anOperationId('payment');
      const requestDigest = 'a'.repeat(64);
      const { transaction } = await postTransaction(store, { account, operationId }, () => ({ kind: 'payment', postings: [postingsIn(account).received(payment, '10.00')], at: AT, requestDigest }));
      expect(transaction.requestDigest).toBe(requestDigest);
      expect(await store.byOperation(account.tenantId, operationId)).toEqual(transaction);
      expect(await store.forPayment(account.tenantId, payment)).toEqual([transaction]);
      expect(await store.head(account)).toEqual(transaction);
    });

    it('answers an operation another process stored between the lookup and the head, not the refusal its build then meets', async () => {
      // Audit L1: a retried refund looked its operation up before the first attempt's (delayed) append landed, and read
      // the head after it: no credit was left, and "nothing was refunded" was answered for a refund that was made.
      const store = ledger();
      const account = aLedgerAccount();
      const payment = await receive(store, account, '100.00');
      const operationId = anOperationId('refund');
      const refund = postingsIn(account).refunded(payment, '100.00');
      const head = await store.head(account);
      const first = checkTransaction(
        { account, head, postings: head?.postings ?? [], elsewhere: { payments: new Set(), invoices: new Set() } },
        { operationId, kind: 'refund', postings: [refund], at: AT },
      );
      // Another ledger object (this process's), whose lookup lets the first attempt's append land right after it.
      const retrying = Object.create(store) as Ledger;
      let landed = false;
      retrying.byOperation = async (tenantId, id) => {
        const found = await store.byOperation(tenantId, id);
        if (!landed) await store.append(first);
        landed = true;
        return found;
      };
      const outcome = await postTransaction(retrying, { account, operationId }, async (state) => {
        if (state.totals.unapplied.lessThan(refund.amount)) throw new InvalidStateError('test.insufficient_credit', `only ${state.totals.unapplied.toString()} of credit`);
        return { kind: 'refund', postings: [refund], at: AT };
      });
      expect(outcome).toEqual({ transaction: first, replayed: true });
      expect((await allTransactions(store, account)).map((transaction) => transaction.seq)).toEqual([1, 2]);
    });

    it('keeps a credit note\'s content with its credit, answered by the operation only (ADR 0024)', async () => {
      const store = ledger();
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const [invoice, creditNote] = [anInvoiceId(), anInvoiceId()];
      const content: CreditNoteContent = {
        lines: [{ id: '1', name: 'Consulting day', quantity: '1.5', unitCode: 'DAY', netPrice: '800.0000000001', priceBaseQuantity: '1', allowances: [], charges: [], vat: { code: 'S', rate: '20' } }],
        allowances: [{ amount: '0.01', reason: 'Rounding "gesture"', vat: { code: 'S', rate: '20' } }],
        charges: [],
        notes: ['One day\nnot delivered', 'Ünïcode ✓'],
        prepaidAmount: '0',
        roundingAmount: '0',
        externalReference: 'RMA-1',
        invoicePeriod: { start: '2026-01-01', end: '2026-01-31' },
      };
      const operationId = anOperationId();
      const { transaction } = await postTransaction(store, { account, operationId }, () => ({ kind: 'credit_note', postings: [post.credited(creditNote, invoice, '20.00', '50.00')], at: AT, creditNote: content }));
      expect(transaction.creditNote).toEqual(content);
      expect(await store.byOperation(account.tenantId, operationId)).toEqual(transaction);
      // The reads that build and project transactions leave it out: it may be as large as the credit note.
      const { creditNote: _content, ...without } = transaction;
      expect(await store.head(account)).toEqual(without);
      expect(await store.at(account, 1)).toEqual(without);
      expect(await store.forInvoice(account.tenantId, invoice)).toEqual([without]);
      expect((await store.transactions(account, { limit: 10 })).items).toEqual([without]);
    });
  });
}
