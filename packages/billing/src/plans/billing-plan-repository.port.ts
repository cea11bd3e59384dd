import type { TenantId } from '@invoicing/core';
import type { AggregateRepository, PartnershipId } from '@invoicing/invoice';
import type { BillingPlan } from './billing-plan';

/** Billing plans, one per partnership under its id. */
export interface BillingPlanRepository extends AggregateRepository<BillingPlan, PartnershipId> {
  /** The partnerships of a tenant that have a plan, in id order, after `after`: how a run walks a tenant. */
  listIds(tenantId: TenantId, page: { readonly after?: PartnershipId; readonly limit: number }): Promise<readonly PartnershipId[]>;
  /** How many partnerships of a tenant have a plan: the total a run reports its progress against. */
  count(tenantId: TenantId): Promise<number>;
}
export const BILLING_PLAN_REPOSITORY = Symbol.for('@invoicing/billing/BillingPlanRepository');
