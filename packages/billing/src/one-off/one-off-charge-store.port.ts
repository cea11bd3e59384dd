import type { CalendarDate, TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import type { OneOffCharge } from './one-off-charge';

/** Where one-off charges wait for their bill. */
export interface OneOffChargeStore {
  /**
   * Stores a charge once per tenant and id. The same id again answers the stored charge (`created` false): a retry.
   * @throws ConflictError `one_off.id_taken` when the id holds a different charge
   */
  add(charge: OneOffCharge): Promise<{ readonly charge: OneOffCharge; readonly created: boolean }>;
  /** A partnership's charges dated on or before `through`, billed or not (a bill tells which it charged), by date then id. */
  listThrough(tenantId: TenantId, partnershipId: PartnershipId, through: CalendarDate): Promise<readonly OneOffCharge[]>;
}
export const ONE_OFF_CHARGE_STORE = Symbol.for('@invoicing/billing/OneOffChargeStore');
