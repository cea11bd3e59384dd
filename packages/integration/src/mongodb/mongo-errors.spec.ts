import {
  MongoClient,
  MongoClientClosedError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import mongoose from 'mongoose';
import { guarded, isDatabaseUnavailable, isDuplicateKey } from './mongo-errors';
import { testMongoUrl } from '../testing/mongo-test-database';

jest.setTimeout(30_000);

// Against the run's real server: what each storage answers when a unique index is broken is what is recognised.
describe('isDuplicateKey', () => {
  const dbName = `mongo_errors_spec_${process.pid}_${Date.now()}`;
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(testMongoUrl(), { serverSelectionTimeoutMS: 5_000 });
    const keys = client.db(dbName).collection<{ _id: number; key: string }>('keys');
    await keys.createIndex({ key: 1 }, { unique: true });
    await keys.insertMany([
      { _id: 1, key: 'a' },
      { _id: 2, key: 'b' },
    ]);
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  const refusal = (write: Promise<unknown>) => write.then(() => undefined, (error: unknown) => error);

  it('recognises an insert that breaks a unique index', async () => {
    const error = await refusal(client.db(dbName).collection('keys').insertOne({ _id: 3, key: 'a' } as never));

    expect(isDuplicateKey(error)).toBe(true);
  });

  it('recognises an update that breaks a unique index, whichever storage reports it', async () => {
    const error = await refusal(client.db(dbName).collection('keys').updateOne({ _id: 2 } as never, { $set: { key: 'a' } }));

    expect(isDuplicateKey(error)).toBe(true);
  });

  it('does not take another server error for a duplicate', async () => {
    const error = await refusal(client.db(dbName).command({ noSuchCommand: 1 }));

    expect(error).toBeInstanceOf(Error);
    expect(isDuplicateKey(error)).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  // The pool's errors are not exported by the driver; they are what a frozen server produces for concurrent calls.
  const { PoolClearedError, PoolClearedOnNetworkError } = require('mongodb/lib/cmap/errors') as { PoolClearedError: new (pool: { address: string }) => Error; PoolClearedOnNetworkError: new (pool: { address: string }) => Error };
  const pool = { address: '127.0.0.1:27017' };

  it.each([
    ['MongoNetworkError', () => new MongoNetworkError('socket closed')],
    ['MongoNetworkTimeoutError', () => new MongoNetworkTimeoutError('socket timed out')],
    ['PoolClearedError', () => new PoolClearedError(pool)],
    ['PoolClearedOnNetworkError', () => new PoolClearedOnNetworkError(pool)],
    // A real one: nothing listens on port 1.
    ['MongoServerSelectionError', () => new MongoClient('mongodb://127.0.0.1:1', { serverSelectionTimeoutMS: 200 }).connect().then(() => new Error('connected'), (error: unknown) => error)],
    ['MongoTopologyClosedError', () => new MongoTopologyClosedError()],
    ['MongoNotConnectedError', () => new MongoNotConnectedError('not connected')],
    ['MongoClientClosedError', () => new MongoClientClosedError()],
    ['MongoOperationTimeoutError', () => new MongoOperationTimeoutError('timed out')],
    ['MongooseServerSelectionError', () => new mongoose.Error.MongooseServerSelectionError('no server')],
    ['a server that timed out (MaxTimeMSExpired)', () => new MongoServerError({ code: 50, errmsg: 'operation exceeded time limit' })],
    ['a server shutting down', () => new MongoServerError({ code: 91, errmsg: 'shutdown in progress' })],
  ])('recognises %s, by class', async (name, make) => {
    const error = await make();

    expect(isDatabaseUnavailable(error)).toBe(true);
    if (name === 'MongoServerSelectionError') expect(error).toBeInstanceOf(MongoServerSelectionError);
  });

  it('recognises a subclass whatever its name, and no other error by name alone', () => {
    class RenamedNetworkError extends MongoNetworkError {
      override get name() {
        return 'SomethingElse';
      }
    }
    const impostor = Object.assign(new Error('not a driver error'), { name: 'MongoNetworkError' });

    expect(isDatabaseUnavailable(new RenamedNetworkError('socket closed'))).toBe(true);
    expect(isDatabaseUnavailable(impostor)).toBe(false);
    expect(isDatabaseUnavailable(new MongoServerError({ code: 11000, errmsg: 'duplicate key' }))).toBe(false);
  });

  it('lets guarded turn them into DatabaseUnavailableError and pass other errors through', async () => {
    const cause = new PoolClearedOnNetworkError(pool);

    await expect(guarded(() => Promise.reject(cause))).rejects.toMatchObject({ name: 'DatabaseUnavailableError', cause });
    await expect(guarded(() => Promise.reject(new RangeError('a bug')))).rejects.toBeInstanceOf(RangeError);
  });
});
