/**
 * @invoicing/integration: the adapters of the invoicing domain. This entry loads no database driver:
 * - `@invoicing/integration/mongodb`: every port of `@invoicing/invoice` on MongoDB (or FerretDB 1.x) through mongoose;
 * - here: the idempotency port the API uses for `Idempotency-Key`, and the import-job port of accounts-receivable
 *   imports sent to the API, each with an in-memory implementation.
 * @packageDocumentation
 */
export { InMemoryIdempotencyStore } from './idempotency/in-memory-idempotency-store';
export type { IdempotencyOptions, IdempotencyOutcome, IdempotencyStore, StoredResponse } from './idempotency/idempotency-store.port';
export { InMemoryImportJobStore } from './imports/in-memory-import-job-store';
export { MAX_REFUSED_ROWS_KEPT, refusedRowOf } from './imports/import-job-store.port';
export type { ImportJobCounts, ImportJobState, ImportJobStatus, ImportJobStore, RefusedRow } from './imports/import-job-store.port';
