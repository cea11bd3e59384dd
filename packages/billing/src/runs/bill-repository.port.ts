import type { TenantId } from '@invoicing/core';
import type { InvoiceId, PartnershipId } from '@invoicing/invoice';
import type { BillOutcome, BillState } from './bill';

/** Bills, unique per tenant and key (partnership and billing date). */
export interface BillRepository {
  /**
   * Records a bill unless its key is taken, and answers the stored one: `recorded` false when another run (or an earlier
   * attempt of this one) recorded the key first, whose bill, not this one, is then the truth.
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
