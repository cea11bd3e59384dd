import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Money } from '@invoicing/core';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { aPaymentId } from '../testing/builders';
import { InMemoryLedger } from '../testing/in-memory/in-memory-ledger';
import { aLedgerAccount, anInvoiceId, anOperationId, postingsIn } from '../testing/ledger-builders';
import { foldTotals, invoicePosition, paymentPosition, zeroTotals, type Posting } from './ledger';
import { LedgerViolationError } from './ledger-invariants';
import { postTransaction } from './post-transaction';

const cents = (amount: { readonly minor: bigint }): bigint => amount.minor;

describe('foldTotals', () => {
  it('adds each posting to its total; unapplied is received − applied − refunded', () => {
    const account = aLedgerAccount();
    const post = postingsIn(account);
    const [payment, invoice] = [aPaymentId(), anInvoiceId()];
    const totals = foldTotals(zeroTotals('EUR'), [
      post.received(payment, '100.00'),
      post.applied(payment, invoice, '30.00', '90.00'),
      post.credited(anInvoiceId(), invoice, '20.00', '90.00'),
      post.refunded(payment, '10.00'),
      post.writtenOff(invoice, '40.00', '90.00'),
      post.writeOffReversed(invoice, '15.00', '90.00'),
    ]);
    expect(Object.fromEntries(Object.entries(totals).map(([name, amount]) => [name, amount.toString()]))).toEqual({
      received: '100.00',
      applied: '30.00',
      credited: '20.00',
      refunded: '10.00',
      writtenOff: '25.00',
      unapplied: '60.00',
    });
  });
});

/** One movement a random history tries; the ledger refuses those that do not fit. */
type Movement =
  | { readonly type: 'receive'; readonly cents: number }
  | { readonly type: 'apply' | 'refund' | 'return'; readonly payment: number; readonly invoice: number; readonly cents: number }
  | { readonly type: 'credit' | 'write_off' | 'reverse'; readonly invoice: number; readonly cents: number };

const movement: fc.Arbitrary<Movement> = fc.oneof(
  fc.record({ type: fc.constant('receive' as const), cents: fc.integer({ min: 1, max: 10_000 }) }),
  fc.record({ type: fc.constantFrom('apply' as const, 'refund' as const, 'return' as const), payment: fc.nat(5), invoice: fc.nat(3), cents: fc.integer({ min: 1, max: 6_000 }) }),
  fc.record({ type: fc.constantFrom('credit' as const, 'write_off' as const, 'reverse' as const), invoice: fc.nat(3), cents: fc.integer({ min: 1, max: 6_000 }) }),
);

describe('the ledger under random histories', () => {
  it('keeps the head equal to the fold of every posting, balanced, with no payment overdrawn, no invoice overpaid and no payment taken back past what it paid', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 4, maxLength: 4 }), fc.array(movement, { maxLength: 40 }), async (dues, movements) => {
        const ledger = new InMemoryLedger();
        const account = aLedgerAccount();
        const post = postingsIn(account);
        const money = (minor: number): string => Money.ofMinor(minor, 'EUR').toString();
        const invoices: InvoiceId[] = dues.map(() => anInvoiceId());
        const due = (index: number): string => money(dues[index] ?? 1);
        const payments: PaymentId[] = [];
        for (const step of movements) {
          const known = (await ledger.transactions(account, { limit: 200 })).items.flatMap((transaction) => transaction.postings);
          const postings = ((): Posting[] => {
            const invoice = 'invoice' in step ? (invoices[step.invoice] as InvoiceId) : anInvoiceId();
            const payment = 'payment' in step ? (payments[step.payment % Math.max(1, payments.length)] ?? aPaymentId()) : aPaymentId();
            switch (step.type) {
              case 'receive':
                payments.push(payment);
                return [post.received(payment, money(step.cents))];
              case 'apply':
                return [post.applied(payment, invoice, money(step.cents), due(step.invoice))];
              case 'refund':
                return [post.refunded(payment, money(step.cents))];
              case 'return': {
                // A credit note of what the payment paid. Even amounts are built as the use case builds them (what is
                // owed, then part of what the payment paid); odd ones as they come, which the ledger mostly refuses.
                const note = anInvoiceId();
                const position = invoicePosition(invoice, 'EUR', known);
                const paidByIt = position.paidBy.find((part) => part.paymentId === payment)?.amount.minor ?? 0n;
                const back = step.cents % 2 === 0 ? Math.min(step.cents, Number(paidByIt)) : step.cents;
                const credit = step.cents % 2 === 0 ? Number(position.outstanding.minor) + back : step.cents;
                if (back <= 0 || credit <= 0) return [post.credited(note, invoice, money(step.cents), due(step.invoice))];
                return [post.applicationReturned(payment, invoice, note, money(back), due(step.invoice)), post.credited(note, invoice, money(credit), due(step.invoice))];
              }
              case 'credit':
                return [post.credited(anInvoiceId(), invoice, money(step.cents), due(step.invoice))];
              case 'write_off':
                return [post.writtenOff(invoice, money(step.cents), due(step.invoice))];
              case 'reverse':
                return [post.writeOffReversed(invoice, money(step.cents), due(step.invoice))];
            }
          })();
          try {
            await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'application', postings, at: new Date() }));
          } catch (error) {
            if (!(error instanceof LedgerViolationError)) throw error;
            if (step.type === 'receive') payments.pop();
          }
        }
        const transactions = (await ledger.transactions(account, { limit: 200 })).items;
        let totals = zeroTotals('EUR');
        for (const [index, transaction] of transactions.entries()) {
          expect(transaction.seq).toBe(index + 1);
          totals = foldTotals(totals, transaction.postings);
          expect(transaction.totalsAfter).toEqual(totals);
          const { received, applied, refunded, unapplied } = transaction.totalsAfter;
          expect(cents(received)).toBe(cents(applied) + cents(refunded) + cents(unapplied));
          expect(unapplied.isNegative()).toBe(false);
        }
        expect((await ledger.head(account))?.totalsAfter ?? zeroTotals('EUR')).toEqual(totals);
        const all = transactions.flatMap((transaction) => transaction.postings);
        for (const payment of payments) expect(paymentPosition(payment, 'EUR', all).unapplied.isNegative()).toBe(false);
        for (const invoice of invoices) {
          const position = invoicePosition(invoice, 'EUR', all);
          expect(position.outstanding.isNegative()).toBe(false);
          expect(position.writtenOff.isNegative()).toBe(false);
          for (const part of position.paidBy) expect(part.amount.isNegative()).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });
});
