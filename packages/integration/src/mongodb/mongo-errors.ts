import { MongoServerError } from 'mongodb';

/**
 * The database cannot be reached (down, unreachable, timed out). Raised instead of waiting: callers answer
 * "try again later" (HTTP 503) and the driver reconnects on its own once the server is back.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  readonly code = 'database.unavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// Driver errors that mean "no server to talk to", as opposed to a refused command.
const UNAVAILABLE_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongooseServerSelectionError',
]);

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERRORS.has(error.name)) return true;
  // Mongoose, with command buffering off, refuses calls made while disconnected.
  return /Cannot call `[^`]+` before initial connection|Client must be connected|connection .* closed/i.test(error.message);
}

/**
 * A write broke a unique index. MongoDB reports code 11000; FerretDB 1.x reports 11000 on inserts but, on updates,
 * an InternalError whose message is its storage's (SQLite or PostgreSQL) unique-constraint error.
 */
export function isDuplicateKey(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 11000 || code === 11001) return true;
  const writeErrors = (error as { writeErrors?: { code?: number }[] }).writeErrors;
  if (Array.isArray(writeErrors) && writeErrors.some((item) => item.code === 11000)) return true;
  // FerretDB 1.x reports a unique index broken by an update as InternalError (code 1) with its storage's message:
  // SQLite's "UNIQUE constraint failed", PostgreSQL's "duplicate key value violates unique constraint" (SQLSTATE 23505).
  return error instanceof MongoServerError && /UNIQUE constraint failed|SQLSTATE 23505/.test(error.message);
}

/** Runs a database call, turning "no server" into {@link DatabaseUnavailableError}; other errors pass through. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailable(error)) throw new DatabaseUnavailableError(`the database is unavailable: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}
