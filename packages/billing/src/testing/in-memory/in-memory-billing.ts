import { ConflictError, pageOf, type CalendarDate, type DomainEvent, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import type { InvoiceId, PartnershipId } from '@invoicing/invoice';
import { InMemoryAggregateRepository, InMemoryCollection, compareKeys } from '@invoicing/invoice/testing';
import { sameOneOff, type OneOffCharge } from '../../one-off/one-off-charge';
import type { OneOffChargeStore } from '../../one-off/one-off-charge-store.port';
import { BillingPlan, type BillingPlanState } from '../../plans/billing-plan';
import type { BillingPlanRepository } from '../../plans/billing-plan-repository.port';
import type { BillOutcome, BillState } from '../../runs/bill';
import { BillPositionTakenError, type BillRepository } from '../../runs/bill-repository.port';
import type { BillingAdapters } from '../../billing-adapters';
import type { BillingRunState } from '../../runs/billing-run';
import type { BillingRunRepository } from '../../runs/billing-run-repository.port';
import type { MeasuredUsage } from '../../pricing/price-usage';
import { aggregate, type BillableMetric } from '../../usage/billable-metric';
import { sameUsage } from '../../usage/usage-event';
import type { AppendOutcome, InstantRange, ReceiptWindow, RecordedUsageEvent, UsageEventStore } from '../../usage/usage-event-store.port';

export type { BillingAdapters };

const key = (tenantId: TenantId, id: string): string => `${tenantId}\u0000${id}`;

export class InMemoryBillingPlanRepository extends InMemoryAggregateRepository<BillingPlan, PartnershipId, BillingPlanState> implements BillingPlanRepository {
  constructor(collection: InMemoryCollection<BillingPlanState> = new InMemoryCollection<BillingPlanState>([])) {
    super(collection, (state) => BillingPlan.restore(state));
  }

  async listIds(tenantId: TenantId, page: { readonly after?: PartnershipId; readonly limit: number }): Promise<readonly PartnershipId[]> {
    return this.collection
      .all(tenantId)
      .map((state) => state.id)
      .filter((id) => page.after === undefined || id > page.after)
      .slice(0, page.limit);
  }

  async count(tenantId: TenantId): Promise<number> {
    return this.collection.all(tenantId).length;
  }
}

export class InMemoryUsageEventStore implements UsageEventStore {
  private readonly events = new Map<string, RecordedUsageEvent>();

  async append(events: readonly RecordedUsageEvent[]): Promise<readonly AppendOutcome[]> {
    return events.map((event) => {
      const stored = this.events.get(key(event.tenantId, event.eventId));
      if (stored) return sameUsage(stored, event) ? 'duplicate' : 'id_taken';
      this.events.set(key(event.tenantId, event.eventId), event);
      return 'stored';
    });
  }

  async find(tenantId: TenantId, eventIds: readonly string[]): Promise<ReadonlyMap<string, RecordedUsageEvent>> {
    const found = eventIds.flatMap((eventId) => {
      const stored = this.events.get(key(tenantId, eventId));
      return stored === undefined ? [] : [[eventId, stored] as const];
    });
    return new Map(found);
  }

  async measure(tenantId: TenantId, partnershipId: PartnershipId, metric: BillableMetric, range: InstantRange, options: { readonly eventAmounts?: boolean } = {}): Promise<MeasuredUsage & { readonly events: number }> {
    const events = this.of(tenantId, partnershipId).filter(
      (event) => event.metricCode === metric.code && event.timestamp.getTime() >= range.from.getTime() && event.timestamp.getTime() < range.to.getTime(),
    );
    const measured = aggregate(metric, events);
    if (options.eventAmounts) return measured;
    const { eventAmounts, ...rest } = measured;
    void eventAmounts;
    return rest;
  }

  async lateUsage(tenantId: TenantId, partnershipId: PartnershipId, received: ReceiptWindow, occurredBefore: Date): Promise<ReadonlyMap<string, Date>> {
    const earliest = new Map<string, Date>();
    for (const event of this.of(tenantId, partnershipId)) {
      const receivedAt = event.receivedAt.getTime();
      if (receivedAt <= received.after.getTime() || receivedAt > received.upTo.getTime() || event.timestamp.getTime() >= occurredBefore.getTime()) continue;
      const known = earliest.get(event.metricCode);
      if (known === undefined || event.timestamp < known) earliest.set(event.metricCode, event.timestamp);
    }
    return earliest;
  }

  /** How many events a tenant has stored. */
  count(tenantId: TenantId): number {
    return [...this.events.values()].filter((event) => event.tenantId === tenantId).length;
  }

  private of(tenantId: TenantId, partnershipId: PartnershipId): RecordedUsageEvent[] {
    return [...this.events.values()].filter((event) => event.tenantId === tenantId && event.partnershipId === partnershipId);
  }
}

export class InMemoryOneOffChargeStore implements OneOffChargeStore {
  private readonly charges = new Map<string, OneOffCharge>();
  /** The bill that took each charge taken, by tenant and id. */
  private readonly claims = new Map<string, string>();

  async add(charge: OneOffCharge): Promise<{ readonly charge: OneOffCharge; readonly created: boolean }> {
    const stored = this.charges.get(key(charge.tenantId, charge.id));
    if (stored) {
      if (!sameOneOff(stored, charge)) throw new ConflictError('one_off.id_taken', `one-off charge ${charge.id} exists with other details`, { id: charge.id });
      return { charge: stored, created: false };
    }
    this.charges.set(key(charge.tenantId, charge.id), charge);
    return { charge, created: true };
  }

  async get(tenantId: TenantId, id: string): Promise<OneOffCharge | undefined> {
    return this.charges.get(key(tenantId, id));
  }

  async listThrough(tenantId: TenantId, partnershipId: PartnershipId, through: CalendarDate): Promise<readonly OneOffCharge[]> {
    return [...this.charges.values()]
      .filter((charge) => charge.tenantId === tenantId && charge.partnershipId === partnershipId && charge.date <= through && charge.cancelledAt === undefined)
      .sort((left, right) => compareKeys([left.date, left.id], [right.date, right.id]));
  }

  // No await between reading a charge and writing it: each call decides alone, as the database's lock makes it.
  async claim(tenantId: TenantId, ids: readonly string[], billKey: string): Promise<readonly string[]> {
    const cancelled: string[] = [];
    for (const id of ids) {
      const charge = this.charges.get(key(tenantId, id));
      if (charge?.cancelledAt !== undefined) cancelled.push(id);
      else if (charge && !this.claims.has(key(tenantId, id))) this.claims.set(key(tenantId, id), billKey);
    }
    return cancelled;
  }

  async cancel(tenantId: TenantId, id: string, at: Date): Promise<OneOffCharge | undefined> {
    const charge = this.charges.get(key(tenantId, id));
    if (!charge || charge.cancelledAt !== undefined) return charge;
    const bill = this.claims.get(key(tenantId, id));
    if (bill !== undefined) throw alreadyBilled(id, bill);
    const cancelled = { ...charge, cancelledAt: at };
    this.charges.set(key(tenantId, id), cancelled);
    return cancelled;
  }
}

function alreadyBilled(id: string, billKey: string): ConflictError {
  return new ConflictError('one_off.already_billed', `one-off charge ${id} was taken by bill ${billKey}: credit it with a one-off credit instead`, { id, bill: billKey });
}

export class InMemoryBillRepository implements BillRepository {
  private readonly bills = new Map<string, BillState>();

  async record(bill: BillState): Promise<{ readonly bill: BillState; readonly recorded: boolean }> {
    const stored = this.bills.get(key(bill.tenantId, bill.key));
    if (stored) return { bill: stored, recorded: false };
    if (bill.position !== undefined) {
      const taken = [...this.bills.values()].some((each) => each.tenantId === bill.tenantId && each.partnershipId === bill.partnershipId && each.position === bill.position);
      if (taken) throw new BillPositionTakenError(bill.key, bill.position);
    }
    this.bills.set(key(bill.tenantId, bill.key), bill);
    return { bill, recorded: true };
  }

  async markInvoiced(tenantId: TenantId, billKey: string, outcome: BillOutcome, at: Date): Promise<void> {
    const stored = this.bills.get(key(tenantId, billKey));
    if (!stored || stored.status !== 'pending') return;
    this.bills.set(key(tenantId, billKey), { ...stored, status: 'invoiced', outcome, invoicedAt: at });
  }

  async listByPartnership(tenantId: TenantId, partnershipId: PartnershipId): Promise<readonly BillState[]> {
    return this.all(tenantId)
      .filter((bill) => bill.partnershipId === partnershipId)
      .sort((left, right) => compareKeys([left.billingDate], [right.billingDate]));
  }

  async findByInvoice(tenantId: TenantId, invoiceId: InvoiceId): Promise<BillState | undefined> {
    return this.all(tenantId).find((bill) => bill.invoiceId === invoiceId);
  }

  async listByRun(tenantId: TenantId, runId: string, page: { readonly after?: string; readonly limit: number }): Promise<readonly BillState[]> {
    return this.all(tenantId)
      .filter((bill) => bill.runId === runId && (page.after === undefined || bill.key > page.after))
      .sort((left, right) => compareKeys([left.key], [right.key]))
      .slice(0, page.limit);
  }

  private all(tenantId: TenantId): BillState[] {
    return [...this.bills.values()].filter((bill) => bill.tenantId === tenantId);
  }
}

export class InMemoryBillingRunRepository implements BillingRunRepository {
  private readonly runs = new Map<string, BillingRunState>();

  async create(run: BillingRunState): Promise<void> {
    if (this.runs.has(key(run.tenantId, run.id))) throw new ConflictError('billing_run.id_taken', `billing run ${run.id} exists`, { id: run.id });
    this.runs.set(key(run.tenantId, run.id), run);
  }

  async update(run: BillingRunState): Promise<void> {
    // Replaces a created run only, as a database update would: a run never created is not made here.
    if (this.runs.has(key(run.tenantId, run.id))) this.runs.set(key(run.tenantId, run.id), run);
  }

  async get(tenantId: TenantId, id: string): Promise<BillingRunState | undefined> {
    return this.runs.get(key(tenantId, id));
  }

  async claimStalled(tenantId: TenantId, id: string, stalledBefore: Date, at: Date): Promise<BillingRunState | undefined> {
    const run = this.runs.get(key(tenantId, id));
    if (!run || run.status !== 'running' || run.updatedAt > stalledBefore) return undefined;
    const claimed = { ...run, updatedAt: at };
    this.runs.set(key(tenantId, id), claimed);
    return claimed;
  }

  async list(tenantId: TenantId, page: PageRequest): Promise<Page<BillingRunState>> {
    const runs = [...this.runs.values()].filter((run) => run.tenantId === tenantId).sort((left, right) => compareKeys([right.startedAt.getTime(), right.id], [left.startedAt.getTime(), left.id]));
    return pageOf(runs, page, (run) => [run.startedAt.getTime(), run.id], (left, right) => compareKeys(right, left));
  }
}

/** A fresh, empty set of in-memory billing adapters. */
export function createInMemoryBillingAdapters(events: DomainEvent[] = []): BillingAdapters {
  return {
    plans: new InMemoryBillingPlanRepository(new InMemoryCollection<BillingPlanState>(events)),
    usage: new InMemoryUsageEventStore(),
    oneOffs: new InMemoryOneOffChargeStore(),
    bills: new InMemoryBillRepository(),
    runs: new InMemoryBillingRunRepository(),
  };
}
