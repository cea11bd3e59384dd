import { describe, expect, it } from '@jest/globals';
import { Money, RunningTotal } from '@invoicing/core';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { aPaymentId } from '../testing/builders';
import { aLedgerAccount, anInvoiceId, anOperationId, postingsIn } from '../testing/ledger-builders';
import type { LedgerTransaction, Posting } from './ledger';
import { checkTransaction, LedgerViolationError, type LedgerSnapshot } from './ledger-invariants';

const AT = new Date('2026-02-01T10:00:00Z');
const account = aLedgerAccount();
const post = postingsIn(account);
const payment = aPaymentId();
const invoice = anInvoiceId();

const nowhere = { payments: new Set<never>(), invoices: new Set<never>() };

/** A consistent snapshot: `postings` as one transaction at the head (unless `overrides` say otherwise). */
function snapshot(postings: readonly Posting[] = [], overrides: Partial<LedgerSnapshot> = {}): LedgerSnapshot {
  const head =
    postings.length === 0 ? undefined : checkTransaction({ account, head: undefined, postings: [], elsewhere: nowhere }, { operationId: 'prior', kind: 'opening', postings, at: AT });
  return { account, head, postings, elsewhere: nowhere, ...overrides };
}

function check(state: LedgerSnapshot, postings: readonly Posting[], operationId = anOperationId()): LedgerTransaction {
  return checkTransaction(state, { operationId, kind: 'application', postings, at: AT });
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerViolationError);
    return (error as LedgerViolationError).code;
  }
  throw new Error('expected a violation');
}

