import type { BillingRunState, PreviewedBill, RunCounts, RunFailure } from '@invoicing/billing';
import type { TenantId } from '@invoicing/core';
import { documentId } from '../mappers/aggregate-document';
import { STORED_FORMAT, storedFormatOf } from '../mappers/stored-format';
import { decodeState, encodeState } from '../mappers/stored-state';
import { compact, dateToDomain, optional, type AllFieldsOf } from '../mappers/value.mapper';

type StoredFields = Omit<BillingRunState, 'tenantId' | 'id' | 'startedAt'>;

/** A run's progress and outcome, each field named; the same on both ways, dates kept as dates by the state's encoding. */
function progressOf(run: StoredFields): StoredFields {
  return compact({
    asOf: run.asOf,
    dryRun: run.dryRun,
    partnershipIds: optional(run.partnershipIds, (ids) => [...ids]),
    status: run.status,
    counts: {
      total: run.counts.total,
      processed: run.counts.processed,
      bills: run.counts.bills,
      emptyBills: run.counts.emptyBills,
      invoicesIssued: run.counts.invoicesIssued,
      invoicesDrafted: run.counts.invoicesDrafted,
      billsFoundRecorded: run.counts.billsFoundRecorded,
      failed: run.counts.failed,
    } satisfies AllFieldsOf<RunCounts>,
    failures: run.failures.map((failure) => ({ partnershipId: failure.partnershipId, code: failure.code, message: failure.message }) satisfies AllFieldsOf<RunFailure>),
    previews: optional(run.previews, (previews) =>
      previews.map(
        (preview) =>
          ({
            partnershipId: preview.partnershipId,
            billingDate: preview.billingDate,
            currency: preview.currency,
            lines: preview.lines,
            corrections: preview.corrections,
            netTotal: preview.netTotal,
          }) satisfies AllFieldsOf<PreviewedBill>,
      ),
    ),
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    error: optional(run.error, (error) => ({ code: error.code, message: error.message }) satisfies AllFieldsOf<typeof error>),
  } satisfies AllFieldsOf<StoredFields>);
}

/** A `billing_runs` document: what the list sorts on (`startedAt`, `id`) as fields, the rest one string (ADR 0012). */
export interface BillingRunDocument {
  readonly _id: string;
  readonly _v?: number;
  readonly tenantId: string;
  readonly id: string;
  readonly startedAt: Date;
  readonly state: string;
}

export function billingRunToPersistence(run: BillingRunState): BillingRunDocument {
  return { _id: documentId(run.tenantId, run.id), _v: STORED_FORMAT, tenantId: run.tenantId, id: run.id, startedAt: run.startedAt, state: encodeState(progressOf(run)) };
}

/** @throws UnsupportedStoredFormatError */
export function billingRunToDomain(document: BillingRunDocument): BillingRunState {
  storedFormatOf(document, `billing_runs ${document._id}`);
  const progress = progressOf(decodeState<StoredFields>(document.state));
  return {
    tenantId: document.tenantId as TenantId,
    id: document.id,
    startedAt: dateToDomain(document.startedAt),
    ...progress,
    updatedAt: dateToDomain(progress.updatedAt),
    ...(progress.finishedAt === undefined ? {} : { finishedAt: dateToDomain(progress.finishedAt) }),
  };
}
