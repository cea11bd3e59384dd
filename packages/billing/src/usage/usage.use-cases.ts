import { CLOCK, Decimal, DomainError, Money, ValidationError, addDays, decimal, startOfDay, type CalendarDate, type Clock, type CurrencyCode, type Cursor, type TenantId } from '@invoicing/core';
import {
  INVOICING_SETTINGS,
  PARTNERSHIP_REPOSITORY,
  PARTNER_REPOSITORY,
  type InvoicingSettings,
  type PartnerRepository,
  type Partnership,
  type PartnershipId,
  type PartnershipRepository,
} from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import { FIRST_CALENDAR_DAY, LAST_CALENDAR_DAY } from '../periods/billing-period';
import type { BillingPlan } from '../plans/billing-plan';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from '../plans/billing-plan-repository.port';
import type { PlanTerms, UsageCharge } from '../plans/plan-terms';
import { priceUsage } from '../pricing/price-usage';
import { propertyOf } from './billable-metric';
import { sameUsage, usageEvent, type UsageEvent, type UsageEventInput } from './usage-event';
import { USAGE_EVENT_STORE, type RecordedUsageEvent, type UsageEventStore } from './usage-event-store.port';

/** Most events one batch carries. */
export const MAX_USAGE_BATCH = 1000;

/** What became of one event: `stored`; `duplicate` (sent before, counted once); `rejected`, with the error. */
export type UsageEventResult =
  | { readonly eventId: string; readonly status: 'stored' | 'duplicate' }
  | { readonly eventId: string; readonly status: 'rejected'; readonly error: { readonly code: string; readonly message: string; readonly issues: readonly { readonly path: string; readonly code: string; readonly message: string }[] } };

/** What became of a batch: each event's result, in the order sent, and how many ended each way. */
export interface UsageBatchResult {
  readonly results: readonly UsageEventResult[];
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
}

/**
 * Records a batch of usage events (docs/billing.md#usage-events). Each event is checked on its own, so one bad event
 * does not refuse the others: it must name a partnership with a billing plan (or the buyer, by its external id, of
 * exactly one partnership whose plan is in force around its day), and a metric one of the plan's usage charges
 * measures, carrying what that charge aggregates. An event id already stored is never stored again, and the same event
 * sent again is a `duplicate` whatever would refuse it now.
 */