describe('checkTransaction', () => {
  it('returns the transaction at the head seq + 1 with the totals after it', () => {
    const first = check(snapshot(), [post.received(payment, '100.00'), post.applied(payment, invoice, '60.00', '60.00')], 'op-1');
    expect(first).toMatchObject({ ...account, seq: 1, operationId: 'op-1', kind: 'application', at: AT });
    expect(first.totalsAfter.unapplied).toEqual(Money.of('40.00', 'EUR'));
    const second = check({ ...snapshot(), head: first, postings: first.postings }, [post.refunded(payment, '40.00')]);
    expect(second.seq).toBe(2);
    expect(second.totalsAfter.refunded).toEqual(Money.of('40.00', 'EUR'));
    expect(second.totalsAfter.unapplied).toEqual(Money.zero('EUR'));
  });

  it('refuses a transaction without postings, or without a usable operation id', () => {
    expect(codeOf(() => check(snapshot(), []))).toBe('ledger.empty_transaction');
    for (const operationId of ['', 'x'.repeat(301), 'op\u0000'])
      expect(codeOf(() => check(snapshot(), [post.received(payment, '1.00')], operationId))).toBe('ledger.invalid_operation');
  });

  it('refuses amounts that are not above zero or not in the account currency', () => {
    expect(codeOf(() => check(snapshot(), [{ ...post.received(payment, '1.00'), amount: Money.zero('EUR') }]))).toBe('ledger.invalid_amount');
    expect(codeOf(() => check(snapshot(), [{ ...post.received(payment, '1.00'), amount: Money.of('-1.00', 'EUR') }]))).toBe('ledger.invalid_amount');
    expect(codeOf(() => check(snapshot(), [{ ...post.received(payment, '1.00'), amount: Money.of('1.00', 'USD') }]))).toBe('ledger.currency_mismatch');
    expect(codeOf(() => check(snapshot([post.received(payment, '9.00')]), [{ ...post.applied(payment, invoice, '1.00', '5.00'), invoiceDue: Money.of('5.00', 'USD') }]))).toBe(
      'ledger.currency_mismatch',
    );
  });

  it('refuses drawing on a payment never received here, receiving one twice, or drawing more than it has', () => {
    expect(codeOf(() => check(snapshot(), [post.applied(payment, invoice, '1.00', '5.00')]))).toBe('ledger.unknown_payment');
    expect(codeOf(() => check(snapshot([post.received(payment, '9.00')]), [post.received(payment, '9.00')]))).toBe('ledger.duplicate_payment');
    const received = [post.received(payment, '9.00'), post.applied(payment, invoice, '5.00', '20.00')];
    expect(codeOf(() => check(snapshot(received), [post.refunded(payment, '4.01')]))).toBe('ledger.insufficient_unapplied');
    expect(check(snapshot(received), [post.refunded(payment, '4.00')]).postings).toHaveLength(1);
  });

  it('counts a payment received in the same transaction', () => {
    expect(() => check(snapshot(), [post.applied(payment, invoice, '5.00', '5.00'), post.received(payment, '5.00')])).not.toThrow();
  });

  it('refuses settling an invoice above its amount due, by payments, credits and write-offs together', () => {
    const other = aPaymentId();
    const prior = [post.received(payment, '100.00'), post.received(other, '100.00'), post.applied(payment, invoice, '30.00', '50.00'), post.credited(anInvoiceId(), invoice, '15.00', '50.00')];
    expect(codeOf(() => check(snapshot(prior), [post.applied(other, invoice, '5.01', '50.00')]))).toBe('ledger.invoice_overpaid');
    expect(codeOf(() => check(snapshot(prior), [post.writtenOff(invoice, '5.01', '50.00')]))).toBe('ledger.invoice_overpaid');
    expect(() => check(snapshot(prior), [post.writtenOff(invoice, '5.00', '50.00')])).not.toThrow();
  });

  it('refuses postings of one invoice that disagree on its amount due', () => {
    const prior = [post.received(payment, '100.00'), post.applied(payment, invoice, '30.00', '50.00')];
    expect(codeOf(() => check(snapshot(prior), [post.credited(anInvoiceId(), invoice, '1.00', '60.00')]))).toBe('ledger.invoice_due_mismatch');
  });

  it('lets a write-off be reversed to make room for a payment, no further than it was written off', () => {
    const prior = [post.received(payment, '100.00'), post.writtenOff(invoice, '50.00', '50.00')];
    expect(codeOf(() => check(snapshot(prior), [post.applied(payment, invoice, '10.00', '50.00')]))).toBe('ledger.invoice_overpaid');
    const paid = check(snapshot(prior), [post.writeOffReversed(invoice, '10.00', '50.00'), post.applied(payment, invoice, '10.00', '50.00')]);
    expect(paid.totalsAfter.writtenOff).toEqual(Money.of('40.00', 'EUR'));
    expect(codeOf(() => check(snapshot(prior), [post.writeOffReversed(invoice, '50.01', '50.00')]))).toBe('ledger.write_off_exceeded');
  });

  it('lets a payment settle an invoice in one application only', () => {
    const paid = snapshot([post.received(payment, '100.00'), post.applied(payment, invoice, '30.00', '50.00')]);
    expect(codeOf(() => check(paid, [post.applied(payment, invoice, '20.00', '50.00')]))).toBe('ledger.duplicate_application');
    expect(check(paid, [post.applied(payment, anInvoiceId(), '20.00', '50.00')]).seq).toBe(2);
  });

  it('voids the whole amount due of an invoice nothing settled, once, and lets nothing settle it afterwards', () => {
    const received = snapshot([post.received(payment, '100.00')]);
    expect(check(received, [post.voided(invoice, '50.00')]).totalsAfter).toEqual(received.head?.totalsAfter);
    expect(codeOf(() => check(received, [post.voided(invoice, '50.00'), post.voided(invoice, '50.00')]))).toBe('ledger.void_partial');
    expect(codeOf(() => check(received, [{ ...post.voided(invoice, '50.00'), amount: Money.of('20.00', 'EUR') }]))).toBe('ledger.void_partial');
    const voided = snapshot([post.received(payment, '100.00'), post.voided(invoice, '50.00')]);
    expect(codeOf(() => check(voided, [post.applied(payment, invoice, '0.01', '50.00')]))).toBe('ledger.invoice_overpaid');
    const partlyPaid = snapshot([post.received(payment, '100.00'), post.applied(payment, invoice, '10.00', '50.00')]);
    expect(codeOf(() => check(partlyPaid, [post.voided(invoice, '50.00')]))).toBe('ledger.invoice_overpaid');
  });

  it('refuses payments and invoices that belong to another account', () => {
    const prior = [post.received(payment, '100.00')];
    const elsewhere = (payments: PaymentId[], invoices: InvoiceId[]): Partial<LedgerSnapshot> => ({ elsewhere: { payments: new Set(payments), invoices: new Set(invoices) } });
    expect(codeOf(() => check(snapshot(prior, elsewhere([payment], [])), [post.refunded(payment, '1.00')]))).toBe('ledger.account_mismatch');
    expect(codeOf(() => check(snapshot(prior, elsewhere([], [invoice])), [post.applied(payment, invoice, '1.00', '5.00')]))).toBe('ledger.account_mismatch');
  });

  it('refuses to build on a head whose totals do not balance', () => {
    const head = check(snapshot(), [post.received(payment, '10.00')]);
    const corrupt: LedgerTransaction = { ...head, totalsAfter: { ...head.totalsAfter, unapplied: Money.of('11.00', 'EUR') } };
    expect(codeOf(() => check(snapshot(head.postings, { head: corrupt }), [post.refunded(payment, '1.00')]))).toBe('ledger.unbalanced');
  });

  it('refuses to take the account below zero even when the postings read show credit (an incomplete read)', () => {
    const head = check(snapshot(), [post.received(payment, '10.00')]);
    const stale: LedgerTransaction = { ...head, totalsAfter: { ...head.totalsAfter, received: RunningTotal.zero('EUR'), unapplied: Money.zero('EUR') } };
    expect(codeOf(() => check(snapshot([post.received(payment, '10.00')], { head: stale }), [post.refunded(payment, '1.00')]))).toBe('ledger.insufficient_unapplied');
  });

  describe('a credit note taking back what a payment paid', () => {
    const note = anInvoiceId();
    const paid = snapshot([post.received(payment, '100.00'), post.applied(payment, invoice, '100.00', '100.00')]);

    it('gives the payment its credit back: applied falls, unapplied rises, the account still balances', () => {
      const after = check(paid, [post.applicationReturned(payment, invoice, note, '30.00', '100.00'), post.credited(note, invoice, '30.00', '100.00')]);
      expect(after.totalsAfter.applied.equals(RunningTotal.zero('EUR').add(Money.of('70.00', 'EUR')))).toBe(true);
      expect(after.totalsAfter.unapplied).toEqual(Money.of('30.00', 'EUR'));
      expect(after.totalsAfter.credited.equals(RunningTotal.zero('EUR').add(Money.of('30.00', 'EUR')))).toBe(true);
      // The credit is the payment's again: refunded from it, once.
      const refunded = check({ ...paid, head: after, postings: [...paid.postings, ...after.postings] }, [post.refunded(payment, '30.00')]);
      expect(refunded.totalsAfter.unapplied).toEqual(Money.zero('EUR'));
      expect(codeOf(() => check({ ...paid, head: refunded, postings: [...paid.postings, ...after.postings, ...refunded.postings] }, [post.refunded(payment, '0.01')]))).toBe(
        'ledger.insufficient_unapplied',
      );
    });

    it('refuses to take back more of a payment than it paid the invoice, or a payment that never paid it', () => {
      expect(codeOf(() => check(paid, [post.applicationReturned(payment, invoice, note, '100.01', '100.00'), post.credited(note, invoice, '100.01', '100.00')]))).toBe(
        'ledger.return_exceeded',
      );
      const other = aPaymentId();
      const two = snapshot([post.received(payment, '100.00'), post.applied(payment, invoice, '60.00', '100.00'), post.received(other, '40.00'), post.applied(other, invoice, '40.00', '100.00')]);
      expect(codeOf(() => check(two, [post.applicationReturned(other, invoice, note, '50.00', '100.00'), post.credited(note, invoice, '50.00', '100.00')]))).toBe('ledger.return_exceeded');
      const stranger = snapshot([...two.postings, post.received(aPaymentId(), '5.00')]);
      const unrelated = stranger.postings[4] as Extract<Posting, { type: 'received' }>;
      expect(codeOf(() => check(stranger, [post.applicationReturned(unrelated.paymentId, invoice, note, '5.00', '100.00'), post.credited(note, invoice, '5.00', '100.00')]))).toBe(
        'ledger.return_exceeded',
      );
    });

    it('refuses a return without the credit that makes room for it in the same transaction, or above it', () => {
      expect(codeOf(() => check(paid, [post.applicationReturned(payment, invoice, note, '30.00', '100.00')]))).toBe('ledger.return_without_credit');
      expect(codeOf(() => check(paid, [post.applicationReturned(payment, invoice, note, '30.00', '100.00'), post.credited(anInvoiceId(), invoice, '30.00', '100.00')]))).toBe(
        'ledger.return_without_credit',
      );
      expect(codeOf(() => check(paid, [post.applicationReturned(payment, invoice, note, '30.00', '100.00'), post.credited(note, invoice, '20.00', '100.00')]))).toBe(
        'ledger.return_without_credit',
      );
    });

    it('refuses a return that leaves the invoice owing: the credit takes what is owed first', () => {
      const partly = snapshot([post.received(payment, '100.00'), post.applied(payment, invoice, '60.00', '100.00')]);
      // 40.00 owed: a credit of 50.00 taking back 30.00 would leave 20.00 owed while the buyer holds 30.00 of credit.
      expect(codeOf(() => check(partly, [post.applicationReturned(payment, invoice, note, '30.00', '100.00'), post.credited(note, invoice, '50.00', '100.00')]))).toBe('ledger.return_while_owed');
      const right = check(partly, [post.applicationReturned(payment, invoice, note, '10.00', '100.00'), post.credited(note, invoice, '50.00', '100.00')]);
      expect(right.totalsAfter.unapplied).toEqual(Money.of('50.00', 'EUR'));
    });
  });
});
