import mongoose, { type Connection } from 'mongoose';
import { DatabaseUnavailableError, guarded } from './mongo-errors';

/** How to reach MongoDB (or FerretDB). Only `url` is required. */
export interface MongoSettings {
  /** `mongodb://host:port/database?options`; the database is `invoicing` when the URL names none. */
  readonly url: string;
  /** Overrides the database of the URL (tests use one database per run). */
  readonly dbName?: string;
  /** Connections per API process (default 20). */
  readonly maxPoolSize?: number;
  /** How long a call waits for a reachable server before failing with `database.unavailable` (default 5000 ms). */
  readonly serverSelectionTimeoutMs?: number;
  /** TCP connect timeout (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** A socket idle this long during a call is closed (default 30000 ms). */
  readonly socketTimeoutMs?: number;
  /** Emits the driver's command events (`commandStarted` …) on the client: benchmarks count round trips with them. */
  readonly monitorCommands?: boolean;
}

const DEFAULT_DATABASE = 'invoicing';

function databaseOf(url: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url);
  return match?.[1] ? decodeURIComponent(match[1]) : DEFAULT_DATABASE;
}

/**
 * An open connection. Mongoose is configured so that it never hangs nor trusts input: commands are not buffered
 * while disconnected (they fail at once with `database.unavailable`), filters are sanitised against operator
 * injection, unknown filter paths are refused, int64 comes back as bigint, and indexes are created only on request.
 */
export interface MongoConnection {
  readonly connection: Connection;
  /** Round trip to the server; false when it does not answer within the selection timeout. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Connects to MongoDB.
 * @throws DatabaseUnavailableError when no server answers within `serverSelectionTimeoutMs`
 */
export async function connectMongo(settings: MongoSettings): Promise<MongoConnection> {
  const connection = mongoose.createConnection(settings.url, {
    dbName: settings.dbName ?? databaseOf(settings.url),
    maxPoolSize: settings.maxPoolSize ?? 20,
    serverSelectionTimeoutMS: settings.serverSelectionTimeoutMs ?? 5000,
    connectTimeoutMS: settings.connectTimeoutMs ?? 5000,
    socketTimeoutMS: settings.socketTimeoutMs ?? 30_000,
    // FerretDB 1.x has no sessions to retry writes in; our writes are idempotent or version-checked instead.
    retryWrites: false,
    useBigInt64: true,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    sanitizeFilter: true,
    monitorCommands: settings.monitorCommands ?? false,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw new DatabaseUnavailableError(`cannot reach the database at ${redact(settings.url)}: ${(error as Error).message}`, { cause: error });
  }
  return {
    connection,
    async ping() {
      try {
        await guarded(() => connection.getClient().db(connection.name).command({ ping: 1 }));
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await connection.close();
    },
  };
}

/**
 * Drops a database through a connection of its own, opened and closed here. Called once whatever wrote to the database
 * (an API, a test's server, a benchmark) is closed, so that nothing still running creates it again after the drop.
 */
export async function dropDatabase(url: string, name: string): Promise<void> {
  const mongo = await connectMongo({ url, dbName: name });
  try {
    await guarded(() => mongo.connection.dropDatabase());
  } finally {
    await mongo.close();
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
