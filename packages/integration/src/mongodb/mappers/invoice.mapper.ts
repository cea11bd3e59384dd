import { addDays, daysBetween, yearMonthOf, type CalendarDate } from '@invoicing/core';
import {
  DUPLICATE_WINDOW_DAYS,
  Invoice,
  duplicateReferenceDate,
  isOwing,
  isSealable,
  type AllowanceCharge,
  type AppliedCredit,
  type AppliedPayment,
  type DocumentAllowanceCharge,
  type DocumentSeal,
  type InvoiceId,
  type InvoiceLine,
  type InvoiceState,
  type InvoiceTotals,
  type PartySnapshot,
  type ReturnedPayment,
  type VatBreakdown,
  type VatCategory,
} from '@invoicing/invoice';
import { envelopeOf, identityOf, type AggregateDocument, type AggregateMapper } from './aggregate-document';
import { decodeState, encodeState } from './stored-state';
import { DRAFT_AUTHORS_FORMAT, PERIODS_FORMAT, RETURNS_FORMAT } from './stored-format';
import { identifiersToDomain, identifiersToPersistence, postalAddressFields } from './partner.mapper';
import { paymentTermsToDomain, paymentTermsToPersistence } from './partnership.mapper';
import {
  compact,
  dateToDomain,
  decimalToDomain,
  decimalToPersistence,
  moneyToDomain,
  moneyToPersistence,
  optional,
  type AllFieldsOf,
} from './value.mapper';

/** A VAT category as stored (lines, allowances and charges of invoices, marketables' default VAT); a null rate stays null. */
export function vatCategoryToPersistence(category: VatCategory) {
  return compact({
    code: category.code,
    rate: category.rate === null ? null : decimalToPersistence(category.rate),
    exemptionReason: category.exemptionReason,
    exemptionReasonCode: category.exemptionReasonCode,
  } satisfies AllFieldsOf<VatCategory>);
}

export function vatCategoryToDomain(stored: ReturnType<typeof vatCategoryToPersistence>): VatCategory {
  return compact({
    code: stored.code,
    rate: stored.rate === null ? null : decimalToDomain(stored.rate),
    exemptionReason: stored.exemptionReason,
    exemptionReasonCode: stored.exemptionReasonCode,
  } satisfies AllFieldsOf<VatCategory>);
}

function allowanceChargeToPersistence(item: AllowanceCharge) {
  return compact({
    amount: moneyToPersistence(item.amount),
    percent: optional(item.percent, decimalToPersistence),
    baseAmount: optional(item.baseAmount, moneyToPersistence),
    reason: item.reason,
    reasonCode: item.reasonCode,
  } satisfies AllFieldsOf<AllowanceCharge>);
}

function allowanceChargeToDomain(stored: ReturnType<typeof allowanceChargeToPersistence>): AllowanceCharge {
  return compact({
    amount: moneyToDomain(stored.amount),
    percent: optional(stored.percent, decimalToDomain),
    baseAmount: optional(stored.baseAmount, moneyToDomain),
    reason: stored.reason,
    reasonCode: stored.reasonCode,
  } satisfies AllFieldsOf<AllowanceCharge>);
}

function documentAllowanceChargeToPersistence(item: DocumentAllowanceCharge) {
  return compact({
    amount: moneyToPersistence(item.amount),
    percent: optional(item.percent, decimalToPersistence),
    baseAmount: optional(item.baseAmount, moneyToPersistence),
    reason: item.reason,
    reasonCode: item.reasonCode,
    vat: vatCategoryToPersistence(item.vat),
  } satisfies AllFieldsOf<DocumentAllowanceCharge>);
}

function documentAllowanceChargeToDomain(stored: ReturnType<typeof documentAllowanceChargeToPersistence>): DocumentAllowanceCharge {
  return compact({
    amount: moneyToDomain(stored.amount),
    percent: optional(stored.percent, decimalToDomain),
    baseAmount: optional(stored.baseAmount, moneyToDomain),
    reason: stored.reason,
    reasonCode: stored.reasonCode,
    vat: vatCategoryToDomain(stored.vat),
  } satisfies AllFieldsOf<DocumentAllowanceCharge>);
}

