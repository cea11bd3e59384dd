import {
  CLOCK,
  ConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationError,
  atPath,
  parseCalendarDate,
  requireExpectedVersion,
  today,
  type Clock,
  type ExpectedVersion,
  type TenantId,
} from '@invoicing/core';
import {
  INVOICING_SETTINGS,
  MARKETABLE_REPOSITORY,
  PARTNERSHIP_REPOSITORY,
  PARTNER_REPOSITORY,
  type InvoicingSettings,
  type MarketableRepository,
  type PartnerRepository,
  type Partnership,
  type PartnershipId,
  type PartnershipRepository,
  type VersionedCommand,
} from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { BillPartnership } from '../runs/bill-partnership';
import { BILL_REPOSITORY, type BillRepository } from '../runs/bill-repository.port';
import { assertPartiesActive } from './active-parties';
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
 * is in the partnership's currency; each charge's marketable, when named, must exist and be active. After the
 * partnership's currency changed, new terms start the plan again in it (docs/billing.md#changing-the-currency).
 */
@injectable()
export class SetBillingPlan {
  constructor(
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository,
    @inject(BILL_REPOSITORY) private readonly bills: BillRepository,
    @inject(BillPartnership) private readonly billing: BillPartnership,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
  ) {}

  /**
   * @throws InvalidStateError `partner.archived` (new terms for a partnership with an archived party);
   * NotFoundError `partnership.not_found`; ValidationError `plan.*` (`plan.nothing_to_end` to end a plan that
   * does not exist, `plan.billed_in_other_currency` for a day billed in another currency than the partnership's),
   * `line.marketable_not_found` | `line.marketable_inactive`; InvalidStateError `partnership.ended` (new terms after the
   * partnership ended) | `billing_plan.currency_changed` (the plan still has to bill in its earlier currency);
   * ConflictError `concurrency.stale_version` (with `'*'`: no plan yet) | `concurrency.conflict`
   */
  async execute(command: SetBillingPlanCommand): Promise<BillingPlanState> {
    const { tenantId, partnershipId } = command;
    const partnership = await this.partnerships.get(tenantId, partnershipId);
    if (!partnership) throw new NotFoundError('partnership', partnershipId);
    // Its billing ended after its last day in force (ADR 0027): new terms would bill days that are not its own.
    if (partnership.status === 'ended' && command.terms !== null) {
      throw new InvalidStateError('partnership.ended', `partnership ${partnershipId} has ended: its billing plan takes no new terms, only an earlier end`, { partnershipId });
    }
    if (command.terms !== null) {
      await assertPartiesActive(this.partners, tenantId, partnership);
      await this.checkMarketables(tenantId, command.terms);
    }
    const at = this.clock.now();
    const existing = await this.plans.get(tenantId, partnershipId);
    // A version named for a plan that does not exist yet cannot match either, nor can "any version".
    if (command.expectedVersion !== '*') requireExpectedVersion('billing_plan', partnershipId, existing?.version, command.expectedVersion);
    else if (!existing) throw new ConflictError('concurrency.stale_version', `billing plan ${partnershipId} is not there yet, not at any version`, { resource: 'billing_plan', id: partnershipId, expectedVersion: '*' });
    let plan: BillingPlan;
    if (existing) {
      plan = existing;
      if (command.terms !== null && plan.currency !== partnership.currency) await this.restart(plan, partnership, command, at);
      else {
        const start = plan.currencyStart;
        const from = atPath('effectiveFrom', () => parseCalendarDate(command.effectiveFrom));
        if (start !== undefined && from < start.effectiveFrom) throw billedInOtherCurrency(`the plan bills in ${plan.currency} from ${start.effectiveFrom}: the days before were billed in another currency`);
        plan.replaceFrom(command.effectiveFrom, command.terms, at);
      }
    } else {
      if (command.terms === null) throw ValidationError.of('terms', 'plan.nothing_to_end', `partnership ${partnershipId} has no billing plan to end`);
      plan = BillingPlan.start({ partnershipId, currency: partnership.currency, effectiveFrom: command.effectiveFrom, terms: command.terms }, { tenantId, at });
    }
    await this.plans.save(plan);
    return plan.toState();
  }

  /**
   * Starts the plan again in the partnership's new currency, once the plan billed all it had to in its own, from a day
   * after its last bill: no day is billed in two currencies, and nothing billed in the earlier one is credited or
   * worked out again in the new one.
   */
  private async restart(plan: BillingPlan, partnership: Partnership, command: SetBillingPlanCommand, at: Date): Promise<void> {
    const left = await this.billing.stillToBill(plan, today(this.clock, this.settings.timeZone));
    if (left !== undefined) {
      throw new InvalidStateError(
        'billing_plan.currency_changed',
        `the billing plan bills in ${plan.currency}, the partnership is now in ${partnership.currency}: ${left}; new terms in ${partnership.currency} wait until it has billed all it had to (docs/billing.md#changing-the-currency)`,
        { partnershipId: partnership.id, planCurrency: plan.currency, currency: partnership.currency },
      );
    }
    const from = atPath('effectiveFrom', () => parseCalendarDate(command.effectiveFrom));
    const lastBilled = (await this.bills.listByPartnership(plan.tenantId, plan.partnershipId)).reduce<string | undefined>((latest, bill) => (latest === undefined || bill.billingDate > latest ? bill.billingDate : latest), undefined);
    if (lastBilled !== undefined && from <= lastBilled) throw billedInOtherCurrency(`${lastBilled} was billed in ${plan.currency}: terms in ${partnership.currency} start after it`);
    plan.restartIn(partnership.currency, command.effectiveFrom, command.terms, at);
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

function billedInOtherCurrency(message: string): ValidationError {
  return ValidationError.of('effectiveFrom', 'plan.billed_in_other_currency', message);
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
