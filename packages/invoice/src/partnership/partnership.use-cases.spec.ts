import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { Money, tenantId } from '@invoicing/core';
import { CreateMarketable } from '../marketable/marketable.use-cases';
import { ArchivePartner, CreatePartner } from '../partner/partner.use-cases';
import type { MarketableId, PartnerId, PartnershipId } from '../shared/ids';
import { SCENARIO_BUYER, SCENARIO_MARKETABLE, SCENARIO_TERMS, createScenario, type Scenario } from '../testing/scenario';
import type { PartnershipState } from './partnership';
import { PARTNERSHIP_PLANS, type PartnershipPlans } from './partnership-plans.port';
import {
  ChangePartnershipStatus,
  CreatePartnership,
  GetPartnership,
  ListPartnerships,
  SetPriceOverride,
  UpdatePartnershipTerms,
} from './partnership.use-cases';

const OTHER_TENANT = tenantId('tenant-b');

const error = (name: string, code: string) => expect.objectContaining({ name, code });

let s: Scenario;

beforeEach(async () => {
  s = await createScenario();
});

function open(sellerId: PartnerId, buyerId: PartnerId, terms: Partial<typeof SCENARIO_TERMS> = {}) {
  return s.use(CreatePartnership).execute({ tenantId: s.tenantId, sellerId, buyerId, ...SCENARIO_TERMS, ...terms });
}

function stored(partnershipId: PartnershipId = s.partnership.id): Promise<PartnershipState> {
  return s.use(GetPartnership).execute({ tenantId: s.tenantId, partnershipId });
}

/** A billing module's answers to the partnership's changes (ADR 0027), recording what it was asked. */
function billingPlans(lock?: { readonly planCurrency: string; readonly reason: string }, endFails = false, meanwhile?: () => Promise<void>, stillToBill?: string) {
  const asked: unknown[][] = [];
  const plans: PartnershipPlans = {
    currencyLock: async (...args) => {
      asked.push(['currencyLock', ...args]);
      return lock as Awaited<ReturnType<PartnershipPlans['currencyLock']>>;
    },
    endAfter: async (...args) => {
      asked.push(['endAfter', ...args]);
      if (endFails) throw new Error('the plan could not be saved');
      // Another request changes the partnership while its billing is ended (once).
      const change = meanwhile;
      meanwhile = undefined;
      await change?.();
    },
    stillToBill: async (...args) => {
      asked.push(['stillToBill', ...args]);
      return stillToBill;
    },
  };
  s.container.bind(PARTNERSHIP_PLANS).toConstantValue(plans);
  return asked;
}

function overrides(state: PartnershipState): [string, string][] {
  return state.priceOverrides.map((item) => [item.marketableId, item.unitPrice.toString()]);
}

