import { sharesADiscount, type BillAllowance, type BillCreditNote, type BillCreditNoteOutcome, type BillLine, type BillOutcome, type BillState, type LineComputation } from '@invoicing/billing';
import { Decimal, type CalendarDate, type CurrencyCode, type DecimalInput, type TenantId } from '@invoicing/core';
import type { AllowanceChargeInput, DocumentAllowanceChargeInput, InvoiceId, PartnershipId, VatCategoryInput } from '@invoicing/invoice';
import { documentId } from '../mappers/aggregate-document';
import { BILL_AUTHORS_FORMAT, BILL_CREDIT_NOTES_FORMAT, BILL_FORMATS, BILL_SHARED_DISCOUNT_FORMAT, STORED_FORMAT, storedFormatOf } from '../mappers/stored-format';
import { decodeState, encodeState } from '../mappers/stored-state';
import { compact, dateToDomain, decimalToDomain, decimalToPersistence, moneyToDomain, moneyToPersistence, optional, type AllFieldsOf, type StoredDecimal } from '../mappers/value.mapper';

/**
 * A decimal as an invoice line's input holds it. The bill's lines are kept exactly as they will be drafted, so a
 * string stays a string (what the billing domain writes), a `Decimal` is a stored decimal, and an integer or a bigint
 * stays one (the state's encoding keeps both exact).
 */
type StoredDecimalInput = string | number | bigint | StoredDecimal;

function decimalInputToPersistence(value: DecimalInput): StoredDecimalInput {
  return value instanceof Decimal ? decimalToPersistence(value) : value;
}

function decimalInputToDomain(stored: StoredDecimalInput): DecimalInput {
  return typeof stored === 'object' ? decimalToDomain(stored) : stored;
}

function vatInputToPersistence(vat: VatCategoryInput) {
  return compact({
    code: vat.code,
    rate: vat.rate === undefined || vat.rate === null ? vat.rate : decimalInputToPersistence(vat.rate),
    exemptionReason: vat.exemptionReason,
    exemptionReasonCode: vat.exemptionReasonCode,
  } satisfies AllFieldsOf<VatCategoryInput>);
}

function vatInputToDomain(stored: ReturnType<typeof vatInputToPersistence>): VatCategoryInput {
  return compact({
    code: stored.code,
    rate: stored.rate === undefined || stored.rate === null ? stored.rate : decimalInputToDomain(stored.rate),
    exemptionReason: stored.exemptionReason,
    exemptionReasonCode: stored.exemptionReasonCode,
  } satisfies AllFieldsOf<VatCategoryInput>);
}

function allowanceInputToPersistence(item: AllowanceChargeInput) {
  return compact({
    amount: item.amount,
    percent: optional(item.percent, decimalInputToPersistence),
    baseAmount: item.baseAmount,
    reason: item.reason,
    reasonCode: item.reasonCode,
  } satisfies AllFieldsOf<AllowanceChargeInput>);
}

function allowanceInputToDomain(stored: ReturnType<typeof allowanceInputToPersistence>): AllowanceChargeInput {
  return compact({
    amount: stored.amount,
    percent: optional(stored.percent, decimalInputToDomain),
    baseAmount: stored.baseAmount,
    reason: stored.reason,
    reasonCode: stored.reasonCode,
  } satisfies AllFieldsOf<AllowanceChargeInput>);
}

type LineInput = BillLine['line'];

function lineInputToPersistence(line: LineInput) {
  return compact({
    id: line.id,
    marketableId: line.marketableId,
    name: line.name,
    description: line.description,
    sellerItemId: line.sellerItemId,
    period: optional(line.period, (period) => compact({ start: period.start, end: period.end })),
    quantity: decimalInputToPersistence(line.quantity),
    unitCode: line.unitCode,
    netPrice: decimalInputToPersistence(line.netPrice),
    priceBaseQuantity: optional(line.priceBaseQuantity, decimalInputToPersistence),
    allowances: optional(line.allowances, (items) => items.map(allowanceInputToPersistence)),
    charges: optional(line.charges, (items) => items.map(allowanceInputToPersistence)),
    vat: vatInputToPersistence(line.vat),
  } satisfies AllFieldsOf<LineInput>);
}

function lineInputToDomain(stored: ReturnType<typeof lineInputToPersistence>): LineInput {
  return compact({
    id: stored.id,
    marketableId: stored.marketableId,
    name: stored.name,
    description: stored.description,
    sellerItemId: stored.sellerItemId,
    period: optional(stored.period, (period) => compact({ start: period.start, end: period.end })),
    quantity: decimalInputToDomain(stored.quantity),
    unitCode: stored.unitCode,
    netPrice: decimalInputToDomain(stored.netPrice),
    priceBaseQuantity: optional(stored.priceBaseQuantity, decimalInputToDomain),
    allowances: optional(stored.allowances, (items) => items.map(allowanceInputToDomain)),
    charges: optional(stored.charges, (items) => items.map(allowanceInputToDomain)),
    vat: vatInputToDomain(stored.vat),
  } satisfies AllFieldsOf<LineInput>);
}

