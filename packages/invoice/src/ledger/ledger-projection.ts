import { CLOCK, ConflictError, DomainError, ValidationError, type Clock, type TenantId } from '@invoicing/core';
import { inject, injectable } from 'inversify';
import { creditNoteFromLedger } from '../invoice/credit-note-content';
import type { Invoice } from '../invoice/invoice';
import { INVOICE_REPOSITORY, type InvoiceRepository } from '../invoice/invoice-repository.port';
import { Payment } from '../payment/payment';
import { PAYMENT_REPOSITORY, type PaymentRepository } from '../payment/payment-repository.port';
import type { InvoiceId, PaymentId } from '../shared/ids';
import { retryOnConflict } from '../shared/use-case-support';
import { referencesOf } from './ledger-invariants';
import { LEDGER, type Ledger } from './ledger.port';
import type { LedgerTransaction, Posting } from './ledger';

/** The postings of transactions, in seq order (the transactions of one payment or invoice all belong to one account). */
function inOrder(transactions: readonly LedgerTransaction[]): { posting: Posting; transaction: LedgerTransaction }[] {
  return [...transactions].sort((left, right) => left.seq - right.seq).flatMap((transaction) => transaction.postings.map((posting) => ({ posting, transaction })));
}

/**
 * Keeps payments' and invoices' money fields (a payment's applications, returns and refunds, an invoice's payments,
 * credits and the status they imply) as projections of the ledger, the only record of money that is written first (ADR 0006).
 *
 * A sync reads every transaction naming the payment or invoice and replays, in seq order, the postings its document
 * does not hold yet; each step is idempotent (a payment records an invoice once, an invoice a payment or credit note
 * once), so any number of syncs, at once or after a crash between the ledger append and the projection, converge on
 * the same document. Documents are saved only when something changed, and raise the usual domain events then.
 */
