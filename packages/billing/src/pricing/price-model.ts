import { UNIT_PRICE_MAX, UNIT_PRICE_MAX_DECIMALS, ValidationError, atPath, collectIssues, decimal, requiredObject, type Decimal, type DecimalInput } from '@invoicing/core';

/**
 * A tier of a graduated or volume price: the units up to and including `upTo` (none: every unit above the tier before),
 * each at `unitPrice`, and `flatFee` once for the tier when any unit falls in it.
 */
export interface PriceTier {
  readonly upTo: Decimal | undefined;
  readonly unitPrice: Decimal;
  readonly flatFee: Decimal;
}

/**
 * How a usage charge turns a quantity into an amount (docs/billing-pricing.md):
 * - `per_unit`: every unit at one price;
 * - `graduated`: each unit at the price of the tier it falls in, as Stripe's and Lago's graduated prices;
 * - `volume`: every unit at the price of the tier the whole quantity falls in;
 * - `package`: whole packages of `size` units, the last one rounded up, after `freeUnits`;
 * - `percentage`: `rate` percent of each event's amount, plus `fixedFeePerEvent`, each event's fee held within
 *   `minPerEvent` and `maxPerEvent`.
 *
 * Every figure is an exact decimal in the charge's currency; nothing is rounded here. An invoice line rounds its own
 * amount, as the invoice domain does for every line.
 */
export type PriceModel =
  | { readonly kind: 'per_unit'; readonly unitPrice: Decimal }
  | { readonly kind: 'graduated'; readonly tiers: readonly PriceTier[] }
  | { readonly kind: 'volume'; readonly tiers: readonly PriceTier[] }
  | { readonly kind: 'package'; readonly size: Decimal; readonly price: Decimal; readonly freeUnits: Decimal }
  | {
      readonly kind: 'percentage';
      readonly rate: Decimal;
      readonly fixedFeePerEvent: Decimal;
      readonly minPerEvent: Decimal | undefined;
      readonly maxPerEvent: Decimal | undefined;
    };

export type PriceModelKind = PriceModel['kind'];

/** A tier as a caller writes it: decimals as strings, `upTo` left out on the last tier. */
export interface PriceTierInput {
  readonly upTo?: DecimalInput;
  readonly unitPrice: DecimalInput;
  readonly flatFee?: DecimalInput;
}

/** A price model as a caller writes it. */
export type PriceModelInput =
  | { readonly kind: 'per_unit'; readonly unitPrice: DecimalInput }
  | { readonly kind: 'graduated' | 'volume'; readonly tiers: readonly PriceTierInput[] }
  | { readonly kind: 'package'; readonly size: DecimalInput; readonly price: DecimalInput; readonly freeUnits?: DecimalInput }
  | {
      readonly kind: 'percentage';
      readonly rate: DecimalInput;
      readonly fixedFeePerEvent?: DecimalInput;
      readonly minPerEvent?: DecimalInput;
      readonly maxPerEvent?: DecimalInput;
    };

/** The most tiers a price may have: enough for any published price list, few enough to explain on an invoice. */
export const MAX_TIERS = 50;

/**
 * Checks and parses a price model: prices and fees not negative, tiers rising and the last one open, a package of at
 * least one unit, a rate from 0 to 100 percent, a per-event minimum not above the maximum.
 * @throws ValidationError with every issue found, each at its path (`tiers.1.upTo`), codes `price_model.*`, `decimal.*` and `request.is_object` (the model or a tier)
 */
export function priceModel(input: PriceModelInput): PriceModel {
  requiredObject(input);
  switch (input.kind) {
    case 'per_unit':
      return collectIssues((attempt) => ({ kind: 'per_unit', unitPrice: attempt('unitPrice', () => priceValue(input.unitPrice)) as Decimal }));
    case 'graduated':
    case 'volume':
      return { kind: input.kind, tiers: atPath('tiers', () => tiers(input.tiers)) };
    case 'package':
      return collectIssues((attempt) => ({
        kind: 'package',
        size: attempt('size', () => positive(input.size)) as Decimal,
        price: attempt('price', () => priceValue(input.price)) as Decimal,
        freeUnits: attempt('freeUnits', () => notNegative(input.freeUnits ?? '0')) as Decimal,
      }));
    case 'percentage': {
      const model = collectIssues((attempt) => ({
        kind: 'percentage' as const,
        rate: attempt('rate', () => percent(input.rate)) as Decimal,
        fixedFeePerEvent: attempt('fixedFeePerEvent', () => priceValue(input.fixedFeePerEvent ?? '0')) as Decimal,
        minPerEvent: attempt('minPerEvent', () => (input.minPerEvent === undefined ? undefined : priceValue(input.minPerEvent))),
        maxPerEvent: attempt('maxPerEvent', () => (input.maxPerEvent === undefined ? undefined : priceValue(input.maxPerEvent))),
      }));
      if (model.minPerEvent && model.maxPerEvent && model.minPerEvent.greaterThan(model.maxPerEvent)) {
        throw ValidationError.of('minPerEvent', 'price_model.min_above_max', `the minimum per event (${model.minPerEvent.toString()}) is above the maximum (${model.maxPerEvent.toString()})`);
      }
      return model;
    }
    default:
      throw ValidationError.of('kind', 'price_model.unknown_kind', `"${String((input as { kind?: unknown }).kind)}" is not a price model: per_unit, graduated, volume, package or percentage`);
  }
}

