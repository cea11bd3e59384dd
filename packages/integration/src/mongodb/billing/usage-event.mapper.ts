import type { EventPropertyValue, RecordedUsageEvent, UsageSubject } from '@invoicing/billing';
import type { TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import { documentId } from '../mappers/aggregate-document';
import { STORED_FORMAT, storedFormatOf } from '../mappers/stored-format';
import { dateToDomain, type AllFieldsOf } from '../mappers/value.mapper';

/**
 * A `usage_events` document, inserted once and never updated. `properties` holds each property under its escaped
 * name ({@link propertyField}) with its value as sent, a string or a boolean: a subdocument, so that a filter, a group
 * or a projection names one property by its path.
 */
export interface UsageEventDocument {
  readonly _id: string;
  readonly _v?: number;
  readonly tenantId: string;
  readonly eventId: string;
  readonly partnershipId: string;
  readonly metricCode: string;
  readonly timestamp: Date;
  readonly receivedAt: Date;
  readonly subject: { readonly partnershipId: string } | { readonly buyerExternalId: string };
  readonly properties: Readonly<Record<string, EventPropertyValue>>;
  /** {@link usageMonthKey} of the event: what `measure` looks events up by. */
  readonly usageMonth: string;
  /** {@link receiptMonthKey} of the event: what `lateUsage` looks events up by. */
  readonly receiptMonth: string;
}

/**
 * Keys of months, for lookups by equality. FerretDB 1.x hands PostgreSQL only the equalities of a filter, never a
 * range (ADR 0002): a range of instants on `timestamp` alone would read a partnership's whole history. An equality on
 * the month of a partnership's metric, with the range applied to that month's events, reads only those.
 */
export function usageMonthKey(partnershipId: string, metricCode: string, instant: Date): string {
  return `${partnershipId}/${metricCode}/${instant.toISOString().slice(0, 7)}`;
}

/** The month (UTC) an event of a partnership was received in. */
export function receiptMonthKey(partnershipId: string, instant: Date): string {
  return `${partnershipId}/${instant.toISOString().slice(0, 7)}`;
}

/** The UTC months from the one holding `from` to the one holding `to`, as `YYYY-MM` instants (first day, 00:00). */
export function monthsBetween(from: Date, to: Date): Date[] {
  const months: Date[] = [];
  for (let month = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1); month <= to.getTime(); ) {
    months.push(new Date(month));
    const next = new Date(month);
    next.setUTCMonth(next.getUTCMonth() + 1);
    month = next.getTime();
  }
  return months;
}

/**
 * A property's field name inside `properties`. Property names may hold `.` (`tier.name`), which a field name cannot
 * (it is a path), and the names a metric asks for are not checked by the domain, so every character but letters,
 * digits, `_` and `-` is written `%` and four hex digits: a name and its field are one to one, and no field starts with
 * `$`. No field is empty either: the empty name, which no event carries, is `%`.
 */
export function propertyField(name: string): string {
  return name === '' ? '%' : name.replace(/[^A-Za-z0-9_-]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function propertyName(field: string): string {
  return field === '%' ? '' : field.replace(/%([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function usageEventToPersistence(event: RecordedUsageEvent): UsageEventDocument {
  const fields = {
    tenantId: event.tenantId,
    eventId: event.eventId,
    partnershipId: event.partnershipId,
    metricCode: event.metricCode,
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    subject: subjectToPersistence(event.subject),
    properties: Object.fromEntries(Object.entries(event.properties).map(([name, value]) => [propertyField(name), value])),
  } satisfies AllFieldsOf<RecordedUsageEvent>;
  return {
    _id: documentId(event.tenantId, event.eventId),
    _v: STORED_FORMAT,
    ...fields,
    usageMonth: usageMonthKey(event.partnershipId, event.metricCode, event.timestamp),
    receiptMonth: receiptMonthKey(event.partnershipId, event.receivedAt),
  };
}

function subjectToPersistence(subject: UsageSubject): UsageEventDocument['subject'] {
  return 'partnershipId' in subject ? { partnershipId: subject.partnershipId } : { buyerExternalId: subject.buyerExternalId };
}

/** @throws UnsupportedStoredFormatError */
export function usageEventToDomain(document: UsageEventDocument): RecordedUsageEvent {
  storedFormatOf(document, `usage_events ${document._id}`);
  return {
    tenantId: document.tenantId as TenantId,
    eventId: document.eventId,
    partnershipId: document.partnershipId as PartnershipId,
    metricCode: document.metricCode,
    timestamp: dateToDomain(document.timestamp),
    receivedAt: dateToDomain(document.receivedAt),
    subject: subjectToPersistence(document.subject as UsageSubject),
    properties: Object.fromEntries(Object.entries(document.properties).map(([field, value]) => [propertyName(field), value])),
  } satisfies AllFieldsOf<RecordedUsageEvent>;
}
