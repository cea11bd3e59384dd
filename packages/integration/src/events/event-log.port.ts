import type { DomainEvent, EventActor } from '@invoicing/core';

/** An event as the tenant's log holds it: the domain event, its actor, and its place in the tenant's total order. */
export interface LoggedEvent extends DomainEvent {
  readonly actor: EventActor;
  /** 1, 2, 3 … per tenant, in the order the relay logged the events: the change feed's cursor. Gaps may occur. */
  readonly sequence: number;
  /** When the relay logged it. */
  readonly loggedAt: Date;
}

/** A page of the change feed. */
export interface EventPage {
  readonly events: readonly LoggedEvent[];
  /** The cursor to ask from next: the last event's sequence, or the `after` asked when the page is empty. */
  readonly next: number;
  /** The tenant's last sequence when the page was read. */
  readonly head: number;
}

export interface EventQuery {
  /** Events after this sequence (0: from the start). */
  readonly after: number;
  /** Only these types (all when absent or empty). */
  readonly types?: readonly string[];
  readonly limit: number;
}

/**
 * Port: the tenants' event logs, each a total order of the events relayed from the outbox. Appending is idempotent by
 * event id: an event logged already keeps its first sequence, so a relay that publishes again after a crash logs
 * nothing twice. The log is append-only and kept: the change feed and the audit trail read it.
 */
export interface EventLog {
  /** Logs the events in the order given (an aggregate's events in their order) and answers each as logged. */
  append(events: readonly DomainEvent[]): Promise<readonly LoggedEvent[]>;
  /** The tenant's events after a cursor, in sequence order. */
  read(tenantId: string, query: EventQuery): Promise<EventPage>;
  /** The events of one aggregate of the tenant, in sequence order, after a cursor. */
  ofAggregate(tenantId: string, aggregateId: string, query: { readonly after: number; readonly limit: number }): Promise<readonly LoggedEvent[]>;
  /** The tenant's last sequence (0 when nothing was logged). */
  head(tenantId: string): Promise<number>;
  /**
   * Whether `after` is a cursor the tenant's feed can have given: 0, or a sequence up to its head. One past the head is
   * another tenant's, or from a log restored since: read from there, the feed would skip every event up to it.
   */
  isCursor(tenantId: string, after: number): Promise<boolean>;
}