describe('CreatePartnership', () => {
  describe('execute', () => {
    it('opens an active partnership with default numbering and policy when both partners are active', async () => {
      const created = await open(s.seller.id, s.buyer.id, { buyerReference: 'CONTRACT-7' });

      expect(created).toMatchObject({
        tenantId: s.tenantId,
        version: 1,
        sellerId: s.seller.id,
        buyerId: s.buyer.id,
        currency: 'EUR',
        paymentTerms: { kind: 'net', days: 30 },
        numbering: { invoice: 'INV', creditNote: 'CN' },
        policy: { approval: { kind: 'none' }, deliveryFormat: 'pdf' },
        status: 'active',
        validFrom: '2026-01-01',
        buyerReference: 'CONTRACT-7',
        priceOverrides: [],
      });
      expect(await stored(created.id)).toEqual(created);
    });

    it('keeps an approval threshold as money in the partnership currency', async () => {
      const created = await open(s.seller.id, s.buyer.id, { policy: { approval: { kind: 'above', threshold: '5000.00' } } });

      expect(created.policy.approval).toEqual({ kind: 'above', threshold: Money.of('5000', 'EUR') });
    });

    it.each([
      ['seller', 'missing'],
      ['buyer', 'missing'],
      ['seller', 'another tenant’s'],
      ['buyer', 'another tenant’s'],
    ])('fails with partner.not_found when the %s is %s', async (role, kind) => {
      const absent =
        kind === 'missing' ? ('id-999999' as PartnerId) : (await s.use(CreatePartner).execute({ tenantId: OTHER_TENANT, ...SCENARIO_BUYER })).id;
      const [sellerId, buyerId] = role === 'seller' ? [absent, s.buyer.id] : [s.seller.id, absent];

      await expect(open(sellerId, buyerId)).rejects.toEqual(error('NotFoundError', 'partner.not_found'));
      expect((await s.use(ListPartnerships).execute({ tenantId: s.tenantId })).items).toHaveLength(1);
    });

    it.each(['seller', 'buyer'])('fails with partner.archived when the %s is archived', async (role) => {
      const other = await s.use(CreatePartner).execute({ tenantId: s.tenantId, legalName: 'Retired Ltd' });
      await s.use(ArchivePartner).execute({ tenantId: s.tenantId, partnerId: other.id });
      const [sellerId, buyerId] = role === 'seller' ? [other.id, s.buyer.id] : [s.seller.id, other.id];

      await expect(open(sellerId, buyerId)).rejects.toEqual(error('InvalidStateError', 'partner.archived'));
    });

    it('fails with partnership.same_partner when seller and buyer are one partner', async () => {
      await expect(open(s.seller.id, s.seller.id)).rejects.toEqual(error('ValidationError', 'partnership.same_partner'));
    });

    it('reports each bad term when the terms are invalid', async () => {
      const failure = await open(s.seller.id, s.buyer.id, {
        currency: 'EURO',
        paymentTerms: { kind: 'net', days: -1 },
        numbering: { invoice: 'inv' },
        validFrom: '2026-02-30',
      }).catch((caught: unknown) => caught);

      expect((failure as { issues: unknown[] }).issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'currency', code: 'money.unknown_currency' }),
          expect.objectContaining({ path: 'paymentTerms.days', code: 'payment_terms.invalid_days' }),
          expect.objectContaining({ path: 'numbering.invoice', code: 'partnership.invalid_series' }),
          expect.objectContaining({ path: 'validFrom', code: 'date.malformed' }),
        ]),
      );
    });
  });
});

describe('UpdatePartnershipTerms', () => {
  describe('execute', () => {
    it('replaces the terms and drops an omitted end date and buyer reference when the version matches', async () => {
      const created = await open(s.seller.id, s.buyer.id, { validUntil: '2026-12-31', buyerReference: 'OLD' });

      const updated = await s.use(UpdatePartnershipTerms).execute({
        tenantId: s.tenantId,
        partnershipId: created.id,
        expectedVersion: 1,
        terms: { currency: 'EUR', paymentTerms: { kind: 'end_of_month', days: 10 }, numbering: { invoice: 'FAC', creditNote: 'AV' }, validFrom: '2026-02-01' },
      });

      expect(updated).toMatchObject({ version: 2, paymentTerms: { kind: 'end_of_month', days: 10 }, numbering: { invoice: 'FAC', creditNote: 'AV' }, validFrom: '2026-02-01' });
      expect(updated.validUntil).toBeUndefined();
      expect(updated.buyerReference).toBeUndefined();
    });

    it('fails with concurrency.stale_version when the expected version is stale', async () => {
      await expect(
        s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, expectedVersion: 9, terms: SCENARIO_TERMS }),
      ).rejects.toEqual(error('ConflictError', 'concurrency.stale_version'));
    });

    it('fails with partnership.currency_has_prices when the currency changes while prices are negotiated', async () => {
      await s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId: s.marketable.id, unitPrice: '750' });

      await expect(
        s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms: { ...SCENARIO_TERMS, currency: 'USD' } }),
      ).rejects.toEqual(error('ValidationError', 'partnership.currency_has_prices'));
      expect((await stored()).currency).toBe('EUR');
    });

    it('fails with partnership.currency_locked, changing nothing, while its billing plan bills in its currency', async () => {
      const asked = billingPlans({ planCurrency: 'EUR', reason: 'it has not ended' });
      const update = (currency: string) => s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms: { ...SCENARIO_TERMS, currency } });

      await expect(update('USD')).rejects.toMatchObject({
        code: 'partnership.currency_locked',
        message: expect.stringContaining('bills in EUR: it has not ended'),
        details: { partnershipId: s.partnership.id, currency: 'USD', planCurrency: 'EUR' },
      });
      expect(await stored()).toMatchObject({ currency: 'EUR', version: 1 });
      // The same currency is not a change: billing is not asked.
      await update('EUR');
      expect(asked).toEqual([['currencyLock', s.tenantId, s.partnership.id, 'USD']]);
    });

    it('takes a new currency billing does not hold', async () => {
      billingPlans(undefined);

      const updated = await s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms: { ...SCENARIO_TERMS, currency: 'USD' } });

      expect(updated.currency).toBe('USD');
    });

    it('fails with partnership.ended when the partnership has ended', async () => {
      await s.use(ChangePartnershipStatus).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, action: 'end' });

      await expect(s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms: SCENARIO_TERMS })).rejects.toEqual(
        error('InvalidStateError', 'partnership.ended'),
      );
    });

    it('fails with partnership.not_found when the partnership belongs to another tenant', async () => {
      await expect(s.use(UpdatePartnershipTerms).execute({ tenantId: OTHER_TENANT, partnershipId: s.partnership.id, terms: SCENARIO_TERMS })).rejects.toEqual(
        error('NotFoundError', 'partnership.not_found'),
      );
    });
  });
});

