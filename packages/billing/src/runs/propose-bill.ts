import {
  Decimal,
  Money,
  QUANTITY_MAX,
  QUANTITY_MAX_DECIMALS,
  UNIT_PRICE_MAX,
  UNIT_PRICE_MAX_DECIMALS,
  definedFields,
  formatDecimal,
  startOfDay,
  type CalendarDate,
  type CurrencyCode,
} from '@invoicing/core';
import { invoiceLine, vatCategory, vatCategoryToInput, vatKey, type MarketableId, type VatCategory } from '@invoicing/invoice';
import { daysIn, nextPeriod, periodContaining, prorate, prorationFactor, type BillingCycle, type BillingPeriod, type DateRange } from '../periods/billing-period';
import type { OneOffCharge } from '../one-off/one-off-charge';
import type { BillingPlan, PlanSegment, PlanVersion } from '../plans/billing-plan';
import { MINIMUM_CODE, type Discount, type RecurringCharge, type UsageCharge } from '../plans/plan-terms';
import { priceUsage, type MeasuredUsage, type PricePart } from '../pricing/price-usage';
import { daysOf, type BillAllowance, type BillLine, type BillState, type CorrectionReason, type ItemKind, type LineComputation } from './bill';

/** What a bill is worked out from: the plan, what was billed before, one-off charges, and how to measure usage. */
export interface BillingFacts {
  readonly plan: BillingPlan;
  /** Every bill of the partnership so far. */
  readonly bills: readonly BillState[];
  /** The partnership's one-off charges dated up to the billing date (or later ones: they are left for their date). */
  readonly oneOffs: readonly OneOffCharge[];
  /** The tenant's business time zone: periods of calendar days start and end at its midnights. */
  readonly timeZone: string;
  /** For each metric, the earliest timestamp of usage received after it was last billed ({@link UsageEventStore.lateUsage}). */
  readonly lateUsage: ReadonlyMap<string, Date>;
  /** Measures a usage charge's metric over a range of days. */
  measure(charge: UsageCharge, range: DateRange): Promise<MeasuredUsage & { readonly events: number }>;
}

/** A bill worked out, not yet recorded. */
export interface ProposedBill {
  readonly billingDate: CalendarDate;
  readonly planVersion: number;
  readonly lines: readonly BillLine[];
  /** Items due by the date that came to nothing ({@link BillState.settled}). */
  readonly settled: readonly LineComputation[];
  readonly allowances: readonly BillAllowance[];
}

/**
 * The dates a partnership is billed on up to `asOf` that have no bill yet, oldest first: the first day of each plan
 * version, each period's first day, the day a plan ends, and each one-off charge's date (or `asOf`, for a charge
 * dated on a day billed before it was added, or a change of the plan recorded since the last bill and taking effect
 * on a day billed, when no later date is due).
 */
export function dueBillingDates(plan: BillingPlan, oneOffs: readonly OneOffCharge[], bills: readonly BillState[], asOf: CalendarDate): CalendarDate[] {
  const billed = new Set(bills.map((bill) => bill.billingDate));
  const dates = new Set<CalendarDate>();
  for (const segment of plan.segments()) {
    if (segment.start > asOf) continue;
    dates.add(segment.start);
    for (const period of periodsOf(segment, asOf)) if (period.start > segment.start) dates.add(period.start);
    if (segment.end !== undefined && segment.end <= asOf) dates.add(segment.end);
  }
  for (const charge of oneOffs) if (charge.date <= asOf) dates.add(charge.date);
  const due = [...dates].filter((date) => !billed.has(date)).sort();
  if (due.length === 0 && !billed.has(asOf) && changedSinceLastBill(plan, bills, asOf)) return [asOf];
  // A charge dated on a day billed before it was added waits for the next date due; with none by `asOf` (the plan's
  // next date is later, or the plan has ended), the run's own date bills it.
  const onBilledDays = oneOffs.filter((charge) => charge.date <= asOf && billed.has(charge.date) && !due.some((date) => date > charge.date));
  if (onBilledDays.length === 0 || billed.has(asOf) || due.includes(asOf)) return due;
  const charged = new Set(bills.flatMap((bill) => [...bill.lines.map((line) => line.computation.item), ...(bill.settled ?? []).map((each) => each.item)]));
  return onBilledDays.some((charge) => !charged.has(oneOffItem(charge))) ? [...due, asOf] : due;
}

