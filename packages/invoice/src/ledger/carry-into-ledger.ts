import { DomainError, RunningTotal, definedFields, type TenantId } from '@invoicing/core';
import type { Invoice } from '../invoice/invoice';
import type { InvoiceRepository } from '../invoice/invoice-repository.port';
import { collect } from '../integrity/check-integrity';
import type { IntegrityReader } from '../integrity/integrity-reader.port';
import type { PaymentRepository } from '../payment/payment-repository.port';
import type { InvoiceId, PaymentId } from '../shared/ids';
import type { LedgerAccount, LedgerTransactionKind, Posting } from './ledger';
import type { Ledger } from './ledger.port';
import { postTransaction } from './post-transaction';

/** What carrying a tenant's money into the ledger did. */
export interface CarryReport {
  readonly tenantId: string;
  /** Opening transactions appended now, by what they carry. */
  readonly carried: { readonly payments: number; readonly credits: number; readonly writeOffs: number; readonly voids: number };
  /** Movements found in the ledger already (carried before, or recorded there from the start). */
  readonly alreadyInLedger: number;
  /** Movements the ledger's checks refused: reported for a person to correct, never carried as they are. */
  readonly refused: readonly { readonly operationId: string; readonly code: string; readonly message: string }[];
}

interface Ports {
  readonly reader: IntegrityReader;
  readonly payments: PaymentRepository;
  readonly invoices: InvoiceRepository;
  readonly ledger: Ledger;
}

/**
 * Carries the money a tenant's documents record, but the ledger does not, into the ledger as `opening` transactions
 * (ADR 0006, "Carrying older data into the ledger"): data recorded before every movement was written to the ledger
 * first. In this order, each through the ledger's checks like any other transaction:
 * 1. each payment missing from the ledger, oldest received first, with its applications and refunds (`opening:payment:<id>`);
 * 2. each credit note's credit missing from it (`opening:credit:<credit note id>`);
 * 3. each uncollectible invoice's outstanding amount as written off (`opening:write_off:<invoice id>`);
 * 4. each void invoice as voided (`opening:void:<invoice id>`).
 * Operation ids make it safe to run again: what was carried is found, not carried twice. What the checks refuse (a
 * payment refunded above what it received, an invoice paid above its amount due) is reported and left out.
 * A payment a credit note took applications back from, and such a credit, are reported (`ledger.return_not_carried`)
 * and never carried: only a release that records the ledger first makes them, so missing from it they were lost from
 * it, and opening postings cannot say in which order the money was taken back and refunded.
 */
