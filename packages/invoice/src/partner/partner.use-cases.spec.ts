import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { tenantId, type TenantId } from '@invoicing/core';
import type { ContactId, PartnerId } from '../shared/ids';
import { SCENARIO_SELLER, createTestBed, type TestBed } from '../testing/scenario';
import type { PartnerDetails } from './partner';
import {
  AddContact,
  ArchivePartner,
  CreatePartner,
  GetPartner,
  ListPartners,
  RemoveContact,
  ReplaceContacts,
  SearchContacts,
  UpdateContact,
  UpdatePartner,
} from './partner.use-cases';

const TENANT = tenantId('tenant-a');
const OTHER_TENANT = tenantId('tenant-b');

const error = (name: string, code: string) => expect.objectContaining({ name, code });
const issue = (path: string, code: string) => expect.objectContaining({ path, code });

let bed: TestBed;

beforeEach(() => {
  bed = createTestBed();
});

async function createSeller(tenant: TenantId = TENANT) {
  return bed.use(CreatePartner).execute({ tenantId: tenant, ...SCENARIO_SELLER });
}

/** A partner with just a name and the given contacts. */
async function partnerWith(legalName: string, contacts: { name: string; email?: string; phone?: string }[], tenant: TenantId = TENANT) {
  return bed.use(CreatePartner).execute({ tenantId: tenant, legalName, contacts });
}

async function thrown(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (caught) {
    return caught as Error;
  }
  throw new Error('expected a rejection');
}

describe('CreatePartner', () => {
  describe('execute', () => {
    it('stores an active partner with its contacts when the details are valid', async () => {
      const created = await createSeller();

      expect(created).toMatchObject({
        tenantId: TENANT,
        id: 'id-000001',
        version: 1,
        kind: 'company',
        legalName: 'Atelier Lumière SAS',
        identifiers: { vatId: 'FR12345678901' },
        addresses: [{ purpose: 'billing', lines: ['12 rue de la Paix'], city: 'Paris', postalCode: '75002', countryCode: 'FR' }],
        contacts: [{ id: 'id-000002', name: 'Claire Martin', email: 'claire.martin@atelier-lumiere.example', role: 'billing' }],
        status: 'active',
        createdAt: new Date('2026-03-10T09:00:00Z'),
      });
      expect(await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).toEqual(created);
    });

    it('normalises a VAT id and an email when they are given with spaces and capitals', async () => {
      const created = await bed.use(CreatePartner).execute({
        tenantId: TENANT,
        legalName: '  Nordwind GmbH ',
        identifiers: { vatId: 'de 123 456 789' },
        contacts: [{ name: 'Jonas', email: 'Jonas.Weber@Nordwind.EXAMPLE' }],
      });

      expect(created.legalName).toBe('Nordwind GmbH');
      expect(created.identifiers.vatId).toBe('DE123456789');
      expect(created.contacts[0]?.email).toBe('jonas.weber@nordwind.example');
    });

    it('reports every bad field at once and stores nothing when the details are invalid', async () => {
      const failure = await thrown(
        bed.use(CreatePartner).execute({
          tenantId: TENANT,
          legalName: ' ',
          identifiers: { vatId: '123' },
          addresses: [{ lines: [], countryCode: 'France' }],
          contacts: [{ name: 'A', email: 'not-an-email' }],
        }),
      );

      expect(failure).toEqual(error('ValidationError', 'validation.failed'));
      expect((failure as unknown as { issues: unknown[] }).issues).toEqual(
        expect.arrayContaining([
          issue('legalName', 'text.required'),
          issue('identifiers.vatId', 'partner.invalid_vat_id'),
          issue('addresses.0.countryCode', 'address.invalid_country'),
          issue('contacts.0.email', 'contact.invalid_email'),
        ]),
      );
      expect((await bed.use(ListPartners).execute({ tenantId: TENANT })).items).toEqual([]);
    });

    it('refuses two contacts with the same email when they are created together', async () => {
      await expect(
        partnerWith('Twins Ltd', [
          { name: 'One', email: 'same@twins.example' },
          { name: 'Two', email: 'SAME@twins.example' },
        ]),
      ).rejects.toEqual(error('ValidationError', 'contact.duplicate_email'));
    });
  });
});

