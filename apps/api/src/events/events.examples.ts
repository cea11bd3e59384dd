import { createHash } from 'node:crypto';
import type { DomainEvent, EventActor } from '@invoicing/core';
import { eventJsonOf, type LoggedEvent } from '@invoicing/integration';
import type { ExampleScenario } from '../docs/example-scenario';
import { SIGNED_IN, VALIDATED, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';
import { EVENT_STREAM_TYPE } from './events.controller';
import type { EventMetricsDto } from './events.response.dto';

/**
 * What each events operation may answer, by status: a query checked against its DTO, the guard (`audit:read` for the
 * audit trail and the metrics), the event log behind them. An unknown aggregate has an empty trail, not a 404. A
 * stream or long poll past the caps is 429 (LiveFeeds).
 */
export const EVENT_PROBLEM_CODES = {
  followEvents: answers(SIGNED_IN, VALIDATED, { 400: ['pagination.invalid_cursor'], '4XX': ['events.too_many_streams'] }),
  getAuditTrail: answers(SIGNED_IN, VALIDATED),
  getEventMetrics: answers(SIGNED_IN),
} satisfies Record<string, ProblemCodes>;

/** Nordlicht's accountant, who makes most of the story's changes through the API (the token's subject and user name). */
const ACCOUNTANT: EventActor = { type: 'user', id: '4c1d8e2a-7b3f-4e9a-a5d6-0f2b8c9e1a37', name: 'acme-accountant' };
/** Nordlicht's admin, who approves invoices (`approvedBy` in the story). */
const ADMIN: EventActor = { type: 'user', id: '9e7a3b51-2c4d-4f80-b6e1-5d3a9c0f7b24', name: 'acme-admin' };

/** Milliseconds between a change and the relay logging its events, in the examples (normally well within a second). */
const RELAY_LAG_MS = 184;

/** Events of a change made while a job ran were the platform's own (`system`), named after the job. */
function actorOf(event: DomainEvent, s: ExampleScenario): EventActor {
  const during = (from: Date, to: Date | undefined) => event.occurredAt >= from && event.occurredAt <= (to ?? from);
  if (during(s.billing.run.startedAt, s.billing.run.finishedAt)) return { type: 'system', id: 'billing-run' };
  if (during(s.imports.job.startedAt, s.imports.job.finishedAt)) return { type: 'system', id: 'import' };
  return event.type === 'invoice.approved' ? ADMIN : ACCOUNTANT;
}

/**
 * The request that made a change, as its `X-Request-Id`: a UUIDv7 of the instant it ran (each step of the story runs
 * at its own instant), so the events of one request share it, whichever records it changed.
 */
function requestIdOf(event: DomainEvent): string {
  const time = event.occurredAt.getTime().toString(16).padStart(12, '0');
  const bits = createHash('sha256').update(event.occurredAt.toISOString()).digest('hex');
  const variant = ((parseInt(bits.charAt(3), 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${bits.slice(0, 3)}-${variant}${bits.slice(4, 7)}-${bits.slice(7, 19)}`;
}

/**
 * The story's events as the tenant's event log holds them: each with its sequence (the order the saves stored them),
 * who acted, and the request that made the change (none for a job's).
 */
export function loggedEventsOf(s: ExampleScenario): LoggedEvent[] {
  return s.events.map((event, index) => {
    const actor = actorOf(event, s);
    return {
      ...event,
      actor,
      ...(actor.type === 'system' ? {} : { requestId: requestIdOf(event) }),
      sequence: index + 1,
      loggedAt: new Date(event.occurredAt.getTime() + RELAY_LAG_MS),
    };
  });
}

/** The server-sent events of a stream, as the API writes them: `id` the sequence, `event` the type, `data` the event. */
function eventStreamOf(events: readonly LoggedEvent[]): string {
  const messages = events.map((event) => `id: ${event.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(eventJsonOf(event))}\n\n`);
  return ['retry: 1000\n\n', ...messages, ': keep-alive\n\n'].join('');
}

/**
 * Examples of the events operations, by operation id. The feed is read after the first payment of invoice RE-000004
 * (`after=43&limit=4`): Brandt's second transfer, received, applied, and the invoice paid; the stream follows on from
 * `Last-Event-ID: 45`. The audit trail is the invoice's, from its draft to its payment.
 */
export const eventExamples: ExamplesOf<keyof typeof EVENT_PROBLEM_CODES> = (s) => {
  const log = loggedEventsOf(s);
  const after = 43;
  const page = log.filter((event) => event.sequence > after).slice(0, 4);
  const trail = log.filter((event) => event.aggregateId === s.invoices.issued.id);
  const metrics: EventMetricsDto = {
    outbox: { waiting: 0, oldestAgeMs: 0 },
    deliveries: { waiting: 3, oldestAgeMs: 41_250 },
    relay: {
      holdsLease: true,
      relayed: 1520,
      relayedPerSecond: 3.2,
      relayFailures: 0,
      deliveriesSent: 1498,
      deliveriesFailedAttempts: 12,
      deliveriesGivenUp: 0,
      endpointsDisabled: 0,
    },
  };
  return {
    followEvents: {
      response: { items: page.map(eventJsonOf), next: page.at(-1)?.sequence ?? after, head: log.length },
      responseAs: { [EVENT_STREAM_TYPE]: eventStreamOf(page.filter((event) => event.sequence > 45)) },
      problems: [{ path: 'types', code: 'request.invalid', issue: 'request.matches' }, { path: 'after', code: 'pagination.invalid_cursor' }],
    },
    getAuditTrail: {
      response: { items: trail.map(eventJsonOf), next: null },
      problems: [{ path: 'aggregate', code: 'request.invalid', issue: 'request.is_string' }, 'auth.forbidden'],
    },
    getEventMetrics: { response: metrics, problems: ['auth.forbidden'] },
  };
};
