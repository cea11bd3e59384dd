import { Decimal, currencyOf } from '@invoicing/core';
import { formatDocumentNumber, importedHolder, isImportedHolder, parseDocumentNumber } from '../invoice/number-sequence.port';
import { GENESIS_HASH, chainHash, contentHashOf, type DocumentSeal, type SealRecord } from '../invoice/document-seal';
import type { DocumentKind, InvoiceState } from '../invoice/invoice';
import type { InvoiceStatus } from '../invoice/invoice-lifecycle';
import { foldTotals, zeroTotals, type LedgerTotals, type LedgerTransaction } from '../ledger/ledger';
import type { PaymentState } from '../payment/payment';

/*
 * The invariant checker (issue 12): pure checks over the states stored today, per tenant. It reports, never repairs.
 * Amounts are compared in minor units (bigint); a finding gives them as decimal strings in their currency.
 */

/** Every code a finding can have (docs/errors.md, "The invariant checker"). */
export const INTEGRITY_CODES = [
  'integrity.payment_unbalanced',
  'integrity.invoice_overpaid',
  'integrity.application_mismatch',
  'integrity.number_duplicate',
  'integrity.number_gap',
  'integrity.number_unreserved',
  'integrity.dangling_reference',
  'integrity.ledger_seq_gap',
  'integrity.ledger_totals_mismatch',
  'integrity.ledger_currency_mismatch',
  'integrity.ledger_payment_in_two_accounts',
  'integrity.ledger_payment_overdrawn',
  'integrity.ledger_invoice_overpaid',
  'integrity.ledger_return_exceeded',
  'integrity.ledger_return_without_credit',
  'integrity.ledger_return_while_owed',
  'integrity.projection_mismatch',
  'integrity.seal_chain_broken',
  'integrity.seal_missing_document',
  'integrity.seal_content_mismatch',
  'integrity.seal_copy_mismatch',
  'integrity.unreadable_document',
] as const;
export type IntegrityCode = (typeof INTEGRITY_CODES)[number];

/** The code of a note: a number reserved for a document that was never stored, the documented gap of a refused credit note (ADR 0006). */
export const REFUSED_CREDIT_NOTE_GAP = 'integrity.number_gap_refused_credit_note';

/** One broken invariant: its code, the tenant, the ids involved and the amounts compared. */
export interface IntegrityFinding {
  readonly code: IntegrityCode | typeof REFUSED_CREDIT_NOTE_GAP;
  readonly tenantId: string;
  readonly message: string;
  readonly ids: Readonly<Record<string, string | number>>;
  readonly currency?: string;
  /** Decimal strings in `currency`. */
  readonly amounts?: Readonly<Record<string, string>>;
}

/** A part of money in minor units. */
export interface MinorAmount {
  readonly amount: bigint;
  readonly currency: string;
}

/** What the checker needs of a payment. */
export interface PaymentFacts {
  readonly id: string;
  readonly partnerId: string;
  readonly currency: string;
  readonly amount: bigint;
  readonly applications: readonly (MinorAmount & { readonly invoiceId: string })[];
  readonly refunds: readonly (MinorAmount & { readonly refundId: string })[];
  /** Parts of its applications that credit notes took back (absent when none did): unapplied credit again. */
  readonly returns?: readonly (MinorAmount & { readonly invoiceId: string; readonly creditNoteId: string })[];
  /** The unapplied amount stored beside the payment for queries (MongoDB's `derived.unappliedMinor`), when there is one. */
  readonly storedUnapplied?: bigint;
}

/** What the checker needs of an invoice or credit note. */
export interface InvoiceFacts {
  readonly id: string;
  readonly kind: DocumentKind;
  readonly status: InvoiceStatus;
  readonly number?: string;
  readonly series: string;
  readonly sellerId: string;
  readonly buyerId: string;
  readonly currency: string;
  readonly amountDue: bigint;
  readonly payments: readonly (MinorAmount & { readonly paymentId: string })[];
  /** Each credit with what it took back from the payments that paid the invoice (absent when nothing). */
  readonly credits: readonly (MinorAmount & { readonly creditNoteId: string; readonly paymentsReturned?: readonly (MinorAmount & { readonly paymentId: string })[] })[];
  readonly precedingInvoiceId?: string;
  /** Recorded from another system's history: its number was not reserved from a series of ours. */
  readonly imported?: true;
  /** SHA-256 of the document's canonical content as stored now (documents with a number only). */
  readonly contentHash?: string;
  /** The seal the document carries (ADR 0022), when it was sealed. */
  readonly seal?: DocumentSeal;
  /** Fields an adapter stores beside the state for queries and reports that disagree with the state, by name. */
  readonly staleQueryFields?: readonly string[];
}

/** A number of a series reserved for a document (see `NumberSequence`). */
export interface NumberReservationFacts {
  readonly series: string;
  readonly sequence: number;
  readonly documentId: string;
}

/** A stored document the reader could not turn into facts (a field edited into something no version writes). */
export interface UnreadableDocument {
  readonly collection: string;
  readonly id: string;
  readonly message: string;
}

/** Everything stored of one tenant that the checks read. */
export interface TenantSnapshot {
  readonly tenantId: string;
  readonly partnerIds: ReadonlySet<string>;
  readonly payments: readonly PaymentFacts[];
  readonly invoices: readonly InvoiceFacts[];
  readonly reservations: readonly NumberReservationFacts[];
  readonly ledger: readonly LedgerTransaction[];
  /** The links of the tenant's hash chains of issued documents (ADR 0022); none when absent. */
  readonly seals?: readonly SealRecord[];
  /** Documents the reader could not read: each a finding, and left out of the other checks. */
  readonly unreadable?: readonly UnreadableDocument[];
}

/** A partner's payments in one currency: received = applied + unapplied + refunded. */
export interface AccountSummary {
  readonly tenantId: string;
  readonly partnerId: string;
  readonly currency: string;
  readonly payments: number;
  readonly received: string;
  readonly applied: string;
  readonly refunded: string;
  readonly unapplied: string;
  readonly balanced: boolean;
}

/** The checker's facts of a payment state. */
export function paymentFacts(state: PaymentState, storedUnapplied?: bigint): PaymentFacts {
  const facts: PaymentFacts = {
    id: state.id,
    partnerId: state.partnerId,
    currency: state.amount.currency,
    amount: state.amount.minor,
    applications: state.applications.map((part) => ({ invoiceId: part.invoiceId, amount: part.amount.minor, currency: part.amount.currency })),
    refunds: state.refunds.map((part) => ({ refundId: part.refundId, amount: part.amount.minor, currency: part.amount.currency })),
    ...(state.returns === undefined
      ? {}
      : { returns: state.returns.map((part) => ({ invoiceId: part.invoiceId, creditNoteId: part.creditNoteId, amount: part.amount.minor, currency: part.amount.currency })) }),
  };
  return storedUnapplied === undefined ? facts : { ...facts, storedUnapplied };
}

