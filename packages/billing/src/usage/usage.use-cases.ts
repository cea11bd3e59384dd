import { CLOCK, Decimal, DomainError, ValidationError, addDays, decimal, type CalendarDate, type Clock, type Cursor, type TenantId } from '@invoicing/core';
import { PARTNERSHIP_REPOSITORY, PARTNER_REPOSITORY, type PartnerRepository, type PartnershipId, type PartnershipRepository } from '@invoicing/invoice';
import { inject, injectable } from 'inversify';
import type { BillingPlan } from '../plans/billing-plan';
import { BILLING_PLAN_REPOSITORY, type BillingPlanRepository } from '../plans/billing-plan-repository.port';
import type { PlanTerms, UsageCharge } from '../plans/plan-terms';
import { usageEvent, type UsageEventInput } from './usage-event';
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
 * exactly one such partnership), and a metric one of the plan's usage charges measures, carrying what that charge
 * aggregates. An event id already stored is never stored again.
 */
@injectable()
export class RecordUsage {
  constructor(
    @inject(USAGE_EVENT_STORE) private readonly usage: UsageEventStore,
    @inject(BILLING_PLAN_REPOSITORY) private readonly plans: BillingPlanRepository,
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(CLOCK) private readonly clock: Clock,
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
    const buyers = new Map<string, Promise<PartnershipId>>();
    const buyerPartnership = (externalId: string): Promise<PartnershipId> => {
      if (!buyers.has(externalId)) buyers.set(externalId, this.partnershipOfBuyer(command.tenantId, externalId, planOf));
      return buyers.get(externalId) as Promise<PartnershipId>;
    };
    const checked: (RecordedUsageEvent | DomainError)[] = [];
    for (const input of command.events) {
      try {
        const event = usageEvent(command.tenantId, input, receivedAt);
        const partnershipId = 'partnershipId' in event.subject ? (event.subject.partnershipId as PartnershipId) : await buyerPartnership(event.subject.buyerExternalId);
        const plan = await planOf(partnershipId);
        if (!plan) throw ValidationError.of('partnershipId', 'usage.no_billing_plan', `partnership ${partnershipId} has no billing plan (or does not exist)`);
        checkAgainstPlan(plan, event.metricCode, event.properties, event.timestamp);
        checked.push({ ...event, partnershipId, receivedAt });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        checked.push(error);
      }
    }
    const valid = checked.filter((each): each is RecordedUsageEvent => !(each instanceof DomainError));
    const outcomes = valid.length === 0 ? [] : await this.usage.append(valid);
    let next = 0;
    const results = checked.map((each, index): UsageEventResult => {
      const eventId = typeof command.events[index]?.eventId === 'string' ? (command.events[index]?.eventId as string) : '';
      if (each instanceof DomainError) return rejected(eventId, each);
      const outcome = outcomes[next++];
      if (outcome === 'id_taken') {
        return rejected(eventId, ValidationError.of('eventId', 'usage.event_id_taken', `event id ${eventId} was already used for other usage: an event id names one event`));
      }
      return { eventId, status: outcome === 'duplicate' ? 'duplicate' : 'stored' };
    });
    return {
      results,
      stored: results.filter((each) => each.status === 'stored').length,
      duplicates: results.filter((each) => each.status === 'duplicate').length,
      rejected: results.filter((each) => each.status === 'rejected').length,
    };
  }

  /**
   * The partnership whose buyer has this external id and which has a billing plan.
   * @throws ValidationError `usage.subject_unresolved` (no partner has the id) | `usage.subject_ambiguous` (two
   * partners have it, or the buyer has several partnerships with a plan: name the partnership)
   */
  private async partnershipOfBuyer(tenantId: TenantId, externalId: string, planOf: (id: string) => Promise<BillingPlan | undefined>): Promise<PartnershipId> {
    const [buyer, ...others] = await this.partners.findByExternalId(tenantId, externalId);
    if (!buyer) throw ValidationError.of('buyerExternalId', 'usage.subject_unresolved', `no partner has the external id ${externalId}`);
    if (others.length > 0) throw ValidationError.of('buyerExternalId', 'usage.subject_ambiguous', `${others.length + 1} partners have the external id ${externalId}`);
    const billed: PartnershipId[] = [];
    for (let cursor: Cursor | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await this.partnerships.list(tenantId, { partnerId: buyer.id }, { limit: PARTNERSHIP_PAGE, ...(cursor === undefined ? {} : { cursor }) });
      for (const partnership of page.items) {
        if (partnership.buyerId === buyer.id && (await planOf(partnership.id))) billed.push(partnership.id);
      }
      cursor = page.nextCursor ?? undefined;
    }
    const [only, ...more] = billed;
    if (only === undefined) throw ValidationError.of('buyerExternalId', 'usage.no_billing_plan', `partner ${buyer.id} (${externalId}) buys under no partnership with a billing plan`);
    if (more.length > 0) throw ValidationError.of('buyerExternalId', 'usage.subject_ambiguous', `partner ${buyer.id} (${externalId}) buys under ${billed.length} partnerships with a billing plan: name the partnership`);
    return only;
  }
}

/** The page size of a buyer's partnerships, read to find the one with a billing plan. */
const PARTNERSHIP_PAGE = 200;

/**
 * The event's metric is measured by one of the plan's usage charges, and carries what each of them aggregates: the
 * charges of the versions in effect around its day (a day either side, for the business time zone, which this check
 * does not know), else of any version (an event outside them all is billed by none, and is checked as before).
 */
function checkAgainstPlan(plan: BillingPlan, metricCode: string, properties: RecordedUsageEvent['properties'], timestamp: Date): void {
  const measures = (terms: PlanTerms | null) => (terms?.charges ?? []).filter((charge): charge is UsageCharge => charge.kind === 'usage' && charge.metric.code === metricCode);
  const day = timestamp.toISOString().slice(0, 10) as CalendarDate;
  const [from, to] = [addDays(day, -1), addDays(day, 1)];
  const around = plan.segments().filter((segment) => segment.start <= to && (segment.end === undefined || segment.end > from));
  const near = around.flatMap((segment) => measures(segment.terms));
  const charges = near.length > 0 ? near : plan.history.flatMap((version) => measures(version.terms));
  if (charges.length === 0) throw ValidationError.of('metricCode', 'usage.unknown_metric', `no usage charge of the partnership's plan measures ${metricCode}`);
  for (const { metric } of charges) {
    if (metric.property === undefined) continue;
    const value = properties[metric.property];
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
