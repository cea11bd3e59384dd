import {
  Decimal,
  Money,
  addDays,
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
import { LAST_CALENDAR_DAY, billablePeriod, billablePeriodAfter, daysIn, prorate, prorationFactor, type BillingCycle, type BillingPeriod, type DateRange } from '../periods/billing-period';
import type { OneOffCharge } from '../one-off/one-off-charge';
import type { BillingPlan, PlanSegment, PlanVersion } from '../plans/billing-plan';
import { MINIMUM_CODE, type Charge, type Discount, type MinimumCommitment, type RecurringCharge, type UsageCharge } from '../plans/plan-terms';
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
  /**
   * What `bills` charged and gave, when the caller keeps it already ({@link BillLedger}): a run adds each bill it
   * records to it instead of reading every earlier bill again for each date.
   */
  readonly ledger?: BillLedger;
  /**
   * The last day up to which a bill of the same run, worked out from the same plan and usage, compared every item with
   * what was billed: items of the periods that end by then came to what was billed, and are not worked out again. So a
   * run's work grows with the dates it bills, not with their square (audit dates F1). Usage received since is the next
   * run's, which measures again what its late usage touches.
   */
  readonly settledThrough?: CalendarDate;
}

/** A bill worked out, not yet recorded. */
export interface ProposedBill {
  readonly billingDate: CalendarDate;
  readonly planVersion: number;
  readonly lines: readonly BillLine[];
  /** Items due by the date that came to nothing ({@link BillState.settled}). */
  readonly settled: readonly LineComputation[];
  readonly allowances: readonly BillAllowance[];
  /**
   * The discount differences of the days it credits alone, worked out as if it charged nothing (each item as billed
   * before, with the bill's credit lines only): set when the plan has discounts and a period and VAT category has both
   * credit and charge lines on the bill. An ended plan's last credit takes the credited days' part from it (ADR 0030).
   */
  readonly creditedAllowances?: readonly BillAllowance[];
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
  for (const segment of plan.segments()) for (const date of segmentDates(segment, undefined, asOf)) dates.add(date);
  for (const charge of oneOffs) if (charge.date <= asOf) dates.add(charge.date);
  return withRunDate(plan, oneOffs, bills, asOf, [...dates].filter((date) => !billed.has(date)).sort(), billed);
}

/**
 * The first date due after `after` up to `through`, when none is due by `after`: what {@link dueBillingDates} as of
 * `through` starts with, found without listing the dates after it. A preview that looks to 9999 works out one date,
 * where listing them all took a second of the event loop and failed at the calendar's end (audit dates F2).
 */
export function nextBillingDate(plan: BillingPlan, oneOffs: readonly OneOffCharge[], bills: readonly BillState[], after: CalendarDate, through: CalendarDate): CalendarDate | undefined {
  const billed = new Set(bills.map((bill) => bill.billingDate));
  let first: CalendarDate | undefined;
  for (const segment of plan.segments()) {
    // A segment's dates come in order: its first one not billed is the only one that can be the first.
    for (const date of segmentDates(segment, after, through)) {
      if (billed.has(date)) continue;
      if (first === undefined || date < first) first = date;
      break;
    }
  }
  for (const charge of oneOffs) if (charge.date > after && charge.date <= through && !billed.has(charge.date) && (first === undefined || charge.date < first)) first = charge.date;
  return first ?? withRunDate(plan, oneOffs, bills, through, [], billed)[0];
}

/** A segment's billing dates after `after` (all, when none) up to `until`, in order: its first day, each later period's first day, its end. */
function* segmentDates(segment: PlanSegment, after: CalendarDate | undefined, until: CalendarDate): Generator<CalendarDate> {
  if (segment.start > until) return;
  const later = (date: CalendarDate) => after === undefined || date > after;
  if (later(segment.start)) yield segment.start;
  let last: BillingPeriod | undefined;
  for (const period of periodsOf(segment, until, after)) {
    last = period;
    if (period.start > segment.start && later(period.start)) yield period.start;
  }
  // The calendar's last billable period has no next one to start on its end, which still bills what it owes in arrears.
  const lastEnd = last?.end;
  if (last !== undefined && lastEnd !== undefined && lastEnd <= until && (segment.end === undefined || lastEnd < segment.end) && later(lastEnd) && billablePeriodAfter(segment.terms.cycle, last) === undefined) yield lastEnd;
  if (segment.end !== undefined && segment.end <= until && later(segment.end)) yield segment.end;
}