describe('SetPriceOverride', () => {
  describe('execute', () => {
    it('sets a negotiated price, then replaces it, keeping one price per marketable', async () => {
      await s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId: s.marketable.id, unitPrice: '750.00' });
      const replaced = await s.use(SetPriceOverride).execute({
        tenantId: s.tenantId,
        partnershipId: s.partnership.id,
        marketableId: s.marketable.id,
        unitPrice: '712.125',
        expectedVersion: 2,
      });

      expect(overrides(replaced)).toEqual([[s.marketable.id, '712.125']]);
      expect(replaced.version).toBe(3);
    });

    it('removes the negotiated price when given null', async () => {
      const training = await s.use(CreateMarketable).execute({ tenantId: s.tenantId, ...SCENARIO_MARKETABLE, sku: 'TRAINING' });
      await s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId: s.marketable.id, unitPrice: '750' });
      await s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId: training.id, unitPrice: '500' });

      const removed = await s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId: s.marketable.id, unitPrice: null });

      expect(overrides(removed)).toEqual([[training.id, '500']]);
    });

    it('fails with marketable.not_found and changes nothing when the marketable is unknown or another tenant’s', async () => {
      const theirs = await s.use(CreateMarketable).execute({ tenantId: OTHER_TENANT, ...SCENARIO_MARKETABLE });

      for (const marketableId of ['id-999999' as MarketableId, theirs.id]) {
        await expect(
          s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId, unitPrice: '1' }),
        ).rejects.toEqual(error('NotFoundError', 'marketable.not_found'));
      }
      expect(await stored()).toEqual(s.partnership);
    });

    it.each([
      ['-1', 'partnership.negative_price'],
      ['7,50', 'decimal.malformed'],
      ['1e3', 'decimal.malformed'],
    ])('fails at unitPrice when the price is %j', async (unitPrice, code) => {
      const failure = await s
        .use(SetPriceOverride)
        .execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId: s.marketable.id, unitPrice })
        .catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', code));
      expect((failure as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ path: 'unitPrice', code })]);
      expect(await stored()).toEqual(s.partnership);
    });

    it('fails with partnership.not_found when the partnership is unknown', async () => {
      await expect(
        s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: 'id-999999' as PartnershipId, marketableId: s.marketable.id, unitPrice: '1' }),
      ).rejects.toEqual(error('NotFoundError', 'partnership.not_found'));
    });
  });
});

describe('UpdatePartnershipTerms with an approval threshold', () => {
  it('refuses a currency code in lower case as no currency at all, not as a change of the threshold’s currency (audit lifecycle, minor)', async () => {
    const above = await s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms: { ...SCENARIO_TERMS, policy: { approval: { kind: 'above', threshold: '10000' } } } });
    expect(above.policy.approval).toMatchObject({ kind: 'above' });

    await expect(s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms: { ...SCENARIO_TERMS, currency: 'eur' } })).rejects.toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ path: 'currency', code: 'money.unknown_currency' })]),
    });
    await expect(s.use(UpdatePartnershipTerms).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, terms: { ...SCENARIO_TERMS, currency: 'eur' } })).rejects.not.toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ code: 'partnership.threshold_currency' })]),
    });
  });
});

