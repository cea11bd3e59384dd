import type { SealRecord } from '../invoice/document-seal';
import type { LedgerTransaction } from '../ledger/ledger';
import type { InvoiceFacts, NumberReservationFacts, PaymentFacts, UnreadableDocument } from './integrity';

/**
 * What the invariant checker reads: the stored states of each tenant, as streams of batches, so that a tenant's
 * documents are never all loaded as documents at once (adapters read with cursors; the checker keeps only the facts).
 */
export interface IntegrityReader {
  /** Every tenant with something stored, each once. */
  tenants(): AsyncIterable<string>;
  partnerIds(tenantId: string): AsyncIterable<readonly string[]>;
  payments(tenantId: string): AsyncIterable<readonly PaymentFacts[]>;
  /** Invoices and credit notes. */
  invoices(tenantId: string): AsyncIterable<readonly InvoiceFacts[]>;
  reservations(tenantId: string): AsyncIterable<readonly NumberReservationFacts[]>;
  ledgerTransactions(tenantId: string): AsyncIterable<readonly LedgerTransaction[]>;
  /** The links of the tenant's hash chains of issued documents, in any order (ADR 0022). */
  seals(tenantId: string): AsyncIterable<readonly SealRecord[]>;
  /**
   * The documents of the tenant the streams above left out because they could not be read (a stored field edited into
   * something no version writes) since it was last asked: the checker asks before reading a tenant and once it has
   * read it. A reader that cannot fail to read has none.
   */
  unreadable?(tenantId: string): readonly UnreadableDocument[];
}

/** Binds the reader in a container. */
export const INTEGRITY_READER = Symbol.for('invoicing.IntegrityReader');
