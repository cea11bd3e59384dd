import {
  CONTACT_DETAILS,
  EXAMPLE_IDS as ids,
  IDEMPOTENT,
  IF_MATCH,
  PAGED,
  PARTNER_DETAILS,
  SIGNED_IN,
  VALIDATED,
  WITH_BODY,
  answers,
  type OperationExamples,
  type ProblemCodes,
} from '../docs/examples-support';

// A German software house (the seller of the other examples) and its customer, a Hamburg engineering firm.

const PARTNER_NOT_FOUND = { code: 'partner.not_found', detail: `partner ${ids.buyer} was not found` };
const PARTNER_ARCHIVED = { code: 'partner.archived', detail: `partner ${ids.buyer} is archived` };

/** What each partners operation may answer, by status: from its use case (partner.use-cases.ts) and its guards. */
export const PARTNER_PROBLEM_CODES = {
  createPartner: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, PARTNER_DETAILS, CONTACT_DETAILS),
  listPartners: answers(SIGNED_IN, PAGED),
  getPartner: answers(SIGNED_IN, { 404: ['partner.not_found'] }),
  updatePartner: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, PARTNER_DETAILS, { 404: ['partner.not_found'], 409: ['partner.archived'] }),
  archivePartner: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partner.not_found'], 409: ['partner.archived'] }),
  replaceContacts: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, CONTACT_DETAILS, {
    400: ['contact.duplicate_id'],
    404: ['partner.not_found', 'contact.not_found'],
    409: ['partner.archived'],
  }),
  addContact: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, IF_MATCH, CONTACT_DETAILS, { 404: ['partner.not_found'], 409: ['partner.archived'] }),
  changeContact: answers(SIGNED_IN, WITH_BODY, VALIDATED, IF_MATCH, CONTACT_DETAILS, { 404: ['partner.not_found', 'contact.not_found'], 409: ['partner.archived'] }),
  removeContact: answers(SIGNED_IN, WITH_BODY, IF_MATCH, { 404: ['partner.not_found', 'contact.not_found'], 409: ['partner.archived'] }),
  searchContacts: answers(SIGNED_IN, VALIDATED, { 400: ['contact_search.query_too_short', 'pagination.invalid_limit'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the partners operations, by operation id. */
export const PARTNER_EXAMPLES = {
  createPartner: {
    request: {
      kind: 'company',
      legalName: 'Nordlicht Software GmbH',
      tradingName: 'Nordlicht',
      identifiers: {
        vatId: 'DE298765431',
        legalRegistration: { value: 'HRB 214876 B' },
        electronicAddress: { scheme: '9930', value: 'DE298765431' },
      },
      addresses: [{ purpose: 'billing', lines: ['Friedrichstraße 120'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' }],
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'net', days: 14 },
      contacts: [{ name: 'Jonas Weber', email: 'rechnungen@nordlicht-software.de', phone: '+49 30 2345 6780', role: 'billing' }],
    },
    response: {
      id: ids.seller,
      version: 1,
      kind: 'company',
      status: 'active',
      legalName: 'Nordlicht Software GmbH',
      tradingName: 'Nordlicht',
      identifiers: {
        vatId: 'DE298765431',
        legalRegistration: { value: 'HRB 214876 B' },
        electronicAddress: { scheme: '9930', value: 'DE298765431' },
      },
      addresses: [{ purpose: 'billing', lines: ['Friedrichstraße 120'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' }],
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'net', days: 14 },
      contacts: [
        {
          id: ids.sellerContact,
          name: 'Jonas Weber',
          email: 'rechnungen@nordlicht-software.de',
          phone: '+49 30 2345 6780',
          role: 'billing',
        },
      ],
      createdAt: '2026-11-30T09:41:09.341Z',
      updatedAt: '2026-11-30T09:41:09.341Z',
    },
    problems: {
      400: [
        {
          code: 'partner.invalid_vat_id',
          detail: 'identifiers.vatId: a VAT id starts with its two-letter country prefix, e.g. FR12345678901',
          errors: [{ path: 'identifiers.vatId', code: 'partner.invalid_vat_id', message: 'a VAT id starts with its two-letter country prefix, e.g. FR12345678901' }],
        },
      ],
    },
  },
  listPartners: {
    response: {
      items: [
        {
          id: ids.seller,
          version: 1,
          kind: 'company',
          status: 'active',
          legalName: 'Nordlicht Software GmbH',
          tradingName: 'Nordlicht',
          identifiers: {
            vatId: 'DE298765431',
            legalRegistration: { value: 'HRB 214876 B' },
            electronicAddress: { scheme: '9930', value: 'DE298765431' },
          },
          addresses: [{ purpose: 'billing', lines: ['Friedrichstraße 120'], city: 'Berlin', postalCode: '10117', countryCode: 'DE' }],
          defaultCurrency: 'EUR',
          defaultPaymentTerms: { kind: 'net', days: 14 },
          contacts: [
            {
              id: ids.sellerContact,
              name: 'Jonas Weber',
              email: 'rechnungen@nordlicht-software.de',
              phone: '+49 30 2345 6780',
              role: 'billing',
            },
          ],
          createdAt: '2026-11-30T09:41:09.341Z',
          updatedAt: '2026-11-30T09:41:09.341Z',
        },
        {
          id: ids.buyer,
          version: 1,
          kind: 'company',
          status: 'active',
          legalName: 'Brandt Maschinenbau GmbH',
          identifiers: { vatId: 'DE134679258', electronicAddress: { scheme: '0204', value: '04011000-12345-67' } },
          addresses: [{ purpose: 'billing', lines: ['Großer Burstah 31'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' }],
          defaultCurrency: 'EUR',
          defaultPaymentTerms: { kind: 'net', days: 30 },
          contacts: [
            {
              id: ids.buyerContact,
              name: 'Anna Brandt',
              email: 'kreditoren@brandt-maschinenbau.de',
              phone: '+49 40 3698 2140',
              role: 'accounts payable',
            },
          ],
          createdAt: '2026-11-30T09:41:09.417Z',
          updatedAt: '2026-11-30T09:41:09.417Z',
        },
      ],
      nextCursor: 'JTVCJTIyMDFhMjQyNTQtZTQyOS03NmQxLWI4MTQtYWE5NjIwZDg5NzJiJTIyJTVE',
    },
  },
  getPartner: {
    response: {
      id: ids.buyer,
      version: 1,
      kind: 'company',
      status: 'active',
      legalName: 'Brandt Maschinenbau GmbH',
      identifiers: { vatId: 'DE134679258', electronicAddress: { scheme: '0204', value: '04011000-12345-67' } },
      addresses: [{ purpose: 'billing', lines: ['Großer Burstah 31'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' }],
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'net', days: 30 },
      contacts: [
        {
          id: ids.buyerContact,
          name: 'Anna Brandt',
          email: 'kreditoren@brandt-maschinenbau.de',
          phone: '+49 40 3698 2140',
          role: 'accounts payable',
        },
      ],
      createdAt: '2026-11-30T09:41:09.417Z',
      updatedAt: '2026-11-30T09:41:09.417Z',
    },
    problems: { 404: [PARTNER_NOT_FOUND] },
  },
  updatePartner: {
    request: {
      kind: 'company',
      legalName: 'Brandt Maschinenbau GmbH',
      tradingName: 'Brandt',
      identifiers: { vatId: 'DE134679258', electronicAddress: { scheme: '0204', value: '04011000-12345-67' } },
      addresses: [{ purpose: 'billing', lines: ['Großer Burstah 31', '4. OG'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' }],
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'net', days: 30 },
    },
    response: {
      id: ids.buyer,
      version: 2,
      kind: 'company',
      status: 'active',
      legalName: 'Brandt Maschinenbau GmbH',
      identifiers: { vatId: 'DE134679258', electronicAddress: { scheme: '0204', value: '04011000-12345-67' } },
      addresses: [{ purpose: 'billing', lines: ['Großer Burstah 31', '4. OG'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' }],
      contacts: [
        {
          id: ids.buyerContact,
          name: 'Anna Brandt',
          email: 'kreditoren@brandt-maschinenbau.de',
          phone: '+49 40 3698 2140',
          role: 'accounts payable',
        },
      ],
      createdAt: '2026-11-30T09:41:09.417Z',
      updatedAt: '2026-11-30T09:41:09.603Z',
      tradingName: 'Brandt',
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'net', days: 30 },
    },
    problems: {
      400: [
        {
          code: 'address.invalid_country',
          detail: 'addresses.0.countryCode: must be an ISO 3166-1 alpha-2 code such as "FR"',
          errors: [{ path: 'addresses.0.countryCode', code: 'address.invalid_country', message: 'must be an ISO 3166-1 alpha-2 code such as "FR"' }],
        },
      ],
      404: [PARTNER_NOT_FOUND],
      409: [PARTNER_ARCHIVED],
    },
  },
  archivePartner: {
    response: {
      id: ids.atelier,
      version: 3,
      kind: 'company',
      status: 'archived',
      legalName: 'Atelier Lumière SAS',
      identifiers: {
        vatId: 'FR27844123456',
        legalRegistration: { value: '844123456', scheme: '0002' },
        electronicAddress: { scheme: '0009', value: '84412345600017' },
      },
      addresses: [{ purpose: 'billing', lines: ['18 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'end_of_month', days: 45 },
      contacts: [
        {
          id: ids.atelierContact,
          name: 'Camille Durand',
          email: 'camille.durand@atelier-lumiere.fr',
          phone: '+33 1 42 60 12 34',
          role: 'comptabilité fournisseurs',
        },
        { id: ids.atelierPurchasingContact, name: 'Hugo Martin', email: 'hugo.martin@atelier-lumiere.fr', role: 'achats' },
      ],
      createdAt: '2026-11-30T09:41:09.443Z',
      updatedAt: '2026-11-30T09:41:09.794Z',
    },
    problems: { 404: [PARTNER_NOT_FOUND], 409: [PARTNER_ARCHIVED] },
  },
  replaceContacts: {
    request: {
      contacts: [
        {
          id: ids.atelierContact,
          name: 'Camille Durand',
          email: 'camille.durand@atelier-lumiere.fr',
          phone: '+33 1 42 60 12 34',
          role: 'comptabilité fournisseurs',
        },
        { name: 'Hugo Martin', email: 'hugo.martin@atelier-lumiere.fr', role: 'achats' },
      ],
    },
    response: {
      id: ids.atelier,
      version: 2,
      kind: 'company',
      status: 'active',
      legalName: 'Atelier Lumière SAS',
      identifiers: {
        vatId: 'FR27844123456',
        legalRegistration: { value: '844123456', scheme: '0002' },
        electronicAddress: { scheme: '0009', value: '84412345600017' },
      },
      addresses: [{ purpose: 'billing', lines: ['18 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'end_of_month', days: 45 },
      contacts: [
        {
          id: ids.atelierContact,
          name: 'Camille Durand',
          email: 'camille.durand@atelier-lumiere.fr',
          phone: '+33 1 42 60 12 34',
          role: 'comptabilité fournisseurs',
        },
        { id: ids.atelierPurchasingContact, name: 'Hugo Martin', email: 'hugo.martin@atelier-lumiere.fr', role: 'achats' },
      ],
      createdAt: '2026-11-30T09:41:09.443Z',
      updatedAt: '2026-11-30T09:41:09.746Z',
    },
    problems: {
      400: [
        {
          code: 'contact.duplicate_email',
          detail: 'two contacts share an email address',
          errors: [{ path: '', code: 'contact.duplicate_email', message: 'two contacts share an email address' }],
        },
      ],
      404: [{ code: 'contact.not_found', detail: `contact ${ids.purchasingContact} was not found` }],
      409: [PARTNER_ARCHIVED],
    },
  },
  addContact: {
    request: { name: 'Lukas Schmidt', email: 'l.schmidt@brandt-maschinenbau.de', phone: '+49 40 3698 2155', role: 'purchasing' },
    response: {
      id: ids.purchasingContact,
      name: 'Lukas Schmidt',
      email: 'l.schmidt@brandt-maschinenbau.de',
      phone: '+49 40 3698 2155',
      role: 'purchasing',
    },
    problems: {
      400: [
        {
          code: 'contact.invalid_email',
          detail: 'email: not an email address',
          errors: [{ path: 'email', code: 'contact.invalid_email', message: 'not an email address' }],
        },
      ],
      404: [PARTNER_NOT_FOUND],
      409: [PARTNER_ARCHIVED],
    },
  },
  changeContact: {
    request: { role: 'head of purchasing' },
    response: {
      id: ids.purchasingContact,
      name: 'Lukas Schmidt',
      email: 'l.schmidt@brandt-maschinenbau.de',
      phone: '+49 40 3698 2155',
      role: 'head of purchasing',
    },
    problems: {
      400: [
        {
          code: 'contact.duplicate_email',
          detail: 'email: another contact of this partner has this email address',
          errors: [{ path: 'email', code: 'contact.duplicate_email', message: 'another contact of this partner has this email address' }],
        },
      ],
      404: [{ code: 'contact.not_found', detail: `contact ${ids.purchasingContact} was not found` }],
      409: [PARTNER_ARCHIVED],
    },
  },
  removeContact: {
    response: {
      id: ids.buyer,
      version: 5,
      kind: 'company',
      status: 'active',
      legalName: 'Brandt Maschinenbau GmbH',
      identifiers: { vatId: 'DE134679258', electronicAddress: { scheme: '0204', value: '04011000-12345-67' } },
      addresses: [{ purpose: 'billing', lines: ['Großer Burstah 31', '4. OG'], city: 'Hamburg', postalCode: '20457', countryCode: 'DE' }],
      contacts: [
        {
          id: ids.buyerContact,
          name: 'Anna Brandt',
          email: 'kreditoren@brandt-maschinenbau.de',
          phone: '+49 40 3698 2140',
          role: 'accounts payable',
        },
      ],
      createdAt: '2026-11-30T09:41:09.417Z',
      updatedAt: '2026-11-30T09:41:09.774Z',
      tradingName: 'Brandt',
      defaultCurrency: 'EUR',
      defaultPaymentTerms: { kind: 'net', days: 30 },
    },
    problems: { 404: [{ code: 'contact.not_found', detail: `contact ${ids.purchasingContact} was not found` }], 409: [PARTNER_ARCHIVED] },
  },
  searchContacts: {
    response: [
      {
        partnerId: ids.buyer,
        partnerName: 'Brandt Maschinenbau GmbH',
        contact: {
          id: ids.buyerContact,
          name: 'Anna Brandt',
          email: 'kreditoren@brandt-maschinenbau.de',
          phone: '+49 40 3698 2140',
          role: 'accounts payable',
        },
        score: 89,
        matchedOn: 'name',
        matchKind: 'prefix',
      },
    ],
    problems: {
      400: [
        {
          code: 'contact_search.query_too_short',
          detail: 'query: search with at least two characters',
          errors: [{ path: 'query', code: 'contact_search.query_too_short', message: 'search with at least two characters' }],
        },
      ],
    },
  },
} satisfies Record<keyof typeof PARTNER_PROBLEM_CODES, OperationExamples>;
