import type { CalendarDate, CurrencyCode, TenantId } from '@invoicing/core';
import type { PartnershipId } from '../shared/ids';

/**
 * Port: what a partnership's billing plan (`@invoicing/billing`, which this package does not import) holds against a
 * change of the partnership. `@invoicing/billing`'s module binds it; a container without billing binds none, and nothing is
 * held.
 */
export interface PartnershipPlans {
  /**
   * Why the partnership's currency may not become `currency` now (its billing plan still bills in another), or
   * undefined when it may. Asked before the change is saved.
   */
  currencyLock(tenantId: TenantId, partnershipId: PartnershipId, currency: CurrencyCode): Promise<CurrencyLock | undefined>;
  /**
   * Ends the partnership's billing after `lastDay`, its last day in force: asked before the partnership is saved ended,
   * so that a failure leaves it as it was, and ending it again does the rest.
   */
  endAfter(tenantId: TenantId, partnershipId: PartnershipId, lastDay: CalendarDate): Promise<void>;
  /**
   * What the partnership's billing plan still has to bill and invoice, in words, or undefined when nothing: no plan, or
   * one that has ended with every date due billed and invoiced. Asked before a party of it is archived, since no
   * invoice is drafted for an archived party.
   */
  stillToBill(tenantId: TenantId, partnershipId: PartnershipId): Promise<string | undefined>;
}

/** Why a partnership's currency is held: the currency its billing plan bills in, and what it still has to bill. */
export interface CurrencyLock {
  readonly planCurrency: CurrencyCode;
  readonly reason: string;
}

/** Injection token of {@link PartnershipPlans}. */
export const PARTNERSHIP_PLANS = Symbol.for('@invoicing/invoice/PartnershipPlans');
