// @invoicing/billing: a partnership's billing rules turned into invoices (issue 15). So far: price models, billing periods, proration, billable metrics, usage events.
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
