import { Decimal, ValidationError } from '@invoicing/core';
import { pricesEachEvent, type PriceModel, type PriceTier } from './price-model';

/** What a usage charge measured over a period. */
export interface MeasuredUsage {
  /** The metric's value for the period (a count, a sum, a maximum…): 0 or more. */
  readonly units: Decimal;
  /**
   * The amount of each event, for a percentage price with a fee or limits per event (0 or more each). A percentage
   * price without them needs only `units`, the sum.
   */
  readonly eventAmounts?: readonly Decimal[];
}

/**
 * One part of a priced quantity: one invoice line, `quantity` × `unitPrice` = `amount`, with what explains it.
 * - `units`: the units of a per-unit price, or all the units of a volume price at their tier's price;
 * - `tier`: the units of a graduated price that fall in tier `tier` (1 first), from `from` (exclusive) to `to`;
 * - `flat_fee`: the flat fee of tier `tier`, once;
 * - `packages`: whole packages, after `freeUnits`, of `billableUnits` rounded up to `packageSize`;
 * - `percentage`: `unitPrice` is the rate as a fraction, `quantity` the amount it applies to;
 * - `event_fees`: the fixed fee of each of `events` events;
 * - `event_limits`: what holding each event's fee within its minimum and maximum added (quantity 1) or took off
 *   (quantity −1: a unit price is never negative on an invoice).
 */
export interface PricePart {
  readonly kind: 'units' | 'tier' | 'flat_fee' | 'packages' | 'percentage' | 'event_fees' | 'event_limits';
  readonly quantity: Decimal;
  readonly unitPrice: Decimal;
  readonly amount: Decimal;
  readonly tier?: number;
  readonly from?: Decimal;
  readonly to?: Decimal;
  readonly packageSize?: Decimal;
  readonly freeUnits?: Decimal;
  readonly billableUnits?: Decimal;
  readonly events?: number;
}

/** A priced quantity: its exact amount, the sum of its parts (none when nothing is due). */
export interface PricedUsage {
  readonly amount: Decimal;
  readonly parts: readonly PricePart[];
}

const ZERO = new Decimal(0);
const ONE = new Decimal(1);

/** How to price. */
export interface PriceOptions {
  /**
   * How an invoice line rounds an amount (to the currency). Given, the lines of a percentage price with limits per
   * event add up to the fees due rounded once, not to the sum of each part rounded on its own.
   */
  readonly round?: (value: Decimal) => Decimal;
}

/**
 * Prices what a charge measured, exactly (no rounding: each part becomes an invoice line, which rounds its amount).
 * Nothing is due for no usage: a tier's flat fee is charged when a unit falls in the tier, so 0 units cost 0.
 * @throws ValidationError `usage.negative` for negative units or event amounts; `usage.events_required` for a
 * percentage price with a fee or limits per event and no `eventAmounts`
 */
export function priceUsage(model: PriceModel, usage: MeasuredUsage, options: PriceOptions = {}): PricedUsage {
  if (usage.units.isNegative()) throw ValidationError.of('units', 'usage.negative', `usage is 0 or more, not ${usage.units.toString()}`);
  switch (model.kind) {
    case 'per_unit':
      return priced(usage.units.isZero() ? [] : [part('units', usage.units, model.unitPrice)]);
    case 'graduated':
      return priced(graduated(model.tiers, usage.units));
    case 'volume':
      return priced(volume(model.tiers, usage.units));
    case 'package':
      return priced(packages(model, usage.units));
    case 'percentage':
      return priced(percentage(model, usage, options.round));
  }
}

function graduated(tiers: readonly PriceTier[], units: Decimal): PricePart[] {
  const parts: PricePart[] = [];
  let lower = ZERO;
  for (const [index, tier] of tiers.entries()) {
    if (!units.greaterThan(lower)) break;
    const upper = tier.upTo === undefined || units.lessThan(tier.upTo) ? units : tier.upTo;
    const range = { tier: index + 1, from: lower, ...(tier.upTo === undefined ? {} : { to: tier.upTo }) };
    parts.push({ ...part('tier', upper.minus(lower), tier.unitPrice), ...range });
    if (!tier.flatFee.isZero()) parts.push({ ...part('flat_fee', ONE, tier.flatFee), ...range });
    if (tier.upTo === undefined) break;
    lower = tier.upTo;
  }
  return parts;
}

