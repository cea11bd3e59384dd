import { ValidationError, collectIssues, parseCalendarDate, parseId, requiredObject, type TenantId } from '@invoicing/core';
import { isPropertyName, type EventPropertyValue, type MeteredEvent } from './billable-metric';

/** Whose usage an event is: a partnership, or the buyer partner's id in the integrator's own system. */
export type UsageSubject = { readonly partnershipId: string } | { readonly buyerExternalId: string };

/** A usage event as received, checked: once stored under its `eventId`, the same id again is the same event. */
export interface UsageEvent extends MeteredEvent {
  readonly tenantId: TenantId;
  readonly metricCode: string;
  readonly subject: UsageSubject;
}

/** A usage event as an integrator sends it. */
export interface UsageEventInput {
  /** The integrator's id of the event: sending it again never counts it twice. */
  readonly eventId: string;
  readonly metricCode: string;
  /** When the usage happened: ISO 8601 with a time zone (`2026-03-02T10:00:00Z`, `…+01:00`). */
  readonly timestamp: string;
  readonly partnershipId?: string;
  readonly buyerExternalId?: string;
  /** Decimals as strings; whole numbers are taken too, never fractions (a binary float cannot carry an amount). */
  readonly properties?: Readonly<Record<string, string | boolean | number>>;
}

/** Most properties an event carries, and the longest value: an event describes one use, not a document. */
export const MAX_EVENT_PROPERTIES = 50;
export const MAX_PROPERTY_LENGTH = 1000;
/** How far ahead of its receipt an event may be dated: clocks drift, usage does not happen in the future. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const EVENT_ID = /^[\x21-\x7e]{1,200}$/;
const METRIC_CODE = /^[a-z][a-z0-9_]{0,62}$/;
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole purpose
const CONTROL_OR_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// RFC 3339's date-time: hours 00–23 (no ISO 8601 24:00, which `Date.parse` takes as the next day's midnight), minutes
// and seconds 00–59 (a leap second is not taken either).
const INSTANT = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * Checks a usage event received at `receivedAt`, and names every faulty field at once.
 * @throws ValidationError `usage.invalid_event_id` | `usage.invalid_metric_code` | `usage.invalid_timestamp` |
 * `usage.timestamp_in_future` | `usage.subject_required` | `usage.too_many_properties` | `usage.invalid_property_name` |
 * `usage.property_too_long` | `usage.property_not_whole_number` | `request.is_object` (the event, or its properties)
 */
export function usageEvent(tenantId: TenantId, input: UsageEventInput, receivedAt: Date): UsageEvent {
  requiredObject(input);
  return collectIssues((attempt) => {
    const eventId = attempt('eventId', () => {
      if (typeof input.eventId !== 'string' || !EVENT_ID.test(input.eventId)) throw ValidationError.of('', 'usage.invalid_event_id', 'an event id is 1 to 200 visible ASCII characters, e.g. a UUID');
      return input.eventId;
    });
    const metricCode = attempt('metricCode', () => {
      if (typeof input.metricCode !== 'string' || !METRIC_CODE.test(input.metricCode)) throw ValidationError.of('', 'usage.invalid_metric_code', 'a metric code is lower-case letters, digits and "_", e.g. api_calls');
      return input.metricCode;
    });
    const timestamp = attempt('timestamp', () => instant(input.timestamp, receivedAt));
    const subject = attempt('', () => subjectOf(input));
    const properties = attempt('properties', () => propertiesOf(requiredObject(input.properties ?? {})));
    return { tenantId, eventId, metricCode, timestamp, subject, properties } as UsageEvent;
  });
}

/**
 * Whether two events under one id say the same: a resend is stored once, another event under a taken id is refused.
 * The subject is the same when named the same way, or when both count for the same partnership (an event naming its
 * buyer, resent naming the partnership it was stored for): how a buyer's id resolves may change, the event does not.
 */
export function sameUsage(left: UsageEvent & { readonly partnershipId?: string }, right: UsageEvent & { readonly partnershipId?: string }): boolean {
  return (
    left.tenantId === right.tenantId &&
    left.eventId === right.eventId &&
    left.metricCode === right.metricCode &&
    left.timestamp.getTime() === right.timestamp.getTime() &&
    (JSON.stringify(left.subject) === JSON.stringify(right.subject) || (countsFor(left) !== undefined && countsFor(left) === countsFor(right))) &&
    JSON.stringify(sorted(left.properties)) === JSON.stringify(sorted(right.properties))
  );
}