describe('external ids', () => {
  it('gives a partner an external id, one partner per tenant, kept by a retry and freed when removed', async () => {
    const holder = await bed.use(CreatePartner).execute({ tenantId: TENANT, legalName: 'Holder', externalId: 'CRM-42', id: 'p-holder' as PartnerId });

    expect(holder.externalId).toBe('CRM-42');
    await expect(bed.use(CreatePartner).execute({ tenantId: TENANT, legalName: 'Holder', externalId: 'CRM-42', id: 'p-holder' as PartnerId })).resolves.toEqual(holder);
    await expect(bed.use(CreatePartner).execute({ tenantId: TENANT, legalName: 'Twin', externalId: 'CRM-42' })).rejects.toThrow(error('ConflictError', 'partner.external_id_taken'));
    await expect(bed.use(CreatePartner).execute({ tenantId: OTHER_TENANT, legalName: 'Elsewhere', externalId: 'CRM-42' })).resolves.toMatchObject({ externalId: 'CRM-42' });
    const other = await bed.use(CreatePartner).execute({ tenantId: TENANT, legalName: 'Other' });
    await expect(bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: other.id, details: { legalName: 'Other', externalId: 'CRM-42' } })).rejects.toThrow(
      error('ConflictError', 'partner.external_id_taken'),
    );
    await bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: holder.id, details: { legalName: 'Holder' } });
    await expect(bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: other.id, details: { legalName: 'Other', externalId: 'CRM-42' } })).resolves.toMatchObject({ externalId: 'CRM-42' });
  });

  it('refuses an external id with spaces, control characters or more than 100 characters', async () => {
    for (const externalId of ['CRM 42', '', 'x'.repeat(101), 'é']) {
      await expect(bed.use(CreatePartner).execute({ tenantId: TENANT, legalName: 'X', externalId })).rejects.toMatchObject({ issues: [issue('externalId', 'partner.invalid_external_id')] });
    }
  });
});

describe('UpdatePartner', () => {
  describe('execute', () => {
    it('replaces the details, keeps the contacts and bumps the version when the expected version matches', async () => {
      const created = await createSeller();
      const changes: PartnerDetails = { legalName: 'Atelier Lumière SA', identifiers: { vatId: 'FR98765432109' }, defaultCurrency: 'EUR' };

      const updated = await bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: 1, details: changes });

      expect(updated).toMatchObject({ version: 2, legalName: 'Atelier Lumière SA', identifiers: { vatId: 'FR98765432109' }, defaultCurrency: 'EUR' });
      expect(updated.contacts).toEqual(created.contacts);
      expect(updated.addresses).toEqual([]);
    });

    it('fails with concurrency.stale_version and changes nothing when the expected version is stale', async () => {
      const created = await createSeller();
      await bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: created.id, details: { legalName: 'First writer' } });

      const failure = await thrown(bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: 1, details: { legalName: 'Second writer' } }));

      expect(failure).toEqual(error('ConflictError', 'concurrency.stale_version'));
      expect(failure).toMatchObject({ details: { resource: 'partner', id: created.id, version: 2, expectedVersion: 1 } });
      expect((await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).legalName).toBe('First writer');
    });

    it('takes any of several expected versions, and none of an empty list (an If-Match list; weak tags only)', async () => {
      const created = await createSeller();

      const updated = await bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: [5, 1], details: { legalName: 'Listed' } });
      const failures = [await thrown(bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: [1, 3], details: { legalName: 'Stale' } }))];
      failures.push(await thrown(bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: [], details: { legalName: 'Unmatchable' } })));

      expect(updated).toMatchObject({ version: 2, legalName: 'Listed' });
      expect(failures).toEqual([error('ConflictError', 'concurrency.stale_version'), error('ConflictError', 'concurrency.stale_version')]);
      expect(failures[0]).toMatchObject({ message: `partner ${created.id} is at version 2, not one of [1, 3]`, details: { version: 2, expectedVersion: [1, 3] } });
      expect((await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).legalName).toBe('Listed');
    });

    it('fails with partner.archived when the partner is archived', async () => {
      const created = await createSeller();
      await bed.use(ArchivePartner).execute({ tenantId: TENANT, partnerId: created.id });

      await expect(bed.use(UpdatePartner).execute({ tenantId: TENANT, partnerId: created.id, details: { legalName: 'Too late' } })).rejects.toEqual(
        error('InvalidStateError', 'partner.archived'),
      );
    });
  });
});

