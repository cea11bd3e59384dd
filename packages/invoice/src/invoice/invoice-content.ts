import {
  Money,
  ValidationError,
  collectIssues,
  definedFields,
  parseCalendarDate,
  requiredList,
  requiredObject,
  type CalendarDate,
  type CurrencyCode,
} from '@invoicing/core';
import type { ContactId } from '../shared/ids';
import { optionalText } from '../shared/text';
import {
  documentAllowanceCharge,
  invoiceLine,
  type DocumentAllowanceCharge,
  type DocumentAllowanceChargeInput,
  type InvoiceLine,
  type InvoiceLineInput,
} from './invoice-line';
import { invoicePeriod, type InvoicePeriod, type InvoicePeriodInput } from './invoice-period';
import { computeTotals, vatBreakdown, withClosingVat, type ClosingVatInput, type InvoiceTotals, type VatBreakdown } from './totals';

/** The editable content of a draft; amounts and decimals as strings. */
export interface DraftContent {
  readonly lines: readonly InvoiceLineInput[];
  readonly allowances?: readonly DocumentAllowanceChargeInput[];
  readonly charges?: readonly DocumentAllowanceChargeInput[];
  readonly issueDate?: string;
  readonly dueDate?: string;
  readonly purchaseOrderReference?: string;
  readonly buyerReference?: string;
  /** BG-14: the days the invoice is for. */
  readonly invoicePeriod?: InvoicePeriodInput;
  readonly notes?: readonly string[];
  /** BT-113, default 0. */
  readonly prepaidAmount?: string;
  /** BT-114, default 0. */
  readonly roundingAmount?: string;
  readonly sellerContactId?: ContactId;
  readonly buyerContactId?: ContactId;
}

/** A draft's content once parsed, with the VAT breakdown and totals it comes to: what creating or updating a draft sets. */
export interface ParsedDraftContent {
  readonly lines: readonly InvoiceLine[];
  readonly allowances: readonly DocumentAllowanceCharge[];
  readonly charges: readonly DocumentAllowanceCharge[];
  readonly issueDate?: CalendarDate;
  readonly dueDate?: CalendarDate;
  readonly purchaseOrderReference?: string;
  readonly buyerReference?: string;
  readonly invoicePeriod?: InvoicePeriod;
  readonly notes: readonly string[];
  readonly sellerContactId?: ContactId;
  readonly buyerContactId?: ContactId;
  readonly vatBreakdown: readonly VatBreakdown[];
  readonly totals: InvoiceTotals;
}

/**
 * The lines with an id each: a line without one takes its position (1, 2 …), or the next number no line of the document
 * gives itself, so that a line numbered by the caller and one numbered here do not share an id. Ids the caller gives
 * twice are kept: EN 16931 has no rule against it, and an official example (CII-BR-CO-10-RoundingIssue) does it.
 */
function withLineIds(lines: readonly InvoiceLineInput[]): InvoiceLineInput[] {
  // A line that is no object is passed on as it is, for invoiceLine to refuse under its path.
  const isObject = (line: InvoiceLineInput): boolean => typeof line === 'object' && line !== null;
  const idOf = (line: InvoiceLineInput): string | undefined => (isObject(line) && typeof line.id === 'string' && line.id.trim() !== '' ? line.id.trim() : undefined);
  const given = new Set(lines.map(idOf).filter((id): id is string => id !== undefined));
  const taken = new Set<string>();
  return lines.map((line, index) => {
    if (idOf(line) !== undefined || !isObject(line)) return line;
    let number = index + 1;
    while (given.has(String(number)) || taken.has(String(number))) number += 1;
    taken.add(String(number));
    return { ...line, id: String(number) };
  });
}

/**
 * Parses a draft's content in the document's currency and computes what it comes to: line net amounts, the VAT
 * breakdown and the totals, as EN 16931 defines them. `closingVat`: the VAT amounts a credit note states for the
 * categories it closes, in place of the computed ones ({@link withClosingVat}).
 * @throws ValidationError with one issue per bad field
 */