/** How a line was computed: text and numbers only, each field named (the same on both ways). */
function computationOf(computation: LineComputation): LineComputation {
  const range = (value: { readonly start: CalendarDate; readonly end: CalendarDate }) => ({ start: value.start, end: value.end }) satisfies AllFieldsOf<typeof value>;
  return compact({
    item: computation.item,
    kind: computation.kind,
    purpose: computation.purpose,
    reason: computation.reason,
    chargeCode: computation.chargeCode,
    planVersion: computation.planVersion,
    period: optional(computation.period, range),
    range: optional(computation.range, range),
    proration: optional(computation.proration, (value) => ({ days: value.days, periodDays: value.periodDays, factor: value.factor }) satisfies AllFieldsOf<typeof value>),
    fee: optional(computation.fee, (value) => ({ quantity: value.quantity, unitPrice: value.unitPrice, amount: value.amount }) satisfies AllFieldsOf<typeof value>),
    usage: optional(computation.usage, (value) =>
      compact({ metric: value.metric, aggregation: value.aggregation, property: value.property, units: value.units, events: value.events } satisfies AllFieldsOf<typeof value>),
    ),
    pricePart: optional(computation.pricePart, (value) => ({ ...value })),
    minimum: optional(computation.minimum, (value) => ({ amount: value.amount, usageAmount: value.usageAmount }) satisfies AllFieldsOf<typeof value>),
    previouslyBilled: computation.previouslyBilled,
    nowComputed: computation.nowComputed,
    amount: computation.amount,
    formula: computation.formula,
  } satisfies AllFieldsOf<LineComputation>);
}

function allowanceToPersistence(allowance: BillAllowance) {
  const item: DocumentAllowanceChargeInput = allowance.allowance;
  return compact({
    discountCode: allowance.discountCode,
    planVersion: allowance.planVersion,
    side: allowance.side,
    periodStart: allowance.periodStart,
    allowance: { ...allowanceInputToPersistence(item), vat: vatInputToPersistence(item.vat) } satisfies AllFieldsOf<DocumentAllowanceChargeInput>,
    givenBack: allowance.givenBack,
  } satisfies AllFieldsOf<BillAllowance>);
}

function allowanceToDomain(stored: ReturnType<typeof allowanceToPersistence>): BillAllowance {
  return compact({
    discountCode: stored.discountCode,
    planVersion: stored.planVersion,
    side: stored.side,
    periodStart: stored.periodStart,
    allowance: { ...allowanceInputToDomain(stored.allowance), vat: vatInputToDomain(stored.allowance.vat) },
    givenBack: stored.givenBack,
  } satisfies AllFieldsOf<BillAllowance>);
}

function creditNoteOutcomeOf(outcome: BillCreditNoteOutcome): BillCreditNoteOutcome {
  return outcome.status === 'issued'
    ? ({ creditNoteId: outcome.creditNoteId, status: outcome.status } satisfies AllFieldsOf<typeof outcome>)
    : ({ creditNoteId: outcome.creditNoteId, status: outcome.status, reason: outcome.reason } satisfies AllFieldsOf<typeof outcome>);
}

function outcomeOf(outcome: BillOutcome): BillOutcome {
  const creditNotes = (outcomes: readonly BillCreditNoteOutcome[] | undefined) => optional(outcomes, (items) => items.map(creditNoteOutcomeOf));
  switch (outcome.invoiceStatus) {
    case 'issued':
      return compact({ invoiceStatus: outcome.invoiceStatus, creditNotes: creditNotes(outcome.creditNotes) } satisfies AllFieldsOf<typeof outcome>);
    case 'none':
      return { invoiceStatus: outcome.invoiceStatus, creditNotes: outcome.creditNotes.map(creditNoteOutcomeOf) } satisfies AllFieldsOf<typeof outcome>;
    default:
      return compact({
        invoiceStatus: outcome.invoiceStatus,
        notIssued: optional(outcome.notIssued, (value) => ({ code: value.code, message: value.message }) satisfies AllFieldsOf<typeof value>),
        creditNotes: creditNotes(outcome.creditNotes),
      } satisfies AllFieldsOf<typeof outcome>);
  }
}

function creditNoteToPersistence(note: BillCreditNote) {
  return {
    invoiceId: note.invoiceId,
    creditNoteId: note.creditNoteId,
    lines: note.lines.map((part) => ({ lineId: part.lineId, amount: moneyToPersistence(part.amount) })),
  } satisfies AllFieldsOf<BillCreditNote>;
}

function creditNoteToDomain(stored: ReturnType<typeof creditNoteToPersistence>): BillCreditNote {
  return {
    invoiceId: stored.invoiceId as InvoiceId,
    creditNoteId: stored.creditNoteId as InvoiceId,
    lines: stored.lines.map((part) => ({ lineId: part.lineId, amount: moneyToDomain(part.amount) })),
  } satisfies AllFieldsOf<BillCreditNote>;
}

