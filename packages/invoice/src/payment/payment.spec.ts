import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CurrencyMismatchError, DomainError, Money, parseCalendarDate, tenantId } from '@invoicing/core';
import type { InvoiceId, PartnerId, PaymentId, RefundId } from '../shared/ids';
import { Payment, type PaymentApplication, type PaymentRefund, type ReceivedPayment } from './payment';
import { issuesOf, thrown } from '../testing/assertions';
import { attempt, tamperWith } from '../testing/tamper';

const tenant = tenantId('acme');
const at = new Date('2026-01-15T09:00:00Z');
const later = new Date('2026-01-20T10:00:00Z');
const buyerId = 'p-buyer' as PartnerId;
const day = parseCalendarDate('2026-01-15');

const eur = (amount: string): Money => Money.of(amount, 'EUR');

function receive(overrides: Partial<ReceivedPayment> = {}): Payment {
  return Payment.receive({ partnerId: buyerId, amount: '100.00', currency: 'EUR', receivedOn: '2026-01-15', ...overrides }, { tenantId: tenant, id: 'pay-1' as PaymentId, at });
}

function received(): Payment {
  const payment = receive();
  payment.markSaved();
  return payment;
}

const application = (invoiceId: string, amount: string | Money): PaymentApplication => ({
  invoiceId: invoiceId as InvoiceId,
  amount: typeof amount === 'string' ? eur(amount) : amount,
  appliedOn: day,
});

const refund = (refundId: string, amount: string | Money): PaymentRefund => ({
  refundId: refundId as RefundId,
  amount: typeof amount === 'string' ? eur(amount) : amount,
  refundedOn: day,
});

