import { ATELIER_PURCHASING, BUYER_DETAILS, PURCHASING_CONTACT, PURCHASING_CONTACT_CHANGE, SELLER } from '../docs/example-scenario';
import { CONTACT_DETAILS, IDEMPOTENT, IF_MATCH, PAGED, PARTNER_DETAILS, SIGNED_IN, VALIDATED, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { toPageResponse } from '../http/responses';
import { toContactMatchResponse, toContactResponse, toPartnerResponse } from './partner.mapper';

// A German software house (the seller of the other examples) and its customer, a Hamburg engineering firm.

/** A partner has at most 200 contacts (partner.ts, `MAX_CONTACTS_PER_PARTNER`). */
const TOO_MANY_CONTACTS: ProblemCodes = { 400: ['partner.too_many_contacts'] };

/** What each partners operation may answer, by status: from its use case (partner.use-cases.ts) and its guards. */
export const PARTNER_PROBLEM_CODES = {
  createPartner: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, PARTNER_DETAILS, CONTACT_DETAILS, TOO_MANY_CONTACTS),
  listPartners: answers(SIGNED_IN, PAGED),
  getPartner: answers(SIGNED_IN, { 404: ['partner.not_found'] }),
  updatePartner: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, PARTNER_DETAILS, { 404: ['partner.not_found'], 409: ['partner.archived'] }),
  archivePartner: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partner.not_found'], 409: ['partner.archived', 'partner.billing_pending'] }),
  replaceContacts: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, CONTACT_DETAILS, {
    400: ['contact.duplicate_id', 'partner.too_many_contacts'],
    404: ['partner.not_found', 'contact.not_found'],
    409: ['partner.archived'],
  }),
  addContact: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, IF_MATCH, CONTACT_DETAILS, TOO_MANY_CONTACTS, { 404: ['partner.not_found'], 409: ['partner.archived'] }),
  changeContact: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, CONTACT_DETAILS, { 404: ['partner.not_found', 'contact.not_found'], 409: ['partner.archived'] }),
  removeContact: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partner.not_found', 'contact.not_found'], 409: ['partner.archived'] }),
  searchContacts: answers(SIGNED_IN, VALIDATED, { 400: ['contact_search.query_too_short', 'pagination.invalid_limit'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the partners operations, by operation id. */
export const partnerExamples: ExamplesOf<keyof typeof PARTNER_PROBLEM_CODES> = ({ partners: p }) => ({
  createPartner: { request: SELLER, response: toPartnerResponse(p.seller), problems: [{ path: 'identifiers.vatId', code: 'partner.invalid_vat_id' }] },
  listPartners: { response: toPageResponse(p.page, toPartnerResponse) },
  getPartner: { response: toPartnerResponse(p.buyer), problems: ['partner.not_found'] },
  updatePartner: {
    request: BUYER_DETAILS,
    response: toPartnerResponse(p.buyerUpdated),
    problems: [{ path: 'addresses.0.countryCode', code: 'address.invalid_country' }, 'partner.not_found', 'partner.archived'],
  },
  archivePartner: { response: toPartnerResponse(p.atelierArchived), problems: ['partner.not_found', 'partner.archived'] },
  replaceContacts: {
    // The contact kept names its id; the one without is added.
    request: { contacts: [...p.atelierContactsReplaced.contacts.slice(0, 1).map(toContactResponse), ATELIER_PURCHASING] },
    response: toPartnerResponse(p.atelierContactsReplaced),
    // Not one field's fault: the list as a whole.
    problems: [{ path: '', code: 'contact.duplicate_email' }, 'contact.not_found', 'partner.archived'],
  },
  addContact: { request: PURCHASING_CONTACT, response: toContactResponse(p.purchasingContact), problems: [{ path: 'email', code: 'contact.invalid_email' }, 'partner.not_found', 'partner.archived'] },
  changeContact: {
    request: PURCHASING_CONTACT_CHANGE,
    response: toContactResponse(p.purchasingContactChanged),
    problems: [{ path: 'email', code: 'contact.duplicate_email' }, 'contact.not_found', 'partner.archived'],
  },
  removeContact: { response: toPartnerResponse(p.buyerContactRemoved), problems: ['contact.not_found', 'partner.archived'] },
  searchContacts: { response: p.contactMatches.map(toContactMatchResponse), problems: [{ path: 'query', code: 'contact_search.query_too_short' }] },
});
