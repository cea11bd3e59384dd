import { describe, expect, it } from '@jest/globals';
import { Money } from '@invoicing/core';
import fc from 'fast-check';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { aPaymentId } from '../testing/builders';
import { aLedgerAccount, anInvoiceId, anOperationId, postingsIn } from '../testing/ledger-builders';
import { InMemoryLedger } from '../testing/in-memory/in-memory-ledger';
import { invoicePosition, paymentPosition, type CreditedPosting, type Posting } from './ledger';
import { postTransaction } from './post-transaction';
import { creditPostings, standingOf, type InvoiceStanding } from './settlement';

const account = aLedgerAccount();
const post = postingsIn(account);
const eur = (minor: number | bigint): Money => Money.ofMinor(BigInt(minor), 'EUR');

/** The standing the use cases decide by, from the ledger's postings alone (no document lags here). */
const standing = (invoice: InvoiceId, due: Money, postings: readonly Posting[]): InvoiceStanding => standingOf(invoicePosition(invoice, 'EUR', postings), due);

function credited(invoice: InvoiceId, due: Money, amount: Money): CreditedPosting {
  return { type: 'credited', amount, creditNoteId: anInvoiceId(), creditNoteNumber: 'CN-1', invoiceId: invoice, invoiceDue: due, creditedOn: '2026-02-02' as CreditedPosting['creditedOn'] };
}

describe('creditPostings', () => {
  it('takes what is owed first, reversing the write-off it needs, then the last payment applied, then the one before', () => {
    const invoice = anInvoiceId();
    const [first, second] = [aPaymentId(), aPaymentId()];
    const due = eur(100_00);
    const history = [
      post.received(first, '60.00'),
      post.applied(first, invoice, '60.00', '100.00'),
      post.received(second, '30.00'),
      post.applied(second, invoice, '30.00', '100.00'),
      post.writtenOff(invoice, '10.00', '100.00'),
    ];

    const postings = creditPostings(standing(invoice, due, history), credited(invoice, due, eur(50_00)));

    expect(postings.map((posting) => [posting.type, posting.amount.toString(), 'paymentId' in posting ? posting.paymentId : undefined])).toEqual([
      ['write_off_reversed', '10.00', undefined],
      ['application_returned', '30.00', second],
      ['application_returned', '10.00', first],
      ['credited', '50.00', undefined],
    ]);
  });

  it('is accepted by the ledger for any credits within what is creditable, and gives back to the payments exactly what it takes from the invoice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50_000 }),
        fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 5 }),
        async (dueCents, paymentCents, creditCents) => {
          const ledger = new InMemoryLedger();
          const invoice = anInvoiceId();
          const due = eur(dueCents);
          const payments: PaymentId[] = [];
          let applied = 0n;
          for (const cents of paymentCents) {
            const payment = aPaymentId();
            payments.push(payment);
            const toApply = BigInt(Math.min(cents, dueCents - Number(applied)));
            const postings: Posting[] = [post.received(payment, eur(cents).toString())];
            if (toApply > 0n) postings.push(post.applied(payment, invoice, eur(toApply).toString(), due.toString()));
            applied += toApply > 0n ? toApply : 0n;
            await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'payment', postings, at: new Date() }));
          }
          let creditedSoFar = 0n;
          for (const cents of creditCents) {
            const all = (await ledger.transactions(account, { limit: 100 })).items.flatMap((transaction) => transaction.postings);
            const now = standing(invoice, due, all);
            const amount = eur(cents).min(now.creditable);
            if (!amount.isPositive()) break;
            const postings = creditPostings(now, credited(invoice, due, amount));
            const { transaction } = await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'credit_note', postings, at: new Date() }));
            creditedSoFar += amount.minor;
            const returned = postings.filter((posting) => posting.type === 'application_returned').reduce((sum, posting) => sum + posting.amount.minor, 0n);
            // What it took back is exactly what it credited above what was owed.
            expect(returned).toBe(amount.subtract(amount.min(now.owed)).minor);
            expect(transaction.totalsAfter.unapplied.minor).toBe((await ledger.head(account))?.totalsAfter.unapplied.minor);
          }
          const all = (await ledger.transactions(account, { limit: 100 })).items.flatMap((transaction) => transaction.postings);
          const position = invoicePosition(invoice, 'EUR', all);
          const received = paymentCents.reduce((sum, cents) => sum + BigInt(cents), 0n);
          const unapplied = payments.reduce((sum, payment) => sum + paymentPosition(payment, 'EUR', all).unapplied.minor, 0n);
          // Every cent received is either still paying the invoice or the buyer's credit again.
          expect(position.paid.minor + unapplied).toBe(received);
          expect(position.credited.minor).toBe(creditedSoFar);
          expect(position.outstanding.isNegative()).toBe(false);
          for (const part of position.paidBy) expect(part.amount.isNegative()).toBe(false);
          if (creditedSoFar === BigInt(dueCents)) expect(position.paid.isZero()).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
