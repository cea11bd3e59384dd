/**
 * What the examples modules of the resources (`src/<resource>/<resource>.examples.ts`) are made of: the table of
 * problem codes each operation may answer, built from the sets below, and its examples, built from the example
 * scenario. The document builder attaches them by operation id (operation-examples.ts).
 */
import type { ExampleScenario } from './example-scenario';

/** A problem status of an operation: a number, or a range for answers any route can give. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | '4XX' | '5XX';

/** The problem codes an operation may answer with, by status: what its use case, the guard and the HTTP layer raise. */
export type ProblemCodes = Readonly<Partial<Record<ProblemStatus, readonly string[]>>>;

/**
 * A problem an example shows, by its code; or a wrong field (`path`, empty for a problem of no one field) with the
 * problem's code and, for a problem that collects issues (`request.invalid`, `invoice.not_issuable`), the code of the
 * field's issue. The rest is filled in as the API does, the sentence from the errors page.
 */
export type ShownProblem = string | { readonly path: string; readonly code: string; readonly issue?: string };

/** The examples of one operation. */
export interface OperationExamples {
  /** The JSON body of the request, for an operation that takes one; for one that takes a file, the file as text. */
  readonly request?: unknown;
  /**
   * The JSON body of the success answer: what the resource's mapper makes of a state of the example scenario; for an
   * operation that answers a file, the file as text.
   */
  readonly response: unknown;
  /**
   * The success answer in another media type the operation may answer in instead of JSON, by media type, as the text
   * it is: the change feed followed as `text/event-stream`.
   */
  readonly responseAs?: Readonly<Record<string, string>>;
  /**
   * The problems to show, each under the status its table gives its code; a status of the table none of them has
   * shows a generic problem the operation may answer.
   */
  readonly problems?: readonly ShownProblem[];
}

/** Builds the examples of a resource's operations from the states of the example scenario (example-scenario.ts). */
export type ExamplesOf<Operation extends string> = (scenario: ExampleScenario) => Record<Operation, OperationExamples>;

/** Merges code tables: e.g. what signing in can answer, plus what `If-Match` can, plus the use case's own codes. */
export function answers(...tables: ProblemCodes[]): ProblemCodes {
  const merged: Partial<Record<ProblemStatus, string[]>> = {};
  for (const table of tables) {
    for (const [status, codes] of Object.entries(table) as [ProblemStatus, readonly string[]][]) {
      merged[status] = [...new Set([...(merged[status] ?? []), ...codes])];
    }
  }
  return merged;
}

/**
 * Any route: content negotiation runs before anything else; `If-Match` is refused where the route does not evaluate it
 * (etag.ts, IfMatchGuard).
 */
export const ANY_ROUTE: ProblemCodes = { '4XX': ['request.not_acceptable', 'precondition.not_supported'] };

/** Every operation behind a token (the guard, token verification, the database behind every use case). */
export const SIGNED_IN: ProblemCodes = answers(ANY_ROUTE, {
  401: [
    'auth.token_missing',
    'auth.token_malformed',
    'auth.token_expired',
    'auth.token_invalid_signature',
    'auth.token_wrong_issuer',
    'auth.token_wrong_audience',
    'auth.token_wrong_type',
    'auth.token_revoked',
    'auth.token_invalid',
  ],
  403: ['auth.forbidden', 'auth.no_tenant'],
  '5XX': ['database.unavailable', 'auth.keys_unavailable', 'internal.error'],
});

/** A POST, PUT, PATCH or DELETE, with a body of its own or not: Fastify parses whatever body comes before the route runs. */
export const WITH_BODY: ProblemCodes = {
  400: ['request.malformed_json', 'request.invalid_content_length'],
  '4XX': ['request.too_large', 'request.unsupported_media_type'],
};

/**
 * A route that takes an e-invoice file (ADR 0016): what Fastify answers before the route runs (a JSON body is still
 * parsed as JSON), then the refusals of the safe XML reader. Too large and not XML have statuses of their own here:
 * they are what a client sending files most needs to tell apart. `format.too_large` needs a `BODY_LIMIT` above the
 * reader's 32 MiB.
 */
export const FILE: ProblemCodes = {
  400: [
    'request.malformed_json',
    'request.invalid_content_length',
    'format.doctype_refused',
    'format.too_deep',
    'format.malformed',
    'format.not_utf8',
    'format.unknown_root',
    'format.wrong_namespace',
    'format.invalid_base64',
  ],
  413: ['request.too_large', 'format.too_large'],
  415: ['request.unsupported_media_type'],
};

/** A body or query checked against its DTO. */
export const VALIDATED: ProblemCodes = { 400: ['request.invalid'] };

/** A list read page by page. */
export const PAGED: ProblemCodes = answers(VALIDATED, { 400: ['pagination.invalid_limit', 'pagination.invalid_cursor'] });

/**
 * A change guarded by `If-Match`: a stale version is a failed precondition (412), and a read-modify-write without
 * `If-Match` can still lose a race with another writer (409).
 */
export const IF_MATCH: ProblemCodes = { 400: ['precondition.malformed'], 409: ['concurrency.conflict'], 412: ['concurrency.stale_version'] };

/** A creating request that takes an `Idempotency-Key`. */
export const IDEMPOTENT: ProblemCodes = { 400: ['idempotency.key_invalid'], 409: ['idempotency.in_progress'], 422: ['idempotency.key_reused'] };

/** Values every text field is checked for (names, references, notes, reasons). */
export const TEXT: ProblemCodes = { 400: ['text.required', 'text.too_long', 'text.control_character'] };

/**
 * Values every partner's details are checked for (partner.ts, postal-address.ts, payment terms, currency). A `kind`
 * (of the partner, of its payment terms) not listed is refused by the request's checks first: `request.is_in`.
 */
export const PARTNER_DETAILS: ProblemCodes = answers(TEXT, {
  400: [
    'validation.failed',
    'partner.invalid_vat_id',
    'partner.invalid_eas_scheme',
    'address.too_many_lines',
    'address.invalid_country',
    'money.unknown_currency',
    'payment_terms.invalid_days',
    'payment_terms.no_instalments',
    'payment_terms.invalid_percent',
    'payment_terms.instalments_must_total_100',
  ],
});

/** Values every contact is checked for. */
export const CONTACT_DETAILS: ProblemCodes = answers(TEXT, {
  400: ['validation.failed', 'contact.invalid_email', 'contact.invalid_phone', 'contact.duplicate_email'],
});

/**
 * Values a VAT category (of a marketable, a line, an allowance or charge) is checked for (vat.ts). Its `code` is one
 * the request's checks allow (`request.is_in`); `vat.unknown_category` only where `vat` may be left out (DRAFT_VALUES).
 */
export const VAT_CATEGORY: ProblemCodes = {
  400: [
    'vat.rate_required',
    'vat.rate_not_allowed',
    'vat.rate_out_of_range',
    'vat.rate_must_be_zero',
    'vat.rate_must_be_positive',
    'vat.exemption_reason_required',
    'vat.exemption_reason_not_allowed',
    'decimal.malformed',
  ],
};
