import { ConflictError, isPlainData, type AggregateRoot, type DomainEvent, type TenantId } from '@invoicing/core';

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
 * A copy of `value` sharing nothing a caller can change: plain objects, arrays and Dates are copied; other class
 * instances (Money, Decimal) are immutable values and kept.
 */
function detached<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(detached) as T;
  if (!isPlainData(value)) return value;
  const copy = { ...value } as Record<string, unknown>;
  for (const key in copy) {
    const field = copy[key];
    if (typeof field === 'object' && field !== null) copy[key] = detached(field);
  }
  return copy as T;
}

/**
 * One collection of aggregate states, keyed by tenant and id, with optimistic versioning and unique keys.
 * Behaves like the database adapters: a write either happens whole (state and events) or fails with a conflict, and
 * what was written changes only by another write (states and events are copied in and out).
 */
export class InMemoryCollection<S extends StoredState> {
  private readonly rows = new Map<string, S>();

  constructor(
    private readonly outbox: DomainEvent[],
    private readonly uniqueKeys: readonly UniqueKey<S>[] = [],
  ) {}

  get(tenantId: TenantId, id: string): S | undefined {
    return detached(this.rows.get(`${tenantId}\u0000${id}`));
  }

  /**
   * The tenant's states ordered by id; only those `where` keeps when it is given. `where` reads the stored states
   * themselves (so that only the states kept are copied): it must not change them.
   */
  all(tenantId: TenantId, where?: (state: S) => boolean): S[] {
    const stored = this.stored(tenantId);
    return (where === undefined ? stored : stored.filter(where)).map(detached);
  }

  private stored(tenantId: TenantId): S[] {
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
      const holder = this.stored(state.tenantId).find((other) => other.id !== state.id && unique.key(other) === value);
      if (holder) throw new ConflictError(unique.code, `${unique.code}: ${value} is already used by ${holder.id}`, { existingId: holder.id });
    }
    this.rows.set(key, detached({ ...state, version: aggregate.version + 1 }));
    this.outbox.push(...aggregate.pendingEvents.map(detached));
    aggregate.markSaved();
  }
}
