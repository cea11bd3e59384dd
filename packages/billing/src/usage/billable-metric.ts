import { Decimal, ValidationError, decimal } from '@invoicing/core';
import type { MeasuredUsage } from '../pricing/price-usage';

/**
 * How a metric's events in a period make one figure:
 * - `count`: how many events;
 * - `sum`, `max`: of a decimal property;
 * - `unique_count`: how many distinct values a property takes;
 * - `latest`: a decimal property's value on the last event (by timestamp, then event id).
 */
export type Aggregation = 'count' | 'sum' | 'max' | 'unique_count' | 'latest';
export const AGGREGATIONS: readonly Aggregation[] = ['count', 'sum', 'max', 'unique_count', 'latest'];

/** What a usage charge measures. */
export interface BillableMetric {
  /** The code events name (`api_calls`). */
  readonly code: string;
  readonly aggregation: Aggregation;
  /** The property aggregated: required for every aggregation but `count`. */
  readonly property?: string;
  /** Only events whose property holds one of the values listed count (`{ region: ['eu', 'us'] }`); all, without. */
  readonly filters?: Readonly<Record<string, readonly string[]>>;
}

/** A property's value as an event carries it: decimals as strings, so that no amount is ever a binary float. */
export type EventPropertyValue = string | boolean;

/** What the aggregation reads of a usage event. */
export interface MeteredEvent {
  readonly eventId: string;
  readonly timestamp: Date;
  readonly properties: Readonly<Record<string, EventPropertyValue>>;
}

const CODE = /^[a-z][a-z0-9_]{0,62}$/;

const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Whether a name is one an event's property may have (`usage-event.ts`): letters, digits, `_`, `.` or `-`, at most 64.
 * Names of members every JavaScript object has (`constructor`, `toString` …) are names like any other, read as own
 * properties only ({@link propertyOf}); `__proto__` is not one: written into an object it sets its prototype.
 */
export function isPropertyName(name: string): boolean {
  return PROPERTY_NAME.test(name) && name !== '__proto__';
}

/** The value of an event's property, if it carries it: never a member its object inherits (`toString`…). */
export function propertyOf(properties: Readonly<Record<string, EventPropertyValue>>, name: string): EventPropertyValue | undefined {
  return Object.prototype.hasOwnProperty.call(properties, name) ? properties[name] : undefined;
}
/** Most values one filter allows, and the longest: an event's value is at most 1,000 characters. */
const MAX_FILTER_VALUES = 100;
const MAX_FILTER_VALUE_LENGTH = 1000;
const MAX_FILTERS = 50;

/**
 * Checks a metric: a code of lower-case letters, digits and `_`; a property for every aggregation but `count`, named as
 * an event's may be; filters that each name such a property and list the values (strings) it allows.
 * @throws ValidationError `metric.invalid_code` | `metric.property_required` | `metric.unknown_aggregation` |
 * `metric.invalid_property` | `metric.invalid_filter`
 */
export function billableMetric(input: BillableMetric): BillableMetric {
  if (!CODE.test(input.code)) throw ValidationError.of('code', 'metric.invalid_code', `a metric code is 1 to 63 lower-case letters, digits or "_", starting with a letter, not ${JSON.stringify(input.code)}`);
  if (!AGGREGATIONS.includes(input.aggregation)) throw ValidationError.of('aggregation', 'metric.unknown_aggregation', `an aggregation is ${AGGREGATIONS.join(', ')}`);
  if (input.aggregation !== 'count' && !input.property) throw ValidationError.of('property', 'metric.property_required', `a ${input.aggregation} aggregates a property: name it`);
  if (input.property !== undefined && (typeof input.property !== 'string' || !isPropertyName(input.property))) {
    throw ValidationError.of('property', 'metric.invalid_property', 'a property is named as an event\'s: letters, digits, "_", "." or "-", at most 64, not starting with a digit, and not __proto__');
  }
  if (input.filters !== undefined) checkFilters(input.filters);
  return input;
}

