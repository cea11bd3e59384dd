import {
  AggregateRoot,
  ConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationError,
  collectIssues,
  frozenState,
  handedOut,
  parseCurrencyCode,
  requiredList,
  requiredObject,
  type CurrencyCode,
  type TenantId,
} from '@invoicing/core';
import type { ContactId, PartnerId } from '../shared/ids';
import { postalAddress, stripUndefined, type PostalAddress } from '../shared/postal-address';
import { optionalText, requiredText } from '../shared/text';
import { paymentTerms, type PaymentTerms, type PaymentTermsInput } from '../partnership/payment-terms';

/** What an address is used for. */
export type AddressPurpose = 'billing' | 'delivery' | 'registered';

export interface PartnerAddress extends PostalAddress {
  readonly purpose: AddressPurpose;
}

/**
 * An electronic address where documents are delivered (BT-34 / BT-49), with its EAS scheme:
 * e.g. `{ scheme: '0088', value: '5790000435975' }` for a GLN on Peppol, or `9930` for a German VAT id.
 */
export interface ElectronicAddress {
  readonly scheme: string;
  readonly value: string;
}

/** How a partner is identified to tax authorities and networks. */
export interface PartnerIdentifiers {
  /** VAT identifier with country prefix, e.g. `FR12345678901` (BT-31 / BT-48). */
  readonly vatId?: string;
  /** Local tax registration id when there is no VAT id (BT-32). */
  readonly taxRegistrationId?: string;
  /** Company register number and its ISO 6523 scheme (BT-30 / BT-47). */
  readonly legalRegistration?: { readonly value: string; readonly scheme?: string };
  readonly electronicAddress?: ElectronicAddress;
}

/** A person to talk to at a partner. */
export interface Contact {
  readonly id: ContactId;
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
  /** E.g. `accounts payable`, `purchasing`. */
  readonly role?: string;
}

export type ContactInput = Omit<Contact, 'id'> & { readonly id?: ContactId };

export type PartnerKind = 'company' | 'person';
export type PartnerStatus = 'active' | 'archived';

