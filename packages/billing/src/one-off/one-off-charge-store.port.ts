import type { CalendarDate, TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import type { OneOffCharge } from './one-off-charge';

/**
 * Where one-off charges wait for their bill. A charge ends either taken by billing ({@link claim}) or cancelled
 * ({@link cancel}), never both: the two are decided one after the other per charge, on every adapter.
 */
export interface OneOffChargeStore {
  /**
   * Stores a charge once per tenant and id. The same id again answers the stored charge (`created` false): a retry.
   * @throws ConflictError `one_off.id_taken` when the id holds a different charge
   */
  add(charge: OneOffCharge): Promise<{ readonly charge: OneOffCharge; readonly created: boolean }>;
  /** A charge by id, cancelled or not. */
  get(tenantId: TenantId, id: string): Promise<OneOffCharge | undefined>;
  /**
   * A partnership's charges dated on or before `through`, billed or not (a bill tells which it charged), cancelled
   * ones left out, by date then id.
   */
  listThrough(tenantId: TenantId, partnershipId: PartnershipId, through: CalendarDate): Promise<readonly OneOffCharge[]>;
  /**
   * Takes charges for the bill `billKey`, before it is recorded: from then on none of them can be cancelled. A charge
   * taken already stays taken (by the bill that took it first). Answers the ids of those cancelled: not taken, and the
   * bill must be worked out again without them.
   */
  claim(tenantId: TenantId, ids: readonly string[], billKey: string, at: Date): Promise<readonly string[]>;
  /**
   * Cancels a charge no bill has taken; a charge cancelled already is answered as it is. Undefined when there is none.
   * @throws ConflictError `one_off.already_billed` when billing took it ({@link claim})
   */
  cancel(tenantId: TenantId, id: string, at: Date): Promise<OneOffCharge | undefined>;
}
export const ONE_OFF_CHARGE_STORE = Symbol.for('@invoicing/billing/OneOffChargeStore');
