import type { Contact, ContactMatch, PartnerAddress, PartnerIdentifiers, PartnerState, PaymentTerms, PostalAddress } from '@invoicing/invoice';
import { toDecimalResponse } from '../http/responses';
import type { PartnerAddressDto, PartnerIdentifiersDto, PostalAddressDto } from './partner.dto';
import type { ContactDto, ContactMatchDto, PartnerDto, PaymentTermsViewDto } from './partner.response.dto';

/** A partner as the API answers it. */
export function toPartnerResponse(state: PartnerState): PartnerDto {
  return {
    id: state.id,
    version: state.version,
    kind: state.kind,
    legalName: state.legalName,
    tradingName: state.tradingName,
    externalId: state.externalId,
    identifiers: toPartnerIdentifiersResponse(state.identifiers),
    addresses: state.addresses.map(toPartnerAddressResponse),
    contacts: state.contacts.map(toContactResponse),
    defaultCurrency: state.defaultCurrency,
    defaultPaymentTerms: state.defaultPaymentTerms && toPaymentTermsResponse(state.defaultPaymentTerms),
    status: state.status,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

/** A contact of a partner as the API answers it. */
export function toContactResponse(contact: Contact): ContactDto {
  return { id: contact.id, name: contact.name, email: contact.email, phone: contact.phone, role: contact.role };
}

/** A contact found by a search, with its partner and how well it matched. */
export function toContactMatchResponse(match: ContactMatch): ContactMatchDto {
  return {
    partnerId: match.partnerId,
    partnerName: match.partnerName,
    contact: toContactResponse(match.contact),
    score: match.score,
    matchedOn: match.matchedOn,
    matchKind: match.matchKind,
  };
}

/** How a partner is identified, as partners and the party snapshots of invoices answer it. */
export function toPartnerIdentifiersResponse(identifiers: PartnerIdentifiers): PartnerIdentifiersDto {
  const { legalRegistration, electronicAddress } = identifiers;
  return {
    vatId: identifiers.vatId,
    taxRegistrationId: identifiers.taxRegistrationId,
    legalRegistration: legalRegistration && { value: legalRegistration.value, scheme: legalRegistration.scheme },
    electronicAddress: electronicAddress && { scheme: electronicAddress.scheme, value: electronicAddress.value },
  };
}

/** A postal address, as partners and the party snapshots of invoices answer it. */
export function toPostalAddressResponse(address: PostalAddress): PostalAddressDto {
  return { lines: [...address.lines], city: address.city, postalCode: address.postalCode, subdivision: address.subdivision, countryCode: address.countryCode };
}

function toPartnerAddressResponse(address: PartnerAddress): PartnerAddressDto {
  return { ...toPostalAddressResponse(address), purpose: address.purpose };
}

/** Payment terms, as partners, partnerships and invoices answer them: only the fields of their kind. */
export function toPaymentTermsResponse(terms: PaymentTerms): PaymentTermsViewDto {
  switch (terms.kind) {
    case 'due_on_receipt':
      return { kind: terms.kind };
    case 'net':
    case 'end_of_month':
      return { kind: terms.kind, days: terms.days };
    case 'instalments':
      return { kind: terms.kind, instalments: terms.instalments.map((instalment) => ({ percent: toDecimalResponse(instalment.percent), days: instalment.days })) };
  }
}
