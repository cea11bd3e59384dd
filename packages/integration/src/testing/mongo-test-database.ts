import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import { connectMongo, type MongoConnection, type MongoSettings } from '../mongodb/connection';
import { decodeState, encodeState } from '../mongodb/mappers/stored-state';
import { createMongoAdapters, type MongoAdapters } from '../mongodb/mongo-adapters';

/** A database of its own for one test file, on the server `MONGO_URL` names, with every index created. */
export interface TestDatabase {
  readonly mongo: MongoConnection;
  readonly adapters: MongoAdapters;
  readonly dbName: string;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

/** The server tests run against: the `MONGO_URL` that the stack's Jest global setup (or the caller) provides. */
export function testMongoUrl(): string {
  const url = process.env.MONGO_URL;
  if (!url) throw new Error('MONGO_URL is not set: run the suite through Jest with the stack global setup, or set MONGO_URL to a MongoDB or FerretDB server');
  return url;
}

/** Connects to a fresh database named after `label` with a random suffix, so parallel runs never share data. */
export async function createTestDatabase(label: string, settings: Partial<MongoSettings> = {}): Promise<TestDatabase> {
  const dbName = `test_${label.replace(/[^A-Za-z0-9]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const mongo = await connectMongo({ url: testMongoUrl(), dbName, ...settings });
  const adapters = createMongoAdapters(mongo);
  await adapters.ensureIndexes();
  return {
    mongo,
    adapters,
    dbName,
    async drop() {
      await mongo.connection.dropDatabase();
      await mongo.close();
    },
  };
}

/**
 * Edits the state stored in an aggregate's document behind the repositories' back, as a faulty writer would (the
 * integrity checks' tests): the state is decoded, changed by `edit`, and stored again; `derived` fields are set as given.
 */
export async function tamperWithStoredState<State extends object>(
  collection: Collection<{ _id: string }>,
  id: string,
  edit: (state: State) => void,
  derived: Record<string, unknown> = {},
): Promise<void> {
  const document = await collection.findOne({ _id: id });
  if (!document) throw new Error(`no document ${id}`);
  const state = decodeState((document as unknown as { state: State | string }).state);
  edit(state);
  const set = { state: encodeState(state), ...Object.fromEntries(Object.entries(derived).map(([field, value]) => [`derived.${field}`, value])) };
  await collection.updateOne({ _id: id }, { $set: set as never });
}
