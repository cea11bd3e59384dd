import { describeIdempotencyStoreContract } from './idempotency-store.contract';
import { InMemoryIdempotencyStore } from './in-memory-idempotency-store';

const store = new InMemoryIdempotencyStore();
describeIdempotencyStoreContract('in-memory', (options) => (options ? new InMemoryIdempotencyStore(options) : store));
