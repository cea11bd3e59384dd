import type { TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import type { MeasuredUsage } from '../pricing/price-usage';
import type { BillableMetric } from './billable-metric';
import type { UsageEvent } from './usage-event';

/** A usage event as stored: checked, its partnership known, and when it was received. */
export interface RecordedUsageEvent extends UsageEvent {
  readonly partnershipId: PartnershipId;
  readonly receivedAt: Date;
}

/** What became of one event of a batch: stored, a resend of one already stored, or another event under a taken id. */
export type AppendOutcome = 'stored' | 'duplicate' | 'id_taken';

/** Half-open span of instants: from `from` (included) to `to` (excluded). */
export interface InstantRange {
  readonly from: Date;
  readonly to: Date;
}

/** Events received after `after` and at or before `upTo`. */
export interface ReceiptWindow {
  readonly after: Date;
  readonly upTo: Date;
}

/** Where usage events are kept and measured. */
export interface UsageEventStore {
  /**
   * Stores each event once per tenant and event id, and says, in the order given, what became of each: an id already
   * stored is `duplicate` when it holds the same usage ({@link sameUsage}), else `id_taken`; it is never stored twice,
   * however many batches carrying it run at once.
   */
  append(events: readonly RecordedUsageEvent[]): Promise<readonly AppendOutcome[]>;
  /**
   * The events a tenant has stored under these ids, by id; an id nothing is stored under is absent. What answers a
   * resend that is refused now (its buyer, or its plan, says otherwise than when it was stored): it was stored once.
   */
  find(tenantId: TenantId, eventIds: readonly string[]): Promise<ReadonlyMap<string, RecordedUsageEvent>>;
  /**
   * A metric's figure for a partnership over a range of instants (by event timestamp), as {@link aggregate} computes it
   * from the same events; with each counted event's amount when `eventAmounts` is asked (a percentage price with fees
   * or limits per event).
   */
  measure(
    tenantId: TenantId,
    partnershipId: PartnershipId,
    metric: BillableMetric,
    range: InstantRange,
    options?: { readonly eventAmounts?: boolean },
  ): Promise<MeasuredUsage & { readonly events: number }>;
  /**
   * For each metric, the earliest timestamp of a partnership's events received after `received.after` and up to
   * `received.upTo` (both instants of the caller's clock), dated before `occurredBefore`: where a run must look again
   * for usage that arrived after its period was billed. Bounding the receipt lets an adapter read only the events
   * received in that window, however long the partnership's history.
   */
  lateUsage(tenantId: TenantId, partnershipId: PartnershipId, received: ReceiptWindow, occurredBefore: Date): Promise<ReadonlyMap<string, Date>>;
}
export const USAGE_EVENT_STORE = Symbol.for('@invoicing/billing/UsageEventStore');
