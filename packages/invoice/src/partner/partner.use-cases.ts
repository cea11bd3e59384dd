import { CLOCK, ConflictError, ID_GENERATOR, InvalidStateError, pageLimit, pageRequest, requiredObject, type Clock, type IdGenerator, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import { inject, injectable, optional } from 'inversify';
import { PARTNERSHIP_PLANS, type PartnershipPlans } from '../partnership/partnership-plans.port';
import { PARTNERSHIP_REPOSITORY, type PartnershipRepository } from '../partnership/partnership-repository.port';
import type { ContactId, PartnerId } from '../shared/ids';
import { load, modify, type VersionedCommand } from '../shared/use-case-support';
import { createOnce } from '../shared/create-once';
import { MAX_CONTACT_RESULTS, contactSearchQuery, type ContactMatch } from './contact-search';
import { Partner, type Contact, type ContactInput, type PartnerDetails, type PartnerState } from './partner';
import { PARTNER_QUERIES, PARTNER_REPOSITORY, type PartnerFilter, type PartnerQueries, type PartnerRepository } from './partner-repository.port';

/** Registers a partner with its contacts. */
@injectable()
export class CreatePartner {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** `id`, when given, is derived from the request (its `Idempotency-Key` and body): a retry of the same request answers the partner an earlier attempt created. */
  async execute(command: PartnerDetails & { readonly tenantId: TenantId; readonly contacts?: readonly ContactInput[]; readonly id?: PartnerId }): Promise<PartnerState> {
    requiredObject(command);
    return createOnce(this.partners, command.tenantId, command.id, async () => {
      const partner = Partner.create(command, {
        tenantId: command.tenantId,
        id: command.id ?? this.ids.next<'Partner'>(),
        newContactId: () => this.ids.next<'Contact'>(),
        at: this.clock.now(),
      });
      return partner;
    });
  }
}

/** Replaces a partner's details (contacts stay). */
@injectable()
export class UpdatePartner {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: VersionedCommand & { readonly partnerId: PartnerId; readonly details: PartnerDetails }): Promise<PartnerState> {
    const partner = await load(this.partners, command.tenantId, command.partnerId, 'partner', command.expectedVersion);
    partner.update(command.details, this.clock.now());
    await this.partners.save(partner);
    return partner.toState();
  }
}

/** Replaces all contacts of a partner. */
@injectable()
export class ReplaceContacts {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async execute(command: VersionedCommand & { readonly partnerId: PartnerId; readonly contacts: readonly ContactInput[] }): Promise<PartnerState> {
    const replace = (partner: Partner) => partner.replaceContacts(command.contacts, { newContactId: () => this.ids.next<'Contact'>(), at: this.clock.now() });
    return (await modify(this.partners, command, command.partnerId, 'partner', replace)).toState();
  }
}

/** Adds one contact to a partner. */
@injectable()
export class AddContact {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * `id`, when given, is derived from the request (its `Idempotency-Key` and body): a retry of the same request answers
   * the contact an earlier attempt added (without checking `expectedVersion` again: that attempt moved the version).
   */
  async execute(command: VersionedCommand & { readonly partnerId: PartnerId; readonly contact: Omit<ContactInput, 'id'>; readonly id?: ContactId }): Promise<Contact> {
    const added = async () => (command.id === undefined ? undefined : (await this.partners.get(command.tenantId, command.partnerId))?.toState().contacts.find((contact) => contact.id === command.id));
    const earlier = await added();
    if (earlier) return earlier;
    const id = command.id ?? this.ids.next<'Contact'>();
    try {
      const partner = await modify(this.partners, command, command.partnerId, 'partner', (loaded) => loaded.addContact(command.contact, { id, at: this.clock.now() }));
      return partner.contact(id);
    } catch (error) {
      // A concurrent attempt of the same request added it first.
      const concurrent = error instanceof ConflictError ? await added() : undefined;
      if (!concurrent) throw error;
      return concurrent;
    }
  }
}

