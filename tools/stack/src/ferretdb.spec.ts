import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Long, MongoClient, MongoServerError, ObjectId } from 'mongodb';
import { ferretDbEnvironment, probeMongo } from './ferretdb';
import { freePort } from './processes';
import { readStackEnv } from './stack-env';

jest.setTimeout(30_000); // real server round trips; Jest's projects cannot set testTimeout per project

// Against the real server of the run (FerretDB started by the global setup, or MONGO_URL).
describe('FerretDB through the mongodb driver', () => {
  const dbName = `stack_spec_${process.pid}_${Date.now()}`;
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(readStackEnv().MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  describe('ping', () => {
    it('answers ok when the stack is up', async () => {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    });
  });

  describe('insertMany / find', () => {
    it('reads back what it wrote, filtered by tenant and sorted, with 64-bit amounts intact', async () => {
      const invoices = client.db(dbName).collection('invoices');
      await invoices.insertMany([
        { tenantId: 'acme', number: 'A-2', totalMinor: Long.fromString('9007199254740993') },
        { tenantId: 'acme', number: 'A-1', totalMinor: Long.fromNumber(12_345) },
        { tenantId: 'globex', number: 'G-1', totalMinor: Long.fromNumber(1) },
      ]);

      const found = await invoices.find({ tenantId: 'acme' }, { sort: { number: 1 }, projection: { _id: 0 }, promoteLongs: false }).toArray();

      expect(found.map((doc) => doc.number)).toEqual(['A-1', 'A-2']);
      expect((found[1]?.totalMinor as Long).toString()).toBe('9007199254740993'); // 2^53 + 1: beyond a double
    });
  });

  describe('createIndex (unique)', () => {
    it('refuses a duplicate key with code 11000 when a unique index covers it', async () => {
      const numbers = client.db(dbName).collection('numbers');
      await numbers.createIndex({ tenantId: 1, number: 1 }, { unique: true });
      await numbers.insertOne({ tenantId: 'acme', number: 'INV-1' });
      await numbers.insertOne({ tenantId: 'globex', number: 'INV-1' }); // same number, other tenant: allowed

      const duplicate = numbers.insertOne({ tenantId: 'acme', number: 'INV-1' });

      await expect(duplicate).rejects.toBeInstanceOf(MongoServerError);
      await expect(duplicate).rejects.toMatchObject({ code: 11000 });
      expect(await numbers.countDocuments({ number: 'INV-1' })).toBe(2);
    });
  });
});

// The subset of ADR 0002 that the adapters build on: it must hold on FerretDB and on MongoDB alike.
describe('portable MongoDB subset (docs/adr/0002)', () => {
  const dbName = `stack_subset_${process.pid}_${Date.now()}`;
  let client: MongoClient;

  beforeAll(async () => {
    client = await MongoClient.connect(readStackEnv().MONGO_URL, { serverSelectionTimeoutMS: 5_000, promoteLongs: false });
  });

  afterAll(async () => {
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  describe('aggregate $group $sum', () => {
    it('sums 64-bit minor units exactly past 2^53 when grouped by a denormalised month', async () => {
      const invoices = client.db(dbName).collection('invoices');
      await invoices.insertMany([
        { tenantId: 'acme', issueMonth: '2026-01', totalMinor: Long.fromString('9007199254740993') },
        { tenantId: 'acme', issueMonth: '2026-01', totalMinor: Long.fromNumber(2) },
        { tenantId: 'acme', issueMonth: '2026-02', totalMinor: Long.fromNumber(5) },
      ]);

      const totals = await invoices
        .aggregate<{ _id: string; total: Long }>([{ $match: { tenantId: 'acme' } }, { $group: { _id: '$issueMonth', total: { $sum: '$totalMinor' } } }, { $sort: { _id: 1 } }])
        .toArray();

      expect(totals.map((row) => [row._id, row.total.toString()])).toEqual([
        ['2026-01', '9007199254740995'],
        ['2026-02', '5'],
      ]);
    });
  });

  describe('findOneAndUpdate', () => {
    it('applies a change only when the stored version is the one read (optimistic concurrency)', async () => {
      const aggregates = client.db(dbName).collection('aggregates');
      await aggregates.insertOne({ _id: new ObjectId(), tenantId: 'acme', key: 'inv-1', version: 1, status: 'draft' });

      const first = await aggregates.findOneAndUpdate({ tenantId: 'acme', key: 'inv-1', version: 1 }, { $set: { status: 'issued' }, $inc: { version: 1 } }, { returnDocument: 'after' });
      const stale = await aggregates.findOneAndUpdate({ tenantId: 'acme', key: 'inv-1', version: 1 }, { $set: { status: 'void' }, $inc: { version: 1 } });

      expect(first).toMatchObject({ status: 'issued' });
      expect(stale).toBeNull();
      expect(await aggregates.findOne({ key: 'inv-1' }, { projection: { _id: 0, status: 1 } })).toEqual({ status: 'issued' });
    });
  });

  describe('updateOne upsert with $setOnInsert', () => {
    it('keeps the first result when an idempotency key is replayed', async () => {
      const keys = client.db(dbName).collection('idempotency');
      await keys.createIndex({ tenantId: 1, key: 1 }, { unique: true });
      const remember = (result: string) => keys.updateOne({ tenantId: 'acme', key: 'req-1' }, { $setOnInsert: { result } }, { upsert: true });

      await remember('first');
      const replay = await remember('second');

      expect(replay.upsertedCount).toBe(0);
      expect(await keys.findOne({ tenantId: 'acme', key: 'req-1' }, { projection: { _id: 0, result: 1 } })).toEqual({ result: 'first' });
    });
  });

  describe('bulkWrite (unordered)', () => {
    it('writes the good documents and reports the duplicate with code 11000', async () => {
      const lines = client.db(dbName).collection('lines');
      await lines.createIndex({ tenantId: 1, ref: 1 }, { unique: true });

      const write = lines.bulkWrite(
        ['r1', 'r1', 'r2'].map((ref) => ({ insertOne: { document: { tenantId: 'acme', ref } } })),
        { ordered: false },
      );

      await expect(write).rejects.toMatchObject({ code: 11000 });
      expect(await lines.countDocuments({ tenantId: 'acme' })).toBe(2);
    });
  });
});

describe('probeMongo', () => {
  it('resolves when the server answers a ping and a write/read round trip', async () => {
    await expect(probeMongo(readStackEnv().MONGO_URL, { roundTrip: true })).resolves.toBeUndefined();
  });

  it('rejects within its timeout when nothing listens on the port', async () => {
    const began = Date.now();

    await expect(probeMongo(`mongodb://127.0.0.1:${await freePort()}/`, { timeoutMs: 500 })).rejects.toThrow();
    expect(Date.now() - began).toBeLessThan(5_000);
  });
});

describe('ferretDbEnvironment', () => {
  it("collects FerretDB's garbage at a memory limit rather than at each doubling of its heap", () => {
    expect(ferretDbEnvironment({ PATH: '/bin' })).toEqual({ PATH: '/bin', GOGC: 'off', GOMEMLIMIT: '512MiB' });
  });

  it("keeps the user's own GOGC and GOMEMLIMIT", () => {
    expect(ferretDbEnvironment({ GOGC: '200', GOMEMLIMIT: '2GiB' })).toMatchObject({ GOGC: '200', GOMEMLIMIT: '2GiB' });
  });
});
