import {
  CLOCK,
  ID_GENERATOR,
  InvalidStateError,
  pageRequest,
  requiredObject,
  today,
  type CalendarDate,
  type Clock,
  type DecimalInput,
  type IdGenerator,
  type Page,
  type PageRequest,
  type TenantId,
} from '@invoicing/core';
import { inject, injectable, optional } from 'inversify';
import { MARKETABLE_REPOSITORY, type MarketableRepository } from '../marketable/marketable-repository.port';
import { PARTNER_REPOSITORY, type PartnerRepository } from '../partner/partner-repository.port';
import type { MarketableId, PartnerId, PartnershipId } from '../shared/ids';
import { INVOICING_SETTINGS, load, modify, retryOnConflict, type InvoicingSettings, type VersionedCommand } from '../shared/use-case-support';
import { createOnce } from '../shared/create-once';
import { Partnership, type PartnershipState, type PartnershipTermsInput } from './partnership';
import { PARTNERSHIP_PLANS, type PartnershipPlans } from './partnership-plans.port';
import { PARTNERSHIP_REPOSITORY, type PartnershipRepository } from './partnership-repository.port';

/** Opens a partnership between two active partners. */
@injectable()
export class CreatePartnership {
  constructor(
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * `id`, when given, is derived from the request (its `Idempotency-Key` and body): a retry of the same request answers
   * the partnership an earlier attempt created.
   * @throws NotFoundError `partner.not_found`; InvalidStateError `partner.archived`; ValidationError
   */
  async execute(
    command: PartnershipTermsInput & { readonly tenantId: TenantId; readonly sellerId: PartnerId; readonly buyerId: PartnerId; readonly id?: PartnershipId },
  ): Promise<PartnershipState> {
    requiredObject(command);
    return createOnce(this.partnerships, command.tenantId, command.id, async () => {
      for (const partnerId of [command.sellerId, command.buyerId]) {
        const partner = await load(this.partners, command.tenantId, partnerId, 'partner');
        if (partner.status === 'archived') throw new InvalidStateError('partner.archived', `partner ${partnerId} is archived`, { partnerId });
      }
      return Partnership.create(command, { tenantId: command.tenantId, id: command.id ?? this.ids.next<'Partnership'>(), at: this.clock.now() });
    });
  }
}

/**
 * Replaces a partnership's currency, payment terms, numbering, policy and validity. A new currency is refused while the
 * partnership's billing plan still bills in another ({@link PartnershipPlans.currencyLock}).
 */
@injectable()
export class UpdatePartnershipTerms {
  constructor(
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(PARTNERSHIP_PLANS) @optional() private readonly plans: PartnershipPlans | undefined,
  ) {}

  /** @throws InvalidStateError `partnership.ended` | `partnership.currency_locked`; ValidationError; ConflictError */
  async execute(command: VersionedCommand & { readonly partnershipId: PartnershipId; readonly terms: PartnershipTermsInput }): Promise<PartnershipState> {
    const partnership = await load(this.partnerships, command.tenantId, command.partnershipId, 'partnership', command.expectedVersion);
    const before = partnership.currency;
    partnership.updateTerms(command.terms, this.clock.now());
    // Checked once the terms are known to be valid; a change racing this check is caught by billing, which makes no
    // invoice in another currency than its bill's (billing.currency_mismatch).
    const lock = partnership.currency === before ? undefined : await this.plans?.currencyLock(command.tenantId, partnership.id, partnership.currency);
    if (lock) {
      throw new InvalidStateError('partnership.currency_locked', `the billing plan of partnership ${partnership.id} bills in ${lock.planCurrency}: ${lock.reason}`, {
        partnershipId: partnership.id,
        currency: partnership.currency,
        planCurrency: lock.planCurrency,
      });
    }
    await this.partnerships.save(partnership);
    return partnership.toState();
  }
}

/** Sets (a unit price) or removes (null) a negotiated price for a marketable. */
@injectable()
export class SetPriceOverride {
  constructor(
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(MARKETABLE_REPOSITORY) private readonly marketables: MarketableRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** @throws NotFoundError `partnership.not_found` | `marketable.not_found` */
  async execute(
    command: VersionedCommand & { readonly partnershipId: PartnershipId; readonly marketableId: MarketableId; readonly unitPrice: DecimalInput | null },
  ): Promise<PartnershipState> {
    const partnership = await load(this.partnerships, command.tenantId, command.partnershipId, 'partnership', command.expectedVersion);
    await load(this.marketables, command.tenantId, command.marketableId, 'marketable');
    if (command.unitPrice === null) partnership.removePriceOverride(command.marketableId, this.clock.now());
    else partnership.setPriceOverride(command.marketableId, command.unitPrice, this.clock.now());
    await this.partnerships.save(partnership);
    return partnership.toState();
  }
}

/**
 * Suspends, resumes or ends a partnership. Ending it makes today its last day in force, and ends its billing after
 * that day ({@link PartnershipPlans.endAfter}): what it owes for its days is still billed and invoiced (ADR 0027).
 */
@injectable()
export class ChangePartnershipStatus {
  constructor(
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
    @inject(PARTNERSHIP_PLANS) @optional() private readonly plans: PartnershipPlans | undefined,
  ) {}

  /**
   * @throws InvalidStateError `partnership.not_active` | `partnership.not_suspended` | `partnership.ended`, and from
   * billing `partnership.bill_pending` (a bill for days after the end waits for its invoice); ConflictError
   */
  async execute(command: VersionedCommand & { readonly partnershipId: PartnershipId; readonly action: 'suspend' | 'resume' | 'end' }): Promise<PartnershipState> {
    if (command.action !== 'end') {
      const action = command.action;
      return (await modify(this.partnerships, command, command.partnershipId, 'partnership', (partnership) => partnership[action](this.clock.now()))).toState();
    }
    const attempt = async () => {
      const partnership = await load(this.partnerships, command.tenantId, command.partnershipId, 'partnership', command.expectedVersion);
      partnership.end(this.clock.now(), today(this.clock, this.settings.timeZone));
      // Billing first: if it fails, the partnership is not ended, and ending it again ends both.
      await this.plans?.endAfter(command.tenantId, partnership.id, partnership.validUntil as CalendarDate);
      await this.partnerships.save(partnership);
      return partnership.toState();
    };
    // A change saved between the read and the save (a suspend) would leave the billing ended and the partnership not
    // (audit lifecycle F3): the end is made again on the partnership as it is now; ending billing again changes nothing.
    // With If-Match the caller named the version it ends: the conflict is answered, and ending again does the rest.
    return command.expectedVersion === undefined ? retryOnConflict(attempt) : attempt();
  }
}

/** Reads one partnership. */
@injectable()
export class GetPartnership {
  constructor(@inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository) {}

  /** @throws NotFoundError `partnership.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly partnershipId: PartnershipId }): Promise<PartnershipState> {
    return (await load(this.partnerships, query.tenantId, query.partnershipId, 'partnership')).toState();
  }
}

/** Lists partnerships, optionally of one partner. */
@injectable()
export class ListPartnerships {
  constructor(@inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository) {}

  async execute(query: { readonly tenantId: TenantId; readonly partnerId?: PartnerId; readonly page?: PageRequest }): Promise<Page<PartnershipState>> {
    return this.partnerships.list(query.tenantId, query.partnerId === undefined ? {} : { partnerId: query.partnerId }, pageRequest(query.page));
  }
}