/** Changes one contact of a partner. */
@injectable()
export class UpdateContact {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(
    command: VersionedCommand & { readonly partnerId: PartnerId; readonly contactId: ContactId; readonly changes: Partial<Omit<Contact, 'id'>> },
  ): Promise<Contact> {
    const partner = await modify(this.partners, command, command.partnerId, 'partner', (loaded) => loaded.updateContact(command.contactId, command.changes, this.clock.now()));
    return partner.contact(command.contactId);
  }
}

/** Removes one contact of a partner. */
@injectable()
export class RemoveContact {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: VersionedCommand & { readonly partnerId: PartnerId; readonly contactId: ContactId }): Promise<PartnerState> {
    return (await modify(this.partners, command, command.partnerId, 'partner', (partner) => partner.removeContact(command.contactId, this.clock.now()))).toState();
  }
}

/**
 * Archives a partner. Refused while the billing plan of one of its partnerships still has something to bill or invoice
 * (`partner.billing_pending`): no invoice is drafted for an archived party, so those bills would wait for ever (audit
 * lifecycle F1). End the partnership, let its last bill be invoiced, then archive.
 */
@injectable()
export class ArchivePartner {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(PARTNERSHIP_PLANS) @optional() private readonly plans: PartnershipPlans | undefined,
  ) {}

  /** @throws NotFoundError `partner.not_found`; InvalidStateError `partner.archived` | `partner.billing_pending`; ConflictError */
  async execute(command: VersionedCommand & { readonly partnerId: PartnerId }): Promise<PartnerState> {
    const partner = await load(this.partners, command.tenantId, command.partnerId, 'partner', command.expectedVersion);
    if (partner.status !== 'archived' && this.plans) await this.assertNothingToBill(command.tenantId, partner.id);
    partner.archive(this.clock.now());
    await this.partners.save(partner);
    return partner.toState();
  }

  /** A run that records a bill between this check and the archive still leaves it waiting: the run names it (`partner.archived`). */
  private async assertNothingToBill(tenantId: TenantId, partnerId: PartnerId): Promise<void> {
    let cursor: PageRequest['cursor'];
    do {
      const page = await this.partnerships.list(tenantId, { partnerId }, { limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      for (const partnership of page.items) {
        const reason = await this.plans?.stillToBill(tenantId, partnership.id);
        if (reason !== undefined) {
          throw new InvalidStateError('partner.billing_pending', `partner ${partnerId} is a party of partnership ${partnership.id}, whose billing plan still bills: ${reason}`, {
            partnerId,
            partnershipId: partnership.id,
          });
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}

/** Reads one partner. */
@injectable()
export class GetPartner {
  constructor(@inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository) {}

  /** @throws NotFoundError `partner.not_found` */
  async execute(query: { readonly tenantId: TenantId; readonly partnerId: PartnerId }): Promise<PartnerState> {
    return (await load(this.partners, query.tenantId, query.partnerId, 'partner')).toState();
  }
}

/** Lists partners page by page. */
@injectable()
export class ListPartners {
  constructor(@inject(PARTNER_QUERIES) private readonly queries: PartnerQueries) {}

  async execute(query: { readonly tenantId: TenantId; readonly filter?: PartnerFilter; readonly page?: PageRequest }): Promise<Page<PartnerState>> {
    return this.queries.list(query.tenantId, query.filter ?? {}, pageRequest(query.page));
  }
}

/** Finds contacts by part of a name, email or phone across the tenant's partners, best match first. */
@injectable()
export class SearchContacts {
  constructor(@inject(PARTNER_QUERIES) private readonly queries: PartnerQueries) {}

  /** @throws ValidationError `contact_search.query_too_short` | `pagination.invalid_limit` */
  async execute(query: { readonly tenantId: TenantId; readonly query: string; readonly limit?: number }): Promise<ContactMatch[]> {
    const limit = Math.min(pageLimit(query.limit ?? 20), MAX_CONTACT_RESULTS);
    return this.queries.searchContacts(query.tenantId, contactSearchQuery(query.query), limit);
  }
}
