import { pageOf, type AggregateRoot, type CurrencyCode, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import { Invoice, type InvoiceState } from '../../invoice/invoice';
import { RECEIVABLE_STATUSES } from '../../invoice/invoice-lifecycle';
import { duplicateReferenceDate, type DuplicateProbe, type InvoiceRepository } from '../../invoice/invoice-repository.port';
import { Marketable, type MarketableState } from '../../marketable/marketable';
import type { MarketableRepository } from '../../marketable/marketable-repository.port';
import { Partner, externalIdTaken, heldExternalId, type PartnerState } from '../../partner/partner';
import type { PartnerRepository } from '../../partner/partner-repository.port';
import { Partnership, type PartnershipState } from '../../partnership/partnership';
import type { PartnershipRepository } from '../../partnership/partnership-repository.port';
import { Payment, type PaymentState } from '../../payment/payment';
import type { PaymentRepository } from '../../payment/payment-repository.port';
import type { InvoiceId, MarketableId, PartnerId, PartnershipId, PaymentId } from '../../shared/ids';
import type { InMemoryCollection, StoredState } from './in-memory-database';

/** Compares sort keys element by element; numbers and strings compare naturally. */
export function compareKeys(left: readonly (string | number)[], right: readonly (string | number)[]): number {
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const a = left[index] ?? '';
    const b = right[index] ?? '';
    if (a < b) return -1;
    if (a > b) return 1;
  }
  return 0;
}

/** Pages states in id order (ascending, or descending when `newestFirst`). */
export function pageById<S extends { readonly id: string }>(states: readonly S[], page: PageRequest, newestFirst = false): Page<S> {
  const sorted = newestFirst ? [...states].reverse() : states;
  return pageOf(sorted, page, (state) => [state.id], newestFirst ? (left, right) => compareKeys(right, left) : compareKeys);
}

/** What every in-memory repository does: states kept in a collection, aggregates rebuilt from them on read. */
export class InMemoryAggregateRepository<A extends AggregateRoot<IdType> & { toState(): S }, IdType extends string, S extends StoredState> {
  constructor(
    protected readonly collection: InMemoryCollection<S>,
    private readonly restore: (state: S) => A,
  ) {}

  async get(tenantId: TenantId, id: IdType): Promise<A | undefined> {
    const state = this.collection.get(tenantId, id);
    return state && this.restore(state);
  }

  async save(aggregate: A): Promise<void> {
    this.collection.save(aggregate, aggregate.toState());
  }

  async getMany(tenantId: TenantId, ids: readonly IdType[]): Promise<A[]> {
    return [...new Set(ids)].flatMap((id) => {
      const state = this.collection.get(tenantId, id);
      return state ? [this.restore(state)] : [];
    });
  }

  /** Rebuilds the aggregate of a stored state. */
  protected restored(state: S): A {
    return this.restore(state);
  }
}

export class InMemoryPartnerRepository extends InMemoryAggregateRepository<Partner, PartnerId, PartnerState> implements PartnerRepository {
  constructor(collection: InMemoryCollection<PartnerState>) {
    super(collection, (state) => Partner.restore(state));
  }

  override async save(partner: Partner): Promise<void> {
    const externalId = heldExternalId(partner);
    const holders = externalId === undefined ? [] : this.collection.all(partner.tenantId, (state) => heldExternalId(state) === externalId);
    const taken = externalIdTaken(partner, holders);
    if (taken) throw taken;
    // No await since the check: nothing else runs between it and the write.
    return super.save(partner);
  }

  async findByExternalId(tenantId: TenantId, externalId: string): Promise<Partner[]> {
    return this.collection.all(tenantId, (state) => heldExternalId(state) === externalId).map((state) => this.restored(state));
  }
}

export class InMemoryMarketableRepository extends InMemoryAggregateRepository<Marketable, MarketableId, MarketableState> implements MarketableRepository {
  constructor(collection: InMemoryCollection<MarketableState>) {
    super(collection, (state) => Marketable.restore(state));
  }

  async findBySku(tenantId: TenantId, sku: string): Promise<Marketable | undefined> {
    const [state] = this.collection.all(tenantId, (candidate) => candidate.sku === sku);
    return state && this.restored(state);
  }

