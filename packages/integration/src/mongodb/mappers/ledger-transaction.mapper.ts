import { parseCalendarDate, parseCurrencyCode, type TenantId } from '@invoicing/core';
import {
  LEDGER_TRANSACTION_KINDS,
  accountKey,
  type AppliedPosting,
  type CreditNoteContent,
  type CreditedPosting,
  type InvoiceId,
  type LedgerAccount,
  type LedgerTotals,
  type LedgerTransaction,
  type LedgerTransactionKind,
  type PartnerId,
  type PaymentId,
  type Posting,
  type ReceivedPosting,
  type RefundId,
  type RefundedPosting,
  type VoidedPosting,
  type ApplicationReturnedPosting,
  type WriteOffReversedPosting,
  type WrittenOffPosting,
} from '@invoicing/invoice';
import { LEDGER_FORMATS, RETURNS_FORMAT, STORED_FORMAT, storedFormatOf } from './stored-format';
import { compact, dateToDomain, moneyToDomain, moneyToPersistence, runningTotalToDomain, type AllFieldsOf, type StoredMoney } from './value.mapper';

/** A posting as stored: its type and the fields of that type, amounts as `{ minor: Int64, currency }`. */
export interface StoredPosting {
  readonly type: Posting['type'];
  readonly amount: StoredMoney;
  readonly paymentId?: string;
  readonly invoiceId?: string;
  readonly invoiceDue?: StoredMoney;
  readonly creditNoteId?: string;
  readonly refundId?: string;
  readonly receivedOn?: string;
  readonly appliedOn?: string;
  readonly creditNoteNumber?: string;
  readonly creditedOn?: string;
  readonly refundedOn?: string;
  readonly returnedOn?: string;
  readonly reference?: string;
  readonly reason?: string;
}

/**
 * A `ledger_transactions` document, inserted once and never updated. `_id` is the account and the zero-padded seq, so
 * an account's transactions sort by `_id` and each one can be read by `_id` alone. `paymentIds` and `invoiceIds` repeat
 * what the postings name as top-level arrays of strings: FerretDB pushes an equality on them down to PostgreSQL (the
 * stack's GIN mirrors serve it), where a path into an array of subdocuments would be filtered in FerretDB.
 */
export interface LedgerTransactionDocument {
  readonly _id: string;
  readonly _v?: number;
  readonly tenantId: string;
  readonly partnerId: string;
  readonly currency: string;
  readonly seq: number;
  readonly operationId: string;
  readonly kind: string;
  readonly postings: readonly StoredPosting[];
  readonly paymentIds: readonly string[];
  readonly invoiceIds: readonly string[];
  readonly totalsAfter: { readonly [Total in keyof LedgerTotals]: StoredMoney };
  readonly at: Date;
  readonly actor?: string;
  /**
   * A credit note's content (ADR 0024) as one JSON text: its fields named below, its lines, allowances and charges in
   * the API's own input format (decimals as text). One string, not nested values, which FerretDB would store and
   * decode value by value on every read of the transaction.
   */
  readonly creditNote?: string;
  /**
   * What the request asked that the postings cannot show, as a digest (a payment's named invoices). Added without a new
   * stored format, like `creditNote`: transactions are inserted once and never saved again, so a release that does not
   * know the field cannot drop it, and one that does reads its absence as a transaction stored before it.
   */
  readonly requestDigest?: string;
}

/** Digits of the seq in `_id`: enough for a transaction a millisecond for 300 years. */
const SEQ_DIGITS = 13;

