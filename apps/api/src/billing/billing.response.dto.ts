import { FieldIssueDto } from '../http/openapi';
import { MoneyDto, PageDto } from '../http/responses';
import { VatCategoryViewDto } from '../invoices/invoice.response.dto';

/** Days from `start` (included) to `end` (excluded): a billing period, or the part of it a plan version covered. */
export class DateRangeDto {
  /** @example "2026-10-01" */
  start!: string;
  /** The day after the last day. @example "2026-11-01" */
  end!: string;
}

/** What a usage charge measures. */
export class MetricViewDto {
  /** @example "api_calls" */
  code!: string;
  /** @example "count" */
  aggregation!: 'count' | 'sum' | 'max' | 'unique_count' | 'latest';
  /** The event property aggregated (every aggregation but `count`). @example "bytes" */
  property?: string;
  /** Only events whose property holds one of the values listed count. */
  filters?: Record<string, string[]>;
}

/** A tier of a graduated or volume price. */
export class PriceTierViewDto {
  /** The tier's last unit; absent on the last tier. @example "100" */
  upTo?: string;
  /** @example "0.1" */
  unitPrice!: string;
  /** @example "0" */
  flatFee!: string;
}

/** How a usage charge prices what it measured; the members of its `kind` only. Decimals as strings. */
export class PriceModelViewDto {
  /** @example "graduated" */
  kind!: 'per_unit' | 'graduated' | 'volume' | 'package' | 'percentage';
  /** `per_unit`. @example "0.05" */
  unitPrice?: string;
  /** `graduated`, `volume`. */
  tiers?: PriceTierViewDto[];
  /** `package`: units per package. @example "1000" */
  size?: string;
  /** `package`: per package. @example "25" */
  price?: string;
  /** `package`. @example "0" */
  freeUnits?: string;
  /** `percentage`, in percent. @example "1.5" */
  rate?: string;
  /** `percentage`. @example "0.25" */
  fixedFeePerEvent?: string;
  /** `percentage`. @example "0.5" */
  minPerEvent?: string;
  /** `percentage`. @example "5" */
  maxPerEvent?: string;
}

/** A charge of a plan version: the members of its `kind` only. */
export class ChargeViewDto {
  /** @example "recurring" */
  kind!: 'recurring' | 'usage';
  /** @example "platform" */
  code!: string;
  /** @example "Platform fee" */
  name!: string;
  marketableId?: string;
  /** @example "C62" */
  unitCode!: string;
  vat!: VatCategoryViewDto;
  /** `recurring`. @example "10" */
  quantity?: string;
  /** `recurring`: for a whole period. @example "30" */
  unitPrice?: string;
  /** `recurring`. @example "advance" */
  timing?: 'advance' | 'arrears';
  /** `usage`. */
  metric?: MetricViewDto;
  /** `usage`. */
  price?: PriceModelViewDto;
}

export class MinimumCommitmentViewDto {
  /** Per period. */
  amount!: MoneyDto;
  /** @example "Minimum commitment" */
  name!: string;
  vat!: VatCategoryViewDto;
}

export class DiscountViewDto {
  /** @example "launch" */
  code!: string;
  /** @example "percentage" */
  kind!: 'percentage' | 'fixed';
  /** `percentage`. @example "10" */
  percent?: string;
  /** `fixed`: once per period. */
  amount?: MoneyDto;
  /** Periods it lasts from the version's first day; absent: as long as the version. @example 3 */
  periods?: number;
  /** @example "Launch offer" */
  reason!: string;
}

/** The billing cycle of a plan version. */
export class BillingCycleDto {
  /** @example "monthly" */
  interval!: 'monthly' | 'quarterly' | 'yearly';
  /** @example "calendar" */
  alignment!: 'calendar' | 'anniversary';
  /** A day anniversary periods start on. @example "2026-09-01" */
  anchor!: string;
}

/** What a plan version says. */
export class PlanTermsViewDto {
  cycle!: BillingCycleDto;
  charges!: ChargeViewDto[];
  minimum?: MinimumCommitmentViewDto;
  discounts!: DiscountViewDto[];
  /** @example "draft" */
  invoiceMode!: 'draft' | 'issue';
}

/** One version of a plan: in effect from its first day until the next version's. */
export class PlanVersionDto {
  /** @example 1 */
  version!: number;
  /** @example "2026-09-01" */
  effectiveFrom!: string;
  /** Null: billing ended that day. */
  terms!: PlanTermsViewDto | null;
  recordedAt!: Date;
  /** The version that replaced this one from its first day on or before (it is no longer in effect). @example 3 */
  replacedBy?: number;
  /**
   * Only on a version of an earlier currency: the plan was started again in the partnership's new currency, and this
   * version's prices and amounts are in this one (Billing, /docs/guide/billing#changing-the-currency). @example "EUR"
   */
  currency?: string;
}

