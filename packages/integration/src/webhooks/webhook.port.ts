import type { LoggedEvent } from '../events/event-log.port';
import type { DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEndpoint } from './webhook';
import type { ExpectedVersion } from '@invoicing/core';

export interface NewEndpoint {
  readonly tenantId: string;
  readonly id: string;
  readonly url: string;
  readonly description?: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  readonly secret: string;
  readonly at: Date;
}


export interface EndpointChange {
  readonly url?: string;
  readonly description?: string | null;
  readonly eventTypes?: readonly string[];
  readonly enabled?: boolean;
}

/**
 * Port: the tenants' webhook endpoints. Every change raises an event (`webhook_endpoint.created`, `.updated`,
 * `.secret_rotated`, `.disabled`, `.deleted`), stored with it and relayed like the domain's.
 */
export interface WebhookEndpointStore {
  /**
   * Stores a new endpoint; with `limit`, only while the tenant has fewer endpoints, counted and stored as one step
   * (of two creations at once at the limit, one is refused). @throws ConflictError `webhook_endpoint.already_exists` |
   * `webhook_endpoint.too_many`
   */
  create(endpoint: NewEndpoint, limit?: number): Promise<WebhookEndpoint>;
  get(tenantId: string, id: string): Promise<WebhookEndpoint | undefined>;
  list(tenantId: string): Promise<readonly WebhookEndpoint[]>;
  /**
   * `expectedVersion`, on this and the other changes of a person (an HTTP `If-Match`): the change is made only while the
   * endpoint is at that version (or one of those), checked in its guarded write.
   * @throws NotFoundError (`webhook_endpoint.not_found`); ConflictError `concurrency.stale_version` | `concurrency.conflict`
   */
  update(tenantId: string, id: string, change: EndpointChange, at: Date, expectedVersion?: ExpectedVersion): Promise<WebhookEndpoint>;
  /**
   * Makes `secret` the current one; the previous keeps signing until `overlapUntil`, older ones still overlapping until
   * their own end (at most four sign at once); an `overlapUntil` not after `at` ends them all. @throws NotFoundError; ConflictError
   */
  rotateSecret(tenantId: string, id: string, secret: string, overlapUntil: Date, at: Date, expectedVersion?: ExpectedVersion): Promise<WebhookEndpoint>;
  /**
   * Disabled by the platform because it kept failing, as it was at `version`: one changed since (its URL mended, enabled
   * again) is left as it is, since what failed was the endpoint as it was. Answers whether it was disabled now.
   */
  disableFailing(tenantId: string, id: string, version: number, at: Date): Promise<boolean>;
  recordSuccess(tenantId: string, id: string, at: Date): Promise<void>;
  /** Deleted: no more deliveries; its delivery log goes with it. @throws NotFoundError; ConflictError */
  delete(tenantId: string, id: string, at: Date, expectedVersion?: ExpectedVersion): Promise<void>;
}

export interface DeliveryPage {
  readonly deliveries: readonly WebhookDelivery[];
  /** The sequence to ask `before` next, absent on the last page. */
  readonly next?: number;
}

/** Port: the deliveries of events to endpoints, and the log of their attempts. */
export interface WebhookDeliveryStore {
  /** Queues each event for each endpoint that wants it; an event queued already for an endpoint stays as it is. */
  enqueue(deliveries: readonly { readonly endpointId: string; readonly event: LoggedEvent; readonly body: string }[], at: Date): Promise<void>;
  /** Deliveries waiting to be sent (due now or later), at most `limit`. */
  waiting(limit: number): Promise<readonly WebhookDelivery[]>;
  /** Records one attempt and what follows it: delivered, failed for good, or retried at `nextAttemptAt`. */
  recordAttempt(delivery: WebhookDelivery, attempt: DeliveryAttempt, outcome: { readonly status: DeliveryStatus; readonly nextAttemptAt?: Date }): Promise<void>;
  get(tenantId: string, endpointId: string, sequence: number): Promise<WebhookDelivery | undefined>;
  /** Newest first, before a sequence. */
  list(tenantId: string, endpointId: string, page: { readonly before?: number; readonly limit: number; readonly status?: DeliveryStatus }): Promise<DeliveryPage>;
  /** Sends a delivery again now, whatever became of it; its window starts afresh. @returns undefined when unknown */
  resend(tenantId: string, endpointId: string, sequence: number, at: Date): Promise<WebhookDelivery | undefined>;
  /** Counts of waiting deliveries (of a tenant, or all), and the age of the oldest. */
  backlog(now: Date, tenantId?: string): Promise<{ readonly waiting: number; readonly oldestAgeMs: number }>;
}