/** A filter that is not a list of strings would make a billing run fail, or read `"eu"` as `["e", "u"]`. */
function checkFilters(filters: unknown): void {
  const invalid = (path: string, message: string) => ValidationError.of(path, 'metric.invalid_filter', message);
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) throw invalid('filters', 'filters map property names to the lists of values they allow, e.g. { "region": ["eu"] }');
  const entries = Object.entries(filters);
  if (entries.length > MAX_FILTERS) throw invalid('filters', `a metric has at most ${MAX_FILTERS} filters`);
  for (const [name, values] of entries) {
    const path = `filters.${name}`;
    if (!isPropertyName(name)) throw invalid(path, 'a filter names a property as an event\'s: letters, digits, "_", "." or "-", at most 64, and not __proto__');
    if (!Array.isArray(values) || values.length === 0 || values.length > MAX_FILTER_VALUES) throw invalid(path, `a filter lists 1 to ${MAX_FILTER_VALUES} values`);
    if (!values.every((value) => typeof value === 'string' && value.length <= MAX_FILTER_VALUE_LENGTH)) throw invalid(path, `a filter's values are strings of at most ${MAX_FILTER_VALUE_LENGTH} characters ("true" matches true)`);
  }
}

/**
 * A metric's figure over the events of a period (those of the metric, already chosen by period and partnership), with
 * the number of events that counted and, for `sum`, each one's amount (what a percentage price with per-event fees
 * needs). No events: 0.
 * @throws ValidationError `usage.property_missing` when a counted event lacks the property; `usage.property_not_decimal`
 * when a `sum`, `max` or `latest` property is not a plain decimal string
 */
export function aggregate(metric: BillableMetric, events: readonly MeteredEvent[]): MeasuredUsage & { readonly events: number } {
  const counted = events.filter((event) => matches(metric, event));
  const property = metric.property as string;
  const value = (event: MeteredEvent): EventPropertyValue => {
    const found = propertyOf(event.properties, property);
    if (found === undefined) throw ValidationError.of(`events.${event.eventId}.properties.${property}`, 'usage.property_missing', `event ${event.eventId} has no property "${property}"`);
    return found;
  };
  const amount = (event: MeteredEvent): Decimal => {
    const raw = value(event);
    try {
      if (typeof raw !== 'string') throw new Error();
      return decimal(raw);
    } catch {
      throw ValidationError.of(`events.${event.eventId}.properties.${property}`, 'usage.property_not_decimal', `event ${event.eventId}: "${property}" is not a decimal string such as "12.50"`);
    }
  };
  switch (metric.aggregation) {
    case 'count':
      return { units: new Decimal(counted.length), events: counted.length };
    case 'sum': {
      const amounts = counted.map(amount);
      return { units: amounts.reduce((sum, each) => sum.plus(each), new Decimal(0)), eventAmounts: amounts, events: counted.length };
    }
    case 'max':
      return { units: counted.map(amount).reduce((max, each) => Decimal.max(max, each), new Decimal(0)), events: counted.length };
    case 'unique_count':
      return { units: new Decimal(new Set(counted.map((event) => String(value(event)))).size), events: counted.length };
    case 'latest': {
      const last = counted.reduce<MeteredEvent | undefined>((latest, event) => (latest === undefined || later(event, latest) ? event : latest), undefined);
      return { units: last ? amount(last) : new Decimal(0), events: counted.length };
    }
  }
}

function matches(metric: BillableMetric, event: MeteredEvent): boolean {
  return Object.entries(metric.filters ?? {}).every(([key, allowed]) => {
    const found = propertyOf(event.properties, key);
    return found !== undefined && allowed.includes(String(found));
  });
}

function later(event: MeteredEvent, than: MeteredEvent): boolean {
  const difference = event.timestamp.getTime() - than.timestamp.getTime();
  return difference > 0 || (difference === 0 && event.eventId > than.eventId);
}