@injectable()
export class LedgerProjection {
  constructor(
    @inject(LEDGER) private readonly ledger: Ledger,
    @inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Brings every payment and invoice a transaction names up to date with the ledger (payments first, or invoices first
   * for a credit that took back from payments), and answers them.
   * `read`, when given, is what `postTransaction` read to append it (their whole ledger as of the append): they are
   * projected from it without reading the ledger again.
   */
  async project(
    transaction: LedgerTransaction,
    read?: readonly LedgerTransaction[],
    loaded: readonly Invoice[] = [],
  ): Promise<{ payments: Map<PaymentId, Payment>; invoices: Map<InvoiceId, Invoice> }> {
    const references = referencesOf(transaction.postings);
    const payments = new Map<PaymentId, Payment>();
    const invoices = new Map<InvoiceId, Invoice>();
    const syncPayments = async () => {
      for (const paymentId of references.payments) {
        // Received by this very append: no document can hold it yet but another attempt's, which the insert finds.
        const isNew = read !== undefined && transaction.postings.some((posting) => posting.type === 'received' && posting.paymentId === paymentId);
        const payment = await this.syncPayment(transaction.tenantId, paymentId, read, isNew);
        if (payment) payments.set(paymentId, payment);
      }
    };
    const syncInvoices = async () => {
      for (const invoiceId of references.invoices) {
        const invoice = await this.syncInvoice(transaction.tenantId, invoiceId, read, loaded.find((document) => document.id === invoiceId));
        if (invoice) invoices.set(invoiceId, invoice);
      }
    };
    // Each document is stored after the one whose event causes its own (`causeOf`): a payment before the invoices it
    // pays, an invoice before the payments a credit took back from. The outbox holds an event back only while the
    // document of its cause is missing, not while that document lacks the event.
    if (transaction.postings.some((posting) => posting.type === 'application_returned')) {
      await syncInvoices();
      await syncPayments();
    } else {
      await syncPayments();
      await syncInvoices();
    }
    return { payments, invoices };
  }

  /**
   * The payment as the ledger has it: created from its `received` posting when the document is missing (a crash after
   * the append), with every application and refund. Undefined when the ledger never received it.
   */
  async syncPayment(tenantId: TenantId, paymentId: PaymentId, read?: readonly LedgerTransaction[], knownAbsent = false): Promise<Payment | undefined> {
    const postings = inOrder(read ?? (await this.ledger.forPayment(tenantId, paymentId))).filter(({ posting }) => 'paymentId' in posting && posting.paymentId === paymentId);
    const receipt = postings.find(({ posting }) => posting.type === 'received');
    if (!receipt || receipt.posting.type !== 'received') return this.payments.get(tenantId, paymentId);
    let round = 0;
    return retryOnConflict(async () => {
      const { posting, transaction } = receipt as { posting: Extract<Posting, { type: 'received' }>; transaction: LedgerTransaction };
      // Known not stored when the projection began: the first round creates it without reading.
      const stored = round++ === 0 && knownAbsent ? undefined : await this.payments.get(tenantId, paymentId);
      const payment =
        stored ??
        Payment.received({ partnerId: transaction.partnerId, amount: posting.amount, receivedOn: posting.receivedOn, reference: posting.reference }, { tenantId, id: paymentId, at: transaction.at });
      const at = this.clock.now();
      for (const { posting: next } of postings) {
        if (next.type === 'applied') payment.apply({ invoiceId: next.invoiceId, amount: next.amount, appliedOn: next.appliedOn }, at);
        else if (next.type === 'application_returned') payment.returnApplication({ invoiceId: next.invoiceId, creditNoteId: next.creditNoteId, amount: next.amount, returnedOn: next.returnedOn }, at);
        else if (next.type === 'refunded') payment.refund({ refundId: next.refundId, amount: next.amount, refundedOn: next.refundedOn, ...(next.reference === undefined ? {} : { reference: next.reference }) }, at);
      }
      if (payment.pendingEvents.length > 0) await this.payments.save(payment);
      return payment;
    });
  }

  /** {@link syncPayment}, then every invoice the payment was applied to: a whole payment's documents, after a crash. */
  async syncPaymentAndInvoices(tenantId: TenantId, paymentId: PaymentId): Promise<Payment | undefined> {
    const payment = await this.syncPayment(tenantId, paymentId);
    for (const application of payment?.applications ?? []) await this.syncInvoice(tenantId, application.invoiceId);
    return payment;
  }

  /** The invoice as the ledger has it: its payments, credits, write-off and void, in the order they were appended. */
  async syncInvoice(tenantId: TenantId, invoiceId: InvoiceId, read?: readonly LedgerTransaction[], first?: Invoice): Promise<Invoice | undefined> {
    const postings = inOrder(read ?? (await this.ledger.forInvoice(tenantId, invoiceId))).filter(({ posting }) => 'invoiceId' in posting && posting.invoiceId === invoiceId);
    let round = 0;
    return retryOnConflict(async () => {
      // `first`: the document as the caller read it before appending; a stale one fails its save and is read again.
      const invoice = round++ === 0 && first !== undefined ? first : await this.invoices.get(tenantId, invoiceId);
      if (!invoice) return undefined;
      const at = this.clock.now();
      const held = new Set<string>([...invoice.payments.map((part) => part.paymentId), ...invoice.credits.map((part) => part.creditNoteId)]);
      /** Whether the document already holds a payment or credit appended after posting `index`, so holds what came before it too. */
      const heldAfter = (index: number) => postings.slice(index + 1).some(({ posting }) => (posting.type === 'applied' && held.has(posting.paymentId)) || (posting.type === 'credited' && held.has(posting.creditNoteId)));
      for (const [index, { posting }] of postings.entries()) {
        switch (posting.type) {
          case 'applied':
            invoice.applyPayment({ paymentId: posting.paymentId, amount: posting.amount, appliedOn: posting.appliedOn }, at);
            break;
          case 'credited': {
            // What it took back from payments comes before it, in its own transaction.
            const paymentsReturned = postings.flatMap(({ posting: other, transaction: otherTransaction }) =>
              other.type === 'application_returned' && otherTransaction === postings[index]?.transaction && other.creditNoteId === posting.creditNoteId ? [{ paymentId: other.paymentId, amount: other.amount }] : [],
            );
            invoice.applyCredit(
              {
                creditNoteId: posting.creditNoteId,
                creditNoteNumber: posting.creditNoteNumber,
                amount: posting.amount,
                appliedOn: posting.creditedOn,
                ...(paymentsReturned.length > 0 ? { paymentsReturned } : {}),
              },
              at,
            );
            break;
          }
          case 'application_returned':
            // Projected with the credit that took it back.
            break;
          case 'written_off':
            // A write-off leaves no trace on the document but its status: projected already when the status says so,
            // when the invoice was voided since (a void comes last), or when what settled it after the write-off is held.
            // A document paid or credited in full holds that too, though `postings` may not (read at the write-off's
            // append, before another process settled the invoice): nothing is written off once nothing is owed.
            if (!['uncollectible', 'void', 'paid', 'credited'].includes(invoice.status) && !heldAfter(index)) invoice.markUncollectible(at);
            break;
          case 'voided':
            if (invoice.status !== 'void') invoice.void(posting.reason, at);
            break;
          case 'write_off_reversed':
            // The invoice stays uncollectible until the payment or credit that came with the reversal settles it.
            break;
        }
      }
      if (invoice.pendingEvents.length > 0) await this.invoices.save(invoice);
      return invoice;
    });
  }

  /**
   * The credit notes the ledger credited the invoice with and no document holds (the process stopped between the
   * append and the store: a request without a key is never retried), made again from the content stored with each
   * credit (ADR 0024), the invoice projected first. Answers the credit notes stored, and those it cannot make, each
   * with its reason: `ledger.content_missing` (appended before the ledger kept content), `ledger.content_unreadable`
   * (stored content that is not one), the code of the error that refused it (`ledger.credit_note_mismatch`, a rule the
   * content breaks now), or `invoice.duplicate_external_reference` (another document took its reference since). One
   * that cannot be made does not stop the others.
   */
  async restoreCreditNotes(tenantId: TenantId, invoiceId: InvoiceId): Promise<{ readonly restored: Invoice[]; readonly unrestorable: UnrestorableCreditNote[] }> {
    const transactions = await this.ledger.forInvoice(tenantId, invoiceId);
    const invoice = await this.syncInvoice(tenantId, invoiceId, transactions);
    const restored: Invoice[] = [];
    const unrestorable: UnrestorableCreditNote[] = [];
    if (!invoice) return { restored, unrestorable };
    for (const { posting, transaction } of inOrder(transactions)) {
      if (posting.type !== 'credited' || posting.invoiceId !== invoiceId || (await this.invoices.get(tenantId, posting.creditNoteId))) continue;
      let creditNote: Invoice;
      try {
        const content = (await this.ledger.byOperation(tenantId, transaction.operationId))?.creditNote;
        if (content === undefined) {
          unrestorable.push({ creditNoteId: posting.creditNoteId, reason: 'ledger.content_missing' });
          continue;
        }
        creditNote = creditNoteFromLedger(invoice, posting, content, transaction.at);
      } catch (error) {
        // Content that is not one (the store's reading, or its shape, refused it), or that breaks a rule of this release.
        if (error instanceof DomainError) unrestorable.push({ creditNoteId: posting.creditNoteId, reason: isShapeError(error) ? 'ledger.content_unreadable' : error.code });
        else if (error instanceof TypeError || error instanceof SyntaxError) unrestorable.push({ creditNoteId: posting.creditNoteId, reason: 'ledger.content_unreadable' });
        else throw error;
        continue;
      }
      try {
        await this.invoices.save(creditNote);
        restored.push(creditNote);
      } catch (error) {
        // Stored meanwhile by the request itself; otherwise refused by the external reference's unique key.
        if (error instanceof ConflictError && (await this.invoices.get(tenantId, posting.creditNoteId))) continue;
        if (!(error instanceof DomainError)) throw error;
        unrestorable.push({ creditNoteId: posting.creditNoteId, reason: error.code });
      }
    }
    return { restored, unrestorable };
  }
}

/** A credit note the ledger credited that {@link LedgerProjection.restoreCreditNotes} could not make, and why (a code). */
export interface UnrestorableCreditNote {
  readonly creditNoteId: InvoiceId;
  readonly reason: string;
}

/** Refused for its shape (a null line, a string for a list): stored content that is not a credit note's at all. */
function isShapeError(error: DomainError): boolean {
  return error instanceof ValidationError && error.issues.some((issue) => issue.code === 'request.is_object' || issue.code === 'request.is_array');
}
