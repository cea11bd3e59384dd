/**
 * What the examples modules of the resources (`src/<resource>/<resource>.examples.ts`) are made of: the examples of
 * an operation, the table of problem codes it may answer, the ids the examples share and the problems every
 * operation of a kind can answer. The document builder attaches them by operation id (operation-examples.ts).
 */
import type { FieldIssue } from '../http/problem';

/** A problem status of an operation: a number, or a range for answers any route can give. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 412 | 422 | '4XX' | '5XX';

/** The problem codes an operation may answer with, by status: what its use case, the guard and the HTTP layer raise. */
export type ProblemCodes = Readonly<Partial<Record<ProblemStatus, readonly string[]>>>;

/** A problem as an example shows it; `type`, `title`, `status`, `instance` and `requestId` are filled in as the API does. */
export interface ProblemExample {
  readonly code: string;
  readonly detail: string;
  readonly errors?: readonly FieldIssue[];
  /** The status it is answered with, for an example shown under a range (`4XX`, `5XX`). */
  readonly status?: number;
}

/** The examples of one operation. */
export interface OperationExamples {
  /** The JSON body of the request, for an operation that takes one. */
  readonly request?: unknown;
  /** The JSON body of the success answer. */
  readonly response: unknown;
  /** Problems particular to the operation; a status without any gets one of {@link COMMON_PROBLEMS}. */
  readonly problems?: Readonly<Partial<Record<ProblemStatus, readonly ProblemExample[]>>>;
}

/** The ids the examples share, so that an invoice names the partnership, partners and marketables shown elsewhere. */
export const EXAMPLE_IDS = {
  seller: '01a24254-e3dc-7355-ba80-3344433f5ea8',
  sellerContact: '01a24254-e3e9-7355-9c61-52df2883eae2',
  buyer: '01a24254-e429-76d1-b814-aa9620d8972b',
  buyerContact: '01a24254-e429-76d1-b814-ae76153344fe',
  purchasingContact: '01a24254-e505-72ce-bf99-f4cdf3c3721f',
  atelier: '01a24254-e443-712e-ab50-3745ba475e8d',
  atelierContact: '01a24254-e444-71da-bfdc-66df85015cce',
  atelierPurchasingContact: '01a24254-e573-74cb-8fb0-ee5c2b14e364',
  consulting: '01a24254-e5b4-73d3-8370-89e8c2dba7a5',
  licence: '01a24254-e5be-770c-9281-8949df0a51ef',
  partnership: '01a24254-e61f-7493-8b90-dd41b2dc1337',
  chfPartnership: '01a24254-e6cf-7384-999e-5d7914196c98',
  invoice: '01a24254-e6f9-7489-b58a-4f24097bd9ab',
  invoicePayment: '01a24254-e7cd-73ca-935b-8503ea7bc229',
  voidedInvoice: '01a24254-e80a-731c-84cd-c0a26c78e797',
  uncollectibleInvoice: '01a24254-e8f7-731a-bcd1-fcbff47a74ad',
  creditedInvoice: '01a24254-e9a6-75eb-9e02-759a894c3177',
  creditNote: '01a24254-e9fc-75a0-a694-b381013ea7eb',
  payment: '01a24254-eaca-705b-a9a0-3fb063ed68b3',
  refund: '01a24254-eb41-77fc-a87c-f46a23b4a628',
  pastDueInvoice: '01a24254-ebd2-71cb-b835-b06ac67965a6',
} as const;

/** The example id of each path parameter, for the `instance` of problem examples. */
export const PATH_PARAMETER_IDS: Readonly<Record<string, string>> = {
  partnerId: EXAMPLE_IDS.buyer,
  contactId: EXAMPLE_IDS.purchasingContact,
  marketableId: EXAMPLE_IDS.consulting,
  partnershipId: EXAMPLE_IDS.partnership,
  invoiceId: EXAMPLE_IDS.invoice,
  paymentId: EXAMPLE_IDS.payment,
};

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

/** Any route: content negotiation runs before anything else. */
export const ANY_ROUTE: ProblemCodes = { '4XX': ['request.not_acceptable'] };

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

/** Values every partner's details are checked for (partner.ts, postal-address.ts, payment terms, currency). */
export const PARTNER_DETAILS: ProblemCodes = answers(TEXT, {
  400: [
    'validation.failed',
    'partner.invalid_kind',
    'partner.invalid_vat_id',
    'partner.invalid_eas_scheme',
    'address.too_many_lines',
    'address.invalid_country',
    'money.unknown_currency',
    'payment_terms.unknown_kind',
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

/** Values a VAT category (of a marketable, a line, an allowance or charge) is checked for (vat.ts). */
export const VAT_CATEGORY: ProblemCodes = {
  400: [
    'vat.unknown_category',
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

/**
 * The problems an operation of a kind answers alike, in order of preference: a status the operation's own examples
 * leave out shows the first of these that the operation may answer. `{permission}`, `{roles}`, `{lacking}`,
 * `{resource}`, `{id}` and `{path}` stand for the operation's permission, the roles that have it, a role that lacks
 * it, the resource its path addresses first with its id, and the path of the request.
 */
export const COMMON_PROBLEMS: readonly (ProblemExample & { readonly under: ProblemStatus })[] = [
  { under: 400, code: 'pagination.invalid_limit', detail: 'limit: limit must be an integer from 1 to 200' },
  { under: 400, code: 'request.malformed_json', detail: 'The request body is not valid JSON.' },
  { under: 400, code: 'precondition.malformed', detail: 'If-Match must be one entity tag from an ETag header, e.g. If-Match: "3".' },
  { under: 401, code: 'auth.token_expired', detail: 'The access token has expired: get a new one.' },
  { under: 403, code: 'auth.forbidden', detail: 'This needs permission "{permission}", which roles {roles} have; your token has {lacking}.' },
  { under: 409, code: 'concurrency.conflict', detail: '{resource} {id} was changed by someone else' },
  { under: 409, code: 'idempotency.in_progress', detail: 'A request with this Idempotency-Key is still being processed; retry in a moment.' },
  { under: 412, code: 'concurrency.stale_version', detail: '{resource} {id} is at version 3, not 2' },
  { under: 422, code: 'idempotency.key_reused', detail: 'This Idempotency-Key was used for a different request (method, path or body); use a new key.' },
  { under: '4XX', status: 413, code: 'request.too_large', detail: 'The request body is larger than this API accepts.' },
  {
    under: '4XX',
    status: 406,
    code: 'request.not_acceptable',
    detail: '{path} answers application/json or application/problem+json, which the Accept header does not allow; send Accept: application/json.',
  },
  { under: '5XX', status: 503, code: 'database.unavailable', detail: 'The database cannot be reached right now; retry shortly.' },
  { under: '5XX', status: 500, code: 'internal.error', detail: 'Something went wrong on our side; the request id helps us find out what.' },
];
