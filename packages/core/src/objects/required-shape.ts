import { ValidationError } from '../errors/domain-error';

/** How a value that is not of the expected type is named in the message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * `value` when it is an object (not null, not a list); the guard a parser runs before it reads an input's fields, so
 * that a JavaScript caller's or a JSON body's `null` is refused by name rather than failing as a TypeError.
 * @throws ValidationError `request.is_object` at `path`
 *
 * @example
 * const line = requiredObject(input.lines[2], 'lines.2');
 */
export function requiredObject<T>(value: T, path = ''): T & object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ValidationError.of(path, 'request.is_object', `must be an object, not ${kindOf(value)}`);
  }
  return value;
}

/**
 * `value` when it is a list (an array); an optional list is checked as `requiredList(input.notes ?? [], 'notes')`.
 * @throws ValidationError `request.is_array` at `path`
 */
export function requiredList<T>(value: T, path = ''): T & readonly unknown[] {
  if (!Array.isArray(value)) throw ValidationError.of(path, 'request.is_array', `must be a list, not ${kindOf(value)}`);
  return value as T & readonly unknown[];
}