/**
 * Whether a version of the plan in effect by `asOf` was not seen by the last bill recorded: one that ended billing, or
 * changed its terms, from a day already billed has no date of its own left, and only a bill on the run's date credits
 * or charges the difference for the days billed before (a yearly plan changed from its first day would otherwise wait
 * a year). The last bill recorded is the one that matters: it reconciled every item up to its date with the plan it
 * read. Version numbers, not times: a change saved while a run was billing is recorded before the run's bill, yet the
 * run worked that bill out from the plan it had read before (review of 7 December 2026).
 */
function changedSinceLastBill(plan: BillingPlan, bills: readonly BillState[], asOf: CalendarDate): boolean {
  const last = lastRecorded(bills);
  if (last === undefined) return false;
  return plan.history.some((version) => version.replacedBy === undefined && version.effectiveFrom <= asOf && !sawVersion(last, version));
}

/** The bill recorded last: the highest position, else (bills recorded before positions) the latest. */
function lastRecorded(bills: readonly BillState[]): BillState | undefined {
  return bills.reduce<BillState | undefined>((last, bill) => {
    if (last === undefined) return bill;
    const [position, lastPosition] = [bill.position ?? 0, last.position ?? 0];
    return position > lastPosition || (position === lastPosition && bill.createdAt > last.createdAt) ? bill : last;
  }, undefined);
}

/** Whether a bill was worked out from a plan that had `version`; for a bill that did not record it, whether it was recorded after. */
function sawVersion(bill: BillState, version: PlanVersion): boolean {
  return bill.planVersionsSeen === undefined ? version.recordedAt.getTime() <= bill.createdAt.getTime() : version.version <= bill.planVersionsSeen;
}

/** The plan's versions a bill worked out now sees: all of them, numbered 1 up to this ({@link BillState.planVersionsSeen}). */
export function planVersionsSeen(plan: BillingPlan): number {
  return Math.max(0, ...plan.history.map((version) => version.version));
}

/** The version that ended the plan's billing, when it is in effect by `asOf`: after it, no billing date comes. */
export function billingEndedBy(plan: BillingPlan, asOf: CalendarDate): PlanVersion | undefined {
  const current = plan.history.filter((each) => each.replacedBy === undefined);
  const last = current.reduce<PlanVersion | undefined>((latest, each) => (latest === undefined || each.effectiveFrom >= latest.effectiveFrom ? each : latest), undefined);
  return last?.terms === null && last.effectiveFrom <= asOf ? last : undefined;
}

/** The item key of a one-off charge's line. */
function oneOffItem(charge: OneOffCharge): string {
  return `one_off:${charge.id}`;
}

/** One billable item as the plan's terms make it: its lines (several for a tiered price), due on `due`. */
interface Item {
  readonly key: string;
  readonly kind: ItemKind;
  readonly due: CalendarDate;
  readonly chargeCode?: string;
  readonly name: string;
  readonly marketableId?: MarketableId;
  readonly unitCode: string;
  readonly vat: VatCategory;
  readonly planVersion?: number;
  readonly period?: BillingPeriod;
  readonly range?: DateRange;
  readonly lines: readonly ItemLineOut[];
  readonly amount: Money;
  /** How an item without lines was worked out: it came to nothing. */
  readonly summary?: Omit<LineComputation, 'item' | 'kind' | 'purpose' | 'amount'>;
}

/** What earlier bills charged for one item, and over which days when it last did. */
interface Billed {
  readonly amount: Money;
  readonly range?: DateRange;
  /** What its first line said; none for an item only ever settled at 0. */
  readonly line?: { readonly name: string; readonly unitCode: string; readonly vat: VatCategory; readonly marketableId?: MarketableId };
  readonly period?: BillingPeriod;
  readonly planVersion?: number;
  readonly chargeCode?: string;
  readonly kind: ItemKind;
}

/**
 * Works out the bill of a billing date (docs/billing.md#how-a-bill-is-worked-out). Every item the plan makes up to
 * the later of the date and the last bill's date is compared with what earlier bills charged for it:
 * - an item never billed and due by then is charged in full;
 * - an item billed before whose amount is now different (usage received late, terms changed over days already billed,
 *   an item no longer made at all) gets one correction line for the difference.
 * So billing a period in two parts, or again, never charges a cent more or less than billing it once.
 */
