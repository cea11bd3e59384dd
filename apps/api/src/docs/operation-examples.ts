import fs from 'node:fs';
import path from 'node:path';
import type { MediaTypeObject, OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ADMIN_PROBLEM_CODES, adminExamples } from '../admin/admin.examples';
import { BILLING_PROBLEM_CODES, billingExamples } from '../billing/billing.examples';
import { E_INVOICE_PROBLEM_CODES, eInvoiceExamples } from '../e-invoices/e-invoices.examples';
import { EVENT_PROBLEM_CODES, eventExamples } from '../events/events.examples';
import { HEALTH_PROBLEM_CODES, healthExamples } from '../health/health.examples';
import { IMPORT_PROBLEM_CODES, importExamples } from '../imports/imports.examples';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemOf, type Problem } from '../http/problem';
import { INVOICE_PROBLEM_CODES, invoiceExamples } from '../invoices/invoices.examples';
import { MARKETABLE_PROBLEM_CODES, marketableExamples } from '../marketables/marketables.examples';
import { PARTNER_PROBLEM_CODES, partnerExamples } from '../partners/partners.examples';
import { PARTNERSHIP_PROBLEM_CODES, partnershipExamples } from '../partnerships/partnerships.examples';
import { PAYMENT_PROBLEM_CODES, paymentExamples } from '../payments/payments.examples';
import { REPORT_PROBLEM_CODES, reportExamples } from '../reports/reports.examples';
import { EXAMPLE_ENDPOINT_ID, WEBHOOK_PROBLEM_CODES, exampleDeliverySequence, webhookExamples } from '../webhooks/webhooks.examples';
import { exampleScenario, type ExampleScenario } from './example-scenario';
import type { OperationExamples, ProblemCodes, ShownProblem } from './examples-support';
import { DOCS_DIR, ERRORS_PAGE } from './guide';

/** The problem codes every operation may answer, by operation id and status. */
export const OPERATION_PROBLEM_CODES: Readonly<Record<string, ProblemCodes>> = {
  ...PARTNER_PROBLEM_CODES,
  ...MARKETABLE_PROBLEM_CODES,
  ...PARTNERSHIP_PROBLEM_CODES,
  ...INVOICE_PROBLEM_CODES,
  ...E_INVOICE_PROBLEM_CODES,
  ...IMPORT_PROBLEM_CODES,
  ...PAYMENT_PROBLEM_CODES,
  ...BILLING_PROBLEM_CODES,
  ...REPORT_PROBLEM_CODES,
  ...EVENT_PROBLEM_CODES,
  ...WEBHOOK_PROBLEM_CODES,
  ...ADMIN_PROBLEM_CODES,
  ...HEALTH_PROBLEM_CODES,
};

/** Shown as each example problem's `requestId`. */
const EXAMPLE_REQUEST_ID = '3f1c2b9e-8a47-4a8e-bd6e-0e0c7b7f1f1a';

/**
 * What a status shows when the operation's examples name no problem of it, in order of preference: the first of these
 * the operation may answer, else the first code of its table.
 */
const GENERIC_CODES = [
  'pagination.invalid_limit',
  'request.malformed_json',
  'precondition.malformed',
  'auth.token_expired',
  'auth.forbidden',
  'concurrency.conflict',
  'idempotency.in_progress',
  'concurrency.stale_version',
  'idempotency.key_reused',
  'request.too_large',
  'request.not_acceptable',
  'database.unavailable',
  'internal.error',
];

/** A code of the errors page: the statuses it is answered with and its sentence, as plain text. */
interface CatalogueEntry {
  readonly statuses: readonly number[];
  readonly sentence: string;
}

/** What the examples are attached from. */
interface Loaded {
  readonly examples: Readonly<Record<string, OperationExamples>>;
  /** The id each path parameter stands for in the `instance` of problems. */
  readonly pathIds: Readonly<Record<string, string>>;
  readonly catalogue: ReadonlyMap<string, CatalogueEntry>;
}

let loaded: Loaded | undefined;

/**
 * Plays the example scenario and reads the errors page, once: the document builder awaits it before
 * {@link attachExamples}. Resolves to the examples of every operation, by operation id.
 */
export async function loadOperationExamples(): Promise<Readonly<Record<string, OperationExamples>>> {
  if (!loaded) {
    const scenario = await exampleScenario();
    loaded = { examples: examplesOf(scenario), pathIds: pathIdsOf(scenario), catalogue: errorsCatalogue() };
  }
  return loaded.examples;
}

function examplesOf(s: ExampleScenario): Record<string, OperationExamples> {
  return {
    ...partnerExamples(s),
    ...marketableExamples(s),
    ...partnershipExamples(s),
    ...invoiceExamples(s),
    ...eInvoiceExamples(s),
    ...importExamples(s),
    ...paymentExamples(s),
    ...billingExamples(s),
    ...reportExamples(s),
    ...eventExamples(s),
    ...webhookExamples(s),
    ...adminExamples(s),
    ...healthExamples(s),
  };
}

function pathIdsOf(s: ExampleScenario): Record<string, string> {
  return {
    partnerId: s.partners.buyer.id,
    contactId: s.partners.purchasingContact.id,
    marketableId: s.marketables.consulting.id,
    partnershipId: s.partnerships.created.id,
    invoiceId: s.invoices.issued.id,
    paymentId: s.payments.recorded.id,
    billingRunId: s.billing.run.id,
    oneOffChargeId: s.billing.oneOff.id,
    importId: s.imports.job.id,
    endpointId: EXAMPLE_ENDPOINT_ID,
    sequence: String(exampleDeliverySequence(s)),
  };
}