describe('Payment', () => {
  describe('receive', () => {
    it('records the money received, all of it unapplied, and raises payment.received', () => {
      const payment = receive({ reference: '  VIR 2026-001  ' });

      expect(payment.amount.toString()).toBe('100.00');
      expect(payment.currency).toBe('EUR');
      expect(payment.receivedOn).toBe('2026-01-15');
      expect(payment.partnerId).toBe(buyerId);
      expect(payment.unapplied.toString()).toBe('100.00');
      expect(payment.applications).toEqual([]);
      expect(payment.refunds).toEqual([]);
      expect(payment.toState().reference).toBe('VIR 2026-001');
      expect(payment.pendingEvents).toEqual([
        expect.objectContaining({ type: 'payment.received', aggregateId: 'pay-1', payload: { paymentId: 'pay-1', partnerId: buyerId, amount: { amount: '100.00', currency: 'EUR' } } }),
      ]);
    });

    it('reads the amount in the currency exponent', () => {
      expect(receive({ amount: '1500', currency: 'JPY' }).amount.minor).toBe(1500n);
      expect(receive({ amount: '1.234', currency: 'BHD' }).amount.minor).toBe(1234n);
    });

    it.each(['0', '0.00', '-0.01', '-100.00'])('refuses the amount %s with payment.invalid_amount', (amount) => {
      expect(issuesOf(() => receive({ amount }))).toEqual([{ path: 'amount', code: 'payment.invalid_amount' }]);
    });

    it.each([
      ['10,00', 'money.malformed'],
      ['1e3', 'money.malformed'],
      ['', 'money.malformed'],
      ['+10', 'money.malformed'],
      ['10.001', 'money.precision_exceeded'],
    ])('refuses the amount %j with %s', (amount, code) => {
      expect(issuesOf(() => receive({ amount }))).toEqual([{ path: 'amount', code }]);
    });

    it('refuses an amount given as a JS number', () => {
      expect(issuesOf(() => receive({ amount: 12.5 as unknown as string }))).toEqual([{ path: 'amount', code: 'money.malformed' }]);
    });

    it('refuses an unknown currency, without judging the amount it cannot read', () => {
      expect(issuesOf(() => receive({ currency: 'EURO', amount: '1.234' }))).toEqual([{ path: 'currency', code: 'money.unknown_currency' }]);
      expect(issuesOf(() => receive({ currency: 'eur' }))).toEqual([{ path: 'currency', code: 'money.unknown_currency' }]);
    });

    it('reports every bad field at once', () => {
      expect(issuesOf(() => receive({ amount: '-1', receivedOn: '2026-02-29', reference: 'r'.repeat(101) }))).toEqual([
        { path: 'amount', code: 'payment.invalid_amount' },
        { path: 'receivedOn', code: 'date.malformed' },
        { path: 'reference', code: 'text.too_long' },
      ]);
    });
  });

  describe('received', () => {
    const context = { tenantId: tenant, id: 'pay-1' as PaymentId, at };

    it('makes the payment from values already checked', () => {
      const payment = Payment.received({ partnerId: buyerId, amount: eur('100.00'), receivedOn: day, reference: 'VIR 1' }, context);

      expect(payment.unapplied.toString()).toBe('100.00');
      expect(payment.toState()).toMatchObject({ receivedOn: '2026-01-15', reference: 'VIR 1', createdAt: at });
    });

    it.each(['0.00', '-0.01', '-50.00'])('refuses the amount %s with payment.invalid_amount, as receive does (review of 12 December 2026)', (amount) => {
      expect(issuesOf(() => Payment.received({ partnerId: buyerId, amount: eur(amount), receivedOn: day }, context))).toEqual([{ path: 'amount', code: 'payment.invalid_amount' }]);
    });
  });

  describe('apply', () => {
    it('applies part of the payment to an invoice and raises payment.applied', () => {
      const payment = received();

      payment.apply(application('inv-1', '30.00'), later);

      expect(payment.unapplied.toString()).toBe('70.00');
      expect(payment.appliedTo('inv-1' as InvoiceId).toString()).toBe('30.00');
      expect(payment.appliedTo('inv-2' as InvoiceId).toString()).toBe('0.00');
      expect(payment.applications).toEqual([application('inv-1', '30.00')]);
      expect(payment.toState().updatedAt).toEqual(later);
      expect(payment.pendingEvents).toEqual([
        expect.objectContaining({ type: 'payment.applied', payload: { paymentId: 'pay-1', invoiceId: 'inv-1', amount: { amount: '30.00', currency: 'EUR' } } }),
      ]);
    });

    it('applies the whole payment across invoices, down to zero', () => {
      const payment = received();

      payment.apply(application('inv-1', '60.00'), later);
      payment.apply(application('inv-2', '40.00'), later);

      expect(payment.unapplied.isZero()).toBe(true);
    });

    it('ignores a second application to the same invoice, so a retried use case never applies twice', () => {
      const payment = received();
      payment.apply(application('inv-1', '30.00'), at);
      payment.markSaved();
      const before = payment.toState();

      payment.apply(application('inv-1', '30.00'), later);
      payment.apply(application('inv-1', '10.00'), later);

      expect(payment.toState()).toEqual(before);
      expect(payment.pendingEvents).toEqual([]);
    });

    it('is refused with payment.insufficient_unapplied when more than the unapplied amount is asked for', () => {
      const payment = received();
      payment.apply(application('inv-1', '60.00'), at);

      const error = thrown(() => payment.apply(application('inv-2', '40.01'), later));

      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: 'payment.insufficient_unapplied',
        details: { paymentId: 'pay-1', amount: { amount: '40.01', currency: 'EUR' }, unapplied: { amount: '40.00', currency: 'EUR' } },
      });
      expect(payment.unapplied.toString()).toBe('40.00');
      expect(payment.applications).toHaveLength(1);
    });

    it.each(['0.00', '-1.00'])('is refused with payment.invalid_amount for %s', (amount) => {
      const payment = received();

      expect(issuesOf(() => payment.apply(application('inv-1', amount), later))).toEqual([{ path: 'amount', code: 'payment.invalid_amount' }]);
      expect(payment.unapplied.toString()).toBe('100.00');
    });

    it('is refused with money.currency_mismatch in another currency', () => {
      expect(thrown(() => received().apply(application('inv-1', Money.of('1.00', 'USD')), later))).toBeInstanceOf(CurrencyMismatchError);
    });
  });

  describe('refund', () => {
    it('pays back part of the unapplied amount and raises payment.refunded', () => {
      const payment = received();
      payment.apply(application('inv-1', '60.00'), at);

      payment.refund({ ...refund('rf-1', '15.00'), reference: 'RET-1' }, later);

      expect(payment.unapplied.toString()).toBe('25.00');
      expect(payment.refunds).toEqual([{ ...refund('rf-1', '15.00'), reference: 'RET-1' }]);
      expect(payment.pendingEvents.at(-1)).toEqual(
        expect.objectContaining({ type: 'payment.refunded', payload: { paymentId: 'pay-1', refundId: 'rf-1', amount: { amount: '15.00', currency: 'EUR' } } }),
      );
    });

    it('records the same refund id once', () => {
      const payment = received();
      payment.refund(refund('rf-1', '15.00'), at);
      payment.markSaved();

      payment.refund(refund('rf-1', '15.00'), later);

      expect(payment.unapplied.toString()).toBe('85.00');
      expect(payment.pendingEvents).toEqual([]);
    });

    it('is refused with payment.insufficient_unapplied beyond what is unapplied, counting applications and refunds', () => {
      const payment = received();
      payment.apply(application('inv-1', '60.00'), at);
      payment.refund(refund('rf-1', '30.00'), at);

      expect(thrown(() => payment.refund(refund('rf-2', '10.01'), later))).toMatchObject({ code: 'payment.insufficient_unapplied' });
      expect(thrown(() => payment.apply(application('inv-2', '10.01'), later))).toMatchObject({ code: 'payment.insufficient_unapplied' });
      payment.refund(refund('rf-2', '10.00'), later);
      expect(payment.unapplied.isZero()).toBe(true);
    });

    it('is refused with payment.invalid_amount for zero', () => {
      expect(issuesOf(() => received().refund(refund('rf-1', '0.00'), later))).toEqual([{ path: 'amount', code: 'payment.invalid_amount' }]);
    });
  });

  describe('returnApplication', () => {
    const returned = (invoiceId: string, creditNoteId: string, amount: string) => ({ invoiceId: invoiceId as InvoiceId, creditNoteId: creditNoteId as InvoiceId, amount: eur(amount), returnedOn: day });

    it('takes back part of an application as unapplied credit, once per credit note, and refunds it afterwards', () => {
      const payment = received();
      payment.apply(application('inv-1', '100.00'), at);
      payment.markSaved();

      payment.returnApplication(returned('inv-1', 'cn-1', '30.00'), later);
      payment.returnApplication(returned('inv-1', 'cn-1', '30.00'), later);

      expect(payment.unapplied.toString()).toBe('30.00');
      expect(payment.appliedTo('inv-1' as InvoiceId).toString()).toBe('70.00');
      expect(payment.returns).toEqual([returned('inv-1', 'cn-1', '30.00')]);
      expect(payment.pendingEvents).toEqual([
        expect.objectContaining({
          type: 'payment.application_returned',
          payload: { paymentId: payment.id, invoiceId: 'inv-1', creditNoteId: 'cn-1', amount: { amount: '30.00', currency: 'EUR' }, unapplied: { amount: '30.00', currency: 'EUR' } },
        }),
      ]);
      payment.refund(refund('ref-1', '30.00'), later);
      expect(payment.unapplied.isZero()).toBe(true);
    });

    it('applies what came back again, past the largest amount in all, as long as each step is within it (audit credreturn F2)', () => {
      const largest = '9999999999999.99';
      const payment = Payment.received({ partnerId: buyerId, amount: eur(largest), receivedOn: day }, { tenantId: tenant, id: 'pay-max' as PaymentId, at });
      payment.apply(application('inv-1', largest), at);
      payment.returnApplication(returned('inv-1', 'cn-1', largest), at);
      payment.apply(application('inv-2', largest), at);
      payment.returnApplication(returned('inv-2', 'cn-2', '0.01'), at);

      expect(payment.unapplied.toString()).toBe('0.01');
      expect([payment.appliedTo('inv-1' as InvoiceId).toString(), payment.appliedTo('inv-2' as InvoiceId).toString()]).toEqual(['0.00', '9999999999999.98']);
      payment.refund(refund('ref-1', '0.01'), at);
      expect(payment.unapplied.isZero()).toBe(true);
    });

    it('is refused with payment.return_exceeds_applied beyond what it applied to that invoice, and changes nothing', () => {
      const payment = received();
      payment.apply(application('inv-1', '60.00'), at);
      payment.returnApplication(returned('inv-1', 'cn-1', '50.00'), at);
      payment.markSaved();
      const before = payment.toState();

      expect(() => payment.returnApplication(returned('inv-1', 'cn-2', '10.01'), later)).toThrow(expect.objectContaining({ code: 'payment.return_exceeds_applied' }));
      expect(() => payment.returnApplication(returned('inv-2', 'cn-3', '0.01'), later)).toThrow(expect.objectContaining({ code: 'payment.return_exceeds_applied' }));
      expect(() => payment.returnApplication(returned('inv-1', 'cn-4', '0.00'), later)).toThrow(expect.objectContaining({ code: 'payment.invalid_amount' }));
      expect(payment.toState()).toEqual(before);
      expect(payment.pendingEvents).toEqual([]);
    });
  });

  describe('state handed out (review of 12 December 2026)', () => {
    /** A payment partly applied and partly refunded. */
    function used(): Payment {
      const payment = received();
      payment.apply(application('inv-1', '30.00'), new Date(later));
      payment.refund({ ...refund('r-1', '20.00'), reference: 'RBT 1' }, new Date(later));
      return payment;
    }

    it('cannot be changed through what toState() and its getters return: arrays, nested objects, Money, Dates', () => {
      const payment = used();
      const expected = used().toState();
      const state = payment.toState();

      attempt(() => (state.applications as unknown[]).pop());
      attempt(() => (payment.refunds as PaymentRefund[]).push(refund('forged', '50.00')));
      attempt(() => state.createdAt.setUTCFullYear(1999));
      tamperWith(state);
      for (const handedOut of [payment.applications, payment.refunds, payment.amount, payment.unapplied]) tamperWith(handedOut);

      expect(payment.toState()).toEqual(expected);
      expect(payment.unapplied.toString()).toBe('50.00');
    });

    it('shares nothing it can be changed through with what it was built or restored from', () => {
      const now = new Date(at);
      const command = { partnerId: buyerId, amount: '100.00', currency: 'EUR', receivedOn: '2026-01-15' };
      const payment = Payment.receive(command, { tenantId: tenant, id: 'pay-1' as PaymentId, at: now });
      const part = application('inv-1', '30.00');
      const appliedAt = new Date(later);
      payment.apply(part, appliedAt);
      const state = payment.toState();
      const restored = Payment.restore(state);

      now.setTime(0);
      appliedAt.setTime(0);
      tamperWith(part);
      tamperWith(state);

      for (const kept of [payment, restored]) {
        expect(kept.toState()).toMatchObject({ createdAt: at, updatedAt: later, applications: [application('inv-1', '30.00')] });
        expect(kept.unapplied.toString()).toBe('70.00');
      }
    });
  });

  describe('unapplied', () => {
    it('never goes below zero, and is the amount less everything accepted, whatever is asked', () => {
      const operation = fc.record({ kind: fc.constantFrom('apply', 'refund'), target: fc.integer({ min: 1, max: 4 }), cents: fc.integer({ min: -100, max: 6_000 }) });

      fc.assert(
        fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(operation, { maxLength: 20 }), (totalCents, operations) => {
          const payment = Payment.receive(
            { partnerId: buyerId, amount: Money.ofMinor(totalCents, 'EUR').toString(), currency: 'EUR', receivedOn: '2026-01-15' },
            { tenantId: tenant, id: 'pay-1' as PaymentId, at },
          );
          const accepted = new Map<string, bigint>();
          for (const { kind, target, cents } of operations) {
            const key = `${kind}-${target}`;
            const amount = Money.ofMinor(cents, 'EUR');
            const remaining = BigInt(totalCents) - [...accepted.values()].reduce((sum, part) => sum + part, 0n);
            const run = (): void =>
              kind === 'apply' ? payment.apply(application(`inv-${target}`, amount), at) : payment.refund(refund(`rf-${target}`, amount), at);
            if (accepted.has(key)) {
              run(); // already recorded: ignored, whatever the amount
            } else if (cents <= 0) {
              expect(thrown(run)).toMatchObject({ code: 'payment.invalid_amount' });
            } else if (BigInt(cents) > remaining) {
              expect(thrown(run)).toMatchObject({ code: 'payment.insufficient_unapplied' });
            } else {
              run();
              accepted.set(key, BigInt(cents));
            }
            const used = [...accepted.values()].reduce((sum, part) => sum + part, 0n);
            expect(payment.unapplied.minor).toBe(BigInt(totalCents) - used);
            expect(payment.unapplied.isNegative()).toBe(false);
          }
        }),
      );
    });
  });
});
