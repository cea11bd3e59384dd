import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { HttpProblem, problemOf, type Problem } from './problem';

/** One wrong field of a request. */
export class FieldIssueDto {
  /** Dotted path of the field. @example "lines.0.quantity" */
  path!: string;
  /** Stable code to branch on. @example "request.is_string" */
  code!: string;
  /** @example "quantity must be a string" */
  message!: string;
}

/** An RFC 9457 problem document (`application/problem+json`). Branch on `code`; show `detail` to people. */
export class ProblemDto {
  /** Where the code is explained, on the docs site. @example "http://localhost:3000/docs/guide/errors#partner.not_found" */
  type!: string;
  /** @example "Not Found" */
  title!: string;
  /** @example 404 */
  status!: number;
  /** Stable, dotted error code. @example "partner.not_found" */
  code!: string;
  /** @example "partner 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b does not exist" */
  detail!: string;
  /** The path of the request. @example "/v1/partners/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  instance?: string;
  /** Also in the `X-Request-Id` header and in the logs. @example "3f1c2b9e-8a47-4a8e-bd6e-0e0c7b7f1f1a" */
  requestId?: string;
  /** For validation problems: every wrong field. */
  errors?: FieldIssueDto[];
}

/** What each status means in this API, for the reference. */
const MEANINGS: Record<number, string> = {
  400: 'The request is invalid: malformed JSON, a field that fails its checks (`errors` lists each), or a domain validation rule.',
  401: 'No bearer token, or one that is expired, tampered, for another issuer or audience, or unsigned.',
  403: 'The token is valid but its roles do not grant this operation.',
  404: 'No such resource in your tenant (another tenant\'s resource looks exactly like a missing one).',
  409: 'The resource is in a state that forbids this (e.g. issuing a void invoice), a concurrent change won, or a request with the same Idempotency-Key is still running.',
  412: 'If-Match named a version that is no longer current: read the resource again and retry.',
  413: 'The request body is larger than the API accepts.',
  422: 'A business rule refused the request, or the Idempotency-Key was used before with another request.',
};

/** A typical problem of each status, shown as the example of that answer (the schema's example would say 404 everywhere). */
const EXAMPLES: Record<number, Pick<ProblemDto, 'code' | 'detail'> & Partial<Pick<ProblemDto, 'errors'>>> = {
  400: {
    code: 'request.invalid',
    detail: 'lines.0.quantity: quantity must be a string',
    errors: [{ path: 'lines.0.quantity', code: 'request.is_string', message: 'quantity must be a string' }],
  },
  401: { code: 'auth.token_expired', detail: 'The access token has expired: get a new one.' },
  403: { code: 'auth.forbidden', detail: 'This needs permission "invoices:write", which roles admin, accountant have; your token has viewer.' },
  404: { code: 'partner.not_found', detail: 'partner 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b was not found' },
  409: { code: 'invoice.not_draft', detail: 'invoice 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b is issued, not a draft' },
  412: { code: 'concurrency.stale_version', detail: 'partner 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b is at version 4, not 3' },
  413: { code: 'request.too_large', detail: 'The request body is larger than this API accepts.' },
  422: { code: 'idempotency.key_reused', detail: 'This Idempotency-Key was used for a different request (method, path or body); use a new key.' },
};

/** The problem the API itself would send, so that the example cannot drift from the real format. */
function exampleOf(status: number): Problem | undefined {
  const example = EXAMPLES[status];
  if (!example) return undefined;
  const { code, detail, ...extensions } = example;
  return problemOf(new HttpProblem(status, code, detail, extensions), {
    typeBase: 'http://localhost:3000/docs/guide/errors',
    instance: '/v1/partners/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b',
    requestId: '3f1c2b9e-8a47-4a8e-bd6e-0e0c7b7f1f1a',
  }).problem;
}

/** Documents the problem answers of an operation; 400, 401 and 403 come with every authenticated one. */
export function ApiProblems(...statuses: number[]) {
  const all = [...new Set([400, 401, 403, ...statuses])].sort();
  return applyDecorators(
    ApiBearerAuth('bearer'),
    ApiExtraModels(ProblemDto),
    ...all.map((status) => {
      const example = exampleOf(status);
      return ApiResponse({
        status,
        description: MEANINGS[status] ?? 'See the problem document.',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) }, ...(example ? { example } : {}) } },
      });
    }),
  );
}

/** A creating POST: documents `Idempotency-Key` and the answers it can give. */
export function ApiIdempotent() {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Any unique string (a UUID): a retry with the same key and body returns the first answer (with `Idempotent-Replayed: true`) instead of acting twice. Kept at least 24 hours.',
    }),
    ApiProblems(409, 422),
  );
}

/** An update guarded by `If-Match`. */
export function ApiIfMatch() {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag of the version you read, e.g. `"3"`: the change is refused with 412 if someone changed the resource since.' }),
    ApiProblems(404, 409, 412),
  );
}
