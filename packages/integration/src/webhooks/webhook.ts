/**
 * Webhook endpoints and deliveries: what a tenant registers, and the record of every attempt to send it an event.
 * The rules of sending (which events, how often retried, when an endpoint is disabled) are here; the stores and the
 * sender live beside them (`webhook.port.ts`, `webhook-sender.ts`).
 */

/** The events an endpoint raises, as `webhook_endpoint.<name>` (docs/events.md). */
export const WEBHOOK_ENDPOINT_EVENTS = ['created', 'deleted', 'disabled', 'enabled', 'secret_rotated', 'updated'] as const;
export type WebhookEndpointEvent = (typeof WEBHOOK_ENDPOINT_EVENTS)[number];

/** A secret an endpoint signs with; a rotated-out secret keeps signing until `expiresAt`, beside the new one. */
export interface EndpointSecret {
  readonly secret: string;
  readonly createdAt: Date;
  readonly expiresAt?: Date;
}

export interface WebhookEndpoint {
  readonly tenantId: string;
  readonly id: string;
  readonly version: number;
  readonly url: string;
  readonly description?: string;
  /** Event types delivered; `['*']` for all. */
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  /** Why it is disabled: by a person, or by the platform after it kept failing. */
  readonly disabledReason?: 'by_request' | 'failing';
  /** The current secret first. */
  readonly secrets: readonly EndpointSecret[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly lastSuccessAt?: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One attempt, as the delivery log shows it. */
export interface DeliveryAttempt {
  readonly at: Date;
  readonly status?: number;
  readonly latencyMs: number;
  readonly error?: string;
  /** The start of the receiver's answer (at most 500 characters). */
  readonly response?: string;
}

export interface WebhookDelivery {
  readonly tenantId: string;
  readonly endpointId: string;
  /** The event's place in the tenant's log: with the endpoint, it names the delivery. */
  readonly sequence: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregateId: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly nextAttemptAt?: Date;
  readonly firstAttemptAt?: Date;
  readonly deliveredAt?: Date;
  /** The most recent attempts, newest last (at most {@link ATTEMPTS_KEPT}). */
  readonly history: readonly DeliveryAttempt[];
  /** The event as sent, exactly: the signed body. */
  readonly body: string;
}

export const ATTEMPTS_KEPT = 20;

/** How deliveries are retried. */
export interface RetryPolicy {
  /** Delay before the second attempt; each next one doubles, up to `maxDelayMs`, with jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long after its first attempt a delivery is still tried; after, it is failed. */
  readonly windowMs: number;
}

/** 10 s, 20 s, 40 s … up to 6 h between attempts, for 3 days (about 22 attempts). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 6 * 3600_000, windowMs: 3 * 24 * 3600_000 };

/** Whether an endpoint takes events of this type. */
export function endpointWants(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.enabled && (endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type));
}

/**
 * When to try again after `attempts` failed attempts, or undefined when the delivery has been tried for the whole
 * window. "Full jitter" between half and all of the exponential delay, so that endpoints that failed together do not
 * all come back at once.
 */
export function nextAttemptAt(policy: RetryPolicy, attempts: number, firstAttemptAt: Date, now: Date, random: () => number = Math.random): Date | undefined {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  const next = new Date(now.getTime() + Math.round(exponential * (0.5 + random() / 2)));
  return next.getTime() - firstAttemptAt.getTime() > policy.windowMs ? undefined : next;
}

/** The secrets an endpoint signs with now: the current one and any rotated-out one still in its overlap. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  return endpoint.secrets.filter((secret) => secret.expiresAt === undefined || secret.expiresAt > now).map((secret) => secret.secret);
}
