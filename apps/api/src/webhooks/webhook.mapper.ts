import type { WebhookDelivery, WebhookEndpoint } from '@invoicing/integration';
import type { WebhookDeliveryDetailDto, WebhookDeliveryDto, WebhookEndpointDto, WebhookEndpointWithSecretDto } from './webhook.response.dto';

/** The endpoint as answered at `now` (a rotated-out secret that expired by then is not mentioned). */
export function toEndpointResponse(endpoint: WebhookEndpoint, now: Date): WebhookEndpointDto {
  const [current, previous] = endpoint.secrets;
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description ?? null,
    eventTypes: [...endpoint.eventTypes],
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason ?? null,
    secretCreatedAt: current?.createdAt ?? endpoint.createdAt,
    previousSecretExpiresAt: previous?.expiresAt && previous.expiresAt > now ? previous.expiresAt : null,
    lastSuccessAt: endpoint.lastSuccessAt ?? null,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
    version: endpoint.version,
  };
}

/** An endpoint just registered, or whose secret was just rotated: the only answers that show its (current) secret. */
export function toEndpointWithSecretResponse(endpoint: WebhookEndpoint, now: Date): WebhookEndpointWithSecretDto {
  return { ...toEndpointResponse(endpoint, now), secret: endpoint.secrets[0]?.secret ?? '' };
}

export function toDeliveryResponse(delivery: WebhookDelivery): WebhookDeliveryDto {
  return {
    sequence: delivery.sequence,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    aggregateId: delivery.aggregateId,
    status: delivery.status,
    attempts: delivery.attempts,
    createdAt: delivery.createdAt,
    nextAttemptAt: delivery.status === 'pending' ? (delivery.nextAttemptAt ?? null) : null,
    deliveredAt: delivery.deliveredAt ?? null,
    history: delivery.history.map((attempt) => ({ at: attempt.at, status: attempt.status ?? null, latencyMs: attempt.latencyMs, error: attempt.error ?? null, response: attempt.response ?? null })),
  };
}

export function toDeliveryDetailResponse(delivery: WebhookDelivery): WebhookDeliveryDetailDto {
  return { ...toDeliveryResponse(delivery), body: delivery.body };
}