/** The checker's facts of an invoice or credit note state. */
export function invoiceFacts(state: InvoiceState): InvoiceFacts {
  return {
    id: state.id,
    kind: state.kind,
    status: state.status,
    ...(state.number === undefined ? {} : { number: state.number }),
    series: state.series,
    sellerId: state.sellerId,
    buyerId: state.buyerId,
    currency: state.currency,
    amountDue: state.totals.amountDue.minor,
    payments: state.payments.map((part) => ({ paymentId: part.paymentId, amount: part.amount.minor, currency: part.amount.currency })),
    credits: state.credits.map((part) => ({
      creditNoteId: part.creditNoteId,
      amount: part.amount.minor,
      currency: part.amount.currency,
      ...(part.paymentsReturned === undefined
        ? {}
        : { paymentsReturned: part.paymentsReturned.map((returned) => ({ paymentId: returned.paymentId, amount: returned.amount.minor, currency: returned.amount.currency })) }),
    })),
    ...(state.precedingInvoice === undefined ? {} : { precedingInvoiceId: state.precedingInvoice.id }),
    ...(state.importedAt === undefined ? {} : { imported: true as const }),
    ...(state.number === undefined ? {} : { contentHash: contentHashOf(state) }),
    ...(state.seal === undefined ? {} : { seal: state.seal }),
  };
}

/**
 * A sum in minor units as a decimal string with exactly its currency's decimals (`"19999999999999.98"` USD, `"-3"` JPY),
 * as `Money` writes amounts, at any size: sums of amounts pass the largest amount (ADR 0011). A currency the platform
 * does not know (no reader lets one through) has no decimals to give: its figure says it is in minor units.
 */
export function decimal(amount: bigint, currency: string): string {
  let exponent: number;
  try {
    exponent = currencyOf(currency).exponent;
  } catch {
    return `${amount} minor units of ${currency}`;
  }
  return new Decimal(`${amount}e-${exponent}`).toFixed(exponent);
}

const sum = (parts: readonly MinorAmount[]): bigint => parts.reduce((total, part) => total + part.amount, 0n);

/** What credit notes took back of an invoice's payments, from each credit. */
const returnedOf = (invoice: InvoiceFacts): (MinorAmount & { readonly paymentId: string; readonly creditNoteId: string })[] =>
  invoice.credits.flatMap((credit) => (credit.paymentsReturned ?? []).map((part) => ({ ...part, creditNoteId: credit.creditNoteId })));

/** A payment's unapplied amount from its parts: what credit notes took back of its applications is unapplied again. */
const unappliedOf = (payment: PaymentFacts): bigint => payment.amount - sum(payment.applications) - sum(payment.refunds) + sum(payment.returns ?? []);

function finding(tenantId: string, code: IntegrityFinding['code'], message: string, ids: IntegrityFinding['ids'], currency?: string, amounts?: Record<string, bigint>): IntegrityFinding {
  return {
    code,
    tenantId,
    message,
    ids,
    ...(currency === undefined ? {} : { currency }),
    ...(amounts === undefined || currency === undefined
      ? {}
      : { amounts: Object.fromEntries(Object.entries(amounts).map(([name, value]) => [name, decimal(value, currency)])) }),
  };
}

/**
 * Each payment: received = applied − returned + unapplied + refunded with unapplied never below zero (returned: what
 * credit notes took back of its applications), no invoice given back more than the payment applied to it, every part
 * in the payment's currency, and the unapplied amount stored for queries equal to the one its parts give.
 */
export function checkPayments(snapshot: TenantSnapshot): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  for (const payment of snapshot.payments) {
    const returns = payment.returns ?? [];
    const parts = [...payment.applications, ...payment.refunds, ...returns];
    const foreign = parts.find((part) => part.currency !== payment.currency);
    if (foreign) {
      findings.push(
        finding(snapshot.tenantId, 'integrity.payment_unbalanced', `payment ${payment.id} in ${payment.currency} has a part in ${foreign.currency}`, { paymentId: payment.id, partnerId: payment.partnerId }, payment.currency),
      );
      continue;
    }
    const ids = { paymentId: payment.id, partnerId: payment.partnerId };
    for (const invoiceId of new Set(returns.map((part) => part.invoiceId))) {
      const appliedToInvoice = sum(payment.applications.filter((part) => part.invoiceId === invoiceId));
      const returnedFromInvoice = sum(returns.filter((part) => part.invoiceId === invoiceId));
      if (returnedFromInvoice > appliedToInvoice) {
        findings.push(
          finding(snapshot.tenantId, 'integrity.payment_unbalanced', `payment ${payment.id} got back more of invoice ${invoiceId} than it applied to it`, { ...ids, invoiceId }, payment.currency, {
            appliedToInvoice,
            returnedFromInvoice,
          }),
        );
      }
    }
    const applied = sum(payment.applications);
    const refunded = sum(payment.refunds);
    const returned = sum(returns);
    const unapplied = unappliedOf(payment);
    const amounts = { received: payment.amount, applied, ...(returned === 0n ? {} : { returned }), refunded, unapplied };
    if (unapplied < 0n) {
      findings.push(finding(snapshot.tenantId, 'integrity.payment_unbalanced', `payment ${payment.id} applied and refunded more than it received`, ids, payment.currency, amounts));
    } else if (payment.storedUnapplied !== undefined && payment.storedUnapplied !== unapplied) {
      findings.push(
        finding(snapshot.tenantId, 'integrity.payment_unbalanced', `payment ${payment.id} stores an unapplied amount that its parts do not give`, ids, payment.currency, {
          ...amounts,
          storedUnapplied: payment.storedUnapplied,
        }),
      );
    }
  }
  return findings;
}

/**
 * Each invoice: its payments (less what credit notes took back of them) and credits, in its currency, never above its
 * amount due, or above zero when that is below zero (a return or a bill that makes a credit: paid at issue, nothing to
 * settle). A draft's totals may still change: its amounts are checked once it is issued.
 */
export function checkInvoices(snapshot: TenantSnapshot): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  for (const invoice of snapshot.invoices) {
    if (invoice.kind !== 'invoice') continue;
    const returns = returnedOf(invoice);
    const parts = [...invoice.payments, ...invoice.credits, ...returns];
    const returned = sum(returns.filter((part) => part.currency === invoice.currency));
    const paid = sum(invoice.payments.filter((part) => part.currency === invoice.currency)) - returned;
    const credited = sum(invoice.credits.filter((part) => part.currency === invoice.currency));
    const foreign = parts.some((part) => part.currency !== invoice.currency);
    const settleable = invoice.amountDue > 0n ? invoice.amountDue : 0n;
    if (foreign || (invoice.status !== 'draft' && paid + credited > settleable)) {
      findings.push(
        finding(
          snapshot.tenantId,
          'integrity.invoice_overpaid',
          foreign ? `invoice ${invoice.id} in ${invoice.currency} records a payment or credit in another currency` : `invoice ${invoice.id} is paid and credited above its amount due`,
          { invoiceId: invoice.id, buyerId: invoice.buyerId, ...(invoice.number ? { number: invoice.number } : {}) },
          invoice.currency,
          { amountDue: invoice.amountDue, paid, credited, ...(returned === 0n ? {} : { returned }) },
        ),
      );
    }
  }
  return findings;
}