describe('ReplaceContacts', () => {
  describe('execute', () => {
    it('keeps the id of a contact given with it, gives new ids to new ones and drops the others', async () => {
      const created = await partnerWith('Three Contacts Ltd', [{ name: 'Keep' }, { name: 'Drop' }]);
      const kept = created.contacts[0]?.id as ContactId;

      const replaced = await bed.use(ReplaceContacts).execute({
        tenantId: TENANT,
        partnerId: created.id,
        contacts: [{ id: kept, name: 'Keep renamed', email: 'keep@three.example' }, { name: 'New' }],
      });

      expect(replaced.contacts).toEqual([
        { id: kept, name: 'Keep renamed', email: 'keep@three.example' },
        { id: 'id-000004', name: 'New' },
      ]);
      expect(replaced.version).toBe(2);
    });

    it('fails with contact.not_found when a given id is not one of the partner', async () => {
      const created = await partnerWith('One Contact Ltd', [{ name: 'Only' }]);

      await expect(
        bed.use(ReplaceContacts).execute({ tenantId: TENANT, partnerId: created.id, contacts: [{ id: 'id-999999' as ContactId, name: 'Ghost' }] }),
      ).rejects.toEqual(error('NotFoundError', 'contact.not_found'));
      expect((await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).contacts).toEqual(created.contacts);
    });

    it('fails with concurrency.stale_version when the expected version is stale', async () => {
      const created = await partnerWith('One Contact Ltd', [{ name: 'Only' }]);

      await expect(bed.use(ReplaceContacts).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: 7, contacts: [] })).rejects.toEqual(
        error('ConflictError', 'concurrency.stale_version'),
      );
    });
  });
});

describe('AddContact', () => {
  describe('execute', () => {
    it('appends the contact with a new id when the partner is active', async () => {
      const created = await createSeller();

      const added = await bed.use(AddContact).execute({ tenantId: TENANT, partnerId: created.id, contact: { name: 'Luc Bernard', phone: '+33 1 23 45 67 89' } });

      expect(added).toEqual({ id: 'id-000003', name: 'Luc Bernard', phone: '+33 1 23 45 67 89' });
      const stored = await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id });
      expect(stored.contacts.map((contact) => contact.name)).toEqual(['Claire Martin', 'Luc Bernard']);
      expect(stored.version).toBe(2);
    });

    it('fails with contact.invalid_phone and stores nothing when the phone is not a phone number', async () => {
      const created = await createSeller();

      await expect(bed.use(AddContact).execute({ tenantId: TENANT, partnerId: created.id, contact: { name: 'Luc', phone: 'call me' } })).rejects.toEqual(
        error('ValidationError', 'contact.invalid_phone'),
      );
      expect((await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).version).toBe(1);
    });

    it('fails with contact.duplicate_email and stores nothing when another contact has the email', async () => {
      const created = await createSeller();

      await expect(
        bed.use(AddContact).execute({ tenantId: TENANT, partnerId: created.id, contact: { name: 'Claire again', email: 'Claire.Martin@atelier-lumiere.example' } }),
      ).rejects.toEqual(error('ValidationError', 'contact.duplicate_email'));
      expect(await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).toEqual(created);
    });

    it('fails with concurrency.stale_version when the expected version is stale', async () => {
      const created = await createSeller();

      await expect(bed.use(AddContact).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: 0, contact: { name: 'Luc' } })).rejects.toEqual(
        error('ConflictError', 'concurrency.stale_version'),
      );
    });
  });
});

