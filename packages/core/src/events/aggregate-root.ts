import type { TenantId } from '../ids/id';
import { isPlainData, withOwnDates } from '../objects/frozen-state';
import type { DomainEvent } from './domain-event';

/**
 * What every aggregate shares: its tenant, id, optimistic-concurrency version and the events raised since it was loaded.
 * Repositories save the state and `pendingEvents` in one write, then call `markSaved()`.
 */
export abstract class AggregateRoot<IdType extends string = string> {
  private events: DomainEvent[] = [];

  protected constructor(
    readonly tenantId: TenantId,
    readonly id: IdType,
    private savedVersion: number,
  ) {}

  /** The name events and errors use for this kind of aggregate, e.g. `invoice`. */
  abstract readonly aggregateType: string;

  /** The version as last loaded or saved; 0 for an aggregate never saved. A save succeeds only if the stored version still equals it. */
  get version(): number {
    return this.savedVersion;
  }

  /**
   * Events raised since the last save, in order. A new list of copies each call, sharing only frozen parts (payloads)
   * and no Date with the events kept: nothing a caller does with them changes what the repository saves and publishes.
   */
  get pendingEvents(): readonly DomainEvent[] {
    return this.events.map(withOwnDates);
  }

  /** Called by a repository once state and events are stored: the version moves on and the events are no longer pending. */
  markSaved(): void {
    this.savedVersion += 1;
    this.events = [];
  }

  /** Records an event for the change just made; subclasses call it from their intention-revealing methods. */
  protected raise<Type extends string, Payload>(type: Type, payload: Payload, occurredAt: Date): void {
    const aggregateVersion = this.savedVersion + 1;
    const index = this.events.length;
    // Frozen, with copies of the caller's Dates: nothing the caller still holds reaches what is saved.
    this.events.push(Object.freeze({
      // The type is part of the id: aggregates of two types may share an id (a billing plan has its partnership's).
      id: `${this.tenantId}/${this.aggregateType}/${this.id}/${aggregateVersion}/${index}`,
      type,
      tenantId: this.tenantId,
      aggregateType: this.aggregateType,
      aggregateId: this.id,
      aggregateVersion,
      index,
      occurredAt: new Date(occurredAt.getTime()),
      payload: frozenData(withOwnDates(payload)),
    }));
  }
}

/**
 * Freezes the plain objects and arrays of `value`, all the way down. Not `frozenState`: a payload is small and made
 * once, and `frozenState`'s record of what it made costs more per event than walking the payload.
 */
function frozenData<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || !(Array.isArray(value) || isPlainData(value))) return value;
  const fields = value as Record<string, unknown>;
  for (const key in fields) frozenData(fields[key]);
  return Object.freeze(value);
}
