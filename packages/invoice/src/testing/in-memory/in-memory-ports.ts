import type { DomainEvent, EventPublisher, TenantId } from '@invoicing/core';
import { importedHolder, type NumberSequence } from '../../invoice/number-sequence.port';
import type { Outbox } from '../../shared/outbox.port';

/** Numbers per tenant and series, with each document's reservation remembered. */
export class InMemoryNumberSequence implements NumberSequence {
  private readonly series = new Map<string, { last: number; reserved: Map<string, number>; holders: Map<number, string> }>();

  async reserve(tenantId: TenantId, series: string, documentId: string): Promise<number> {
    const entry = this.entry(tenantId, series);
    const held = entry.reserved.get(documentId);
    if (held !== undefined) return held;
    do entry.last += 1;
    while (entry.holders.has(entry.last));
    entry.reserved.set(documentId, entry.last);
    entry.holders.set(entry.last, documentId);
    return entry.last;
  }

  async claimImported(tenantId: TenantId, series: string, sequence: number): Promise<boolean> {
    const entry = this.entry(tenantId, series);
    const holder = importedHolder(series, sequence);
    const current = entry.holders.get(sequence);
    if (current !== undefined) return current === holder;
    entry.holders.set(sequence, holder);
    entry.reserved.set(holder, sequence);
    return true;
  }

  private entry(tenantId: TenantId, series: string) {
    const key = `${tenantId}\u0000${series}`;
    const entry = this.series.get(key) ?? { last: 0, reserved: new Map<string, number>(), holders: new Map<number, string>() };
    this.series.set(key, entry);
    return entry;
  }
}

/** The events in-memory repositories stored, in write order. */
export class InMemoryOutbox implements Outbox {
  private readonly published = new Set<string>();

  /** The array the repositories append to. */
  constructor(readonly events: DomainEvent[] = []) {}

  async pending(limit: number): Promise<DomainEvent[]> {
    return this.events.filter((event) => !this.published.has(event.id)).slice(0, limit);
  }

  async markPublished(eventIds: readonly string[]): Promise<void> {
    for (const id of eventIds) this.published.add(id);
  }
}

/** Keeps what it was asked to publish, for tests to read. */
export class RecordingEventPublisher implements EventPublisher {
  readonly published: DomainEvent[] = [];

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.published.push(...events);
  }

  /** The types published so far, in order. */
  types(): string[] {
    return this.published.map((event) => event.type);
  }
}