/** The `_id` of an account's transaction `seq`. */
export function ledgerTransactionId(account: LedgerAccount, seq: number): string {
  return `${accountKey(account)}/${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

function postingToPersistence(posting: Posting): StoredPosting {
  const amount = moneyToPersistence(posting.amount);
  switch (posting.type) {
    case 'received':
      return compact({ type: posting.type, amount, paymentId: posting.paymentId, receivedOn: posting.receivedOn, reference: posting.reference } satisfies AllFieldsOf<ReceivedPosting>);
    case 'applied':
      return {
        type: posting.type,
        amount,
        paymentId: posting.paymentId,
        invoiceId: posting.invoiceId,
        invoiceDue: moneyToPersistence(posting.invoiceDue),
        appliedOn: posting.appliedOn,
      } satisfies AllFieldsOf<AppliedPosting>;
    case 'application_returned':
      return {
        type: posting.type,
        amount,
        paymentId: posting.paymentId,
        invoiceId: posting.invoiceId,
        invoiceDue: moneyToPersistence(posting.invoiceDue),
        creditNoteId: posting.creditNoteId,
        returnedOn: posting.returnedOn,
      } satisfies AllFieldsOf<ApplicationReturnedPosting>;
    case 'credited':
      return {
        type: posting.type,
        amount,
        creditNoteId: posting.creditNoteId,
        creditNoteNumber: posting.creditNoteNumber,
        invoiceId: posting.invoiceId,
        invoiceDue: moneyToPersistence(posting.invoiceDue),
        creditedOn: posting.creditedOn,
      } satisfies AllFieldsOf<CreditedPosting>;
    case 'refunded':
      return compact({
        type: posting.type,
        amount,
        refundId: posting.refundId,
        paymentId: posting.paymentId,
        refundedOn: posting.refundedOn,
        reference: posting.reference,
      } satisfies AllFieldsOf<RefundedPosting>);
    case 'written_off':
    case 'write_off_reversed':
      return { type: posting.type, amount, invoiceId: posting.invoiceId, invoiceDue: moneyToPersistence(posting.invoiceDue) } satisfies AllFieldsOf<WrittenOffPosting | WriteOffReversedPosting>;
    case 'voided':
      return compact({ type: posting.type, amount, invoiceId: posting.invoiceId, invoiceDue: moneyToPersistence(posting.invoiceDue), reason: posting.reason } satisfies AllFieldsOf<VoidedPosting>);
  }
}

/** A field a posting of this type must have. */
function required<T>(value: T | undefined, field: string, posting: StoredPosting): T {
  if (value === undefined) throw new TypeError(`a stored ${posting.type} posting has no ${field}`);
  return value;
}

function postingToDomain(stored: StoredPosting): Posting {
  const amount = moneyToDomain(stored.amount);
  const invoiceDue = (): ReturnType<typeof moneyToDomain> => moneyToDomain(required(stored.invoiceDue, 'invoiceDue', stored));
  const paymentId = (): PaymentId => required(stored.paymentId, 'paymentId', stored) as PaymentId;
  const invoiceId = (): InvoiceId => required(stored.invoiceId, 'invoiceId', stored) as InvoiceId;
  const date = (field: 'appliedOn' | 'creditedOn' | 'refundedOn' | 'returnedOn') => parseCalendarDate(required(stored[field], field, stored));
  const creditNoteId = (): InvoiceId => required(stored.creditNoteId, 'creditNoteId', stored) as InvoiceId;
  switch (stored.type) {
    case 'received':
      return compact({
        type: stored.type,
        amount,
        paymentId: paymentId(),
        receivedOn: parseCalendarDate(required(stored.receivedOn, 'receivedOn', stored)),
        reference: stored.reference,
      } satisfies AllFieldsOf<ReceivedPosting>);
    case 'applied':
      return { type: stored.type, amount, paymentId: paymentId(), invoiceId: invoiceId(), invoiceDue: invoiceDue(), appliedOn: date('appliedOn') } satisfies AllFieldsOf<AppliedPosting>;
    case 'application_returned':
      return {
        type: stored.type,
        amount,
        paymentId: paymentId(),
        invoiceId: invoiceId(),
        invoiceDue: invoiceDue(),
        creditNoteId: creditNoteId(),
        returnedOn: date('returnedOn'),
      } satisfies AllFieldsOf<ApplicationReturnedPosting>;
    case 'credited':
      return {
        type: stored.type,
        amount,
        creditNoteId: creditNoteId(),
        creditNoteNumber: required(stored.creditNoteNumber, 'creditNoteNumber', stored),
        invoiceId: invoiceId(),
        invoiceDue: invoiceDue(),
        creditedOn: date('creditedOn'),
      } satisfies AllFieldsOf<CreditedPosting>;
    case 'refunded':
      return compact({
        type: stored.type,
        amount,
        refundId: required(stored.refundId, 'refundId', stored) as RefundId,
        paymentId: paymentId(),
        refundedOn: date('refundedOn'),
        reference: stored.reference,
      } satisfies AllFieldsOf<RefundedPosting>);
    case 'written_off':
    case 'write_off_reversed':
      return { type: stored.type, amount, invoiceId: invoiceId(), invoiceDue: invoiceDue() } satisfies AllFieldsOf<WrittenOffPosting | WriteOffReversedPosting>;
    case 'voided':
      return compact({ type: stored.type, amount, invoiceId: invoiceId(), invoiceDue: invoiceDue(), reason: stored.reason } satisfies AllFieldsOf<VoidedPosting>);
    default:
      throw new TypeError(`unknown posting type ${JSON.stringify((stored as { type?: unknown }).type)}`);
  }
}

function totalsToPersistence(totals: LedgerTotals): LedgerTransactionDocument['totalsAfter'] {
  return {
    received: moneyToPersistence(totals.received),
    applied: moneyToPersistence(totals.applied),
    credited: moneyToPersistence(totals.credited),
    refunded: moneyToPersistence(totals.refunded),
    writtenOff: moneyToPersistence(totals.writtenOff),
    unapplied: moneyToPersistence(totals.unapplied),
  } satisfies AllFieldsOf<LedgerTotals>;
}

function totalsToDomain(stored: LedgerTransactionDocument['totalsAfter']): LedgerTotals {
  return {
    received: runningTotalToDomain(stored.received),
    applied: runningTotalToDomain(stored.applied),
    credited: runningTotalToDomain(stored.credited),
    refunded: runningTotalToDomain(stored.refunded),
    writtenOff: runningTotalToDomain(stored.writtenOff),
    unapplied: moneyToDomain(stored.unapplied),
  } satisfies AllFieldsOf<LedgerTotals>;
}

function creditNoteToPersistence(content: CreditNoteContent): string {
  return JSON.stringify({
    lines: content.lines,
    allowances: content.allowances,
    charges: content.charges,
    notes: content.notes,
    prepaidAmount: content.prepaidAmount,
    roundingAmount: content.roundingAmount,
    purchaseOrderReference: content.purchaseOrderReference,
    buyerReference: content.buyerReference,
    externalReference: content.externalReference,
    invoicePeriod: content.invoicePeriod,
    closingVat: content.closingVat,
  } satisfies AllFieldsOf<CreditNoteContent>);
}

/** @throws TypeError (SyntaxError) for text that is not a stored content: `restoreCreditNotes` names it `ledger.content_unreadable` */
function creditNoteToDomain(stored: string, id: string): CreditNoteContent {
  const parsed = JSON.parse(stored) as Partial<Record<keyof CreditNoteContent, unknown>> | null;
  const list = (field: 'lines' | 'allowances' | 'charges' | 'notes') => {
    const value = parsed?.[field];
    if (!Array.isArray(value)) throw new TypeError(`ledger_transactions ${id}: the credit note's ${field} are not a list`);
    return value;
  };
  const text = (field: 'prepaidAmount' | 'roundingAmount' | 'purchaseOrderReference' | 'buyerReference' | 'externalReference') => {
    const value = parsed?.[field];
    if (value !== undefined && typeof value !== 'string') throw new TypeError(`ledger_transactions ${id}: the credit note's ${field} is not a text`);
    return value;
  };
  const period = (): CreditNoteContent['invoicePeriod'] => {
    const value = parsed?.invoicePeriod as Record<string, unknown> | undefined;
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object' || !['start', 'end'].every((field) => value[field] === undefined || typeof value[field] === 'string')) {
      throw new TypeError(`ledger_transactions ${id}: the credit note's invoicePeriod is not a period`);
    }
    return compact({ start: value.start as string | undefined, end: value.end as string | undefined });
  };
  // Absent from content stored before credit notes closed VAT categories; the domain checks its entries.
  const closingVat = (): CreditNoteContent['closingVat'] => {
    const value = parsed?.closingVat;
    if (value !== undefined && !Array.isArray(value)) throw new TypeError(`ledger_transactions ${id}: the credit note's closingVat is not a list`);
    return value as CreditNoteContent['closingVat'];
  };
  return compact({
    lines: list('lines') as CreditNoteContent['lines'],
    allowances: list('allowances') as CreditNoteContent['allowances'],
    charges: list('charges') as CreditNoteContent['charges'],
    notes: list('notes') as CreditNoteContent['notes'],
    prepaidAmount: text('prepaidAmount') ?? '0',
    roundingAmount: text('roundingAmount') ?? '0',
    purchaseOrderReference: text('purchaseOrderReference'),
    buyerReference: text('buyerReference'),
    externalReference: text('externalReference'),
    invoicePeriod: period(),
    closingVat: closingVat(),
  } satisfies AllFieldsOf<CreditNoteContent>);
}

