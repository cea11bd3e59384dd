import { DomainError, type ErrorDetails } from '@invoicing/core';

/** The stable codes of {@link FormatError}; callers match on these, never on the message. */
export type FormatErrorCode =
  | 'format.too_large'
  | 'format.too_many_elements'
  | 'format.too_many_lines'
  | 'format.doctype_refused'
  | 'format.too_deep'
  | 'format.malformed'
  | 'format.not_utf8'
  | 'format.unknown_root'
  | 'format.wrong_namespace'
  | 'format.syntax_mismatch'
  | 'format.invalid_character'
  | 'format.invalid_base64';

/**
 * A file that cannot be read or written as an e-invoice at the XML level (ADR 0014).
 *
 * `details` carries `line` and `column` (1-based) where the position is known, and what was found and expected.
 */
export class FormatError extends DomainError {
  override readonly name: string = 'FormatError';
  declare readonly code: FormatErrorCode;

  constructor(code: FormatErrorCode, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
