import type { Type } from '@nestjs/common';
import { BillingPlansController } from './billing-plans.controller';
import { BillingRunsController } from './billing-runs.controller';
import { InvoiceBillingController } from './invoice-billing.controller';
import { UsageEventsController } from './usage-events.controller';

export { BillingRunner } from './billing-runner';

/** The controllers of billing: plans, one-off charges and previews, usage, runs, and the explanation of invoices. */
export const BILLING_CONTROLLERS: Type[] = [BillingPlansController, UsageEventsController, BillingRunsController, InvoiceBillingController];
