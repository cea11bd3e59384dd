import { describe, expect, it } from '@jest/globals';
import { InvalidStateError, tenantId } from '@invoicing/core';
import type { MarketableId } from '../shared/ids';
import { Marketable, type MarketableDetails } from './marketable';
import { issuesOf, thrown } from '../testing/assertions';
import { attempt, tamperWith } from '../testing/tamper';

const tenant = tenantId('acme');
const at = new Date('2026-01-15T09:00:00Z');
const later = new Date('2026-01-20T10:00:00Z');

function details(overrides: Partial<MarketableDetails> = {}): MarketableDetails {
  return {
    sku: 'CONSULT-1',
    kind: 'service',
    name: 'Consulting',
    description: 'Senior consultant',
    unitCode: 'HUR',
    prices: [
      { currency: 'EUR', unitPrice: '95.00' },
      { currency: 'USD', unitPrice: '110' },
    ],
    defaultVat: { code: 'S', rate: '20' },
    ...overrides,
  };
}

function create(overrides: Partial<MarketableDetails> = {}): Marketable {
  return Marketable.create(details(overrides), { tenantId: tenant, id: 'm-1' as MarketableId, at });
}

describe('Marketable', () => {
  describe('create', () => {
    it('creates an active marketable and raises marketable.created', () => {
      const marketable = create();

      expect(marketable.sku).toBe('CONSULT-1');
      expect(marketable.name).toBe('Consulting');
      expect(marketable.unitCode).toBe('HUR');
      expect(marketable.active).toBe(true);
      expect(marketable.defaultVat.code).toBe('S');
      expect(marketable.defaultVat.rate?.toString()).toBe('20');
      expect(marketable.toState()).toMatchObject({ kind: 'service', description: 'Senior consultant', version: 0, createdAt: at, updatedAt: at });
      expect(marketable.pendingEvents).toEqual([expect.objectContaining({ type: 'marketable.created', aggregateId: 'm-1', payload: { marketableId: 'm-1', sku: 'CONSULT-1' } })]);
    });

    it('keeps unit prices with more decimals than money allows', () => {
      const marketable = create({ unitCode: 'KWH', prices: [{ currency: 'EUR', unitPrice: '0.0125' }] });

      expect(marketable.priceIn('EUR')?.toString()).toBe('0.0125');
    });

    it('accepts a free item (price zero) and no price at all', () => {
      expect(create({ prices: [{ currency: 'EUR', unitPrice: '0' }] }).priceIn('EUR')?.isZero()).toBe(true);
      expect(create({ prices: [] }).priceIn('EUR')).toBeUndefined();
    });

    it.each(['A', '9', 'SKU-1/blue_L.v2', 'a'.repeat(64)])('accepts the SKU %s', (sku) => {
      expect(create({ sku }).sku).toBe(sku);
    });

    it.each(['', '-abc', '.hidden', 'a b', 'é', 'a'.repeat(65)])('refuses the SKU %j', (sku) => {
      expect(issuesOf(() => create({ sku }))).toEqual([{ path: 'sku', code: 'marketable.invalid_sku' }]);
    });

    it('reports every bad field at once, each under its own path', () => {
      const issues = issuesOf(() =>
        create({
          sku: ' ',
          kind: 'subscription' as 'service',
          name: '',
          unitCode: 'hour',
          prices: [
            { currency: 'EURO', unitPrice: '1' },
            { currency: 'USD', unitPrice: '-1' },
            { currency: 'GBP', unitPrice: '1e3' },
            { currency: 'JPY', unitPrice: '99999999999999999999' },
          ],
          defaultVat: { code: 'S' },
        }),
      );

      expect(issues).toEqual([
        { path: 'sku', code: 'marketable.invalid_sku' },
        { path: 'kind', code: 'marketable.invalid_kind' },
        { path: 'name', code: 'text.required' },
        { path: 'unitCode', code: 'unit_code.malformed' },
        { path: 'prices.0.currency', code: 'money.unknown_currency' },
        { path: 'prices.1.unitPrice', code: 'marketable.negative_price' },
        { path: 'prices.2.unitPrice', code: 'decimal.malformed' },
        // A price no invoice line could take (ADR 0011: at most 10^12) is refused where it is set.
        { path: 'prices.3.unitPrice', code: 'marketable.price_out_of_range' },
        { path: 'defaultVat.rate', code: 'vat.rate_required' },
      ]);
    });

    it('refuses two prices in one currency', () => {
      expect(
        issuesOf(() =>
          create({
            prices: [
              { currency: 'EUR', unitPrice: '1' },
              { currency: 'EUR', unitPrice: '2' },
            ],
          }),
        ),
      ).toEqual([{ path: 'prices', code: 'marketable.duplicate_currency' }]);
    });

    it('refuses an exemption reason code outside the VATEX list, as a draft of its lines would (review of 7 December 2026)', () => {
      // Taken, every invoice line drafted from it was refused (vat.unknown_exemption_code), every billing run with it too.
      expect(issuesOf(() => create({ defaultVat: { code: 'E', exemptionReason: 'Training', exemptionReasonCode: 'VATEX-FAKE' } }))).toEqual([
        { path: 'defaultVat.exemptionReasonCode', code: 'vat.unknown_exemption_code' },
      ]);
      expect(create({ defaultVat: { code: 'E', exemptionReasonCode: 'vatex-eu-j' } }).defaultVat.exemptionReasonCode).toBe('vatex-eu-j');
    });

    it('refuses a description longer than 2000 characters', () => {
      expect(issuesOf(() => create({ description: 'd'.repeat(2001) }))).toEqual([{ path: 'description', code: 'text.too_long' }]);
    });
  });

  describe('state handed out (review of 12 December 2026)', () => {
    it('cannot be changed through what toState() and its getters return: arrays, nested objects, Dates', () => {
      const marketable = create();
      const expected = create().toState();
      const state = marketable.toState();

      attempt(() => (state.prices as unknown[]).pop());
      attempt(() => Object.assign(state.defaultVat, { code: 'Z' }));
      attempt(() => state.createdAt.setTime(0));
      tamperWith(state);
      tamperWith(marketable.defaultVat);

      expect(marketable.toState()).toEqual(expected);
      expect(marketable.priceIn('USD')?.toString()).toBe('110');
    });

    it('shares nothing it can be changed through with what it was built or restored from', () => {
      const now = new Date(at);
      const command = details();
      const marketable = Marketable.create(command, { tenantId: tenant, id: 'm-1' as MarketableId, at: now });
      const state = marketable.toState();
      const restored = Marketable.restore(state);

      now.setTime(0);
      tamperWith(command);
      tamperWith(state);

      for (const kept of [marketable, restored]) {
        expect(kept.toState()).toMatchObject({ sku: 'CONSULT-1', name: 'Consulting', createdAt: at, updatedAt: at });
        expect(kept.defaultVat.code).toBe('S');
        expect(kept.priceIn('EUR')?.toString()).toBe('95');
      }
    });
  });

  describe('priceIn', () => {
    it('gives the list price in a currency, or undefined when there is none', () => {
      const marketable = create();

      expect(marketable.priceIn('EUR')?.toString()).toBe('95');
      expect(marketable.priceIn('USD')?.toString()).toBe('110');
      expect(marketable.priceIn('GBP')).toBeUndefined();
    });
  });

  describe('update', () => {
    it('changes the given fields, keeps the others and raises marketable.updated', () => {
      const marketable = create();
      marketable.markSaved();

      marketable.update({ name: 'Senior consulting', prices: [{ currency: 'GBP', unitPrice: '80.50' }] }, later);

      expect(marketable.name).toBe('Senior consulting');
      expect(marketable.sku).toBe('CONSULT-1');
      expect(marketable.unitCode).toBe('HUR');
      expect(marketable.toState().description).toBe('Senior consultant');
      // The prices are replaced as a whole.
      expect(marketable.priceIn('EUR')).toBeUndefined();
      expect(marketable.priceIn('GBP')?.toString()).toBe('80.5');
      expect(marketable.defaultVat.rate?.toString()).toBe('20');
      expect(marketable.toState().updatedAt).toEqual(later);
      expect(marketable.pendingEvents).toEqual([expect.objectContaining({ type: 'marketable.updated', payload: { marketableId: 'm-1' } })]);
    });

    it('keeps its unit: every price of it, list and negotiated, is per that unit (review of 7 December 2026)', () => {
      // A change of unit re-based each price silently: 720 negotiated per day became 720 per hour.
      const marketable = create();
      marketable.markSaved();

      expect(() => marketable.update({ unitCode: 'DAY', prices: [{ currency: 'EUR', unitPrice: '800' }] }, later)).toThrow(expect.objectContaining({ code: 'marketable.unit_fixed' }));
      expect(marketable.unitCode).toBe('HUR');
      expect(marketable.pendingEvents).toEqual([]);
      marketable.update({ unitCode: 'HUR', name: 'Consulting hour' }, later);
      expect(marketable.name).toBe('Consulting hour');
    });

    it('keeps price decimals and the VAT exemption through an update of other fields', () => {
      const marketable = create({ prices: [{ currency: 'EUR', unitPrice: '0.0125' }], defaultVat: { code: 'E', exemptionReason: 'Training', exemptionReasonCode: 'VATEX-EU-J' } });

      marketable.update({ name: 'Training' }, later);

      expect(marketable.priceIn('EUR')?.toString()).toBe('0.0125');
      expect(marketable.defaultVat).toMatchObject({ code: 'E', exemptionReason: 'Training', exemptionReasonCode: 'VATEX-EU-J' });
    });

    it('refuses a new exemption reason code outside the VATEX list and changes nothing', () => {
      const marketable = create();
      marketable.markSaved();
      const before = marketable.toState();

      expect(issuesOf(() => marketable.update({ defaultVat: { code: 'AE', exemptionReasonCode: 'VATEX-FAKE' } }, later))).toEqual([
        { path: 'defaultVat.exemptionReasonCode', code: 'vat.unknown_exemption_code' },
      ]);
      expect(marketable.toState()).toEqual(before);
      expect(marketable.pendingEvents).toEqual([]);
    });

    it('keeps a stored exemption code outside the VATEX list through an update of other fields: only what is entered is checked', () => {
      const stored = create().toState();
      const marketable = Marketable.restore({ ...stored, defaultVat: { code: 'E', rate: null, exemptionReasonCode: 'VATEX-FAKE' } as typeof stored.defaultVat });

      marketable.update({ name: 'Training' }, later);

      expect(marketable.name).toBe('Training');
      expect(marketable.defaultVat.exemptionReasonCode).toBe('VATEX-FAKE');
      marketable.update({ defaultVat: { code: 'E', exemptionReasonCode: 'VATEX-EU-J' } }, later);
      expect(marketable.defaultVat.exemptionReasonCode).toBe('VATEX-EU-J');
    });

    it('clears the description when it is given as undefined', () => {
      const marketable = create();

      marketable.update({ description: undefined }, later);

      expect(marketable.toState()).not.toHaveProperty('description');
    });

    it('changes nothing when the change is invalid', () => {
      const marketable = create();
      marketable.markSaved();
      const before = marketable.toState();

      expect(issuesOf(() => marketable.update({ sku: 'bad sku', defaultVat: { code: 'Q' } }, later))).toEqual([
        { path: 'sku', code: 'marketable.invalid_sku' },
        { path: 'defaultVat.code', code: 'vat.unknown_category' },
      ]);
      expect(marketable.toState()).toEqual(before);
      expect(marketable.pendingEvents).toEqual([]);
    });
  });

  describe('deactivate', () => {
    it('stops offering the marketable and raises marketable.deactivated', () => {
      const marketable = create();
      marketable.markSaved();

      marketable.deactivate(later);

      expect(marketable.active).toBe(false);
      expect(marketable.pendingEvents).toEqual([expect.objectContaining({ type: 'marketable.deactivated', payload: { marketableId: 'm-1' } })]);
    });

    it('is refused with marketable.inactive when it is already inactive', () => {
      const marketable = create();
      marketable.deactivate(at);

      const error = thrown(() => marketable.deactivate(later));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'marketable.inactive' });
    });
  });

  describe('activate', () => {
    it('offers an inactive marketable again and raises marketable.activated', () => {
      const marketable = create();
      marketable.deactivate(at);
      marketable.markSaved();

      marketable.activate(later);

      expect(marketable.active).toBe(true);
      expect(marketable.pendingEvents).toEqual([expect.objectContaining({ type: 'marketable.activated' })]);
    });

    it('is refused with marketable.active when it is already active', () => {
      const error = thrown(() => create().activate(later));

      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error).toMatchObject({ code: 'marketable.active' });
    });
  });
});