/**
 * Both sides of every application agree: what an invoice records of a payment is what the payment records for the
 * invoice, and what an invoice records of a credit note is the credit note's amount due (and the credit note names
 * that invoice). What a credit took back of a payment (its `paymentsReturned`) is what the payment records as given
 * back by that credit note for that invoice, and no credit takes back more than it credits: so the payment's net
 * application to an invoice is the invoice's net part from it. A side whose counterpart is not stored at all is a
 * dangling reference ({@link checkReferences}).
 */
export function checkApplications(snapshot: TenantSnapshot): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  const invoices = new Map(snapshot.invoices.map((invoice) => [invoice.id, invoice]));
  const payments = new Map(snapshot.payments.map((payment) => [payment.id, payment]));
  const mismatch = (message: string, ids: IntegrityFinding['ids'], currency: string, amounts: Record<string, bigint>) =>
    findings.push(finding(snapshot.tenantId, 'integrity.application_mismatch', message, ids, currency, amounts));
  for (const payment of snapshot.payments) {
    for (const application of payment.applications) {
      const invoice = invoices.get(application.invoiceId);
      if (!invoice) continue;
      const recorded = invoice.payments.filter((part) => part.paymentId === payment.id);
      const ids = { paymentId: payment.id, invoiceId: invoice.id };
      if (recorded.length === 0) mismatch(`payment ${payment.id} is applied to invoice ${invoice.id}, which does not record it`, ids, payment.currency, { onPayment: application.amount });
      else if (sum(recorded) !== application.amount || recorded.length > 1) {
        mismatch(`payment ${payment.id} and invoice ${invoice.id} record different amounts of their application`, ids, payment.currency, { onPayment: application.amount, onInvoice: sum(recorded) });
      }
    }
    const seen = new Set<string>();
    for (const application of payment.applications) {
      if (seen.has(application.invoiceId)) {
        mismatch(`payment ${payment.id} records invoice ${application.invoiceId} more than once`, { paymentId: payment.id, invoiceId: application.invoiceId }, payment.currency, { onPayment: application.amount });
      }
      seen.add(application.invoiceId);
    }
  }
  for (const invoice of snapshot.invoices) {
    for (const part of invoice.payments) {
      const payment = payments.get(part.paymentId);
      if (payment && !payment.applications.some((application) => application.invoiceId === invoice.id)) {
        mismatch(`invoice ${invoice.id} records payment ${payment.id}, which is not applied to it`, { paymentId: payment.id, invoiceId: invoice.id }, invoice.currency, { onInvoice: part.amount });
      }
    }
    for (const credit of invoice.credits) {
      const note = invoices.get(credit.creditNoteId);
      if (!note) continue;
      if (note.kind !== 'credit_note' || note.precedingInvoiceId !== invoice.id || note.amountDue !== credit.amount) {
        mismatch(`invoice ${invoice.id} records credit note ${note.id}, which does not credit it by that amount`, { invoiceId: invoice.id, creditNoteId: note.id }, invoice.currency, {
          onInvoice: credit.amount,
          onCreditNote: note.kind === 'credit_note' && note.precedingInvoiceId === invoice.id ? note.amountDue : 0n,
        });
      }
    }
    if (invoice.kind === 'credit_note' && invoice.number !== undefined && invoice.precedingInvoiceId !== undefined) {
      const credited = invoices.get(invoice.precedingInvoiceId);
      if (credited && !credited.credits.some((credit) => credit.creditNoteId === invoice.id)) {
        mismatch(`credit note ${invoice.id} corrects invoice ${credited.id}, which does not record its credit`, { invoiceId: credited.id, creditNoteId: invoice.id }, invoice.currency, {
          onCreditNote: invoice.amountDue,
        });
      }
    }
    for (const credit of invoice.credits) {
      const returned = sum(credit.paymentsReturned ?? []);
      if (returned > credit.amount) {
        mismatch(`credit note ${credit.creditNoteId} takes back more of the payments of invoice ${invoice.id} than it credits`, { invoiceId: invoice.id, creditNoteId: credit.creditNoteId }, invoice.currency, {
          credited: credit.amount,
          returned,
        });
      }
    }
  }
  // Each return by its payment, invoice and credit note, as each side records it.
  const returns = new Map<string, { ids: { paymentId: string; invoiceId: string; creditNoteId: string }; currency: string; onPayment: bigint; onInvoice: bigint }>();
  const record = (ids: { paymentId: string; invoiceId: string; creditNoteId: string }, currency: string, side: 'onPayment' | 'onInvoice', amount: bigint) => {
    const key = `${ids.paymentId}\u0000${ids.invoiceId}\u0000${ids.creditNoteId}`;
    const entry = returns.get(key) ?? { ids, currency, onPayment: 0n, onInvoice: 0n };
    returns.set(key, entry);
    entry[side] += amount;
  };
  for (const payment of snapshot.payments) {
    for (const part of payment.returns ?? []) {
      if (invoices.has(part.invoiceId)) record({ paymentId: payment.id, invoiceId: part.invoiceId, creditNoteId: part.creditNoteId }, payment.currency, 'onPayment', part.amount);
    }
  }
  for (const invoice of snapshot.invoices) {
    for (const part of returnedOf(invoice)) {
      if (payments.has(part.paymentId)) record({ paymentId: part.paymentId, invoiceId: invoice.id, creditNoteId: part.creditNoteId }, invoice.currency, 'onInvoice', part.amount);
    }
  }
  for (const { ids, currency, onPayment, onInvoice } of returns.values()) {
    if (onPayment !== onInvoice) {
      mismatch(`payment ${ids.paymentId} and the credit of credit note ${ids.creditNoteId} on invoice ${ids.invoiceId} record different amounts taken back`, ids, currency, { onPayment, onInvoice });
    }
  }
  return findings;
}

/**
 * Numbers: each unique per tenant; each held by the document its reservation names; every number of a series, from 1
 * to the highest reserved, held by a stored document. A number reserved for a document that was never stored is the
 * documented gap of a refused credit note or invoice created issued (ADR 0006, docs/numbering.md): a note, not a finding.
 */
