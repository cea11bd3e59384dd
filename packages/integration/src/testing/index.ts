/** Test helpers for code that runs on the MongoDB adapters: a throw-away database per test file. */
export { createTestDatabase, testMongoUrl, type TestDatabase } from './mongo-test-database';
export { describeIdempotencyStoreContract } from '../idempotency/idempotency-store.contract';
