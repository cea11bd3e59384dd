import { ValidationError } from '@invoicing/core';

/** The error `run` throws; fails when it throws none. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

/** The `{ path, code }` of each issue of the ValidationError `run` throws; fails on any other outcome. */
export function issuesOf(run: () => unknown): { path: string; code: string }[] {
  const error = thrown(run);
  if (!(error instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${String(error)}`);
  return error.issues.map(({ path, code }) => ({ path, code }));
}