export async function carryIntoLedger(ports: Ports, tenantId: TenantId, at: Date): Promise<CarryReport> {
  const known = { payments: new Set<string>(), credits: new Set<string>(), writeOffs: new Set<string>(), voids: new Set<string>() };
  for (const transaction of await collect(ports.reader.ledgerTransactions(tenantId))) {
    for (const posting of transaction.postings) {
      if (posting.type === 'received') known.payments.add(posting.paymentId);
      else if (posting.type === 'credited') known.credits.add(posting.creditNoteId);
      else if (posting.type === 'written_off') known.writeOffs.add(posting.invoiceId);
      else if (posting.type === 'voided') known.voids.add(posting.invoiceId);
    }
  }
  const carried = { payments: 0, credits: 0, writeOffs: 0, voids: 0 };
  const refused: { operationId: string; code: string; message: string }[] = [];
  let alreadyInLedger = 0;
  const invoiceCache = new Map<string, Invoice | undefined>();
  const invoice = async (id: string): Promise<Invoice | undefined> => {
    if (!invoiceCache.has(id)) invoiceCache.set(id, await ports.invoices.get(tenantId, id as InvoiceId));
    return invoiceCache.get(id);
  };
  const post = async (what: keyof typeof carried, account: LedgerAccount, operationId: string, kind: LedgerTransactionKind, postings: () => Promise<Posting[]>) => {
    try {
      const outcome = await postTransaction(ports.ledger, { account, operationId }, async () => ({ kind, postings: await postings(), at }));
      if (outcome.replayed) alreadyInLedger += 1;
      else carried[what] += 1;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refused.push({ operationId, code: error.code, message: error.message });
    }
  };

  const paymentFacts = await collect(ports.reader.payments(tenantId));
  const payments = [];
  for (const facts of paymentFacts) {
    if (known.payments.has(facts.id)) {
      alreadyInLedger += 1;
      continue;
    }
    const payment = await ports.payments.get(tenantId, facts.id as PaymentId);
    if (payment) payments.push(payment);
  }
  payments.sort((left, right) => left.receivedOn.localeCompare(right.receivedOn) || left.id.localeCompare(right.id));
  for (const payment of payments) {
    const state = payment.toState();
    if (payment.returns.length > 0) {
      const returned = payment.returns.reduce((sum, part) => sum.add(part.amount), RunningTotal.zero(payment.currency));
      refused.push(notCarried(`opening:payment:${payment.id}`, `payment ${payment.id}: credit notes took back ${returned.toString()} ${payment.currency} of its applications`));
      continue;
    }
    const account: LedgerAccount = { tenantId, partnerId: state.partnerId, currency: payment.currency };
    await post('payments', account, `opening:payment:${payment.id}`, 'opening', async () => {
      const postings: Posting[] = [{ type: 'received', amount: state.amount, paymentId: payment.id, receivedOn: state.receivedOn, ...definedFields({ reference: state.reference }) }];
      for (const application of state.applications) {
        const due = (await invoice(application.invoiceId))?.totals.amountDue ?? application.amount;
        postings.push({ type: 'applied', amount: application.amount, paymentId: payment.id, invoiceId: application.invoiceId, invoiceDue: due, appliedOn: application.appliedOn });
      }
      for (const refund of state.refunds) {
        postings.push({ type: 'refunded', amount: refund.amount, refundId: refund.refundId, paymentId: payment.id, refundedOn: refund.refundedOn, ...definedFields({ reference: refund.reference }) });
      }
      return postings;
    });
  }

  const invoiceFacts = (await collect(ports.reader.invoices(tenantId))).filter((facts) => facts.kind === 'invoice');
  for (const facts of invoiceFacts) {
    for (const credit of facts.credits) {
      if (known.credits.has(credit.creditNoteId)) {
        alreadyInLedger += 1;
        continue;
      }
      const document = await invoice(facts.id);
      const applied = document?.credits.find((part) => part.creditNoteId === credit.creditNoteId);
      if (!document || !applied) continue;
      if (applied.paymentsReturned?.length) {
        const returned = applied.paymentsReturned.reduce((sum, part) => sum.add(part.amount), RunningTotal.zero(document.currency));
        refused.push(notCarried(`opening:credit:${credit.creditNoteId}`, `credit note ${credit.creditNoteId} took back ${returned.toString()} ${document.currency} of the payments of invoice ${document.id}`));
        continue;
      }
      await post('credits', accountOf(document), `opening:credit:${credit.creditNoteId}`, 'opening', async () => [
        {
          type: 'credited',
          amount: applied.amount,
          creditNoteId: applied.creditNoteId,
          creditNoteNumber: applied.creditNoteNumber,
          invoiceId: document.id,
          invoiceDue: document.totals.amountDue,
          creditedOn: applied.appliedOn,
        },
      ]);
    }
  }
  for (const facts of invoiceFacts) {
    const written = facts.status === 'uncollectible';
    if (!written && facts.status !== 'void') continue;
    const seen = written ? known.writeOffs : known.voids;
    if (seen.has(facts.id)) {
      alreadyInLedger += 1;
      continue;
    }
    const document = await invoice(facts.id);
    if (!document || !document.totals.amountDue.isPositive()) continue;
    if (written) {
      // What was still owed when it was written off is what is owed now: payments since left it uncollectible.
      if (!document.outstanding.isPositive()) continue;
      await post('writeOffs', accountOf(document), `opening:write_off:${document.id}`, 'opening', async () => [
        { type: 'written_off', amount: document.outstanding, invoiceId: document.id, invoiceDue: document.totals.amountDue },
      ]);
    } else {
      await post('voids', accountOf(document), `opening:void:${document.id}`, 'opening', async () => [
        { type: 'voided', amount: document.totals.amountDue, invoiceId: document.id, invoiceDue: document.totals.amountDue, ...definedFields({ reason: document.toState().voidReason }) },
      ]);
    }
  }
  return { tenantId, carried, alreadyInLedger, refused };
}

/** A movement that only the ledger-first path records, found missing from the ledger: reported, never carried. */
function notCarried(operationId: string, what: string): CarryReport['refused'][number] {
  return { operationId, code: 'ledger.return_not_carried', message: `${what}, recorded by the ledger first and missing from it: not carried; restore the ledger's transactions` };
}

function accountOf(invoice: Invoice): LedgerAccount {
  return { tenantId: invoice.tenantId, partnerId: invoice.buyerId, currency: invoice.currency };
}
