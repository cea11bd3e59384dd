import { CLOCK, ConflictError, NotFoundError, ValidationError, requireExpectedVersion, type Clock, type ExpectedVersion, type TenantId } from '@invoicing/core';
import { MARKETABLE_REPOSITORY, PARTNERSHIP_REPOSITORY, type MarketableRepository, type PartnershipId, type PartnershipRepository, type VersionedCommand } from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { BillingPlan, type BillingPlanState } from './billing-plan';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from './billing-plan-repository.port';
import type { PlanTermsInput } from './plan-terms';

/** What changes a partnership's plan: new terms from a day, or `terms` null to stop billing from that day. */
export interface SetBillingPlanCommand extends Omit<VersionedCommand, 'expectedVersion'> {
  /**
   * As {@link VersionedCommand}, or `'*'` (an HTTP `If-Match: *`): any version, of a plan that exists. Setting a plan
   * may start it, so `*` is a condition here: it fails when there is no plan yet (RFC 9110 §13.1.1).
   */
  readonly expectedVersion?: ExpectedVersion | '*';
  readonly partnershipId: PartnershipId;
  readonly effectiveFrom: string;
  readonly terms: PlanTermsInput | null;
}

/**
 * Starts a partnership's billing plan, or puts new terms in effect from a day (docs/billing.md#plan-changes). The plan
 * is in the partnership's currency; each charge's marketable, when named, must exist and be active.
 */
@injectable()
export class SetBillingPlan {
  constructor(
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * @throws NotFoundError `partnership.not_found`; ValidationError `plan.*` (`plan.nothing_to_end` to end a plan that
   * does not exist), `line.marketable_not_found` | `line.marketable_inactive`; ConflictError `concurrency.stale_version` (with
   * `'*'`: no plan yet) | `concurrency.conflict`
   */
  async execute(command: SetBillingPlanCommand): Promise<BillingPlanState> {
    const { tenantId, partnershipId } = command;
    const partnership = await this.partnerships.get(tenantId, partnershipId);
    if (!partnership) throw new NotFoundError('partnership', partnershipId);
    if (command.terms !== null) await this.checkMarketables(tenantId, command.terms);
    const at = this.clock.now();
    const existing = await this.plans.get(tenantId, partnershipId);
    // A version named for a plan that does not exist yet cannot match either, nor can "any version".
    if (command.expectedVersion !== '*') requireExpectedVersion('billing_plan', partnershipId, existing?.version, command.expectedVersion);
    else if (!existing) throw new ConflictError('concurrency.stale_version', `billing plan ${partnershipId} is not there yet, not at any version`, { resource: 'billing_plan', id: partnershipId, expectedVersion: '*' });
    let plan: BillingPlan;
    if (existing) {
      plan = existing;
      plan.replaceFrom(command.effectiveFrom, command.terms, at);
    } else {
      if (command.terms === null) throw ValidationError.of('terms', 'plan.nothing_to_end', `partnership ${partnershipId} has no billing plan to end`);
      plan = BillingPlan.start({ partnershipId, currency: partnership.currency, effectiveFrom: command.effectiveFrom, terms: command.terms }, { tenantId, at });
    }
    await this.plans.save(plan);
    return plan.toState();
  }

  private async checkMarketables(tenantId: TenantId, terms: PlanTermsInput): Promise<void> {
    const issues: ValidationError[] = [];
    for (const [index, charge] of (Array.isArray(terms.charges) ? terms.charges : []).entries()) {
      if (charge?.marketableId === undefined) continue;
      const marketable = await this.marketables.get(tenantId, charge.marketableId);
      if (!marketable || !marketable.active) {
        const code = marketable ? 'line.marketable_inactive' : 'line.marketable_not_found';
        issues.push(ValidationError.of(`terms.charges.${index}.marketableId`, code, marketable ? 'the marketable is inactive' : 'no such marketable'));
      }
    }
    if (issues.length > 0) throw new ValidationError(issues.flatMap((error) => error.issues));
  }
}

/** A partnership's billing plan, with every version it has had. */
@injectable()
export class GetBillingPlan {
  constructor(@inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository) {}

  /** @throws NotFoundError `billing_plan.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly partnershipId: PartnershipId }): Promise<BillingPlanState> {
    const plan = await this.plans.get(query.tenantId, query.partnershipId);
    if (!plan) throw new NotFoundError('billing_plan', query.partnershipId);
    return plan.toState();
  }
}