/** The stored form of a partner: plain data, what repositories persist and read back. */
export interface PartnerState {
  readonly tenantId: TenantId;
  readonly id: PartnerId;
  readonly version: number;
  readonly kind: PartnerKind;
  readonly legalName: string;
  readonly tradingName?: string;
  /** The partner's id in the tenant's own systems (a CRM, a billing integration): how integrators name it. */
  readonly externalId?: string;
  readonly identifiers: PartnerIdentifiers;
  readonly addresses: readonly PartnerAddress[];
  readonly contacts: readonly Contact[];
  readonly defaultCurrency?: CurrencyCode;
  readonly defaultPaymentTerms?: PaymentTerms;
  readonly status: PartnerStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The editable details of a partner. */
export interface PartnerDetails {
  readonly kind?: PartnerKind;
  readonly legalName: string;
  readonly tradingName?: string;
  /** 1 to 100 visible ASCII characters, one partner's per tenant. */
  readonly externalId?: string;
  readonly identifiers?: PartnerIdentifiers;
  readonly addresses?: readonly (PostalAddress & { readonly purpose?: AddressPurpose })[];
  readonly defaultCurrency?: string;
  readonly defaultPaymentTerms?: PaymentTermsInput;
}

/**
 * The most contacts a partner has. A contact search scores every contact of the tenant (ADR 0007): without a cap, one
 * partner of 10,000 contacts made each search hold the API for seconds (audit dos DOS-4). A partner stored with more
 * before the cap keeps them: it can change and lose contacts, but gains none until it is under the cap.
 */
export const MAX_CONTACTS_PER_PARTNER = 200;

/** @throws ValidationError `partner.too_many_contacts` when a partner would hold more than the cap */
function requireContactRoom(count: number): void {
  if (count > MAX_CONTACTS_PER_PARTNER) {
    throw ValidationError.of('', 'partner.too_many_contacts', `a partner has at most ${MAX_CONTACTS_PER_PARTNER} contacts`);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ().-]{4,30}$/;
const EAS_SCHEME = /^[0-9]{4}$/;
const VAT_ID = /^[A-Z]{2}[A-Z0-9+*.-]{2,13}$/;
const EXTERNAL_ID = /^[\x21-\x7e]{1,100}$/;

/** An optional member that is an object when given: `null` is absent (as for texts and lists), a text or a list is refused. */
function optionalObject<T>(value: T | null | undefined, path: string): T | undefined {
  return value === undefined || value === null ? undefined : requiredObject(value, path);
}

function identifiers(given: PartnerIdentifiers | undefined): PartnerIdentifiers {
  const input = requiredObject(given ?? {}, '');
  return collectIssues((attempt) => {
    const vatId = attempt('vatId', () => {
      const value = optionalText(input.vatId, '', 20)?.replace(/\s/g, '').toUpperCase();
      if (value !== undefined && !VAT_ID.test(value)) throw ValidationError.of('', 'partner.invalid_vat_id', 'a VAT id starts with its two-letter country prefix, e.g. FR12345678901');
      return value;
    });
    const taxRegistrationId = attempt('taxRegistrationId', () => optionalText(input.taxRegistrationId, '', 50));
    const legalRegistration = attempt('legalRegistration', () => {
      const registration = optionalObject(input.legalRegistration, '');
      return registration && stripUndefined({ value: requiredText(registration.value, 'value', 50), scheme: optionalText(registration.scheme, 'scheme', 10) });
    });
    const electronicAddress = attempt('electronicAddress', () => {
      const address = optionalObject(input.electronicAddress, '');
      if (address === undefined) return undefined;
      const scheme = requiredText(address.scheme, 'scheme', 4);
      if (!EAS_SCHEME.test(scheme)) throw ValidationError.of('scheme', 'partner.invalid_eas_scheme', 'an EAS scheme is four digits, e.g. 0088');
      return { scheme, value: requiredText(address.value, 'value', 100) };
    });
    return stripUndefined({ vatId, taxRegistrationId, legalRegistration, electronicAddress });
  });
}

function contact(input: ContactInput, id: ContactId): Contact {
  return collectIssues((attempt) => {
    const name = attempt('name', () => requiredText(input.name, ''));
    const email = attempt('email', () => {
      // One form per address: `é` written as one code point or as `e` and a combining accent is the same email.
      const value = optionalText(input.email, '', 254)?.normalize('NFC').toLowerCase();
      if (value !== undefined && !EMAIL.test(value)) throw ValidationError.of('', 'contact.invalid_email', 'not an email address');
      return value;
    });
    const phone = attempt('phone', () => {
      const value = optionalText(input.phone, '', 30);
      if (value !== undefined && !PHONE.test(value)) throw ValidationError.of('', 'contact.invalid_phone', 'not a phone number');
      return value;
    });
    const role = attempt('role', () => optionalText(input.role, '', 100));
    return stripUndefined({ id, name: name as string, email, phone, role });
  });
}

/**
 * Checks a contact's details on their own, as {@link Partner.addContact} would (name required, email and phone well
 * formed): for callers that must refuse bad input before writing anything.
 * @throws ValidationError `text.required` | `contact.invalid_email` | `contact.invalid_phone`
 */
export function contactDetails(input: Omit<ContactInput, 'id'>): Omit<Contact, 'id'> {
  const { id: _id, ...checked } = contact(input, '' as ContactId);
  return checked;
}

function details(given: PartnerDetails) {
  const input = requiredObject(given, '');
  return collectIssues((attempt) => {
    const kind = attempt('kind', () => {
      const value = input.kind ?? 'company';
      if (value !== 'company' && value !== 'person') throw ValidationError.of('', 'partner.invalid_kind', 'kind is company or person');
      return value;
    });
    const legalName = attempt('legalName', () => requiredText(input.legalName, ''));
    const tradingName = attempt('tradingName', () => optionalText(input.tradingName, ''));
    const externalId = attempt('externalId', () => {
      if (input.externalId === undefined) return undefined;
      if (typeof input.externalId !== 'string' || !EXTERNAL_ID.test(input.externalId)) {
        throw ValidationError.of('', 'partner.invalid_external_id', 'an external id is 1 to 100 visible ASCII characters, without spaces');
      }
      return input.externalId;
    });
    const ids = attempt('identifiers', () => identifiers(input.identifiers));
    const addresses = (attempt('addresses', () => requiredList(input.addresses ?? [], '')) ?? []).map((address, index) =>
      attempt(`addresses.${index}`, () => ({ purpose: requiredObject(address, '').purpose ?? 'billing', ...postalAddress(address) })),
    );
    const defaultCurrency = input.defaultCurrency === undefined ? undefined : attempt('defaultCurrency', () => parseCurrencyCode(input.defaultCurrency as string));
    const defaultPaymentTerms =
      input.defaultPaymentTerms === undefined ? undefined : attempt('defaultPaymentTerms', () => paymentTerms(input.defaultPaymentTerms as PaymentTermsInput));
    return stripUndefined({
      kind: kind as PartnerKind,
      legalName: legalName as string,
      tradingName,
      externalId,
      identifiers: ids as PartnerIdentifiers,
      addresses: addresses.filter((address): address is PartnerAddress => address !== undefined),
      defaultCurrency,
      defaultPaymentTerms,
    });
  });
}

/**
 * A company or person the tenant sells to or buys from, with the people to contact there.
 * Archived partners keep their history but take no new partnerships or changes.
 */
export class Partner extends AggregateRoot<PartnerId> {
  readonly aggregateType = 'partner';

  private frozen!: PartnerState;

  private constructor(state: PartnerState) {
    super(state.tenantId, state.id, state.version);
    this.state = state;
  }

  // Frozen whenever it is replaced: nothing handed out or taken in can change it afterwards.
  private get state(): PartnerState {
    return this.frozen;
  }

  private set state(next: PartnerState) {
    this.frozen = frozenState(next);
  }

  /**
   * Registers a new partner.
   * @throws ValidationError with one issue per bad field
   */
  static create(
    command: PartnerDetails & { readonly contacts?: readonly ContactInput[] },
    context: { tenantId: TenantId; id: PartnerId; newContactId: () => ContactId; at: Date },
  ): Partner {
    const parsed = collectIssues((attempt) => ({
      details: attempt('', () => details(command)),
      contacts: attempt('contacts', () => contacts(command.contacts ?? [], context.newContactId)),
    }));
    const partner = new Partner({
      tenantId: context.tenantId,
      id: context.id,
      version: 0,
      ...(parsed.details as ReturnType<typeof details>),
      contacts: parsed.contacts as Contact[],
      status: 'active',
      createdAt: context.at,
      updatedAt: context.at,
    });
    partner.raise('partner.created', { partnerId: context.id, legalName: partner.state.legalName }, context.at);
    return partner;
  }

  /** Rebuilds a partner from its stored state (no validation, no events); freezes the plain data of `state` it keeps. */
  static restore(state: PartnerState): Partner {
    return new Partner(state);
  }

  /** The current state, for repositories and read models: frozen, with Dates of its own. */
  toState(): PartnerState {
    return { ...handedOut(this.state), version: this.version };
  }

  get legalName(): string {
    return this.state.legalName;
  }

  get externalId(): string | undefined {
    return this.state.externalId;
  }

  get status(): PartnerStatus {
    return this.state.status;
  }

  get contacts(): readonly Contact[] {
    return this.state.contacts;
  }

  get identifiers(): PartnerIdentifiers {
    return this.state.identifiers;
  }

  get defaultCurrency(): CurrencyCode | undefined {
    return this.state.defaultCurrency;
  }

  get defaultPaymentTerms(): PaymentTerms | undefined {
    return this.state.defaultPaymentTerms;
  }

  /** The address invoices use: the billing one, else the first. */
  get billingAddress(): PartnerAddress | undefined {
    return this.state.addresses.find((address) => address.purpose === 'billing') ?? this.state.addresses[0];
  }

  /** The contact with this id. @throws NotFoundError `contact.not_found` */
  contact(contactId: ContactId): Contact {
    const found = this.state.contacts.find((item) => item.id === contactId);
    if (!found) throw new NotFoundError('contact', contactId);
    return found;
  }

  /**
   * Replaces the partner's details (name, identifiers, addresses, defaults); contacts stay.
   * @throws InvalidStateError `partner.archived`; ValidationError
   */
  update(changes: PartnerDetails, at: Date): void {
    this.requireActive();
    // Replaced, not merged: the optional details left out are cleared.
    const { tradingName: _tradingName, externalId: _externalId, defaultCurrency: _defaultCurrency, defaultPaymentTerms: _defaultPaymentTerms, ...kept } = this.state;
    this.state = { ...kept, ...details(changes), updatedAt: at };
    this.raise('partner.updated', { partnerId: this.id }, at);
  }

  /**
   * Replaces all contacts at once; a contact given with the id of an existing one keeps that id.
   * @throws InvalidStateError `partner.archived`; ValidationError (`partner.too_many_contacts` for a list longer than {@link MAX_CONTACTS_PER_PARTNER})
   */
  replaceContacts(inputs: readonly ContactInput[], context: { newContactId: () => ContactId; at: Date }): void {
    this.requireActive();
    requireContactRoom(requiredList(inputs, '').length);
    collectIssues((attempt) => requiredList(inputs, '').forEach((input, index) => attempt(String(index), () => requiredObject(input, ''))));
    for (const input of inputs) if (input.id !== undefined) this.contact(input.id);
    this.state = { ...this.state, contacts: contacts(inputs, context.newContactId), updatedAt: context.at };
    this.raise('partner.contacts_replaced', { partnerId: this.id, contactIds: this.state.contacts.map((item) => item.id) }, context.at);
  }

  /**
   * Adds one contact and returns it.
   * @throws InvalidStateError `partner.archived`; ValidationError (`partner.too_many_contacts` past {@link MAX_CONTACTS_PER_PARTNER})
   */
  addContact(input: ContactInput, context: { id: ContactId; at: Date }): Contact {
    this.requireActive();
    requireContactRoom(this.state.contacts.length + 1);
    const added = contact(input, context.id);
    requireUniqueEmail(added, this.state.contacts);
    this.state = { ...this.state, contacts: [...this.state.contacts, added], updatedAt: context.at };
    this.raise('partner.contact_added', { partnerId: this.id, contactId: added.id }, context.at);
    return added;
  }

  /** Changes one contact's fields. @throws NotFoundError `contact.not_found`; InvalidStateError `partner.archived` */
  updateContact(contactId: ContactId, changes: Partial<Omit<Contact, 'id'>>, at: Date): Contact {
    this.requireActive();
    const updated = contact({ ...this.contact(contactId), ...changes }, contactId);
    requireUniqueEmail(updated, this.state.contacts);
    this.state = { ...this.state, contacts: this.state.contacts.map((item) => (item.id === contactId ? updated : item)), updatedAt: at };
    this.raise('partner.contact_updated', { partnerId: this.id, contactId }, at);
    return updated;
  }

  /** Removes one contact. @throws NotFoundError `contact.not_found`; InvalidStateError `partner.archived` */
  removeContact(contactId: ContactId, at: Date): void {
    this.requireActive();
    this.contact(contactId);
    this.state = { ...this.state, contacts: this.state.contacts.filter((item) => item.id !== contactId), updatedAt: at };
    this.raise('partner.contact_removed', { partnerId: this.id, contactId }, at);
  }

  /** Archives the partner: history stays, changes and new documents stop. @throws InvalidStateError `partner.archived` */
  archive(at: Date): void {
    this.requireActive();
    this.state = { ...this.state, status: 'archived', updatedAt: at };
    this.raise('partner.archived', { partnerId: this.id }, at);
  }

  private requireActive(): void {
    if (this.state.status === 'archived') throw new InvalidStateError('partner.archived', `partner ${this.id} is archived`, { partnerId: this.id });
  }
}

function contacts(inputs: readonly ContactInput[], newContactId: () => ContactId): Contact[] {
  // Counted before any is parsed: a list past the cap is refused whole, at no more cost than its length.
  requireContactRoom(requiredList(inputs, '').length);
  return collectIssues((attempt) => {
    const parsed = requiredList(inputs, '').map((input, index) => attempt(String(index), () => contact(requiredObject(input, ''), input.id ?? newContactId())));
    const emails = parsed.map((item) => item?.email).filter((email): email is string => email !== undefined);
    if (new Set(emails).size !== emails.length) {
      attempt('', () => {
        throw ValidationError.of('', 'contact.duplicate_email', 'two contacts share an email address');
      });
    }
    const ids = parsed.filter((item): item is Contact => item !== undefined).map((item) => item.id);
    if (new Set(ids).size !== ids.length) {
      attempt('', () => {
        throw ValidationError.of('', 'contact.duplicate_id', 'each contact appears once');
      });
    }
    return parsed.filter((item): item is Contact => item !== undefined);
  });
}

/** The one-contact counterpart of the check in `contacts`: no two contacts of a partner share an email. */
function requireUniqueEmail(candidate: Contact, others: readonly Contact[]): void {
  if (candidate.email !== undefined && others.some((other) => other.id !== candidate.id && other.email === candidate.email)) {
    throw ValidationError.of('email', 'contact.duplicate_email', 'another contact of this partner has this email address');
  }
}

/**
 * The external id a partner holds, which no other partner of the tenant may take and by which lookups find it: its own
 * while it is active. An archived partner keeps its external id in its state, as history, but holds it no more, so a
 * customer re-created as a new partner can take it back (audit lifecycle F5).
 */
export function heldExternalId(partner: { readonly externalId?: string; readonly status: PartnerStatus }): string | undefined {
  return partner.status === 'archived' ? undefined : partner.externalId;
}

/**
 * Why `partner` may not be saved with its external id: another partner of the tenant holds it (`holders`: those the
 * store has holding it, see {@link heldExternalId}). A partner among the holders already had it: keeping it is not
 * taking it, even beside a twin stored before saves checked this (a lock-free check let two at once both take one).
 * An archived partner takes nothing.
 */
export function externalIdTaken(partner: Partner, holders: readonly { readonly id: PartnerId }[]): ConflictError | undefined {
  const externalId = heldExternalId(partner);
  const holder = holders.find((other) => other.id !== partner.id);
  if (externalId === undefined || holder === undefined || holders.some((other) => other.id === partner.id)) return undefined;
  return new ConflictError('partner.external_id_taken', `external id ${externalId} is partner ${holder.id}'s`, { externalId, partnerId: holder.id });
}
