import { ApiProperty } from '@nestjs/swagger';

const EVENT_ITEMS = { type: 'array', items: { $ref: '#/components/schemas/Event' } } as const;

/** A page of the tenant's change feed. */
export class EventPageDto {
  /** The events after the cursor, in sequence order (see the Event schema: one per type). */
  @ApiProperty(EVENT_ITEMS)
  items!: object[];
  /** The cursor to ask from next (`after`): the last event's sequence, or the `after` asked when the page is empty. @example 42 */
  next!: number;
  /** The tenant's last sequence when the page was read: `next` equals it once the reader is up to date. @example 42 */
  head!: number;
}

/** One aggregate's recorded changes, oldest first. */
export class AuditTrailDto {
  /** Every event the aggregate raised: what changed, who did it (`actor`), when, and in which request. */
  @ApiProperty(EVENT_ITEMS)
  items!: object[];
  /** Pass back as `after` for the next page; null on the last. @example null */
  next!: number | null;
}

/** The event relay's health: what waits, and what the relay of this process did. */
export class RelayMetricsDto {
  /** Whether this process holds the relay's lease (one process relays at a time). @example true */
  holdsLease!: boolean;
  /** Events relayed by this process since it started. @example 1520 */
  relayed!: number;
  /** Events relayed per second over the last minute. @example 3.2 */
  relayedPerSecond!: number;
  /** Rounds that failed (the database unavailable …); the relay goes on. @example 0 */
  relayFailures!: number;
  /** Webhook deliveries that succeeded. @example 1498 */
  deliveriesSent!: number;
  /** Attempts that failed and will be retried, or were the last. @example 12 */
  deliveriesFailedAttempts!: number;
  /** Deliveries given up after the retry window. @example 0 */
  deliveriesGivenUp!: number;
  /** Endpoints disabled because they failed for the whole window. @example 0 */
  endpointsDisabled!: number;
  /**
   * When a round last failed, if one did since the process started. What failed is in the API's log, not here: the
   * relay works for every tenant, and its errors may name another tenant's records. @example "2026-12-06T14:05:00.000Z"
   */
  lastFailureAt?: string;
}

export class BacklogDto {
  /** Items waiting. @example 0 */
  waiting!: number;
  /** Age in milliseconds of the oldest waiting item (0 when none waits): the lag. @example 0 */
  oldestAgeMs!: number;
}

/** Lag and throughput of the events going out: the outbox, the relay, the webhook deliveries. */
export class EventMetricsDto {
  /** The tenant's records whose events wait in the outbox, and how long the oldest has waited: the relay's lag. */
  outbox!: BacklogDto;
  /** The tenant's webhook deliveries waiting to be sent or retried. */
  deliveries!: BacklogDto;
  /** This process's relay, for all tenants; null when it runs none (`EVENTS_RELAY=off`, a separate worker relays). */
  relay!: RelayMetricsDto | null;
}
