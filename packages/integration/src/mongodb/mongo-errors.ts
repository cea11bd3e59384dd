import {
  MongoBulkWriteError,
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { types } from 'node:util';
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
 * FerretDB 1.x answers every command its PostgreSQL could not run with InternalError (code 1): a bug, a broken
 * constraint and a storage that is gone look alike. Only the message, which is its PostgreSQL driver's (pgx) error
 * text, tells them apart, so for that one code the message is read for what pgx writes when the storage is
 * unreachable or out of resources. Seen while PostgreSQL was killed and restarting (the API's database-faults and
 * write-faults specs): `FATAL: terminating connection due to unexpected postmaster exit (SQLSTATE 57P01)`, `FATAL:
 * the database system is not yet accepting connections (SQLSTATE 57P03)`, ``failed to connect to `user=…
 * database=…`: … connection refused``.
 */
const FERRETDB_INTERNAL_ERROR = 1;
const STORAGE_UNAVAILABLE: readonly RegExp[] = [
  // A PostgreSQL error, as pgx prints it (`SEVERITY: message (SQLSTATE code)`), of a class that means "not now":
  // 08 connection exception (but 08P01, a protocol violation: a bug that no retry cures); 53 insufficient resources
  // (too many connections, out of memory, disk full); 57P01 administrator shutdown (also "unexpected postmaster
  // exit"), 57P02 crash shutdown, 57P03 cannot connect now (starting up, recovering); 57014 statement cancelled (a
  // statement timeout).
  /\(SQLSTATE (?:08(?!P01)[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[123]|57014)\)/,
  // pgx could not open a connection (its ConnectError), or lost one during the command (pgconn: "failed to receive
  // message: unexpected EOF", "conn closed").
  /failed to connect to `|\bfailed to receive message\b|\bconn closed\b/,
];

/**
 * Node's own socket errors, identified by their documented `code` (Node gives them no class of their own). The driver
 * wraps most of them in MongoNetworkError, but not one raised while it waits for a command's bytes to drain (mongodb
 * 7.8, `Connection.writeCommand`): a server that dies during a large write, or one killed while a command is sent on
 * its half-closed connection, reaches the caller as a bare `Error: read ECONNRESET` or `Error: This socket has been
 * ended by the other party` (EPIPE). In the API the database is the only peer whose errors are not caught where they
 * occur (the token verifier answers Keycloak's own failures), so such an error means a database connection broke.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/** The messages of MongoNetworkError (`connection 3 to 127.0.0.1:27017 closed`, `… timed out`) and of a cleared pool. */
const BULK_WRAPPED_UNAVAILABLE = /^connection \d+ to \S+ (?:closed|timed out)|^Connection pool for \S+ was cleared/;

/**
 * Whether an error means the database is unavailable or timed out (HTTP 503 with `Retry-After`, never 500): a
 * {@link DatabaseUnavailableError}, or a driver or mongoose error of that meaning, by class; a server error by code
 * (FerretDB's InternalError by its storage's message, see above); or a bare socket error that the driver let through.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (UNAVAILABLE_CLASSES.some((type) => error instanceof type)) return true;
  // A driver error that stopped a bulk write before the server answered it (a connection lost, the pool cleared) is
  // thrown as a MongoBulkWriteError without write errors, carrying only that error's message and fields: seen when
  // FerretDB was killed under reservations of several numbers inserted at once (write-faults spec).
  if (error instanceof MongoBulkWriteError && [error.writeErrors].flat().length === 0 && BULK_WRAPPED_UNAVAILABLE.test(error.message)) return true;
  if (error instanceof MongoServerError) {
    if (typeof error.code === 'number' && UNAVAILABLE_SERVER_CODES.has(error.code)) return true;
    return error.code === FERRETDB_INTERNAL_ERROR && STORAGE_UNAVAILABLE.some((pattern) => pattern.test(error.message));
  }
  // isNativeError, not instanceof: Node's socket errors may come from another realm (a test runner's sandbox).
  if (types.isNativeError(error) && !(error instanceof MongoError)) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return true;
  }
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
