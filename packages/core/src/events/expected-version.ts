import { ConflictError } from '../errors/domain-error';

/**
 * The version a write expects its aggregate at (an HTTP `If-Match`), or the versions it may be at: a list of tags, empty
 * when no tag can match (a weak tag, a tag never given out).
 */
export type ExpectedVersion = number | readonly number[];

/**
 * Refuses a write whose aggregate is not at a version it expects; nothing expected, anything goes. `actual` undefined:
 * the aggregate does not exist yet, which no version names.
 * @throws ConflictError `concurrency.stale_version`, with `resource`, `id`, `version` and `expectedVersion` in its details
 */
export function requireExpectedVersion(resource: string, id: string, actual: number | undefined, expected: ExpectedVersion | undefined): void {
  if (expected === undefined || (actual !== undefined && [expected].flat().includes(actual))) return;
  const wanted = typeof expected === 'number' ? expected : `one of [${expected.join(', ')}]`;
  const now = actual === undefined ? 'not there yet' : `at version ${actual}`;
  throw new ConflictError('concurrency.stale_version', `${resource.replace(/_/g, ' ')} ${id} is ${now}, not ${wanted}`, {
    resource,
    id,
    ...(actual === undefined ? {} : { version: actual }),
    expectedVersion: expected,
  });
}
