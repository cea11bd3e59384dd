import type { TenantId } from '../ids/id';

/**
 * Who caused an event: a person signed in (`user`), a machine client with its own credentials (`client`), or the
 * platform acting on its own behalf (`system`: a billing run, an import, a background worker).
 */
export interface EventActor {
  readonly type: 'user' | 'client' | 'system';
  /** The token's subject for a user, the client id for a client, the process for the system (`billing-run`, `import`). */
  readonly id: string;
  /** What people read: the user name, the client id. */
  readonly name?: string;
}

/**
 * Something that happened to an aggregate, recorded by the aggregate itself and stored with it in the same write
 * (outbox), then published. Events of one aggregate are ordered by `(aggregateVersion, index)`.
 */
export interface DomainEvent<Type extends string = string, Payload = unknown> {
  /** Unique across tenants and stable across retries: `<tenantId>/<aggregateId>/<aggregateVersion>/<index>`. */
  readonly id: string;
  /** Dotted past-tense name, e.g. `invoice.issued`. */
  readonly type: Type;
  readonly tenantId: TenantId;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** The aggregate's version once the change that raised this event is saved. */
  readonly aggregateVersion: number;
  /** Position among the events of the same save. */
  readonly index: number;
  readonly occurredAt: Date;
  readonly payload: Payload;
  /**
   * Who caused it and in which request. Aggregates do not know: the adapter that stores the event stamps them from the
   * context of the request or job that saved it. Absent only on events stored before actors were recorded.
   */
  readonly actor?: EventActor;
  readonly requestId?: string;
}

/** Port: delivers events to whoever listens (a bus, webhooks, a queue). At least once; consumers de-duplicate by `id`. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/** Injection token of the {@link EventPublisher} port. */
export const EVENT_PUBLISHER = Symbol.for('@invoicing/core/EventPublisher');
