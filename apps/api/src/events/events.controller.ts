import { Controller, Get, Inject, Query, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ValidationError, type TenantId } from '@invoicing/core';
import { eventJsonOf, type EventRelay } from '@invoicing/integration';
import type { MongoEventAdapters } from '@invoicing/integration/mongodb';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { Caller, Tenant } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { EVENT_ADAPTERS, EVENT_RELAY } from '../composition/tokens';
import { ApiProblems } from '../http/openapi';
import { AuditQueryDto, EventFeedQueryDto } from './event-query.dto';
import { streamEvents, type StreamSource } from './event-stream';
import { AuditTrailDto, EventMetricsDto, EventPageDto } from './events.response.dto';

export const EVENT_STREAM_TYPE = 'text/event-stream';
/** How often a waiting reader looks for new events. */
const POLL_MS = 250;
/**
 * A stream ends after this long, or when the caller's token expires if sooner (a stream is not a way to read on past
 * it); the client reconnects with `Last-Event-ID` (EventSource does it by itself) and a valid token.
 */
const STREAM_MS = 5 * 60_000;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * The change feed: the tenant's events in one total order, to poll by cursor, long-poll, or follow live as
 * server-sent events; and the audit trail of one aggregate. See Events (/docs/guide/events).
 */
@ApiTags('Events')
@Controller('v1')
export class EventsController implements OnModuleDestroy {
  /** Set when the API stops: streams and long polls end at their next look, so that closing does not wait for them. */
  private closing = false;

  constructor(
    @Inject(EVENT_ADAPTERS) private readonly events: MongoEventAdapters,
    @Inject(EVENT_RELAY) private readonly relay: EventRelay | null,
  ) {}