export function checkNumbering(snapshot: TenantSnapshot): { findings: IntegrityFinding[]; notes: IntegrityFinding[] } {
  const findings: IntegrityFinding[] = [];
  const notes: IntegrityFinding[] = [];
  const documents = new Map(snapshot.invoices.map((invoice) => [invoice.id, invoice]));
  const creditedBy = new Set(snapshot.ledger.flatMap((transaction) => transaction.postings.flatMap((posting) => (posting.type === 'credited' ? [posting.creditNoteId as string] : []))));
  const byNumber = new Map<string, string[]>();
  for (const invoice of snapshot.invoices) {
    if (invoice.number === undefined) continue;
    const holders = byNumber.get(invoice.number);
    if (holders) holders.push(invoice.id);
    else byNumber.set(invoice.number, [invoice.id]);
  }
  for (const [number, ids] of byNumber) {
    if (ids.length > 1) findings.push(finding(snapshot.tenantId, 'integrity.number_duplicate', `${ids.length} documents hold number ${number}`, { number, documentIds: ids.join(',') }));
  }
  const series = new Map<string, Map<number, string>>();
  const reservedFor = new Set<string>();
  for (const reservation of snapshot.reservations) {
    const numbers = series.get(reservation.series) ?? new Map<number, string>();
    series.set(reservation.series, numbers);
    const other = numbers.get(reservation.sequence);
    // Only past the unique index (a restore, a hand edit): the number was given to two documents.
    if (other !== undefined && other !== reservation.documentId) {
      const number = formatDocumentNumber(reservation.series, reservation.sequence);
      findings.push(finding(snapshot.tenantId, 'integrity.number_duplicate', `number ${number} is reserved for two documents`, { number, documentIds: [other, reservation.documentId].sort().join(',') }));
    }
    numbers.set(reservation.sequence, reservation.documentId);
    reservedFor.add(`${reservation.documentId}\u0000${formatDocumentNumber(reservation.series, reservation.sequence)}`);
  }
  for (const [name, numbers] of [...series].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Up to the highest number the series gave out: numbers imported documents hold above it are not its gaps.
    let highest = 0;
    for (const [sequence, documentId] of numbers) if (!isImportedHolder(documentId)) highest = Math.max(highest, sequence);
    // Over the reserved numbers in order, each run of numbers between two of them one finding: the work is bounded by
    // the reservations, not by the highest number (one reservation edited to 10^12 was a loop of 10^12).
    let expected = 1;
    for (const [sequence, documentId] of [...numbers].filter(([each]) => each <= highest).sort(([a], [b]) => a - b)) {
      if (sequence > expected) {
        const from = formatDocumentNumber(name, expected);
        const missing = sequence - expected;
        findings.push(
          missing === 1
            ? finding(snapshot.tenantId, 'integrity.number_gap', `number ${from} was never reserved, though later numbers of series ${name} were`, { series: name, sequence: expected, number: from })
            : finding(snapshot.tenantId, 'integrity.number_gap', `numbers ${from} to ${formatDocumentNumber(name, sequence - 1)} (${missing}) were never reserved, though later numbers of series ${name} were`, {
                series: name,
                sequence: expected,
                number: from,
                to: formatDocumentNumber(name, sequence - 1),
                missing,
              }),
        );
      }
      expected = sequence + 1;
      const number = formatDocumentNumber(name, sequence);
      const ids = { series: name, sequence, number };
      if (isImportedHolder(documentId)) {
        // Taken out of the series by an imported document that holds it; a note while the import that claimed it has
        // not stored that document yet (it stopped in between: running it again does).
        if (!byNumber.has(number)) {
          notes.push(finding(snapshot.tenantId, REFUSED_CREDIT_NOTE_GAP, `number ${number} was taken out of series ${name} for an imported invoice, which was never stored (an import stopped: running it again records it)`, { ...ids, documentId }));
        }
      } else if (!documents.has(documentId) && creditedBy.has(documentId)) {
        // Its credit was appended, then the process stopped: money moved that no stored credit note shows.
        findings.push(finding(snapshot.tenantId, 'integrity.number_gap', `number ${number} was reserved for credit note ${documentId}, which was never stored though the ledger credits it (an interrupted credit note: its retry with the same Idempotency-Key stores it, and npm run db:project-ledger makes it from the ledger)`, { ...ids, documentId }));
      } else if (!documents.has(documentId)) {
        notes.push(finding(snapshot.tenantId, REFUSED_CREDIT_NOTE_GAP, `number ${number} was reserved for document ${documentId}, which was never stored (a credit note, or an invoice created issued, refused after its number was reserved)`, { ...ids, documentId }));
      } else if (documents.get(documentId)?.number !== number) {
        findings.push(finding(snapshot.tenantId, 'integrity.number_gap', `number ${number} was reserved for document ${documentId}, which does not hold it`, { ...ids, documentId }));
      }
    }
  }
  for (const invoice of snapshot.invoices) {
    if (invoice.number === undefined) continue;
    if (invoice.imported === undefined) {
      if (!reservedFor.has(`${invoice.id}\u0000${invoice.number}`)) {
        findings.push(finding(snapshot.tenantId, 'integrity.number_unreserved', `document ${invoice.id} holds number ${invoice.number}, which was not reserved for it`, { documentId: invoice.id, number: invoice.number }));
      }
      continue;
    }
    // An imported document holds the number another system gave it. One in our own format is one a series could give
    // out: the import took it out of that series (its claim) before storing the document, or the series will give it
    // to a document of ours, whose issue then fails on it.
    const inSeries = parseDocumentNumber(invoice.number);
    if (inSeries && !reservedFor.has(`${importedHolder(inSeries.series, inSeries.sequence)}\u0000${invoice.number}`)) {
      findings.push(
        finding(snapshot.tenantId, 'integrity.number_unreserved', `imported document ${invoice.id} holds number ${invoice.number} of series ${inSeries.series}, which was not taken out of the series for it`, {
          documentId: invoice.id,
          number: invoice.number,
          series: inSeries.series,
        }),
      );
    }
  }
  return { findings, notes };
}

/**
 * Every id a stored document names exists: partners of payments and invoices, invoices of payments and the credit notes
 * that took back their applications, payments and credit notes of invoices (and the payments their credits took back
 * from), and what ledger postings name.
 */