function lineToPersistence(line: InvoiceLine) {
  return compact({
    id: line.id,
    marketableId: line.marketableId,
    name: line.name,
    description: line.description,
    sellerItemId: line.sellerItemId,
    period: optional(line.period, (period) => compact({ start: period.start, end: period.end })),
    quantity: decimalToPersistence(line.quantity),
    unitCode: line.unitCode,
    netPrice: decimalToPersistence(line.netPrice),
    priceBaseQuantity: decimalToPersistence(line.priceBaseQuantity),
    allowances: line.allowances.map(allowanceChargeToPersistence),
    charges: line.charges.map(allowanceChargeToPersistence),
    vat: vatCategoryToPersistence(line.vat),
    netAmount: moneyToPersistence(line.netAmount),
  } satisfies AllFieldsOf<InvoiceLine>);
}

function lineToDomain(stored: ReturnType<typeof lineToPersistence>): InvoiceLine {
  return compact({
    id: stored.id,
    marketableId: stored.marketableId,
    name: stored.name,
    description: stored.description,
    sellerItemId: stored.sellerItemId,
    period: optional(stored.period, (period) => compact({ start: period.start, end: period.end })),
    quantity: decimalToDomain(stored.quantity),
    unitCode: stored.unitCode,
    netPrice: decimalToDomain(stored.netPrice),
    priceBaseQuantity: decimalToDomain(stored.priceBaseQuantity),
    allowances: stored.allowances.map(allowanceChargeToDomain),
    charges: stored.charges.map(allowanceChargeToDomain),
    vat: vatCategoryToDomain(stored.vat),
    netAmount: moneyToDomain(stored.netAmount),
  } satisfies AllFieldsOf<InvoiceLine>);
}

function vatBreakdownToPersistence(entry: VatBreakdown) {
  return {
    category: vatCategoryToPersistence(entry.category),
    taxableAmount: moneyToPersistence(entry.taxableAmount),
    taxAmount: moneyToPersistence(entry.taxAmount),
  } satisfies AllFieldsOf<VatBreakdown>;
}

function vatBreakdownToDomain(stored: ReturnType<typeof vatBreakdownToPersistence>): VatBreakdown {
  return { category: vatCategoryToDomain(stored.category), taxableAmount: moneyToDomain(stored.taxableAmount), taxAmount: moneyToDomain(stored.taxAmount) };
}

function totalsToPersistence(totals: InvoiceTotals) {
  return {
    lineTotal: moneyToPersistence(totals.lineTotal),
    allowanceTotal: moneyToPersistence(totals.allowanceTotal),
    chargeTotal: moneyToPersistence(totals.chargeTotal),
    taxExclusive: moneyToPersistence(totals.taxExclusive),
    taxTotal: moneyToPersistence(totals.taxTotal),
    taxInclusive: moneyToPersistence(totals.taxInclusive),
    prepaid: moneyToPersistence(totals.prepaid),
    rounding: moneyToPersistence(totals.rounding),
    amountDue: moneyToPersistence(totals.amountDue),
  } satisfies AllFieldsOf<InvoiceTotals>;
}

function totalsToDomain(stored: ReturnType<typeof totalsToPersistence>): InvoiceTotals {
  return {
    lineTotal: moneyToDomain(stored.lineTotal),
    allowanceTotal: moneyToDomain(stored.allowanceTotal),
    chargeTotal: moneyToDomain(stored.chargeTotal),
    taxExclusive: moneyToDomain(stored.taxExclusive),
    taxTotal: moneyToDomain(stored.taxTotal),
    taxInclusive: moneyToDomain(stored.taxInclusive),
    prepaid: moneyToDomain(stored.prepaid),
    rounding: moneyToDomain(stored.rounding),
    amountDue: moneyToDomain(stored.amountDue),
  } satisfies AllFieldsOf<InvoiceTotals>;
}

function partyToPersistence(party: PartySnapshot) {
  return compact({
    partnerId: party.partnerId,
    legalName: party.legalName,
    tradingName: party.tradingName,
    identifiers: identifiersToPersistence(party.identifiers),
    address: optional(party.address, postalAddressFields),
    contact: optional(party.contact, (contact) => compact({ id: contact.id, name: contact.name, email: contact.email, phone: contact.phone } satisfies AllFieldsOf<typeof contact>)),
  } satisfies AllFieldsOf<PartySnapshot>);
}

function partyToDomain(stored: ReturnType<typeof partyToPersistence>): PartySnapshot {
  return compact({
    partnerId: stored.partnerId,
    legalName: stored.legalName,
    tradingName: stored.tradingName,
    identifiers: identifiersToDomain(stored.identifiers),
    address: optional(stored.address, postalAddressFields),
    contact: optional(stored.contact, (contact) => compact({ id: contact.id, name: contact.name, email: contact.email, phone: contact.phone })),
  } satisfies AllFieldsOf<PartySnapshot>);
}