export async function proposeBill(facts: BillingFacts, billingDate: CalendarDate): Promise<ProposedBill> {
  const currency = facts.plan.currency;
  const billed = billedItems(facts.bills, currency);
  const lastBilled = facts.bills.reduce<CalendarDate | undefined>((latest, bill) => (latest === undefined || bill.billingDate > latest ? bill.billingDate : latest), undefined);
  const horizon = lastBilled !== undefined && lastBilled > billingDate ? lastBilled : billingDate;
  const items = await proposedItems(facts, billed, horizon);

  const lines: BillLine[] = [];
  const add = (line: Omit<BillLine, 'line'> & { readonly line: Omit<BillLine['line'], 'id'> }): void => {
    lines.push({ ...line, line: { ...line.line, id: String(lines.length + 1) } });
  };
  const settled: LineComputation[] = [];
  const proposedKeys = new Set<string>();
  for (const item of items) {
    proposedKeys.add(item.key);
    const before = billed.get(item.key);
    if (before === undefined) {
      for (const each of item.lines) add({ ...each, computation: { ...each.computation, item: item.key, kind: item.kind, purpose: 'charge' } });
      if (item.lines.length === 0) settled.push({ ...(item.summary ?? { formula: 'nothing due' }), item: item.key, kind: item.kind, purpose: 'charge', amount: item.amount.toString() });
      continue;
    }
    const difference = item.amount.subtract(before.amount);
    if (difference.isZero()) continue;
    // Over the same days, only usage can have changed (a minimum follows its usage); other changes are the terms'.
    const reason: CorrectionReason = (item.kind === 'usage' || item.kind === 'minimum') && sameRange(before.range, item.range) ? 'late_usage' : 'plan_change';
    add(correction(item, before, difference, reason));
  }
  for (const [key, before] of billed) {
    if (proposedKeys.has(key) || before.amount.isZero() || before.line === undefined) continue;
    add(correction({ key, ...before, ...before.line, due: billingDate, lines: [], amount: Money.zero(currency) }, before, before.amount.negate(), 'plan_change'));
  }
  const segment = facts.plan.segmentOn(billingDate) ?? facts.plan.segments().find((each) => each.end === billingDate);
  return {
    billingDate,
    planVersion: segment?.version ?? Math.max(0, ...facts.plan.history.map((each) => each.version)),
    lines,
    settled,
    allowances: discountsOf(facts.plan, lines, facts.bills, currency),
  };
}

/** Every item the plan makes with a due date up to `horizon`, by due date. */
async function proposedItems(facts: BillingFacts, billed: ReadonlyMap<string, Billed>, horizon: CalendarDate): Promise<Item[]> {
  const currency = facts.plan.currency;
  const items: Item[] = [];
  for (const segment of facts.plan.segments()) {
    const { terms, version } = segment;
    for (const period of periodsOf(segment, horizon)) {
      const range = { start: maxDate(period.start, segment.start), end: segment.end === undefined ? period.end : minDate(period.end, segment.end) };
      const base = { planVersion: version, period, range };
      for (const charge of terms.charges) {
        const key = `${charge.code}@v${version}:${period.start}`;
        const due = charge.kind === 'recurring' && charge.timing === 'advance' ? range.start : range.end;
        if (due > horizon) continue;
        if (charge.kind === 'recurring') items.push(recurringItem(charge, key, due, base, currency));
        else items.push(await usageItem(facts, charge, key, due, base, billed.get(key), currency));
      }
      const minimum = terms.minimum;
      if (minimum !== undefined && range.end <= horizon) {
        const usage = items.filter((item) => item.kind === 'usage' && item.planVersion === version && item.period?.start === period.start);
        const usageAmount = Money.sum(currency, usage.map((item) => item.amount));
        const owed = prorate(minimum.amount, period, range);
        const trueUp = owed.subtract(usageAmount).max(Money.zero(currency));
        const computation = {
          ...explainRange(period, range, version),
          minimum: { amount: owed.toString(), usageAmount: usageAmount.toString() },
          formula: `minimum ${owed.toString()} − usage ${usageAmount.toString()}`,
        };
        items.push(
          item(`${MINIMUM_CODE}@v${version}:${period.start}`, 'minimum', range.end, { name: minimum.name, unitCode: 'C62', vat: minimum.vat, ...base }, trueUp.isZero() ? [] : [[new Decimal(1), trueUp.toDecimal(), computation]], currency, computation),
        );
      }
    }
  }
  for (const charge of facts.oneOffs) {
    if (charge.date > horizon) continue;
    const computation = { formula: `${formatDecimal(charge.quantity)} × ${formatDecimal(charge.unitPrice)}` };
    const line = { name: charge.name, unitCode: charge.unitCode, vat: charge.vat, ...definedFields({ marketableId: charge.marketableId }) };
    items.push(item(oneOffItem(charge), 'one_off', charge.date, line, charge.quantity.isZero() ? [] : [[charge.quantity, charge.unitPrice, computation]], currency, computation));
  }
  return items.sort((left, right) => (left.due < right.due ? -1 : left.due > right.due ? 1 : 0));
}

