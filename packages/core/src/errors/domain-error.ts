/** Structured, JSON-safe details attached to an error for the caller (never request context). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * Base of every error a caller can expect from the domain.
 *
 * `code` is stable and dotted (`invoice.already_issued`): callers match on it, never on `message`.
 * Domain errors carry no HTTP status; the API maps codes to problem documents in one place.
 */
export class DomainError extends Error {
  override readonly name: string = 'DomainError';

  constructor(
    /** Stable dotted code, e.g. `money.currency_mismatch`. */
    readonly code: string,
    message: string,
    /** Structured details for the caller, e.g. the ids or amounts involved. */
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** One problem with one field of a command's input. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `lines.0.quantity`; empty for the whole input. */
  readonly path: string;
  /** Stable code of the rule that failed, e.g. `decimal.malformed`. */
  readonly code: string;
  readonly message: string;
}

/** Input that breaks a rule of its own shape (malformed amount, missing name …). Code `validation.failed` unless a more precise one is given. */
export class ValidationError extends DomainError {
  override readonly name: string = 'ValidationError';

  constructor(
    readonly issues: readonly ValidationIssue[],
    code = issues.length === 1 && issues[0] ? issues[0].code : 'validation.failed',
  ) {
    super(code, issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; '), { issues });
  }

  /** A validation error about a single field. */
  static of(path: string, code: string, message: string): ValidationError {
    return new ValidationError([{ path, code, message }]);
  }

  /** The same issues, reported under `prefix` (e.g. `lines.2`). */
  prefixed(prefix: string): ValidationError {
    return new ValidationError(
      this.issues.map((issue) => ({ ...issue, path: [prefix, issue.path].filter(Boolean).join('.') })),
      this.code,
    );
  }
}

/** The object does not exist, or belongs to another tenant: callers cannot tell the two apart. */
export class NotFoundError extends DomainError {
  override readonly name: string = 'NotFoundError';

  constructor(resource: string, id: string) {
    super(`${resource}.not_found`, `${resource} ${id} was not found`, { resource, id });
  }
}

/** The command clashes with the current state (stale version, duplicate key, illegal transition). */
export class ConflictError extends DomainError {
  override readonly name: string = 'ConflictError';
}

/** A command that is not allowed in the object's current state. */
export class InvalidStateError extends DomainError {
  override readonly name: string = 'InvalidStateError';
}

/**
 * Runs `parse` and reports a ValidationError it throws under `path` (its issues prefixed, e.g. `rate` or `lines.2`):
 * the one way the issues of a parser, which knows only its own field, get the path the caller knows them by.
 * Any other error passes through unchanged. To report every bad field at once rather than the first, use {@link collectIssues}.
 *
 * @example
 * const rate = atPath('rate', () => decimal(input.rate));
 */
export function atPath<T>(path: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw error instanceof ValidationError ? error.prefixed(path) : error;
  }
}

/**
 * Runs `build`, which wraps each field's parsing in `attempt(path, fn)`: a ValidationError thrown by `fn` is kept
 * (its issues prefixed with `path`) and `attempt` returns `undefined`; once `build` returns, all issues found are thrown
 * as one ValidationError, so that callers see every bad field at once rather than one per attempt.
 * Any other error is rethrown at once.
 *
 * @example
 * const command = collectIssues((attempt) => ({
 *   price: attempt('price', () => Money.of(input.price, 'EUR')),
 *   quantity: attempt('quantity', () => decimal(input.quantity)),
 * }));
 */
export function collectIssues<T>(build: (attempt: <V>(path: string, fn: () => V) => V | undefined) => T): T {
  const issues: ValidationIssue[] = [];
  const attempt = <V>(path: string, fn: () => V): V | undefined => {
    try {
      return atPath(path, fn);
    } catch (error) {
      if (error instanceof ValidationError) {
        issues.push(...error.issues);
        return undefined;
      }
      throw error;
    }
  };
  const result = build(attempt);
  if (issues.length > 0) throw new ValidationError(issues);
  return result;
}
