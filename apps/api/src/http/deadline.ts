import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, RETRY_AFTER_SECONDS } from './problem';

/**
 * An `onRequest` hook that answers 503 `request.deadline_exceeded` (with `Retry-After`) to a request still unanswered
 * `ms` after it arrived, whatever it waits for. The work itself runs on, and its late answer is dropped; a creation
 * retried with its `Idempotency-Key` finds what it stored.
 *
 * Fastify's own `handlerTimeout` is not used: it stops its timer on the request's `close` event, which Node emits as
 * soon as a body has been read, so a POST would never time out.
 */
export function requestDeadline(
  ms: number,
  send: (error: HttpProblem, request: FastifyRequest, reply: FastifyReply) => void,
  applies: (request: FastifyRequest) => boolean = () => true,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    if (!applies(request)) return;
    const timer = setTimeout(() => {
      if (reply.sent) return;
      send(new HttpProblem(503, 'request.deadline_exceeded', `The request was not done within ${ms} ms; retry shortly.`, {}, { 'retry-after': RETRY_AFTER_SECONDS }), request, reply);
    }, ms);
    // The response is finished, or the connection is gone: no deadline left to keep.
    reply.raw.once('close', () => clearTimeout(timer));
  };
}