function recurringItem(charge: RecurringCharge, key: string, due: CalendarDate, base: { planVersion: number; period: BillingPeriod; range: DateRange }, currency: CurrencyCode): Item {
  const { period, range, planVersion } = base;
  const full = lineAmount(charge.quantity, charge.unitPrice, charge.vat, currency);
  const fee = { quantity: formatDecimal(charge.quantity), unitPrice: formatDecimal(charge.unitPrice), amount: full.toString() };
  const line = { name: charge.name, unitCode: charge.unitCode, vat: charge.vat, chargeCode: charge.code, ...definedFields({ marketableId: charge.marketableId }), ...base };
  const explained = { ...explainRange(period, range, planVersion), chargeCode: charge.code, fee };
  if (charge.quantity.isZero() || charge.unitPrice.isZero()) return item(key, 'recurring', due, line, [], currency, { ...explained, formula: `${fee.quantity} × ${fee.unitPrice}` });
  if (daysIn(range) === daysIn(period)) {
    return item(key, 'recurring', due, line, [[charge.quantity, charge.unitPrice, { ...explained, formula: `${fee.quantity} × ${fee.unitPrice}` }]], currency);
  }
  const prorated = prorate(full, period, range);
  const { days, periodDays } = prorationFactor(period, range);
  // A prorated fee is one amount: no quantity and unit price give it exactly, so the line is 1 × the amount.
  const formula = { ...explained, formula: `${fee.quantity} × ${fee.unitPrice} × ${days}/${periodDays} days` };
  return item(key, 'recurring', due, { ...line, unitCode: 'C62' }, prorated.isZero() ? [] : [[new Decimal(1), prorated.toDecimal(), formula]], currency, formula);
}

async function usageItem(
  facts: BillingFacts,
  charge: UsageCharge,
  key: string,
  due: CalendarDate,
  base: { planVersion: number; period: BillingPeriod; range: DateRange },
  before: Billed | undefined,
  currency: CurrencyCode,
): Promise<Item> {
  const line = { name: charge.name, unitCode: charge.unitCode, vat: charge.vat, chargeCode: charge.code, ...definedFields({ marketableId: charge.marketableId }), ...base };
  const late = facts.lateUsage.get(charge.metric.code);
  const stale = late !== undefined && late.getTime() < startOfDay(base.range.end, facts.timeZone).getTime();
  if (before !== undefined && sameRange(before.range, base.range) && !stale) {
    // Billed before over the same days, and no event arrived for them since: what was billed stands.
    return { key, kind: 'usage', due, ...line, lines: [], amount: before.amount };
  }
  const measured = await facts.measure(charge, base.range);
  const usage = {
    metric: charge.metric.code,
    aggregation: charge.metric.aggregation,
    ...definedFields({ property: charge.metric.property }),
    units: formatDecimal(measured.units),
    events: measured.events,
  };
  const priced = priceUsage(charge.price, measured, { round: (value) => Money.fromDecimal(value, currency).toDecimal() });
  const explained = { ...explainRange(base.period, base.range, base.planVersion), chargeCode: charge.code, usage };
  const parts = priced.parts.map((part): LineSpec => [part.quantity, part.unitPrice, { ...explained, pricePart: describePart(part), formula: formulaOf(part) }, partName(charge.name, part)]);
  return item(key, 'usage', due, line, parts, currency, { ...explained, formula: `no usage priced: ${usage.units} units` });
}

