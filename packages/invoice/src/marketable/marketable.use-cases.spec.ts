import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { decimal, definedFields, tenantId } from '@invoicing/core';
import type { MarketableId } from '../shared/ids';
import { SCENARIO_MARKETABLE, createTestBed, type TestBed } from '../testing/scenario';
import type { MarketableDetails } from './marketable';
import { CreateMarketable, GetMarketable, ListMarketables, SetMarketableActive, UpdateMarketable } from './marketable.use-cases';

const TENANT = tenantId('tenant-a');
const OTHER_TENANT = tenantId('tenant-b');

const error = (name: string, code: string) => expect.objectContaining({ name, code });

let bed: TestBed;

beforeEach(() => {
  bed = createTestBed();
});

function create(changes: Partial<MarketableDetails> = {}, tenant = TENANT) {
  return bed.use(CreateMarketable).execute({ tenantId: tenant, ...SCENARIO_MARKETABLE, ...changes });
}

async function skus(active?: boolean, tenant = TENANT): Promise<string[]> {
  const page = await bed.use(ListMarketables).execute({ tenantId: tenant, ...definedFields({ active }) });
  return page.items.map((item) => item.sku);
}

describe('CreateMarketable', () => {
  describe('execute', () => {
    it('stores an active marketable with exact prices when the details are valid', async () => {
      const created = await create({ prices: [{ currency: 'EUR', unitPrice: '0.0125' }] });

      expect(created).toMatchObject({ tenantId: TENANT, id: 'id-000001', version: 1, sku: 'CONSULT-DAY', kind: 'service', unitCode: 'DAY', active: true });
      expect(created.prices).toHaveLength(1);
      expect(created.prices[0]?.currency).toBe('EUR');
      expect(created.prices[0]?.unitPrice.equals(decimal('0.0125'))).toBe(true);
      expect(created.defaultVat.code).toBe('S');
      expect(created.defaultVat.rate?.equals(20)).toBe(true);
      expect(await bed.use(GetMarketable).execute({ tenantId: TENANT, marketableId: created.id })).toEqual(created);
    });

    it('fails with marketable.sku_taken and stores nothing when the SKU is used in the tenant', async () => {
      await create();

      await expect(create({ name: 'Another consulting day' })).rejects.toEqual(error('ConflictError', 'marketable.sku_taken'));
      expect(await skus()).toEqual(['CONSULT-DAY']);
    });

    it('accepts a SKU another tenant uses', async () => {
      await create({}, OTHER_TENANT);

      const mine = await create();

      expect(mine.sku).toBe('CONSULT-DAY');
      expect(await skus()).toEqual(['CONSULT-DAY']);
      expect(await skus(undefined, OTHER_TENANT)).toEqual(['CONSULT-DAY']);
    });

    it('compares SKUs as given, so a SKU differing only in case is another SKU', async () => {
      await create();

      await create({ sku: 'consult-day' });

      expect(await skus()).toEqual(['CONSULT-DAY', 'consult-day']);
    });

    it('lets only one of two simultaneous creations with one SKU through', async () => {
      const outcomes = await Promise.allSettled([create(), create({ name: 'Twin' })]);

      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(outcomes.find((outcome) => outcome.status === 'rejected')).toEqual(
        expect.objectContaining({ reason: error('ConflictError', 'marketable.sku_taken') }),
      );
      expect(await skus()).toEqual(['CONSULT-DAY']);
    });

    it('reports each bad field when the details are invalid', async () => {
      const failure = await create({ sku: '-bad', unitCode: 'day', prices: [{ currency: 'EUR', unitPrice: '-1' }, { currency: 'EUR', unitPrice: '2' }] }).catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', 'validation.failed'));
      expect((failure as { issues: unknown[] }).issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'sku', code: 'marketable.invalid_sku' }),
          expect.objectContaining({ path: 'unitCode', code: 'unit_code.malformed' }),
          expect.objectContaining({ path: 'prices.0.unitPrice', code: 'marketable.negative_price' }),
        ]),
      );
      expect(await skus()).toEqual([]);
    });
  });
});