/** The document of a transaction, with the ids its postings name. */
export function ledgerTransactionToPersistence(transaction: LedgerTransaction): LedgerTransactionDocument {
  return compact({
    _id: ledgerTransactionId(transaction, transaction.seq),
    // An earlier release would fail on the posting type: format 4 makes it refuse the transaction as a newer one's.
    _v: transaction.postings.some((posting) => posting.type === 'application_returned') ? RETURNS_FORMAT : STORED_FORMAT,
    tenantId: transaction.tenantId,
    partnerId: transaction.partnerId,
    currency: transaction.currency,
    seq: transaction.seq,
    operationId: transaction.operationId,
    kind: transaction.kind,
    postings: transaction.postings.map(postingToPersistence),
    paymentIds: [...new Set(transaction.postings.flatMap((posting) => ('paymentId' in posting ? [posting.paymentId] : [])))],
    invoiceIds: [...new Set(transaction.postings.flatMap((posting) => ('invoiceId' in posting ? [posting.invoiceId] : [])))],
    totalsAfter: totalsToPersistence(transaction.totalsAfter),
    at: transaction.at,
    actor: transaction.actor,
    creditNote: transaction.creditNote === undefined ? undefined : creditNoteToPersistence(transaction.creditNote),
    requestDigest: transaction.requestDigest,
  } satisfies AllFieldsOf<LedgerTransactionDocument>);
}

