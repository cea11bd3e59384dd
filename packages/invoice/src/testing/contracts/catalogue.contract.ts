import { jestGlobals } from './jest-globals';
import { Marketable, type MarketableState } from '../../marketable/marketable';
import { Partnership, type PartnershipState } from '../../partnership/partnership';
import { aMarketable, aPartner, aPartnership, aTenant } from '../builders';
import type { MarketableId } from '../../shared/ids';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';
import { describeAggregateRepository } from './aggregate-repository.contract';

const AT = new Date('2026-02-01T10:00:00Z');

/** Contract of `MarketableRepository` and `PartnershipRepository`. */
export function describeCatalogueContracts(adapters: () => InvoiceAdapters): void {
  const { beforeAll, describe, expect, it } = jestGlobals();
  describeAggregateRepository<Marketable, Marketable['id']>('MarketableRepository', adapters, {
    repository: (all) => all.marketables,
    create: async (_all, tenant) => aMarketable(tenant, { prices: [{ currency: 'EUR', unitPrice: '0.0125' }, { currency: 'JPY', unitPrice: '12' }] }),
    change: (marketable) => marketable.update({ name: 'Senior consulting', prices: [{ currency: 'EUR', unitPrice: '95.50' }] }, AT),
    restore: (state: MarketableState) => Marketable.restore(state),
  });

  describe('MarketableRepository', () => {
    let all: InvoiceAdapters;
    beforeAll(() => {
      all = adapters();
    });

    it('finds by SKU within the tenant only', async () => {
      const tenant = aTenant();
      const marketable = aMarketable(tenant, { sku: 'CONSULT-1' });
      await all.marketables.save(marketable);
      expect((await all.marketables.findBySku(tenant, 'CONSULT-1'))?.id).toBe(marketable.id);
      expect(await all.marketables.findBySku(tenant, 'consult-1')).toBeUndefined();
      expect(await all.marketables.findBySku(aTenant(), 'CONSULT-1')).toBeUndefined();
    });

    it('refuses a second marketable with the same SKU in a tenant, not in another', async () => {
      const tenant = aTenant();
      await all.marketables.save(aMarketable(tenant, { sku: 'DUP-1' }));
      await expect(all.marketables.save(aMarketable(tenant, { sku: 'DUP-1' }))).rejects.toMatchObject({ code: 'marketable.sku_taken' });
      await expect(all.marketables.save(aMarketable(aTenant(), { sku: 'DUP-1' }))).resolves.toBeUndefined();
    });

    it('lists by id with an active filter and paging', async () => {
      const tenant = aTenant();
      const items = [aMarketable(tenant, { name: 'One' }), aMarketable(tenant, { name: 'Two' }), aMarketable(tenant, { name: 'Three' })];
      for (const item of items) await all.marketables.save(item);
      items[0]?.deactivate(AT);
      await all.marketables.save(items[0] as Marketable);
      expect((await all.marketables.list(tenant, { active: true }, {})).items.map((item) => item.name)).toEqual(['Two', 'Three']);
      expect((await all.marketables.list(tenant, { active: false }, {})).items.map((item) => item.name)).toEqual(['One']);
      const page = await all.marketables.list(tenant, {}, { limit: 2 });
      const rest = await all.marketables.list(tenant, {}, { limit: 2, cursor: page.nextCursor ?? undefined });
      expect([...page.items, ...rest.items].map((item) => item.name)).toEqual(['One', 'Two', 'Three']);
    });
  });

  describeAggregateRepository<Partnership, Partnership['id']>('PartnershipRepository', adapters, {
    repository: (all) => all.partnerships,
    create: async (_all, tenant) =>
      aPartnership(tenant, aPartner(tenant), aPartner(tenant), {
        paymentTerms: { kind: 'instalments', instalments: [{ percent: '33.33', days: 0 }, { percent: '66.67', days: 30 }] },
        policy: { approval: { kind: 'above', threshold: '10000.00' }, deliveryFormat: 'ubl' },
        validUntil: '2027-12-31',
      }),
    change: (partnership) => partnership.setPriceOverride('m-1' as MarketableId, '72.5', AT),
    restore: (state: PartnershipState) => Partnership.restore(state),
  });

  describe('PartnershipRepository', () => {
    it('lists the partnerships where a partner is seller or buyer', async () => {
      const all = adapters();
      const tenant = aTenant();
      const [a, b, c] = [aPartner(tenant), aPartner(tenant), aPartner(tenant)] as const;
      const ab = aPartnership(tenant, a, b);
      const ca = aPartnership(tenant, c, a);
      const bc = aPartnership(tenant, b, c);
      for (const partnership of [ab, ca, bc]) await all.partnerships.save(partnership);
      expect((await all.partnerships.list(tenant, { partnerId: a.id }, {})).items.map((item) => item.id)).toEqual([ab.id, ca.id]);
      expect((await all.partnerships.list(tenant, {}, { limit: 2 })).items).toHaveLength(2);
      expect((await all.partnerships.list(aTenant(), { partnerId: a.id }, {})).items).toEqual([]);
    });
  });
}
