import { ANY_ROUTE, answers, type ExamplesOf, type ProblemCodes } from '../docs/examples-support';

/** What the health checks may answer: they need no token and check no input. */
export const HEALTH_PROBLEM_CODES = {
  live: answers(ANY_ROUTE, { '5XX': ['internal.error'] }),
  ready: answers(ANY_ROUTE, { '5XX': ['health.not_ready', 'internal.error'] }),
} satisfies Record<string, ProblemCodes>;

/** Examples of the health checks, by operation id: they show no state of the scenario. */
export const healthExamples: ExamplesOf<keyof typeof HEALTH_PROBLEM_CODES> = () => ({
  live: { response: { status: 'ok' } },
  ready: { response: { status: 'ok', checks: { database: 'up', keycloak: 'up' } }, problems: ['health.not_ready'] },
});
