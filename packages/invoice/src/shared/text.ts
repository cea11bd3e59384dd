import { ValidationError } from '@invoicing/core';

/**
 * Control characters other than tab, line feed and carriage return: never meaningful in a name, a note or a reference,
 * invisible when printed, and U+0000 cannot be stored by every server (PostgreSQL's jsonb refuses it).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole purpose
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * Characters XML 1.0 cannot carry besides those: the noncharacters U+FFFE and U+FFFF, and a surrogate without its
 * pair (JSON can send one, `"\uD800"`). Stored, they would make the document impossible to export as an e-invoice.
 */
const INVALID_CHARACTER = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Trims a required text field and checks its length and characters.
 * @throws ValidationError `text.required` | `text.too_long` | `text.control_character` | `text.invalid_character`
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
  // Characters (code points), as JSON Schema's maxLength counts them: an emoji is one, not two UTF-16 units.
  if (text.length > maxLength && [...text].length > maxLength) throw ValidationError.of(path, 'text.too_long', `must be at most ${maxLength} characters`);
  if (CONTROL_CHARACTER.test(text)) throw ValidationError.of(path, 'text.control_character', 'must not contain control characters (other than tab and line breaks)');
  if (INVALID_CHARACTER.test(text)) throw ValidationError.of(path, 'text.invalid_character', 'must not contain U+FFFE, U+FFFF or an unpaired surrogate');
  return text;
}
