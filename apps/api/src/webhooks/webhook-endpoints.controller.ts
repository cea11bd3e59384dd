import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { CLOCK, ConflictError, ID_GENERATOR, NotFoundError, ValidationError, type Clock, type IdGenerator, type TenantId } from '@invoicing/core';
import { WebhookUrlError, checkEndpointUrl, generateWebhookSecret, type WebhookEndpoint } from '@invoicing/integration';
import type { MongoEventAdapters } from '@invoicing/integration/mongodb';
import type { FastifyReply } from 'fastify';
import { Tenant } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import { API_CONFIG, EVENT_ADAPTERS } from '../composition/tokens';
import type { ApiConfig } from '../config';
import { eventType } from '../events/event-catalogue';
import { IfMatch, type ExpectedVersion } from '../http/etag';
import { Idempotent } from '../http/idempotency.interceptor';
import { IdempotentRequestId } from '../http/idempotent-id';
import { ApiIdempotent, ApiIfMatch, ApiProblems } from '../http/openapi';
import { webhookUrlPolicy } from './webhook-url-policy';
import { CreateWebhookEndpointDto, ListDeliveriesQueryDto, RotateSecretDto, UpdateWebhookEndpointDto } from './webhook.dto';
import { toDeliveryDetailResponse, toDeliveryResponse, toEndpointResponse, toEndpointWithSecretResponse } from './webhook.mapper';
import { WebhookDeliveryDetailDto, WebhookDeliveryPageDto, WebhookEndpointDto, WebhookEndpointPageDto, WebhookEndpointWithSecretDto } from './webhook.response.dto';

/** A delivery is named by its endpoint and the sequence of its event in the tenant's log. */
const SEQUENCE_PARAM = { name: 'sequence', description: 'The `sequence` of the delivered event in the tenant\'s event log.', schema: { type: 'integer', minimum: 1 } } as const;

/** Endpoints a tenant may register: enough for every system it feeds, few enough that a relay round reads them at once. */
const MAX_ENDPOINTS = 20;

/**
 * Webhook endpoints: where the tenant's events are POSTed as they happen, signed (Standard Webhooks), retried for
 * three days, with a log of every delivery. See Webhooks (/docs/guide/events#webhooks).
 */