export function checkReferences(snapshot: TenantSnapshot): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  const invoices = new Set(snapshot.invoices.map((invoice) => invoice.id));
  const payments = new Set(snapshot.payments.map((payment) => payment.id));
  const dangling = (message: string, ids: IntegrityFinding['ids']) => findings.push(finding(snapshot.tenantId, 'integrity.dangling_reference', message, ids));
  for (const payment of snapshot.payments) {
    if (!snapshot.partnerIds.has(payment.partnerId)) dangling(`payment ${payment.id} names partner ${payment.partnerId}, which does not exist`, { paymentId: payment.id, partnerId: payment.partnerId });
    for (const application of payment.applications) {
      if (!invoices.has(application.invoiceId)) dangling(`payment ${payment.id} is applied to invoice ${application.invoiceId}, which does not exist`, { paymentId: payment.id, invoiceId: application.invoiceId });
    }
    for (const part of payment.returns ?? []) {
      if (!invoices.has(part.invoiceId)) dangling(`payment ${payment.id} got back part of its application to invoice ${part.invoiceId}, which does not exist`, { paymentId: payment.id, invoiceId: part.invoiceId });
      if (!invoices.has(part.creditNoteId)) {
        dangling(`payment ${payment.id} got back part of its application to invoice ${part.invoiceId} by credit note ${part.creditNoteId}, which does not exist`, { paymentId: payment.id, invoiceId: part.invoiceId, creditNoteId: part.creditNoteId });
      }
    }
  }
  for (const invoice of snapshot.invoices) {
    for (const [role, partnerId] of [['sellerId', invoice.sellerId], ['buyerId', invoice.buyerId]] as const) {
      if (!snapshot.partnerIds.has(partnerId)) dangling(`document ${invoice.id} names partner ${partnerId} (${role}), which does not exist`, { invoiceId: invoice.id, [role]: partnerId });
    }
    for (const part of invoice.payments) {
      if (!payments.has(part.paymentId)) dangling(`invoice ${invoice.id} records payment ${part.paymentId}, which does not exist`, { invoiceId: invoice.id, paymentId: part.paymentId });
    }
    for (const credit of invoice.credits) {
      if (!invoices.has(credit.creditNoteId)) dangling(`invoice ${invoice.id} records credit note ${credit.creditNoteId}, which does not exist`, { invoiceId: invoice.id, creditNoteId: credit.creditNoteId });
      for (const part of credit.paymentsReturned ?? []) {
        if (!payments.has(part.paymentId)) {
          dangling(`invoice ${invoice.id} records credit note ${credit.creditNoteId} taking back part of payment ${part.paymentId}, which does not exist`, { invoiceId: invoice.id, creditNoteId: credit.creditNoteId, paymentId: part.paymentId });
        }
      }
    }
    if (invoice.precedingInvoiceId !== undefined && !invoices.has(invoice.precedingInvoiceId)) {
      dangling(`credit note ${invoice.id} corrects invoice ${invoice.precedingInvoiceId}, which does not exist`, { creditNoteId: invoice.id, invoiceId: invoice.precedingInvoiceId });
    }
  }
  for (const transaction of snapshot.ledger) {
    const at = { partnerId: transaction.partnerId, currency: transaction.currency, seq: transaction.seq };
    if (!snapshot.partnerIds.has(transaction.partnerId)) dangling(`ledger account ${transaction.partnerId}/${transaction.currency} belongs to no partner`, at);
    for (const posting of transaction.postings) {
      if ('paymentId' in posting && !payments.has(posting.paymentId)) dangling(`ledger transaction ${transaction.seq} names payment ${posting.paymentId}, which does not exist`, { ...at, paymentId: posting.paymentId });
      if ('invoiceId' in posting && !invoices.has(posting.invoiceId)) dangling(`ledger transaction ${transaction.seq} names invoice ${posting.invoiceId}, which does not exist`, { ...at, invoiceId: posting.invoiceId });
      // A return's credit note is its transaction's credited posting's (else a finding of checkLedger): named there.
      if (posting.type === 'credited' && !invoices.has(posting.creditNoteId)) {
        dangling(`ledger transaction ${transaction.seq} names credit note ${posting.creditNoteId}, which does not exist`, { ...at, creditNoteId: posting.creditNoteId, invoiceId: posting.invoiceId });
      }
    }
  }
  return findings;
}

const TOTALS: readonly (keyof LedgerTotals)[] = ['received', 'applied', 'credited', 'refunded', 'writtenOff', 'unapplied'];

/**
 * Each ledger account: seqs 1, 2, 3 … without gaps or repeats, every posting in the account's currency, every
 * transaction's totals (the head's included) equal to the fold of the postings up to it, no payment drawn (applied
 * less what credit notes took back, and refunded) above what it received, no invoice settled (paid less what was
 * taken back, credited, written off) above its amount due, no application taken back further than that payment paid
 * that invoice, nor but by the credit note that credits the invoice in the same transaction, for no more than it
 * credits, nor while the invoice still owes after it (a credit takes what is owed first); and no payment received in
 * two accounts.
 */
