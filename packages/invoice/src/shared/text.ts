import { ValidationError } from '@invoicing/core';

/**
 * Trims a required text field and checks its length.
 * @throws ValidationError `text.required` | `text.too_long`
 */
export function requiredText(value: unknown, path: string, maxLength = 200): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw ValidationError.of(path, 'text.required', 'must be a non-empty text');
  }
  return boundedText(value, path, maxLength);
}

/** Like {@link requiredText} for optional fields: absent or blank becomes undefined. */
export function optionalText(value: unknown, path: string, maxLength = 200): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  if (typeof value !== 'string') throw ValidationError.of(path, 'text.required', 'must be a text');
  return boundedText(value, path, maxLength);
}

function boundedText(value: string, path: string, maxLength: number): string {
  const text = value.trim();
  if (text.length > maxLength) throw ValidationError.of(path, 'text.too_long', `must be at most ${maxLength} characters`);
  return text;
}
