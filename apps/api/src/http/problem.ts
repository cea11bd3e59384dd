import { ConflictError, DomainError, InvalidStateError, NotFoundError, ValidationError } from '@invoicing/core';
import { isDatabaseUnavailable } from '@invoicing/integration/mongodb';
import { HttpException } from '@nestjs/common';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One wrong field of a request: where (`path`, dotted), what (`code`) and a sentence for people. */
export interface FieldIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** An RFC 9457 problem document, with the stable `code` clients branch on. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldIssue[];
  readonly [extension: string]: unknown;
}

/** An error the HTTP layer raises itself (auth, preconditions, idempotency, routing), already an HTTP answer. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extensions: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export class UnauthorizedProblem extends HttpProblem {
  constructor(code: string, detail: string) {
    super(401, code, detail, {}, { 'www-authenticate': `Bearer error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` });
  }
}

export class ForbiddenProblem extends HttpProblem {
  constructor(code: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(403, code, detail, extensions);
  }
}

/** The request body or query failed its DTO's checks: nothing was executed. */
export class RequestValidationError extends HttpProblem {
  constructor(readonly errors: readonly FieldIssue[]) {
    super(400, 'request.invalid', errors.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; '), { errors });
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Seconds a client should wait before retrying an answer that says "not now" (503). */
export const RETRY_AFTER_SECONDS = '5';

/** Fastify's own errors (before any route runs), by code. */
const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'request.malformed_json', 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'request.malformed_json', 'The request says it is JSON but its body is empty.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'request.too_large', 'The request body is larger than this API accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'request.unsupported_media_type', 'Send the request body as application/json (an e-invoice file, to the routes that take one: as application/xml or text/xml).'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'request.invalid_content_length', 'The Content-Length header does not match the body.'],
  FST_ERR_BAD_URL: [400, 'request.malformed_url', 'The URL is not valid: a percent-encoded sequence does not decode.'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'request.url_too_long', 'A path segment of the URL is longer than this API accepts.'],
};

export interface ProblemContext {
  /** Where each problem `type` points: the errors page of the docs site. */
  readonly typeBase: string;
  readonly instance?: string;
  readonly requestId?: string;
  /**
   * The request carried `If-Match` (`true`: entity tags; `'*'`): a stale version is then a failed precondition (412),
   * not a conflict (409).
   */
  readonly conditional?: boolean | '*';
}

export interface ProblemAnswer {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  /** Not the caller's fault: log it with its stack. */
  readonly unexpected: boolean;
}

/** What any error becomes over HTTP. Unknown errors become a 500 that says nothing of their internals. */
export function problemOf(error: unknown, context: ProblemContext): ProblemAnswer {
  const [status, code, detail, extensions, headers, unexpected] = classify(error, context);
  const problem: Problem = {
    type: `${context.typeBase}#${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(context.instance ? { instance: context.instance } : {}),
    ...(context.requestId ? { requestId: context.requestId } : {}),
    ...extensions,
  };
  return { problem, headers, unexpected };
}

type Classified = [status: number, code: string, detail: string, extensions: Record<string, unknown>, headers: Record<string, string>, unexpected: boolean];

function classify(error: unknown, context: ProblemContext): Classified {
  if (error instanceof HttpProblem) return [error.status, error.code, error.detail, { ...error.extensions }, { ...error.headers }, false];
  if (error instanceof ValidationError) {
    return [400, error.code, error.message, { errors: error.issues.map(({ path, code, message }) => ({ path, code, message })) }, {}, false];
  }
  if (error instanceof NotFoundError) return [404, error.code, error.message, detailsOf(error), {}, false];
  if (error instanceof ConflictError) {
    if (context.conditional && error.code === 'concurrency.stale_version') return [412, error.code, error.message, detailsOf(error), {}, false];
    // A write under If-Match that lost a race named a version that is no longer current: the same answer as when
    // the version was already old on arrival. (`*` still holds after such a race: the target exists.)
    if (context.conditional === true && error.code === 'concurrency.conflict' && error.details['lock'] === undefined) {
      return [412, 'concurrency.stale_version', `${error.message} since the version If-Match named; read it again, then retry`, { id: error.details['id'] }, {}, false];
    }
    return [409, error.code, error.message, detailsOf(error), {}, false];
  }
  if (error instanceof InvalidStateError) return [409, error.code, error.message, detailsOf(error), {}, false];
  // A file that is not a safe, well-formed e-invoice is a bad request; only its size has a status of its own.
  if (error instanceof DomainError && error.code.startsWith('format.')) return [error.code === 'format.too_large' ? 413 : 400, error.code, error.message, detailsOf(error), {}, false];
  if (error instanceof DomainError) return [422, error.code, error.message, detailsOf(error), {}, false];
  if (isDatabaseUnavailable(error)) {
    return [503, 'database.unavailable', 'The database cannot be reached right now; retry shortly.', {}, { 'retry-after': RETRY_AFTER_SECONDS }, true];
  }
  const fastify = fastifyError(error);
  if (fastify) return [...fastify, {}, {}, false];
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return [status, `http.${status}`, error.message, {}, {}, status >= 500];
  }
  return [500, 'internal.error', 'Something went wrong on our side; the request id helps us find out what.', {}, {}, true];
}

/** The members a problem document defines itself; a domain error's details never replace them. */
const RESERVED = new Set(['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId', 'errors']);

/** A domain error's details (the ids and amounts involved) are for the caller: extension members of the problem. */
function detailsOf(error: DomainError): Record<string, unknown> {
  return Object.fromEntries(Object.entries(error.details).filter(([key]) => !RESERVED.has(key)));
}

function fastifyError(error: unknown): [number, string, string] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message } = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof code === 'string' && code in FASTIFY_CODES) return FASTIFY_CODES[code];
  if (typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return [statusCode, 'request.invalid', typeof message === 'string' ? message : 'The request is not valid.'];
  }
  // @fastify/static refuses a path that climbs out of its folder (`/docs/%2e%2e/…`) with a bare 403 or 404 error:
  // such a path names nothing the site serves. (Our own 403s are HttpProblems, answered above.)
  if (!(error instanceof HttpException) && (statusCode === 403 || statusCode === 404)) {
    return [404, 'route.not_found', 'There is no such path in this API; see /docs.'];
  }
  // JSON.parse failures raised by the body parser carry no Fastify code.
  if (error instanceof SyntaxError && statusCode === 400) return FASTIFY_CODES['FST_ERR_CTP_INVALID_JSON_BODY'];
  return undefined;
}