@ApiTags('Webhooks')
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(
    @Inject(EVENT_ADAPTERS) private readonly events: MongoEventAdapters,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * Register a webhook endpoint
   *
   * From now on, every event of the listed types (`["*"]`: all) is POSTed to the URL as JSON, signed with the
   * endpoint's secret: the answer is the only one that shows it, keep it (a retry with the same `Idempotency-Key`
   * shows it again within 24 hours, unless it was rotated: 409 `webhook_endpoint.already_exists`). A URL must be `https` on a public address
   * (`webhook_endpoint.insecure_url`, `webhook_endpoint.private_address`); an unknown event type is refused
   * (`webhook_endpoint.unknown_event_type`). At most 20 endpoints per tenant (`webhook_endpoint.too_many`).
   */
  @Post()
  // The answer shows the secret: it is not kept with the key, and a retry is answered by the handler below.
  @Idempotent({ storeAnswer: false })
  @Requires('webhooks:manage')
  @ApiIdempotent('a retry with the same key and body, by the same caller, answers the endpoint the key created, with its secret only while it was never rotated, within 24 hours (otherwise 409 `webhook_endpoint.already_exists`); never a second endpoint')
  @ApiProblems(409)
  async create(
    @Tenant() tenantId: TenantId,
    @Body() body: CreateWebhookEndpointDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @IdempotentRequestId('WebhookEndpoint') idempotentId: string | undefined,
  ): Promise<WebhookEndpointWithSecretDto> {
    const url = this.checkUrl(tenantId, body.url);
    const eventTypes = checkEventTypes(body.eventTypes);
    const existing = idempotentId === undefined ? undefined : await this.events.endpoints.get(tenantId, idempotentId);
    // A retry whose key's record is gone (expired, or never stored) finds the endpoint its key made. Its secret is
    // shown again only as the first answer would have shown it: never rotated since, within the keys' 24 hours.
    if (existing && !secretShownOnRetry(existing, this.clock.now())) {
      throw new ConflictError('webhook_endpoint.already_exists', `this Idempotency-Key created endpoint ${existing.id}; its secret is not shown again: rotate it for a new one`, { id: existing.id });
    }
    const endpoint =
      existing ??
      (await this.events.endpoints.create(
        {
          tenantId,
          id: idempotentId ?? this.ids.next<'WebhookEndpoint'>(),
          url,
          ...(body.description === undefined ? {} : { description: body.description }),
          eventTypes,
          enabled: body.enabled ?? true,
          secret: generateWebhookSecret(),
          at: this.clock.now(),
        },
        MAX_ENDPOINTS,
      ));
    void reply.header('location', `/v1/webhook-endpoints/${endpoint.id}`);
    return toEndpointWithSecretResponse(endpoint, this.clock.now());
  }

  /**
   * List webhook endpoints
   *
   * The tenant's endpoints (at most 20), in id order, without their secrets.
   */
  @Get()
  @ApiProblems()
  async list(@Tenant() tenantId: TenantId): Promise<WebhookEndpointPageDto> {
    const now = this.clock.now();
    return { items: (await this.events.endpoints.list(tenantId)).map((endpoint) => toEndpointResponse(endpoint, now)), nextCursor: null };
  }

  /**
   * Get a webhook endpoint
   *
   * The endpoint, without its secret.
   */
  @Get(':endpointId')
  @ApiProblems(404)
  async get(@Tenant() tenantId: TenantId, @Param('endpointId') endpointId: string): Promise<WebhookEndpointDto> {
    return toEndpointResponse(await this.load(tenantId, endpointId), this.clock.now());
  }

  /**
   * Change a webhook endpoint
   *
   * Changes what is given: URL, description, event types, enabled. Enabling an endpoint the platform disabled
   * (`disabledReason: failing`) resumes deliveries still within their retry window.
   */
  @Patch(':endpointId')
  @Requires('webhooks:manage')
  @ApiIfMatch()
  async update(
    @Tenant() tenantId: TenantId,
    @Param('endpointId') endpointId: string,
    @Body() body: UpdateWebhookEndpointDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<WebhookEndpointDto> {
    const change = {
      ...(body.url === undefined ? {} : { url: this.checkUrl(tenantId, body.url) }),
      ...(body.eventTypes === undefined ? {} : { eventTypes: checkEventTypes(body.eventTypes) }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
    };
    const now = this.clock.now();
    return toEndpointResponse(await this.events.endpoints.update(tenantId, endpointId, change, now, expectedVersion), now);
  }

  /**
   * Delete a webhook endpoint
   *
   * Nothing more is sent to it, and deliveries waiting for it are given up.
   */
  @Delete(':endpointId')
  @HttpCode(204)
  @Requires('webhooks:manage')
  @ApiIfMatch()
  async delete(@Tenant() tenantId: TenantId, @Param('endpointId') endpointId: string, @IfMatch() expectedVersion: ExpectedVersion | undefined): Promise<void> {
    await this.events.endpoints.delete(tenantId, endpointId, this.clock.now(), expectedVersion);
  }

  /**
   * Rotate an endpoint's secret
   *
   * Makes a new signing secret, shown in this answer only. For `overlapHours` (default 24) every delivery carries
   * a signature per secret still signing (two after one rotation; up to four after rotations in a row, each earlier one
   * until its own overlap ends), so the receiver can switch to the new secret at its own pace.
   */
  @Post(':endpointId/secret-rotations')
  @HttpCode(200)
  @Requires('webhooks:manage')
  @ApiIfMatch()
  async rotateWebhookSecret(
    @Tenant() tenantId: TenantId,
    @Param('endpointId') endpointId: string,
    @Body() body: RotateSecretDto,
    @IfMatch() expectedVersion: ExpectedVersion | undefined,
  ): Promise<WebhookEndpointWithSecretDto> {
    const now = this.clock.now();
    const overlapUntil = new Date(now.getTime() + (body.overlapHours ?? 24) * 3600_000);
    return toEndpointWithSecretResponse(await this.events.endpoints.rotateSecret(tenantId, endpointId, generateWebhookSecret(), overlapUntil, now, expectedVersion), now);
  }

  /**
   * List an endpoint's deliveries
   *
   * Newest first: each event sent (or to send) to the endpoint, its state, and its attempts with status and latency.
   */
  @Get(':endpointId/deliveries')
  @ApiProblems(404)
  async listWebhookDeliveries(@Tenant() tenantId: TenantId, @Param('endpointId') endpointId: string, @Query() query: ListDeliveriesQueryDto): Promise<WebhookDeliveryPageDto> {
    await this.load(tenantId, endpointId);
    const before = query.cursor === undefined ? undefined : Number(query.cursor);
    if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) throw ValidationError.of('cursor', 'pagination.invalid_cursor', 'cursor is the nextCursor of a previous page');
    const page = await this.events.deliveries.list(tenantId, endpointId, { limit: query.limit ?? 50, ...(before === undefined ? {} : { before }), ...(query.status ? { status: query.status } : {}) });
    return { items: page.deliveries.map(toDeliveryResponse), nextCursor: page.next === undefined ? null : String(page.next) };
  }

  /**
   * Get a delivery
   *
   * One delivery, with the exact body sent.
   */
  @Get(':endpointId/deliveries/:sequence')
  @ApiParam(SEQUENCE_PARAM)
  @ApiProblems(404)
  async getWebhookDelivery(@Tenant() tenantId: TenantId, @Param('endpointId') endpointId: string, @Param('sequence') sequence: string): Promise<WebhookDeliveryDetailDto> {
    // A deleted endpoint's delivery log went with it, as its list did.
    await this.load(tenantId, endpointId);
    const delivery = await this.events.deliveries.get(tenantId, endpointId, sequenceOf(sequence));
    if (!delivery) throw new NotFoundError('webhook_delivery', `${endpointId}/${sequence}`);
    return toDeliveryDetailResponse(delivery);
  }

  /**
   * Send a delivery again
   *
   * Queues the delivery to be sent again now, whatever became of it (delivered, failed): for a receiver that lost
   * what it got, or that was fixed after the retries ran out. It has a new retry window.
   */
  @Post(':endpointId/deliveries/:sequence/resend')
  @ApiParam(SEQUENCE_PARAM)
  @HttpCode(202)
  @Requires('webhooks:manage')
  @ApiProblems(404)
  async resendWebhookDelivery(@Tenant() tenantId: TenantId, @Param('endpointId') endpointId: string, @Param('sequence') sequence: string): Promise<WebhookDeliveryDetailDto> {
    await this.load(tenantId, endpointId);
    const delivery = await this.events.deliveries.resend(tenantId, endpointId, sequenceOf(sequence), this.clock.now());
    if (!delivery) throw new NotFoundError('webhook_delivery', `${endpointId}/${sequence}`);
    return toDeliveryDetailResponse(delivery);
  }

  private async load(tenantId: TenantId, endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = await this.events.endpoints.get(tenantId, endpointId);
    if (!endpoint) throw new NotFoundError('webhook_endpoint', endpointId);
    return endpoint;
  }

  private checkUrl(tenantId: TenantId, url: string): string {
    try {
      return checkEndpointUrl(url, webhookUrlPolicy(this.config, tenantId)).toString();
    } catch (error) {
      if (error instanceof WebhookUrlError) throw ValidationError.of('url', error.code, error.message);
      throw error;
    }
  }
}