describe('UpdateContact', () => {
  describe('execute', () => {
    it('changes only the given fields of the contact when it exists', async () => {
      const created = await createSeller();
      const contactId = created.contacts[0]?.id as ContactId;

      const updated = await bed.use(UpdateContact).execute({ tenantId: TENANT, partnerId: created.id, contactId, changes: { email: 'CLAIRE@atelier.example' } });

      expect(updated).toEqual({ id: contactId, name: 'Claire Martin', email: 'claire@atelier.example', role: 'billing' });
      expect((await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).contacts).toEqual([updated]);
    });

    it('fails with contact.duplicate_email when another contact of the partner has the new email', async () => {
      const created = await partnerWith('Two Contacts Ltd', [
        { name: 'One', email: 'one@two.example' },
        { name: 'Two', email: 'two@two.example' },
      ]);

      await expect(
        bed.use(UpdateContact).execute({ tenantId: TENANT, partnerId: created.id, contactId: created.contacts[1]?.id as ContactId, changes: { email: 'one@two.example' } }),
      ).rejects.toEqual(error('ValidationError', 'contact.duplicate_email'));
      expect(
        (await bed.use(UpdateContact).execute({ tenantId: TENANT, partnerId: created.id, contactId: created.contacts[0]?.id as ContactId, changes: { name: 'Uno' } })).email,
      ).toBe('one@two.example');
    });

    it('fails with contact.not_found when the contact is not the partner’s', async () => {
      const created = await createSeller();

      await expect(
        bed.use(UpdateContact).execute({ tenantId: TENANT, partnerId: created.id, contactId: 'id-000404' as ContactId, changes: { name: 'X' } }),
      ).rejects.toEqual(error('NotFoundError', 'contact.not_found'));
    });
  });
});

describe('RemoveContact', () => {
  describe('execute', () => {
    it('removes the contact when it exists', async () => {
      const created = await partnerWith('Two Contacts Ltd', [{ name: 'Stay' }, { name: 'Go' }]);
      const [stay, go] = created.contacts;

      const updated = await bed.use(RemoveContact).execute({ tenantId: TENANT, partnerId: created.id, contactId: go?.id as ContactId });

      expect(updated.contacts).toEqual([stay]);
    });

    it('fails with contact.not_found when it was already removed', async () => {
      const created = await createSeller();
      const contactId = created.contacts[0]?.id as ContactId;
      await bed.use(RemoveContact).execute({ tenantId: TENANT, partnerId: created.id, contactId });

      await expect(bed.use(RemoveContact).execute({ tenantId: TENANT, partnerId: created.id, contactId })).rejects.toEqual(error('NotFoundError', 'contact.not_found'));
    });
  });
});

describe('ArchivePartner', () => {
  describe('execute', () => {
    it('archives the partner and refuses further contact changes when it was active', async () => {
      const created = await createSeller();

      const archived = await bed.use(ArchivePartner).execute({ tenantId: TENANT, partnerId: created.id, expectedVersion: 1 });

      expect(archived).toMatchObject({ status: 'archived', version: 2 });
      await expect(bed.use(AddContact).execute({ tenantId: TENANT, partnerId: created.id, contact: { name: 'Late' } })).rejects.toEqual(
        error('InvalidStateError', 'partner.archived'),
      );
      await expect(bed.use(ArchivePartner).execute({ tenantId: TENANT, partnerId: created.id })).rejects.toEqual(error('InvalidStateError', 'partner.archived'));
    });
  });
});

