import {
  MongoClientClosedError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import mongoose from 'mongoose';

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

/**
 * Driver errors that mean "no server to talk to, or it did not answer in time", as opposed to a refused command.
 * Matched by class, so subclasses count too: `MongoNetworkError` covers `MongoNetworkTimeoutError` and the pool's
 * `PoolClearedError`/`PoolClearedOnNetworkError` (which the driver does not export).
 */
const UNAVAILABLE_CLASSES: readonly (abstract new (...args: never[]) => Error)[] = [
  MongoNetworkError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoNotConnectedError,
  MongoClientClosedError,
  MongoServerClosedError,
  MongoOperationTimeoutError,
  mongoose.Error.MongooseServerSelectionError,
];

/** Server answers that mean "not now": it timed out (`maxTimeMS`), is shutting down, or is not (or no longer) primary. */
const UNAVAILABLE_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * Whether an error means the database is unavailable or timed out (HTTP 503 with `Retry-After`, never 500): a
 * {@link DatabaseUnavailableError}, or a driver or mongoose error of that meaning, by class.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (UNAVAILABLE_CLASSES.some((type) => error instanceof type)) return true;
  if (error instanceof MongoServerError) return typeof error.code === 'number' && UNAVAILABLE_SERVER_CODES.has(error.code);
  // Mongoose, with command buffering off, refuses calls made before the connection opened or after it closed.
  return error instanceof mongoose.Error && /before initial connection|Connection was force closed|Client must be connected/i.test(error.message);
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
    if (error instanceof DatabaseUnavailableError || !isDatabaseUnavailable(error)) throw error;
    throw new DatabaseUnavailableError(`the database is unavailable: ${(error as Error).message}`, { cause: error });
  }
}
