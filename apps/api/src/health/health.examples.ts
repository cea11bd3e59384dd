import { ANY_ROUTE, answers, type OperationExamples, type ProblemCodes } from '../docs/examples-support';

/** What the health checks may answer: they need no token and check no input. */
export const HEALTH_PROBLEM_CODES = {
  live: answers(ANY_ROUTE, { '5XX': ['internal.error'] }),
  ready: answers(ANY_ROUTE, { '5XX': ['health.not_ready', 'internal.error'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the health checks, by operation id. */
export const HEALTH_EXAMPLES = {
  live: {
    response: { status: 'ok' },
  },
  ready: {
    response: { status: 'ok', checks: { database: 'up', keycloak: 'up' } },
    problems: { '5XX': [{ status: 503, code: 'health.not_ready', detail: 'Not ready: database down.' }] },
  },
} satisfies Record<keyof typeof HEALTH_PROBLEM_CODES, OperationExamples>;