describe('ChangePartnershipStatus', () => {
  describe('execute', () => {
    const change = (action: 'suspend' | 'resume' | 'end') =>
      s.use(ChangePartnershipStatus).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, action });

    it('suspends, resumes and ends a partnership in turn', async () => {
      expect((await change('suspend')).status).toBe('suspended');
      expect((await change('resume')).status).toBe('active');
      expect((await change('end')).status).toBe('ended');
      expect((await stored()).version).toBe(4);
    });

    it("ends a partnership on today, in the business time zone, as its validity's last day, its billing ended after it first", async () => {
      const asked = billingPlans();
      // 00:30 on 1 April in Paris.
      s.clock.set(new Date('2026-03-31T22:30:00Z'));

      const ended = await change('end');

      expect([ended.status, ended.validUntil]).toEqual(['ended', '2026-04-01']);
      expect(asked).toEqual([['endAfter', s.tenantId, s.partnership.id, '2026-04-01']]);
    });

    it('leaves the partnership as it was when its billing could not be ended: ending it again does both', async () => {
      billingPlans(undefined, true);

      await expect(change('end')).rejects.toThrow('the plan could not be saved');

      expect(await stored()).toMatchObject({ status: 'active', version: 1 });
      expect((await stored()).validUntil).toBeUndefined();
    });

    it('ends the partnership whose billing it ended when a suspend came in between, rather than leave its billing ended alone (audit lifecycle F3)', async () => {
      const asked = billingPlans(undefined, false, async () => {
        await s.use(ChangePartnershipStatus).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, action: 'suspend' });
      });

      const ended = await change('end');

      expect([ended.status, (await stored()).status]).toEqual(['ended', 'ended']);
      // Its billing was ended again on the partnership as the suspend left it: the same last day, nothing more.
      expect(asked.filter(([what]) => what === 'endAfter')).toHaveLength(2);
    });

    it('ends a suspended partnership', async () => {
      await change('suspend');

      expect((await change('end')).status).toBe('ended');
    });

    it.each([
      [[], 'resume', 'partnership.not_suspended'],
      [['suspend'], 'suspend', 'partnership.not_active'],
      [['end'], 'suspend', 'partnership.not_active'],
      [['end'], 'resume', 'partnership.not_suspended'],
      [['end'], 'end', 'partnership.ended'],
    ] as const)('after %j refuses %s with %s', async (before, action, code) => {
      for (const step of before) await change(step);

      await expect(change(action)).rejects.toEqual(error('InvalidStateError', code));
    });

    it('refuses price changes once the partnership has ended', async () => {
      await change('end');

      await expect(
        s.use(SetPriceOverride).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, marketableId: s.marketable.id, unitPrice: '1' }),
      ).rejects.toEqual(error('InvalidStateError', 'partnership.ended'));
    });

    it('fails with concurrency.stale_version when the expected version is stale', async () => {
      await expect(
        s.use(ChangePartnershipStatus).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, action: 'suspend', expectedVersion: 0 }),
      ).rejects.toEqual(error('ConflictError', 'concurrency.stale_version'));
    });
  });
});

describe('ListPartnerships', () => {
  describe('execute', () => {
    it('lists the partnerships a partner is seller or buyer in', async () => {
      const third = await s.use(CreatePartner).execute({ tenantId: s.tenantId, legalName: 'Third Party Ltd' });
      const buying = await open(third.id, s.seller.id);
      const unrelated = await open(third.id, s.buyer.id);

      const ofSeller = await s.use(ListPartnerships).execute({ tenantId: s.tenantId, partnerId: s.seller.id });
      const all = await s.use(ListPartnerships).execute({ tenantId: s.tenantId });

      expect(ofSeller.items.map((item) => item.id)).toEqual([s.partnership.id, buying.id]);
      expect(all.items.map((item) => item.id)).toEqual([s.partnership.id, buying.id, unrelated.id]);
      expect((await s.use(ListPartnerships).execute({ tenantId: OTHER_TENANT })).items).toEqual([]);
    });
  });
});