/**
 * Whether a price is worked out event by event (a percentage with a fee, a minimum or a maximum per event): it needs
 * each event's amount, which only a `sum` metric has.
 */
export function pricesEachEvent(model: PriceModel): boolean {
  return model.kind === 'percentage' && (!model.fixedFeePerEvent.isZero() || model.minPerEvent !== undefined || model.maxPerEvent !== undefined);
}

function tiers(input: readonly PriceTierInput[]): PriceTier[] {
  if (!Array.isArray(input) || input.length === 0) throw ValidationError.of('', 'price_model.no_tiers', 'a tiered price needs at least one tier');
  if (input.length > MAX_TIERS) throw ValidationError.of('', 'price_model.too_many_tiers', `a tiered price has at most ${MAX_TIERS} tiers`);
  // A tier that is no object is refused as such; collectIssues then throws before any undefined tier is returned.
  const parsed = collectIssues((attempt) =>
    input.map((given, index) => {
      const tier = attempt(String(index), () => requiredObject(given));
      return tier === undefined
        ? undefined
        : {
            upTo: attempt(`${index}.upTo`, () => (tier.upTo === undefined ? undefined : positive(tier.upTo))),
            unitPrice: attempt(`${index}.unitPrice`, () => priceValue(tier.unitPrice)) as Decimal,
            flatFee: attempt(`${index}.flatFee`, () => priceValue(tier.flatFee ?? '0')) as Decimal,
          };
    }),
  ) as PriceTier[];
  parsed.forEach((tier, index) => {
    const last = index === parsed.length - 1;
    if (last && tier.upTo !== undefined) throw ValidationError.of(`${index}.upTo`, 'price_model.last_tier_bounded', 'the last tier has no upper bound: it takes every unit above the tier before');
    if (!last && tier.upTo === undefined) throw ValidationError.of(`${index}.upTo`, 'price_model.tier_unbounded', 'only the last tier may have no upper bound');
    const previous = parsed[index - 1]?.upTo;
    if (previous && tier.upTo && !tier.upTo.greaterThan(previous)) {
      throw ValidationError.of(`${index}.upTo`, 'price_model.tiers_not_rising', `each tier's upper bound is above the one before (${tier.upTo.toString()} is not above ${previous.toString()})`);
    }
  });
  return parsed;
}

function notNegative(value: DecimalInput): Decimal {
  const parsed = decimal(value);
  if (parsed.isNegative()) throw ValidationError.of('', 'price_model.negative', `${parsed.toString()} is negative; a price, fee or unit count is 0 or more`);
  return parsed;
}

/** A price or fee: what an invoice line may carry as its unit price (at most 10^12, with at most 10 decimals). */
function priceValue(value: DecimalInput): Decimal {
  const parsed = notNegative(value);
  if (parsed.greaterThan(UNIT_PRICE_MAX) || parsed.decimalPlaces() > UNIT_PRICE_MAX_DECIMALS) {
    throw ValidationError.of('', 'price_model.out_of_range', `a price or fee is at most ${UNIT_PRICE_MAX} with at most ${UNIT_PRICE_MAX_DECIMALS} decimals, as an invoice line's unit price`);
  }
  return parsed;
}

function positive(value: DecimalInput): Decimal {
  const parsed = notNegative(value);
  if (parsed.isZero()) throw ValidationError.of('', 'price_model.zero', 'this value is above 0');
  return parsed;
}

/** A rate in percent: as a fraction (÷ 100) it must still fit an invoice line's unit price, so 8 decimals at most. */
function percent(value: DecimalInput): Decimal {
  const parsed = notNegative(value);
  if (parsed.greaterThan(100)) throw ValidationError.of('', 'price_model.rate_above_100', `a rate is a percentage from 0 to 100, not ${parsed.toString()}`);
  if (parsed.decimalPlaces() > UNIT_PRICE_MAX_DECIMALS - 2) throw ValidationError.of('', 'price_model.out_of_range', `a rate has at most ${UNIT_PRICE_MAX_DECIMALS - 2} decimals`);
  return parsed;
}
