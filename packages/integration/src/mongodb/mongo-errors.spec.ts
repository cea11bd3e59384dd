import net from 'node:net';
import { types } from 'node:util';
import {
  MongoBulkWriteError,
  MongoClient,
  MongoError,
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

  it('recognises a lost connection or a cleared pool that stopped a bulk write, which the driver rethrows as MongoBulkWriteError', () => {
    const wrapped = (cause: Error) => new MongoBulkWriteError(cause as never, {} as never);
    expect(isDatabaseUnavailable(wrapped(new MongoNetworkError('connection 7 to 127.0.0.1:40123 closed')))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(new MongoNetworkTimeoutError('connection 7 to 127.0.0.1:40123 timed out')))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(new PoolClearedError(pool)))).toBe(true);
    // A bulk write the server refused, a duplicate or any other write error: not unavailability.
    expect(isDatabaseUnavailable(new MongoBulkWriteError({ message: 'E11000 duplicate key', code: 11000, writeErrors: [{ code: 11000 }] } as never, {} as never))).toBe(false);
    expect(isDatabaseUnavailable(wrapped(new Error('invalid argument')))).toBe(false);
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

  // FerretDB answers InternalError (code 1) with its PostgreSQL driver's message: these were seen while the spec's own
  // PostgreSQL was killed and restarting under writes (apps/api database-faults.spec, write-faults.spec).
  it.each([
    ['the postmaster died (57P01)', '[msg_insert.go:168 handler.(*Handler).MsgInsert] FATAL: terminating connection due to unexpected postmaster exit (SQLSTATE 57P01)'],
    ['an administrator shut it down (57P01)', '[collection.go:109 postgresql.(*collection).Query] FATAL: terminating connection due to administrator command (SQLSTATE 57P01)'],
    ['a crash of another backend (57P02)', 'FATAL: terminating connection because of crash of another server process (SQLSTATE 57P02)'],
    ['it is starting up (57P03)', '[msg_update.go:87 handler.(*Handler).MsgUpdate] FATAL: the database system is not yet accepting connections (SQLSTATE 57P03)'],
    ['a statement timeout (57014)', 'ERROR: canceling statement due to statement timeout (SQLSTATE 57014)'],
    ['too many connections (53300)', 'FATAL: sorry, too many clients already (SQLSTATE 53300)'],
    ['a connection failure (08006)', 'FATAL: connection failure (SQLSTATE 08006)'],
    [
      'no PostgreSQL listening',
      '[msg_delete.go:95 handler.(*Handler).MsgDelete] failed to connect to `user=ferretdb database=ferretdb`:\n\t127.0.0.1:41105 (127.0.0.1): dial error: dial tcp 127.0.0.1:41105: connect: connection refused',
    ],
    ['a connection lost mid-command', '[collection.go:109 postgresql.(*collection).Query] failed to receive message: unexpected EOF'],
    ['a connection closed before the command', '[msg_find.go:344 handler.handleMaxTimeMSError] conn closed'],
  ])('recognises FerretDB telling that its PostgreSQL is unavailable: %s', (_what, errmsg) => {
    expect(isDatabaseUnavailable(new MongoServerError({ ok: 0, code: 1, codeName: 'InternalError', errmsg }))).toBe(true);
  });

  it('does not take another FerretDB InternalError, nor another code with such a message, for unavailability', () => {
    const internal = (errmsg: string) => new MongoServerError({ ok: 0, code: 1, codeName: 'InternalError', errmsg });

    expect(isDatabaseUnavailable(internal('ERROR: duplicate key value violates unique constraint "keys_key" (SQLSTATE 23505)'))).toBe(false);
    expect(isDatabaseUnavailable(internal('ERROR: invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)'))).toBe(false);
    expect(isDatabaseUnavailable(internal('FATAL: invalid frontend message type 0 (SQLSTATE 08P01)'))).toBe(false); // a protocol violation: a bug
    expect(isDatabaseUnavailable(internal('unexpected nil document'))).toBe(false);
    // A refusal whose message merely quotes such text (e.g. from a document's field) is still a refusal.
    expect(isDatabaseUnavailable(new MongoServerError({ ok: 0, code: 2, codeName: 'BadValue', errmsg: "unknown operator 'failed to connect to `x`' (SQLSTATE 57P01)" }))).toBe(false);
  });

  it('recognises a write on a socket that the other party ended (EPIPE, a bare Node error), by its code', async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('end', resolve));
    const error = await new Promise<Error | null | undefined>((resolve) => socket.write('hello', resolve));
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));

    expect(error).toMatchObject({ message: 'This socket has been ended by the other party', code: 'EPIPE' });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('recognises the bare socket error the driver lets through when the server goes away during a large write', async () => {
    // A proxy to the run's server that, once told, stops reading and resets the connection: the driver is waiting for
    // its command to drain, and that wait rejects with the socket's own error, not a MongoNetworkError.
    const target = new URL(testMongoUrl());
    let cut = false;
    const proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port || 27017), target.hostname);
      client.on('error', () => undefined);
      server.on('error', () => undefined);
      client.on('data', (chunk) => {
        if (!cut) return void server.write(chunk);
        client.pause();
        server.destroy();
        setTimeout(() => client.resetAndDestroy(), 200);
      });
      server.on('data', (chunk) => client.write(chunk));
      client.on('close', () => server.destroy());
      server.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const through = new MongoClient(`mongodb://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/?directConnection=true`, { serverSelectionTimeoutMS: 5_000, retryWrites: false });
    try {
      const probe = through.db(`mongo_errors_spec_${process.pid}`).collection('probe');
      await probe.findOne({});
      cut = true;
      // Larger than the socket buffers of both ends: the write cannot drain before the reset.
      const error = await probe.insertOne({ filler: 'x'.repeat(15 * 1024 * 1024) }).then(() => undefined, (caught: unknown) => caught);

      expect(types.isNativeError(error)).toBe(true);
      expect(error).not.toBeInstanceOf(MongoError);
      expect(error).toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
      expect(isDatabaseUnavailable(error)).toBe(true);
      await expect(guarded(() => Promise.reject(error))).rejects.toMatchObject({ name: 'DatabaseUnavailableError', cause: error });
    } finally {
      await through.close(true);
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('does not take other errors with a code for a broken connection', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('a bug'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('read ECONNRESET'))).toBe(false); // no code: a message alone proves nothing
  });

  it('lets guarded turn them into DatabaseUnavailableError and pass other errors through', async () => {
    const cause = new PoolClearedOnNetworkError(pool);

    await expect(guarded(() => Promise.reject(cause))).rejects.toMatchObject({ name: 'DatabaseUnavailableError', cause });
    await expect(guarded(() => Promise.reject(new RangeError('a bug')))).rejects.toBeInstanceOf(RangeError);
  });
});
