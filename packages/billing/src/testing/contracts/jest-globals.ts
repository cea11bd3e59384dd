import type * as JestGlobals from '@jest/globals';

/**
 * Jest's functions, read from the globals when a suite is declared rather than imported at load time, so
 * `@invoicing/billing/testing` can be imported outside Jest (for the in-memory adapters) without failing.
 */
export function jestGlobals(): typeof JestGlobals {
  return globalThis as unknown as typeof JestGlobals;
}