/** Quantity, unit price, explanation and, when it differs from the item's, the line's name. */
type LineSpec = readonly [Decimal, Decimal, Omit<LineComputation, 'item' | 'kind' | 'purpose' | 'amount'>, string?];

interface ItemLine {
  readonly name: string;
  readonly unitCode: string;
  readonly vat: VatCategory;
  readonly marketableId?: MarketableId;
  readonly chargeCode?: string;
  readonly planVersion?: number;
  readonly period?: BillingPeriod;
  readonly range?: DateRange;
}

function item(key: string, kind: ItemKind, due: CalendarDate, line: ItemLine, specs: readonly LineSpec[], currency: CurrencyCode, summary?: LineSpec[2]): Item {
  const lines = specs.map(([quantity, unitPrice, computation, name]) => {
    const fits = fitsLine(quantity, unitPrice);
    // A quantity or price beyond what a line carries (billions of calls, a percentage of a large sum): the line is
    // 1 × the rounded amount, and the explanation keeps the exact figures.
    const exact = quantity.times(unitPrice);
    const [lineQuantity, linePrice] = fits ? [quantity, unitPrice] : asOneLine(Money.fromDecimal(exact, currency).toDecimal());
    const amount = lineAmount(lineQuantity, linePrice, line.vat, currency);
    return {
      line: {
        name: name ?? line.name,
        ...definedFields({ marketableId: line.marketableId, description: describe(line, computation), period: kind === 'one_off' ? { start: due, end: due } : daysOf(computation.range ?? line.range) }),
        quantity: formatDecimal(lineQuantity),
        unitCode: fits ? line.unitCode : 'C62',
        netPrice: formatDecimal(linePrice),
        vat: vatCategoryToInput(line.vat),
      },
      amount,
      computation: { ...computation, amount: amount.toString() },
    };
  });
  return {
    key,
    kind,
    due,
    ...line,
    lines,
    amount: Money.sum(currency, lines.map((each) => each.amount)),
    ...(lines.length === 0 && summary !== undefined ? { summary } : {}),
  };
}

function correction(item: Item, before: Billed, difference: Money, reason: CorrectionReason): Omit<BillLine, 'line'> & { readonly line: Omit<BillLine['line'], 'id'> } {
  const unused = reason === 'plan_change' && item.range !== undefined && before.range !== undefined && item.range.start === before.range.start && item.range.end < before.range.end;
  const credited = unused ? daysOf({ start: (item.range as DateRange).end, end: (before.range as DateRange).end }) : undefined;
  const label = reason === 'late_usage' ? 'late usage' : credited ? `unused time ${credited.start} – ${credited.end}` : 'plan change';
  const computation: LineComputation = {
    item: item.key,
    kind: item.kind,
    purpose: 'correction',
    reason,
    ...definedFields({ chargeCode: item.chargeCode ?? before.chargeCode, planVersion: item.planVersion ?? before.planVersion, period: item.period ?? before.period, range: item.range }),
    previouslyBilled: before.amount.toString(),
    nowComputed: item.amount.toString(),
    amount: difference.toString(),
    formula: `${item.amount.toString()} now − ${before.amount.toString()} billed`,
  };
  const period = item.period ?? before.period;
  return {
    line: {
      name: `${item.name} — ${label}`,
      ...definedFields({
        marketableId: item.marketableId ?? before.line?.marketableId,
        description: period === undefined ? undefined : `Correction for ${daysText(period)}: ${before.amount.toString()} billed, ${item.amount.toString()} due`,
        // The days the item covers now, which its amount now is for: never days the plan no longer covers (the unused
        // time a label names). None when the change removed the item.
        period: daysOf(item.range),
      }),
      ...correctionQuantityAndPrice(difference),
      vat: vatCategoryToInput(item.vat),
    },
    amount: difference,
    computation,
  };
}

/**
 * The quantity and price of a line of `amount` (rounded to the currency): ±1 × the amount, or, above the largest unit
 * price a line takes, ±10, 100 or 1,000 units of a tenth, hundredth or thousandth of it: the fewest that fit. The largest
 * amount (10^15 − 1 minor units) needs 10 in a currency of 2 decimals, 1,000 in one of none (JPY); the price stays exact,
 * with at most 3 + 3 decimals.
 */
