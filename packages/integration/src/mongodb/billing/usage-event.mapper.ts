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
  return { _id: documentId(event.tenantId, event.eventId), _v: STORED_FORMAT, ...fields };
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
