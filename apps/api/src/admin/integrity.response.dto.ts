/** One id a finding names, e.g. the payment and the partner of an unbalanced payment. */
export class IntegrityIdDto {
  /** What the id is. @example "paymentId" */
  name!: string;
  /** The id, or the number or sequence, as text. @example "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b" */
  value!: string;
}

/** One amount a finding compares, e.g. what a payment received against what was applied from it. */
export class IntegrityAmountDto {
  /** What the amount is. @example "applied" */
  name!: string;
  /** A decimal string in `currency`. @example "120.00" */
  amount!: string;
  /** ISO 4217 code. @example "EUR" */
  currency!: string;
}

/** One broken invariant of the stored data, or a note (a documented exception). */
export class IntegrityFindingDto {
  /**
   * What is broken: an `integrity.` code of the errors page (/docs/guide/errors#the-invariant-checker).
   * @example "integrity.payment_unbalanced"
   */
  code!: string;
  /** For people. @example "payment 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b applied and refunded more than it received" */
  message!: string;
  /** The ids involved, in the order the checker names them. */
  ids!: IntegrityIdDto[];
  /** The amounts compared (empty for a finding about numbers or references). */
  amounts!: IntegrityAmountDto[];
}

/** How much the check read: what its findings are out of. */
export class IntegrityCountsDto {
  /** @example 12 */
  partners!: number;
  /** @example 40 */
  payments!: number;
  /** Invoices (credit notes apart), drafts included. @example 57 */
  invoices!: number;
  /** @example 3 */
  creditNotes!: number;
  /** Numbers reserved for documents. @example 52 */
  numberReservations!: number;
  /** @example 0 */
  ledgerTransactions!: number;
  /** @example 0 */
  ledgerPostings!: number;
  /** Ledger accounts (a partner in one currency) with at least one transaction. @example 0 */
  ledgerAccounts!: number;
}

/** What the invariant checker found in the caller's tenant. It reports; it repairs nothing. */
export class IntegrityReportDto {
  /** True when there is no finding (notes are documented exceptions, not findings). @example true */
  clean!: boolean;
  /** When the check started. @example "2026-12-18T09:30:00.000Z" */
  checkedAt!: Date;
  /** How long the check took, in milliseconds. @example 184 */
  durationMs!: number;
  checked!: IntegrityCountsDto;
  /** How many findings there are; `findings` lists the first 1000 of them. @example 0 */
  findingCount!: number;
  /** The findings, at most 1000: tenant by tenant, check by check, as the checker found them. */
  findings!: IntegrityFindingDto[];
  /** How many notes there are; `notes` lists the first 1000 of them. @example 0 */
  noteCount!: number;
  /** Documented exceptions, such as the number a refused credit note left unused, at most 1000. */
  notes!: IntegrityFindingDto[];
}