/** The dates `due` (not billed, by `asOf`), with the run's own date added when only it can bill what waits. */
function withRunDate(plan: BillingPlan, oneOffs: readonly OneOffCharge[], bills: readonly BillState[], asOf: CalendarDate, due: CalendarDate[], billed: ReadonlySet<CalendarDate>): CalendarDate[] {
  // The run's own date bills only after the last bill: a bill dated before one recorded would put the partnership's
  // bills out of order (audit billinghttp F6). A run as of a later day bills what waits.
  const ownDate = afterLastBill(bills, asOf);
  if (due.length === 0 && ownDate && changedSinceLastBill(plan, bills, asOf)) return [asOf];
  // A charge dated on a day billed before it was added waits for the next date due; with none by `asOf` (the plan's
  // next date is later, or the plan has ended), the run's own date bills it.
  const onBilledDays = oneOffs.filter((charge) => charge.date <= asOf && billed.has(charge.date) && !due.some((date) => date > charge.date));
  if (onBilledDays.length === 0 || !ownDate || due.includes(asOf)) return due;
  const charged = new Set(bills.flatMap((bill) => [...bill.lines.map((line) => line.computation.item), ...(bill.settled ?? []).map((each) => each.item)]));
  return onBilledDays.some((charge) => !charged.has(oneOffItem(charge))) ? [...due, asOf] : due;
}

