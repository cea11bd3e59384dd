import { Decimal, ValidationError } from '@invoicing/core';
import fc from 'fast-check';
import { priceModel, type PriceModelInput } from './price-model';
import { priceUsage, type MeasuredUsage, type PricedUsage } from './price-usage';

const d = (value: string | number) => new Decimal(value);
const price = (input: PriceModelInput, units: string | number, eventAmounts?: readonly string[]): PricedUsage =>
  priceUsage(priceModel(input), { units: d(units), ...(eventAmounts ? { eventAmounts: eventAmounts.map(d) } : {}) } satisfies MeasuredUsage);
const amountOf = (input: PriceModelInput, units: string | number, eventAmounts?: readonly string[]) => price(input, units, eventAmounts).amount.toString();

/** Stripe's example tiers ("Set up tiered pricing", docs.stripe.com/subscriptions/pricing-models/tiered-pricing): fonts 1-5 at 7 USD, 6-10 at 6.50, 11+ at 6. */
const TYPOGRAPHIC = [{ upTo: '5', unitPrice: '7' }, { upTo: '10', unitPrice: '6.5' }, { unitPrice: '6' }];

describe('priceUsage, against the worked examples of Stripe and Lago', () => {
  it("volume: Stripe's Typographic table (1 → 7, 5 → 35, 6 → 39, 20 → 120, 25 → 150 USD)", () => {
    const volume = { kind: 'volume', tiers: TYPOGRAPHIC } as const;
    expect([1, 5, 6, 20, 25].map((units) => amountOf(volume, units))).toEqual(['7', '35', '39', '120', '150']);
  });

  it("graduated: Stripe's Typographic tiers, each font at its own tier's price (6 → 5 × 7 + 1 × 6.50)", () => {
    const graduated = { kind: 'graduated', tiers: TYPOGRAPHIC } as const;
    expect([1, 5, 6, 20, 25].map((units) => amountOf(graduated, units))).toEqual(['7', '35', '41.5', '127.5', '157.5']);
    expect(price(graduated, 6).parts.map((part) => [part.kind, part.tier, part.quantity.toString(), part.unitPrice.toString()])).toEqual([
      ['tier', 1, '5', '7'],
      ['tier', 2, '1', '6.5'],
    ]);
  });

  it("graduated: Lago's API company (1 USD each for the first 100 calls, 0.50 for the next 100, 0.10 after): 250 calls cost 155 USD", () => {
    // getlago.com/docs/guide/plans/charges/charge-models/graduated and …/v2/guide/rate-cards/pricing-models/graduated
    const tiers = [{ upTo: '100', unitPrice: '1' }, { upTo: '200', unitPrice: '0.5' }, { unitPrice: '0.1' }];
    expect(amountOf({ kind: 'graduated', tiers }, 250)).toBe('155');
  });

  it("volume: Lago's example, 65,000 API calls at the third tier's 0.0006 USD plus its 10 USD flat fee cost 49 USD", () => {
    // getlago.com/docs/guide/plans/charges/charge-models/volume
    const tiers = [
      { upTo: '10000', unitPrice: '0.001', flatFee: '10' },
      { upTo: '50000', unitPrice: '0.0008', flatFee: '10' },
      { upTo: '100000', unitPrice: '0.0006', flatFee: '10' },
      { unitPrice: '0.0004', flatFee: '10' },
    ];
    const priced = price({ kind: 'volume', tiers }, 65_000);
    expect(priced.amount.toString()).toBe('49');
    expect(priced.parts.map((part) => [part.kind, part.tier, part.amount.toString()])).toEqual([
      ['units', 3, '39'],
      ['flat_fee', 3, '10'],
    ]);
  });

  it("package: Lago's examples (5 USD per 100 calls, the first 100 free: 201 calls cost 10 USD; 1 USD per 100, 50 free: 200 cost 2 USD)", () => {
    // getlago.com/docs/guide/plans/charges/charge-models/package and …/v2/guide/rate-cards/pricing-models/package
    expect(amountOf({ kind: 'package', size: '100', price: '5', freeUnits: '100' }, 201)).toBe('10');
    expect(amountOf({ kind: 'package', size: '100', price: '1', freeUnits: '50' }, 200)).toBe('2');
    expect(amountOf({ kind: 'package', size: '100', price: '1' }, 2000)).toBe('20');
    expect(price({ kind: 'package', size: '100', price: '1', freeUnits: '50' }, 200).parts[0]).toMatchObject({ kind: 'packages', billableUnits: d(150), quantity: d(2) });
    expect(price({ kind: 'package', size: '100', price: '5', freeUnits: '100' }, 100).parts).toEqual([]);
  });

  it("percentage: Lago's 2 % of 1,000 USD is 20 USD; a card fee of 2.9 % + 0.30 per payment (Lago's Stripe template) on 10.00 and 250.00", () => {
    // getlago.com/docs/v2/guide/rate-cards/pricing-models/percentage and getlago.com/docs/templates/per-transaction/stripe
    expect(amountOf({ kind: 'percentage', rate: '2' }, '1000')).toBe('20');
    const card = price({ kind: 'percentage', rate: '2.9', fixedFeePerEvent: '0.30' }, '260.00', ['10.00', '250.00']);
    expect(card.amount.toString()).toBe('8.14'); // 0.29 + 0.30 + 7.25 + 0.30
    expect(card.parts.map((part) => [part.kind, part.quantity.toString(), part.unitPrice.toString()])).toEqual([
      ['percentage', '260', '0.029'],
      ['event_fees', '2', '0.3'],
    ]);
  });

  it('percentage: each event fee held within its minimum and maximum, the difference as its own part', () => {
    // 1 % of 10, 500 and 100,000 with at least 1.00 and at most 50.00 per event: 1.00 + 5.00 + 50.00.
    const limited = price({ kind: 'percentage', rate: '1', minPerEvent: '1', maxPerEvent: '50' }, '100510', ['10', '500', '100000']);
    expect(limited.amount.toString()).toBe('56');
    expect(limited.parts.at(-1)).toMatchObject({ kind: 'event_limits', quantity: d(-1), unitPrice: d('949.1'), amount: d('-949.1'), events: 3 }); // 1,005.10 → 56
    const raised = price({ kind: 'percentage', rate: '1', minPerEvent: '1' }, '10', ['10']);
    expect(raised.parts.at(-1)).toMatchObject({ kind: 'event_limits', quantity: d(1), unitPrice: d('0.9'), amount: d('0.9') });
  });

  it("percentage with a fee or limits per event: a period of 500,000 events is priced (a payment processor's month)", () => {
    // One argument per event once overflowed the call stack above about 100,000 events (review of 6 December 2026).
    const events = Array.from({ length: 500_000 }, () => '10');
    expect(amountOf({ kind: 'percentage', rate: '2.9', fixedFeePerEvent: '0.30' }, '5000000', events)).toBe('295000');
    expect(amountOf({ kind: 'percentage', rate: '1', maxPerEvent: '0.05' }, '5000000', events)).toBe('25000');
  });

  it('charges nothing for no usage, flat fees included', () => {
    for (const input of [
      { kind: 'per_unit', unitPrice: '3' },
      { kind: 'graduated', tiers: [{ upTo: '10', unitPrice: '1', flatFee: '5' }, { unitPrice: '0.5' }] },
      { kind: 'volume', tiers: [{ upTo: '10', unitPrice: '1', flatFee: '5' }, { unitPrice: '0.5' }] },
      { kind: 'package', size: '10', price: '4' },
      { kind: 'percentage', rate: '3' },
      { kind: 'percentage', rate: '3', fixedFeePerEvent: '0.25' },
    ] satisfies PriceModelInput[]) {
      expect(price(input, 0, []).parts).toEqual([]);
      expect(price(input, 0, []).amount.isZero()).toBe(true);
    }
  });

  it('refuses negative usage and a percentage with per-event fees but no event amounts', () => {
    expect(() => price({ kind: 'per_unit', unitPrice: '1' }, -1)).toThrow(expect.objectContaining({ code: 'usage.negative' }) as unknown as Error);
    expect(() => price({ kind: 'percentage', rate: '1', fixedFeePerEvent: '1' }, 5)).toThrow(ValidationError);
    expect(() => price({ kind: 'percentage', rate: '1', fixedFeePerEvent: '1' }, 5, ['-5'])).toThrow(/0 or more/);
  });
});

