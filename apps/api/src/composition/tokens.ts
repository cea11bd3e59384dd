/** Nest injection tokens of what the composition root hands to controllers besides the use cases. */
export const API_CONFIG = Symbol.for('@invoicing/api/ApiConfig');
export const IDEMPOTENCY_STORE = Symbol.for('@invoicing/api/IdempotencyStore');
export const TOKEN_VERIFIER = Symbol.for('@invoicing/api/TokenVerifier');
export const DATABASE = Symbol.for('@invoicing/api/Database');
export const IMPORT_JOB_STORE = Symbol.for('@invoicing/api/ImportJobStore');
