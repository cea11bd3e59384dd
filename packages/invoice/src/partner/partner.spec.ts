import { describe, expect, it } from '@jest/globals';
import { InvalidStateError, NotFoundError, tenantId } from '@invoicing/core';
import type { ContactId, PartnerId } from '../shared/ids';
import { MAX_CONTACTS_PER_PARTNER, Partner, type ContactInput, type PartnerDetails } from './partner';
import { issuesOf, thrown } from '../testing/assertions';
import { attempt, tamperWith } from '../testing/tamper';

const tenant = tenantId('acme');
const at = new Date('2026-01-15T09:00:00Z');
const later = new Date('2026-01-20T10:00:00Z');
const partnerId = 'p-1' as PartnerId;

/** Hands out c-1, c-2 … as the use case's id generator would. */
function contactIds(): () => ContactId {
  let next = 0;
  return () => {
    next += 1;
    return `c-${next}` as ContactId;
  };
}

const address = { lines: ['1 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' };

function create(command: Partial<PartnerDetails> & { contacts?: readonly ContactInput[] } = {}): Partner {
  return Partner.create({ legalName: 'Acme SAS', ...command }, { tenantId: tenant, id: partnerId, newContactId: contactIds(), at });
}

/** A partner with two saved contacts, c-1 (Anna) and c-2 (Ben). */
function withContacts(): Partner {
  const partner = create({ contacts: [{ name: 'Anna Smith', email: 'anna@acme.example' }, { name: 'Ben Jones', phone: '+33 1 23 45 67 89' }] });
  partner.markSaved();
  return partner;
}

describe('Partner', () => {
  describe('create', () => {
    it('registers an active company with defaults and raises partner.created', () => {
      const partner = create();

      expect(partner.toState()).toEqual({
        tenantId: 'acme',
        id: 'p-1',
        version: 0,
        kind: 'company',
        legalName: 'Acme SAS',
        identifiers: {},
        addresses: [],
        contacts: [],
        status: 'active',
        createdAt: at,
        updatedAt: at,
      });
      expect(partner.pendingEvents).toEqual([expect.objectContaining({ type: 'partner.created', aggregateId: 'p-1', payload: { partnerId: 'p-1', legalName: 'Acme SAS' } })]);
    });

    it('normalises what it keeps: trimmed texts, VAT id without spaces in upper case, emails in lower case, billing addresses by default', () => {
      const partner = create({
        kind: 'person',
        legalName: '  Jane Doe  ',
        tradingName: ' JD Consulting ',
        identifiers: { vatId: 'fr 123 456 789 01', electronicAddress: { scheme: '0088', value: '5790000435975' }, legalRegistration: { value: '123 456 789', scheme: '0002' } },
        addresses: [address],
        defaultCurrency: 'EUR',
        defaultPaymentTerms: { kind: 'net', days: 30 },
        contacts: [{ name: ' Jane ', email: 'Jane@Example.COM', phone: '+33 6 12 34 56 78', role: 'owner' }],
      });

      expect(partner.toState()).toMatchObject({
        kind: 'person',
        legalName: 'Jane Doe',
        tradingName: 'JD Consulting',
        identifiers: { vatId: 'FR12345678901', electronicAddress: { scheme: '0088', value: '5790000435975' }, legalRegistration: { value: '123 456 789', scheme: '0002' } },
        addresses: [{ purpose: 'billing', ...address }],
        defaultCurrency: 'EUR',
        defaultPaymentTerms: { kind: 'net', days: 30 },
      });
      expect(partner.contacts).toEqual([{ id: 'c-1', name: 'Jane', email: 'jane@example.com', phone: '+33 6 12 34 56 78', role: 'owner' }]);
    });

    it('reports every bad field at once, each under its own path', () => {
      const issues = issuesOf(() =>
        create({
          kind: 'robot' as 'company',
          legalName: ' ',
          identifiers: { vatId: '12345678', electronicAddress: { scheme: 'AB12', value: 'x' } },
          addresses: [{ lines: [], countryCode: 'fr' }],
          defaultCurrency: 'EURO',
          defaultPaymentTerms: { kind: 'net', days: -1 },
          contacts: [{ name: 'Anna', email: 'not-an-email' }, { name: 'Ben', phone: 'call me' }, { name: '' }],
        }),
      );

      expect(issues).toEqual([
        { path: 'kind', code: 'partner.invalid_kind' },
        { path: 'legalName', code: 'text.required' },
        { path: 'identifiers.vatId', code: 'partner.invalid_vat_id' },
        { path: 'identifiers.electronicAddress.scheme', code: 'partner.invalid_eas_scheme' },
        { path: 'addresses.0.countryCode', code: 'address.invalid_country' },
        { path: 'defaultCurrency', code: 'money.unknown_currency' },
        { path: 'defaultPaymentTerms.days', code: 'payment_terms.invalid_days' },
        { path: 'contacts.0.email', code: 'contact.invalid_email' },
        { path: 'contacts.1.phone', code: 'contact.invalid_phone' },
        { path: 'contacts.2.name', code: 'text.required' },
      ]);
    });

    it.each(['FR12345678901', 'DE123456789', 'ATU12345678', 'be 0123.456.789', 'NL123456789B01'])('accepts the VAT id %s', (vatId) => {
      expect(create({ identifiers: { vatId } }).identifiers.vatId).toBe(vatId.replace(/\s/g, '').toUpperCase());
    });

    it.each(['12345678901', 'F12345678', 'FR1', 'FR1234567890123X', 'FR12_345'])('refuses the VAT id %s', (vatId) => {
      expect(issuesOf(() => create({ identifiers: { vatId } }))).toEqual([{ path: 'identifiers.vatId', code: 'partner.invalid_vat_id' }]);
    });

    it.each([
      ['088', 'partner.invalid_eas_scheme'],
      ['AB12', 'partner.invalid_eas_scheme'],
      ['00 8', 'partner.invalid_eas_scheme'],
      ['00881', 'text.too_long'],
      ['', 'text.required'],
    ])('refuses the EAS scheme "%s" with %s: a scheme is four digits', (scheme, code) => {
      expect(issuesOf(() => create({ identifiers: { electronicAddress: { scheme, value: '5790000435975' } } }))).toEqual([
        { path: 'identifiers.electronicAddress.scheme', code },
      ]);
    });

    it('requires the value of an electronic address and of a legal registration', () => {
      expect(
        issuesOf(() => create({ identifiers: { electronicAddress: { scheme: '0088', value: ' ' }, legalRegistration: { value: '' } } })),
      ).toEqual([
        { path: 'identifiers.legalRegistration.value', code: 'text.required' },
        { path: 'identifiers.electronicAddress.value', code: 'text.required' },
      ]);
    });

    it.each(['anna', 'anna@example', 'an na@example.com', '@example.com'])('refuses the email %s', (email) => {
      expect(issuesOf(() => create({ contacts: [{ name: 'Anna', email }] }))).toEqual([{ path: 'contacts.0.email', code: 'contact.invalid_email' }]);
    });

    it.each(['+33 1 23 45 67 89', '(555) 123-4567', '030.1234.5678'])('accepts the phone %s', (phone) => {
      expect(create({ contacts: [{ name: 'Anna', phone }] }).contacts[0]?.phone).toBe(phone);
    });

    it.each(['call me', '123', '+33 1 23 45 67 89 ext. 5', '33+123456'])('refuses the phone %s', (phone) => {
      expect(issuesOf(() => create({ contacts: [{ name: 'Anna', phone }] }))).toEqual([{ path: 'contacts.0.phone', code: 'contact.invalid_phone' }]);
    });

    it('refuses two contacts with the same email, whatever its case', () => {
      expect(issuesOf(() => create({ contacts: [{ name: 'Anna', email: 'anna@acme.example' }, { name: 'Anne', email: 'ANNA@acme.example' }] }))).toEqual([
        { path: 'contacts', code: 'contact.duplicate_email' },
      ]);
    });

    it('refuses an address with a lower-case or three-letter country, or more than three lines', () => {
      expect(
        issuesOf(() =>
          create({
            addresses: [
              { lines: [], countryCode: 'fr' },
              { lines: [], countryCode: 'FRA' },
              { lines: ['1', '2', '3', '4'], countryCode: 'FR' },
            ],
          }),
        ),
      ).toEqual([
        { path: 'addresses.0.countryCode', code: 'address.invalid_country' },
        { path: 'addresses.1.countryCode', code: 'address.invalid_country' },
        { path: 'addresses.2.lines', code: 'address.too_many_lines' },
      ]);
    });

    it('refuses payment terms of an unknown kind', () => {
      expect(issuesOf(() => create({ defaultPaymentTerms: { kind: 'someday' } as never }))).toEqual([{ path: 'defaultPaymentTerms.kind', code: 'payment_terms.unknown_kind' }]);
    });
  });

  describe('update', () => {
    it('replaces the details, keeps contacts and status, and raises partner.updated', () => {
      const partner = withContacts();

      partner.update({ legalName: 'Acme Group', identifiers: { vatId: 'FR99999999999' }, addresses: [address], defaultCurrency: 'USD' }, later);

      expect(partner.toState()).toMatchObject({
        legalName: 'Acme Group',
        identifiers: { vatId: 'FR99999999999' },
        addresses: [{ purpose: 'billing', ...address }],
        defaultCurrency: 'USD',
        status: 'active',
        createdAt: at,
        updatedAt: later,
      });
      expect(partner.contacts.map((contact) => contact.id)).toEqual(['c-1', 'c-2']);
      expect(partner.pendingEvents).toEqual([expect.objectContaining({ type: 'partner.updated', payload: { partnerId: 'p-1' } })]);
    });

    it('drops the optional details the new ones leave out, since it replaces rather than merges', () => {
      const partner = create({ tradingName: 'Acme', defaultCurrency: 'EUR', defaultPaymentTerms: { kind: 'net', days: 30 }, identifiers: { vatId: 'FR12345678901' }, addresses: [address] });

      partner.update({ legalName: 'Acme SAS' }, later);

      const state = partner.toState();
      expect(state.tradingName).toBeUndefined();
      expect(state.defaultCurrency).toBeUndefined();
      expect(state.defaultPaymentTerms).toBeUndefined();
      expect(state.identifiers).toEqual({});
      expect(state.addresses).toEqual([]);
    });

    it('changes nothing when the new details are invalid', () => {
      const partner = withContacts();
      const before = partner.toState();

      expect(issuesOf(() => partner.update({ legalName: '', identifiers: { vatId: '12-34' } }, later))).toEqual([
        { path: 'legalName', code: 'text.required' },
        { path: 'identifiers.vatId', code: 'partner.invalid_vat_id' },
      ]);
      expect(partner.toState()).toEqual(before);
      expect(partner.pendingEvents).toEqual([]);
    });
  });

  describe('replaceContacts', () => {
    it('keeps the ids it is given, assigns new ones to the others, drops the contacts left out, and raises partner.contacts_replaced', () => {
      const partner = withContacts();

      partner.replaceContacts([{ name: 'Carla', email: 'carla@acme.example' }, { id: 'c-2' as ContactId, name: 'Ben Jones', role: 'accounts payable' }], {
        newContactId: () => 'c-9' as ContactId,
        at: later,
      });

      expect(partner.contacts).toEqual([
        { id: 'c-9', name: 'Carla', email: 'carla@acme.example' },
        { id: 'c-2', name: 'Ben Jones', role: 'accounts payable' },
      ]);
      expect(partner.pendingEvents).toEqual([expect.objectContaining({ type: 'partner.contacts_replaced', payload: { partnerId: 'p-1', contactIds: ['c-9', 'c-2'] } })]);
    });

    it('refuses an id that is not one of the partner contacts, and changes nothing', () => {
      const partner = withContacts();
      const before = partner.toState();

      const error = thrown(() => partner.replaceContacts([{ id: 'c-404' as ContactId, name: 'Ghost' }], { newContactId: contactIds(), at: later }));

      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'contact.not_found', details: { id: 'c-404' } });
      expect(partner.toState()).toEqual(before);
    });

    it('refuses the same id twice', () => {
      const partner = withContacts();

      expect(
        issuesOf(() =>
          partner.replaceContacts([{ id: 'c-1' as ContactId, name: 'Anna' }, { id: 'c-1' as ContactId, name: 'Anna again' }], { newContactId: contactIds(), at: later }),
        ),
      ).toEqual([{ path: '', code: 'contact.duplicate_id' }]);
      expect(partner.contacts).toHaveLength(2);
    });

    it('refuses invalid or duplicate emails with the index of each contact', () => {
      const partner = withContacts();

      expect(
        issuesOf(() =>
          partner.replaceContacts([{ name: 'A', email: 'a@x.example' }, { name: 'B', email: 'A@X.example' }, { name: 'C', email: 'c' }], {
            newContactId: contactIds(),
            at: later,
          }),
        ),
      ).toEqual([
        { path: '2.email', code: 'contact.invalid_email' },
        { path: '', code: 'contact.duplicate_email' },
      ]);
    });

    it('accepts an empty list', () => {
      const partner = withContacts();

      partner.replaceContacts([], { newContactId: contactIds(), at: later });

      expect(partner.contacts).toEqual([]);
    });
  });

  describe('addContact', () => {
    it('adds a contact with the given id, returns it and raises partner.contact_added', () => {
      const partner = withContacts();

      const added = partner.addContact({ name: 'Carla', email: 'Carla@Acme.example' }, { id: 'c-3' as ContactId, at: later });

      expect(added).toEqual({ id: 'c-3', name: 'Carla', email: 'carla@acme.example' });
      expect(partner.contacts.map((contact) => contact.id)).toEqual(['c-1', 'c-2', 'c-3']);
      expect(partner.pendingEvents).toEqual([expect.objectContaining({ type: 'partner.contact_added', payload: { partnerId: 'p-1', contactId: 'c-3' } })]);
    });

    it('refuses an invalid contact', () => {
      expect(issuesOf(() => withContacts().addContact({ name: '', phone: 'x' }, { id: 'c-3' as ContactId, at: later }))).toEqual([
        { path: 'name', code: 'text.required' },
        { path: 'phone', code: 'contact.invalid_phone' },
      ]);
    });

    it('refuses an email another contact has in another Unicode form (review of 7 December 2026)', () => {
      const partner = withContacts();
      partner.addContact({ name: 'José', email: 'jos\u00e9@acme.example' }, { id: 'c-3' as ContactId, at: later });

      expect(issuesOf(() => partner.addContact({ name: 'José bis', email: 'jose\u0301@acme.example' }, { id: 'c-4' as ContactId, at: later }))).toEqual([
        { path: 'email', code: 'contact.duplicate_email' },
      ]);
    });

    it('refuses an email another contact of the partner already has', () => {
      const partner = withContacts();

      expect(issuesOf(() => partner.addContact({ name: 'Anna bis', email: 'ANNA@acme.example' }, { id: 'c-3' as ContactId, at: later }))).toEqual([
        { path: 'email', code: 'contact.duplicate_email' },
      ]);
      expect(partner.contacts).toHaveLength(2);
    });
  });

  describe('updateContact', () => {
    it('changes the given fields only, returns the contact and raises partner.contact_updated', () => {
      const partner = withContacts();

      const updated = partner.updateContact('c-1' as ContactId, { phone: '+44 20 7946 0000', role: 'CFO' }, later);

      expect(updated).toEqual({ id: 'c-1', name: 'Anna Smith', email: 'anna@acme.example', phone: '+44 20 7946 0000', role: 'CFO' });
      expect(partner.contact('c-1' as ContactId)).toEqual(updated);
      expect(partner.contact('c-2' as ContactId).name).toBe('Ben Jones');
      expect(partner.pendingEvents).toEqual([expect.objectContaining({ type: 'partner.contact_updated', payload: { partnerId: 'p-1', contactId: 'c-1' } })]);
    });

    it('refuses an unknown contact with contact.not_found', () => {
      expect(thrown(() => withContacts().updateContact('c-404' as ContactId, { name: 'X' }, later))).toBeInstanceOf(NotFoundError);
    });

    it('refuses an invalid change and keeps the contact as it was', () => {
      const partner = withContacts();

      expect(issuesOf(() => partner.updateContact('c-1' as ContactId, { email: 'anna' }, later))).toEqual([{ path: 'email', code: 'contact.invalid_email' }]);
      expect(partner.contact('c-1' as ContactId).email).toBe('anna@acme.example');
    });

    it('refuses an email another contact of the partner already has, but accepts the contact own email again', () => {
      const partner = withContacts();

      expect(issuesOf(() => partner.updateContact('c-2' as ContactId, { email: 'anna@acme.example' }, later))).toEqual([{ path: 'email', code: 'contact.duplicate_email' }]);
      expect(partner.updateContact('c-1' as ContactId, { email: 'Anna@Acme.example' }, later).email).toBe('anna@acme.example');
    });
  });

  describe('removeContact', () => {
    it('removes the contact and raises partner.contact_removed', () => {
      const partner = withContacts();

      partner.removeContact('c-1' as ContactId, later);

      expect(partner.contacts.map((contact) => contact.id)).toEqual(['c-2']);
      expect(partner.pendingEvents).toEqual([expect.objectContaining({ type: 'partner.contact_removed', payload: { partnerId: 'p-1', contactId: 'c-1' } })]);
    });

    it('refuses an unknown contact with contact.not_found', () => {
      const partner = withContacts();

      expect(thrown(() => partner.removeContact('c-404' as ContactId, later))).toMatchObject({ code: 'contact.not_found' });
      expect(partner.contacts).toHaveLength(2);
    });
  });

  describe('contact', () => {
    it('finds a contact by id, and throws contact.not_found otherwise', () => {
      const partner = withContacts();

      expect(partner.contact('c-2' as ContactId).name).toBe('Ben Jones');
      expect(thrown(() => partner.contact('c-3' as ContactId))).toMatchObject({ code: 'contact.not_found' });
    });
  });

  describe('archive', () => {
    it('archives the partner and raises partner.archived', () => {
      const partner = withContacts();

      partner.archive(later);

      expect(partner.status).toBe('archived');
      expect(partner.toState().updatedAt).toEqual(later);
      expect(partner.pendingEvents).toEqual([expect.objectContaining({ type: 'partner.archived', payload: { partnerId: 'p-1' } })]);
    });

    it.each<[string, (partner: Partner) => unknown]>([
      ['update', (partner) => partner.update({ legalName: 'New' }, later)],
      ['replaceContacts', (partner) => partner.replaceContacts([], { newContactId: contactIds(), at: later })],
      ['addContact', (partner) => partner.addContact({ name: 'Carla' }, { id: 'c-3' as ContactId, at: later })],
      ['updateContact', (partner) => partner.updateContact('c-1' as ContactId, { name: 'Anna' }, later)],
      ['removeContact', (partner) => partner.removeContact('c-1' as ContactId, later)],
      ['archive', (partner) => partner.archive(later)],
    ])('refuses %s afterwards with partner.archived', (_command, run) => {
      const partner = withContacts();
      partner.archive(at);
      partner.markSaved();
      const before = partner.toState();

      const error = thrown(() => run(partner));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'partner.archived', details: { partnerId: 'p-1' } });
      expect(partner.toState()).toEqual(before);
      expect(partner.pendingEvents).toEqual([]);
    });
  });

  describe('contacts per partner (audit dos DOS-4)', () => {
    const many = (count: number): ContactInput[] => Array.from({ length: count }, (_, index) => ({ name: `Contact ${index}`, email: `c${index}@acme.example` }));
    /** A partner stored with more contacts than the cap allows today (before there was one). */
    function aboveTheCap(): Partner {
      const state = create({ contacts: many(MAX_CONTACTS_PER_PARTNER) }).toState();
      const extra = many(MAX_CONTACTS_PER_PARTNER + 5).slice(MAX_CONTACTS_PER_PARTNER).map((input, index) => ({ ...input, id: `x-${index}` as ContactId }));
      const partner = Partner.restore({ ...state, version: 1, contacts: [...state.contacts, ...extra] });
      return partner;
    }

    it('is 200', () => {
      expect(MAX_CONTACTS_PER_PARTNER).toBe(200);
    });

    it('registers a partner with 200 contacts, and refuses 201 with partner.too_many_contacts at contacts', () => {
      expect(create({ contacts: many(MAX_CONTACTS_PER_PARTNER) }).contacts).toHaveLength(MAX_CONTACTS_PER_PARTNER);

      expect(issuesOf(() => create({ contacts: many(MAX_CONTACTS_PER_PARTNER + 1) }))).toEqual([{ path: 'contacts', code: 'partner.too_many_contacts' }]);
      expect(thrown(() => create({ contacts: many(MAX_CONTACTS_PER_PARTNER + 1) }))).toMatchObject({ code: 'partner.too_many_contacts' });
    });

    it('refuses a replacement list of 201 contacts, and changes nothing', () => {
      const partner = withContacts();
      const before = partner.toState();

      expect(issuesOf(() => partner.replaceContacts(many(MAX_CONTACTS_PER_PARTNER + 1), { newContactId: contactIds(), at: later }))).toEqual([
        { path: '', code: 'partner.too_many_contacts' },
      ]);
      expect(partner.toState()).toEqual(before);
      expect(partner.pendingEvents).toEqual([]);
    });

    it('refuses a 201st contact, and changes nothing', () => {
      const partner = create({ contacts: many(MAX_CONTACTS_PER_PARTNER) });
      partner.markSaved();
      const before = partner.toState();

      const error = thrown(() => partner.addContact({ name: 'One too many' }, { id: 'c-999' as ContactId, at: later }));

      expect(error).toMatchObject({ code: 'partner.too_many_contacts', issues: [{ path: '', code: 'partner.too_many_contacts' }] });
      expect(partner.toState()).toEqual(before);
      expect(partner.pendingEvents).toEqual([]);
    });

    it('leaves a partner stored above it readable and changeable, removing contacts but adding none', () => {
      const partner = aboveTheCap();
      expect(partner.contacts).toHaveLength(MAX_CONTACTS_PER_PARTNER + 5);

      partner.update({ legalName: 'Acme Renamed' }, later);
      partner.updateContact('c-1' as ContactId, { role: 'purchasing' }, later);
      partner.removeContact('x-0' as ContactId, later);
      expect(partner.contacts).toHaveLength(MAX_CONTACTS_PER_PARTNER + 4);
      expect(thrown(() => partner.addContact({ name: 'Another' }, { id: 'c-999' as ContactId, at: later }))).toMatchObject({ code: 'partner.too_many_contacts' });

      // A replacement within the cap brings it back under it.
      partner.replaceContacts(partner.contacts.slice(0, MAX_CONTACTS_PER_PARTNER), { newContactId: contactIds(), at: later });
      expect(partner.contacts).toHaveLength(MAX_CONTACTS_PER_PARTNER);
    });
  });

  describe('state handed out (review of 12 December 2026)', () => {
    /** A partner with contacts, addresses, identifiers and default terms: everything a caller can reach. */
    function complete(): Partner {
      const partner = create({
        identifiers: { vatId: 'FR12345678901', legalRegistration: { value: '123 456 789', scheme: '0002' }, electronicAddress: { scheme: '0088', value: '5790000435975' } },
        addresses: [address, { ...address, purpose: 'delivery', lines: ['2 quai Voltaire'] }],
        defaultCurrency: 'EUR',
        defaultPaymentTerms: { kind: 'instalments', instalments: [{ percent: '50', days: 0 }, { percent: '50', days: 30 }] },
        contacts: [{ name: 'Anna Smith', email: 'anna@acme.example' }, { name: 'Ben Jones', phone: '+33 1 23 45 67 89' }],
      });
      partner.markSaved();
      return partner;
    }

    it('cannot be changed through what toState() and its getters return: arrays, nested objects, Dates', () => {
      const partner = complete();
      const expected = complete().toState();
      const state = partner.toState();

      attempt(() => {
        (state.contacts as unknown[]).length = 0;
      });
      attempt(() => state.createdAt.setTime(0));
      attempt(() => Object.assign(state.identifiers, { vatId: 'FR00000000000' }));
      tamperWith(state);
      for (const handedOut of [partner.contacts, partner.identifiers, partner.billingAddress, partner.defaultPaymentTerms, partner.contact('c-1' as ContactId)]) tamperWith(handedOut);

      expect(partner.toState()).toEqual(expected);
      expect(partner.contacts).toHaveLength(2);
    });

    it('shares nothing it can be changed through with what it was built, changed or restored from', () => {
      const now = new Date(at);
      const command = { legalName: 'Acme SAS', addresses: [{ ...address, lines: [...address.lines] }], identifiers: { vatId: 'FR12345678901' }, contacts: [{ name: 'Anna Smith' }] };
      const partner = Partner.create(command, { tenantId: tenant, id: partnerId, newContactId: contactIds(), at: now });
      const addedAt = new Date(later);
      const added = partner.addContact({ name: 'Ben Jones' }, { id: 'c-9' as ContactId, at: addedAt });
      const state = partner.toState();
      const restored = Partner.restore(state);

      now.setTime(0);
      addedAt.setTime(0);
      tamperWith(command);
      tamperWith(added);
      tamperWith(state);

      for (const kept of [partner, restored]) {
        expect(kept.toState()).toMatchObject({ legalName: 'Acme SAS', identifiers: { vatId: 'FR12345678901' }, addresses: [{ ...address, purpose: 'billing' }], createdAt: at, updatedAt: later });
        expect(kept.contacts.map((contact) => contact.name)).toEqual(['Anna Smith', 'Ben Jones']);
      }
    });
  });

  describe('billingAddress', () => {
    it('is the billing address even when it is not the first', () => {
      const partner = create({
        addresses: [
          { ...address, purpose: 'registered' },
          { lines: ['PO Box 12'], countryCode: 'BE', purpose: 'billing' },
        ],
      });

      expect(partner.billingAddress).toEqual({ purpose: 'billing', lines: ['PO Box 12'], countryCode: 'BE' });
    });

    it('is the first address when none is for billing', () => {
      const partner = create({
        addresses: [
          { ...address, purpose: 'registered' },
          { lines: ['Dock 4'], countryCode: 'FR', purpose: 'delivery' },
        ],
      });

      expect(partner.billingAddress).toEqual({ purpose: 'registered', ...address });
    });

    it('is undefined when the partner has no address', () => {
      expect(create().billingAddress).toBeUndefined();
    });
  });
});