function paymentToPersistence(payment: AppliedPayment) {
  return { paymentId: payment.paymentId, amount: moneyToPersistence(payment.amount), appliedOn: payment.appliedOn } satisfies AllFieldsOf<AppliedPayment>;
}

function creditToPersistence(credit: AppliedCredit) {
  return compact({
    creditNoteId: credit.creditNoteId,
    creditNoteNumber: credit.creditNoteNumber,
    amount: moneyToPersistence(credit.amount),
    appliedOn: credit.appliedOn,
    // Left out while it took back nothing, so such credits are stored as before (format 2).
    paymentsReturned: credit.paymentsReturned?.length
      ? credit.paymentsReturned.map((part) => ({ paymentId: part.paymentId, amount: moneyToPersistence(part.amount) }) satisfies AllFieldsOf<ReturnedPayment>)
      : undefined,
  } satisfies AllFieldsOf<AppliedCredit>);
}

function creditToDomain(stored: ReturnType<typeof creditToPersistence>): AppliedCredit {
  return compact({
    creditNoteId: stored.creditNoteId,
    creditNoteNumber: stored.creditNoteNumber,
    amount: moneyToDomain(stored.amount),
    appliedOn: stored.appliedOn,
    paymentsReturned: optional(stored.paymentsReturned, (parts) => parts.map((part) => ({ paymentId: part.paymentId, amount: moneyToDomain(part.amount) }) satisfies AllFieldsOf<ReturnedPayment>)),
  } satisfies AllFieldsOf<AppliedCredit>);
}

/** Whether a credit of the invoice took back payments: its document is then written in format 4 (`stored-format.ts`). */
function holdsReturns(state: InvoiceState): boolean {
  return state.credits.some((credit) => (credit.paymentsReturned?.length ?? 0) > 0);
}

// The seal is the sealer's, stored beside the state (`seal`), never by a save.
type StoredFields = Omit<InvoiceState, 'tenantId' | 'id' | 'version' | 'seal'>;

function stateToPersistence(state: InvoiceState) {
  return compact({
    kind: state.kind,
    status: state.status,
    number: state.number,
    series: state.series,
    partnershipId: state.partnershipId,
    sellerId: state.sellerId,
    buyerId: state.buyerId,
    sellerContactId: state.sellerContactId,
    buyerContactId: state.buyerContactId,
    seller: optional(state.seller, partyToPersistence),
    buyer: optional(state.buyer, partyToPersistence),
    currency: state.currency,
    issueDate: state.issueDate,
    dueDate: state.dueDate,
    paymentTerms: paymentTermsToPersistence(state.paymentTerms),
    purchaseOrderReference: state.purchaseOrderReference,
    buyerReference: state.buyerReference,
    invoicePeriod: optional(state.invoicePeriod, (period) => compact({ start: period.start, end: period.end } satisfies AllFieldsOf<typeof period>)),
    externalReference: state.externalReference,
    notes: [...state.notes],
    lines: state.lines.map(lineToPersistence),
    allowances: state.allowances.map(documentAllowanceChargeToPersistence),
    charges: state.charges.map(documentAllowanceChargeToPersistence),
    vatBreakdown: state.vatBreakdown.map(vatBreakdownToPersistence),
    totals: totalsToPersistence(state.totals),
    payments: state.payments.map(paymentToPersistence),
    credits: state.credits.map(creditToPersistence),
    precedingInvoice: optional(state.precedingInvoice, (preceding) => ({ id: preceding.id, number: preceding.number, issueDate: preceding.issueDate }) satisfies AllFieldsOf<typeof preceding>),
    approval: optional(state.approval, (approval) => ({ by: approval.by, at: approval.at }) satisfies AllFieldsOf<typeof approval>),
    authors: optional(state.authors, (authors) => [...authors]),
    possibleDuplicateOf: state.possibleDuplicateOf,
    voidReason: state.voidReason,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    issuedAt: state.issuedAt,
    importedAt: state.importedAt,
  } satisfies AllFieldsOf<StoredFields>);
}

/**
 * Starts the stand-in of a missing number or reference: the domain refuses control characters in both, so a stand-in
 * never equals a real one. U+0001 rather than U+0000, which PostgreSQL's jsonb (under FerretDB) cannot store;
 * documents written with the U+0000 stand-in keep it until their next save, harmlessly (each stand-in holds its id).
 */
const STAND_IN = '\u0001';

