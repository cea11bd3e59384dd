import { ConflictError, type AggregateRoot, type DomainEvent, type TenantId } from '@invoicing/core';

/** The fields every stored aggregate state has. */
export interface StoredState {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly version: number;
}

/** A unique key a collection enforces, like a unique index: the error code when taken, and the key (undefined = not indexed). */
export interface UniqueKey<S> {
  readonly code: string;
  readonly key: (state: S) => string | undefined;
}

/**
 * One collection of aggregate states, keyed by tenant and id, with optimistic versioning and unique keys.
 * Behaves like the database adapters: a write either happens whole (state and events) or fails with a conflict.
 */
export class InMemoryCollection<S extends StoredState> {
  private readonly rows = new Map<string, S>();

  constructor(
    private readonly outbox: DomainEvent[],
    private readonly uniqueKeys: readonly UniqueKey<S>[] = [],
  ) {}

  get(tenantId: TenantId, id: string): S | undefined {
    return this.rows.get(`${tenantId}\u0000${id}`);
  }

  /** The tenant's states ordered by id. */
  all(tenantId: TenantId): S[] {
    const prefix = `${tenantId}\u0000`;
    return [...this.rows.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, state]) => state)
      .sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  }

  /** Writes the aggregate's state and pending events if its version is still the stored one, then marks it saved. */
  save(aggregate: AggregateRoot, state: S): void {
    const key = `${state.tenantId}\u0000${state.id}`;
    const current = this.rows.get(key);
    if ((current?.version ?? 0) !== aggregate.version || (aggregate.version === 0 && current !== undefined)) {
      throw new ConflictError('concurrency.conflict', `${aggregate.aggregateType} ${aggregate.id} was changed by someone else`, {
        id: aggregate.id,
        version: aggregate.version,
      });
    }
    for (const unique of this.uniqueKeys) {
      const value = unique.key(state);
      if (value === undefined) continue;
      const holder = this.all(state.tenantId).find((other) => other.id !== state.id && unique.key(other) === value);
      if (holder) throw new ConflictError(unique.code, `${unique.code}: ${value} is already used by ${holder.id}`, { existingId: holder.id });
    }
    this.rows.set(key, { ...state, version: aggregate.version + 1 });
    this.outbox.push(...aggregate.pendingEvents);
    aggregate.markSaved();
  }
}
