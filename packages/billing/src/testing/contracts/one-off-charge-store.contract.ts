import { ConflictError, Decimal, parseCalendarDate } from '@invoicing/core';
import type { MarketableId } from '@invoicing/invoice';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillingAdapters } from '../../billing-adapters';
import type { OneOffChargeStore } from '../../one-off/one-off-charge-store.port';
import { aOneOff, aPartnershipId } from './billing-builders';
import { jestGlobals } from './jest-globals';

/**
 * Contract of `OneOffChargeStore`: one charge per tenant and id, retries answered, listed by date then id; each charge
 * ends taken by a bill or cancelled, never both.
 */
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

    it('cancels a charge: read back with when, left out of the list, answered as it is when cancelled again', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const [kept, dropped] = [aOneOff(tenant, partnership, 'kept'), aOneOff(tenant, partnership, 'dropped')];
      for (const charge of [kept, dropped]) await store().add(charge);
      const at = new Date('2026-02-11T08:00:00Z');

      const cancelled = await store().cancel(tenant, 'dropped', at);
      const again = await store().cancel(tenant, 'dropped', new Date('2026-02-12T08:00:00Z'));

      expect(cancelled).toEqual({ ...dropped, cancelledAt: at });
      expect(again).toEqual(cancelled);
      expect(await store().get(tenant, 'dropped')).toEqual(cancelled);
      expect(await store().listThrough(tenant, partnership, parseCalendarDate('2026-12-31'))).toEqual([kept]);
      // The same charge added again answers the stored one, cancelled: the caller decides what that means.
      expect(await store().add(dropped)).toEqual({ charge: cancelled, created: false });
      expect(await store().cancel(tenant, 'none', at)).toBeUndefined();
      expect(await store().cancel(aTenant(), 'kept', at)).toBeUndefined();
      expect(await store().get(tenant, 'none')).toBeUndefined();
    });

    it('lets a bill take charges, which then cannot be cancelled; a cancelled charge is not taken, and named', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      for (const id of ['a', 'b', 'c']) await store().add(aOneOff(tenant, partnership, id));
      await store().cancel(tenant, 'c', new Date('2026-02-11T08:00:00Z'));

      expect(await store().claim(tenant, ['a', 'c'], `${partnership}/2026-02-10`, new Date('2026-02-12T08:00:00Z'))).toEqual(['c']);
      // Taken again, by another bill worked out after the first was overtaken: still taken, still not cancellable.
      expect(await store().claim(tenant, ['a', 'b'], `${partnership}/2026-02-12`, new Date('2026-02-12T09:00:00Z'))).toEqual([]);

      for (const id of ['a', 'b']) await expect(store().cancel(tenant, id, new Date('2026-02-13T08:00:00Z'))).rejects.toMatchObject({ code: 'one_off.already_billed', details: { id } });
      await expect(store().cancel(tenant, 'a', new Date())).rejects.toMatchObject({ details: { bill: `${partnership}/2026-02-10` } });
      expect((await store().listThrough(tenant, partnership, parseCalendarDate('2026-12-31'))).map((charge) => [charge.id, charge.cancelledAt])).toEqual([
        ['a', undefined],
        ['b', undefined],
      ]);
    });

    it('decides each charge once when bills take it and it is cancelled at the same moment, many times over', async () => {
      const tenant = aTenant();
      const partnership = aPartnershipId();
      const ids = Array.from({ length: 12 }, (_, index) => `race-${index}`);
      for (const id of ids) await store().add(aOneOff(tenant, partnership, id));
      const at = new Date('2026-02-11T08:00:00Z');

      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const [cancel, claimed] = await Promise.all([store().cancel(tenant, id, at).then(() => 'cancelled', (error: { code?: string }) => error.code), store().claim(tenant, [id], `${partnership}/2026-02-10`, at)]);
          return { id, cancel, claimCancelled: claimed.includes(id) };
        }),
      );

      for (const outcome of outcomes) {
        // Cancelled and not taken, or taken and the cancel refused: never both, never neither.
        expect([outcome.cancel, outcome.claimCancelled]).toEqual(outcome.cancel === 'cancelled' ? ['cancelled', true] : ['one_off.already_billed', false]);
      }
      const listed = (await store().listThrough(tenant, partnership, parseCalendarDate('2026-12-31'))).map((charge) => charge.id);
      expect(listed.sort()).toEqual(outcomes.filter((outcome) => outcome.cancel !== 'cancelled').map((outcome) => outcome.id).sort());
    });
  });
}
