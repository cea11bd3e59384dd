import {
  billNetTotal,
  invoicedPart,
  type BillAllowance,
  type BillCreditNote,
  type BillLine,
  type BillState,
  type BillingPlanState,
  type BillingRunState,
  type Charge,
  type Discount,
  type LineComputation,
  type OneOffCharge,
  type PlanTerms,
  type PriceModel,
  type ProposedBill,
  type UsageBatchResult,
  type UsageEventResult,
} from '@invoicing/billing';
import { Money, decimal, type CurrencyCode, type DecimalInput } from '@invoicing/core';
import { vatCategory, type PartnershipId, type VatCategoryInput } from '@invoicing/invoice';
import { toDecimalResponse, toMoneyResponse, type MoneyDto } from '../http/responses';
import { toVatCategoryResponse } from '../invoices/invoice.mapper';
import type {
  BillAllowanceDto,
  BillCreditNoteDto,
  BillLineDto,
  BillingPlanDto,
  BillingRunDto,
  ChargeViewDto,
  DiscountViewDto,
  InvoiceBillingDto,
  LineComputationDto,
  OneOffChargeDto,
  PlanTermsViewDto,
  PriceModelViewDto,
  RunBillDto,
  UpcomingInvoiceDto,
  UsageBatchResultDto,
  UsageEventResultDto,
} from './billing.response.dto';

