import type { AggregateRoot, TenantId } from '@invoicing/core';

/**
 * What every aggregate repository does. `save` writes the aggregate and its pending events in one write
 * (outbox) and then marks the aggregate saved; it fails with ConflictError `concurrency.conflict` when the stored
 * version is no longer the one loaded (or an aggregate with version 0 already exists), and never overwrites.
 * Another tenant's id behaves exactly like a missing one.
 */
export interface AggregateRepository<A extends AggregateRoot, IdType extends string> {
  get(tenantId: TenantId, id: IdType): Promise<A | undefined>;
  save(aggregate: A): Promise<void>;
}