/** Whether `asOf` is after every bill's date: only then may a run's own date become a billing date. */
export function afterLastBill(bills: readonly BillState[], asOf: CalendarDate): boolean {
  return bills.every((bill) => bill.billingDate < asOf);
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
  /** The versions whose days a period item covers, when it was measured over several. */
  readonly span?: readonly Share[];
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
 * So billing a period in two parts, or again, never charges a cent more or less than billing it once: a charge a plan
 * change left as it was is one item, measured over all its days in the period ({@link runOf}).
 */
export async function proposeBill(facts: BillingFacts, billingDate: CalendarDate): Promise<ProposedBill> {
  const currency = facts.plan.currency;
  const ledger = facts.ledger ?? new BillLedger(facts.plan, facts.bills);
  const billed = ledger.items;
  const lastBilled = ledger.lastBillingDate;
  const horizon = lastBilled !== undefined && lastBilled > billingDate ? lastBilled : billingDate;
  const settledThrough = facts.settledThrough !== undefined && facts.settledThrough <= horizon ? facts.settledThrough : undefined;
  const items = await proposedItems(facts, billed, horizon, settledThrough === undefined ? undefined : windowStart(facts.plan.segments(), settledThrough));
  // One-off charges dated by then were charged by the bill that settled them.
  const settledOneOffs = new Set(settledThrough === undefined ? [] : facts.oneOffs.filter((charge) => charge.date <= settledThrough).map(oneOffItem));

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
  for (const [key, before] of ledger.billedAfter(settledThrough)) {
    if (proposedKeys.has(key) || before.amount.isZero() || before.line === undefined || settledOneOffs.has(key)) continue;
    add(correction({ key, ...before, ...before.line, due: billingDate, lines: [], amount: Money.zero(currency) }, before, before.amount.negate(), 'plan_change'));
  }
  const segment = facts.plan.segmentOn(billingDate) ?? facts.plan.segments().find((each) => each.end === billingDate);
  const allowances = discountsOf(facts.plan, items, lines, ledger.given, currency);
  return {
    billingDate,
    planVersion: segment?.version ?? Math.max(0, ...facts.plan.history.map((each) => each.version)),
    lines,
    settled,
    allowances,
    ...(facts.plan.segments().some((each) => each.terms.discounts.length > 0) && creditsBesideCharges(lines) ? { creditedAllowances: discountsOf(facts.plan, withoutCharges(items, lines), lines.filter((each) => each.amount.isNegative()), ledger.given, currency) } : {}),
  };
}

/** Whether a period and VAT category has both credit and charge lines on the bill. */
function creditsBesideCharges(lines: readonly BillLine[]): boolean {
  const daysOf = (line: BillLine) => `${line.computation.period?.start ?? ''}|${vatKey(vatCategory(line.line.vat))}`;
  const credited = new Set(lines.filter((each) => each.amount.isNegative()).map(daysOf));
  return lines.some((each) => !each.amount.isNegative() && credited.has(daysOf(each)));
}

/** The items as they would be if the bill charged nothing: each less what the bill's charge lines add to it. */
function withoutCharges(items: readonly Item[], lines: readonly BillLine[]): Item[] {
  const charged = new Map<string, Money>();
  for (const { amount, computation } of lines) if (amount.isPositive()) charged.set(computation.item, (charged.get(computation.item) ?? Money.zero(amount.currency)).add(amount));
  return items.map((item) => {
    const added = charged.get(item.key);
    return added === undefined ? item : { ...item, amount: item.amount.subtract(added) };
  });
}

/**
 * Every item the plan makes with a due date up to `horizon`, by due date; of the periods that start on `from` or later
 * only, and no one-off charge dated before it, when given ({@link windowStart}).
 */
async function proposedItems(facts: BillingFacts, billed: ReadonlyMap<string, Billed>, horizon: CalendarDate, from: CalendarDate | undefined): Promise<Item[]> {
  const currency = facts.plan.currency;
  const items: Item[] = [];
  const segments = facts.plan.segments();
  // Usage runs whatever their due date: a minimum waits for every usage run that shares its versions' days.
  const usageRuns: Run[] = [];
  // Each minimum is worked out once all usage is, in its place after its period's charges (the order of the lines).
  const made: (Item | { readonly minimumOf: number; readonly period: BillingPeriod })[] = [];
  for (const [index, segment] of segments.entries()) {
    const { terms, version } = segment;
    for (const period of periodsOf(segment, horizon, from)) {
      if (from !== undefined && period.start < from) continue;
      const range = rangeIn(segment, period);
      for (const charge of terms.charges) {
        if (charge.kind === 'recurring') {
          const due = charge.timing === 'advance' ? range.start : range.end;
          if (due <= horizon) made.push(recurringItem(charge, `${charge.code}@v${version}:${period.start}`, due, { planVersion: version, period, range }, currency));
          continue;
        }
        const run = runOf(segments, index, period, (each) => each.terms.charges.find((other) => other.code === charge.code), sameUsageCharge, billed, charge.code);
        if (run === undefined) continue;
        usageRuns.push(run);
        if (run.range.end > horizon) continue;
        const key = `${charge.code}@v${version}:${period.start}`;
        // Named as the latest terms name it; priced alike by every version of the run.
        const named = (run.segments[run.segments.length - 1] as PlanSegment).terms.charges.find((other) => other.code === charge.code) as UsageCharge;
        made.push({ ...(await usageItem(facts, named, key, run.range.end, { planVersion: version, period, range: run.range }, billed.get(key), currency)), span: run.span });
      }
      if (terms.minimum !== undefined) made.push({ minimumOf: index, period });
    }
  }
  for (const each of made) {
    const ready = 'key' in each ? each : minimumItem(segments, each.minimumOf, each.period, { made, usageRuns, billed, horizon, currency });
    if (ready !== undefined) items.push(ready);
  }
  for (const charge of facts.oneOffs) {
    if (charge.date > horizon || (from !== undefined && charge.date < from)) continue;
    const computation = { formula: `${formatDecimal(charge.quantity)} × ${formatDecimal(charge.unitPrice)}` };
    const line = { name: charge.name, unitCode: charge.unitCode, vat: charge.vat, ...definedFields({ marketableId: charge.marketableId }) };
    items.push(item(oneOffItem(charge), 'one_off', charge.date, line, charge.quantity.isZero() ? [] : [[charge.quantity, charge.unitPrice, computation]], currency, computation));
  }
  return items.sort((left, right) => (left.due < right.due ? -1 : left.due > right.due ? 1 : 0));
}

/**
 * The minimum's true-up of a version for a period, checked over the days of the run of versions that carry it
 * unchanged against the usage of those days (an item measured over several versions counts for each by its days);
 * undefined when an earlier version's run holds these days, or before all that usage is due.
 */
function minimumItem(
  segments: readonly PlanSegment[],
  index: number,
  period: BillingPeriod,
  facts: { readonly made: readonly (Item | object)[]; readonly usageRuns: readonly Run[]; readonly billed: ReadonlyMap<string, Billed>; readonly horizon: CalendarDate; readonly currency: CurrencyCode },
): Item | undefined {
  const { currency } = facts;
  const run = runOf(segments, index, period, (candidate) => candidate.terms.minimum, sameMinimum, facts.billed, MINIMUM_CODE);
  if (run === undefined) return undefined;
  const versions = new Set(run.span.map((share) => share.version));
  const sharing = facts.usageRuns.filter((usage) => usage.period.start === period.start && usage.span.some((share) => versions.has(share.version)));
  const due = sharing.reduce((latest, usage) => maxDate(latest, usage.range.end), run.range.end);
  if (due > facts.horizon) return undefined;
  const { version } = segments[index] as PlanSegment;
  const minimum = (run.segments[run.segments.length - 1] as PlanSegment).terms.minimum as MinimumCommitment;
  const usage = facts.made.filter((each): each is Item => 'key' in each && each.kind === 'usage' && each.period?.start === period.start);
  const usageAmount = Money.sum(
    currency,
    usage.flatMap((each) => [...sharesOf(each)].filter(([shareVersion]) => versions.has(shareVersion)).map(([, amount]) => amount)),
  );
  const owed = prorate(minimum.amount, period, run.range);
  const trueUp = owed.subtract(usageAmount).max(Money.zero(currency));
  const computation = {
    ...explainRange(period, run.range, version),
    minimum: { amount: owed.toString(), usageAmount: usageAmount.toString() },
    formula: `minimum ${owed.toString()} − usage ${usageAmount.toString()}`,
  };
  const line = { name: minimum.name, unitCode: 'C62', vat: minimum.vat, planVersion: version, period, range: run.range };
  const key = `${MINIMUM_CODE}@v${version}:${period.start}`;
  return { ...item(key, 'minimum', due, line, trueUp.isZero() ? [] : [[new Decimal(1), trueUp.toDecimal(), computation]], currency, computation), span: run.span };
}

/** One version's days in a period. */
interface Share {
  readonly version: number;
  readonly days: number;
}

/** The consecutive versions that carry one charge (or minimum) unchanged through a period, and their days in it. */
interface Run {
  readonly period: BillingPeriod;
  readonly segments: readonly PlanSegment[];
  readonly range: DateRange;
  readonly span: readonly Share[];
}

/**
 * The run of versions in `period` that starts with `segments[index]` and carry what `pick` takes from it unchanged;
 * undefined when the version before carries it unchanged into the period (its run holds these days), or it has none.
 * Measured once over the run's days, a peak, a distinct count or a tier is not charged once per version
 * (docs/billing.md#plan-changes). The run is the item of its first version (`<code>@v<first>:<period start>`), so a
 * change that leaves it as it was over days billed changes nothing billed. A version whose own item of the period was
 * billed (by the rule before 7 December 2026, each version its own days) starts a run of its own: a period billed so
 * stays as it was billed.
 */
function runOf<T>(
  segments: readonly PlanSegment[],
  index: number,
  period: BillingPeriod,
  pick: (segment: PlanSegment) => T | undefined,
  same: (left: T, right: T) => boolean,
  billed: ReadonlyMap<string, Billed>,
  code: string,
): Run | undefined {
  const first = segments[index] as PlanSegment;
  const carried = pick(first);
  if (carried === undefined) return undefined;
  const unchanged = (before: PlanSegment | undefined, after: PlanSegment): boolean => {
    const picked = before === undefined ? undefined : pick(before);
    return (
      before !== undefined &&
      picked !== undefined &&
      before.end === after.start &&
      after.start > period.start &&
      after.start < period.end &&
      sharesPeriod(before, after, period) &&
      !billed.has(`${code}@v${after.version}:${period.start}`) &&
      same(picked, pick(after) as T)
    );
  };
  if (unchanged(segments[index - 1], first)) return undefined;
  const run = [first];
  for (let next = index + 1; next < segments.length && pick(segments[next] as PlanSegment) !== undefined && unchanged(segments[next - 1], segments[next] as PlanSegment); next += 1) run.push(segments[next] as PlanSegment);
  const last = run[run.length - 1] as PlanSegment;
  const range = { start: rangeIn(first, period).start, end: rangeIn(last, period).end };
  return { period, segments: run, range, span: run.map((each) => ({ version: each.version, days: daysIn(rangeIn(each, period)) })) };
}

/** Whether two adjacent versions cut the same period around the day one follows the other (a new cycle starts its own). */
function sharesPeriod(before: PlanSegment, after: PlanSegment, period: BillingPeriod): boolean {
  const [left, right] = [billablePeriod(before.terms.cycle, addDays(after.start, -1)), billablePeriod(after.terms.cycle, after.start)];
  return left?.start === period.start && left.end === period.end && right?.start === period.start && right.end === period.end;
}

/** The days of a period a version covers. */
function rangeIn(segment: PlanSegment, period: BillingPeriod): DateRange {
  return { start: maxDate(period.start, segment.start), end: segment.end === undefined ? period.end : minDate(period.end, segment.end) };
}

/** A usage charge that prices the same events the same way: code, metric (aggregation, property, filters), price model and VAT. */
function sameUsageCharge(left: Charge, right: Charge): boolean {
  if (left.kind !== 'usage' || right.kind !== 'usage') return false;
  // No filter and an empty one count every event alike.
  const metric = ({ code, aggregation, property, filters }: UsageCharge['metric']) => ({ code, aggregation, property, filters: filters && Object.keys(filters).length > 0 ? filters : undefined });
  return left.code === right.code && vatKey(left.vat) === vatKey(right.vat) && canonical(metric(left.metric)) === canonical(metric(right.metric)) && canonical(left.price) === canonical(right.price);
}

/** A minimum of the same amount and VAT category. */
function sameMinimum(left: MinimumCommitment, right: MinimumCommitment): boolean {
  return left.amount.equals(right.amount) && vatKey(left.vat) === vatKey(right.vat);
}

/** A value written out with its keys sorted and decimals by value ("1.50" and "1.5" alike), to compare terms. */
function canonical(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Decimal.isDecimal(value)) return formatDecimal(value);
  if (typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, each]) => each !== undefined);
    return `{${entries.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)).map(([key, each]) => `${JSON.stringify(key)}:${canonical(each)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What an item comes to for each version whose days it covers: all of it for one version; shared by days for an item
 * measured over several, so a minimum or a discount that changed between them takes each version's part.
 */
function sharesOf(item: Pick<Item, 'amount' | 'span' | 'planVersion'>): Map<number, Money> {
  const span = item.span ?? (item.planVersion === undefined ? [] : [{ version: item.planVersion, days: 1 }]);
  if (span.length <= 1) return new Map(span.map((share) => [share.version, item.amount]));
  const parts = item.amount.allocate(span.map((share) => share.days));
  return new Map(span.map((share, index) => [share.version, parts[index] as Money]));
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
  // Usage is measured over its days, never prorated: its explanation has no proration factor (audit billinghttp F7).
  const { proration: _notApplied, ...days } = explainRange(base.period, base.range, base.planVersion);
  const explained = { ...days, chargeCode: charge.code, usage };
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
  // Only a credit is for unused time: more due over fewer days (usage received since) is not.
  const unused = reason === 'plan_change' && difference.isNegative() && item.range !== undefined && before.range !== undefined && item.range.start === before.range.start && item.range.end < before.range.end;
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
export function correctionQuantityAndPrice(difference: Money): { readonly quantity: string; readonly unitCode: string; readonly netPrice: string } {
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

/**
 * What a partnership's bills charged, item by item, and gave off each period: worked out from its bills once, then kept
 * up to date bill by bill ({@link add}) as a run records them, so that no date of a run reads every bill before it again.
 */
export class BillLedger {
  /** What earlier bills charged, by item. @internal */
  readonly items = new Map<string, Billed>();
  /** What earlier bills gave off each period, by period start. @internal */
  readonly given = new Map<CalendarDate, Map<string, Target>>();
  private readonly bills: BillState[] = [];
  private latest: CalendarDate | undefined;
  /** The items that may not be settled by `openAfter` (a run's settled day only grows), when it was asked. */
  private open: Set<string> | undefined;
  private openAfter: CalendarDate | undefined;

  constructor(
    private readonly plan: BillingPlan,
    bills: readonly BillState[] = [],
  ) {
    this.bills = [...bills];
    this.latest = latestDate(this.bills);
    this.countItems();
    for (const bill of this.bills) addGiven(this.given, plan, bill);
  }

  /** The latest date billed, if any. */
  get lastBillingDate(): CalendarDate | undefined {
    return this.latest;
  }

  /** Takes `bill` in, recorded after the others. */
  add(bill: BillState): void {
    this.bills.push(bill);
    // Items keep the days of the latest bill that charged them: one dated before another is counted in date order.
    if (this.latest !== undefined && bill.billingDate < this.latest) this.countItems();
    else addBilled(this.items, bill, this.plan.currency, this.open);
    if (this.latest === undefined || bill.billingDate > this.latest) this.latest = bill.billingDate;
    addGiven(this.given, this.plan, bill);
  }

  /** The items billed, but those of periods that ended by `settled` (none left out when undefined). @internal */
  billedAfter(settled: CalendarDate | undefined): Iterable<readonly [string, Billed]> {
    if (settled === undefined) return this.items;
    if (this.open === undefined || this.openAfter === undefined || settled < this.openAfter) this.open = new Set(this.items.keys());
    // Each item is dropped once: the settled day of a run's dates only grows.
    for (const key of this.open) {
      const end = this.items.get(key)?.period?.end;
      if (end !== undefined && end <= settled) this.open.delete(key);
    }
    this.openAfter = settled;
    return [...this.open].flatMap((key) => {
      const before = this.items.get(key);
      return before === undefined ? [] : [[key, before] as const];
    });
  }

  private countItems(): void {
    this.items.clear();
    this.open = undefined;
    const ordered = [...this.bills].sort((left, right) => (left.billingDate < right.billingDate ? -1 : left.billingDate > right.billingDate ? 1 : 0));
    for (const bill of ordered) addBilled(this.items, bill, this.plan.currency, undefined);
  }
}

function latestDate(bills: readonly BillState[]): CalendarDate | undefined {
  return bills.reduce<CalendarDate | undefined>((latest, bill) => (latest === undefined || bill.billingDate > latest ? bill.billingDate : latest), undefined);
}

/** Adds what a bill charged, item by item, to `billed`: the sum of their lines, and the days the last one covered. */
function addBilled(billed: Map<string, Billed>, bill: BillState, currency: CurrencyCode, open: Set<string> | undefined): void {
  const add = (computation: LineComputation, amount: Money, line?: BillLine['line']): void => {
    open?.add(computation.item);
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
  for (const { line, amount, computation } of bill.lines) add(computation, Money.of(amount.toString(), currency), line);
  for (const computation of bill.settled ?? []) add(computation, Money.zero(currency));
}

/**
 * The discounts of the periods the bill has lines for (docs/billing.md#discounts). For each period, what every discount
 * comes to over everything the plan makes in it (all its bills, this one included), rounded once; the bill gives in
 * each VAT category the difference from what earlier bills gave for the period, and takes back (a document charge)
 * what no longer applies. Discounts take their part in the order the versions come and each lists them, from what the
 * lines of their versions in the category come to less what the discounts before took: together never more than the
 * lines. A percentage carried unchanged (code and percent) by several versions is one discount on their lines
 * together; a fixed discount is given once in the period by the versions that carry its code, the later giving what
 * the earlier left.
 */
function discountsOf(plan: BillingPlan, items: readonly Item[], lines: readonly BillLine[], given: ReadonlyMap<CalendarDate, ReadonlyMap<string, Target>>, currency: CurrencyCode): BillAllowance[] {
  const segments = plan.segments();
  // A period with an item measured over several versions is looked at again on every bill: a change of the discounts
  // of the versions it spans moves its share between them without a line (the item stays as it was).
  const shared = items.flatMap((each) => ((each.span?.length ?? 0) > 1 && each.period !== undefined ? [each.period] : []));
  const periods = new Map([...lines.flatMap(({ computation }) => (computation.period === undefined ? [] : [computation.period])), ...(lines.length === 0 ? [] : shared)].map((period) => [period.start, period] as const));
  const allowances: BillAllowance[] = [];
  for (const period of periods.values()) {
    const inPeriod = segments.filter((segment) => segment.start < period.end && (segment.end === undefined || segment.end > period.start));
    const covers = (segment: PlanSegment, discount: Discount) => {
      const windowEnd = discountEnd(segment.terms.cycle, segment.start, discount);
      return windowEnd === undefined || period.start < windowEnd;
    };
    // What is left to discount of each version's lines, per VAT category: all they come to, to begin with.
    const left = new Map<number, Map<string, readonly [VatCategory, Money]>>(inPeriod.map((segment) => [segment.version, new Map()]));
    for (const item of items) {
      if (item.period?.start !== period.start) continue;
      for (const [version, amount] of sharesOf(item)) {
        const byVat = left.get(version);
        if (byVat === undefined) continue;
        const [, before] = byVat.get(vatKey(item.vat)) ?? [item.vat, Money.zero(currency)];
        byVat.set(vatKey(item.vat), [item.vat, before.add(amount)]);
      }
    }
    const base = new Map([...left].map(([version, byVat]) => [version, new Map(byVat)]));
    for (const byVat of left.values()) for (const [key, [vat, amount]] of byVat) byVat.set(key, [vat, amount.max(Money.zero(currency))]);
    const available = (versions: readonly number[], key: string) => Money.sum(currency, versions.map((version) => left.get(version)?.get(key)?.[1] ?? Money.zero(currency)));
    const take = (versions: readonly number[], key: string, amount: Money): void => {
      let rest = amount;
      for (const version of versions) {
        const [vat, room] = left.get(version)?.get(key) ?? [undefined, Money.zero(currency)];
        if (vat === undefined || rest.isZero()) continue;
        const taken = rest.min(room);
        left.get(version)?.set(key, [vat, room.subtract(taken)]);
        rest = rest.subtract(taken);
      }
    };

    const targets = new Map<string, Target>();
    const target = (discount: Discount, vat: VatCategory, amount: Money, version: number, percent: Decimal | undefined): void => {
      const key = `${discount.code}|${vatKey(vat)}`;
      const before = targets.get(key);
      const samePercent = before === undefined ? percent : before.percent !== undefined && percent !== undefined && before.percent.equals(percent) ? percent : undefined;
      targets.set(key, { code: discount.code, reason: discount.reason, vat, amount: (before?.amount ?? Money.zero(currency)).add(amount), version, ...definedFields({ percent: samePercent }) });
    };
    const groups = new Set<string>();
    const fixedGiven = new Map<string, Money>();
    for (const segment of inPeriod) {
      for (const discount of segment.terms.discounts) {
        if (!covers(segment, discount)) continue;
        if (discount.kind === 'percentage') {
          const group = `${discount.code}|${formatDecimal(discount.percent)}`;
          if (groups.has(group)) continue;
          groups.add(group);
          const carriers = inPeriod.filter((each) => each.terms.discounts.some((other) => other.kind === 'percentage' && other.code === discount.code && other.percent.equals(discount.percent) && covers(each, other)));
          const versions = carriers.map((each) => each.version);
          const categories = new Map(versions.flatMap((version) => [...(base.get(version) ?? [])].map(([key, [vat]]) => [key, vat] as const)));
          for (const [key, vat] of categories) {
            const net = Money.sum(currency, versions.map((version) => base.get(version)?.get(key)?.[1] ?? Money.zero(currency)));
            if (!net.isPositive()) continue;
            const amount = net.multiply(discount.percent.dividedBy(100)).min(available(versions, key));
            take(versions, key, amount);
            target(discount, vat, amount, versions[versions.length - 1] as number, discount.percent);
          }
          continue;
        }
        const room = discount.amount.subtract(fixedGiven.get(discount.code) ?? Money.zero(currency)).max(Money.zero(currency));
        const open = [...(left.get(segment.version) ?? [])].filter(([, [, amount]]) => amount.isPositive());
        const due = room.min(Money.sum(currency, open.map(([, [, amount]]) => amount)));
        if (due.isZero()) continue;
        // Shared over the categories in proportion to what is left in each: no category gets more than its lines.
        const shares = due.allocate(open.map(([, [, amount]]) => amount.toDecimal()));
        open.forEach(([key, [vat]], index) => {
          const share = shares[index] as Money;
          take([segment.version], key, share);
          target(discount, vat, share, segment.version, undefined);
        });
        fixedGiven.set(discount.code, (fixedGiven.get(discount.code) ?? Money.zero(currency)).add(due));
      }
    }

    const earlier = given.get(period.start) ?? new Map<string, Target>();
    for (const key of new Set([...targets.keys(), ...earlier.keys()])) {
      const [now, before] = [targets.get(key), earlier.get(key)];
      const { code, reason, vat, version } = (now ?? before) as Target;
      const difference = (now?.amount ?? Money.zero(currency)).subtract(before?.amount ?? Money.zero(currency));
      if (difference.isZero()) continue;
      const percent = now === undefined ? before?.percent : now.percent;
      const carriers = new Set([...inPeriod.filter((each) => each.terms.discounts.some((other) => other.code === code)).map((each) => each.version), ...(before?.versions ?? [])]);
      allowances.push(allowanceOf({ code, reason, vat, version, periodStart: period.start, difference, percent: percent && statedPercent(percent, difference, billBase(lines, items, period, vat, carriers, currency)) }));
    }
  }
  return allowances;
}

/** What a discount comes to in a period and VAT category, and the version it is given under (the last that carries it). */
interface Target {
  readonly code: string;
  readonly reason: string;
  readonly vat: VatCategory;
  readonly amount: Money;
  readonly version: number;
  /** When all of it is one percentage. */
  readonly percent?: Decimal;
  /** For what earlier bills gave: the versions they gave it under. */
  readonly versions?: readonly number[];
}

/**
 * Adds what a bill gave off each period to `given`, by discount code and VAT category (charges counted negative). A percentage
 * given until 7 December 2026 went on a bill once for all the periods of its lines: it is shared over those periods in
 * proportion to the lines of each (its percent of them, to the cent).
 */
function addGiven(given: Map<CalendarDate, Map<string, Target>>, plan: BillingPlan, bill: BillState): void {
  const currency = plan.currency;
  const add = (periodStart: CalendarDate, each: BillAllowance, amount: Money): void => {
    const vat = vatCategory(each.allowance.vat);
    const key = `${each.discountCode}|${vatKey(vat)}`;
    const byKey = given.get(periodStart) ?? new Map<string, Target>();
    const before = byKey.get(key);
    const percent = each.allowance.percent === undefined ? undefined : new Decimal(String(each.allowance.percent));
    const samePercent = before === undefined ? percent : before.percent !== undefined && percent !== undefined && before.percent.equals(percent) ? percent : undefined;
    byKey.set(key, {
      code: each.discountCode,
      reason: each.allowance.reason ?? each.discountCode,
      vat,
      amount: (before?.amount ?? Money.zero(currency)).add(amount),
      version: Math.max(before?.version ?? 0, each.planVersion),
      versions: [...(before?.versions ?? []), each.planVersion],
      ...definedFields({ percent: samePercent }),
    });
    given.set(periodStart, byKey);
  };
  for (const each of bill.allowances) {
    const signed = Money.of(each.allowance.amount as string, currency).multiply(each.side === 'allowance' ? 1 : -1);
    if (each.periodStart !== undefined) {
      add(each.periodStart, each, signed);
      continue;
    }
    if (each.allowance.percent === undefined) continue;
    const version = plan.history.find((candidate) => candidate.version === each.planVersion);
    const discount = version?.terms?.discounts.find((candidate) => candidate.code === each.discountCode);
    const windowEnd = version?.terms && discount ? discountEnd(version.terms.cycle, version.effectiveFrom, discount) : undefined;
    const key = vatKey(vatCategory(each.allowance.vat));
    const byPeriod = new Map<CalendarDate, Money>();
    for (const { line, amount, computation } of bill.lines) {
      const start = computation.period?.start;
      if (start === undefined || computation.planVersion !== each.planVersion || vatKey(vatCategory(line.vat)) !== key || (windowEnd !== undefined && start >= windowEnd)) continue;
      byPeriod.set(start, (byPeriod.get(start) ?? Money.zero(currency)).add(Money.of(amount.toString(), currency)));
    }
    const net = Money.sum(currency, byPeriod.values());
    if (net.isZero()) continue;
    const starts = [...byPeriod.keys()];
    let rest = signed;
    starts.forEach((start, index) => {
      const part = index === starts.length - 1 ? rest : Money.fromDecimal(signed.toDecimal().times((byPeriod.get(start) as Money).toDecimal()).dividedBy(net.toDecimal()), currency);
      rest = rest.subtract(part);
      add(start, each, part);
    });
  }
}

/**
 * What this bill's lines of a period and VAT category come to for the versions that carry a discount: the base its
 * percent is stated on. A line of an item measured over several versions counts for each by its days.
 */
function billBase(lines: readonly BillLine[], items: readonly Item[], period: BillingPeriod, vat: VatCategory, versions: ReadonlySet<number>, currency: CurrencyCode): Money {
  const byKey = new Map(items.map((each) => [each.key, each]));
  const parts = lines.flatMap(({ line, amount, computation }) => {
    if (computation.period?.start !== period.start || vatKey(vatCategory(line.vat)) !== vatKey(vat)) return [];
    const item = byKey.get(computation.item);
    const shares = sharesOf({ amount, ...definedFields({ span: item?.span, planVersion: computation.planVersion }) });
    return [...shares].filter(([version]) => versions.has(version)).map(([, share]) => share);
  });
  return Money.sum(currency, parts);
}

/** The percent an allowance states with its base, when its amount is that percent of this bill's base (as EN 16931 checks); else none. */
function statedPercent(percent: Decimal, difference: Money, base: Money): { readonly percent: Decimal; readonly base: Money } | undefined {
  if (base.isZero() || base.isPositive() !== difference.isPositive()) return undefined;
  const share = percent.dividedBy(100);
  const [low, high] = [base.abs().multiply(share, 'down'), base.abs().multiply(share, 'up')];
  const amount = difference.abs();
  return amount.lessThan(low) || amount.greaterThan(high) ? undefined : { percent, base: base.abs() };
}

/**
 * A discount given (a document allowance) or taken back (a document charge). A charge takes no reason code: 95 is an
 * allowance reason code (UNTDID 5189), which BR-CL-20 refuses on a charge (UNTDID 7161) and would keep the invoice from
 * being handed out as an e-invoice. Its reason says it.
 */
function allowanceOf(given: {
  readonly code: string;
  readonly reason: string;
  readonly vat: VatCategory;
  readonly version: number;
  readonly periodStart: CalendarDate;
  readonly difference: Money;
  readonly percent?: { readonly percent: Decimal; readonly base: Money } | undefined;
}): BillAllowance {
  const side = given.difference.isPositive() ? 'allowance' : 'charge';
  const stated = given.percent === undefined ? {} : { percent: formatDecimal(given.percent.percent), baseAmount: given.percent.base.toString() };
  return {
    discountCode: given.code,
    planVersion: given.version,
    side,
    periodStart: given.periodStart,
    allowance: { amount: given.difference.abs().toString(), ...stated, reason: given.reason, ...(side === 'allowance' ? { reasonCode: '95' } : {}), vat: vatCategoryToInput(given.vat) },
  };
}

/** The first day after the periods a discount lasts, counted from its version's first day; none when it lasts as long as the version. */
function discountEnd(cycle: BillingCycle, firstDay: CalendarDate, discount: Discount): CalendarDate | undefined {
  if (discount.periods === undefined) return undefined;
  let period = billablePeriod(cycle, firstDay);
  for (let count = 1; count < discount.periods && period !== undefined; count += 1) period = billablePeriodAfter(cycle, period);
  // Lasting past the calendar's last billed period, it lasts as long as the version.
  return period?.end;
}

/**
 * The first day of the periods a bill works out once the items of periods ended by `settled` are settled: the earliest
 * start of a period that ends after it, of any version. Periods are compared by their start (discounts, minimums), and a
 * month of one version can start with another's quarter: every period from that day on is worked out whole.
 */
function windowStart(segments: readonly PlanSegment[], settled: CalendarDate): CalendarDate {
  let start = settled;
  for (const segment of segments) {
    const [first] = periodsOf(segment, LAST_CALENDAR_DAY, settled);
    if (first !== undefined && first.start < start) start = first.start;
  }
  return start;
}

/**
 * The periods of a segment's cycle that start by `until` and overlap the segment, in order; after `from`, only those
 * that end after it. None ends past the calendar's last day ({@link billablePeriod}).
 */
function* periodsOf(segment: PlanSegment, until: CalendarDate, from?: CalendarDate): Generator<BillingPeriod> {
  const { cycle } = segment.terms;
  let first = segment.start;
  if (from !== undefined && from > segment.start) {
    const lastDay = segment.end === undefined ? undefined : addDays(segment.end, -1);
    first = lastDay !== undefined && from > lastDay ? lastDay : from;
  }
  for (let period = billablePeriod(cycle, first); period !== undefined && period.start <= until && (segment.end === undefined || period.start < segment.end); period = billablePeriodAfter(cycle, period)) {
    if (from === undefined || period.end > from) yield period;
  }
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
