import { Controller, Get, Inject, Query, Req, Res, type OnModuleDestroy } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ValidationError, type TenantId } from '@invoicing/core';
import { eventJsonOf, type EventRelay, type LoggedEvent } from '@invoicing/integration';
import type { MongoEventAdapters } from '@invoicing/integration/mongodb';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Caller, Tenant } from '../auth/auth.guard';
import { Requires } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { API_CONFIG, EVENT_ADAPTERS, EVENT_RELAY } from '../composition/tokens';
import type { ApiConfig } from '../config';
import { ApiProblems } from '../http/openapi';
import { AuditQueryDto, EventFeedQueryDto } from './event-query.dto';
import { streamEvents, type StreamSource } from './event-stream';
import { AuditTrailDto, EventMetricsDto, EventPageDto } from './events.response.dto';
import { LiveFeeds, eventsAfter, type Follower } from './live-feed';

export const EVENT_STREAM_TYPE = 'text/event-stream';
/** How often a tenant's log is looked at while its streams and long polls wait (one look for all of them). */
const POLL_MS = 250;
/**
 * A stream ends after this long, or when the caller's token expires if sooner (a stream is not a way to read on past
 * it); the client reconnects with `Last-Event-ID` (EventSource does it by itself) and a valid token.
 */
const STREAM_MS = 5 * 60_000;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

/** An event's `data:` text, made once for all the streams one look of the tenant's poll reaches. */
const eventData = new WeakMap<LoggedEvent, string>();
function dataOf(event: LoggedEvent): string {
  let data = eventData.get(event);
  if (data === undefined) {
    data = JSON.stringify(eventJsonOf(event));
    eventData.set(event, data);
  }
  return data;
}

/**
 * The change feed: the tenant's events in one total order, to poll by cursor, long-poll, or follow live as
 * server-sent events; and the audit trail of one aggregate. See Events (/docs/guide/events).
 */
@ApiTags('Events')
@Controller('v1')
export class EventsController implements OnModuleDestroy {
  /** The tenants' shared polls, and the caps on streams and long polls; closed when the API stops. */
  private readonly feeds: LiveFeeds;

  constructor(
    @Inject(EVENT_ADAPTERS) private readonly events: MongoEventAdapters,
    @Inject(EVENT_RELAY) private readonly relay: EventRelay | null,
    @Inject(API_CONFIG) config: Pick<ApiConfig, 'events'>,
  ) {
    this.feeds = new LiveFeeds(events.log, { pollMs: POLL_MS, perTenant: config.events.streamsPerTenant, perProcess: config.events.streamsPerProcess });
  }

  /**
   * Follow the change feed
   *
   * The tenant's events after the cursor `after` (a sequence; 0 from the start), in the order they were recorded,
   * each with its type, the aggregate it belongs to, who caused it and its payload. Ask again with `after=next` to go
   * on. With `wait`, an empty answer waits up to that many seconds for the next event (long poll). With
   * `Accept: text/event-stream` the answer is a stream of server-sent events (`id` the sequence, `event` the type,
   * `data` the event), live, for five minutes; reconnect with `Last-Event-ID` (EventSource does) to go on. Events are
   * kept: a reader can start from 0 at any time. A tenant may hold 20 streams and long polls at once (unless configured
   * otherwise); one more is refused with 429 `events.too_many_streams` until one ends.
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
    const wanted = types ? new Set(types) : undefined;
    const wants = (event: LoggedEvent) => !wanted || wanted.has(event.type);
    const read = (after: number, limit: number) => this.events.log.read(tenantId, { after, limit, ...(types ? { types } : {}) });
    const streaming = (request.headers.accept ?? '').includes(EVENT_STREAM_TYPE);
    if (!streaming && !query.wait) {
      await this.assertCursor(tenantId, query.after ?? 0, 'after');
      const page = await read(query.after ?? 0, query.limit ?? 100);
      return { items: page.events.map(eventJsonOf), next: page.next, head: page.head };
    }
    // A reader that waits holds a place (429 past the caps) from before its first read to its answer's end.
    const follower = this.feeds.follow(tenantId);
    try {
      if (streaming) {
        const lastEventId = Number(request.headers['last-event-id']);
        const resumed = Number.isSafeInteger(lastEventId) && lastEventId >= 0;
        const from = resumed ? lastEventId : (query.after ?? 0);
        await this.assertCursor(tenantId, from, resumed ? 'Last-Event-ID' : 'after');
        const source: StreamSource = { feed: follower, read: (after) => read(after, 200), wants };
        await this.stream(source, from, Math.min(Date.now() + STREAM_MS, caller.expiresAt), request, reply);
        return undefined;
      }
      await this.assertCursor(tenantId, query.after ?? 0, 'after');
      const deadline = Math.min(Date.now() + (query.wait ?? 0) * 1000, caller.expiresAt);
      return await this.longPoll(follower, query.after ?? 0, query.limit ?? 100, (after) => read(after, query.limit ?? 100), wants, deadline, request);
    } finally {
      follower.leave();
    }
  }

  /** A page after `after`; an empty one waits, until `deadline`, for the tenant's shared poll to find what it wants. */
  private async longPoll(
    follower: Follower,
    after: number,
    limit: number,
    read: (after: number) => Promise<{ readonly events: readonly LoggedEvent[]; readonly next: number; readonly head: number }>,
    wants: (event: LoggedEvent) => boolean,
    deadline: number,
    request: FastifyRequest,
  ): Promise<EventPageDto> {
    let { events, next, head } = await read(after);
    while (events.length === 0 && Date.now() < deadline && !request.raw.destroyed) {
      const tick = await follower.next();
      if (!tick) break;
      if (next < tick.from) {
        // Behind the poll (it began after this reader's cursor): the log itself, once.
        ({ events, next, head } = await read(next));
        continue;
      }
      const found = eventsAfter(tick, next, wants);
      events = found.slice(0, limit);
      // Past the events filtered out too, unless the page is full: then from its last event.
      next = events.length < found.length ? (events.at(-1) as LoggedEvent).sequence : Math.max(next, tick.to);
      head = Math.max(head, tick.head, next);
    }
    return { items: events.map(eventJsonOf), next, head };
  }

  /** @throws ValidationError `pagination.invalid_cursor` for a cursor past the tenant's newest event */
  private async assertCursor(tenantId: TenantId, after: number, field: string): Promise<void> {
    if (!(await this.events.log.isCursor(tenantId, after))) {
      throw ValidationError.of(field, 'pagination.invalid_cursor', `the cursor ${after} is past this tenant's newest event: it is not one this feed gave (another tenant's, or from a log restored since)`);
    }
  }

  private async stream(source: StreamSource, from: number, ends: number, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const out = reply.raw;
    // The connection ends with the stream: a stopping API does not wait for the client to let go of an idle socket.
    out.writeHead(200, { 'content-type': `${EVENT_STREAM_TYPE}; charset=utf-8`, 'cache-control': 'no-store', connection: 'close', 'x-request-id': String(request.id) });
    try {
      await streamEvents(out, source, from, { ends, keepAliveMs: KEEP_ALIVE_MS }, dataOf);
    } catch (error) {
      // The answer has begun: no problem document can follow. The stream ends, and the client resumes from its last id.
      request.log.warn({ err: error }, 'event stream ended by an error');
      out.end();
    }
  }

  onModuleDestroy(): void {
    this.feeds.close();
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