/**
 * The transaction a document holds; `paymentIds` and `invoiceIds` are for queries only and are not read back.
 * @throws UnsupportedStoredFormatError; TypeError for a posting or kind this release does not know
 */
export function ledgerTransactionToDomain(stored: LedgerTransactionDocument): LedgerTransaction {
  storedFormatOf(stored, `ledger_transactions ${stored._id}`, LEDGER_FORMATS);
  if (!(LEDGER_TRANSACTION_KINDS as readonly string[]).includes(stored.kind)) throw new TypeError(`unknown ledger transaction kind ${JSON.stringify(stored.kind)}`);
  return compact({
    tenantId: stored.tenantId as TenantId,
    partnerId: stored.partnerId as PartnerId,
    currency: parseCurrencyCode(stored.currency),
    seq: stored.seq,
    operationId: stored.operationId,
    kind: stored.kind as LedgerTransactionKind,
    postings: stored.postings.map(postingToDomain),
    totalsAfter: totalsToDomain(stored.totalsAfter),
    at: dateToDomain(stored.at),
    actor: stored.actor,
    creditNote: stored.creditNote === undefined ? undefined : creditNoteToDomain(stored.creditNote, stored._id),
    requestDigest: stored.requestDigest,
  } satisfies AllFieldsOf<LedgerTransaction>);
}
