import { BILLING_PLAN_CHANGE, ONE_OFF_WORKSHOP, usageBatch } from '../docs/example-scenario';
import { IDEMPOTENT, IF_MATCH, PAGED, SIGNED_IN, TEXT, VALIDATED, VAT_CATEGORY, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toPageResponse } from '../http/responses';
import { toBillingPlanResponse, toBillingRunResponse, toInvoiceBillingResponse, toOneOffChargeResponse, toRunBillResponse, toUpcomingInvoiceResponse, toUsageBatchResponse } from './billing.mapper';

// The hosting of the Hamburg customer's licence server, billed from 1 November 2026: 10 seats at 30.00 a month in
// advance, API calls in arrears (the first 1,000 at 0.02, then 0.01), at least 25.00 a month; the run of 18 December
// drafts November's and December's invoices, and 15 seats from 16 December make the next one a correction.

/** Values the terms of a billing plan are checked for (plan-terms.ts, price-model.ts, billable-metric.ts). */
const PLAN_TERMS: ProblemCodes = answers(VAT_CATEGORY, TEXT, {
  400: [
    'validation.failed',
    'date.malformed',
    'decimal.malformed',
    'decimal.out_of_range',
    'money.malformed',
    'money.precision_exceeded',
    'money.out_of_range',
    'unit_code.malformed',
    'plan.invalid_charge_code',
    'plan.duplicate_charge_code',
    'plan.reserved_charge_code',
    'plan.invalid_text',
    'plan.out_of_range',
    'plan.negative_amount',
    'plan.invalid_discount_code',
    'plan.duplicate_discount_code',
    'plan.invalid_discount_percent',
    'plan.invalid_discount_amount',
    'plan.invalid_discount_periods',
    'price_model.negative',
    'price_model.out_of_range',
    'price_model.zero',
    'price_model.no_tiers',
    'price_model.too_many_tiers',
    'price_model.tier_unbounded',
    'price_model.last_tier_bounded',
    'price_model.tiers_not_rising',
    'price_model.rate_above_100',
    'price_model.min_above_max',
    'metric.invalid_code',
    'metric.property_required',
    'metric.invalid_property',
    'metric.invalid_filter',
  ],
});

/** What measuring usage may refuse when a plan's charge reads events stored under an earlier version (billable-metric.ts, price-usage.ts). */
const MEASURING = { 400: ['usage.property_missing', 'usage.property_not_decimal', 'usage.negative'] };

/** What each billing operation may answer, by status: from its use case (packages/billing) and its guards. */
export const BILLING_PROBLEM_CODES = {
  getBillingPlan: answers(SIGNED_IN, { 404: ['billing_plan.not_found'] }),
  setBillingPlan: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, PLAN_TERMS, {
    400: ['plan.nothing_to_end', 'plan.too_many_versions', 'line.marketable_not_found', 'line.marketable_inactive'],
    404: ['partnership.not_found'],
    409: ['partner.archived'],
  }),
  addOneOffCharge: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, VAT_CATEGORY, TEXT, {
    400: [
      'validation.failed',
      'one_off.invalid_name',
      'one_off.out_of_range',
      'unit_code.malformed',
      'decimal.malformed',
      'decimal.out_of_range',
      'date.malformed',
      'line.marketable_not_found',
      'line.marketable_inactive',
    ],
    404: ['partnership.not_found'],
    409: ['one_off.id_taken', 'one_off.no_billing_plan', 'one_off.cancelled', 'partner.archived'],
  }),
  cancelOneOffCharge: answers(SIGNED_IN, WITH_BODY, { 404: ['partnership.not_found', 'one_off.not_found'], 409: ['one_off.already_billed'] }),
  getUpcomingInvoice: answers(SIGNED_IN, VALIDATED, MEASURING, { 400: ['date.malformed'], 404: ['billing_plan.not_found'], 409: ['billing.amount_out_of_range'] }),
  recordUsageEvents: answers(SIGNED_IN, WITH_BODY, VALIDATED, { 400: ['usage.batch_empty', 'usage.batch_too_large'], 413: ['request.too_large'] }),
  startBillingRun: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, { 400: ['billing_run.as_of_in_future', 'billing_run.too_many_partnerships', 'date.malformed'] }),
  listBillingRuns: answers(SIGNED_IN, PAGED),
  getBillingRun: answers(SIGNED_IN, { 404: ['billing_run.not_found'] }),
  listRunBills: answers(SIGNED_IN, PAGED, { 404: ['billing_run.not_found'] }),
  getInvoiceBilling: answers(SIGNED_IN, { 404: ['invoice_billing.not_found'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the billing operations, by operation id. */
export const billingExamples: ExamplesOf<keyof typeof BILLING_PROBLEM_CODES> = ({ partnerships, marketables, billing: b }) => ({
  getBillingPlan: { response: toBillingPlanResponse(b.planChanged), problems: ['billing_plan.not_found'] },
  setBillingPlan: {
    request: BILLING_PLAN_CHANGE,
    response: toBillingPlanResponse(b.planChanged),
    problems: [{ path: 'terms.charges.1.price.tiers.1.upTo', code: 'price_model.last_tier_bounded' }, 'partnership.not_found', 'concurrency.stale_version'],
  },
  addOneOffCharge: {
    request: { ...ONE_OFF_WORKSHOP, marketableId: marketables.consulting.id },
    response: toOneOffChargeResponse(b.oneOff),
    problems: [{ path: 'quantity', code: 'one_off.out_of_range' }, { path: 'marketableId', code: 'line.marketable_not_found' }, 'partnership.not_found', 'one_off.no_billing_plan'],
  },
  cancelOneOffCharge: { response: undefined, problems: ['one_off.not_found', 'one_off.already_billed'] },
  getUpcomingInvoice: { response: toUpcomingInvoiceResponse(partnerships.created.id, b.upcoming), problems: [{ path: 'through', code: 'date.malformed' }, 'billing_plan.not_found'] },
  recordUsageEvents: {
    request: { events: usageBatch(partnerships.created.id) },
    response: toUsageBatchResponse(b.usage),
    problems: [{ path: 'events', code: 'usage.batch_too_large' }, 'request.too_large'],
  },
  startBillingRun: { request: { dryRun: false }, response: toBillingRunResponse(b.runStarted), problems: [{ path: 'asOf', code: 'billing_run.as_of_in_future' }] },
  listBillingRuns: { response: toPageResponse(b.runs, (run) => toBillingRunResponse(run, { previews: false })) },
  getBillingRun: { response: toBillingRunResponse(b.run), problems: ['billing_run.not_found'] },
  listRunBills: { response: { items: b.runBills.map(toRunBillResponse), nextCursor: null }, problems: ['billing_run.not_found'] },
  getInvoiceBilling: { response: toInvoiceBillingResponse(b.decemberBill), problems: ['invoice_billing.not_found'] },
});
