import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HttpProblem } from '../http/problem';

/**
 * A signal aborted once the answer is sent or the connection is gone: a file request still waiting its turn then is
 * dropped (`FileWork.forTenant`). The response's `close`, not the request's: Node emits that one as soon as a body has
 * been read.
 */
export const ResponseClosed = createParamDecorator((_data: unknown, context: ExecutionContext): AbortSignal => {
  const reply = context.switchToHttp().getResponse<FastifyReply>();
  const closed = new AbortController();
  // Never answered (the response is gone): only logged, as a refusal rather than a failure of ours.
  reply.raw.once('close', () => closed.abort(new HttpProblem(503, 'request.deadline_exceeded', 'The request was answered, or its client went away, before its turn came.')));
  return closed.signal;
});
