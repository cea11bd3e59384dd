import { addDays, type CalendarDate, type CurrencyCode, type Money, type TenantId } from '@invoicing/core';
import type { DocumentAllowanceChargeInput, InvoiceId, InvoiceLineInput, PartnershipId } from '@invoicing/invoice';
import type { DateRange } from '../periods/billing-period';
import type { InvoiceMode } from '../plans/plan-terms';

/** What a bill line is for: the first charge of an item, or a correction of what an earlier bill charged for it. */
export type LinePurpose = 'charge' | 'correction';

/**
 * Why a correction: `late_usage` when events arrived after their period was invoiced, `plan_change` when the terms
 * of days already invoiced changed (unused time credited, the new terms charged).
 */
export type CorrectionReason = 'late_usage' | 'plan_change';

/** What a billable item is: the fee of a recurring charge, a usage charge, the minimum's true-up, a one-off charge. */
export type ItemKind = 'recurring' | 'usage' | 'minimum' | 'one_off';

/**
 * How one invoice line was computed, as the API shows it: everything needed to redo the sum by hand. Decimals and
 * amounts are strings, exactly as computed.
 */
export interface LineComputation {
  /** The billable item: `<charge>@v<version>:<period start>` (`minimum@v…`, `one_off:<id>`), one per charge and period. */
  readonly item: string;
  readonly kind: ItemKind;
  readonly purpose: LinePurpose;
  readonly reason?: CorrectionReason;
  readonly chargeCode?: string;
  readonly planVersion?: number;
  /** The billing period the item belongs to, and the days of it the plan version covered. */
  readonly period?: DateRange;
  readonly range?: DateRange;
  readonly proration?: { readonly days: number; readonly periodDays: number; readonly factor: string };
  /** A recurring fee for a whole period: quantity × unit price. */
  readonly fee?: { readonly quantity: string; readonly unitPrice: string; readonly amount: string };
  /** What a usage charge measured over `range`. */
  readonly usage?: {
    readonly metric: string;
    readonly aggregation: string;
    readonly property?: string;
    readonly units: string;
    readonly events: number;
  };
  /** The part of the price this line carries (tier, packages, percentage…), as `priceUsage` computed it. */
  readonly pricePart?: Readonly<Record<string, string | number>>;
  /** For a minimum's true-up: the minimum for `range` and what the usage charges came to. */
  readonly minimum?: { readonly amount: string; readonly usageAmount: string };
  /** For a correction: what earlier bills charged for the item, and what it comes to now. */
  readonly previouslyBilled?: string;
  readonly nowComputed?: string;
  /** This line's amount. */
  readonly amount: string;
  /** The sum in words and figures, e.g. `10 × 25.00 × 22/31 days`. */
  readonly formula: string;
}

/** One line of a bill: the invoice line as drafted, its amount, and how it was computed. */
export interface BillLine {
  readonly line: InvoiceLineInput & { readonly id: string };
  readonly amount: Money;
  readonly computation: LineComputation;
}

/**
 * A discount as the bill applies it: one document allowance per VAT category the discounted lines fall in; a document
 * charge (`side` charge) when those lines are a credit, which gives back the discount the credited days had.
 */
export interface BillAllowance {
  readonly discountCode: string;
  /** The plan version whose discount it is. */
  readonly planVersion: number;
  readonly side: 'allowance' | 'charge';
  /** The period it was given (or taken back) for: a discount's amount is worked out over all of a period's bills. */
  readonly periodStart?: CalendarDate;
  readonly allowance: DocumentAllowanceChargeInput;
  /**
   * On an ended plan's last bill made into credit notes, for a difference of days it both credits and charges: what
   * of it the credit notes give back (a decimal string, not negative), netted from what their lines credit. The bill's
   * own invoice carries the difference less that (ADR 0030).
   */
  readonly givenBack?: string;
}

/**
 * `pending`: recorded, its invoice not yet made (a run that stopped between the two makes it next time);
 * `invoiced`: its invoice exists; `empty`: nothing was due on the date, or a credit the next bill carries (ADR 0026), so no invoice.
 */
export type BillStatus = 'pending' | 'invoiced' | 'empty';

/**
 * Whether the invoice was issued, or left a draft (and why, when the plan asked to issue it); `none` when the bill's
 * lines all went on credit notes ({@link BillState.creditNotes}), and what became of each of those.
 */
export type BillOutcome =
  | { readonly invoiceStatus: 'issued'; readonly creditNotes?: readonly BillCreditNoteOutcome[] }
  | { readonly invoiceStatus: 'draft'; readonly notIssued?: { readonly code: string; readonly message: string }; readonly creditNotes?: readonly BillCreditNoteOutcome[] }
  | { readonly invoiceStatus: 'none'; readonly creditNotes: readonly BillCreditNoteOutcome[] };

/**
 * A credit note of a bill, once made: `issued`, or `skipped` when the invoice it was to credit was voided or deleted
 * (a draft) meanwhile, which took back everything it charged, the credited items included.
 */
export type BillCreditNoteOutcome =
  | { readonly creditNoteId: InvoiceId; readonly status: 'issued' }
  | { readonly creditNoteId: InvoiceId; readonly status: 'skipped'; readonly reason: 'invoice.voided' | 'invoice.not_found' };

/**
 * Part of the credit of an ended plan's last bill, made as a credit note of an invoice an earlier bill made
 * (docs/billing.md#when-the-plan-has-ended, ADR 0030): the bill's credit lines for items that invoice charged.
 */