/** A partnership's billing plan as the API answers it: every version, each with its terms. */
export function toBillingPlanResponse(state: BillingPlanState): BillingPlanDto {
  return {
    partnershipId: state.id,
    version: state.version,
    currency: state.currency,
    versions: state.versions.map((each) => ({
      version: each.version,
      effectiveFrom: each.effectiveFrom,
      terms: each.terms === null ? null : toPlanTermsResponse(each.terms),
      recordedAt: each.recordedAt,
      replacedBy: each.replacedBy,
      currency: each.currency,
    })),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

function toPlanTermsResponse(terms: PlanTerms): PlanTermsViewDto {
  return {
    cycle: { interval: terms.cycle.interval, alignment: terms.cycle.alignment, anchor: terms.cycle.anchor },
    charges: terms.charges.map(toChargeResponse),
    minimum: terms.minimum && { amount: toMoneyResponse(terms.minimum.amount), name: terms.minimum.name, vat: toVatCategoryResponse(terms.minimum.vat) },
    discounts: terms.discounts.map(toDiscountResponse),
    invoiceMode: terms.invoiceMode,
  };
}

/** Only the members of the charge's kind. */
function toChargeResponse(charge: Charge): ChargeViewDto {
  const line = { code: charge.code, name: charge.name, marketableId: charge.marketableId, unitCode: charge.unitCode, vat: toVatCategoryResponse(charge.vat) };
  if (charge.kind === 'recurring') {
    return { kind: charge.kind, ...line, quantity: toDecimalResponse(charge.quantity), unitPrice: toDecimalResponse(charge.unitPrice), timing: charge.timing };
  }
  const { code, aggregation, property, filters } = charge.metric;
  return {
    kind: charge.kind,
    ...line,
    metric: { code, aggregation, property, filters: filters && Object.fromEntries(Object.entries(filters).map(([name, values]) => [name, [...values]])) },
    price: toPriceModelResponse(charge.price),
  };
}

/** Only the members of the model's kind. */
function toPriceModelResponse(model: PriceModel): PriceModelViewDto {
  switch (model.kind) {
    case 'per_unit':
      return { kind: model.kind, unitPrice: toDecimalResponse(model.unitPrice) };
    case 'graduated':
    case 'volume':
      return {
        kind: model.kind,
        tiers: model.tiers.map((tier) => ({ upTo: tier.upTo && toDecimalResponse(tier.upTo), unitPrice: toDecimalResponse(tier.unitPrice), flatFee: toDecimalResponse(tier.flatFee) })),
      };
    case 'package':
      return { kind: model.kind, size: toDecimalResponse(model.size), price: toDecimalResponse(model.price), freeUnits: toDecimalResponse(model.freeUnits) };
    case 'percentage':
      return {
        kind: model.kind,
        rate: toDecimalResponse(model.rate),
        fixedFeePerEvent: toDecimalResponse(model.fixedFeePerEvent),
        minPerEvent: model.minPerEvent && toDecimalResponse(model.minPerEvent),
        maxPerEvent: model.maxPerEvent && toDecimalResponse(model.maxPerEvent),
      };
  }
}

function toDiscountResponse(discount: Discount): DiscountViewDto {
  const common = { code: discount.code, kind: discount.kind, periods: discount.periods, reason: discount.reason };
  return discount.kind === 'percentage' ? { ...common, percent: toDecimalResponse(discount.percent) } : { ...common, amount: toMoneyResponse(discount.amount) };
}

/** A batch's results, each event's error with the issues of its members. */
export function toUsageBatchResponse(result: UsageBatchResult): UsageBatchResultDto {
  return { stored: result.stored, duplicates: result.duplicates, rejected: result.rejected, results: result.results.map(toUsageEventResultResponse) };
}

function toUsageEventResultResponse(result: UsageEventResult): UsageEventResultDto {
  if (result.status !== 'rejected') return { eventId: result.eventId, status: result.status };
  const { code, message, issues } = result.error;
  return { eventId: result.eventId, status: result.status, error: { code, message, issues: issues.map((issue) => ({ path: issue.path, code: issue.code, message: issue.message })) } };
}

export function toOneOffChargeResponse(charge: OneOffCharge): OneOffChargeDto {
  return {
    id: charge.id,
    partnershipId: charge.partnershipId,
    date: charge.date,
    name: charge.name,
    marketableId: charge.marketableId,
    unitCode: charge.unitCode,
    quantity: toDecimalResponse(charge.quantity),
    unitPrice: toDecimalResponse(charge.unitPrice),
    vat: toVatCategoryResponse(charge.vat),
    createdAt: charge.createdAt,
  };
}

/** A run with its progress; a list leaves its previews out (`previews: false`), as they may be a thousand. */
export function toBillingRunResponse(state: BillingRunState, options: { readonly previews: boolean } = { previews: true }): BillingRunDto {
  const { counts } = state;
  return {
    id: state.id,
    asOf: state.asOf,
    dryRun: state.dryRun,
    partnershipIds: state.partnershipIds && [...state.partnershipIds],
    status: state.status,
    counts: {
      total: counts.total,
      processed: counts.processed,
      bills: counts.bills,
      emptyBills: counts.emptyBills,
      invoicesIssued: counts.invoicesIssued,
      invoicesDrafted: counts.invoicesDrafted,
      billsFoundRecorded: counts.billsFoundRecorded,
      failed: counts.failed,
    },
    failures: state.failures.map((failure) => ({ partnershipId: failure.partnershipId, code: failure.code, message: failure.message })),
    previews:
      options.previews && state.previews
        ? state.previews.map((preview) => ({
            partnershipId: preview.partnershipId,
            billingDate: preview.billingDate,
            lines: preview.lines,
            corrections: preview.corrections,
            netTotal: money(preview.netTotal, preview.currency),
          }))
        : undefined,
    error: state.error && { code: state.error.code, message: state.error.message },
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
    finishedAt: state.finishedAt,
  };
}

/** One bill of a run, with its invoice (none for a bill with nothing due) and its net total. */
export function toRunBillResponse(bill: BillState): RunBillDto {
  return {
    partnershipId: bill.partnershipId,
    billingDate: bill.billingDate,
    planVersion: bill.planVersion,
    status: bill.status,
    // A bill made into credit notes alone has no invoice.
    invoiceId: bill.status === 'empty' || (bill.creditNotes !== undefined && invoicedPart(bill).lines.length === 0) ? undefined : bill.invoiceId,
    ...outcomeOf(bill),
    lines: bill.lines.length,
    netTotal: toMoneyResponse(billNetTotal(bill)),
    createdAt: bill.createdAt,
    invoicedAt: bill.invoicedAt,
  };
}

/**
 * The bill an invoice was made from, every line of the invoice with its computation: of a bill made into credit notes
 * too (ADR 0030), the lines and discounts its invoice carries, the credit notes naming the rest.
 */
export function toInvoiceBillingResponse(whole: BillState): InvoiceBillingDto {
  const bill = whole.creditNotes === undefined ? whole : { ...whole, ...invoicedPart(whole) };
  return {
    invoiceId: bill.invoiceId,
    partnershipId: bill.partnershipId,
    billingDate: bill.billingDate,
    planVersion: bill.planVersion,
    runId: bill.runId,
    status: bill.status,
    ...outcomeOf(whole),
    currency: bill.currency,
    lines: bill.lines.map(toBillLineResponse),
    allowances: bill.allowances.map((allowance) => toBillAllowanceResponse(allowance, bill.currency)),
    netTotal: toMoneyResponse(billNetTotal(bill)),
    usageCutoff: bill.usageCutoff,
    createdAt: bill.createdAt,
    invoicedAt: bill.invoicedAt,
  };
}

/** A partnership's next bill, worked out and not recorded. */
export function toUpcomingInvoiceResponse(partnershipId: PartnershipId, proposed: ProposedBill & { readonly currency: string; readonly netTotal: string }): UpcomingInvoiceDto {
  const currency = proposed.currency as CurrencyCode;
  return {
    partnershipId,
    billingDate: proposed.billingDate,
    planVersion: proposed.planVersion,
    currency,
    lines: proposed.lines.map(toBillLineResponse),
    allowances: proposed.allowances.map((allowance) => toBillAllowanceResponse(allowance, currency)),
    netTotal: money(proposed.netTotal, currency),
  };
}

function outcomeOf(bill: BillState): Pick<RunBillDto, 'invoiceStatus' | 'notIssued' | 'creditNotes'> {
  const outcome = bill.outcome;
  const creditNotes = bill.creditNotes && { creditNotes: bill.creditNotes.map((note) => toBillCreditNoteResponse(bill, note)) };
  if (!outcome) return { ...creditNotes };
  if (outcome.invoiceStatus !== 'draft') return { invoiceStatus: outcome.invoiceStatus, ...creditNotes };
  return { invoiceStatus: outcome.invoiceStatus, notIssued: outcome.notIssued && { code: outcome.notIssued.code, message: outcome.notIssued.message }, ...creditNotes };
}

/** A credit note of a bill, with what became of it once the bill is invoiced. */
function toBillCreditNoteResponse(bill: BillState, note: BillCreditNote): BillCreditNoteDto {
  const given = bill.outcome?.creditNotes?.find((each) => each.creditNoteId === note.creditNoteId);
  return {
    invoiceId: note.invoiceId,
    creditNoteId: note.creditNoteId,
    netTotal: toMoneyResponse(Money.sum(bill.currency, note.lines.map((part) => part.amount))),
    ...(given === undefined ? {} : given.status === 'issued' ? { status: given.status } : { status: given.status, reason: given.reason }),
  };
}

function toBillLineResponse({ line, amount, computation }: BillLine): BillLineDto {
  return {
    id: line.id,
    name: line.name,
    description: line.description,
    marketableId: line.marketableId,
    quantity: decimalText(line.quantity),
    unitCode: line.unitCode,
    netPrice: decimalText(line.netPrice),
    vat: vatOf(line.vat),
    amount: toMoneyResponse(amount),
    computation: toComputationResponse(computation),
  };
}

function toComputationResponse(computation: LineComputation): LineComputationDto {
  const range = (value: { readonly start: string; readonly end: string } | undefined) => value && { start: value.start, end: value.end };
  const { proration, fee, usage, pricePart, minimum } = computation;
  return {
    item: computation.item,
    kind: computation.kind,
    purpose: computation.purpose,
    reason: computation.reason,
    chargeCode: computation.chargeCode,
    planVersion: computation.planVersion,
    period: range(computation.period),
    range: range(computation.range),
    proration: proration && { days: proration.days, periodDays: proration.periodDays, factor: proration.factor },
    fee: fee && { quantity: fee.quantity, unitPrice: fee.unitPrice, amount: fee.amount },
    usage: usage && { metric: usage.metric, aggregation: usage.aggregation, property: usage.property, units: usage.units, events: usage.events },
    pricePart: pricePart && {
      kind: String(pricePart['kind']),
      quantity: String(pricePart['quantity']),
      unitPrice: String(pricePart['unitPrice']),
      amount: String(pricePart['amount']),
      tier: numberOf(pricePart['tier']),
      from: textOf(pricePart['from']),
      to: textOf(pricePart['to']),
      packageSize: textOf(pricePart['packageSize']),
      freeUnits: textOf(pricePart['freeUnits']),
      billableUnits: textOf(pricePart['billableUnits']),
      events: numberOf(pricePart['events']),
    },
    minimum: minimum && { amount: minimum.amount, usageAmount: minimum.usageAmount },
    previouslyBilled: computation.previouslyBilled,
    nowComputed: computation.nowComputed,
    amount: computation.amount,
    formula: computation.formula,
  };
}

function toBillAllowanceResponse(each: BillAllowance, currency: CurrencyCode): BillAllowanceDto {
  const { allowance } = each;
  return {
    discountCode: each.discountCode,
    planVersion: each.planVersion,
    side: each.side,
    periodStart: each.periodStart,
    amount: money(allowance.amount ?? '0', currency),
    percent: allowance.percent === undefined ? undefined : decimalText(allowance.percent),
    baseAmount: allowance.baseAmount === undefined ? undefined : money(allowance.baseAmount, currency),
    reason: allowance.reason,
    reasonCode: allowance.reasonCode,
    vat: vatOf(allowance.vat),
  };
}

/** An amount a bill keeps as exact text in its currency. */
function money(amount: string, currency: string): MoneyDto {
  return { amount, currency };
}

/** A quantity or price of a bill's line, as plain decimal text (stored lines keep them as text already). */
function decimalText(value: DecimalInput): string {
  return toDecimalResponse(decimal(value));
}

function vatOf(input: VatCategoryInput) {
  return toVatCategoryResponse(vatCategory(input));
}

/** A price part's member: a decimal as text, a count as a number; absent stays absent. */
function textOf(value: string | number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function numberOf(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}