function asOneLine(amount: Decimal): [Decimal, Decimal] {
  let units = new Decimal(1);
  while (amount.abs().dividedBy(units).greaterThan(UNIT_PRICE_MAX)) units = units.times(10);
  return [amount.isNegative() ? units.negated() : units, amount.abs().dividedBy(units)];
}

/** A correction is ±1 × the difference, written as an amount of the currency; more units of a part of it when it must be. */
function correctionQuantityAndPrice(difference: Money): { readonly quantity: string; readonly unitCode: string; readonly netPrice: string } {
  const [quantity, netPrice] = asOneLine(difference.toDecimal());
  const whole = quantity.abs().equals(1);
  return { quantity: formatDecimal(quantity), unitCode: 'C62', netPrice: whole ? difference.abs().toString() : formatDecimal(netPrice) };
}

/** A line of an item, before the bill numbers it and says what it is for. */
interface ItemLineOut {
  readonly line: Omit<BillLine['line'], 'id'>;
  readonly amount: Money;
  readonly computation: Omit<LineComputation, 'item' | 'kind' | 'purpose'>;
}

/** What earlier bills charged, item by item: the sum of their lines, and the days the last one covered. */
function billedItems(bills: readonly BillState[], currency: CurrencyCode): Map<string, Billed> {
  const billed = new Map<string, Billed>();
  const ordered = [...bills].sort((left, right) => (left.billingDate < right.billingDate ? -1 : left.billingDate > right.billingDate ? 1 : 0));
  const add = (computation: LineComputation, amount: Money, line?: BillLine['line']): void => {
    const before = billed.get(computation.item);
    const first = before?.line ?? (line && { name: line.name, unitCode: line.unitCode, vat: vatCategory(line.vat), ...definedFields({ marketableId: line.marketableId }) });
    billed.set(computation.item, {
      amount: (before?.amount ?? Money.zero(currency)).add(amount),
      kind: computation.kind,
      ...definedFields({
        line: first,
        range: computation.range ?? before?.range,
        period: computation.period ?? before?.period,
        planVersion: computation.planVersion ?? before?.planVersion,
        chargeCode: computation.chargeCode ?? before?.chargeCode,
      }),
    });
  };
  for (const bill of ordered) {
    for (const { line, amount, computation } of bill.lines) add(computation, Money.of(amount.toString(), currency), line);
    for (const computation of bill.settled ?? []) add(computation, Money.zero(currency));
  }
  return billed;
}

/**
 * The discounts of each plan version, on the bill's lines of that version for the periods they cover, one document
 * allowance per VAT category. A percentage comes off the net of those lines in each category, and is given back (a
 * document charge) on a net credit, so credited days keep no discount; a fixed discount comes off each period, at
 * most what the period's lines come to over all its bills, shared over the categories in proportion to the period's
 * net in each (over all its bills, so a category never gets more than its lines), and once in a period split between
 * versions that carry it (by its code).
 */