/** The partnership an event counts for, when known: the one it was stored for, or the one it names. */
function countsFor(event: UsageEvent & { readonly partnershipId?: string }): string | undefined {
  return event.partnershipId ?? ('partnershipId' in event.subject ? event.subject.partnershipId : undefined);
}

/** 0100-01-01T00:00:00Z: the calendar's first instant (docs/README.md). */
const FIRST_INSTANT = Date.parse('0100-01-01T00:00:00Z');

function instant(value: string, receivedAt: Date): Date {
  const time = typeof value === 'string' && INSTANT.test(value) && realDay(value.slice(0, 10)) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw ValidationError.of('', 'usage.invalid_timestamp', 'a timestamp is ISO 8601 with a time zone, e.g. "2026-03-02T10:00:00Z"');
  // An instant before the calendar's first day (`0100-01-01T00:00:00+14:00`) falls on no calendar day, and no period.
  if (time < FIRST_INSTANT) throw ValidationError.of('', 'usage.invalid_timestamp', `${value} is before 0100-01-01T00:00:00Z, the first instant of the calendar`);
  if (time - receivedAt.getTime() > MAX_CLOCK_SKEW_MS) throw ValidationError.of('', 'usage.timestamp_in_future', `${value} is later than now (${receivedAt.toISOString()}) by more than 5 minutes`);
  return new Date(time);
}

/** `Date.parse` takes 30 February for 2 March: the day itself is checked first. */
function realDay(text: string): boolean {
  try {
    parseCalendarDate(text);
    return true;
  } catch {
    return false;
  }
}

function subjectOf(input: UsageEventInput): UsageSubject {
  const partnership = typeof input.partnershipId === 'string' && input.partnershipId !== '';
  const buyer = typeof input.buyerExternalId === 'string' && input.buyerExternalId !== '';
  if (partnership === buyer) throw ValidationError.of('partnershipId', 'usage.subject_required', 'name exactly one of partnershipId and buyerExternalId');
  if (partnership) return { partnershipId: parseId(input.partnershipId as string, 'partnershipId') };
  if (!EVENT_ID.test(input.buyerExternalId as string)) throw ValidationError.of('buyerExternalId', 'usage.invalid_buyer_external_id', 'an external id is 1 to 200 visible ASCII characters');
  return { buyerExternalId: input.buyerExternalId as string };
}

function propertiesOf(input: Readonly<Record<string, string | boolean | number>>): Record<string, EventPropertyValue> {
  const entries = Object.entries(input);
  if (entries.length > MAX_EVENT_PROPERTIES) throw ValidationError.of('', 'usage.too_many_properties', `an event has at most ${MAX_EVENT_PROPERTIES} properties`);
  return collectIssues((attempt) =>
    Object.fromEntries(
      entries.map(([name, value]) => [
        name,
        attempt(name, () => {
          if (!isPropertyName(name)) throw ValidationError.of('', 'usage.invalid_property_name', 'a property name is letters, digits, "_", "." or "-", at most 64, and not __proto__');
          if (typeof value === 'boolean') return value;
          if (typeof value === 'number') {
            if (!Number.isSafeInteger(value)) throw ValidationError.of('', 'usage.property_not_whole_number', `${value} is not a whole number: send decimals as strings, e.g. "12.50"`);
            return String(value);
          }
          if (typeof value !== 'string' || value.length > MAX_PROPERTY_LENGTH) throw ValidationError.of('', 'usage.property_too_long', `a property is text of at most ${MAX_PROPERTY_LENGTH} characters, a whole number or a boolean`);
          // A U+0000 cannot be stored by every server (PostgreSQL under FerretDB refuses the whole batch), and no control character is usage.
          if (CONTROL_OR_INVALID.test(value)) throw ValidationError.of('', 'usage.property_invalid_character', 'a property holds no control character (tab and line breaks aside), U+FFFE, U+FFFF or unpaired surrogate');
          return value;
        }) as EventPropertyValue,
      ]),
    ),
  );
}

function sorted(properties: Readonly<Record<string, EventPropertyValue>>): [string, EventPropertyValue][] {
  return Object.entries(properties).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
}
