import type { SealRecord } from '../invoice/document-seal';
import type { LedgerTransaction } from '../ledger/ledger';
import { NO_COUNTS, addCounts, checkTenant, type AccountSummary, type IntegrityCounts, type IntegrityFinding, type InvoiceFacts, type NumberReservationFacts, type PaymentFacts, type TenantIntegrity } from './integrity';
import type { IntegrityReader } from './integrity-reader.port';

/** The checker's report over every tenant read. */
export interface IntegrityReport {
  readonly tenants: readonly string[];
  readonly findings: readonly IntegrityFinding[];
  readonly notes: readonly IntegrityFinding[];
  readonly accounts: readonly AccountSummary[];
  /** What was checked, over every tenant read. */
  readonly checked: IntegrityCounts;
  /** True when there is no finding (notes are documented exceptions). */
  readonly clean: boolean;
}

/** Every item of a reader's batches, in order. */
export async function collect<T>(batches: AsyncIterable<readonly T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const batch of batches) for (const item of batch) all.push(item);
  return all;
}

/** Reads one tenant's facts and checks them. */
export async function checkTenantOf(reader: IntegrityReader, tenantId: string): Promise<TenantIntegrity> {
  // Asked before too: what a check that failed midway left is not this one's.
  reader.unreadable?.(tenantId);
  const partnerIds = new Set<string>(await collect(reader.partnerIds(tenantId)));
  const payments: PaymentFacts[] = await collect(reader.payments(tenantId));
  const invoices: InvoiceFacts[] = await collect(reader.invoices(tenantId));
  const reservations: NumberReservationFacts[] = await collect(reader.reservations(tenantId));
  const ledger: LedgerTransaction[] = await collect(reader.ledgerTransactions(tenantId));
  const seals: SealRecord[] = await collect(reader.seals(tenantId));
  return checkTenant({ tenantId, partnerIds, payments, invoices, reservations, ledger, seals, unreadable: reader.unreadable?.(tenantId) ?? [] });
}

/**
 * Proves the stored invariants of every tenant (or only `tenantId`), one tenant at a time: reports, never repairs.
 * See docs/payments-and-balances.md, "Checking the stored data".
 */
export async function checkIntegrity(reader: IntegrityReader, options: { readonly tenantId?: string } = {}): Promise<IntegrityReport> {
  const tenants: string[] = [];
  if (options.tenantId !== undefined) tenants.push(options.tenantId);
  else for await (const tenantId of reader.tenants()) tenants.push(tenantId);
  tenants.sort();
  const findings: IntegrityFinding[] = [];
  const notes: IntegrityFinding[] = [];
  const accounts: AccountSummary[] = [];
  let checked = NO_COUNTS;
  for (const tenantId of tenants) {
    const result = await checkTenantOf(reader, tenantId);
    // One by one: a spread of a large tenant's findings would overflow the stack.
    for (const found of result.findings) findings.push(found);
    for (const note of result.notes) notes.push(note);
    for (const account of result.accounts) accounts.push(account);
    checked = addCounts(checked, result.checked);
  }
  return { tenants, findings, notes, accounts, checked, clean: findings.length === 0 };
}
