import type { TenantId } from '../ids/id';
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

  /** Events raised since the last save, in order. */
  get pendingEvents(): readonly DomainEvent[] {
    return this.events;
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
    this.events.push({
      // The type is part of the id: aggregates of two types may share an id (a billing plan has its partnership's).
      id: `${this.tenantId}/${this.aggregateType}/${this.id}/${aggregateVersion}/${index}`,
      type,
      tenantId: this.tenantId,
      aggregateType: this.aggregateType,
      aggregateId: this.id,
      aggregateVersion,
      index,
      occurredAt,
      payload,
    });
  }
}