/** The tables of the errors page: `| \`code\` | statuses | meaning |`, the meaning without its Markdown. */
function errorsCatalogue(): Map<string, CatalogueEntry> {
  const page = fs.readFileSync(path.join(DOCS_DIR, `${ERRORS_PAGE}.md`), 'utf8');
  const entries = new Map<string, CatalogueEntry>();
  for (const [, code = '', statuses = '', meaning = ''] of page.matchAll(/^\|\s*`([^`]+)`\s*\|([^|]*)\|(.*)\|\s*$/gm)) {
    const sentence = meaning.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/`/g, '').trim();
    entries.set(code, { statuses: [...statuses.matchAll(/\d{3}/g)].map(([status]) => Number(status)), sentence });
  }
  return entries;
}

/** What an operation needs from its place in the document to state its problems. */
export interface ExampleContext {
  readonly path: string;
  /** Where problem `type`s point: the errors page of the site. */
  readonly typeBase: string;
  readonly permission?: string;
  /** The roles that have the permission. */
  readonly roles?: readonly string[];
  /** A role that lacks it, if any. */
  readonly lacking?: string;
}

/**
 * Attaches an operation's examples: its request body (in each media type it takes), its success answers (in each media
 * type they come in: JSON, or a file's), and for each problem status the
 * operation may answer (its table of codes) one example or more, named by code. The table decides the problem
 * statuses: a status the decorators declare but the use case cannot answer (e.g. 400 on a GET by id) is left out,
 * and one they do not declare is added. An operation without examples is left as it is; a test requires them.
 */
export function attachExamples(operation: OperationObject, context: ExampleContext): void {
  if (!loaded) throw new Error('The operation examples are not loaded: await loadOperationExamples() before building the document.');
  const id = operation.operationId ?? '';
  const examples = loaded.examples[id];
  const codes = OPERATION_PROBLEM_CODES[id];
  if (!examples || !codes) return;
  // A JSON body, or a file in each media type the operation takes it as.
  const bodies = operation.requestBody && 'content' in operation.requestBody ? Object.values(operation.requestBody.content) : [];
  if (examples.request !== undefined) for (const media of bodies) media.example = examples.request;
  for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    if (!status.startsWith('2')) continue;
    // As a client receives it: dates as strings, absent fields left out; a file as its text; a stream as its text.
    for (const [type, media] of Object.entries(response.content ?? {})) media.example = examples.responseAs?.[type] ?? (JSON.parse(JSON.stringify(examples.response)) as unknown);
  }
  for (const status of Object.keys(operation.responses)) {
    if (/^[45]\d\d$/.test(status) && !(status in codes)) delete operation.responses[status];
  }
  for (const [status, allowed] of Object.entries(codes) as [string, readonly string[]][]) {
    const own = (examples.problems ?? []).filter((problem) => allowed.includes(typeof problem === 'string' ? problem : problem.code));
    const shown = own.length > 0 ? own : [GENERIC_CODES.find((code) => allowed.includes(code)) ?? allowed[0] ?? ''];
    const response = (operation.responses[status] ??= { description: 'A problem this operation can answer: branch on its `code`.' }) as ResponseObject;
    const media: MediaTypeObject = response.content?.[PROBLEM_CONTENT_TYPE] ?? { schema: { $ref: '#/components/schemas/ProblemDto' } };
    const problems = shown.map((problem) => problemDocument(status, problem, context, loaded as Loaded));
    media.examples = Object.fromEntries(problems.map((problem) => [problem.code, { summary: problem.code, value: problem }]));
    response.content = { [PROBLEM_CONTENT_TYPE]: media };
  }
}

/**
 * The problem document the API would send, through the API's own formatting: the sentence of the errors page (of the
 * issue, for `request.invalid`), after the field's path when a field is wrong, as the validation answers do.
 */
function problemDocument(status: string, shown: ShownProblem, context: ExampleContext, { pathIds, catalogue }: Loaded): Problem {
  const { code, path: field, issue } = typeof shown === 'string' ? { code: shown, path: undefined, issue: undefined } : shown;
  const sentence =
    code === 'auth.forbidden'
      ? // Worded as the guard words it, from the operation's permission.
        `This needs permission "${context.permission ?? ''}", which roles ${(context.roles ?? []).join(', ')} have; your token has ${context.lacking ?? 'no role'}.`
      : (catalogue.get(issue ?? code)?.sentence ?? code);
  const errors = field === undefined ? undefined : [{ path: field, code: issue ?? code, message: sentence }];
  // A problem of no one field (an empty path) is said without one.
  const detail = field ? `${field}: ${sentence}` : sentence;
  // A range (4XX, 5XX) shows the status the errors page gives the code.
  const answered = /^\d+$/.test(status) ? Number(status) : (catalogue.get(code)?.statuses.find((candidate) => String(candidate).startsWith(status.charAt(0))) ?? 500);
  const instance = context.path.replace(/\{(\w+)\}/g, (_, name: string) => pathIds[name] ?? name);
  return problemOf(new HttpProblem(answered, code, detail, errors ? { errors } : {}), {
    typeBase: context.typeBase,
    instance,
    requestId: EXAMPLE_REQUEST_ID,
  }).problem;
}