describe('another tenant’s partner', () => {
  it.each([
    ['GetPartner', (partnerId: PartnerId) => bed.use(GetPartner).execute({ tenantId: OTHER_TENANT, partnerId })],
    ['UpdatePartner', (partnerId: PartnerId) => bed.use(UpdatePartner).execute({ tenantId: OTHER_TENANT, partnerId, details: { legalName: 'Hijacked' } })],
    ['ReplaceContacts', (partnerId: PartnerId) => bed.use(ReplaceContacts).execute({ tenantId: OTHER_TENANT, partnerId, contacts: [] })],
    ['AddContact', (partnerId: PartnerId) => bed.use(AddContact).execute({ tenantId: OTHER_TENANT, partnerId, contact: { name: 'Spy' } })],
    ['UpdateContact', (partnerId: PartnerId) => bed.use(UpdateContact).execute({ tenantId: OTHER_TENANT, partnerId, contactId: 'id-000002' as ContactId, changes: { name: 'Spy' } })],
    ['RemoveContact', (partnerId: PartnerId) => bed.use(RemoveContact).execute({ tenantId: OTHER_TENANT, partnerId, contactId: 'id-000002' as ContactId })],
    ['ArchivePartner', (partnerId: PartnerId) => bed.use(ArchivePartner).execute({ tenantId: OTHER_TENANT, partnerId })],
  ])('is not found by %s, exactly like a partner that never existed', async (_name, run) => {
    const created = await createSeller();

    const fromOtherTenant = await thrown(run(created.id));
    bed = createTestBed();
    const neverExisted = await thrown(run(created.id));

    expect(fromOtherTenant).toEqual(error('NotFoundError', 'partner.not_found'));
    expect({ ...fromOtherTenant, message: fromOtherTenant.message }).toEqual({ ...neverExisted, message: neverExisted.message });
  });

  it('stays unchanged when another tenant tries to change it', async () => {
    const created = await createSeller();

    await thrown(bed.use(UpdatePartner).execute({ tenantId: OTHER_TENANT, partnerId: created.id, details: { legalName: 'Hijacked' } }));

    expect(await bed.use(GetPartner).execute({ tenantId: TENANT, partnerId: created.id })).toEqual(created);
  });
});

describe('ListPartners', () => {
  describe('execute', () => {
    it('walks every partner of the tenant in creation order, page by page, when given a limit', async () => {
      const names = ['P1', 'P2', 'P3', 'P4', 'P5'];
      for (const name of names) await partnerWith(name, []);
      await partnerWith('Elsewhere', [], OTHER_TENANT);

      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await bed.use(ListPartners).execute({ tenantId: TENANT, page: { limit: 2, ...(cursor ? { cursor: cursor as never } : {}) } });
        seen.push(...page.items.map((partner) => partner.legalName));
        sizes.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor);

      expect(seen).toEqual(names);
      expect(sizes).toEqual([2, 2, 1]);
    });

    it('returns one partner per page at the smallest limit and all at the largest', async () => {
      for (const name of ['P1', 'P2', 'P3']) await partnerWith(name, []);

      expect((await bed.use(ListPartners).execute({ tenantId: TENANT, page: { limit: 1 } })).items.map((partner) => partner.legalName)).toEqual(['P1']);
      const all = await bed.use(ListPartners).execute({ tenantId: TENANT, page: { limit: 200 } });
      expect(all.items).toHaveLength(3);
      expect(all.nextCursor).toBeNull();
    });

    it.each([0, 201, 1.5, -1, Number.NaN])('fails with pagination.invalid_limit when the limit is %p', async (limit) => {
      await expect(bed.use(ListPartners).execute({ tenantId: TENANT, page: { limit } })).rejects.toEqual(error('ValidationError', 'pagination.invalid_limit'));
    });

    it('lists only partners of the given status when filtered', async () => {
      await partnerWith('Active One', []);
      const archived = await partnerWith('Archived One', []);
      await partnerWith('Active Two', []);
      await bed.use(ArchivePartner).execute({ tenantId: TENANT, partnerId: archived.id });

      const active = await bed.use(ListPartners).execute({ tenantId: TENANT, filter: { status: 'active' } });
      const archivedOnly = await bed.use(ListPartners).execute({ tenantId: TENANT, filter: { status: 'archived' } });

      expect(active.items.map((partner) => partner.legalName)).toEqual(['Active One', 'Active Two']);
      expect(archivedOnly.items.map((partner) => partner.legalName)).toEqual(['Archived One']);
    });
  });
});

