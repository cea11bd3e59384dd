import { ConflictError, type AggregateRoot, type TenantId } from '@invoicing/core';
import type { AggregateRepository } from './repository.port';

/**
 * Creates an aggregate once per request. `id`, when given, is derived from the request (the API hashes the tenant,
 * the `Idempotency-Key` and the request itself): every attempt of the same request creates under the same id, so the
 * insert, unique per tenant and id, is the guard. An aggregate already stored under it (an earlier attempt whose
 * answer was lost, or one running at the same moment) is answered as it is now, and nothing new is created.
 * Without `id`, `create` makes a new one and it is saved as usual.
 */
export async function createOnce<A extends AggregateRoot<IdType> & { toState(): S }, IdType extends string, S>(
  repository: AggregateRepository<A, IdType>,
  tenantId: TenantId,
  id: IdType | undefined,
  create: () => Promise<A> | A,
): Promise<S> {
  if (id !== undefined) {
    const stored = await repository.get(tenantId, id);
    if (stored) return stored.toState();
  }
  const aggregate = await create();
  try {
    await repository.save(aggregate);
  } catch (error) {
    // Another attempt of the same request inserted the id first (a unique key held by another aggregate is no such case).
    const stored = id !== undefined && error instanceof ConflictError ? await repository.get(tenantId, id) : undefined;
    if (!stored) throw error;
    return stored.toState();
  }
  return aggregate.toState();
}