/**
 * What the reports and unique keys need and FerretDB cannot compute in a query, computed when an invoice is written:
 * - `numberKey`, `externalKey`: the number and the sender's reference, or a stand-in made of the id while there is
 *   none (FerretDB has no partial unique indexes);
 * - `issueMonth`, `referenceDate`, `issueKey`: what the monthly summary, the duplicate check and "last seen" use;
 * - `totalMinor`, `outstandingMinor`, `owing`: the amounts the reports sum and what the buyer still owes;
 * - `kind`, `status`, `currency`, `sellerId`, the contacts and the dates: what lists and reports filter, sort and group
 *   by, copied from the state (which is stored as one string); absent ones as null.
 */
export function deriveInvoice(state: InvoiceState) {
  const outstanding = Invoice.restore(state).outstanding;
  const issued = state.status !== 'draft' && state.issueDate !== undefined;
  return {
    kind: state.kind,
    status: state.status,
    currency: state.currency,
    sellerId: state.sellerId,
    sellerContactId: state.sellerContactId ?? null,
    buyerContactId: state.buyerContactId ?? null,
    issueDate: state.issueDate ?? null,
    dueDate: state.dueDate ?? null,
    numberKey: state.number ?? `${STAND_IN}${state.id}`,
    externalKey: state.externalReference ?? `${STAND_IN}${state.id}`,
    issueMonth: issued && state.issueDate ? yearMonthOf(state.issueDate) : null,
    referenceDate: duplicateReferenceDate(state),
    issueKey: issued ? `${state.issueDate}|${state.id}` : null,
    totalMinor: state.totals.taxInclusive.minor,
    outstandingMinor: outstanding.minor,
    owing: isOwing({ kind: state.kind, status: state.status, outstanding }),
  };
}

/**
 * The top-level fields the hot queries of invoices match by equality (ADR 0012), each a composite of the fields the
 * query would otherwise filter on inside `state` and `derived`, or null when the document must not match:
 * - `partnerIds`: the seller and the buyer (a partner's documents, on either side);
 * - `buyerId`: what the buyer's balance, aging and past-due reports select;
 * - `duplicateKeys`: buyer, currency, total and each day within the duplicate window around the invoice's reference
 *   date, for an invoice that is not void: the duplicate check of a new invoice matches the key of its own day, so it
 *   finds exactly the invoices within the window, by equality;
 * - `receivableKey`: buyer and currency while the buyer owes the invoice (where a payment goes);
 * - `referenceKey`: seller, buyer and the sender's reference (an imported document found again).
 * Composites are JSON arrays, so no value can make two different tuples equal.
 */
export function invoiceKeys(state: InvoiceState, derived: ReturnType<typeof deriveInvoice>) {
  return {
    partnerIds: [state.sellerId, state.buyerId],
    buyerId: state.buyerId,
    duplicateKeys:
      state.kind === 'invoice' && state.status !== 'void'
        ? duplicateWindow(derived.referenceDate).map((day) => invoiceDuplicateKey(state.buyerId, state.currency, derived.totalMinor, day))
        : [],
    receivableKey: derived.owing ? invoiceReceivableKey(state.buyerId, state.currency) : null,
    referenceKey: state.externalReference === undefined ? null : invoiceReferenceKey(state.sellerId, state.buyerId, state.externalReference),
    // The number of a document recorded from another system's history, what a re-import finds it by. Null on every
    // other document, and absent on those stored before imports existed (none of which is imported).
    importKey: state.importedAt === undefined ? null : (state.number ?? null),
  };
}

/**
 * The days of the duplicate window around `date`, none before 0100-01-01 or after 9999-12-31: an invoice dated
 * 9999-12-30 was refused at save with `date.out_of_range` (audit D4).
 */
function duplicateWindow(date: CalendarDate): CalendarDate[] {
  const earliest = Math.max(-DUPLICATE_WINDOW_DAYS, daysBetween(date, '0100-01-01' as CalendarDate));
  const latest = Math.min(DUPLICATE_WINDOW_DAYS, daysBetween(date, '9999-12-31' as CalendarDate));
  return Array.from({ length: latest - earliest + 1 }, (_, index) => addDays(date, earliest + index));
}

export function invoiceDuplicateKey(buyerId: string, currency: string, totalMinor: bigint, day: CalendarDate): string {
  return JSON.stringify([buyerId, currency, totalMinor.toString(), day]);
}

export function invoiceReceivableKey(buyerId: string, currency: string): string {
  return JSON.stringify([buyerId, currency]);
}

export function invoiceReferenceKey(sellerId: string, buyerId: string, externalReference: string): string {
  return JSON.stringify([sellerId, buyerId, externalReference]);
}

