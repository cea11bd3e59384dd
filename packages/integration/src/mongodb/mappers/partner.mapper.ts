import { heldExternalId, type Contact, type PartnerAddress, type PartnerId, type PartnerIdentifiers, type PartnerState, type PostalAddress, type SearchedPartner } from '@invoicing/invoice';
import { envelopeOf, identityOf, type AggregateDocument, type AggregateMapper } from './aggregate-document';
import { storedFormatOf } from './stored-format';
import { decodeState, encodeState } from './stored-state';
import { paymentTermsToDomain, paymentTermsToPersistence } from './partnership.mapper';
import { compact, dateToDomain, optional, type AllFieldsOf } from './value.mapper';

/** Identifiers as stored; also those of the party snapshots on invoices. */
export function identifiersToPersistence(identifiers: PartnerIdentifiers) {
  return compact({
    vatId: identifiers.vatId,
    taxRegistrationId: identifiers.taxRegistrationId,
    legalRegistration: optional(identifiers.legalRegistration, (registration) =>
      compact({ value: registration.value, scheme: registration.scheme } satisfies AllFieldsOf<typeof registration>),
    ),
    electronicAddress: optional(identifiers.electronicAddress, (address) => ({ scheme: address.scheme, value: address.value }) satisfies AllFieldsOf<typeof address>),
  } satisfies AllFieldsOf<PartnerIdentifiers>);
}

export function identifiersToDomain(stored: ReturnType<typeof identifiersToPersistence>): PartnerIdentifiers {
  return compact({
    vatId: stored.vatId,
    taxRegistrationId: stored.taxRegistrationId,
    legalRegistration: optional(stored.legalRegistration, (registration) => compact({ value: registration.value, scheme: registration.scheme })),
    electronicAddress: optional(stored.electronicAddress, (address) => ({ scheme: address.scheme, value: address.value })),
  } satisfies AllFieldsOf<PartnerIdentifiers>);
}

/** A postal address as stored (the same fields both ways); also that of the party snapshots on invoices. */
export function postalAddressFields(address: PostalAddress): PostalAddress {
  return compact({
    lines: [...address.lines],
    city: address.city,
    postalCode: address.postalCode,
    subdivision: address.subdivision,
    countryCode: address.countryCode,
  } satisfies AllFieldsOf<PostalAddress>);
}

function addressFields(address: PartnerAddress): PartnerAddress {
  return compact({
    purpose: address.purpose,
    lines: [...address.lines],
    city: address.city,
    postalCode: address.postalCode,
    subdivision: address.subdivision,
    countryCode: address.countryCode,
  } satisfies AllFieldsOf<PartnerAddress>);
}

/** A contact as stored (the same fields both ways); contact search reads contacts alone through it. */
function contactFields(contact: Contact): Contact {
  return compact({ id: contact.id, name: contact.name, email: contact.email, phone: contact.phone, role: contact.role } satisfies AllFieldsOf<Contact>);
}

type StoredFields = Omit<PartnerState, 'tenantId' | 'id' | 'version'>;

function stateToPersistence(state: PartnerState) {
  return compact({
    kind: state.kind,
    legalName: state.legalName,
    tradingName: state.tradingName,
    externalId: state.externalId,
    identifiers: identifiersToPersistence(state.identifiers),
    addresses: state.addresses.map(addressFields),
    contacts: state.contacts.map(contactFields),
    defaultCurrency: state.defaultCurrency,
    defaultPaymentTerms: optional(state.defaultPaymentTerms, paymentTermsToPersistence),
    status: state.status,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  } satisfies AllFieldsOf<StoredFields>);
}

/**
 * The top-level field a partner is found by (ADR 0012): the external id it holds (`heldExternalId`), or null when it
 * holds none, archived partners included, whose state keeps theirs. Null, not left out: an update sets the document's
 * fields and would leave a removed id in place. No new stored format: the key is written from the state on every save
 * and never read back, so a document of either meaning reads the same, and an earlier release only writes it back as
 * it did (lookups narrow by status for such documents).
 */
export function partnerKeys(state: PartnerState) {
  return { externalId: heldExternalId(state) ?? null };
}

/** A partner's document. */
export type PartnerDocument = AggregateDocument<ReturnType<typeof stateToPersistence>, ReturnType<typeof derivePartner>, ReturnType<typeof partnerKeys>>;

/** What partner lists filter on, beside the state (which is stored as one string). */
export function derivePartner(state: PartnerState) {
  return { status: state.status };
}

/** Partners ↔ `partners` documents. */
export const partnerMapper: AggregateMapper<PartnerState, PartnerDocument> = {
  toPersistence: (state) => ({ ...envelopeOf(state), ...partnerKeys(state), state: encodeState(stateToPersistence(state)), derived: derivePartner(state) }),
  toDomain(document) {
    const identity = identityOf<PartnerId>(document, 'partners');
    const state = decodeState(document.state);
    return compact({
      ...identity,
      kind: state.kind,
      legalName: state.legalName,
      tradingName: state.tradingName,
      externalId: state.externalId,
      identifiers: identifiersToDomain(state.identifiers),
      addresses: state.addresses.map(addressFields),
      contacts: state.contacts.map(contactFields),
      defaultCurrency: state.defaultCurrency,
      defaultPaymentTerms: optional(state.defaultPaymentTerms, paymentTermsToDomain),
      status: state.status,
      createdAt: dateToDomain(state.createdAt),
      updatedAt: dateToDomain(state.updatedAt),
    } satisfies AllFieldsOf<PartnerState>);
  },
};

/** The fields of a partner's document that contact search reads: its name and contacts are in its state. */
export const SEARCHED_PARTNER_FIELDS = { _id: 1, _v: 1, id: 1, state: 1 } as const;

/**
 * What contact search reads of a partner's document ({@link SEARCHED_PARTNER_FIELDS}): its id, legal name and contacts.
 * Names and contacts are plain texts in the stored state, so `JSON.parse` reads them as `decodeState` would, without
 * its walk over the rest of the state (dates, amounts) nor the mapping of fields the search never looks at. The
 * contacts are those stored, not copied field by field (that took more time than scoring them): a search maps the few
 * it answers with {@link searchedContactOf}.
 * @throws UnsupportedStoredFormatError
 */
export function searchedPartnerOf(document: Pick<PartnerDocument, '_id' | '_v' | 'id' | 'state'>): SearchedPartner {
  storedFormatOf(document, `partners ${document._id}`);
  const state = (typeof document.state === 'string' ? JSON.parse(document.state) : document.state) as Pick<StoredFields, 'legalName' | 'contacts'>;
  return { id: document.id as PartnerId, legalName: state.legalName, contacts: state.contacts };
}

/** A contact of {@link searchedPartnerOf} as `toDomain` reads it. */
export function searchedContactOf(stored: Contact): Contact {
  return contactFields(stored);
}