  async list(tenantId: TenantId, filter: { readonly active?: boolean }, page: PageRequest): Promise<Page<MarketableState>> {
    return pageById(this.collection.all(tenantId, (state) => filter.active === undefined || state.active === filter.active), page);
  }
}

export class InMemoryPartnershipRepository extends InMemoryAggregateRepository<Partnership, PartnershipId, PartnershipState> implements PartnershipRepository {
  constructor(collection: InMemoryCollection<PartnershipState>) {
    super(collection, (state) => Partnership.restore(state));
  }

  async list(tenantId: TenantId, filter: { readonly partnerId?: PartnerId }, page: PageRequest): Promise<Page<PartnershipState>> {
    const { partnerId } = filter;
    return pageById(this.collection.all(tenantId, (state) => partnerId === undefined || state.sellerId === partnerId || state.buyerId === partnerId), page);
  }
}

export class InMemoryInvoiceRepository extends InMemoryAggregateRepository<Invoice, InvoiceId, InvoiceState> implements InvoiceRepository {
  /** Per tenant and reference, the last task queued to hold it. */
  private readonly holders = new Map<string, Promise<unknown>>();

  constructor(collection: InMemoryCollection<InvoiceState>) {
    super(collection, (state) => Invoice.restore(state));
  }

  async holdingReference<T>(tenantId: TenantId, externalReference: string, task: () => Promise<T>): Promise<T> {
    const key = `${tenantId}\u0000${externalReference}`;
    const current = (this.holders.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    this.holders.set(key, current);
    try {
      return await current;
    } finally {
      if (this.holders.get(key) === current) this.holders.delete(key);
    }
  }

  async findImported(tenantId: TenantId, numbers: readonly string[]): Promise<Invoice[]> {
    const wanted = new Set(numbers);
    return this.collection
      .all(tenantId, (state) => state.importedAt !== undefined && state.number !== undefined && wanted.has(state.number))
      .map((state) => this.restored(state));
  }

  async findByExternalReference(tenantId: TenantId, sellerId: PartnerId, buyerId: PartnerId, externalReference: string): Promise<Invoice | undefined> {
    const [state] = this.collection.all(
      tenantId,
      (candidate) => candidate.sellerId === sellerId && candidate.buyerId === buyerId && candidate.externalReference === externalReference,
    );
    return state && this.restored(state);
  }

  async findPossibleDuplicate(tenantId: TenantId, probe: DuplicateProbe): Promise<InvoiceId | undefined> {
    return this.collection.all(
      tenantId,
      (state) =>
        state.kind === 'invoice' &&
        state.status !== 'void' &&
        state.buyerId === probe.buyerId &&
        state.currency === probe.currency &&
        state.totals.taxInclusive.equals(probe.total) &&
        duplicateReferenceDate(state) >= probe.from &&
        duplicateReferenceDate(state) <= probe.to,
    )[0]?.id;
  }

  async findReceivables(tenantId: TenantId, buyerId: PartnerId, currency: CurrencyCode): Promise<Invoice[]> {
    return this.collection
      .all(tenantId, (state) => state.kind === 'invoice' && state.buyerId === buyerId && state.currency === currency && RECEIVABLE_STATUSES.includes(state.status))
      .map((state) => this.restored(state))
      .filter((invoice) => invoice.outstanding.isPositive())
      .sort((left, right) => compareKeys([left.dueDate ?? '', left.issueDate ?? '', left.id], [right.dueDate ?? '', right.issueDate ?? '', right.id]));
  }
}

export class InMemoryPaymentRepository extends InMemoryAggregateRepository<Payment, PaymentId, PaymentState> implements PaymentRepository {
  constructor(collection: InMemoryCollection<PaymentState>) {
    super(collection, (state) => Payment.restore(state));
  }

  async listByPartner(tenantId: TenantId, partnerId: PartnerId, page: PageRequest): Promise<Page<PaymentState>> {
    return pageById(this.collection.all(tenantId, (state) => state.partnerId === partnerId), page, true);
  }

  async findWithUnappliedCredit(tenantId: TenantId, partnerId: PartnerId, currency: CurrencyCode): Promise<Payment[]> {
    return this.collection
      .all(tenantId, (state) => state.partnerId === partnerId && state.amount.currency === currency)
      .map((state) => this.restored(state))
      .filter((payment) => payment.unapplied.isPositive());
  }
}
