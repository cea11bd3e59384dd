import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';

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
  412: 'If-Match named a version that is no longer current (or `*`, a resource that does not exist yet): read the resource again and retry.',
  413: 'The request body is larger than the API accepts.',
  415: 'The body is not of a media type this operation reads (`Content-Type`).',
  422: 'A business rule refused the request, or the Idempotency-Key was used before with another request.',
};

/** Documents the problem answers of an operation; 400, 401 and 403 come with every authenticated one. */
export function ApiProblems(...statuses: number[]) {
  const all = [...new Set([400, 401, 403, ...statuses])].sort();
  return applyDecorators(
    ApiBearerAuth('bearer'),
    ApiExtraModels(ProblemDto),
    // Each operation's examples of these come from the examples of its resource (docs/operation-examples.ts).
    ...all.map((status) =>
      ApiResponse({
        status,
        description: MEANINGS[status] ?? 'See the problem document.',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}

/**
 * A creating POST: documents `Idempotency-Key` and the answers it can give. `retryDescription` replaces what a retry
 * gets, for a route whose answer is not stored (`@Idempotent({ storeAnswer: false })`).
 */
export function ApiIdempotent(retryDescription?: string) {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: `Any unique string (a UUID): ${retryDescription ?? 'a retry with the same key and body, by the same caller, returns the first answer (with `Idempotent-Replayed: true`) instead of acting twice'}. Another user or client sending the key gets 422. Kept at least 24 hours.`,
    }),
    ApiProblems(409, 422),
  );
}

/** An update guarded by `If-Match`. */
export function ApiIfMatch() {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'The ETag of the version you read, e.g. `"3"`: the change is refused with 412 if someone changed the resource since. Several tags, comma-separated, match if any does; a weak one (`W/"3"`) never does; `*` matches any version of a resource that exists.',
    }),
    ApiProblems(404, 409, 412),
  );
}
