import { CLOCK, addDays, today, type CalendarDate, type Clock, type CurrencyCode, type TenantId } from '@invoicing/core';
import { INVOICING_SETTINGS, type CurrencyLock, type InvoicingSettings, type PartnershipId, type PartnershipPlans } from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { BillPartnership } from '../runs/bill-partnership';
import { billingEndedBy } from '../runs/propose-bill';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from './billing-plan-repository.port';

/**
 * What a partnership's billing plan holds against a change of the partnership (`@invoicing/invoice`'s port, bound by
 * {@link billingModule}): its currency stays the plan's while the plan has something to bill in it, and ending the
 * partnership ends its billing after its last day (ADR 0027).
 */
@injectable()
export class PartnershipPlansOfBilling implements PartnershipPlans {
  constructor(
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(BillPartnership) private readonly billing: BillPartnership,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /** Held while the plan bills in another currency and has not billed and invoiced all it had to in it. */
  async currencyLock(tenantId: TenantId, partnershipId: PartnershipId, currency: CurrencyCode): Promise<CurrencyLock | undefined> {
    const plan = await this.plans.get(tenantId, partnershipId);
    // Back to the plan's currency is always taken: it is how a bill made in it after a change is invoiced.
    if (!plan || plan.currency === currency) return undefined;
    const reason = await this.billing.stillToBill(plan, today(this.clock, this.settings.timeZone));
    return reason === undefined ? undefined : { planCurrency: plan.currency, reason };
  }

  /**
   * Ends the plan from the day after `lastDay`, unless it ends by then: its fees billed in advance for later days are
   * credited, and what it owes for its days is billed on that day (docs/billing.md#when-a-partnership-ends).
   * @throws ConflictError `concurrency.conflict` when the plan changed meanwhile (ending the partnership again retries)
   */
  async stillToBill(tenantId: TenantId, partnershipId: PartnershipId): Promise<string | undefined> {
    const plan = await this.plans.get(tenantId, partnershipId);
    return plan === undefined ? undefined : this.billing.stillToBill(plan, today(this.clock, this.settings.timeZone));
  }

  async endAfter(tenantId: TenantId, partnershipId: PartnershipId, lastDay: CalendarDate): Promise<void> {
    const plan = await this.plans.get(tenantId, partnershipId);
    const from = addDays(lastDay, 1);
    if (!plan || billingEndedBy(plan.inCurrency(), from) !== undefined) return;
    plan.replaceFrom(from, null, this.clock.now());
    await this.plans.save(plan);
  }
}
