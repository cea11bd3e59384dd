import type { CurrencyCode, Page, PageRequest, TenantId } from '@invoicing/core';
import type { PartnerId, PaymentId } from '../shared/ids';
import type { AggregateRepository } from '../shared/repository.port';
import type { Payment, PaymentState } from './payment';

/** Port: stores payments. */
export interface PaymentRepository extends AggregateRepository<Payment, PaymentId> {
  /** A partner's payments, newest first (by id). */
  listByPartner(tenantId: TenantId, partnerId: PartnerId, page: PageRequest): Promise<Page<PaymentState>>;
  /**
   * A partner's payments in a currency that still have unapplied credit, in id order: not the order they came in (ids
   * derived from an idempotency key or an import do not sort by time), which callers decide.
   */
  findWithUnappliedCredit(tenantId: TenantId, partnerId: PartnerId, currency: CurrencyCode): Promise<Payment[]>;
}
/** Injection token of {@link PaymentRepository}. */
export const PAYMENT_REPOSITORY = Symbol.for('@invoicing/invoice/PaymentRepository');
