/** Nest injection tokens of what the composition root hands to controllers besides the use cases. */
export const API_CONFIG = Symbol.for('@invoicing/api/ApiConfig');
export const IDEMPOTENCY_STORE = Symbol.for('@invoicing/api/IdempotencyStore');
export const TOKEN_VERIFIER = Symbol.for('@invoicing/api/TokenVerifier');
export const DATABASE = Symbol.for('@invoicing/api/Database');
export const IMPORT_JOB_STORE = Symbol.for('@invoicing/api/ImportJobStore');
/** The event log, webhook endpoints and deliveries, and the outbox's backlog (`createMongoEventAdapters`). */
export const EVENT_ADAPTERS = Symbol.for('@invoicing/api/EventAdapters');
/** This process's event relay, or null when another process relays (`EVENTS_RELAY=off`). */
export const EVENT_RELAY = Symbol.for('@invoicing/api/EventRelay');
