import { PARTNERSHIP_PLANS } from '@invoicing/invoice';
import { ContainerModule } from 'inversify';
import { AddOneOffCharge, CancelOneOffCharge } from './one-off/one-off.use-cases';
import { ONE_OFF_CHARGE_STORE } from './one-off/one-off-charge-store.port';
import { BILLING_PLAN_REPOSITORY } from './plans/billing-plan-repository.port';
import { GetBillingPlan, SetBillingPlan } from './plans/billing-plan.use-cases';
import { PartnershipPlansOfBilling } from './plans/partnership-plans';
import { BillPartnership } from './runs/bill-partnership';
import { BILL_REPOSITORY } from './runs/bill-repository.port';
import { BILLING_RUN_REPOSITORY } from './runs/billing-run-repository.port';
import {
  BILLING_SETTINGS,
  DEFAULT_BILLING_SETTINGS,
  ExecuteBillingRun,
  GetBillingRun,
  GetInvoiceBilling,
  ListBillingRuns,
  ListRunBills,
  PreviewUpcomingInvoice,
  RunBilling,
  StartBillingRun,
  TakeOverStalledRun,
  type BillingSettings,
} from './runs/billing-run.use-cases';
import { USAGE_EVENT_STORE } from './usage/usage-event-store.port';
import { RecordUsage } from './usage/usage.use-cases';
import type { BillingAdapters } from './billing-adapters';

/** Every use case of the package, for a container to bind. */
export const BILLING_USE_CASES = [
  SetBillingPlan, GetBillingPlan, PartnershipPlansOfBilling, RecordUsage, AddOneOffCharge, CancelOneOffCharge,
  BillPartnership, StartBillingRun, ExecuteBillingRun, TakeOverStalledRun, RunBilling, GetBillingRun, ListBillingRuns, ListRunBills, PreviewUpcomingInvoice, GetInvoiceBilling,
] as const;

/**
 * Binds the use cases of `@invoicing/billing` and their settings. They need `coreModule` (clock, ids),
 * `invoiceModule` and `invoiceAdaptersModule` of `@invoicing/invoice` (billing makes invoices through its use cases),
 * and {@link billingAdaptersModule} with an adapter family.
 */
export function billingModule(settings: Partial<BillingSettings> = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    for (const useCase of BILLING_USE_CASES) bind(useCase).toSelf().inSingletonScope();
    // Invoice's changes of a partnership ask its billing plan (currency, end), without importing billing.
    bind(PARTNERSHIP_PLANS).toService(PartnershipPlansOfBilling);
    bind(BILLING_SETTINGS).toConstantValue({ ...DEFAULT_BILLING_SETTINGS, ...settings });
  });
}

/** Binds the ports of `@invoicing/billing` to an adapter family. */
export function billingAdaptersModule(adapters: BillingAdapters): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(BILLING_PLAN_REPOSITORY).toConstantValue(adapters.plans);
    bind(USAGE_EVENT_STORE).toConstantValue(adapters.usage);
    bind(ONE_OFF_CHARGE_STORE).toConstantValue(adapters.oneOffs);
    bind(BILL_REPOSITORY).toConstantValue(adapters.bills);
    bind(BILLING_RUN_REPOSITORY).toConstantValue(adapters.runs);
  });
}