export function checkLedger(snapshot: TenantSnapshot): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  const accounts = new Map<string, LedgerTransaction[]>();
  for (const transaction of snapshot.ledger) {
    const key = `${transaction.partnerId}\u0000${transaction.currency}`;
    const transactions = accounts.get(key);
    if (transactions) transactions.push(transaction);
    else accounts.set(key, [transaction]);
  }
  const receivedIn = new Map<string, string>();
  for (const transactions of accounts.values()) {
    transactions.sort((a, b) => a.seq - b.seq);
    const first = transactions[0] as LedgerTransaction;
    const account = { partnerId: first.partnerId, currency: first.currency };
    let totals = zeroTotals(first.currency);
    let expected = 1;
    // Where each payment and invoice of the account stands after each transaction (minor units).
    const payments = new Map<string, { received: bigint; drawn: bigint }>();
    const invoices = new Map<string, { due: bigint; settled: bigint }>();
    // What each payment applied to each invoice, and what credit notes took back of it.
    const applications = new Map<string, { paymentId: string; invoiceId: string; applied: bigint; returned: bigint }>();
    const settle = (transaction: LedgerTransaction, at: IntegrityFinding['ids']): void => {
      const touchedPayments = new Set<string>();
      const touchedInvoices = new Set<string>();
      const touchedApplications = new Set<string>();
      for (const posting of transaction.postings) {
        const minor = posting.amount.minor;
        if ('paymentId' in posting) {
          const position = payments.get(posting.paymentId) ?? { received: 0n, drawn: 0n };
          payments.set(posting.paymentId, position);
          if (posting.type === 'received') position.received += minor;
          else position.drawn += posting.type === 'application_returned' ? -minor : minor;
          touchedPayments.add(posting.paymentId);
        }
        if ('invoiceDue' in posting) {
          const position = invoices.get(posting.invoiceId) ?? { due: posting.invoiceDue.minor, settled: 0n };
          invoices.set(posting.invoiceId, position);
          position.settled += posting.type === 'write_off_reversed' || posting.type === 'application_returned' ? -minor : minor;
          touchedInvoices.add(posting.invoiceId);
        }
        if (posting.type === 'applied' || posting.type === 'application_returned') {
          const key = `${posting.paymentId}\u0000${posting.invoiceId}`;
          const position = applications.get(key) ?? { paymentId: posting.paymentId, invoiceId: posting.invoiceId, applied: 0n, returned: 0n };
          applications.set(key, position);
          if (posting.type === 'applied') position.applied += minor;
          else position.returned += minor;
          touchedApplications.add(key);
        }
      }
      for (const paymentId of touchedPayments) {
        const position = payments.get(paymentId) as { received: bigint; drawn: bigint };
        if (position.drawn > position.received) {
          findings.push(
            finding(snapshot.tenantId, 'integrity.ledger_payment_overdrawn', `ledger transaction ${transaction.seq} draws more from payment ${paymentId} than it received`, { ...at, paymentId }, first.currency, {
              received: position.received,
              appliedAndRefunded: position.drawn,
            }),
          );
        }
      }
      for (const invoiceId of touchedInvoices) {
        const position = invoices.get(invoiceId) as { due: bigint; settled: bigint };
        if (position.settled > position.due) {
          findings.push(
            finding(snapshot.tenantId, 'integrity.ledger_invoice_overpaid', `ledger transaction ${transaction.seq} settles invoice ${invoiceId} above its amount due`, { ...at, invoiceId }, first.currency, {
              amountDue: position.due,
              settled: position.settled,
            }),
          );
        }
      }
      for (const key of touchedApplications) {
        const { paymentId, invoiceId, applied, returned } = applications.get(key) as { paymentId: string; invoiceId: string; applied: bigint; returned: bigint };
        if (returned > applied) {
          findings.push(
            finding(snapshot.tenantId, 'integrity.ledger_return_exceeded', `ledger transaction ${transaction.seq} takes back more of payment ${paymentId}'s application to invoice ${invoiceId} than it applied`, { ...at, paymentId, invoiceId }, first.currency, {
              applied,
              returned,
            }),
          );
        }
      }
      // A return only makes room for the credit of the same credit note and invoice, in the same transaction.
      const reported = new Set<string>();
      for (const posting of transaction.postings) {
        if (posting.type !== 'application_returned' || reported.has(posting.creditNoteId)) continue;
        const credit = transaction.postings.find((other) => other.type === 'credited' && other.creditNoteId === posting.creditNoteId && other.invoiceId === posting.invoiceId);
        const returned = transaction.postings.reduce((total, other) => total + (other.type === 'application_returned' && other.creditNoteId === posting.creditNoteId ? other.amount.minor : 0n), 0n);
        const credited = credit?.amount.minor ?? 0n;
        if (returned > credited) {
          reported.add(posting.creditNoteId);
          findings.push(
            finding(
              snapshot.tenantId,
              'integrity.ledger_return_without_credit',
              credit === undefined
                ? `ledger transaction ${transaction.seq} takes back payment ${posting.paymentId}'s application to invoice ${posting.invoiceId} for credit note ${posting.creditNoteId}, which does not credit that invoice in it`
                : `ledger transaction ${transaction.seq} takes back more of the payments of invoice ${posting.invoiceId} for credit note ${posting.creditNoteId} than it credits`,
              { ...at, paymentId: posting.paymentId, invoiceId: posting.invoiceId, creditNoteId: posting.creditNoteId },
              first.currency,
              { returned, credited },
            ),
          );
        }
      }
      // What was paid is taken back only for a credit above what was owed: the invoice owes nothing after it. (A
      // return without its credit leaves it owing too: reported once, above.)
      const withCredit = transaction.postings.flatMap((posting) => (posting.type === 'application_returned' && !reported.has(posting.creditNoteId) ? [posting.invoiceId as string] : []));
      for (const invoiceId of new Set(withCredit)) {
        const position = invoices.get(invoiceId) as { due: bigint; settled: bigint };
        if (position.settled < position.due) {
          findings.push(
            finding(snapshot.tenantId, 'integrity.ledger_return_while_owed', `ledger transaction ${transaction.seq} takes back what was paid of invoice ${invoiceId}, which still owes after it`, { ...at, invoiceId }, first.currency, {
              amountDue: position.due,
              settled: position.settled,
            }),
          );
        }
      }
    };
    for (const transaction of transactions) {
      const at = { ...account, seq: transaction.seq, operationId: transaction.operationId };
      if (transaction.seq !== expected) {
        findings.push(finding(snapshot.tenantId, 'integrity.ledger_seq_gap', `ledger account ${account.partnerId}/${account.currency} has seq ${transaction.seq} where ${expected} was due`, { ...at, expectedSeq: expected }));
      }
      expected = transaction.seq + 1;
      const foreign = transaction.postings.find((posting) => posting.amount.currency !== first.currency);
      if (foreign) {
        findings.push(finding(snapshot.tenantId, 'integrity.ledger_currency_mismatch', `ledger transaction ${transaction.seq} posts ${foreign.amount.currency} in a ${first.currency} account`, at, first.currency));
        continue;
      }
      totals = foldTotals(totals, transaction.postings);
      const differing = TOTALS.filter((name) => transaction.totalsAfter[name].currency !== first.currency || transaction.totalsAfter[name].minor !== totals[name].minor);
      if (differing.length > 0) {
        findings.push(
          finding(
            snapshot.tenantId,
            'integrity.ledger_totals_mismatch',
            `ledger transaction ${transaction.seq} stores totals (${differing.join(', ')}) that its postings do not give`,
            at,
            first.currency,
            Object.fromEntries(differing.flatMap((name) => [[`${name}Stored`, transaction.totalsAfter[name].minor], [`${name}Folded`, totals[name].minor]])),
          ),
        );
      }
      settle(transaction, at);
      for (const posting of transaction.postings) {
        if (posting.type !== 'received') continue;
        const key = `${account.partnerId}/${account.currency}`;
        const other = receivedIn.get(posting.paymentId);
        if (other !== undefined && other !== key) {
          findings.push(finding(snapshot.tenantId, 'integrity.ledger_payment_in_two_accounts', `payment ${posting.paymentId} is received in ledger accounts ${other} and ${key}`, { paymentId: posting.paymentId, accounts: `${other},${key}` }));
        }
        receivedIn.set(posting.paymentId, key);
      }
    }
  }
  return findings;
}

/** The payments of each partner and currency, summed: received = applied (net of what credit notes took back) + unapplied + refunded. */
export function summarizeAccounts(snapshot: TenantSnapshot): AccountSummary[] {
  const sums = new Map<string, { partnerId: string; currency: string; payments: number; received: bigint; applied: bigint; refunded: bigint; unapplied: bigint }>();
  for (const payment of snapshot.payments) {
    const key = `${payment.partnerId}\u0000${payment.currency}`;
    const entry = sums.get(key) ?? { partnerId: payment.partnerId, currency: payment.currency, payments: 0, received: 0n, applied: 0n, refunded: 0n, unapplied: 0n };
    sums.set(key, entry);
    entry.payments += 1;
    entry.received += payment.amount;
    // Net of what credit notes took back: that is unapplied again.
    entry.applied += sum(payment.applications) - sum(payment.returns ?? []);
    entry.refunded += sum(payment.refunds);
    entry.unapplied += payment.storedUnapplied ?? unappliedOf(payment);
  }
  return [...sums.values()]
    .sort((a, b) => (a.partnerId === b.partnerId ? (a.currency < b.currency ? -1 : 1) : a.partnerId < b.partnerId ? -1 : 1))
    .map((entry) => ({
      tenantId: snapshot.tenantId,
      partnerId: entry.partnerId,
      currency: entry.currency,
      payments: entry.payments,
      received: decimal(entry.received, entry.currency),
      applied: decimal(entry.applied, entry.currency),
      refunded: decimal(entry.refunded, entry.currency),
      unapplied: decimal(entry.unapplied, entry.currency),
      balanced: entry.unapplied >= 0n && entry.received === entry.applied + entry.unapplied + entry.refunded,
    }));
}

/** How much a check read: what its findings are out of. */
export interface IntegrityCounts {
  readonly partners: number;
  readonly payments: number;
  readonly invoices: number;
  readonly creditNotes: number;
  readonly numberReservations: number;
  readonly ledgerTransactions: number;
  readonly ledgerPostings: number;
  /** Ledger accounts (partner and currency) with at least one transaction. */
  readonly ledgerAccounts: number;
}

