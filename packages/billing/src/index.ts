// @invoicing/billing: a partnership's billing rules turned into invoices (docs/billing.md).
export { MAX_TIERS, priceModel } from './pricing/price-model';
export type { PriceModel, PriceModelInput, PriceModelKind, PriceTier, PriceTierInput } from './pricing/price-model';
export { priceUsage } from './pricing/price-usage';
export type { MeasuredUsage, PricePart, PricedUsage } from './pricing/price-usage';
export { BILLING_INTERVALS, PERIOD_ALIGNMENTS, daysIn, nextPeriod, periodContaining, prorate, prorationFactor } from './periods/billing-period';
export type { BillingCycle, BillingInterval, BillingPeriod, DateRange, PeriodAlignment } from './periods/billing-period';
export { AGGREGATIONS, aggregate, billableMetric } from './usage/billable-metric';
export type { Aggregation, BillableMetric, EventPropertyValue, MeteredEvent } from './usage/billable-metric';
export { MAX_CLOCK_SKEW_MS, MAX_EVENT_PROPERTIES, MAX_PROPERTY_LENGTH, sameUsage, usageEvent } from './usage/usage-event';
export type { UsageEvent, UsageEventInput, UsageSubject } from './usage/usage-event';
export { USAGE_EVENT_STORE } from './usage/usage-event-store.port';
export type { AppendOutcome, InstantRange, ReceiptWindow, RecordedUsageEvent, UsageEventStore } from './usage/usage-event-store.port';
export { MAX_USAGE_BATCH, RecordUsage } from './usage/usage.use-cases';
export type { UsageBatchResult, UsageEventResult } from './usage/usage.use-cases';
export { FEE_TIMINGS, INVOICE_MODES, MAX_CHARGES, MAX_DISCOUNTS, MAX_DISCOUNT_PERIODS, planTerms } from './plans/plan-terms';
export type { Charge, ChargeInput, Discount, DiscountInput, FeeTiming, InvoiceMode, MinimumCommitment, PlanTerms, PlanTermsInput, RecurringCharge, UsageCharge } from './plans/plan-terms';
export { BillingPlan, MAX_PLAN_VERSIONS } from './plans/billing-plan';
export type { BillingPlanState, PlanSegment, PlanVersion } from './plans/billing-plan';
export { BILLING_PLAN_REPOSITORY } from './plans/billing-plan-repository.port';
export type { BillingPlanRepository } from './plans/billing-plan-repository.port';
export { GetBillingPlan, SetBillingPlan } from './plans/billing-plan.use-cases';
export { PartnershipPlansOfBilling } from './plans/partnership-plans';
export type { SetBillingPlanCommand } from './plans/billing-plan.use-cases';
export { oneOffCharge, oneOffIdsOf, sameOneOff } from './one-off/one-off-charge';
export type { OneOffCharge, OneOffChargeInput } from './one-off/one-off-charge';
export { ONE_OFF_CHARGE_STORE } from './one-off/one-off-charge-store.port';
export type { OneOffChargeStore } from './one-off/one-off-charge-store.port';
export { AddOneOffCharge, CancelOneOffCharge } from './one-off/one-off.use-cases';
export { billInvoicePeriod, billKey, billLinePeriod } from './runs/bill';
export type { BillAllowance, BillCreditNote, BillCreditNoteOutcome, BillLine, BillOutcome, BillState, BillStatus, CorrectionReason, ItemKind, LineComputation, LinePurpose } from './runs/bill';
export { BILL_REPOSITORY, BillPositionTakenError } from './runs/bill-repository.port';
export type { BillRepository } from './runs/bill-repository.port';
export { BillLedger, dueBillingDates, nextBillingDate, proposeBill } from './runs/propose-bill';
export type { BillingFacts, ProposedBill } from './runs/propose-bill';
export { BillPartnership, CreditAwaitsIssueError, CreditPendingError, LATE_USAGE_MARGIN_MS, billNetTotal } from './runs/bill-partnership';
export { invoicedPart, sharesADiscount, withCreditNotes } from './runs/final-credit';
export type { BillPartnershipCommand, BilledDate, PartnersRead, PartnershipBilling, StopSignal } from './runs/bill-partnership';
export { MAX_RECORDED_FAILURES, MAX_RECORDED_PREVIEWS, NO_COUNTS } from './runs/billing-run';
export type { BillingRunState, BillingRunStatus, PreviewedBill, RunCounts, RunFailure } from './runs/billing-run';
export { BILLING_RUN_REPOSITORY } from './runs/billing-run-repository.port';
export type { BillingRunRepository } from './runs/billing-run-repository.port';
export {
  BILLING_SETTINGS,
  DEFAULT_BILLING_SETTINGS,
  ExecuteBillingRun,
  GetBillingRun,
  GetInvoiceBilling,
  ListBillingRuns,
  ListRunBills,
  MAX_RUN_PARTNERSHIPS,
  PreviewUpcomingInvoice,
  RunBilling,
  StartBillingRun,
  TakeOverStalledRun,
} from './runs/billing-run.use-cases';
export type { BillingSettings, StartBillingRunCommand } from './runs/billing-run.use-cases';
export { BILLING_USE_CASES, billingAdaptersModule, billingModule } from './billing.module';
export type { BillingAdapters } from './billing-adapters';
