import type { MediaTypeObject, OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { HEALTH_EXAMPLES, HEALTH_PROBLEM_CODES } from '../health/health.examples';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemOf, type Problem } from '../http/problem';
import { INVOICE_EXAMPLES, INVOICE_PROBLEM_CODES } from '../invoices/invoices.examples';
import { MARKETABLE_EXAMPLES, MARKETABLE_PROBLEM_CODES } from '../marketables/marketables.examples';
import { PARTNER_EXAMPLES, PARTNER_PROBLEM_CODES } from '../partners/partners.examples';
import { PARTNERSHIP_EXAMPLES, PARTNERSHIP_PROBLEM_CODES } from '../partnerships/partnerships.examples';
import { PAYMENT_EXAMPLES, PAYMENT_PROBLEM_CODES } from '../payments/payments.examples';
import { REPORT_EXAMPLES, REPORT_PROBLEM_CODES } from '../reports/reports.examples';
import { COMMON_PROBLEMS, PATH_PARAMETER_IDS, type OperationExamples, type ProblemCodes, type ProblemExample, type ProblemStatus } from './examples-support';

/** The examples of every operation, by operation id. */
export const OPERATION_EXAMPLES: Readonly<Record<string, OperationExamples>> = {
  ...PARTNER_EXAMPLES,
  ...MARKETABLE_EXAMPLES,
  ...PARTNERSHIP_EXAMPLES,
  ...INVOICE_EXAMPLES,
  ...PAYMENT_EXAMPLES,
  ...REPORT_EXAMPLES,
  ...HEALTH_EXAMPLES,
};

/** The problem codes every operation may answer, by operation id and status. */
export const OPERATION_PROBLEM_CODES: Readonly<Record<string, ProblemCodes>> = {
  ...PARTNER_PROBLEM_CODES,
  ...MARKETABLE_PROBLEM_CODES,
  ...PARTNERSHIP_PROBLEM_CODES,
  ...INVOICE_PROBLEM_CODES,
  ...PAYMENT_PROBLEM_CODES,
  ...REPORT_PROBLEM_CODES,
  ...HEALTH_PROBLEM_CODES,
};

/** Shown as each example problem's `requestId`. */
const EXAMPLE_REQUEST_ID = '3f1c2b9e-8a47-4a8e-bd6e-0e0c7b7f1f1a';

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
 * Attaches an operation's examples: its request body, its success answers, and for each problem status the
 * operation may answer (its table of codes) one example or more, named by code. The table decides the problem
 * statuses: a status the decorators declare but the use case cannot answer (e.g. 400 on a GET by id) is left out,
 * and one they do not declare is added. An operation without examples is left as it is; a test requires them.
 */
export function attachExamples(operation: OperationObject, context: ExampleContext): void {
  const id = operation.operationId ?? '';
  const examples = OPERATION_EXAMPLES[id];
  const codes = OPERATION_PROBLEM_CODES[id];
  if (!examples || !codes) return;
  const body = operation.requestBody && 'content' in operation.requestBody ? operation.requestBody.content['application/json'] : undefined;
  if (body && examples.request !== undefined) body.example = examples.request;
  for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    if (!status.startsWith('2')) continue;
    const media = response.content?.['application/json'];
    if (media) media.example = examples.response;
  }
  for (const status of Object.keys(operation.responses)) {
    if (/^[45]\d\d$/.test(status) && !(status in codes)) delete operation.responses[status];
  }
  for (const [status, allowed] of Object.entries(codes) as [string, readonly string[]][]) {
    const shown = problemExamplesOf(status as ProblemStatus, examples, allowed);
    const response = (operation.responses[status] ??= { description: 'A problem this operation can answer: branch on its `code`.' }) as ResponseObject;
    const media: MediaTypeObject = response.content?.[PROBLEM_CONTENT_TYPE] ?? { schema: { $ref: '#/components/schemas/ProblemDto' } };
    if (shown.length > 0) media.examples = Object.fromEntries(shown.map((problem) => [problem.code, { summary: problem.code, value: problemDocument(status, problem, context) }]));
    response.content = { [PROBLEM_CONTENT_TYPE]: media };
  }
}

/** The operation's own examples of a status, or else the first common problem of that status it may answer. */
function problemExamplesOf(status: ProblemStatus, examples: OperationExamples, allowed: readonly string[]): readonly ProblemExample[] {
  const own = examples.problems?.[status];
  if (own && own.length > 0) return own;
  const common = COMMON_PROBLEMS.find((problem) => String(problem.under) === String(status) && allowed.includes(problem.code));
  if (!common) return [];
  const { under: _under, ...example } = common;
  return [example];
}

/** The problem document the API would send, so that an example cannot drift from the real format. */
function problemDocument(status: string, example: ProblemExample, context: ExampleContext): Problem {
  const resource = /\{(\w+)Id\}/.exec(context.path)?.[1] ?? 'resource';
  const instance = context.path.replace(/\{(\w+)\}/g, (_, name: string) => PATH_PARAMETER_IDS[name] ?? name);
  const detail = example.detail
    .replace('{path}', instance)
    .replace('{permission}', context.permission ?? '')
    .replace('{roles}', (context.roles ?? []).join(', '))
    .replace('{lacking}', context.lacking ?? 'no role')
    .replace('{resource}', resource)
    .replace('{id}', PATH_PARAMETER_IDS[`${resource}Id`] ?? '');
  const httpStatus = example.status ?? Number(status);
  return problemOf(new HttpProblem(httpStatus, example.code, detail, example.errors ? { errors: example.errors } : {}), {
    typeBase: context.typeBase,
    instance,
    requestId: EXAMPLE_REQUEST_ID,
  }).problem;
}