/** Nothing read yet. */
export const NO_COUNTS: IntegrityCounts = { partners: 0, payments: 0, invoices: 0, creditNotes: 0, numberReservations: 0, ledgerTransactions: 0, ledgerPostings: 0, ledgerAccounts: 0 };

/** What a snapshot holds, counted. */
export function countsOf(snapshot: TenantSnapshot): IntegrityCounts {
  let creditNotes = 0;
  for (const invoice of snapshot.invoices) if (invoice.kind === 'credit_note') creditNotes += 1;
  let ledgerPostings = 0;
  const accounts = new Set<string>();
  for (const transaction of snapshot.ledger) {
    ledgerPostings += transaction.postings.length;
    accounts.add(`${transaction.partnerId}\u0000${transaction.currency}`);
  }
  return {
    partners: snapshot.partnerIds.size,
    payments: snapshot.payments.length,
    invoices: snapshot.invoices.length - creditNotes,
    creditNotes,
    numberReservations: snapshot.reservations.length,
    ledgerTransactions: snapshot.ledger.length,
    ledgerPostings,
    ledgerAccounts: accounts.size,
  };
}

/** Two counts added up, e.g. over tenants. */
export function addCounts(left: IntegrityCounts, right: IntegrityCounts): IntegrityCounts {
  const total: { -readonly [Name in keyof IntegrityCounts]: number } = { ...left };
  for (const name of Object.keys(total) as (keyof IntegrityCounts)[]) total[name] += right[name];
  return total;
}

/** What the checker found in one tenant. */
export interface TenantIntegrity {
  readonly tenantId: string;
  readonly findings: readonly IntegrityFinding[];
  /** Documented exceptions: reported, not findings. */
  readonly notes: readonly IntegrityFinding[];
  readonly accounts: readonly AccountSummary[];
  /** What was checked. */
  readonly checked: IntegrityCounts;
}

/**
 * The payment and invoice documents agree with the ledger they are projected from (ADR 0006): each payment is received
 * in it for its amount, applied, given back by credit notes and refunded as much as its postings say; each invoice is
 * paid, taken back from its payments and credited as much as the postings naming it say, is void exactly when it was
 * voided there, and uncollectible exactly when it still owes after a write-off there. A document behind its ledger is
 * what an interruption between the append and the projection leaves; retrying the request, or reading the payment,
 * completes it.
 */
export function checkProjections(snapshot: TenantSnapshot): IntegrityFinding[] {
  const findings: IntegrityFinding[] = [];
  const byPayment = new Map<string, { received: bigint; applied: bigint; returned: bigint; refunded: bigint; receipts: number }>();
  // `paid` is net of `returned`, what credit notes took back.
  const byInvoice = new Map<string, { paid: bigint; returned: bigint; credited: bigint; voided: boolean; writtenOff: bigint }>();
  for (const transaction of snapshot.ledger) {
    for (const posting of transaction.postings) {
      if ('paymentId' in posting) {
        const position = byPayment.get(posting.paymentId) ?? { received: 0n, applied: 0n, returned: 0n, refunded: 0n, receipts: 0 };
        if (posting.type === 'received') byPayment.set(posting.paymentId, { ...position, received: position.received + posting.amount.minor, receipts: position.receipts + 1 });
        else if (posting.type === 'applied') byPayment.set(posting.paymentId, { ...position, applied: position.applied + posting.amount.minor });
        else if (posting.type === 'application_returned') byPayment.set(posting.paymentId, { ...position, returned: position.returned + posting.amount.minor });
        else byPayment.set(posting.paymentId, { ...position, refunded: position.refunded + posting.amount.minor });
      }
      if ('invoiceId' in posting) {
        const position = byInvoice.get(posting.invoiceId) ?? { paid: 0n, returned: 0n, credited: 0n, voided: false, writtenOff: 0n };
        if (posting.type === 'applied') byInvoice.set(posting.invoiceId, { ...position, paid: position.paid + posting.amount.minor });
        else if (posting.type === 'application_returned') byInvoice.set(posting.invoiceId, { ...position, paid: position.paid - posting.amount.minor, returned: position.returned + posting.amount.minor });
        else if (posting.type === 'credited') byInvoice.set(posting.invoiceId, { ...position, credited: position.credited + posting.amount.minor });
        else if (posting.type === 'voided') byInvoice.set(posting.invoiceId, { ...position, voided: true });
        else if (posting.type === 'written_off') byInvoice.set(posting.invoiceId, { ...position, writtenOff: position.writtenOff + posting.amount.minor });
        else if (posting.type === 'write_off_reversed') byInvoice.set(posting.invoiceId, { ...position, writtenOff: position.writtenOff - posting.amount.minor });
      }
    }
  }
  const mismatch = (message: string, ids: IntegrityFinding['ids'], currency: string, amounts: Record<string, bigint>) =>
    findings.push(finding(snapshot.tenantId, 'integrity.projection_mismatch', message, ids, currency, amounts));
  for (const payment of snapshot.payments) {
    const ledger = byPayment.get(payment.id);
    const applied = sum(payment.applications);
    const returned = sum(payment.returns ?? []);
    const refunded = sum(payment.refunds);
    if (!ledger || ledger.receipts === 0) {
      mismatch(`payment ${payment.id} is not in the ledger`, { paymentId: payment.id, partnerId: payment.partnerId }, payment.currency, { received: payment.amount });
    } else if (ledger.received !== payment.amount || ledger.applied !== applied || ledger.returned !== returned || ledger.refunded !== refunded) {
      mismatch(`payment ${payment.id} records other amounts than the ledger`, { paymentId: payment.id, partnerId: payment.partnerId }, payment.currency, {
        receivedStored: payment.amount,
        receivedLedger: ledger.received,
        appliedStored: applied,
        appliedLedger: ledger.applied,
        ...(returned === 0n && ledger.returned === 0n ? {} : { returnedStored: returned, returnedLedger: ledger.returned }),
        refundedStored: refunded,
        refundedLedger: ledger.refunded,
      });
    }
  }
  for (const invoice of snapshot.invoices) {
    if (invoice.staleQueryFields && invoice.staleQueryFields.length > 0) {
      const fields = invoice.staleQueryFields.join(',');
      findings.push(
        finding(snapshot.tenantId, 'integrity.projection_mismatch', `${invoice.kind === 'invoice' ? 'invoice' : 'credit note'} ${invoice.id} is stored with query fields that disagree with it (${fields}): lists and reports count it otherwise`, {
          invoiceId: invoice.id,
          fields,
        }),
      );
    }
    if (invoice.kind !== 'invoice') continue;
    const ledger = byInvoice.get(invoice.id) ?? { paid: 0n, returned: 0n, credited: 0n, voided: false, writtenOff: 0n };
    const returned = sum(returnedOf(invoice));
    const paid = sum(invoice.payments) - returned;
    const credited = sum(invoice.credits);
    // Written off and still owing in the ledger is uncollectible on the document, and only then (a void comes last).
    const uncollectible = !ledger.voided && ledger.writtenOff > 0n && invoice.amountDue - paid - credited > 0n;
    if (
      ledger.paid !== paid ||
      ledger.returned !== returned ||
      ledger.credited !== credited ||
      ledger.voided !== (invoice.status === 'void') ||
      (invoice.status !== 'void' && uncollectible !== (invoice.status === 'uncollectible'))
    ) {
      mismatch(`invoice ${invoice.id} records other amounts or another state than the ledger`, { invoiceId: invoice.id, status: invoice.status, voidedInLedger: String(ledger.voided), writtenOffInLedger: String(uncollectible) }, invoice.currency, {
        paidStored: paid,
        paidLedger: ledger.paid,
        ...(returned === 0n && ledger.returned === 0n ? {} : { returnedStored: returned, returnedLedger: ledger.returned }),
        creditedStored: credited,
        creditedLedger: ledger.credited,
      });
      continue;
    }
    // Its amounts are the ledger's: its status must follow from them.
    const unsettled = statusNotAllowed(invoice.status, invoice.amountDue, paid, credited);
    if (unsettled) {
      mismatch(`invoice ${invoice.id} is ${invoice.status}, which its amounts do not allow: ${unsettled}`, { invoiceId: invoice.id, status: invoice.status }, invoice.currency, {
        amountDue: invoice.amountDue,
        paid,
        credited,
      });
    }
  }
  return findings;
}

