import type { EventActor } from '@invoicing/core';
import type { LoggedEvent } from './event-log.port';

/**
 * An event as integrators receive it, in the change feed, the audit trail and every webhook delivery alike
 * (docs/events.md): the envelope, then the payload as the domain raised it.
 */
export interface EventJson {
  readonly id: string;
  readonly type: string;
  readonly sequence: number;
  readonly tenantId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly index: number;
  readonly occurredAt: string;
  readonly actor: EventActor;
  readonly requestId?: string;
  readonly payload: unknown;
}

export function eventJsonOf(event: LoggedEvent): EventJson {
  return {
    id: event.id,
    type: event.type,
    sequence: event.sequence,
    tenantId: event.tenantId,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    index: event.index,
    occurredAt: event.occurredAt.toISOString(),
    actor: event.actor,
    ...(event.requestId === undefined ? {} : { requestId: event.requestId }),
    // Dates inside payloads become ISO strings, as JSON.stringify writes them.
    payload: JSON.parse(JSON.stringify(event.payload ?? null)) as unknown,
  };
}