function volume(tiers: readonly PriceTier[], units: Decimal): PricePart[] {
  if (units.isZero()) return [];
  const index = tiers.findIndex((tier) => tier.upTo === undefined || units.lessThanOrEqualTo(tier.upTo));
  const tier = tiers[index] as PriceTier; // the last tier is open: one always takes the units
  const range = { tier: index + 1, from: tiers[index - 1]?.upTo ?? ZERO, ...(tier.upTo === undefined ? {} : { to: tier.upTo }) };
  const parts: PricePart[] = [{ ...part('units', units, tier.unitPrice), ...range }];
  if (!tier.flatFee.isZero()) parts.push({ ...part('flat_fee', ONE, tier.flatFee), ...range });
  return parts;
}

function packages(model: Extract<PriceModel, { kind: 'package' }>, units: Decimal): PricePart[] {
  const billableUnits = Decimal.max(units.minus(model.freeUnits), ZERO);
  if (billableUnits.isZero()) return [];
  const count = billableUnits.dividedBy(model.size).toDecimalPlaces(0, Decimal.ROUND_CEIL);
  return [{ ...part('packages', count, model.price), packageSize: model.size, freeUnits: model.freeUnits, billableUnits }];
}

function percentage(model: Extract<PriceModel, { kind: 'percentage' }>, usage: MeasuredUsage, round?: (value: Decimal) => Decimal): PricePart[] {
  const rate = model.rate.dividedBy(100);
  if (!pricesEachEvent(model)) return usage.units.isZero() ? [] : [part('percentage', usage.units, rate)];
  const amounts = usage.eventAmounts;
  if (amounts === undefined) throw ValidationError.of('eventAmounts', 'usage.events_required', 'a percentage price with a fee or limits per event needs the amount of each event');
  amounts.forEach((amount, index) => {
    if (amount.isNegative()) throw ValidationError.of(`eventAmounts.${index}`, 'usage.negative', `an event's amount is 0 or more, not ${amount.toString()}`);
  });
  if (amounts.length === 0) return [];
  const base = sum(amounts);
  const parts: PricePart[] = [];
  if (!base.isZero()) parts.push(part('percentage', base, rate));
  if (!model.fixedFeePerEvent.isZero()) parts.push({ ...part('event_fees', new Decimal(amounts.length), model.fixedFeePerEvent), events: amounts.length });
  const unlimited = amounts.map((amount) => amount.times(rate).plus(model.fixedFeePerEvent));
  const limited = unlimited.map((fee) => clamp(fee, model.minPerEvent, model.maxPerEvent));
  const due = sum(limited);
  if (due.equals(sum(unlimited))) return parts;
  // Each part is a line, rounded on its own: the limits' line is what makes the lines come to the fees due, rounded once
  // (1 % with a minimum of 1.00 on 50.50: 0.51 and 0.49, not 0.51 and 0.50).
  const adjustment = round ? round(due).minus(sum(parts.map((each) => round(each.amount)))) : due.minus(sum(unlimited));
  // A price is never negative on an invoice (EN 16931 BR-27): what the maximums took off is one unit taken back.
  if (!adjustment.isZero()) parts.push({ ...part('event_limits', adjustment.isNegative() ? ONE.negated() : ONE, adjustment.abs()), events: amounts.length });
  return parts;
}

/** Not `Decimal.sum(...values)`: one argument per event overflows the call stack past about 100,000 events. */
function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((total, value) => total.plus(value), ZERO);
}

function clamp(value: Decimal, min: Decimal | undefined, max: Decimal | undefined): Decimal {
  if (min !== undefined && value.lessThan(min)) return min;
  if (max !== undefined && value.greaterThan(max)) return max;
  return value;
}

function part(kind: PricePart['kind'], quantity: Decimal, unitPrice: Decimal): PricePart {
  return { kind, quantity, unitPrice, amount: quantity.times(unitPrice) };
}

function priced(parts: PricePart[]): PricedUsage {
  return { amount: parts.reduce((sum, each) => sum.plus(each.amount), ZERO), parts };
}
