import { eventJsonOf, type LoggedEvent, type WebhookDelivery, type WebhookEndpoint } from '@invoicing/integration';
import type { ExampleScenario } from '../docs/example-scenario';
import { IDEMPOTENT, IF_MATCH, SIGNED_IN, VALIDATED, WITH_BODY, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { loggedEventsOf } from '../events/events.examples';
import { toDeliveryDetailResponse, toDeliveryResponse, toEndpointResponse, toEndpointWithSecretResponse } from './webhook.mapper';

/** The checks of an endpoint's URL (endpoint-url.ts), each answered as a wrong `url`. */
const URL_CHECKS: ProblemCodes = { 400: ['webhook_endpoint.invalid_url', 'webhook_endpoint.insecure_url', 'webhook_endpoint.private_address'] };

/** Event types must be catalogued ones, or `*` alone. */
const EVENT_TYPE_CHECK: ProblemCodes = { 400: ['webhook_endpoint.unknown_event_type'] };

/**
 * An endpoint's changes are written under its version: with `If-Match`, at the version named only (412); without, a
 * change that lost the race to another is a conflict.
 */
const ENDPOINT_CHANGE: ProblemCodes = answers(IF_MATCH, { 404: ['webhook_endpoint.not_found'] });

/**
 * What each webhook endpoint operation may answer, by status: the controller's checks of URLs and event types, the
 * endpoint store (webhook-stores.ts) and the delivery log.
 */
export const WEBHOOK_PROBLEM_CODES = {
  createWebhookEndpoint: answers(SIGNED_IN, WITH_BODY, VALIDATED, IDEMPOTENT, URL_CHECKS, EVENT_TYPE_CHECK, {
    409: ['webhook_endpoint.too_many', 'webhook_endpoint.already_exists'],
  }),
  listWebhookEndpoints: answers(SIGNED_IN),
  getWebhookEndpoint: answers(SIGNED_IN, { 404: ['webhook_endpoint.not_found'] }),
  updateWebhookEndpoint: answers(SIGNED_IN, WITH_BODY, VALIDATED, URL_CHECKS, EVENT_TYPE_CHECK, ENDPOINT_CHANGE),
  deleteWebhookEndpoint: answers(SIGNED_IN, WITH_BODY, ENDPOINT_CHANGE),
  rotateWebhookSecret: answers(SIGNED_IN, WITH_BODY, VALIDATED, ENDPOINT_CHANGE),
  listWebhookDeliveries: answers(SIGNED_IN, VALIDATED, { 400: ['pagination.invalid_cursor'], 404: ['webhook_endpoint.not_found'] }),
  getWebhookDelivery: answers(SIGNED_IN, { 404: ['webhook_delivery.not_found'] }),
  resendWebhookDelivery: answers(SIGNED_IN, WITH_BODY, { 404: ['webhook_endpoint.not_found', 'webhook_delivery.not_found'] }),
} satisfies Record<string, ProblemCodes>;

// Nordlicht feeds its ERP: registered on 2 November for issued and paid invoices and received payments, it takes
// credit notes too from 1 December, and its secret is rotated on 18 December. The examples show the log then.

/** The endpoint's id: the `endpointId` of the examples' paths. */
export const EXAMPLE_ENDPOINT_ID = '01a19b98-4e36-7c2e-9b41-d85a3f06e217';
const CREATED_AT = new Date('2026-11-02T09:30:12.406Z');
const UPDATED_AT = new Date('2026-12-01T08:05:44.127Z');
const ROTATED_AT = new Date('2026-12-18T11:40:27.019Z');
const RESENT_AT = new Date('2026-12-18T11:52:03.512Z');
const OVERLAP_HOURS = 24;
/** The secrets, as `generateWebhookSecret` makes them: `whsec_` and 32 random bytes in base64. */
const FIRST_SECRET = 'whsec_se2wPFD9mwWDV4XdZtaOqiE7d6FwCLSVsuazOOqzJn4=';
const SECOND_SECRET = 'whsec_hEX0PNrhAb/8So13i77JH0hFrNpPepG/l9+nvAXuY1c=';

/** The body of the register example. */
const REGISTRATION = {
  url: 'https://erp.nordlicht-software.de/hooks/invoicing',
  description: 'ERP sync (Buchhaltung)',
  eventTypes: ['invoice.issued', 'invoice.paid', 'payment.received'],
} as const;

/** The body of the change example: credit notes too. */
const CHANGE = { eventTypes: ['invoice.issued', 'invoice.paid', 'invoice.credited', 'credit_note.issued', 'payment.received'] } as const;

/** A delivery of a logged event, queued as the relay logs it, with its attempts (milliseconds after queueing, answer). */
function deliveryOf(event: LoggedEvent, attempts: readonly { readonly after: number; readonly status: number; readonly latencyMs: number }[]): WebhookDelivery {
  const history = attempts.map(({ after, status, latencyMs }) => ({
    at: new Date(event.loggedAt.getTime() + after),
    status,
    latencyMs,
    ...(status >= 200 && status < 300 ? {} : { error: `answered ${status}` }),
  }));
  const delivered = history.find((attempt) => attempt.error === undefined);
  return {
    tenantId: event.tenantId,
    endpointId: EXAMPLE_ENDPOINT_ID,
    sequence: event.sequence,
    eventId: event.id,
    eventType: event.type,
    aggregateId: event.aggregateId,
    status: delivered ? 'delivered' : 'pending',
    attempts: history.length,
    createdAt: event.loggedAt,
    ...(history[0] ? { firstAttemptAt: history[0].at } : {}),
    ...(delivered ? { deliveredAt: delivered.at } : {}),
    history,
    body: JSON.stringify(eventJsonOf(event)),
  };
}

/** The endpoint as registered, changed and rotated, and its two latest deliveries when its secret was rotated. */
function webhookStory(s: ExampleScenario) {
  const created: WebhookEndpoint = {
    tenantId: s.partners.seller.tenantId,
    id: EXAMPLE_ENDPOINT_ID,
    version: 1,
    url: REGISTRATION.url,
    description: REGISTRATION.description,
    eventTypes: REGISTRATION.eventTypes,
    enabled: true,
    secrets: [{ secret: FIRST_SECRET, createdAt: CREATED_AT }],
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
  };
  const updated: WebhookEndpoint = { ...created, version: 2, eventTypes: CHANGE.eventTypes, updatedAt: UPDATED_AT };
  const wanted = loggedEventsOf(s).filter(
    (event) => event.occurredAt > CREATED_AT && event.occurredAt < ROTATED_AT && (event.occurredAt > UPDATED_AT ? updated : created).eventTypes.includes(event.type),
  );
  const [previous, latest] = wanted.slice(-2);
  if (!previous || !latest) throw new Error('the story has no events for the webhook examples');
  // The receiver was being deployed when the earlier one came: it answered 503, and took the retry 7.4 s later.
  const retried = deliveryOf(previous, [
    { after: 102, status: 503, latencyMs: 212 },
    { after: 7_533, status: 200, latencyMs: 91 },
  ]);
  const delivered = deliveryOf(latest, [{ after: 95, status: 200, latencyMs: 84 }]);
  const rotated: WebhookEndpoint = {
    ...updated,
    version: 3,
    secrets: [
      { secret: SECOND_SECRET, createdAt: ROTATED_AT },
      { secret: FIRST_SECRET, createdAt: CREATED_AT, expiresAt: new Date(ROTATED_AT.getTime() + OVERLAP_HOURS * 3600_000) },
    ],
    updatedAt: ROTATED_AT,
    ...(delivered.deliveredAt ? { lastSuccessAt: delivered.deliveredAt } : {}),
  };
  const { deliveredAt: _deliveredAt, ...resent } = { ...retried, status: 'pending' as const, nextAttemptAt: RESENT_AT, firstAttemptAt: RESENT_AT };
  return { created, updated, rotated, deliveries: [delivered, retried], retried, resent };
}

/** The `sequence` of the examples' paths: the delivery that needed a retry. */
export function exampleDeliverySequence(s: ExampleScenario): number {
  return webhookStory(s).retried.sequence;
}

/** Examples of the webhook endpoint operations, by operation id. */
export const webhookExamples: ExamplesOf<keyof typeof WEBHOOK_PROBLEM_CODES> = (s) => {
  const { created, updated, rotated, deliveries, retried, resent } = webhookStory(s);
  return {
    createWebhookEndpoint: {
      request: REGISTRATION,
      response: toEndpointWithSecretResponse(created, CREATED_AT),
      problems: [{ path: 'url', code: 'webhook_endpoint.private_address' }, { path: 'eventTypes.2', code: 'webhook_endpoint.unknown_event_type' }, 'webhook_endpoint.too_many'],
    },
    listWebhookEndpoints: { response: { items: [toEndpointResponse(rotated, ROTATED_AT)], nextCursor: null } },
    getWebhookEndpoint: { response: toEndpointResponse(rotated, ROTATED_AT), problems: ['webhook_endpoint.not_found'] },
    updateWebhookEndpoint: {
      request: CHANGE,
      response: toEndpointResponse(updated, UPDATED_AT),
      problems: [{ path: 'url', code: 'webhook_endpoint.insecure_url' }, 'webhook_endpoint.not_found', 'concurrency.conflict'],
    },
    // 204: no body.
    deleteWebhookEndpoint: { response: undefined, problems: ['webhook_endpoint.not_found'] },
    rotateWebhookSecret: {
      request: { overlapHours: OVERLAP_HOURS },
      response: toEndpointWithSecretResponse(rotated, ROTATED_AT),
      problems: [{ path: 'overlapHours', code: 'request.invalid', issue: 'request.max' }, 'webhook_endpoint.not_found'],
    },
    listWebhookDeliveries: {
      // Newest first; `nextCursor` asks for those before the last one shown.
      response: { items: deliveries.map(toDeliveryResponse), nextCursor: String(retried.sequence) },
      problems: [{ path: 'cursor', code: 'pagination.invalid_cursor' }, 'webhook_endpoint.not_found'],
    },
    getWebhookDelivery: { response: toDeliveryDetailResponse(retried), problems: ['webhook_delivery.not_found'] },
    resendWebhookDelivery: { response: toDeliveryDetailResponse(resent), problems: ['webhook_delivery.not_found', 'webhook_endpoint.not_found'] },
  };
};
