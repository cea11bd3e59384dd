import type { DomainEvent, EventActor, TenantId } from '@invoicing/core';
import { SYSTEM_ACTOR, currentEventOrigin } from '../../events/event-origin';
import { STORED_FORMAT, storedFormatOf } from './stored-format';
import { decodeState, encodeState } from './stored-state';
import { dateToDomain } from './value.mapper';

/**
 * A domain event as stored in its aggregate's `outbox` array: from format 2 on one string of Extended JSON (for the same
 * reason as the state, `stored-state.ts`), in format 1 a subdocument. Each entry carries its own `_v`: events stay in
 * a document across saves, so a document's entries may have been written by different releases.
 */
export interface StoredEvent {
  readonly _v?: number;
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly index: number;
  readonly occurredAt: Date;
  readonly payload: unknown;
  /** From format 2 on (added without a format change: absent on older entries, read as unknown). */
  readonly actor?: EventActor;
  readonly requestId?: string;
}

/**
 * A payload is what the domain publishes, so it is data: JSON values, plus dates. It is stored as it is; anything
 * else (Money, Decimal, bigint, a class) has no agreed encoding and is refused rather than guessed at.
 */
function payloadData(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((item, index) => payloadData(item, `${path}[${index}]`));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [key, payloadData(field, `${path}.${key}`)]),
    );
  }
  throw new TypeError(`event payload ${path} is not JSON data (${typeof value === 'object' ? Object.getPrototypeOf(value)?.constructor?.name : typeof value}); put its JSON form (e.g. money.toJSON()) in the event`);
}

/**
 * The stored form of an event, stamped with the actor and request of the work storing it (`runAs`) unless the event
 * already names them. @throws TypeError when the payload holds something other than JSON data and dates
 */
export function eventToPersistence(event: DomainEvent): StoredEvent {
  const origin = currentEventOrigin();
  const actor = event.actor ?? origin?.actor ?? SYSTEM_ACTOR;
  const requestId = event.requestId ?? origin?.requestId;
  return {
    _v: STORED_FORMAT,
    id: event.id,
    type: event.type,
    tenantId: event.tenantId,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    index: event.index,
    occurredAt: event.occurredAt,
    payload: payloadData(event.payload, 'payload'),
    actor: { type: actor.type, id: actor.id, ...(actor.name === undefined ? {} : { name: actor.name }) },
    ...(requestId === undefined ? {} : { requestId }),
  } satisfies Omit<Record<keyof DomainEvent | '_v', unknown>, 'requestId'>;
}

/** @throws UnsupportedStoredFormatError for an entry of a format this release does not read */
export function eventToDomain(stored: StoredEvent): DomainEvent {
  storedFormatOf(stored, `outbox event ${stored.id}`);
  return {
    id: stored.id,
    type: stored.type,
    tenantId: stored.tenantId as TenantId,
    aggregateType: stored.aggregateType,
    aggregateId: stored.aggregateId,
    aggregateVersion: stored.aggregateVersion,
    index: stored.index,
    occurredAt: dateToDomain(stored.occurredAt),
    payload: stored.payload,
    ...(stored.actor === undefined ? {} : { actor: stored.actor }),
    ...(stored.requestId === undefined ? {} : { requestId: stored.requestId }),
  };
}

/** An outbox entry as written: the stored event as one string. @throws TypeError as {@link eventToPersistence} */
export function outboxEntryOf(event: DomainEvent): string {
  return encodeState(eventToPersistence(event));
}

/** The stored event an outbox entry holds, in either format. */
export function storedEventOf(entry: StoredEvent | string): StoredEvent {
  return decodeState(entry);
}
