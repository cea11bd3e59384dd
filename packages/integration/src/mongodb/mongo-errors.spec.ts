import { MongoClient } from 'mongodb';
import { isDuplicateKey } from './mongo-errors';
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
