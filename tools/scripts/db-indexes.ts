// `npm run db:indexes`: creates the collections and indexes of the MongoDB adapters that are missing (idempotent).
// The server is MONGO_URL, else the one `npm run stack:up` runs.
import { connectMongo, createMongoAdapters, redact } from '@invoicing/integration/mongodb';
import { readEnvFile, stackEnvFile } from '@invoicing/stack';

export async function main(): Promise<number> {
  const url = process.env.MONGO_URL || readEnvFile(stackEnvFile).MONGO_URL;
  if (!url) {
    console.error('No database: set MONGO_URL (e.g. mongodb://localhost:27017/invoicing) or start the local stack with `npm run stack:up`.');
    return 1;
  }
  const mongo = await connectMongo({ url });
  try {
    const created = await createMongoAdapters(mongo).ensureIndexes();
    console.log(`Indexes of ${redact(url)} (database ${mongo.connection.name}):`);
    for (const [collection, names] of Object.entries(created)) console.log(`  ${collection}: ${names.join(', ')}`);
    return 0;
  } finally {
    await mongo.close();
  }
}
