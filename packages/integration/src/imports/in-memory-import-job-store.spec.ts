import { describeImportJobStore } from './import-job-store.contract';
import { InMemoryImportJobStore } from './in-memory-import-job-store';

const store = new InMemoryImportJobStore();
describeImportJobStore(() => store);