function discountsOf(plan: BillingPlan, lines: readonly BillLine[], bills: readonly BillState[], currency: CurrencyCode): BillAllowance[] {
  const allowances: BillAllowance[] = [];
  for (const { version, effectiveFrom, terms } of plan.history) {
    if (terms === null) continue;
    for (const discount of terms.discounts) {
      const windowEnd = discountEnd(terms.cycle, effectiveFrom, discount);
      const covered = lines.filter(({ computation }) => computation.planVersion === version && computation.period !== undefined && (windowEnd === undefined || computation.period.start < windowEnd));
      const given = (vat: VatCategory, amount: Money, extra: Partial<BillAllowance>, percent: { percent?: string; baseAmount?: string } = {}): BillAllowance => {
        const made = allowance(discount, vat, amount, percent);
        // A charge gives a discount back: 95 is an allowance reason code (UNTDID 5189), which BR-CL-20 refuses on a
        // charge (UNTDID 7161) and would keep the invoice from being handed out as an e-invoice. Its reason says it.
        const { reasonCode: _allowanceCode, ...asCharge } = made.allowance;
        return { ...made, planVersion: version, ...extra, ...(extra.side === 'charge' ? { allowance: asCharge } : {}) };
      };
      if (discount.kind === 'percentage') {
        for (const [vat, net] of netByVat(covered, currency)) {
          if (net.isZero()) continue;
          const base = net.abs();
          allowances.push(given(vat, base.multiply(discount.percent.dividedBy(100)), { side: net.isPositive() ? 'allowance' : 'charge' }, { percent: formatDecimal(discount.percent), baseAmount: base.toString() }));
        }
        continue;
      }
      // Per period: at most what the period's lines of the version come to, over every bill that charged them. Each bill
      // brings every category to its share of that (a document charge takes back what a category no longer has).
      for (const periodStart of new Set(covered.map((line) => line.computation.period?.start as CalendarDate))) {
        const inPeriod = ({ computation }: BillLine) => computation.planVersion === version && computation.period?.start === periodStart;
        const periodLines = [...bills.flatMap((bill) => bill.lines.filter(inPeriod)), ...covered.filter(inPeriod)];
        const byVat = [...netByVat(periodLines, currency)];
        const net = Money.sum(currency, byVat.map(([, amount]) => amount));
        const signed = (each: BillAllowance) => Money.of(each.allowance.amount as string, currency).multiply(each.side === 'allowance' ? 1 : -1);
        // A period split between versions that carry the same discount gets it once: what the others gave comes off.
        const sameDiscount = (each: BillAllowance) => each.discountCode === discount.code && each.periodStart === periodStart;
        const byOthers = Money.sum(currency, [...bills.flatMap((bill) => bill.allowances), ...allowances].filter((each) => sameDiscount(each) && each.planVersion !== version).map(signed));
        const room = discount.amount.subtract(byOthers).max(Money.zero(currency));
        const due = net.isPositive() ? room.min(net) : Money.zero(currency);
        const earlier = bills.flatMap((bill) => bill.allowances.filter((each) => sameDiscount(each) && each.planVersion === version));
        // Each category's share of the whole discount due, less what earlier bills gave in it: a share worked out on
        // one bill's lines alone would give a category more than the period's lines in it.
        const positive = byVat.filter(([, amount]) => amount.isPositive());
        const shares = due.isZero() ? [] : due.allocate(positive.map(([, amount]) => amount.toDecimal()));
        const target = byKey(positive.map(([vat], index) => [vat, shares[index] as Money]));
        const before = byKey([...netByVat(earlier.map((each) => ({ line: { vat: each.allowance.vat }, amount: signed(each) })), currency)]);
        for (const key of new Set([...target.keys(), ...before.keys()])) {
          const [vat] = target.get(key) ?? (before.get(key) as readonly [VatCategory, Money]);
          const difference = (target.get(key)?.[1] ?? Money.zero(currency)).subtract(before.get(key)?.[1] ?? Money.zero(currency));
          if (difference.isZero()) continue;
          allowances.push(given(vat, difference.abs(), { periodStart, ...(difference.isPositive() ? {} : { side: 'charge' as const }) }));
        }
      }
    }
  }
  return allowances;
}

function allowance(discount: Discount, vat: VatCategory, amount: Money, percent: { percent?: string; baseAmount?: string }): Omit<BillAllowance, 'planVersion'> {
  return { discountCode: discount.code, side: 'allowance', allowance: { amount: amount.toString(), ...percent, reason: discount.reason, reasonCode: '95', vat: vatCategoryToInput(vat) } };
}

/** The first day after the periods a discount lasts, counted from its version's first day; none when it lasts as long as the version. */
function discountEnd(cycle: BillingCycle, firstDay: CalendarDate, discount: Discount): CalendarDate | undefined {
  if (discount.periods === undefined) return undefined;
  let period = periodContaining(cycle, firstDay);
  for (let count = 1; count < discount.periods; count += 1) period = nextPeriod(cycle, period);
  return period.end;
}

/** The net of lines (or of discounts given, as the same shape) per VAT category. */
function netByVat(lines: readonly { readonly line: { readonly vat: BillLine['line']['vat'] }; readonly amount: Money }[], currency: CurrencyCode): Map<VatCategory, Money> {
  const byKey = new Map<string, [VatCategory, Money]>();
  for (const { line, amount } of lines) {
    const vat = vatCategory(line.vat);
    const key = vatKey(vat);
    const [, sum] = byKey.get(key) ?? [vat, Money.zero(currency)];
    byKey.set(key, [vat, sum.add(amount)]);
  }
  return new Map(byKey.values());
}

