import { Decimal, ValidationError } from '@invoicing/core';
import { MAX_TIERS, priceModel, type PriceModelInput } from './price-model';

function issuesOf(input: unknown): { path: string; code: string }[] {
  try {
    priceModel(input as PriceModelInput);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map(({ path, code }) => ({ path, code }));
    throw error;
  }
  throw new Error('accepted');
}

describe('priceModel', () => {
  it('parses each kind, with optional fees and free units at 0', () => {
    expect(priceModel({ kind: 'per_unit', unitPrice: '0.0125' })).toEqual({ kind: 'per_unit', unitPrice: new Decimal('0.0125') });
    expect(priceModel({ kind: 'graduated', tiers: [{ upTo: '10', unitPrice: '2' }, { unitPrice: '1', flatFee: '5' }] })).toEqual({
      kind: 'graduated',
      tiers: [
        { upTo: new Decimal(10), unitPrice: new Decimal(2), flatFee: new Decimal(0) },
        { upTo: undefined, unitPrice: new Decimal(1), flatFee: new Decimal(5) },
      ],
    });
    expect(priceModel({ kind: 'package', size: '100', price: '5' })).toMatchObject({ freeUnits: new Decimal(0) });
    expect(priceModel({ kind: 'percentage', rate: '2.9', fixedFeePerEvent: '0.30' })).toMatchObject({ rate: new Decimal('2.9'), minPerEvent: undefined, maxPerEvent: undefined });
  });

  it('refuses negative prices and fees, and names every one', () => {
    expect(issuesOf({ kind: 'per_unit', unitPrice: '-1' })).toEqual([{ path: 'unitPrice', code: 'price_model.negative' }]);
    expect(issuesOf({ kind: 'package', size: '0', price: '-5', freeUnits: '-1' })).toEqual([
      { path: 'size', code: 'price_model.zero' },
      { path: 'price', code: 'price_model.negative' },
      { path: 'freeUnits', code: 'price_model.negative' },
    ]);
    expect(issuesOf({ kind: 'graduated', tiers: [{ upTo: '1e3', unitPrice: '1' }, { unitPrice: 'free' }] })).toEqual([
      { path: 'tiers.0.upTo', code: 'decimal.malformed' },
      { path: 'tiers.1.unitPrice', code: 'decimal.malformed' },
    ]);
  });

  it('bounds prices and fees as an invoice line bounds its unit price', () => {
    expect(issuesOf({ kind: 'per_unit', unitPrice: '0.00000000001' })).toEqual([{ path: 'unitPrice', code: 'price_model.out_of_range' }]);
    expect(issuesOf({ kind: 'graduated', tiers: [{ unitPrice: '1', flatFee: '1000000000000.01' }] })).toEqual([{ path: 'tiers.0.flatFee', code: 'price_model.out_of_range' }]);
    expect(priceModel({ kind: 'per_unit', unitPrice: '0.0000000001' })).toMatchObject({ unitPrice: new Decimal('1e-10') });
  });

  it('wants tiers that rise, with only the last one open', () => {
    expect(issuesOf({ kind: 'volume', tiers: [] })).toEqual([{ path: 'tiers', code: 'price_model.no_tiers' }]);
    expect(issuesOf({ kind: 'volume', tiers: [{ upTo: '10', unitPrice: '1' }] })).toEqual([{ path: 'tiers.0.upTo', code: 'price_model.last_tier_bounded' }]);
    expect(issuesOf({ kind: 'volume', tiers: [{ unitPrice: '1' }, { unitPrice: '1' }] })).toEqual([{ path: 'tiers.0.upTo', code: 'price_model.tier_unbounded' }]);
    expect(issuesOf({ kind: 'graduated', tiers: [{ upTo: '10', unitPrice: '1' }, { upTo: '10', unitPrice: '1' }, { unitPrice: '1' }] })).toEqual([
      { path: 'tiers.1.upTo', code: 'price_model.tiers_not_rising' },
    ]);
    const many = Array.from({ length: MAX_TIERS + 1 }, (_, index) => (index === MAX_TIERS ? { unitPrice: '1' } : { upTo: String(index + 1), unitPrice: '1' }));
    expect(issuesOf({ kind: 'graduated', tiers: many })).toEqual([{ path: 'tiers', code: 'price_model.too_many_tiers' }]);
  });

  it('wants a rate from 0 to 100 percent and a per-event minimum not above the maximum', () => {
    expect(issuesOf({ kind: 'percentage', rate: '100.01' })).toEqual([{ path: 'rate', code: 'price_model.rate_above_100' }]);
    expect(issuesOf({ kind: 'percentage', rate: '1.000000001' })).toEqual([{ path: 'rate', code: 'price_model.out_of_range' }]);
    expect(priceModel({ kind: 'percentage', rate: '1.00000001' })).toMatchObject({ rate: new Decimal('1.00000001') });
    expect(issuesOf({ kind: 'percentage', rate: '1', minPerEvent: '5', maxPerEvent: '4.99' })).toEqual([{ path: 'minPerEvent', code: 'price_model.min_above_max' }]);
    expect(issuesOf({ kind: 'percentage', rate: '1', minPerEvent: '-1', maxPerEvent: '-2' })).toEqual([
      { path: 'minPerEvent', code: 'price_model.negative' },
      { path: 'maxPerEvent', code: 'price_model.negative' },
    ]);
  });

  it('refuses an unknown kind', () => {
    expect(issuesOf({ kind: 'flat' })).toEqual([{ path: 'kind', code: 'price_model.unknown_kind' }]);
  });
});