describe('priceUsage, properties', () => {
  const amount = (scale: number, max: number) => fc.integer({ min: 0, max }).map((n) => d(n).dividedBy(10 ** scale));
  const tiersArb = fc
    .array(fc.record({ width: fc.integer({ min: 1, max: 1000 }), unitPrice: amount(4, 1_000_000), flatFee: amount(2, 10_000) }), { minLength: 1, maxLength: 6 })
    .map((rows) => {
      let upTo = 0;
      return rows.map((row, index) => {
        upTo += row.width;
        return { ...(index === rows.length - 1 ? {} : { upTo: String(upTo) }), unitPrice: row.unitPrice.toString(), flatFee: row.flatFee.toString() };
      });
    });
  const unitsArb = amount(3, 10_000_000);

  it('graduated: the amount is the sum over tiers of the units in each at its price, plus the flat fee of each tier reached', () => {
    fc.assert(
      fc.property(tiersArb, unitsArb, (tiers, units) => {
        const priced = priceUsage(priceModel({ kind: 'graduated', tiers }), { units });
        let expected = d(0);
        let lower = d(0);
        for (const tier of tiers) {
          const upper = tier.upTo === undefined ? units : Decimal.min(units, d(tier.upTo));
          if (upper.greaterThan(lower)) expected = expected.plus(upper.minus(lower).times(tier.unitPrice)).plus(tier.flatFee);
          if (tier.upTo !== undefined) lower = d(tier.upTo);
        }
        expect(priced.amount.equals(expected)).toBe(true);
        expect(Decimal.sum(d(0), ...priced.parts.filter((part) => part.kind === 'tier').map((part) => part.quantity)).equals(units)).toBe(true);
        expect(priced.parts.every((part) => part.amount.equals(part.quantity.times(part.unitPrice)) && !part.unitPrice.isNegative())).toBe(true);
      }),
    );
  });

  it('volume: within a tier, more units never cost less', () => {
    fc.assert(
      fc.property(tiersArb, unitsArb, unitsArb, (tiers, a, b) => {
        const model = priceModel({ kind: 'volume', tiers });
        const [low, high] = a.lessThan(b) ? [a, b] : [b, a];
        const tierOf = (units: Decimal) => priceUsage(model, { units }).parts[0]?.tier;
        fc.pre(low.greaterThan(0) && tierOf(low) === tierOf(high));
        expect(priceUsage(model, { units: high }).amount.greaterThanOrEqualTo(priceUsage(model, { units: low }).amount)).toBe(true);
      }),
    );
  });

  it('is exact: every amount is the sum of its parts, computed without rounding', () => {
    const models = fc.oneof(
      amount(6, 10_000_000).map((unitPrice) => ({ kind: 'per_unit', unitPrice: unitPrice.toString() }) as PriceModelInput),
      tiersArb.map((tiers) => ({ kind: 'graduated', tiers }) as PriceModelInput),
      tiersArb.map((tiers) => ({ kind: 'volume', tiers }) as PriceModelInput),
      fc.record({ size: fc.integer({ min: 1, max: 500 }), price: amount(2, 100_000), free: fc.integer({ min: 0, max: 1000 }) }).map(
        ({ size, price: packagePrice, free }) => ({ kind: 'package', size: String(size), price: packagePrice.toString(), freeUnits: String(free) }) as PriceModelInput,
      ),
    );
    fc.assert(
      fc.property(models, unitsArb, (input, units) => {
        const priced = priceUsage(priceModel(input), { units });
        expect(priced.amount.equals(Decimal.sum(d(0), ...priced.parts.map((part) => part.amount)))).toBe(true);
        // Three decimals of units times at most six of price: never more than nine decimals, so nothing was rounded.
        expect(priced.amount.decimalPlaces()).toBeLessThanOrEqual(9);
      }),
    );
  });
});