  /**
   * Follow the change feed
   *
   * The tenant's events after the cursor `after` (a sequence; 0 from the start), in the order they were recorded,
   * each with its type, the aggregate it belongs to, who caused it and its payload. Ask again with `after=next` to go
   * on. With `wait`, an empty answer waits up to that many seconds for the next event (long poll). With
   * `Accept: text/event-stream` the answer is a stream of server-sent events (`id` the sequence, `event` the type,
   * `data` the event), live, for five minutes; reconnect with `Last-Event-ID` (EventSource does) to go on. Events are
   * kept: a reader can start from 0 at any time.
   */
  @Get('events')
  // "Follow" rather than the default getFollowEvents (operation-ids.ts): a feed read on and on, or followed live.
  @ApiOperation({ operationId: 'followEvents' })
  @ApiProduces('application/json', EVENT_STREAM_TYPE)
  @ApiExtraModels(EventPageDto)
  @ApiOkResponse({
    description: 'A page of events (JSON), or with `Accept: text/event-stream` a live stream of them (server-sent events: `id` the sequence, `event` the type, `data` the event as JSON).',
    content: { 'application/json': { schema: { $ref: getSchemaPath(EventPageDto) } }, [EVENT_STREAM_TYPE]: { schema: { type: 'string' } } },
  })
  @ApiProblems()
  async followEvents(@Caller() caller: Principal, @Query() query: EventFeedQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<EventPageDto | undefined> {
    const tenantId = caller.tenantId;
    const types = query.types?.split(',');
    if ((request.headers.accept ?? '').includes(EVENT_STREAM_TYPE)) {
      const lastEventId = Number(request.headers['last-event-id']);
      const resumed = Number.isSafeInteger(lastEventId) && lastEventId >= 0;
      const from = resumed ? lastEventId : (query.after ?? 0);
      await this.assertCursor(tenantId, from, resumed ? 'Last-Event-ID' : 'after');
      await this.stream(tenantId, from, types, Math.min(Date.now() + STREAM_MS, caller.expiresAt), request, reply);
      return undefined;
    }
    await this.assertCursor(tenantId, query.after ?? 0, 'after');
    const read = () => this.events.log.read(tenantId, { after: query.after ?? 0, limit: query.limit ?? 100, ...(types ? { types } : {}) });
    let page = await read();
    const deadline = Math.min(Date.now() + (query.wait ?? 0) * 1000, caller.expiresAt);
    while (page.events.length === 0 && Date.now() < deadline && !request.raw.destroyed && !this.closing) {
      await sleep(POLL_MS);
      if ((await this.events.log.head(tenantId)) > page.next) page = await read();
    }
    return { items: page.events.map(eventJsonOf), next: page.next, head: page.head };
  }

  /** @throws ValidationError `pagination.invalid_cursor` for a cursor past the tenant's newest event */
  private async assertCursor(tenantId: TenantId, after: number, field: string): Promise<void> {
    if (!(await this.events.log.isCursor(tenantId, after))) {
      throw ValidationError.of(field, 'pagination.invalid_cursor', `the cursor ${after} is past this tenant's newest event: it is not one this feed gave (another tenant's, or from a log restored since)`);
    }
  }

  private async stream(tenantId: TenantId, from: number, types: readonly string[] | undefined, ends: number, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const out = reply.raw;
    // The connection ends with the stream: a stopping API does not wait for the client to let go of an idle socket.
    out.writeHead(200, { 'content-type': `${EVENT_STREAM_TYPE}; charset=utf-8`, 'cache-control': 'no-store', connection: 'close', 'x-request-id': String(request.id) });
    const source: StreamSource = {
      head: () => this.events.log.head(tenantId),
      read: (after) => this.events.log.read(tenantId, { after, limit: 200, ...(types ? { types } : {}) }),
    };
    try {
      await streamEvents(out, source, from, { ends, pollMs: POLL_MS, keepAliveMs: KEEP_ALIVE_MS, closing: () => this.closing }, (event) => JSON.stringify(eventJsonOf(event)));
    } catch (error) {
      // The answer has begun: no problem document can follow. The stream ends, and the client resumes from its last id.
      request.log.warn({ err: error }, 'event stream ended by an error');
      out.end();
    }
  }

  onModuleDestroy(): void {
    this.closing = true;
  }

  /**
   * Read an aggregate's audit trail
   *
   * Every recorded change of one partner, marketable, partnership, invoice, credit note, payment, billing plan or
   * webhook endpoint of the tenant, oldest first: what happened (`type`, `payload`), when (`occurredAt`), who did it
   * (`actor`: a user, a client, or the system for billing runs and imports) and in which request (`requestId`, as the
   * API answered it in `X-Request-Id`). Events appear once relayed, normally within a second of the change.
   */
  @Get('audit')
  @Requires('audit:read')
  @ApiProblems()
  async getAuditTrail(@Tenant() tenantId: TenantId, @Query() query: AuditQueryDto): Promise<AuditTrailDto> {
    const limit = query.limit ?? 100;
    const events = await this.events.log.ofAggregate(tenantId, query.aggregate, { after: query.after ?? 0, limit: limit + 1 });
    const page = events.slice(0, limit);
    return { items: page.map(eventJsonOf), next: events.length > limit ? (page.at(-1)?.sequence ?? null) : null };
  }

  /**
   * Get the event relay's metrics
   *
   * The lag of the tenant's events going out: how many of its records have events waiting in the outbox and how long
   * the oldest has waited, its webhook deliveries waiting or being retried; and what the relay of the process that
   * answers did since it started, for all tenants (whether it holds the relay's lease, events relayed, per second over
   * the last minute, failures and when the last one was; what failed is in the API's log, not here, since it may
   * concern another tenant).
   */
  @Get('admin/events')
  @Requires('audit:read')
  @ApiProblems()
  async getEventMetrics(@Tenant() tenantId: TenantId): Promise<EventMetricsDto> {
    const now = Date.now();
    const [outbox, deliveries] = await Promise.all([this.events.outbox.backlog(tenantId), this.events.deliveries.backlog(new Date(now), tenantId)]);
    const relay = this.relay?.metrics();
    return {
      outbox: { waiting: outbox.documents, oldestAgeMs: outbox.oldestSince ? Math.max(0, now - outbox.oldestSince.getTime()) : 0 },
      deliveries: { waiting: deliveries.waiting, oldestAgeMs: deliveries.oldestAgeMs },
      relay: relay
        ? {
            holdsLease: relay.holdsLease,
            relayed: relay.relayed,
            relayedPerSecond: relay.relayedPerSecond,
            relayFailures: relay.relayFailures,
            deliveriesSent: relay.deliveriesSent,
            deliveriesFailedAttempts: relay.deliveriesFailedAttempts,
            deliveriesGivenUp: relay.deliveriesGivenUp,
            endpointsDisabled: relay.endpointsDisabled,
            // Not the message: the relay works for every tenant, and its errors may name another one's records.
            ...(relay.lastFailureAt === undefined ? {} : { lastFailureAt: relay.lastFailureAt.toISOString() }),
          }
        : null,
    };
  }
}
