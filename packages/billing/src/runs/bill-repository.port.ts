import { ConflictError, type TenantId } from '@invoicing/core';
import type { InvoiceId, PartnershipId } from '@invoicing/invoice';
import type { BillOutcome, BillState } from './bill';

/** Bills, unique per tenant and key (partnership and billing date), and per partnership and position. */
export interface BillRepository {
  /**
   * Records a bill unless its key is taken, and answers the stored one: `recorded` false when another run (or an earlier
   * attempt of this one) recorded the key first, whose bill, not this one, is then the truth.
   * @throws BillPositionTakenError when the key is free but the partnership has a bill at the bill's `position`: a
   *   bill was recorded since the caller read the partnership's bills, and this one was worked out without it
   */
  record(bill: BillState): Promise<{ readonly bill: BillState; readonly recorded: boolean }>;
  /** Marks a pending bill invoiced, with what became of its invoice. Marking it again changes nothing. */
  markInvoiced(tenantId: TenantId, key: string, outcome: BillOutcome, at: Date): Promise<void>;
  /** A partnership's bills, by billing date. */
  listByPartnership(tenantId: TenantId, partnershipId: PartnershipId): Promise<readonly BillState[]>;
  /** The bill an invoice was made from. */
  findByInvoice(tenantId: TenantId, invoiceId: InvoiceId): Promise<BillState | undefined>;
  /** The bills a run recorded, by key, after `after`. */
  listByRun(tenantId: TenantId, runId: string, page: { readonly after?: string; readonly limit: number }): Promise<readonly BillState[]>;
}
export const BILL_REPOSITORY = Symbol.for('@invoicing/billing/BillRepository');

/**
 * A bill was recorded in the position another bill holds: the bills it was worked out from are no longer all the
 * partnership's bills (another run recorded one since). Read them again and work the bill out again.
 */
export class BillPositionTakenError extends ConflictError {
  override readonly name: string = 'BillPositionTakenError';

  constructor(key: string, position: number) {
    super('billing.bills_changed', `bill ${key}: another bill of its partnership was recorded in position ${position} since its bills were read`, { key, position });
  }
}
