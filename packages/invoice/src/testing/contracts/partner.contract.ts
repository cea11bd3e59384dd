import { jestGlobals } from './jest-globals';
import { Partner, type PartnerState } from '../../partner/partner';
import { CONTACTS_PER_TURN, compareMatches, contactSearchQuery, scoreContact, type ContactMatch } from '../../partner/contact-search';
import { MAX_CONTACTS_PER_PARTNER } from '../../partner/partner';
import { aPartner, aTenant } from '../builders';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';
import { describeAggregateRepository } from './aggregate-repository.contract';

const AT = new Date('2026-02-01T10:00:00Z');

// Contracts are compiled with the package, which targets Node without its typings.
declare function setImmediate(callback: () => void): unknown;

/** Contract of `PartnerRepository` and `PartnerQueries`. */
export function describePartnerContracts(adapters: () => InvoiceAdapters): void {
  const { beforeAll, describe, expect, it } = jestGlobals();
  describeAggregateRepository<Partner, Partner['id']>('PartnerRepository', adapters, {
    repository: (all) => all.partners,
    create: async (_all, tenant) => aPartner(tenant),
    change: (partner) => partner.update({ legalName: 'Acme Group SAS', identifiers: { vatId: 'FR99999999999' } }, AT),
    restore: (state: PartnerState) => Partner.restore(state),
  });

  describe('PartnerQueries', () => {
    let all: InvoiceAdapters;
    beforeAll(() => {
      all = adapters();
    });

    it('gets many partners by id at once: those of the tenant that exist, each once', async () => {
      const tenant = aTenant();
      const seller = aPartner(tenant, { legalName: 'Seller' });
      const buyer = aPartner(tenant, { legalName: 'Buyer' });
      const foreign = aPartner(aTenant(), { legalName: 'Other tenant' });
      for (const partner of [seller, buyer, foreign]) await all.partners.save(partner);
      const found = await all.partners.getMany(tenant, [buyer.id, seller.id, foreign.id, aPartner(tenant).id, buyer.id]);
      expect(found.map((partner) => partner.toState()).sort((a, b) => a.legalName.localeCompare(b.legalName))).toEqual([buyer.toState(), seller.toState()]);
      expect(found.every((partner) => partner instanceof Partner)).toBe(true);
      expect(await all.partners.getMany(tenant, [])).toEqual([]);
    });

    it('finds the partners with an external id, of one tenant only, and no more once it is removed', async () => {
      const tenant = aTenant();
      const holder = aPartner(tenant, { legalName: 'Holder', externalId: 'CRM-42' });
      for (const partner of [holder, aPartner(tenant, { legalName: 'Other', externalId: 'CRM-43' }), aPartner(tenant, { legalName: 'None' }), aPartner(aTenant(), { externalId: 'CRM-42' })]) {
        await all.partners.save(partner);
      }
      expect((await all.partners.findByExternalId(tenant, 'CRM-42')).map((partner) => partner.toState())).toEqual([holder.toState()]);
      expect(await all.partners.findByExternalId(tenant, 'crm-42')).toEqual([]);
      holder.update({ legalName: 'Holder' }, AT);
      await all.partners.save(holder);
      expect(await all.partners.findByExternalId(tenant, 'CRM-42')).toEqual([]);
    });

    it('gives an external id to one partner only, even to two saves at once, and lets a holder keep it', async () => {
      const tenant = aTenant();
      const rivals = Array.from({ length: 6 }, (_, index) => aPartner(tenant, { legalName: `Rival ${index}`, externalId: 'CRM-RACE' }));
      const outcomes = await Promise.allSettled(rivals.map((partner) => all.partners.save(partner)));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ name: 'ConflictError', code: 'partner.external_id_taken' });
      }
      const holders = await all.partners.findByExternalId(tenant, 'CRM-RACE');
      expect(holders).toHaveLength(1);
      const holder = holders[0] as Partner;

      // Taking it by a change is refused too; the holder's own later saves keep it.
      const other = aPartner(tenant, { legalName: 'Other' });
      await all.partners.save(other);
      const stored = (await all.partners.get(tenant, other.id)) as Partner;
      stored.update({ legalName: 'Other', externalId: 'CRM-RACE' }, AT);
      await expect(all.partners.save(stored)).rejects.toMatchObject({ code: 'partner.external_id_taken', details: { partnerId: holder.id } });
      holder.update({ legalName: 'Holder renamed', externalId: 'CRM-RACE' }, AT);
      await all.partners.save(holder);
      expect((await all.partners.findByExternalId(tenant, 'CRM-RACE')).map((partner) => partner.legalName)).toEqual(['Holder renamed']);
      // Another tenant's partner may have the same one.
      await all.partners.save(aPartner(aTenant(), { externalId: 'CRM-RACE' }));
    });

    it('frees the external id of an archived partner, which keeps it as history, for one live partner again (audit lifecycle F5)', async () => {
      // Audit: an archived partner held its external id for ever, so a customer re-created as a new partner could not
      // take it back, and usage naming the buyer by it still found the archived one.
      const tenant = aTenant();
      const archived = aPartner(tenant, { legalName: 'Old', externalId: 'CRM-REUSED' });
      await all.partners.save(archived);
      archived.archive(AT);
      await all.partners.save(archived);

      const successor = aPartner(tenant, { legalName: 'New', externalId: 'CRM-REUSED' });
      await all.partners.save(successor);

      expect((await all.partners.findByExternalId(tenant, 'CRM-REUSED')).map((partner) => partner.id)).toEqual([successor.id]);
      expect((await all.partners.get(tenant, archived.id))?.toState()).toMatchObject({ status: 'archived', externalId: 'CRM-REUSED' });
      // Two live partners still never share it: rivals are refused while the successor holds it, and once it is
      // archived too, one of many saves at once takes it.
      await expect(all.partners.save(aPartner(tenant, { externalId: 'CRM-REUSED' }))).rejects.toMatchObject({ code: 'partner.external_id_taken', details: { partnerId: successor.id } });
      successor.archive(AT);
      await all.partners.save(successor);
      const rivals = Array.from({ length: 6 }, (_, index) => aPartner(tenant, { legalName: `Rival ${index}`, externalId: 'CRM-REUSED' }));
      const outcomes = await Promise.allSettled(rivals.map((partner) => all.partners.save(partner)));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      const holders = await all.partners.findByExternalId(tenant, 'CRM-REUSED');
      expect(holders.map((partner) => partner.id)).toEqual([rivals[outcomes.findIndex((outcome) => outcome.status === 'fulfilled')]?.id]);
    });

    it('lists partners in id order, page by page, filtered by status', async () => {
      const tenant = aTenant();
      const partners = [aPartner(tenant, { legalName: 'A' }), aPartner(tenant, { legalName: 'B' }), aPartner(tenant, { legalName: 'C' })];
      for (const partner of partners) await all.partners.save(partner);
      partners[1]?.archive(AT);
      await all.partners.save(partners[1] as Partner);
      const first = await all.partnerQueries.list(tenant, {}, { limit: 2 });
      expect(first.items.map((item) => item.legalName)).toEqual(['A', 'B']);
      const second = await all.partnerQueries.list(tenant, {}, { limit: 2, cursor: first.nextCursor ?? undefined });
      expect(second.items.map((item) => item.legalName)).toEqual(['C']);
      expect(second.nextCursor).toBeNull();
      const active = await all.partnerQueries.list(tenant, { status: 'active' }, {});
      expect(active.items.map((item) => item.legalName)).toEqual(['A', 'C']);
      expect((await all.partnerQueries.list(aTenant(), {}, {})).items).toEqual([]);
    });

    it('finds contacts across partners of one tenant, best match first', async () => {
      const tenant = aTenant();
      await all.partners.save(
        aPartner(tenant, {
          legalName: 'Globex',
          contacts: [
            { name: 'Maria Smith', email: 'maria@globex.example' },
            { name: 'Smithers Jones', email: 'wj@globex.example' },
          ],
        }),
      );
      await all.partners.save(aPartner(tenant, { legalName: 'Initech', contacts: [{ name: 'Smith', email: 'smith@initech.example' }, { name: 'Bob Smyth' }] }));
      await all.partners.save(aPartner(aTenant(), { legalName: 'Other tenant', contacts: [{ name: 'Smith' }] }));
      const matches = await all.partnerQueries.searchContacts(tenant, contactSearchQuery('smith'), 10);
      expect(matches.map((match) => [match.partnerName, match.contact.name, match.matchKind])).toEqual([
        ['Initech', 'Smith', 'exact'],
        ['Globex', 'Maria Smith', 'prefix'],
        ['Globex', 'Smithers Jones', 'prefix'],
        ['Initech', 'Bob Smyth', 'fuzzy'],
      ]);
      expect(matches[0]?.score).toBe(100);
      expect(await all.partnerQueries.searchContacts(tenant, contactSearchQuery('smith'), 1)).toHaveLength(1);
    });

    describe('contact search over many contacts (audit dos DOS-4)', () => {
      const tenant = aTenant();
      // More contacts than one turn of the event loop scores: partners at the cap, with the same names at several.
      const partners = Array.from({ length: Math.ceil((3 * CONTACTS_PER_TURN) / MAX_CONTACTS_PER_PARTNER) }, (_, p) =>
        aPartner(tenant, {
          legalName: `Many ${p % 4}`,
          contacts: Array.from({ length: MAX_CONTACTS_PER_PARTNER }, (_, c) => ({
            name: [`Ana Martinez ${c}`, `Martin ${p}`, `Marta Smith`, `Bob Martinz`, `Zoe ${c}`][c % 5] as string,
            ...(c % 3 === 0 ? { email: `c${c}@p${p}.example` } : {}),
          })),
        }),
      );
      const total = partners.length * MAX_CONTACTS_PER_PARTNER;
      /** What a search answers by definition: every match of the tenant, sorted, the first `limit`. */
      const expected = (query: string, limit: number): ContactMatch[] =>
        partners
          .flatMap((partner) =>
            partner.contacts.flatMap((contact) => {
              const found = scoreContact(query, contact);
              return found ? [{ partnerId: partner.id, partnerName: partner.legalName, contact, ...found }] : [];
            }),
          )
          .sort(compareMatches)
          .slice(0, limit);

      beforeAll(async () => {
        for (const partner of partners) await all.partners.save(partner);
      });

      it.each([
        ['martinez', 50],
        ['martinez', 3],
        ['marta smith', 7],
        ['martines', 50],
        ['zz-nothing', 50],
      ])('answers %j (limit %i) as ranking every contact would', async (query, limit) => {
        const found = await all.partnerQueries.searchContacts(tenant, contactSearchQuery(query), limit);

        expect(found).toEqual(expected(contactSearchQuery(query), limit));
      });

      it('lets the event loop run while it scores: a turn every CONTACTS_PER_TURN contacts at least', async () => {
        let turns = 0;
        let ticking = true;
        const tick = (): void => {
          turns += 1;
          if (ticking) setImmediate(tick);
        };
        setImmediate(tick);

        const found = await all.partnerQueries.searchContacts(tenant, contactSearchQuery('zz-nothing'), 50);
        ticking = false;

        expect(found).toEqual([]);
        expect(total).toBeGreaterThanOrEqual(3 * CONTACTS_PER_TURN);
        // (A database adapter also lets it turn while it waits for replies: its own spec counts the turns after the last one.)
        expect(turns).toBeGreaterThanOrEqual(Math.floor(total / CONTACTS_PER_TURN) - 1);
      });
    });

    it('finds a contact by phone digits and by email', async () => {
      const tenant = aTenant();
      await all.partners.save(aPartner(tenant, { contacts: [{ name: 'Li Wei', phone: '+44 20 7946 0958', email: 'li.wei@example.org' }] }));
      const byPhone = await all.partnerQueries.searchContacts(tenant, contactSearchQuery('7946 09'), 10);
      expect(byPhone.map((match) => [match.contact.name, match.matchedOn])).toEqual([['Li Wei', 'phone']]);
      const byEmail = await all.partnerQueries.searchContacts(tenant, contactSearchQuery('li.wei@example.org'), 10);
      expect(byEmail.map((match) => [match.matchedOn, match.matchKind])).toEqual([['email', 'exact']]);
    });
  });
}
