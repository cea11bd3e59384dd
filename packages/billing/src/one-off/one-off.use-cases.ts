import { CLOCK, ID_GENERATOR, InvalidStateError, NotFoundError, type Clock, type IdGenerator, type TenantId } from '@invoicing/core';
import { PARTNERSHIP_REPOSITORY, type PartnershipId, type PartnershipRepository } from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from '../plans/billing-plan-repository.port';
import { oneOffCharge, type OneOffCharge, type OneOffChargeInput } from './one-off-charge';
import { ONE_OFF_CHARGE_STORE, type OneOffChargeStore } from './one-off-charge-store.port';

/** Adds a one-off charge to a partnership: the first bill on or after its date charges it, once. */
@injectable()
export class AddOneOffCharge {
  constructor(
    @inject(ONE_OFF_CHARGE_STORE) private readonly charges: OneOffChargeStore,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * `id`, when given, is derived from the request: a retry answers the charge an earlier attempt added (`created` false).
   * @throws NotFoundError `partnership.not_found`; InvalidStateError `one_off.no_billing_plan` (only a billing plan's
   * runs bill a charge, which would otherwise wait unbilled); ValidationError `one_off.*`; ConflictError `one_off.id_taken`
   */
  async execute(command: OneOffChargeInput & { readonly tenantId: TenantId; readonly partnershipId: PartnershipId; readonly id?: string }): Promise<{ readonly charge: OneOffCharge; readonly created: boolean }> {
    const partnership = await this.partnerships.get(command.tenantId, command.partnershipId);
    if (!partnership) throw new NotFoundError('partnership', command.partnershipId);
    const plan = await this.plans.get(command.tenantId, command.partnershipId);
    if (!plan) {
      throw new InvalidStateError('one_off.no_billing_plan', `partnership ${command.partnershipId} has no billing plan: no run would bill the charge; set a plan first`, { partnershipId: command.partnershipId });
    }
    // Bounded in the currency its runs bill it in: the plan's, which is the partnership's.
    const charge = oneOffCharge(command, { tenantId: command.tenantId, id: command.id ?? this.ids.next<'OneOffCharge'>(), partnershipId: command.partnershipId, currency: plan.currency, at: this.clock.now() });
    return this.charges.add(charge);
  }
}
