import type { Socket } from 'node:net';
import { NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemOf } from './problem';
import type { RouteTable } from './route-table';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request carried `If-Match`: entity tags (`true`) or `*`. Set by the `@IfMatch()` decorator. */
    conditional?: boolean | '*';
  }
}

/** A stored answer to send as it is: an idempotent replay. */
export class StoredAnswer extends Error {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: unknown,
  ) {
    super('replay of a stored response');
  }
}

/** Sends any error as an RFC 9457 problem document; logs what is not the caller's fault. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, typeBase: string, routes?: RouteTable): void {
  if (error instanceof StoredAnswer) {
    void reply.status(error.status).headers({ ...error.headers, 'idempotent-replayed': 'true' }).send(error.body);
    return;
  }
  const answer = problemOf(routeError(error, request, routes), {
    typeBase,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    conditional: request.conditional,
  });
  if (answer.unexpected) request.log.error({ err: error }, answer.problem.detail);
  else request.log.info({ code: answer.problem.code, status: answer.problem.status }, 'request refused');
  void reply.status(answer.problem.status).headers(answer.headers).type(PROBLEM_CONTENT_TYPE).send(answer.problem);
}

/** Node's HTTP parser refusals, by its error code; anything else it refuses is malformed HTTP. */
const PARSER_REFUSALS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request.headers_too_large', 'The request line and headers are larger than this API accepts (16 KiB).'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request.timeout', 'The request was not received completely in time.'],
};

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request (headers too large, malformed HTTP, sent too
 * slowly) before Fastify made a request of it, so the problem is written to the socket, which is then closed.
 */
export function clientErrorHandler(typeBase: string): (this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket) => void {
  return function answer(error, socket) {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, detail] = PARSER_REFUSALS[error.code ?? ''] ?? [400, 'request.malformed', 'The request is not valid HTTP/1.1.'];
    const { problem } = problemOf(new HttpProblem(status, code, detail), { typeBase });
    this.log.info({ code, status, reason: error.code }, 'request refused by the HTTP parser');
    const body = JSON.stringify(problem);
    if (!socket.writable) return void socket.destroy();
    socket.end(
      `HTTP/1.1 ${status} ${problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}

/**
 * Nest answers an unknown route with NotFoundException; tell 404 from 405 with the route table. A request no route
 * matched (`is404`) can fail earlier, e.g. Fastify refuses a QUERY without Content-Type: its route still decides.
 */
function routeError(error: unknown, request: FastifyRequest, routes?: RouteTable): unknown {
  if (!(error instanceof NotFoundException || request.is404) || !routes) return error;
  const path = request.url.split('?')[0] ?? '/';
  const allowed = routes.methodsOf(path);
  if (allowed.length > 0 && !allowed.includes(request.method)) {
    return new HttpProblem(405, 'request.method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`, { allowed }, { allow: allowed.join(', ') });
  }
  return new HttpProblem(404, 'route.not_found', `There is no ${request.method} ${path} in this API; see /docs.`);
}

export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly typeBase: string,
    private readonly routes: RouteTable,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.typeBase, this.routes);
  }
}
