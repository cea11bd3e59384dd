import { Money, UuidV7IdGenerator, definedFields, parseCalendarDate, type CurrencyCode } from '@invoicing/core';
import type { AppliedPosting, ApplicationReturnedPosting, CreditedPosting, LedgerAccount, ReceivedPosting, RefundedPosting, VoidedPosting, WriteOffReversedPosting, WrittenOffPosting } from '../ledger/ledger';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { aTenant } from './builders';

const ids = new UuidV7IdGenerator();

/** A partner's EUR account (or `currency`) in a tenant no other test uses. */
export function aLedgerAccount(currency: CurrencyCode = 'EUR', tenantId = aTenant()): LedgerAccount {
  return { tenantId, partnerId: ids.next<'Partner'>(), currency };
}

/** A fresh operation id. */
export function anOperationId(prefix = 'op'): string {
  return `${prefix}:${ids.next<'Operation'>()}`;
}

/** A fresh invoice id, for postings. */
export function anInvoiceId(): InvoiceId {
  return ids.next<'Invoice'>();
}

/**
 * Postings in an account's currency from decimal strings, for short tests:
 * `post(account).received(paymentId, '60.00')`, `.applied(paymentId, invoiceId, '30.00', '50.00')` (amount, then amount due) …
 * A credit note that takes back what was paid: `[.applicationReturned(paymentId, invoiceId, creditNoteId, '10.00', '50.00'), .credited(creditNoteId, invoiceId, '10.00', '50.00')]`.
 */
export function postingsIn(account: Pick<LedgerAccount, 'currency'>) {
  const money = (amount: string): Money => Money.of(amount, account.currency);
  return {
    received: (paymentId: PaymentId, amount: string, reference?: string): ReceivedPosting => ({
      type: 'received',
      amount: money(amount),
      paymentId,
      receivedOn: parseCalendarDate('2026-02-01'),
      ...definedFields({ reference }),
    }),
    applied: (paymentId: PaymentId, invoiceId: InvoiceId, amount: string, due: string): AppliedPosting => ({
      type: 'applied',
      amount: money(amount),
      paymentId,
      invoiceId,
      invoiceDue: money(due),
      appliedOn: parseCalendarDate('2026-02-01'),
    }),
    applicationReturned: (paymentId: PaymentId, invoiceId: InvoiceId, creditNoteId: InvoiceId, amount: string, due: string): ApplicationReturnedPosting => ({
      type: 'application_returned',
      amount: money(amount),
      paymentId,
      invoiceId,
      invoiceDue: money(due),
      creditNoteId,
      returnedOn: parseCalendarDate('2026-02-02'),
    }),
    credited: (creditNoteId: InvoiceId, invoiceId: InvoiceId, amount: string, due: string): CreditedPosting => ({
      type: 'credited',
      amount: money(amount),
      creditNoteId,
      creditNoteNumber: 'CN-2026-0001',
      invoiceId,
      invoiceDue: money(due),
      creditedOn: parseCalendarDate('2026-02-02'),
    }),
    refunded: (paymentId: PaymentId, amount: string, refundId = ids.next<'Refund'>()): RefundedPosting => ({
      type: 'refunded',
      amount: money(amount),
      refundId,
      paymentId,
      refundedOn: parseCalendarDate('2026-02-03'),
    }),
    voided: (invoiceId: InvoiceId, due: string): VoidedPosting => ({ type: 'voided', amount: money(due), invoiceId, invoiceDue: money(due) }),
    writtenOff: (invoiceId: InvoiceId, amount: string, due: string): WrittenOffPosting => ({ type: 'written_off', amount: money(amount), invoiceId, invoiceDue: money(due) }),
    writeOffReversed: (invoiceId: InvoiceId, amount: string, due: string): WriteOffReversedPosting => ({
      type: 'write_off_reversed',
      amount: money(amount),
      invoiceId,
      invoiceDue: money(due),
    }),
  };
}
