import { describeImportJobStore } from '../imports/import-job-store.contract';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';
import { MongoImportJobStore } from './import-job-store';
import { ensureIndexes, modelsOf } from './schemas';

// The import-job contract on the real server (FerretDB from the stack in `npm test`).
let database: TestDatabase;
let store: MongoImportJobStore;

beforeAll(async () => {
  database = await createTestDatabase('import_jobs');
  await ensureIndexes(database.mongo.connection);
  store = new MongoImportJobStore(modelsOf(database.mongo.connection));
});
afterAll(async () => {
  await database?.drop();
});

describeImportJobStore(() => store);
