import type { TenantId } from '../ids/id';

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
}

/** Port: delivers events to whoever listens (a bus, webhooks, a queue). At least once; consumers de-duplicate by `id`. */
export interface EventPublisher {
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/** Injection token of the {@link EventPublisher} port. */
export const EVENT_PUBLISHER = Symbol.for('@invoicing/core/EventPublisher');
