/**
 * @invoicing/integration: the adapters of the invoicing domain. This entry loads no database driver:
 * - `@invoicing/integration/mongodb`: every port of `@invoicing/invoice` on MongoDB (or FerretDB 1.x) through mongoose;
 * - here: the idempotency port the API uses for `Idempotency-Key`, with an in-memory implementation.
 * @packageDocumentation
 */
export { InMemoryIdempotencyStore } from './idempotency/in-memory-idempotency-store';
export type { IdempotencyOptions, IdempotencyOutcome, IdempotencyStore, StoredResponse } from './idempotency/idempotency-store.port';