/** Amounts per VAT category, by the category's key. */
function byKey(entries: readonly (readonly [VatCategory, Money])[]): Map<string, readonly [VatCategory, Money]> {
  return new Map(entries.map(([vat, amount]) => [vatKey(vat), [vat, amount]] as const));
}

/** The periods of a segment's cycle that start by `until` and overlap the segment. */
function periodsOf(segment: PlanSegment, until: CalendarDate): BillingPeriod[] {
  const periods: BillingPeriod[] = [];
  for (let period = periodContaining(segment.terms.cycle, segment.start); period.start <= until && (segment.end === undefined || period.start < segment.end); period = nextPeriod(segment.terms.cycle, period)) {
    periods.push(period);
  }
  return periods;
}

function explainRange(period: BillingPeriod, range: DateRange, planVersion: number): Pick<LineComputation, 'period' | 'range' | 'proration' | 'planVersion'> {
  const whole = daysIn(range) === daysIn(period);
  return { planVersion, period, range, ...(whole ? {} : { proration: prorationFactor(period, range) }) };
}

function describe(line: ItemLine, computation: LineSpec[2]): string | undefined {
  const range = computation.range ?? line.range;
  if (range === undefined) return undefined;
  const prorated = computation.proration ? ` (${computation.proration.days}/${computation.proration.periodDays} days)` : '';
  const usage = computation.usage ? `, ${computation.usage.units} ${computation.usage.metric} from ${computation.usage.events} events` : '';
  return `${daysText(range)}${prorated}${usage}`;
}

/** A range of days as people read it: its first and last day, both included. */
function daysText(range: DateRange): string {
  const days = daysOf(range);
  return days === undefined ? `${range.start}` : `${days.start} – ${days.end}`;
}

function describePart(part: PricePart): Record<string, string | number> {
  return Object.fromEntries(Object.entries(part).map(([name, value]) => [name, typeof value === 'object' ? formatDecimal(value as Decimal) : (value as string | number)]));
}

function partName(chargeName: string, part: PricePart): string | undefined {
  switch (part.kind) {
    case 'tier':
      return `${chargeName} — tier ${part.tier} (${formatDecimal(part.from as Decimal)} to ${part.to === undefined ? '∞' : formatDecimal(part.to)})`;
    case 'flat_fee':
      return `${chargeName} — tier ${part.tier} flat fee`;
    case 'packages':
      return `${chargeName} — packages of ${formatDecimal(part.packageSize as Decimal)}`;
    case 'percentage':
      return `${chargeName} — ${formatDecimal(part.unitPrice.times(100))} %`;
    case 'event_fees':
      return `${chargeName} — fee per event`;
    case 'event_limits':
      return `${chargeName} — per-event minimum and maximum`;
    default:
      return undefined;
  }
}

function formulaOf(part: PricePart): string {
  return `${formatDecimal(part.quantity)} × ${formatDecimal(part.unitPrice)}`;
}

function fitsLine(quantity: Decimal, unitPrice: Decimal): boolean {
  return (
    quantity.abs().lessThanOrEqualTo(QUANTITY_MAX) &&
    quantity.decimalPlaces() <= QUANTITY_MAX_DECIMALS &&
    !unitPrice.isNegative() &&
    unitPrice.lessThanOrEqualTo(UNIT_PRICE_MAX) &&
    unitPrice.decimalPlaces() <= UNIT_PRICE_MAX_DECIMALS
  );
}

/** A line's net amount exactly as the invoice computes it (EN 16931 BT-131). */
function lineAmount(quantity: Decimal, unitPrice: Decimal, vat: VatCategory, currency: CurrencyCode): Money {
  return invoiceLine({ name: 'amount', quantity, unitCode: 'C62', netPrice: unitPrice, vat: vatCategoryToInput(vat) }, currency, 0).netAmount;
}

function sameRange(left: DateRange | undefined, right: DateRange | undefined): boolean {
  return left?.start === right?.start && left?.end === right?.end;
}

function maxDate(left: CalendarDate, right: CalendarDate): CalendarDate {
  return left > right ? left : right;
}

function minDate(left: CalendarDate, right: CalendarDate): CalendarDate {
  return left < right ? left : right;
}
