import { ConflictError, Decimal, parseCalendarDate } from '@invoicing/core';
import type { MarketableId } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillingAdapters } from '../../billing-adapters';
import type { OneOffChargeStore } from '../../one-off/one-off-charge-store.port';
import { aOneOff, aPartnershipId } from './billing-builders';
import { jestGlobals } from './jest-globals';

/** Contract of `OneOffChargeStore`: one charge per tenant and id, retries answered, listed by date then id. */
export function describeOneOffChargeStoreContract(adapters: () => BillingAdapters): void {
  const { describe, expect, it } = jestGlobals();
  const store = (): OneOffChargeStore => adapters().oneOffs;

  describe('OneOffChargeStore', () => {
    it('stores a charge once: the same charge again is answered as first stored, another under its id is refused', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const charge = aOneOff(tenant, partnership, 'setup-1', { marketableId: 'mk-1' as MarketableId, unitCode: 'HUR', quantity: '-1.5', vat: { code: 'E', rate: '0', exemptionReason: 'Exempt' } });

      const first = await store().add(charge);
      const retry = await store().add({ ...charge, quantity: new Decimal('-1.500000'), createdAt: new Date('2026-03-01T00:00:00Z') });
      const other = store().add({ ...charge, unitPrice: new Decimal('49.51') });

      expect(first).toEqual({ charge, created: true });
      expect(retry).toEqual({ charge, created: false });
      expect(retry.charge.createdAt).toEqual(charge.createdAt);
      await expect(other).rejects.toBeInstanceOf(ConflictError);
      await expect(store().add({ ...charge, name: 'Other' })).rejects.toMatchObject({ code: 'one_off.id_taken', details: { id: 'setup-1' } });
      const [listed] = await store().listThrough(tenant, partnership, parseCalendarDate('2026-12-31'));
      expect(listed).toEqual(charge);
      expect(listed?.quantity).toBeInstanceOf(Decimal);
      expect(listed?.quantity.equals('-1.5')).toBe(true);
    });

    it('stores one charge when the same one is added many times at once', async () => {
      const tenant = aTenant();
      const charge = aOneOff(tenant, aPartnershipId(), 'burst');

      const outcomes = await Promise.all(Array.from({ length: 10 }, () => store().add(charge)));

      expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
      for (const outcome of outcomes) expect(outcome.charge).toEqual(charge);
      expect(await store().listThrough(tenant, charge.partnershipId, charge.date)).toEqual([charge]);
    });

    it("keeps ids per tenant: another tenant's charge under the same id is its own", async () => {
      const partnership = aPartnershipId();
      const mine = aOneOff(aTenant(), partnership, 'same-id');
      const theirs = aOneOff(aTenant(), partnership, 'same-id', { name: 'Training', unitPrice: '900' });

      expect((await store().add(mine)).created).toBe(true);
      expect((await store().add(theirs)).created).toBe(true);
      expect(await store().listThrough(theirs.tenantId, partnership, parseCalendarDate('2026-12-31'))).toEqual([theirs]);
    });

    it("lists a partnership's charges dated on or before a day, by date then id", async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const charges = [
        aOneOff(tenant, partnership, 'b', { date: '2026-02-10' }),
        aOneOff(tenant, partnership, 'c', { date: '2026-01-31' }),
        aOneOff(tenant, partnership, 'a', { date: '2026-02-10' }),
        aOneOff(tenant, partnership, 'd', { date: '2026-02-11' }),
        aOneOff(tenant, aPartnershipId(), 'e', { date: '2026-01-01' }),
        aOneOff(aTenant(), partnership, 'f', { date: '2026-01-01' }),
      ];
      for (const charge of charges) await store().add(charge);
      const ids = async (through: string) => (await store().listThrough(tenant, partnership, parseCalendarDate(through))).map((charge) => charge.id);

      expect(await ids('2026-02-10')).toEqual(['c', 'a', 'b']);
      expect(await ids('2026-02-11')).toEqual(['c', 'a', 'b', 'd']);
      expect(await ids('2026-01-30')).toEqual([]);
    });
  });
}
