/**
 * @invoicing/integration: the adapters of the invoicing domain. This entry loads no database driver:
 * - `@invoicing/integration/mongodb`: every port of `@invoicing/invoice` on MongoDB (or FerretDB 1.x) through mongoose;
 * - here: the idempotency port the API uses for `Idempotency-Key`, and the import-job port of accounts-receivable
 *   imports sent to the API, each with an in-memory implementation; the event log, the relay and webhooks (ports,
 *   signing, and {@link verifyWebhook} for receivers).
 * @packageDocumentation
 */
export { InMemoryIdempotencyStore } from './idempotency/in-memory-idempotency-store';
export type { IdempotencyOptions, IdempotencyOutcome, IdempotencyStore, StoredResponse } from './idempotency/idempotency-store.port';
export { InMemoryImportJobStore } from './imports/in-memory-import-job-store';
export { MAX_REFUSED_ROWS_KEPT, refusedRowOf } from './imports/import-job-store.port';
export type { ImportJobCounts, ImportJobState, ImportJobStatus, ImportJobStore, RefusedRow } from './imports/import-job-store.port';
export { SYSTEM_ACTOR, currentEventOrigin, runAs, type EventOrigin } from './events/event-origin';
export type { EventLog, EventPage, EventQuery, LoggedEvent } from './events/event-log.port';
export { eventJsonOf, type EventJson } from './events/event-json';
export { DEFAULT_RELAY_SETTINGS, EventRelay, type Chore, type Lease, type RelayDependencies, type RelayLogger, type RelayMetrics, type RelaySettings } from './events/event-relay';
export { SECRET_PREFIX, WebhookVerificationError, generateWebhookSecret, signWebhook, verifyWebhook, type SignedHeaders, type VerifyOptions } from './webhooks/signature';
export { STRICT_URL_POLICY, WebhookUrlError, assertPublicAddress, checkEndpointUrl, type WebhookUrlPolicy } from './webhooks/endpoint-url';
export { DEFAULT_DELIVERY_LIMITS, postDelivery, type DeliveryAttemptResult, type DeliveryLimits } from './webhooks/http-delivery';
export {
  ATTEMPTS_KEPT,
  DEFAULT_RETRY_POLICY,
  WEBHOOK_ENDPOINT_EVENTS,
  endpointWants,
  nextAttemptAt,
  signingSecrets,
  type DeliveryAttempt,
  type DeliveryStatus,
  type EndpointSecret,
  type RetryPolicy,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointEvent,
} from './webhooks/webhook';
export type { DeliveryPage, EndpointChange, NewEndpoint, WebhookDeliveryStore, WebhookEndpointStore } from './webhooks/webhook.port';
