import { CLOCK, ConflictError, ID_GENERATOR, InvalidStateError, NotFoundError, ValidationError, type Clock, type IdGenerator, type TenantId } from '@invoicing/core';
import {
  MARKETABLE_REPOSITORY,
  PARTNERSHIP_REPOSITORY,
  PARTNER_REPOSITORY,
  type MarketableId,
  type MarketableRepository,
  type PartnerRepository,
  type PartnershipId,
  type PartnershipRepository,
} from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { assertPartiesActive } from '../plans/active-parties';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from '../plans/billing-plan-repository.port';
import { BILL_REPOSITORY, type BillRepository } from '../runs/bill-repository.port';
import { oneOffCharge, oneOffIdsOf, type OneOffCharge, type OneOffChargeInput } from './one-off-charge';
import { ONE_OFF_CHARGE_STORE, type OneOffChargeStore } from './one-off-charge-store.port';

/** Adds a one-off charge to a partnership: the first bill on or after its date charges it, once. */
@injectable()
export class AddOneOffCharge {
  constructor(
    @inject(ONE_OFF_CHARGE_STORE) private readonly charges: OneOffChargeStore,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
  ) {}

  /**
   * `id`, when given, is derived from the request: a retry answers the charge an earlier attempt added (`created` false).
   * @throws NotFoundError `partnership.not_found`; InvalidStateError `one_off.no_billing_plan` (only a billing plan's
   * runs bill a charge, which would otherwise wait unbilled); ValidationError `one_off.*`, `line.marketable_not_found` |
   * `line.marketable_inactive`; ConflictError `one_off.id_taken` | `one_off.cancelled`
   */
  async execute(
    command: OneOffChargeInput & { readonly tenantId: TenantId; readonly partnershipId: PartnershipId; readonly id?: string; readonly actor?: string },
  ): Promise<{ readonly charge: OneOffCharge; readonly created: boolean }> {
    const partnership = await this.partnerships.get(command.tenantId, command.partnershipId);
    if (!partnership) throw new NotFoundError('partnership', command.partnershipId);
    await assertPartiesActive(this.partners, command.tenantId, partnership);
    const plan = await this.plans.get(command.tenantId, command.partnershipId);
    if (!plan) {
      throw new InvalidStateError('one_off.no_billing_plan', `partnership ${command.partnershipId} has no billing plan: no run would bill the charge; set a plan first`, { partnershipId: command.partnershipId });
    }
    // Its invoice line names the marketable: one the invoice cannot take (another tenant's, deactivated) would stop
    // every run of the partnership, and a charge billed is never taken back.
    const marketable = await this.marketableIssue(command.tenantId, command.marketableId);
    let charge: OneOffCharge;
    try {
      // Bounded in the currency its runs bill it in: the plan's, which is the partnership's.
      charge = oneOffCharge(command, {
        tenantId: command.tenantId,
        id: command.id ?? this.ids.next<'OneOffCharge'>(),
        partnershipId: command.partnershipId,
        currency: plan.currency,
        at: this.clock.now(),
        by: command.actor,
      });
    } catch (error) {
      if (marketable && error instanceof ValidationError) throw new ValidationError([...error.issues, ...marketable.issues]);
      throw error;
    }
    if (marketable) throw marketable;
    const added = await this.charges.add(charge);
    if (added.charge.cancelledAt !== undefined) {
      throw new ConflictError('one_off.cancelled', `one-off charge ${charge.id} was cancelled: add it again as a new charge (another id)`, { id: charge.id });
    }
    return added;
  }

  /** What is wrong with the marketable a charge names, as the billing plan's charges are checked (SetBillingPlan). */
  private async marketableIssue(tenantId: TenantId, marketableId: MarketableId | undefined): Promise<ValidationError | undefined> {
    if (marketableId === undefined) return undefined;
    const marketable = typeof marketableId === 'string' ? await this.marketables.get(tenantId, marketableId) : undefined;
    if (marketable?.active) return undefined;
    return marketable
      ? ValidationError.of('marketableId', 'line.marketable_inactive', 'the marketable is inactive')
      : ValidationError.of('marketableId', 'line.marketable_not_found', 'no such marketable');
  }
}

/**
 * Cancels a one-off charge no bill has taken yet: no run bills it. Once a run has taken it for a bill, it is billed:
 * credit it with a one-off credit (a negative quantity) instead.
 */
@injectable()
export class CancelOneOffCharge {
  constructor(
    @inject(ONE_OFF_CHARGE_STORE) private readonly charges: OneOffChargeStore,
    @inject(BILL_REPOSITORY) private readonly bills: BillRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Cancelling a cancelled charge answers it as it is.
   * @throws NotFoundError `partnership.not_found` | `one_off.not_found` (none of that partnership's);
   * ConflictError `one_off.already_billed`
   */
  async execute(command: { readonly tenantId: TenantId; readonly partnershipId: PartnershipId; readonly chargeId: string }): Promise<OneOffCharge> {
    const { tenantId, partnershipId, chargeId } = command;
    if (!(await this.partnerships.get(tenantId, partnershipId))) throw new NotFoundError('partnership', partnershipId);
    const charge = await this.charges.get(tenantId, chargeId);
    if (!charge || charge.partnershipId !== partnershipId) throw new NotFoundError('one_off', chargeId);
    if (charge.cancelledAt !== undefined) return charge;
    // Bills recorded before runs took their charges (until 7 December 2026) carry them untaken: they count as taken.
    const billed = (await this.bills.listByPartnership(tenantId, partnershipId)).find((bill) => oneOffIdsOf(bill).includes(chargeId));
    if (billed) {
      throw new ConflictError('one_off.already_billed', `one-off charge ${chargeId} is on the bill of ${billed.billingDate}: credit it with a one-off credit instead`, { id: chargeId, bill: billed.key });
    }
    // Decided against a run taking it at the same moment: one of the two wins (OneOffChargeStore.claim).
    const cancelled = await this.charges.cancel(tenantId, chargeId, this.clock.now());
    if (!cancelled) throw new NotFoundError('one_off', chargeId);
    return cancelled;
  }
}