/** `*` alone, or catalogued types, each once. @throws ValidationError */
function checkEventTypes(types: readonly string[]): string[] {
  const unique = [...new Set(types)];
  if (unique.includes('*') && unique.length > 1) throw ValidationError.of('eventTypes', 'webhook_endpoint.unknown_event_type', '"*" takes every type: list it alone');
  unique.forEach((type, index) => {
    if (type !== '*' && !eventType(type)) throw ValidationError.of(`eventTypes.${index}`, 'webhook_endpoint.unknown_event_type', `${type} is not an event type (see Events in the guide)`);
  });
  return unique;
}

function sequenceOf(value: string): number {
  const sequence = /^\d{1,15}$/.test(value) ? Number(value) : 0;
  if (sequence < 1) throw new NotFoundError('webhook_delivery', value);
  return sequence;
}

/** How long after its creation a retry of the creating request may be answered the endpoint's secret: the keys' life. */
const SECRET_RETRY_MS = 24 * 60 * 60 * 1000;

function secretShownOnRetry(endpoint: WebhookEndpoint, now: Date): boolean {
  const [current] = endpoint.secrets;
  return endpoint.secrets.length === 1 && current?.createdAt.getTime() === endpoint.createdAt.getTime() && now.getTime() - endpoint.createdAt.getTime() < SECRET_RETRY_MS;
}