/** A partnership's billing plan, with every version it has had. */
export class BillingPlanDto {
  /** The plan is the partnership's: one per partnership. @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  partnershipId!: string;
  /** Increases with every change; the ETag. */
  version!: number;
  /** The currency the plan bills in: the partnership's. @example "EUR" */
  currency!: string;
  /** In the order recorded. */
  versions!: PlanVersionDto[];
  createdAt!: Date;
  updatedAt!: Date;
}

/** What became of one event: its error too when it was rejected. */
export class UsageEventErrorDto {
  /** @example "usage.unknown_metric" */
  code!: string;
  /** @example "metricCode: no usage charge of the partnership's plan measures api_cals" */
  message!: string;
  /** Each wrong member of the event, by its path in the event. */
  issues!: FieldIssueDto[];
}

export class UsageEventResultDto {
  /** @example "evt_01J9ZK7M2Q" */
  eventId!: string;
  /** `stored`; `duplicate`: stored before, counted once; `rejected`: see `error`. @example "stored" */
  status!: 'stored' | 'duplicate' | 'rejected';
  error?: UsageEventErrorDto;
}

/** What became of a batch of usage events: each event's result, in the order sent, and the counts. */
export class UsageBatchResultDto {
  /** @example 2 */
  stored!: number;
  /** @example 1 */
  duplicates!: number;
  /** @example 0 */
  rejected!: number;
  results!: UsageEventResultDto[];
}

/** A charge billed once, on the partnership's first bill on or after its date. */
export class OneOffChargeDto {
  /** @example "0193a2b4-9b1c-8e8f-9a0b-1c2d3e4f5a6b" */
  id!: string;
  partnershipId!: string;
  /** @example "2026-10-15" */
  date!: string;
  /** @example "Onboarding workshop" */
  name!: string;
  marketableId?: string;
  /** @example "HUR" */
  unitCode!: string;
  /** Negative: a credit. @example "6" */
  quantity!: string;
  /** @example "110" */
  unitPrice!: string;
  vat!: VatCategoryViewDto;
  createdAt!: Date;
}

/** A run's counts, as it goes: `processed` of `total` partnerships. */
export class RunCountsDto {
  /** Partnerships to bill. @example 12 */
  total!: number;
  /** @example 12 */
  processed!: number;
  /** Bills this run recorded (a dry run: would record). @example 14 */
  bills!: number;
  /** Of those, bills with nothing due: no invoice. @example 1 */
  emptyBills!: number;
  /** @example 0 */
  invoicesIssued!: number;
  /** @example 13 */
  invoicesDrafted!: number;
  /** Bills another run (or an earlier attempt) had recorded, whose invoice this run made or found. @example 0 */
  billsFoundRecorded!: number;
  /** Partnerships it could not bill; `failures` names the first 100. @example 0 */
  failed!: number;
}

/** A partnership a run could not bill, and why. */
export class RunFailureDto {
  partnershipId!: string;
  /** @example "billing_plan.not_found" */
  code!: string;
  /** @example "billing_plan 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b was not found" */
  message!: string;
}

/** What a dry run would have billed one partnership on one date. */
export class PreviewedBillDto {
  partnershipId!: string;
  /** @example "2026-11-01" */
  billingDate!: string;
  /** Lines. @example 4 */
  lines!: number;
  /** Of which corrections of earlier bills. @example 0 */
  corrections!: number;
  /** Lines less discounts, before VAT. */
  netTotal!: MoneyDto;
}

/** Why a run stopped as a whole. */
export class RunErrorDto {
  /** @example "database.unavailable" */
  code!: string;
  /** @example "the database did not answer" */
  message!: string;
}

/**
 * A billing run: every partnership with a plan (or those named) billed for each date due by `asOf`. It shows its
 * progress while `running`, then what it did.
 */
export class BillingRunDto {
  /** @example "0193a2b4-9c2d-7e8f-9a0b-1c2d3e4f5a6b" */
  id!: string;
  /** @example "2026-11-01" */
  asOf!: string;
  /** @example false */
  dryRun!: boolean;
  /** The partnerships it bills; absent: all with a plan. */
  partnershipIds?: string[];
  /** @example "completed" */
  status!: 'running' | 'completed' | 'failed';
  counts!: RunCountsDto;
  /** The first 100 failures. */
  failures!: RunFailureDto[];
  /** A dry run's bills (the first 1,000); left out of lists. */
  previews?: PreviewedBillDto[];
  /** Why a `failed` run stopped. */
  error?: RunErrorDto;
  startedAt!: Date;
  /** When its record was last updated: its progress is that recent. */
  updatedAt!: Date;
  finishedAt?: Date;
}

