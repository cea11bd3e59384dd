import type { CalendarDate, CurrencyCode, TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';

export type BillingRunStatus = 'running' | 'completed' | 'failed';

/** Why a partnership was not billed by a run: the error's stable code and message. */
export interface RunFailure {
  readonly partnershipId: PartnershipId;
  readonly code: string;
  readonly message: string;
}

/** What a dry run would have billed one partnership on one date: its lines' total and how many are corrections. */
export interface PreviewedBill {
  readonly partnershipId: PartnershipId;
  readonly billingDate: CalendarDate;
  readonly currency: CurrencyCode;
  readonly lines: number;
  readonly corrections: number;
  /** Lines less discounts, before VAT. */
  readonly netTotal: string;
}

/** A run's counts, updated as it goes: `processed` of `total` partnerships. */
export interface RunCounts {
  readonly total: number;
  readonly processed: number;
  /** Bills this run recorded (a dry run: would have recorded). */
  readonly bills: number;
  /** Of those, bills with nothing due (no invoice). */
  readonly emptyBills: number;
  readonly invoicesIssued: number;
  readonly invoicesDrafted: number;
  /** Bills another run (or an earlier attempt) had recorded, whose invoice this run made or found. */
  readonly billsFoundRecorded: number;
  readonly failed: number;
}

/**
 * A billing run: every partnership with a plan (or those listed) billed for each date due by `asOf`. Its record shows
 * progress while it runs and what it did once done; a dry run records what it would have done, and writes nothing else.
 */
export interface BillingRunState {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly asOf: CalendarDate;
  readonly dryRun: boolean;
  readonly partnershipIds?: readonly PartnershipId[];
  readonly status: BillingRunStatus;
  readonly counts: RunCounts;
  /** The first failures (at most {@link MAX_RECORDED_FAILURES}); `counts.failed` has them all. */
  readonly failures: readonly RunFailure[];
  /** For a dry run, the bills it would have recorded (at most {@link MAX_RECORDED_PREVIEWS}). */
  readonly previews?: readonly PreviewedBill[];
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt?: Date;
  /** Why a run failed as a whole (its partnerships could not be listed …). */
  readonly error?: { readonly code: string; readonly message: string };
}

export const MAX_RECORDED_FAILURES = 100;
export const MAX_RECORDED_PREVIEWS = 1000;

export const NO_COUNTS: RunCounts = { total: 0, processed: 0, bills: 0, emptyBills: 0, invoicesIssued: 0, invoicesDrafted: 0, billsFoundRecorded: 0, failed: 0 };
