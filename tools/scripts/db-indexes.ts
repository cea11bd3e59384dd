// `npm run db:indexes`: creates the collections and indexes of the MongoDB adapters that are missing (idempotent).
// The server is MONGO_URL, else the one `npm run stack:up` runs.
import { createMongoAdapters, createMongoBillingAdapters } from '@invoicing/integration/mongodb';
import { withDatabase } from './database';

export async function main(): Promise<number> {
  return withDatabase(async (mongo, where) => {
    const created = { ...(await createMongoAdapters(mongo).ensureIndexes()), ...(await createMongoBillingAdapters(mongo).ensureIndexes()) };
    console.log(`Indexes of ${where}:`);
    for (const [collection, names] of Object.entries(created)) console.log(`  ${collection}: ${names.join(', ')}`);
    return 0;
  });
}