describe('SearchContacts', () => {
  describe('execute', () => {
    beforeEach(async () => {
      await partnerWith('Alpha Trading', [
        { name: 'Joanna Smith', email: 'j.smith@alpha.example' },
        { name: 'Anja Novak', email: 'novak@alpha.example' },
        { name: 'Bob Stone', email: 'bob@alpha.example' },
      ]);
      await partnerWith('Beta Services', [
        { name: 'Annabel Lee', email: 'lee@beta.example' },
        { name: 'Ánna', email: 'desk@beta.example', phone: '+49 30 1234567' },
      ]);
      await partnerWith('Gamma Elsewhere', [{ name: 'Anna', email: 'anna@gamma.example' }], OTHER_TENANT);
    });

    it('ranks exact, then prefix, then substring, then fuzzy matches across the tenant’s partners', async () => {
      const matches = await bed.use(SearchContacts).execute({ tenantId: TENANT, query: 'anna' });

      expect(matches.map((match) => [match.contact.name, match.partnerName, match.matchKind, match.matchedOn])).toEqual([
        ['Ánna', 'Beta Services', 'exact', 'name'],
        ['Annabel Lee', 'Beta Services', 'prefix', 'name'],
        ['Joanna Smith', 'Alpha Trading', 'substring', 'name'],
        ['Anja Novak', 'Alpha Trading', 'fuzzy', 'name'],
      ]);
      const scores = matches.map((match) => match.score);
      expect([...scores].sort((left, right) => right - left)).toEqual(scores);
    });

    it('never returns contacts of another tenant', async () => {
      const matches = await bed.use(SearchContacts).execute({ tenantId: TENANT, query: 'anna@gamma' });
      const theirs = await bed.use(SearchContacts).execute({ tenantId: OTHER_TENANT, query: 'anna' });

      expect(matches).toEqual([]);
      expect(theirs.map((match) => match.partnerName)).toEqual(['Gamma Elsewhere']);
    });

    it('finds a contact by the digits of its phone number whatever the formatting', async () => {
      const inside = await bed.use(SearchContacts).execute({ tenantId: TENANT, query: '30-123' });
      const byCountry = await bed.use(SearchContacts).execute({ tenantId: TENANT, query: '+49 30 12' });

      expect(inside.map((match) => [match.contact.name, match.matchedOn, match.matchKind])).toEqual([['Ánna', 'phone', 'substring']]);
      expect(byCountry.map((match) => [match.contact.name, match.matchedOn, match.matchKind])).toEqual([['Ánna', 'phone', 'prefix']]);
    });

    it('returns only the best matches when given a limit', async () => {
      const matches = await bed.use(SearchContacts).execute({ tenantId: TENANT, query: 'anna', limit: 2 });

      expect(matches.map((match) => match.contact.name)).toEqual(['Ánna', 'Annabel Lee']);
    });

    it.each(['a', ' a ', '', 'é'])('fails with contact_search.query_too_short when the query is %j', async (query) => {
      await expect(bed.use(SearchContacts).execute({ tenantId: TENANT, query })).rejects.toEqual(error('ValidationError', 'contact_search.query_too_short'));
    });

    it('fails with pagination.invalid_limit when the limit is out of range', async () => {
      await expect(bed.use(SearchContacts).execute({ tenantId: TENANT, query: 'anna', limit: 0 })).rejects.toEqual(error('ValidationError', 'pagination.invalid_limit'));
    });
  });
});