/** What a bill charged, written once when it is recorded: the part of the state no query reads. */
function stateToPersistence(bill: BillState) {
  return {
    planVersion: bill.planVersion,
    // Absent from bills recorded before 7 December 2026.
    planVersionsSeen: bill.planVersionsSeen,
    invoiceMode: bill.invoiceMode,
    currency: bill.currency,
    lines: bill.lines.map((line) => ({ line: lineInputToPersistence(line.line), amount: moneyToPersistence(line.amount), computation: computationOf(line.computation) }) satisfies AllFieldsOf<BillLine>),
    settled: optional(bill.settled, (items) => items.map(computationOf)),
    allowances: bill.allowances.map(allowanceToPersistence),
    usageCutoff: bill.usageCutoff,
    // Only on the last bill of an ended plan that comes to a credit (formats 5, 6 and 9).
    creditNotes: optional(bill.creditNotes, (notes) => notes.map(creditNoteToPersistence)),
    authors: optional(bill.authors, (authors) => [...authors]),
    createdAt: bill.createdAt,
  };
}

/**
 * A `bills` document. The keys queries match (partnership and date, invoice, run) and what `markInvoiced` changes
 * (status, outcome, invoicedAt) are top-level fields; the rest, written once, is `state`, one string (ADR 0012).
 */
export interface BillDocument {
  readonly _id: string;
  readonly _v?: number;
  readonly tenantId: string;
  readonly key: string;
  readonly partnershipId: string;
  readonly billingDate: string;
  readonly invoiceId: string;
  readonly runId?: string;
  readonly status: BillState['status'];
  readonly outcome?: BillOutcome;
  readonly invoicedAt?: Date;
  /**
   * `<tenant>/<partnership>/<position>`, unique where present (one field, so that a sparse index skips the bills
   * recorded before positions: a compound index would hold those under the tenant alone).
   */
  readonly slot?: string;
  readonly state: string;
}

/** The `slot` of a bill in its position. */
function slotOf(bill: BillState): string | undefined {
  return bill.position === undefined ? undefined : `${bill.tenantId}/${bill.partnershipId}/${bill.position}`;
}

function positionOf(document: BillDocument): number | undefined {
  return document.slot === undefined ? undefined : Number(document.slot.slice(document.slot.lastIndexOf('/') + 1));
}

/** The fields `markInvoiced` sets. */
export function invoicedFields(outcome: BillOutcome, at: Date): Pick<BillDocument, 'status' | 'outcome' | 'invoicedAt'> {
  return { status: 'invoiced', outcome: outcomeOf(outcome), invoicedAt: at };
}

export function billToPersistence(bill: BillState): BillDocument {
  return compact({
    _id: documentId(bill.tenantId, bill.key),
    _v: bill.authors !== undefined ? BILL_AUTHORS_FORMAT : bill.creditNotes === undefined ? STORED_FORMAT : sharesADiscount(bill) ? BILL_SHARED_DISCOUNT_FORMAT : BILL_CREDIT_NOTES_FORMAT,
    tenantId: bill.tenantId,
    key: bill.key,
    partnershipId: bill.partnershipId,
    billingDate: bill.billingDate,
    invoiceId: bill.invoiceId,
    runId: bill.runId,
    status: bill.status,
    outcome: optional(bill.outcome, outcomeOf),
    invoicedAt: bill.invoicedAt,
    slot: slotOf(bill),
    state: encodeState(stateToPersistence(bill)),
  });
}

/** @throws UnsupportedStoredFormatError */
export function billToDomain(document: BillDocument): BillState {
  storedFormatOf(document, `bills ${document._id}`, BILL_FORMATS);
  const state = decodeState<ReturnType<typeof stateToPersistence>>(document.state);
  return compact({
    tenantId: document.tenantId as TenantId,
    key: document.key,
    partnershipId: document.partnershipId as PartnershipId,
    billingDate: document.billingDate as CalendarDate,
    planVersion: state.planVersion,
    planVersionsSeen: state.planVersionsSeen,
    invoiceMode: state.invoiceMode,
    currency: state.currency as CurrencyCode,
    lines: state.lines.map((line) => ({ line: lineInputToDomain(line.line), amount: moneyToDomain(line.amount), computation: computationOf(line.computation) })),
    settled: optional(state.settled, (items) => items.map(computationOf)),
    allowances: state.allowances.map(allowanceToDomain),
    usageCutoff: dateToDomain(state.usageCutoff),
    invoiceId: document.invoiceId as InvoiceId,
    creditNotes: optional(state.creditNotes, (notes) => notes.map(creditNoteToDomain)),
    authors: optional(state.authors, (authors) => [...authors]),
    status: document.status,
    outcome: optional(document.outcome, outcomeOf),
    runId: document.runId,
    position: positionOf(document),
    createdAt: dateToDomain(state.createdAt),
    invoicedAt: optional(document.invoicedAt, dateToDomain),
  } satisfies AllFieldsOf<BillState>);
}