export class BillingRunPageDto extends PageDto {
  items!: BillingRunDto[];
}

/**
 * A credit note the last bill of an ended plan is made into when it comes to a credit: its credit of items an earlier
 * invoice charged, credited on that invoice (Billing guide, "When the plan has ended").
 */
export class BillCreditNoteDto {
  /** The invoice it credits, made by an earlier bill of the partnership. */
  invoiceId!: string;
  /** The credit note's id, decided when the bill was recorded: every attempt makes the same one. */
  creditNoteId!: string;
  /** What it credits before VAT: its credit lines, less the discount those days had. */
  netTotal!: MoneyDto;
  /** `issued`; `skipped`: the invoice it credits was voided or deleted, which took back all it charged. Absent while the bill is pending. @example "issued" */
  status?: 'issued' | 'skipped';
  /** Why it was skipped. @example "invoice.voided" */
  reason?: 'invoice.voided' | 'invoice.not_found';
}

/** One bill a run recorded: a partnership's billing date and the invoice it made. */
export class RunBillDto {
  partnershipId!: string;
  /** @example "2026-11-01" */
  billingDate!: string;
  /** The plan version in effect on the billing date. @example 1 */
  planVersion!: number;
  /** `invoiced`; `pending`: its invoice is not made yet (the next run makes it); `empty`: nothing due, or a credit the next bill carries (Billing guide), no invoice. @example "invoiced" */
  status!: 'pending' | 'invoiced' | 'empty';
  /** The invoice it made (or will make); absent for an empty bill. */
  invoiceId?: string;
  /** What became of the invoice; `none` when all of the bill went on its credit notes. @example "draft" */
  invoiceStatus?: 'draft' | 'issued' | 'none';
  /** Why the invoice was left a draft though the plan asked to issue it. */
  notIssued?: RunErrorDto;
  /** The credit notes of the last bill of an ended plan that comes to a credit; absent on every other bill. */
  creditNotes?: BillCreditNoteDto[];
  /** The bill's lines, its invoice's and its credit notes' together. @example 4 */
  lines!: number;
  /** The bill's lines less discounts, before VAT: with credit notes, its invoice's net total less theirs. */
  netTotal!: MoneyDto;
  createdAt!: Date;
  invoicedAt?: Date;
}

export class RunBillPageDto extends PageDto {
  items!: RunBillDto[];
}

/** Days of a period a fee was charged for, and the factor. */
export class ProrationDto {
  /** @example 20 */
  days!: number;
  /** @example 30 */
  periodDays!: number;
  /** days ÷ period days, 10 significant digits. @example "0.6666666667" */
  factor!: string;
}

/** A recurring fee for a whole period: quantity × unit price. */
export class FeeDto {
  /** @example "10" */
  quantity!: string;
  /** @example "30" */
  unitPrice!: string;
  /** @example "300.00" */
  amount!: string;
}

/** What a usage charge measured over the line's days. */
export class MeasuredUsageDto {
  /** @example "api_calls" */
  metric!: string;
  /** @example "count" */
  aggregation!: string;
  /** @example "bytes" */
  property?: string;
  /** @example "250" */
  units!: string;
  /** Events counted. @example 250 */
  events!: number;
}

/** The part of a usage price a line carries: decimals as strings, as `priceUsage` computed them. */
export class PricePartDto {
  /** @example "tier" */
  kind!: string;
  /** @example "150" */
  quantity!: string;
  /** @example "0.05" */
  unitPrice!: string;
  /** Exact, before the line rounds it. @example "7.5" */
  amount!: string;
  /** A tier, from 1. @example 2 */
  tier?: number;
  /** A tier's first unit (excluded). @example "100" */
  from?: string;
  /** A tier's last unit. @example "1000" */
  to?: string;
  /** @example "1000" */
  packageSize?: string;
  /** @example "0" */
  freeUnits?: string;
  /** Units after the free ones. @example "2500" */
  billableUnits?: string;
  /** Events a per-event fee or limit applied to. @example 12 */
  events?: number;
}

/** A minimum commitment's true-up: the minimum for the days covered, and what the usage charges came to. */
export class MinimumComputationDto {
  /** @example "20.00" */
  amount!: string;
  /** @example "17.50" */
  usageAmount!: string;
}

/**
 * How one line was computed: everything needed to redo the sum by hand (docs: each line explained). Amounts are
 * decimal strings in the bill's currency.
 */
