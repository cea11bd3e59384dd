import { requiredObject } from '@invoicing/core';
import { stripUndefined, type PostalAddress } from '../shared/postal-address';
import type { ContactId, PartnerId } from '../shared/ids';
import type { Partner, PartnerIdentifiers } from '../partner/partner';

/**
 * Seller or buyer as they were when the document was issued (BG-4 / BG-7).
 * Later changes to the partner never alter an issued document.
 */
export interface PartySnapshot {
  readonly partnerId: PartnerId;
  readonly legalName: string;
  readonly tradingName?: string;
  readonly identifiers: PartnerIdentifiers;
  readonly address?: PostalAddress;
  /** The contact point named on the document (BG-6 / BG-9). */
  readonly contact?: { readonly id: ContactId; readonly name: string; readonly email?: string; readonly phone?: string };
}

/**
 * Freezes a partner (and optionally one of its contacts) for a document.
 * @throws ValidationError `request.is_object` at `partner` when no partner is given; NotFoundError `contact.not_found`
 */
export function partySnapshot(partner: Partner, contactId?: ContactId): PartySnapshot {
  const state = requiredObject(partner, 'partner').toState();
  const contact = contactId === undefined ? undefined : partner.contact(contactId);
  const address = partner.billingAddress;
  return stripUndefined({
    partnerId: partner.id,
    legalName: state.legalName,
    tradingName: state.tradingName,
    identifiers: state.identifiers,
    address: address === undefined ? undefined : stripUndefined({ lines: address.lines, city: address.city, postalCode: address.postalCode, subdivision: address.subdivision, countryCode: address.countryCode }),
    contact: contact === undefined ? undefined : stripUndefined({ id: contact.id, name: contact.name, email: contact.email, phone: contact.phone }),
  });
}
