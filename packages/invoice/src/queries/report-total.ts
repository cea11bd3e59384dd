import { InvalidStateError, RUNNING_TOTAL_MAX_MINOR, RunningTotal, type CurrencyCode } from '@invoicing/core';
import type { PartnerId } from '../shared/ids';
import type { AccountBalance, AgingRow } from './invoice-queries.port';
import { AGING_BUCKETS, type AgingBucket } from './invoice-summary';

/** Which figure of which row of a report a sum is: its currency, its buyer in reports with a row per buyer, its name. */
export interface ReportFigure {
  readonly currency: CurrencyCode;
  readonly partnerId?: PartnerId;
  /** The figure's name in the row, e.g. `invoiceTotal`, `days1To30`. */
  readonly figure: string;
}

/**
 * A sum of a report beyond what the database sums exactly: ±(2^63 − 1) minor units, over 9 223 documents at the largest
 * amount in one row. Refused rather than wrapped or rounded; `details` name the row and figure.
 */
export class ReportTotalOutOfRangeError extends InvalidStateError {
  override readonly name: string = 'ReportTotalOutOfRangeError';

  constructor(row: ReportFigure) {
    const of = row.partnerId === undefined ? '' : ` of partner ${row.partnerId}`;
    super(
      'report.total_out_of_range',
      `the ${row.figure} in ${row.currency}${of} passes ${RUNNING_TOTAL_MAX_MINOR} minor units, the most a report sums exactly`,
      { ...row },
    );
  }
}

/**
 * A report's sum of amounts (a month's invoices, a buyer's receivables): not an amount, so it may pass the largest
 * amount (ADR 0011) and is a `RunningTotal`, exact to the minor unit. `minor` is `null` when the database could not sum
 * it in 64 bits. Both adapters build every figure here, so they refuse the same sums.
 * @throws ReportTotalOutOfRangeError `report.total_out_of_range` beyond ±(2^63 − 1) minor units
 */
export function reportTotal(minor: bigint | null, row: ReportFigure): RunningTotal {
  if (minor === null || minor > RUNNING_TOTAL_MAX_MINOR || minor < -RUNNING_TOTAL_MAX_MINOR) throw new ReportTotalOutOfRangeError(row);
  return RunningTotal.ofMinor(minor, row.currency);
}

/**
 * An aging row from the sum of each bucket in minor units (`null`: past 64 bits in the database); its total is the
 * buckets' sum. @throws ReportTotalOutOfRangeError as {@link reportTotal}
 */
export function agingRow(partnerId: PartnerId, currency: CurrencyCode, sums: Readonly<Record<AgingBucket, bigint | null>>): AgingRow {
  const buckets = Object.fromEntries(AGING_BUCKETS.map((bucket) => [bucket, reportTotal(sums[bucket], { currency, partnerId, figure: bucket })])) as Record<AgingBucket, RunningTotal>;
  const total = AGING_BUCKETS.reduce((sum, bucket) => sum + buckets[bucket].minor, 0n);
  return { partnerId, currency, ...buckets, total: reportTotal(total, { currency, partnerId, figure: 'total' }) };
}

/**
 * A partner's balance in one currency from its sums in minor units (`null`: past 64 bits in the database): what its
 * receivable invoices owe, what its payments left, and the difference. @throws ReportTotalOutOfRangeError as {@link reportTotal}
 */
export function balanceRow(partnerId: PartnerId, currency: CurrencyCode, outstandingMinor: bigint | null, unappliedMinor: bigint | null): AccountBalance {
  const outstanding = reportTotal(outstandingMinor, { currency, partnerId, figure: 'outstanding' });
  const unappliedCredit = reportTotal(unappliedMinor, { currency, partnerId, figure: 'unappliedCredit' });
  return { currency, outstanding, unappliedCredit, balance: reportTotal(outstanding.minor - unappliedCredit.minor, { currency, partnerId, figure: 'balance' }) };
}