export function parseDraftContent(input: DraftContent, currency: CurrencyCode, closingVat: readonly ClosingVatInput[] = []): ParsedDraftContent {
  requiredObject(input);
  const { prepaid, rounding, ...parsed } = collectIssues((attempt) => {
    const lines = attempt('lines', () => {
      if (!Array.isArray(input.lines)) throw ValidationError.of('', 'invoice.lines_required', 'lines must be a list');
      if (input.lines.length > 10_000) throw ValidationError.of('', 'invoice.too_many_lines', 'at most 10000 lines');
      return collectIssues((inner) => withLineIds(input.lines).map((line, index) => inner(String(index), () => invoiceLine(line, currency, index))));
    });
    const allowances = (attempt('allowances', () => requiredList(input.allowances ?? [])) ?? []).map((item, index) => attempt(`allowances.${index}`, () => documentAllowanceCharge(item, currency, 'allowance')));
    const charges = (attempt('charges', () => requiredList(input.charges ?? [])) ?? []).map((item, index) => attempt(`charges.${index}`, () => documentAllowanceCharge(item, currency, 'charge')));
    const issueDate = input.issueDate === undefined ? undefined : attempt('issueDate', () => parseCalendarDate(input.issueDate as string));
    const dueDate = input.dueDate === undefined ? undefined : attempt('dueDate', () => parseCalendarDate(input.dueDate as string));
    const purchaseOrderReference = attempt('purchaseOrderReference', () => optionalText(input.purchaseOrderReference, '', 100));
    const buyerReference = attempt('buyerReference', () => optionalText(input.buyerReference, '', 100));
    const period = input.invoicePeriod === undefined ? undefined : attempt('invoicePeriod', () => invoicePeriod(input.invoicePeriod as InvoicePeriodInput));
    const notes = (attempt('notes', () => requiredList(input.notes ?? [])) ?? []).map((note, index) => attempt(`notes.${index}`, () => optionalText(note, '', 5000))).filter((note): note is string => note !== undefined);
    const prepaid = attempt('prepaidAmount', () => Money.of(input.prepaidAmount ?? '0', currency));
    const rounding = attempt('roundingAmount', () => Money.of(input.roundingAmount ?? '0', currency));
    return {
      lines: (lines ?? []) as InvoiceLine[],
      allowances: allowances as DocumentAllowanceCharge[],
      charges: charges as DocumentAllowanceCharge[],
      ...definedFields({ issueDate, dueDate, purchaseOrderReference, buyerReference, invoicePeriod: period }),
      notes,
      prepaid: prepaid as Money,
      rounding: rounding as Money,
      ...definedFields({ sellerContactId: input.sellerContactId, buyerContactId: input.buyerContactId }),
    };
  });
  const totalsInput = { currency, lines: parsed.lines, allowances: parsed.allowances, charges: parsed.charges, prepaid, rounding };
  const breakdown = closingVat.length === 0 ? vatBreakdown(totalsInput) : withClosingVat(vatBreakdown(totalsInput), closingVat);
  const totals = computeTotals(totalsInput, breakdown);
  checkPrepaidAndRounding(totals);
  return { ...parsed, vatBreakdown: breakdown, totals };
}

/**
 * The amount due is the total with VAT less what was paid before issue, plus a rounding amount: neither may make it
 * more than the document charges, or turn it into a credit. Paid before issue is 0 up to the total with VAT; the
 * rounding amount makes a round figure, so it is less than one unit of the currency either way (0.50 to round SEK to
 * whole kronor, 0.05 for Swiss cash rounding; JPY has no room for one).
 * @throws ValidationError `invoice.prepaid_out_of_range` | `invoice.rounding_out_of_range`
 */
function checkPrepaidAndRounding(totals: Pick<InvoiceTotals, 'prepaid' | 'rounding' | 'taxInclusive'>): void {
  const zero = Money.zero(totals.prepaid.currency);
  if (totals.prepaid.isNegative() || totals.prepaid.greaterThan(totals.taxInclusive.max(zero))) {
    throw ValidationError.of('prepaidAmount', 'invoice.prepaid_out_of_range', `the amount paid before issue is 0 to the total with VAT (${totals.taxInclusive.max(zero).toString()}), not ${totals.prepaid.toString()}`);
  }
  if (totals.rounding.abs().greaterThanOrEqual(Money.of('1', totals.rounding.currency))) {
    throw ValidationError.of('roundingAmount', 'invoice.rounding_out_of_range', `a rounding amount is less than one unit of the currency either way, not ${totals.rounding.toString()}`);
  }
}
