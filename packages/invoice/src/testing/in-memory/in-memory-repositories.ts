import { pageOf, type CurrencyCode, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import { Invoice, type InvoiceState } from '../../invoice/invoice';
import { RECEIVABLE_STATUSES } from '../../invoice/invoice-lifecycle';
import type { DuplicateProbe, InvoiceRepository } from '../../invoice/invoice-repository.port';
import { Marketable, type MarketableState } from '../../marketable/marketable';
import type { MarketableRepository } from '../../marketable/marketable-repository.port';
import { Partner, type PartnerState } from '../../partner/partner';
import type { PartnerRepository } from '../../partner/partner-repository.port';
import { Partnership, type PartnershipState } from '../../partnership/partnership';
import type { PartnershipRepository } from '../../partnership/partnership-repository.port';
import { Payment, type PaymentState } from '../../payment/payment';
import type { PaymentRepository } from '../../payment/payment-repository.port';
import type { InvoiceId, MarketableId, PartnerId, PartnershipId, PaymentId } from '../../shared/ids';
import type { InMemoryCollection } from './in-memory-database';

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

export class InMemoryPartnerRepository implements PartnerRepository {
  constructor(private readonly collection: InMemoryCollection<PartnerState>) {}

  async get(tenantId: TenantId, id: PartnerId): Promise<Partner | undefined> {
    const state = this.collection.get(tenantId, id);
    return state && Partner.restore(state);
  }

  async save(partner: Partner): Promise<void> {
    this.collection.save(partner, partner.toState());
  }
}

export class InMemoryMarketableRepository implements MarketableRepository {
  constructor(private readonly collection: InMemoryCollection<MarketableState>) {}

  async get(tenantId: TenantId, id: MarketableId): Promise<Marketable | undefined> {
    const state = this.collection.get(tenantId, id);
    return state && Marketable.restore(state);
  }

  async save(marketable: Marketable): Promise<void> {
    this.collection.save(marketable, marketable.toState());
  }

  async findBySku(tenantId: TenantId, sku: string): Promise<Marketable | undefined> {
    const state = this.collection.all(tenantId).find((candidate) => candidate.sku === sku);
    return state && Marketable.restore(state);
  }

  async list(tenantId: TenantId, filter: { readonly active?: boolean }, page: PageRequest): Promise<Page<MarketableState>> {
    return pageById(this.collection.all(tenantId).filter((state) => filter.active === undefined || state.active === filter.active), page);
  }
}

export class InMemoryPartnershipRepository implements PartnershipRepository {
  constructor(private readonly collection: InMemoryCollection<PartnershipState>) {}

  async get(tenantId: TenantId, id: PartnershipId): Promise<Partnership | undefined> {
    const state = this.collection.get(tenantId, id);
    return state && Partnership.restore(state);
  }

  async save(partnership: Partnership): Promise<void> {
    this.collection.save(partnership, partnership.toState());
  }

  async list(tenantId: TenantId, filter: { readonly partnerId?: PartnerId }, page: PageRequest): Promise<Page<PartnershipState>> {
    const { partnerId } = filter;
    return pageById(this.collection.all(tenantId).filter((state) => partnerId === undefined || state.sellerId === partnerId || state.buyerId === partnerId), page);
  }
}

/** The issue date an invoice is compared on for duplicates: the actual or planned one, else the day it was created (UTC). */
export function referenceDate(state: InvoiceState): string {
  return state.issueDate ?? state.createdAt.toISOString().slice(0, 10);
}

export class InMemoryInvoiceRepository implements InvoiceRepository {
  constructor(private readonly collection: InMemoryCollection<InvoiceState>) {}

  async get(tenantId: TenantId, id: InvoiceId): Promise<Invoice | undefined> {
    const state = this.collection.get(tenantId, id);
    return state && Invoice.restore(state);
  }

  async save(invoice: Invoice): Promise<void> {
    this.collection.save(invoice, invoice.toState());
  }

  async findByExternalReference(tenantId: TenantId, sellerId: PartnerId, buyerId: PartnerId, externalReference: string): Promise<Invoice | undefined> {
    const state = this.collection
      .all(tenantId)
      .find((candidate) => candidate.sellerId === sellerId && candidate.buyerId === buyerId && candidate.externalReference === externalReference);
    return state && Invoice.restore(state);
  }

  async findPossibleDuplicate(tenantId: TenantId, probe: DuplicateProbe): Promise<InvoiceId | undefined> {
    return this.collection
      .all(tenantId)
      .find(
        (state) =>
          state.kind === 'invoice' &&
          state.status !== 'void' &&
          state.buyerId === probe.buyerId &&
          state.currency === probe.currency &&
          state.totals.taxInclusive.equals(probe.total) &&
          referenceDate(state) >= probe.from &&
          referenceDate(state) <= probe.to,
      )?.id;
  }

  async findReceivables(tenantId: TenantId, buyerId: PartnerId, currency: CurrencyCode): Promise<Invoice[]> {
    return this.collection
      .all(tenantId)
      .filter((state) => state.kind === 'invoice' && state.buyerId === buyerId && state.currency === currency && RECEIVABLE_STATUSES.includes(state.status))
      .map((state) => Invoice.restore(state))
      .filter((invoice) => invoice.outstanding.isPositive())
      .sort((left, right) => compareKeys([left.dueDate ?? '', left.issueDate ?? '', left.id], [right.dueDate ?? '', right.issueDate ?? '', right.id]));
  }
}

export class InMemoryPaymentRepository implements PaymentRepository {
  constructor(private readonly collection: InMemoryCollection<PaymentState>) {}

  async get(tenantId: TenantId, id: PaymentId): Promise<Payment | undefined> {
    const state = this.collection.get(tenantId, id);
    return state && Payment.restore(state);
  }

  async save(payment: Payment): Promise<void> {
    this.collection.save(payment, payment.toState());
  }

  async listByPartner(tenantId: TenantId, partnerId: PartnerId, page: PageRequest): Promise<Page<PaymentState>> {
    return pageById(this.collection.all(tenantId).filter((state) => state.partnerId === partnerId), page, true);
  }

  async findWithUnappliedCredit(tenantId: TenantId, partnerId: PartnerId, currency: CurrencyCode): Promise<Payment[]> {
    return this.collection
      .all(tenantId)
      .filter((state) => state.partnerId === partnerId && state.amount.currency === currency)
      .map((state) => Payment.restore(state))
      .filter((payment) => payment.unapplied.isPositive());
  }
}