/** `sealPending` of a document issued and not sealed yet; the sealer sets {@link SEALED} (ADR 0022). */
export const SEAL_PENDING = 1;
/** `sealPending` of a sealed document. Lower than {@link SEAL_PENDING}: saves write the field with `$min`, so they never mark a sealed document pending again. */
export const SEALED = 0;

/** A seal as the sealer copies it onto a document: the link of `document_seals` that seals it. */
export type StoredSeal = DocumentSeal;

/** An invoice's or credit note's document. */
export type InvoiceDocument = AggregateDocument<ReturnType<typeof stateToPersistence>, ReturnType<typeof deriveInvoice>, ReturnType<typeof invoiceKeys>> & {
  /** 1 while issued and not sealed, 0 once sealed; absent on drafts and imported documents. */
  readonly sealPending?: number;
  /** Written by the sealer only (`document-sealer.ts`). */
  readonly seal?: StoredSeal;
};

function sealToDomain(stored: StoredSeal): DocumentSeal {
  return { position: stored.position, contentHash: stored.contentHash, previousHash: stored.previousHash, hash: stored.hash };
}

/** Invoices and credit notes ↔ `invoices` documents; `derived` and the keys are recomputed on every write and never read back. */
export const invoiceMapper: AggregateMapper<InvoiceState, InvoiceDocument> = {
  toPersistence(state) {
    const derived = deriveInvoice(state);
    // A document issued here waits for its seal; the store writes `sealPending` with `$min` (see `invoiceStore`).
    const pending = isSealable(state) ? { sealPending: SEAL_PENDING } : {};
    // Format 4 reads periods too: an invoice holding both is written in it.
    const periods = state.invoicePeriod !== undefined || state.lines.some((line) => line.period !== undefined);
    // Format 8 reads periods too, and a draft holds no returns.
    const format = holdsReturns(state) ? { _v: RETURNS_FORMAT } : state.status === 'draft' && state.authors !== undefined ? { _v: DRAFT_AUTHORS_FORMAT } : periods ? { _v: PERIODS_FORMAT } : {};
    return { ...envelopeOf(state), ...format, ...invoiceKeys(state, derived), ...pending, state: encodeState(stateToPersistence(state)), derived };
  },
  toDomain(document) {
    const identity = identityOf<InvoiceId>(document, 'invoices');
    const state = decodeState(document.state);
    return compact({
      ...identity,
      kind: state.kind,
      status: state.status,
      number: state.number,
      series: state.series,
      partnershipId: state.partnershipId,
      sellerId: state.sellerId,
      buyerId: state.buyerId,
      sellerContactId: state.sellerContactId,
      buyerContactId: state.buyerContactId,
      seller: optional(state.seller, partyToDomain),
      buyer: optional(state.buyer, partyToDomain),
      currency: state.currency,
      issueDate: state.issueDate,
      dueDate: state.dueDate,
      paymentTerms: paymentTermsToDomain(state.paymentTerms),
      purchaseOrderReference: state.purchaseOrderReference,
      buyerReference: state.buyerReference,
      invoicePeriod: optional(state.invoicePeriod, (period) => compact({ start: period.start, end: period.end })),
      externalReference: state.externalReference,
      notes: [...state.notes],
      lines: state.lines.map(lineToDomain),
      allowances: state.allowances.map(documentAllowanceChargeToDomain),
      charges: state.charges.map(documentAllowanceChargeToDomain),
      vatBreakdown: state.vatBreakdown.map(vatBreakdownToDomain),
      totals: totalsToDomain(state.totals),
      payments: state.payments.map((payment) => ({ paymentId: payment.paymentId, amount: moneyToDomain(payment.amount), appliedOn: payment.appliedOn })),
      credits: state.credits.map(creditToDomain),
      precedingInvoice: optional(state.precedingInvoice, (preceding) => ({ id: preceding.id, number: preceding.number, issueDate: preceding.issueDate })),
      approval: optional(state.approval, (approval) => ({ by: approval.by, at: dateToDomain(approval.at) })),
      authors: optional(state.authors, (authors) => [...authors]),
      possibleDuplicateOf: state.possibleDuplicateOf,
      voidReason: state.voidReason,
      createdAt: dateToDomain(state.createdAt),
      updatedAt: dateToDomain(state.updatedAt),
      issuedAt: optional(state.issuedAt, dateToDomain),
      importedAt: optional(state.importedAt, dateToDomain),
      seal: optional(document.seal, sealToDomain),
    } satisfies AllFieldsOf<InvoiceState>);
  },
};
