import type { DomainEvent } from '@invoicing/core';

/**
 * Port: the events repositories stored with their aggregates, waiting to be published.
 * Read in storage order, which keeps each aggregate's events in order.
 */
export interface Outbox {
  /** Up to `limit` unpublished events, oldest first. */
  pending(limit: number): Promise<DomainEvent[]>;
  /** Marks events published; unknown ids are ignored. */
  markPublished(eventIds: readonly string[]): Promise<void>;
}
/** Injection token of {@link Outbox}. */
export const OUTBOX = Symbol.for('@invoicing/invoice/Outbox');