@injectable()
export class RecordUsage {
  constructor(
    @inject(USAGE_EVENT_STORE) private readonly usage: UsageEventStore,
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /** @throws ValidationError `usage.batch_empty` | `usage.batch_too_large` for the batch as a whole */
  async execute(command: { readonly tenantId: TenantId; readonly events: readonly UsageEventInput[] }): Promise<UsageBatchResult> {
    if (!Array.isArray(command.events) || command.events.length === 0) throw ValidationError.of('events', 'usage.batch_empty', 'send 1 or more events');
    if (command.events.length > MAX_USAGE_BATCH) throw ValidationError.of('events', 'usage.batch_too_large', `a batch has at most ${MAX_USAGE_BATCH} events`);
    const receivedAt = this.clock.now();
    const plans = new Map<string, Promise<BillingPlan | undefined>>();
    const planOf = (id: string): Promise<BillingPlan | undefined> => {
      if (!plans.has(id)) plans.set(id, this.plans.get(command.tenantId, id as PartnershipId));
      return plans.get(id) as Promise<BillingPlan | undefined>;
    };
    const partnershipsRead = new Map<string, Promise<Partnership | undefined>>();
    const partnershipOf = (id: PartnershipId): Promise<Partnership | undefined> => {
      if (!partnershipsRead.has(id)) partnershipsRead.set(id, this.partnerships.get(command.tenantId, id));
      return partnershipsRead.get(id) as Promise<Partnership | undefined>;
    };
    const buyers = new Map<string, Promise<BuyerPlans>>();
    const plansOfBuyer = (externalId: string): Promise<BuyerPlans> => {
      if (!buyers.has(externalId)) buyers.set(externalId, this.plansOfBuyer(command.tenantId, externalId, planOf));
      return buyers.get(externalId) as Promise<BuyerPlans>;
    };
    // Each event as checked, or why it was refused, with the event as read when it was refused for what it names.
    const checked: (RecordedUsageEvent | { readonly error: DomainError; readonly event?: UsageEvent & { readonly partnershipId?: PartnershipId } })[] = [];
    for (const input of command.events) {
      let event: UsageEvent | undefined;
      let partnershipId: PartnershipId | undefined;
      try {
        event = usageEvent(command.tenantId, input, receivedAt);
        const subject = event.subject;
        partnershipId = 'partnershipId' in subject ? (subject.partnershipId as PartnershipId) : partnershipOfBuyer(subject.buyerExternalId, await plansOfBuyer(subject.buyerExternalId), event.timestamp);
        const plan = await planOf(partnershipId);
        if (!plan) throw ValidationError.of('partnershipId', 'usage.no_billing_plan', `partnership ${partnershipId} has no billing plan (or does not exist)`);
        checkBillable(plan, await partnershipOf(partnershipId), event.timestamp, this.settings.timeZone);
        checkAgainstPlan(plan, event.metricCode, event.properties, event.timestamp);
        checked.push({ ...event, partnershipId, receivedAt });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        checked.push({ error, ...(event === undefined ? {} : { event: partnershipId === undefined ? event : { ...event, partnershipId } }) });
      }
    }
    const valid = checked.filter((each): each is RecordedUsageEvent => !('error' in each));
    const outcomes = valid.length === 0 ? [] : await this.usage.append(valid);
    const stored = await this.storedUnder(command.tenantId, checked);
    let next = 0;
    const results = checked.map((each, index): UsageEventResult => {
      const eventId = typeof command.events[index]?.eventId === 'string' ? (command.events[index]?.eventId as string) : '';
      if ('error' in each) {
        // An event stored before is answered by what was stored, whatever its buyer, or its plan, says now.
        const holder = each.event === undefined ? undefined : stored.get(each.event.eventId);
        if (holder === undefined || each.event === undefined) return rejected(eventId, each.error);
        return sameUsage(holder, each.event) ? { eventId, status: 'duplicate' } : rejected(eventId, idTaken(eventId));
      }
      const outcome = outcomes[next++];
      if (outcome === 'id_taken') return rejected(eventId, idTaken(eventId));
      return { eventId, status: outcome === 'duplicate' ? 'duplicate' : 'stored' };
    });
    return {
      results,
      stored: results.filter((each) => each.status === 'stored').length,
      duplicates: results.filter((each) => each.status === 'duplicate').length,
      rejected: results.filter((each) => each.status === 'rejected').length,
    };
  }

  /** The stored events under the ids of the events refused for what they name (read only when there are any). */
  private async storedUnder(tenantId: TenantId, checked: readonly (RecordedUsageEvent | { readonly event?: UsageEvent })[]): Promise<ReadonlyMap<string, RecordedUsageEvent>> {
    const ids = checked.flatMap((each) => ('event' in each && each.event !== undefined ? [each.event.eventId] : []));
    return ids.length === 0 ? new Map() : this.usage.find(tenantId, [...new Set(ids)]);
  }

  /**
   * The partnerships whose buyer holds this external id (an active partner: an archived one keeps it as history only)
   * and which have a billing plan.
   * @throws ValidationError `usage.subject_unresolved` (no active partner has the id) | `usage.subject_ambiguous` (two
   * partners have it) | `usage.no_billing_plan` (the buyer buys under no partnership with a plan)
   */
  private async plansOfBuyer(tenantId: TenantId, externalId: string, planOf: (id: string) => Promise<BillingPlan | undefined>): Promise<BuyerPlans> {
    const [buyer, ...others] = await this.partners.findByExternalId(tenantId, externalId);
    if (!buyer) throw ValidationError.of('buyerExternalId', 'usage.subject_unresolved', `no active partner has the external id ${externalId}`);
    if (others.length > 0) throw ValidationError.of('buyerExternalId', 'usage.subject_ambiguous', `${others.length + 1} partners have the external id ${externalId}`);
    const billed: BillingPlan[] = [];
    for (let cursor: Cursor | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await this.partnerships.list(tenantId, { partnerId: buyer.id }, { limit: PARTNERSHIP_PAGE, ...(cursor === undefined ? {} : { cursor }) });
      for (const partnership of page.items) {
        const plan = partnership.buyerId === buyer.id ? await planOf(partnership.id) : undefined;
        if (plan) billed.push(plan);
      }
      cursor = page.nextCursor ?? undefined;
    }
    if (billed.length === 0) throw ValidationError.of('buyerExternalId', 'usage.no_billing_plan', `partner ${buyer.id} (${externalId}) buys under no partnership with a billing plan`);
    return { buyerId: buyer.id, externalId, plans: billed };
  }
}

/** A buyer named by its external id, and the billing plans of the partnerships it buys under. */
interface BuyerPlans {
  readonly buyerId: string;
  readonly externalId: string;
  readonly plans: readonly BillingPlan[];
}

/**
 * The partnership an event naming its buyer counts for: the one whose plan is in force around the event's day (a day
 * either side, as {@link checkAgainstPlan}), else, for an event outside every plan's days, the one whose plan was ever
 * in force. A plan ended from its first day never billed a day, and counts for nothing.
 * @throws ValidationError `usage.subject_ambiguous` (several such partnerships: name the partnership) |
 * `usage.no_billing_plan` (none)
 */
function partnershipOfBuyer(externalId: string, buyer: BuyerPlans, timestamp: Date): PartnershipId {
  const day = dayOf(timestamp);
  const near = buyer.plans.filter((plan) => segmentsAround(plan, day).length > 0);
  const candidates = near.length > 0 ? near : buyer.plans.filter((plan) => plan.segments().length > 0);
  const [only, ...more] = candidates;
  if (only === undefined) throw ValidationError.of('buyerExternalId', 'usage.no_billing_plan', `partner ${buyer.buyerId} (${externalId}) buys under no partnership whose billing plan has days in force`);
  if (more.length > 0) {
    throw ValidationError.of('buyerExternalId', 'usage.subject_ambiguous', `partner ${buyer.buyerId} (${externalId}) buys under ${candidates.length} partnerships with a billing plan in force around ${day}: name the partnership`);
  }
  return only.partnershipId;
}

function idTaken(eventId: string): ValidationError {
  return ValidationError.of('eventId', 'usage.event_id_taken', `event id ${eventId} was already used for other usage: an event id names one event`);
}

/** The day of an instant in UTC: the business time zone is not known here, hence a day either side wherever it is used. */
function dayOf(timestamp: Date): CalendarDate {
  return timestamp.toISOString().slice(0, 10) as CalendarDate;
}

/** The plan's stretches of days in force from the day before `day` to the day after. */
function segmentsAround(plan: BillingPlan, day: CalendarDate): ReturnType<BillingPlan['segments']> {
  // At the calendar's ends there is no day on the far side.
  const [from, to] = [day <= FIRST_CALENDAR_DAY ? day : addDays(day, -1), day >= LAST_CALENDAR_DAY ? day : addDays(day, 1)];
  return plan.segments().filter((segment) => segment.start <= to && (segment.end === undefined || segment.end > from));
}

/**
 * The event's day can still be billed (ADR 0027): it is not after the last day of a partnership that has ended (its
 * billing ended with it), nor before the days its plan bills in the partnership's currency (earlier days were billed
 * and invoiced in an earlier one). Stored, such an event would never be billed.
 * @throws ValidationError `usage.partnership_ended` | `usage.currency_changed`
 */
function checkBillable(plan: BillingPlan, partnership: Partnership | undefined, timestamp: Date, timeZone: string): void {
  if (partnership?.status === 'ended') {
    const lastDay = partnership.validUntil;
    if (lastDay === undefined || timestamp >= startOfDay(addDays(lastDay, 1), timeZone)) {
      throw ValidationError.of('timestamp', 'usage.partnership_ended', `partnership ${partnership.id} ended${lastDay === undefined ? '' : ` on ${lastDay}`}: usage after its last day is not billed`);
    }
  }
  const start = plan.currencyStart?.effectiveFrom;
  if ((partnership !== undefined && partnership.currency !== plan.currency) || (start !== undefined && timestamp < startOfDay(start, timeZone))) {
    const since = start === undefined ? `is in ${partnership?.currency}` : `bills in ${plan.currency} from ${start}`;
    throw ValidationError.of('timestamp', 'usage.currency_changed', `the billing plan of partnership ${plan.partnershipId} billed this day in another currency and ${since}: its usage is no longer billed`);
  }
}

/** The page size of a buyer's partnerships, read to find the one with a billing plan. */
const PARTNERSHIP_PAGE = 200;

/**
 * The event's metric is measured by one of the plan's usage charges, and carries what each of them aggregates: the
 * charges of the versions in effect around its day (a day either side, for the business time zone, which this check
 * does not know), else of any version (an event outside them all is billed by none, and is checked as before). Each
 * charge must be able to price the event's figure alone: a bill of one line beyond the largest amount could never be
 * made, and no credit on the same bill makes it fit.
 */
function checkAgainstPlan(plan: BillingPlan, metricCode: string, properties: RecordedUsageEvent['properties'], timestamp: Date): void {
  const measures = (terms: PlanTerms | null) => (terms?.charges ?? []).filter((charge): charge is UsageCharge => charge.kind === 'usage' && charge.metric.code === metricCode);
  const near = segmentsAround(plan, dayOf(timestamp)).flatMap((segment) => measures(segment.terms));
  const charges = near.length > 0 ? near : plan.history.flatMap((version) => measures(version.terms));
  if (charges.length === 0) throw ValidationError.of('metricCode', 'usage.unknown_metric', `no usage charge of the partnership's plan measures ${metricCode}`);
  for (const charge of charges) {
    const { metric } = charge;
    if (metric.property === undefined) continue;
    const value = propertyOf(properties, metric.property);
    if (value === undefined) throw ValidationError.of(`properties.${metric.property}`, 'usage.property_missing', `${metricCode} events carry "${metric.property}"`);
    if (metric.aggregation === 'unique_count') continue;
    let figure: Decimal;
    try {
      if (typeof value !== 'string') throw new Error('not a string');
      figure = decimal(value);
    } catch {
      throw ValidationError.of(`properties.${metric.property}`, 'usage.property_not_decimal', `"${metric.property}" is a decimal string such as "12.50"`);
    }
    // Refused here, not when billed: a stored event a run cannot price would stop its partnership's billing for good.
    if (figure.isNegative()) throw ValidationError.of(`properties.${metric.property}`, 'usage.negative', `"${metric.property}" is 0 or more, not ${value}`);
    if (figure.greaterThanOrEqualTo(USAGE_VALUE_LIMIT) || figure.decimalPlaces() > USAGE_VALUE_DECIMALS) {
      throw ValidationError.of(`properties.${metric.property}`, 'usage.value_out_of_range', `"${metric.property}" is less than 10^15, with at most ${USAGE_VALUE_DECIMALS} decimals, not ${value}`);
    }
    if (!pricesAlone(charge, figure, plan.currency)) {
      throw ValidationError.of(
        `properties.${metric.property}`,
        'usage.amount_out_of_range',
        `"${metric.property}" of ${value}, priced alone by the charge ${charge.code}, comes with its VAT to more than the largest amount in ${plan.currency}`,
      );
    }
  }
}

/**
 * Whether a period whose figure is this event's alone can be invoiced: each line of its price (rounded to the
 * currency, as a run makes it), their sum and its VAT, and the total, within the largest amount. A period's usage
 * adds to other events and shares its invoice with other lines, so a bill can still go beyond it (see
 * docs/billing.md#limits); this keeps one event from making every bill of its partnership impossible.
 */
function pricesAlone(charge: UsageCharge, figure: Decimal, currency: CurrencyCode): boolean {
  try {
    const round = (value: Decimal) => Money.fromDecimal(value, currency).toDecimal();
    const priced = priceUsage(charge.price, { units: figure, eventAmounts: [figure] }, { round });
    const net = Money.sum(currency, priced.parts.map((part) => Money.fromDecimal(part.amount, currency)));
    const vat = charge.vat.rate === null ? Money.zero(currency) : net.multiply(charge.vat.rate.dividedBy(100));
    net.add(vat);
    return true;
  } catch (error) {
    if (error instanceof ValidationError && error.issues.some((issue) => issue.code === 'money.out_of_range')) return false;
    throw error;
  }
}

/**
 * An event's figure is below 10^15 with at most 12 decimals: a million of them still add up exactly within the 34
 * significant digits of the domain's decimals.
 */
const USAGE_VALUE_LIMIT = new Decimal('1e15');
const USAGE_VALUE_DECIMALS = 12;

function rejected(eventId: string, error: DomainError): UsageEventResult {
  const issues = error instanceof ValidationError ? error.issues.map((issue) => ({ path: issue.path, code: issue.code, message: issue.message })) : [];
  return { eventId, status: 'rejected', error: { code: error.code, message: error.message, issues } };
}
