import { ConflictError, Decimal, Money } from '@invoicing/core';
import { aTenant } from '@invoicing/invoice/testing';
import type { BillingAdapters } from '../../billing-adapters';
import { BillingPlan } from '../../plans/billing-plan';
import type { BillingPlanRepository } from '../../plans/billing-plan-repository.port';
import { aPartnershipId, aPlan } from './billing-builders';
import { jestGlobals } from './jest-globals';

/** Contract of `BillingPlanRepository`: round trip, versions, optimistic conflicts, tenant isolation, ids in pages. */
export function describeBillingPlanRepositoryContract(adapters: () => BillingAdapters): void {
  const { describe, expect, it } = jestGlobals();
  const plans = (): BillingPlanRepository => adapters().plans;

  describe('BillingPlanRepository', () => {
    it('reads back what it saved at version 1, every version with its decimals, money and dates intact', async () => {
      const tenant = aTenant();
      const plan = aPlan(tenant);
      const expected = plan.toState();
      expect(plan.pendingEvents.length).toBeGreaterThan(0);

      await plans().save(plan);
      const loaded = await plans().get(tenant, plan.id);

      expect(plan.pendingEvents).toEqual([]);
      expect(loaded?.version).toBe(1);
      expect(loaded?.toState()).toEqual({ ...expected, version: 1 });
      const terms = loaded?.history[0]?.terms;
      const seats = terms?.charges[0];
      expect(seats?.kind === 'recurring' && seats.unitPrice).toBeInstanceOf(Decimal);
      expect(seats?.kind === 'recurring' && seats.unitPrice.equals('19.9999')).toBe(true);
      expect(terms?.minimum?.amount).toBeInstanceOf(Money);
      expect(terms?.minimum?.amount.equals(Money.of('100.05', 'EUR'))).toBe(true);
      expect(loaded?.history.map((version) => [version.version, version.effectiveFrom, version.terms === null, version.replacedBy])).toEqual([
        [1, '2026-01-01', false, undefined],
        [2, '2026-03-01', false, 3],
        [3, '2026-02-01', true, undefined],
      ]);
      expect(loaded?.history[2]?.recordedAt).toEqual(new Date('2026-01-12T08:00:00.123Z'));
      expect(loaded?.segments()).toEqual(plan.segments());
    });

    it('moves the version on with each save and keeps the latest state', async () => {
      const tenant = aTenant();
      const plan = aPlan(tenant);
      await plans().save(plan);
      plan.replaceFrom('2026-04-01', { interval: 'yearly', charges: [{ kind: 'recurring', code: 'base', name: 'Base', unitPrice: '1200', vat: { code: 'S', rate: '20' } }] }, new Date('2026-03-01T00:00:00Z'));
      const changed = plan.toState();

      await plans().save(plan);

      expect(plan.version).toBe(2);
      expect((await plans().get(tenant, plan.id))?.toState()).toEqual({ ...changed, version: 2 });
    });

    it('keeps the currency of each version of a plan started again in another currency (ADR 0027)', async () => {
      const tenant = aTenant();
      const plan = aPlan(tenant);
      plan.restartIn('JPY', '2026-06-01', { interval: 'monthly', charges: [{ kind: 'recurring', code: 'base', name: 'Base', unitPrice: '4000', vat: { code: 'S', rate: '20' } }] }, new Date('2026-05-02T00:00:00Z'));
      await plans().save(plan);

      const loaded = await plans().get(tenant, plan.id);

      expect(loaded?.toState()).toEqual({ ...plan.toState(), version: 1 });
      expect([loaded?.currency, loaded?.history.map((version) => version.currency)]).toEqual(['JPY', ['EUR', 'EUR', 'EUR', undefined]]);
      expect(loaded?.inCurrency().history.map((version) => version.version)).toEqual([4]);
    });

    it('refuses a save from a stale copy with concurrency.conflict and keeps the first write', async () => {
      const tenant = aTenant();
      const plan = aPlan(tenant);
      await plans().save(plan);
      const first = (await plans().get(tenant, plan.id)) as BillingPlan;
      const second = (await plans().get(tenant, plan.id)) as BillingPlan;
      first.replaceFrom('2026-05-01', null, new Date('2026-04-01T00:00:00Z'));
      await plans().save(first);
      second.replaceFrom('2026-06-01', null, new Date('2026-04-02T00:00:00Z'));

      const refused = plans().save(second);

      await expect(refused).rejects.toBeInstanceOf(ConflictError);
      await expect(plans().save(second)).rejects.toMatchObject({ code: 'concurrency.conflict' });
      expect((await plans().get(tenant, plan.id))?.toState()).toEqual(first.toState());
    });

    it('refuses a new plan for a partnership that has one', async () => {
      const tenant = aTenant();
      const plan = aPlan(tenant);
      await plans().save(plan);

      await expect(plans().save(aPlan(tenant, plan.id))).rejects.toMatchObject({ code: 'concurrency.conflict' });
      expect((await plans().get(tenant, plan.id))?.toState()).toEqual({ ...plan.toState(), version: 1 });
    });

    it("treats another tenant's plan exactly like a missing one, and lets that tenant have its own under the same id", async () => {
      const tenant = aTenant();
      const other = aTenant();
      const plan = aPlan(tenant);
      await plans().save(plan);

      expect(await plans().get(other, plan.id)).toBeUndefined();
      expect(await plans().get(tenant, aPartnershipId())).toBeUndefined();
      const theirs = aPlan(other, plan.id);
      await plans().save(theirs);
      expect((await plans().get(other, plan.id))?.tenantId).toBe(other);
      expect((await plans().get(tenant, plan.id))?.tenantId).toBe(tenant);
    });

    it("lists a tenant's partnerships with a plan in id order, page after page, and counts them", async () => {
      const tenant = aTenant();
      const ids = Array.from({ length: 5 }, () => aPartnershipId());
      // Saved out of id order: the list orders them.
      for (const id of [...ids].reverse()) await plans().save(aPlan(tenant, id));
      await plans().save(aPlan(aTenant()));
      const sorted = [...ids].sort();

      const first = await plans().listIds(tenant, { limit: 2 });
      const second = await plans().listIds(tenant, { after: first.at(-1), limit: 2 });
      const third = await plans().listIds(tenant, { after: second.at(-1), limit: 2 });
      const past = await plans().listIds(tenant, { after: third.at(-1), limit: 2 });

      expect([first, second, third, past]).toEqual([sorted.slice(0, 2), sorted.slice(2, 4), sorted.slice(4), []]);
      expect(await plans().listIds(tenant, { limit: 500 })).toEqual(sorted);
      expect(await plans().count(tenant)).toBe(5);
      expect(await plans().listIds(aTenant(), { limit: 10 })).toEqual([]);
      expect(await plans().count(aTenant())).toBe(0);
    });
  });
}