export class LineComputationDto {
  /** The billable item: `<charge>@v<version>:<period start>`, `minimum@v…`, `one_off:<id>`. @example "platform@v1:2026-10-01" */
  item!: string;
  /** @example "recurring" */
  kind!: 'recurring' | 'usage' | 'minimum' | 'one_off';
  /** A first `charge` of the item, or a `correction` of what earlier bills charged for it. @example "charge" */
  purpose!: 'charge' | 'correction';
  /** Why a correction: usage received late, or a plan change. @example "plan_change" */
  reason?: 'late_usage' | 'plan_change';
  /** @example "platform" */
  chargeCode?: string;
  /** @example 1 */
  planVersion?: number;
  /** The billing period of the item. */
  period?: DateRangeDto;
  /** The days of the period the plan version covered. */
  range?: DateRangeDto;
  /** For part of a period. */
  proration?: ProrationDto;
  fee?: FeeDto;
  usage?: MeasuredUsageDto;
  pricePart?: PricePartDto;
  minimum?: MinimumComputationDto;
  /** A correction: what earlier bills charged for the item. @example "300.00" */
  previouslyBilled?: string;
  /** A correction: what the item comes to now. @example "100.00" */
  nowComputed?: string;
  /** The line's amount. @example "300.00" */
  amount!: string;
  /** The sum in figures. @example "10 × 30 × 20/30 days" */
  formula!: string;
}

/** One line of a bill: the invoice line it made, its amount, and how it was computed. */
export class BillLineDto {
  /** The line's id on the invoice (BT-126). @example "1" */
  id!: string;
  /** @example "Platform fee" */
  name!: string;
  /** The days it is for, both included, and how much of its period. @example "2026-10-01 – 2026-10-31" */
  description?: string;
  marketableId?: string;
  /** @example "10" */
  quantity!: string;
  /** @example "C62" */
  unitCode!: string;
  /** @example "30" */
  netPrice!: string;
  vat!: VatCategoryViewDto;
  /** The line's net amount (BT-131). */
  amount!: MoneyDto;
  computation!: LineComputationDto;
}

/** A discount as a bill applies it: a document allowance per VAT category, or a charge giving a discount back. */
export class BillAllowanceDto {
  /** @example "launch" */
  discountCode!: string;
  /** @example 1 */
  planVersion!: number;
  /** `allowance`; `charge`: gives back the discount credited days had. @example "allowance" */
  side!: 'allowance' | 'charge';
  /** The period the discount was given (or taken back) for. @example "2026-10-01" */
  periodStart?: string;
  amount!: MoneyDto;
  /** @example "10" */
  percent?: string;
  baseAmount?: MoneyDto;
  /** @example "Launch offer" */
  reason?: string;
  /** UNTDID 5189: 95, discount. @example "95" */
  reasonCode?: string;
  vat!: VatCategoryViewDto;
}

/** The next invoice of a partnership, worked out now with the usage received so far; nothing is written. */
export class UpcomingInvoiceDto {
  partnershipId!: string;
  /** @example "2026-11-01" */
  billingDate!: string;
  /** @example 1 */
  planVersion!: number;
  /** @example "EUR" */
  currency!: string;
  lines!: BillLineDto[];
  allowances!: BillAllowanceDto[];
  /** Lines less discounts, before VAT. */
  netTotal!: MoneyDto;
}

/** How an invoice made by billing was computed: the bill it came from, each line explained. */
export class InvoiceBillingDto {
  /** @example "0193a2b4-9d3e-7e8f-9a0b-1c2d3e4f5a6b" */
  invoiceId!: string;
  partnershipId!: string;
  /** @example "2026-11-01" */
  billingDate!: string;
  /** The plan version in effect on the billing date. @example 1 */
  planVersion!: number;
  /** The run that recorded the bill. */
  runId?: string;
  /** @example "invoiced" */
  status!: 'pending' | 'invoiced' | 'empty';
  /** `none` when all of the bill went on its credit notes. @example "draft" */
  invoiceStatus?: 'draft' | 'issued' | 'none';
  /** Why the invoice was left a draft though the plan asked to issue it. */
  notIssued?: RunErrorDto;
  /** The credit notes of the last bill of an ended plan that comes to a credit; absent on every other bill. */
  creditNotes?: BillCreditNoteDto[];
  /** @example "EUR" */
  currency!: string;
  /** The invoice's lines, each explained (of a bill with credit notes, those they do not carry). */
  lines!: BillLineDto[];
  allowances!: BillAllowanceDto[];
  /** The invoice's lines less discounts, before VAT. */
  netTotal!: MoneyDto;
  /** Usage received up to this instant was counted; later usage is corrected on a later bill. */
  usageCutoff!: Date;
  createdAt!: Date;
  invoicedAt?: Date;
}