/**
 * Why an issued invoice's status does not follow from what it owes (the lifecycle of invoice.ts): settled while it
 * still owes, owing while nothing is left, partly paid without a payment, paid or credited by nothing. Undefined when
 * it does; drafts and void invoices are left to the other checks. Which of paid and credited settled it last is not
 * known from the amounts, so either is allowed once something of that kind was applied. `paid` is net of what credit
 * notes took back: an invoice nothing stays paid of is credited, not paid.
 */
function statusNotAllowed(status: InvoiceStatus, amountDue: bigint, paid: bigint, credited: bigint): string | undefined {
  if (status === 'draft' || status === 'void') return undefined;
  const owes = amountDue - paid - credited > 0n;
  if (owes && (status === 'paid' || status === 'credited')) return 'it still owes';
  if (!owes && (status === 'issued' || status === 'partially_paid' || status === 'uncollectible')) return 'nothing is left to owe';
  if (status === 'partially_paid' && paid === 0n) return 'nothing was paid';
  if (status === 'paid' && paid === 0n && amountDue > 0n) return 'nothing was paid';
  if (status === 'credited' && credited === 0n) return 'nothing was credited';
  return undefined;
}

/**
 * The hash chain of each series (ADR 0022, docs/numbering.md "The hash chain"), link by link from position 1: each
 * record at the position that follows the one before, holding that record's hash as its `previousHash` (64 zeros at
 * position 1) and `hash` = SHA-256(previousHash + LF + contentHash); the document it seals stored, holding the number
 * it was sealed with, with the same content hash recomputed from its stored content, and carrying the same seal (a
 * document not carrying one yet is being sealed). A document that carries a seal the chain does not hold breaks the
 * chain at that position too. Per series only the first broken link is reported: every link after it depends on it.
 */
export function checkSeals(snapshot: TenantSnapshot): IntegrityFinding[] {
  const documents = new Map(snapshot.invoices.map((invoice) => [invoice.id, invoice]));
  const bySeries = new Map<string, SealRecord[]>();
  for (const record of snapshot.seals ?? []) {
    const records = bySeries.get(record.series);
    if (records) records.push(record);
    else bySeries.set(record.series, [record]);
  }
  // The first broken link of each series, by position.
  const first = new Map<string, { position: number; finding: IntegrityFinding }>();
  const broken = (series: string, position: number, code: IntegrityCode, message: string, ids: IntegrityFinding['ids']) => {
    const known = first.get(series);
    if (known === undefined || position < known.position) {
      first.set(series, { position, finding: finding(snapshot.tenantId, code, message, { series, position, ...ids }) });
    }
  };
  const recorded = new Set<string>();
  for (const [series, records] of bySeries) {
    records.sort((a, b) => a.position - b.position);
    let previous: SealRecord | undefined;
    for (const record of records) {
      recorded.add(record.documentId);
      const ids = { documentId: record.documentId, number: record.number };
      const expected = (previous?.position ?? 0) + 1;
      const expectedPrevious = previous?.hash ?? GENESIS_HASH;
      const document = documents.get(record.documentId);
      if (record.position !== expected) {
        broken(series, Math.min(record.position, expected), 'integrity.seal_chain_broken', `series ${series} has seal ${record.position} where ${expected} was due`, { ...ids, expectedPosition: expected });
        break;
      }
      previous = record;
      if (record.previousHash !== expectedPrevious || record.hash !== chainHash(record.previousHash, record.contentHash)) {
        broken(series, record.position, 'integrity.seal_chain_broken', `seal ${record.position} of series ${series} does not follow the seal before it`, ids);
        break;
      }
      if (document === undefined) {
        broken(series, record.position, 'integrity.seal_missing_document', `seal ${record.position} of series ${series} seals document ${record.documentId}, which is not stored`, ids);
        break;
      }
      if (document.number !== record.number || document.contentHash !== record.contentHash) {
        broken(series, record.position, 'integrity.seal_content_mismatch', `document ${record.documentId} (${record.number}) no longer has the content it was sealed with`, ids);
        break;
      }
      const copy = document.seal;
      if (copy !== undefined && (copy.position !== record.position || copy.hash !== record.hash || copy.previousHash !== record.previousHash || copy.contentHash !== record.contentHash)) {
        broken(series, record.position, 'integrity.seal_copy_mismatch', `document ${record.documentId} (${record.number}) carries another seal than the chain holds at position ${record.position}`, ids);
        break;
      }
    }
  }
  for (const document of snapshot.invoices) {
    if (document.seal === undefined || recorded.has(document.id)) continue;
    broken(document.series, document.seal.position, 'integrity.seal_chain_broken', `document ${document.id} carries seal ${document.seal.position} of series ${document.series}, which the chain does not hold`, {
      documentId: document.id,
      ...(document.number === undefined ? {} : { number: document.number }),
    });
  }
  return [...first.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry.finding);
}

/** Every check over one tenant's snapshot. */
export function checkTenant(snapshot: TenantSnapshot): TenantIntegrity {
  const numbering = checkNumbering(snapshot);
  return {
    tenantId: snapshot.tenantId,
    findings: [
      ...(snapshot.unreadable ?? []).map((document) =>
        finding(snapshot.tenantId, 'integrity.unreadable_document', `${document.collection} ${document.id} cannot be read: ${document.message}`, { collection: document.collection, documentId: document.id }),
      ),
      ...checkPayments(snapshot),
      ...checkInvoices(snapshot),
      ...checkApplications(snapshot),
      ...numbering.findings,
      ...checkReferences(snapshot),
      ...checkLedger(snapshot),
      ...checkProjections(snapshot),
      ...checkSeals(snapshot),
    ],
    notes: numbering.notes,
    accounts: summarizeAccounts(snapshot),
    checked: countsOf(snapshot),
  };
}
