import { AggregateRoot, ValidationError, addDays, atPath, definedFields, frozenState, handedOut, parseCalendarDate, type CalendarDate, type CurrencyCode, type TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import { FIRST_CALENDAR_DAY, billablePeriod } from '../periods/billing-period';
import { planTerms, type PlanTerms, type PlanTermsInput } from './plan-terms';

/**
 * One version of a plan: the terms in effect from `effectiveFrom` until the next version's first day. `terms` null ends
 * billing from that day. A version later replaced from an earlier day keeps its place in the history, with `replacedBy`.
 */
export interface PlanVersion {
  readonly version: number;
  readonly effectiveFrom: CalendarDate;
  readonly terms: PlanTerms | null;
  readonly recordedAt: Date;
  readonly replacedBy?: number;
  /**
   * Set on the versions of an earlier currency, once the plan was started again in the partnership's new one
   * ({@link BillingPlan.restartIn}): their days were billed and invoiced in it. None: the plan's currency.
   */
  readonly currency?: CurrencyCode;
}

/** The stored form of a billing plan: one per partnership, under the partnership's id. */
export interface BillingPlanState {
  readonly tenantId: TenantId;
  readonly id: PartnershipId;
  readonly version: number;
  readonly currency: CurrencyCode;
  /** Every version ever recorded, in the order recorded. */
  readonly versions: readonly PlanVersion[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A stretch of days under one version: from `start` (included) to `end` (excluded; none while the version lasts). */
export interface PlanSegment {
  readonly version: number;
  readonly terms: PlanTerms;
  readonly start: CalendarDate;
  readonly end?: CalendarDate;
}

/** Most versions a plan records: a plan changed every day for years, never a log without end. */
export const MAX_PLAN_VERSIONS = 1000;

/**
 * The billing plan of a partnership, effective-dated: each change takes effect on a day and is kept in the history,
 * so a run can always tell what the terms were on any day (docs/billing.md).
 */
export class BillingPlan extends AggregateRoot<PartnershipId> {
  readonly aggregateType = 'billing_plan';

  private frozen!: BillingPlanState;

  private constructor(state: BillingPlanState) {
    super(state.tenantId, state.id, state.version);
    this.state = state;
  }

  // Frozen whenever it is replaced: nothing handed out or taken in can change it afterwards.
  private get state(): BillingPlanState {
    return this.frozen;
  }

  private set state(next: BillingPlanState) {
    this.frozen = frozenState(next);
  }

  /**
   * Starts a partnership's plan on `effectiveFrom`, in the partnership's currency.
   * @throws ValidationError as {@link planTerms}, `effectiveFrom` malformed
   */
  static start(
    command: { readonly partnershipId: PartnershipId; readonly currency: CurrencyCode; readonly effectiveFrom: string; readonly terms: PlanTermsInput },
    context: { readonly tenantId: TenantId; readonly at: Date },
  ): BillingPlan {
    const plan = new BillingPlan({
      tenantId: context.tenantId,
      id: command.partnershipId,
      version: 0,
      currency: command.currency,
      versions: [],
      createdAt: context.at,
      updatedAt: context.at,
    });
    plan.replaceFrom(command.effectiveFrom, command.terms, context.at);
    return plan;
  }

  static restore(state: BillingPlanState): BillingPlan {
    return new BillingPlan(state);
  }

  toState(): BillingPlanState {
    return { ...handedOut(this.state), versions: this.history, version: this.version };
  }

  get partnershipId(): PartnershipId {
    return this.state.id;
  }

  get currency(): CurrencyCode {
    return this.state.currency;
  }

  /** Every version recorded, in the order recorded. */
  get history(): readonly PlanVersion[] {
    // Frozen, but a Date is not: each reader gets its own.
    return this.state.versions.map((version) => ({ ...version, recordedAt: new Date(version.recordedAt.getTime()) }));
  }

  /**
   * Puts new terms in effect from a day (null: billing ends that day). Versions that start on or after that day are
   * replaced; those before it end that day. A day already invoiced may be changed: the next run credits what was
   * billed under the old terms and charges the new ones (docs/billing.md#plan-changes).
   * Anniversary periods keep the anchor of the version in effect before, unless the terms give one.
   * @throws ValidationError `plan.too_many_versions` | `plan.period_out_of_range` (terms whose first period ends after the
   * calendar's last day), and as {@link planTerms}
   */
  replaceFrom(effectiveFrom: string, input: PlanTermsInput | null, at: Date): PlanVersion {
    const from = atPath('effectiveFrom', () => parseCalendarDate(effectiveFrom));
    if (this.state.versions.length >= MAX_PLAN_VERSIONS) {
      throw ValidationError.of('effectiveFrom', 'plan.too_many_versions', `a plan keeps at most ${MAX_PLAN_VERSIONS} versions`);
    }
    // The calendar's first day has no day before it, nor a version in effect then.
    const before = from === FIRST_CALENDAR_DAY ? undefined : this.segmentOn(addDays(from, -1));
    const keepsAnchor = input !== null && input.anchor === undefined && before !== undefined && before.terms.cycle.interval === input.interval;
    const terms = input === null ? null : atPath('terms', () => planTerms(keepsAnchor ? { ...input, anchor: before.terms.cycle.anchor } : input, this.currency, from));
    if (terms !== null) billableFrom(from, terms);
    const version = this.state.versions.length + 1;
    const recorded: PlanVersion = { version, effectiveFrom: from, terms, recordedAt: at };
    this.state = {
      ...this.state,
      versions: [...this.state.versions.map((each) => (each.replacedBy === undefined && each.effectiveFrom >= from ? { ...each, replacedBy: version } : each)), recorded],
      updatedAt: at,
    };
    this.raise('billing_plan.changed', { partnershipId: this.id, version, effectiveFrom: from, ended: terms === null }, at);
    return recorded;
  }

  /**
   * Starts the plan again in another currency (the partnership's new one) from `effectiveFrom`: every version so far is
   * marked with the currency it was in, and billing works from the versions in the new currency only
   * ({@link inCurrency}). The caller checks that the earlier versions billed all they had to, and that `effectiveFrom` is
   * after the plan's last bill (docs/billing.md#changing-the-currency).
   * @throws ValidationError `plan.nothing_to_end` for no terms, and as {@link replaceFrom}
   */
  restartIn(currency: CurrencyCode, effectiveFrom: string, input: PlanTermsInput | null, at: Date): PlanVersion {
    if (input === null) throw ValidationError.of('terms', 'plan.nothing_to_end', `the plan bills in ${this.currency}: there is nothing in ${currency} to end`);
    const from = atPath('effectiveFrom', () => parseCalendarDate(effectiveFrom));
    const terms = atPath('terms', () => planTerms(input, currency, from));
    billableFrom(from, terms);
    if (this.state.versions.length >= MAX_PLAN_VERSIONS) {
      throw ValidationError.of('effectiveFrom', 'plan.too_many_versions', `a plan keeps at most ${MAX_PLAN_VERSIONS} versions`);
    }
    const earlier = this.currency;
    const version = this.state.versions.length + 1;
    const recorded: PlanVersion = { version, effectiveFrom: from, terms, recordedAt: at };
    this.state = {
      ...this.state,
      currency,
      versions: [...this.state.versions.map((each) => (each.currency === undefined ? { ...each, currency: earlier } : each)), recorded],
      updatedAt: at,
    };
    this.raise('billing_plan.changed', { partnershipId: this.id, version, effectiveFrom: from, ended: false }, at);
    return recorded;
  }

  /**
   * The plan as billing works it out: its versions in its currency only. Those of an earlier currency were billed to
   * their end in it ({@link restartIn}); worked out again in this one, their figures would be read in another currency.
   */
  inCurrency(): BillingPlan {
    if (this.state.versions.every((each) => each.currency === undefined)) return this;
    return BillingPlan.restore({ ...this.toState(), versions: this.history.filter((each) => each.currency === undefined) });
  }

  /** The version that started the plan in its currency, when it was started again in it ({@link restartIn}). */
  get currencyStart(): PlanVersion | undefined {
    if (this.state.versions.every((each) => each.currency === undefined)) return undefined;
    return this.history.find((each) => each.currency === undefined);
  }

  /** The versions in effect, each for its stretch of days, in order; none for days billing was ended. */
  segments(): PlanSegment[] {
    const current = this.state.versions.filter((each) => each.replacedBy === undefined).sort((left, right) => (left.effectiveFrom < right.effectiveFrom ? -1 : 1));
    return current.flatMap((each, index) => {
      if (each.terms === null) return [];
      const next = current[index + 1];
      return [{ version: each.version, terms: each.terms, start: each.effectiveFrom, ...definedFields({ end: next?.effectiveFrom }) }];
    });
  }

  /** The segment in effect on a day, if any. */
  segmentOn(date: CalendarDate): PlanSegment | undefined {
    return this.segments().find((segment) => segment.start <= date && (segment.end === undefined || date < segment.end));
  }
}

/**
 * Terms from `from` whose first period ends after 9999-12-31, the calendar's last day (a month from 9999-12-01, a year
 * from 9999-06-15), could never be billed: no date ends that period. Refused when set, rather than failing every run.
 * @throws ValidationError `plan.period_out_of_range`
 */
function billableFrom(from: CalendarDate, terms: PlanTerms): void {
  if (billablePeriod(terms.cycle, from) !== undefined) return;
  throw ValidationError.of('effectiveFrom', 'plan.period_out_of_range', `the ${terms.cycle.interval} period of ${from} would end after 9999-12-31, the calendar's last day: no billing date could bill it`);
}
