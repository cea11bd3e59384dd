// The database a maintenance script works on: MONGO_URL, else the one `npm run stack:up` runs.
import { connectMongo, redact, type MongoConnection } from '@invoicing/integration/mongodb';
import { readEnvFile, stackEnvFile } from '@invoicing/stack';

/**
 * Connects to the scripts' database, runs `work` on it and closes it, whatever `work` does.
 * @returns `work`'s exit code, or 1 (with a message saying how to name a server) when there is no database to use.
 */
export async function withDatabase(work: (mongo: MongoConnection, where: string) => Promise<number>): Promise<number> {
  const url = process.env.MONGO_URL || readEnvFile(stackEnvFile).MONGO_URL;
  if (!url) {
    console.error('No database: set MONGO_URL (e.g. mongodb://localhost:27017/invoicing) or start the local stack with `npm run stack:up`.');
    return 1;
  }
  const mongo = await connectMongo({ url });
  try {
    return await work(mongo, `${redact(url)} (database ${mongo.connection.name})`);
  } finally {
    await mongo.close();
  }
}