describe('UpdateMarketable', () => {
  describe('execute', () => {
    it('changes the given fields, keeps the others and its SKU when the SKU is unchanged', async () => {
      const created = await create();

      const updated = await bed.use(UpdateMarketable).execute({ tenantId: TENANT, marketableId: created.id, expectedVersion: 1, changes: { name: 'Senior consulting day' } });

      expect(updated).toMatchObject({ version: 2, sku: 'CONSULT-DAY', name: 'Senior consulting day', unitCode: 'DAY' });
      expect(updated.prices.map((price) => [price.currency, price.unitPrice.toString()])).toEqual([
        ['EUR', '800'],
        ['USD', '900'],
      ]);
    });

    it('fails with marketable.sku_taken and changes nothing when the new SKU belongs to another marketable of the tenant', async () => {
      await create();
      const other = await create({ sku: 'TRAINING-DAY', name: 'Training day' });

      await expect(bed.use(UpdateMarketable).execute({ tenantId: TENANT, marketableId: other.id, changes: { sku: 'CONSULT-DAY' } })).rejects.toEqual(
        error('ConflictError', 'marketable.sku_taken'),
      );
      expect(await bed.use(GetMarketable).execute({ tenantId: TENANT, marketableId: other.id })).toEqual(other);
    });

    it('frees the old SKU when the SKU changes', async () => {
      const created = await create();

      await bed.use(UpdateMarketable).execute({ tenantId: TENANT, marketableId: created.id, changes: { sku: 'CONSULT-DAY-2026' } });
      await create({ name: 'Consulting day, new offer' });

      expect(await skus()).toEqual(['CONSULT-DAY-2026', 'CONSULT-DAY']);
    });

    it('accepts a SKU only another tenant uses', async () => {
      await create({ sku: 'SHARED' }, OTHER_TENANT);
      const mine = await create();

      const updated = await bed.use(UpdateMarketable).execute({ tenantId: TENANT, marketableId: mine.id, changes: { sku: 'SHARED' } });

      expect(updated.sku).toBe('SHARED');
    });

    it('fails with concurrency.stale_version when the expected version is stale', async () => {
      const created = await create();
      await bed.use(UpdateMarketable).execute({ tenantId: TENANT, marketableId: created.id, changes: { name: 'v2' } });

      await expect(bed.use(UpdateMarketable).execute({ tenantId: TENANT, marketableId: created.id, expectedVersion: 1, changes: { name: 'v3' } })).rejects.toEqual(
        error('ConflictError', 'concurrency.stale_version'),
      );
    });

    it('fails with marketable.not_found when the marketable belongs to another tenant', async () => {
      const theirs = await create({}, OTHER_TENANT);

      await expect(bed.use(UpdateMarketable).execute({ tenantId: TENANT, marketableId: theirs.id, changes: { name: 'Mine now' } })).rejects.toEqual(
        error('NotFoundError', 'marketable.not_found'),
      );
      await expect(bed.use(GetMarketable).execute({ tenantId: TENANT, marketableId: theirs.id })).rejects.toEqual(error('NotFoundError', 'marketable.not_found'));
    });
  });
});

describe('SetMarketableActive', () => {
  describe('execute', () => {
    it('deactivates and reactivates a marketable', async () => {
      const created = await create();

      const inactive = await bed.use(SetMarketableActive).execute({ tenantId: TENANT, marketableId: created.id, active: false });
      const active = await bed.use(SetMarketableActive).execute({ tenantId: TENANT, marketableId: created.id, active: true, expectedVersion: 2 });

      expect(inactive).toMatchObject({ active: false, version: 2 });
      expect(active).toMatchObject({ active: true, version: 3 });
    });

    it('fails with marketable.inactive when it is already inactive', async () => {
      const created = await create();
      await bed.use(SetMarketableActive).execute({ tenantId: TENANT, marketableId: created.id, active: false });

      await expect(bed.use(SetMarketableActive).execute({ tenantId: TENANT, marketableId: created.id, active: false })).rejects.toEqual(
        error('InvalidStateError', 'marketable.inactive'),
      );
    });

    it('fails with marketable.active when it is already active', async () => {
      const created = await create();

      await expect(bed.use(SetMarketableActive).execute({ tenantId: TENANT, marketableId: created.id, active: true })).rejects.toEqual(
        error('InvalidStateError', 'marketable.active'),
      );
    });

    it('fails with marketable.not_found when the id is unknown', async () => {
      await expect(bed.use(SetMarketableActive).execute({ tenantId: TENANT, marketableId: 'id-404' as MarketableId, active: false })).rejects.toEqual(
        error('NotFoundError', 'marketable.not_found'),
      );
    });
  });
});

describe('ListMarketables', () => {
  describe('execute', () => {
    beforeEach(async () => {
      await create({ sku: 'A' });
      const retired = await create({ sku: 'B' });
      await create({ sku: 'C' });
      await create({ sku: 'X' }, OTHER_TENANT);
      await bed.use(SetMarketableActive).execute({ tenantId: TENANT, marketableId: retired.id, active: false });
    });

    it('lists the tenant’s marketables in creation order when not filtered', async () => {
      expect(await skus()).toEqual(['A', 'B', 'C']);
    });

    it('lists only active or only inactive marketables when filtered', async () => {
      expect(await skus(true)).toEqual(['A', 'C']);
      expect(await skus(false)).toEqual(['B']);
    });

    it('pages through the catalogue when given a limit', async () => {
      const first = await bed.use(ListMarketables).execute({ tenantId: TENANT, page: { limit: 2 } });
      const second = await bed.use(ListMarketables).execute({ tenantId: TENANT, page: { limit: 2, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) } });

      expect(first.items.map((item) => item.sku)).toEqual(['A', 'B']);
      expect(second.items.map((item) => item.sku)).toEqual(['C']);
      expect(second.nextCursor).toBeNull();
    });
  });
});
