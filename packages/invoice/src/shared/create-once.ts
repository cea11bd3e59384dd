import { DomainError, type AggregateRoot, type TenantId } from '@invoicing/core';
import type { AggregateRepository } from './repository.port';

/**
 * Creates an aggregate once per request. `id`, when given, is derived from the request (the API hashes the tenant,
 * the `Idempotency-Key` and the request itself): every attempt of the same request creates under the same id, so the
 * insert, unique per tenant and id, is the guard. An aggregate already stored under it (an earlier attempt whose
 * answer was lost, or one running at the same moment) is answered as it is now, and nothing new is created.
 * Without `id`, `create` makes a new one and it is saved as usual.
 *
 * The stored one is looked up only when `create` or the insert fails, not before (one read less on every creation):
 * `create` must therefore have no effect a retry could repeat, beyond what is keyed by the id itself (a number
 * reserved for the id is the same number again).
 */
export async function createOnce<A extends AggregateRoot<IdType> & { toState(): S }, IdType extends string, S>(
  repository: AggregateRepository<A, IdType>,
  tenantId: TenantId,
  id: IdType | undefined,
  create: () => Promise<A> | A,
): Promise<S> {
  // An earlier attempt's aggregate may make `create` refuse (its own external reference, SKU …) or the insert fail.
  const storedEarlier = async (error: unknown): Promise<S> => {
    const stored = id !== undefined && error instanceof DomainError ? await repository.get(tenantId, id) : undefined;
    if (!stored) throw error;
    return stored.toState();
  };
  let aggregate: A;
  try {
    aggregate = await create();
  } catch (error) {
    return storedEarlier(error);
  }
  try {
    await repository.save(aggregate);
  } catch (error) {
    // Another attempt of the same request inserted the id first (a unique key held by another aggregate is no such case).
    return storedEarlier(error);
  }
  return aggregate.toState();
}