export interface BillCreditNote {
  /** The invoice it credits. */
  readonly invoiceId: InvoiceId;
  /** Decided when the bill is recorded, so that every attempt makes the same credit note. */
  readonly creditNoteId: InvoiceId;
  /**
   * The bill's lines it credits, each with what it credits of the line (positive): the line's amount, or part of it,
   * less its share of the discount its days had (the bill's document charges, which give that discount back).
   */
  readonly lines: readonly { readonly lineId: string; readonly amount: Money }[];
}

/**
 * What one billing date of one partnership charged: the lines, worked out once and kept, and the invoice that carries
 * them. Unique per partnership and date (`key`): a repeated, restarted or concurrent run finds it and makes the same
 * invoice from the same lines, under the same invoice id, never a second one.
 */
export interface BillState {
  readonly tenantId: TenantId;
  /** `<partnership id>/<billing date>`. */
  readonly key: string;
  readonly partnershipId: PartnershipId;
  readonly billingDate: CalendarDate;
  /** The plan version in effect on the billing date (the one that ended on it, for the last bill of a plan). */
  readonly planVersion: number;
  /**
   * The plan as the bill was worked out from it: every version numbered up to this one (versions are numbered in the
   * order recorded). A version recorded later was not seen, even one saved before the bill was recorded: the next run
   * bills the difference it makes. Absent on bills recorded before 7 December 2026, whose `createdAt` stands for it.
   */
  readonly planVersionsSeen?: number;
  /** What the plan version asked to do with the invoice. */
  readonly invoiceMode: InvoiceMode;
  readonly currency: CurrencyCode;
  readonly lines: readonly BillLine[];
  /**
   * Items due by the date that came to nothing (no usage, a zero fee, no true-up), with how they were worked out:
   * not on the invoice, but recorded as billed at 0, so no later bill works them out again unless their usage changes.
   */
  readonly settled?: readonly LineComputation[];
  readonly allowances: readonly BillAllowance[];
  /** Usage received up to this instant was counted; a later run looks for events received since. */
  readonly usageCutoff: Date;
  /**
   * Decided when the bill is recorded, so that every attempt to make its invoice makes the same one. With
   * `creditNotes`, the invoice carries only the lines and discounts they do not, and none is made when that is nothing.
   */
  readonly invoiceId: InvoiceId;
  /**
   * The credit notes the last bill of an ended plan is made into when it comes to a credit: its credit lines, each on
   * a credit note of the invoice that charged its item (ADR 0030). Absent on every other bill.
   */
  readonly creditNotes?: readonly BillCreditNote[];
  /**
   * The authors of its invoice (ADR 0031): who added the one-off charges it bills. Under a policy that asks for a
   * separate approver, none of them approves the invoice. Absent when none is known.
   */
  readonly authors?: readonly string[];
  readonly status: BillStatus;
  readonly outcome?: BillOutcome;
  /** The run that recorded the bill. */
  readonly runId?: string;
  /**
   * Its place among the partnership's bills in the order they were recorded: 1 for the first. A run records a bill in
   * the place after the bills it read, so that of two runs that read the same bills only one records (a bill works out
   * what to charge from the bills before it). Absent on bills recorded before 6 December 2026.
   */
  readonly position?: number;
  readonly createdAt: Date;
  readonly invoicedAt?: Date;
}

/**
 * The days a bill line is for (BG-26 of its invoice line), both included: the period the bill recorded on the line
 * (`proposeBill` names it), else, for a bill recorded before lines had one, the days of its computation. A
 * correction's are the days its item covers now (`range`), which the corrected amount is for, never its whole billing
 * period: after a plan change that period holds days the plan no longer covers (the unused time its label names).
 */
export function billLinePeriod(line: Pick<BillLine, 'line' | 'computation'>): { readonly start: CalendarDate; readonly end: CalendarDate } | undefined {
  const recorded = line.line.period;
  if (recorded?.start !== undefined && recorded.end !== undefined) return { start: recorded.start as CalendarDate, end: recorded.end as CalendarDate };
  const { computation } = line;
  if (computation.kind === 'one_off') return undefined;
  return daysOf(computation.purpose === 'correction' ? computation.range : (computation.range ?? computation.period));
}

/** A range of days with its end excluded, as the period of days it covers, both included; undefined when empty. */
export function daysOf(range: DateRange | undefined): { readonly start: CalendarDate; readonly end: CalendarDate } | undefined {
  return range === undefined || range.end <= range.start ? undefined : { start: range.start, end: addDays(range.end, -1) };
}

/**
 * The invoicing period (BG-14) of a bill's invoice: from the first to the last day its lines are for
 * ({@link billLinePeriod}); undefined when no line is for days. It is what lets the final bill, dated after its
 * partnership's validity, be invoiced for days within it.
 */
export function billInvoicePeriod(bill: Pick<BillState, 'lines'>): { readonly start: CalendarDate; readonly end: CalendarDate } | undefined {
  let start: CalendarDate | undefined;
  let end: CalendarDate | undefined;
  for (const line of bill.lines) {
    const days = billLinePeriod(line);
    if (days === undefined) continue;
    if (start === undefined || days.start < start) start = days.start;
    if (end === undefined || days.end > end) end = days.end;
  }
  return start === undefined || end === undefined ? undefined : { start, end };
}

/** The key of a partnership's bill for a date. */
export function billKey(partnershipId: PartnershipId, billingDate: CalendarDate): string {
  return `${partnershipId}/${billingDate}`;
}
