import {
  invoiceFacts,
  paymentFacts,
  type IntegrityReader,
  type InvoiceFacts,
  type LedgerTransaction,
  type NumberReservationFacts,
  type PaymentFacts,
  type SealRecord,
  type UnreadableDocument,
} from '@invoicing/invoice';
import type { Model } from 'mongoose';
import { sealRecordOf, type DocumentSealDocument } from './document-sealer';
import { deriveInvoice, invoiceKeys, invoiceMapper, type InvoiceDocument } from './mappers/invoice.mapper';
import { ledgerTransactionToDomain, type LedgerTransactionDocument } from './mappers/ledger-transaction.mapper';
import { reservedSequence, type NumberReservationDocument } from './mappers/number-reservation.mapper';
import { paymentMapper, type PaymentDocument } from './mappers/payment.mapper';
import { toBigInt } from './mappers/value.mapper';
import { guarded } from './mongo-errors';
import type { Models } from './schemas';

/** How many documents one round trip of a cursor reads, and the size of the batches the reader yields. */
export const INTEGRITY_BATCH_SIZE = 500;

/**
 * The invariant checker's reader on MongoDB (or FerretDB 1.x): each collection of a tenant read once, by a cursor on
 * `tenantId` (the first field of every index), lean, in batches, and each document mapped through its mapper and
 * reduced to the facts the checks need, so that only the facts stay in memory. Plain equality filters only, no sort
 * (FerretDB sorts in memory, ADR 0002).
 */
export class MongoIntegrityReader implements IntegrityReader {
  /** Per tenant, the documents read since the last {@link unreadable} that no mapper could read. */
  private readonly skipped = new Map<string, UnreadableDocument[]>();

  constructor(
    private readonly models: Models,
    private readonly batchSize = INTEGRITY_BATCH_SIZE,
  ) {}

  async *tenants(): AsyncIterable<string> {
    const names = ['partners', 'payments', 'invoices', 'number_reservations', 'ledger_transactions', 'document_seals'] as const;
    const all = new Set<string>();
    for (const name of names) {
      const found = await guarded(() => this.models[name].distinct('tenantId').exec());
      for (const tenantId of found) all.add(String(tenantId));
    }
    yield* [...all].sort();
  }

  partnerIds(tenantId: string): AsyncIterable<readonly string[]> {
    return this.read(this.models.partners, tenantId, { id: 1 }, (document: { id: string }) => document.id);
  }

  payments(tenantId: string): AsyncIterable<readonly PaymentFacts[]> {
    return this.read(this.models.payments, tenantId, { outbox: 0 }, (document: PaymentDocument) =>
      paymentFacts(paymentMapper.toDomain(document), document.derived?.unappliedMinor === undefined ? undefined : toBigInt(document.derived.unappliedMinor)),
    );
  }

  invoices(tenantId: string): AsyncIterable<readonly InvoiceFacts[]> {
    return this.read(this.models.invoices, tenantId, { outbox: 0 }, (document: InvoiceDocument) => {
      const state = invoiceMapper.toDomain(document);
      const derived = deriveInvoice(state);
      // What the mapper writes beside the state, without encoding the state again.
      const stale = staleQueryFields(document as unknown as Record<string, unknown>, { ...invoiceKeys(state, derived), derived });
      return { ...invoiceFacts(state), ...(stale.length > 0 ? { staleQueryFields: stale } : {}) };
    });
  }

  reservations(tenantId: string): AsyncIterable<readonly NumberReservationFacts[]> {
    return this.read(this.models.number_reservations, tenantId, { _v: 1, series: 1, sequence: 1, documentId: 1 }, (document: NumberReservationDocument) => ({
      series: document.series,
      sequence: reservedSequence(document, `${tenantId}/${document.series}/${document.documentId}`),
      documentId: document.documentId,
    }));
  }

  ledgerTransactions(tenantId: string): AsyncIterable<readonly LedgerTransaction[]> {
    // Without the credit notes' content (ADR 0024): the checker holds a tenant's whole ledger in memory.
    return this.read(this.models.ledger_transactions, tenantId, { creditNote: 0 }, (document: LedgerTransactionDocument) => ledgerTransactionToDomain(document));
  }

  seals(tenantId: string): AsyncIterable<readonly SealRecord[]> {
    return this.read(this.models.document_seals, tenantId, {}, (document: DocumentSealDocument) => sealRecordOf(document));
  }

  /** The documents of the tenant read so far that could not be read, each once: a finding each, not a failed run. */
  unreadable(tenantId: string): readonly UnreadableDocument[] {
    const found = this.skipped.get(tenantId) ?? [];
    this.skipped.delete(tenantId);
    return found;
  }

  private async *read<D, T>(model: Model<Record<string, unknown>>, tenantId: string, projection: Record<string, 0 | 1>, map: (document: D) => T): AsyncIterable<readonly T[]> {
    const cursor = model.find({ tenantId }, projection).lean<D[]>().cursor({ batchSize: this.batchSize });
    let batch: T[] = [];
    try {
      for (;;) {
        const document = (await guarded(() => cursor.next())) as D | null;
        if (document === null) break;
        try {
          batch.push(map(document));
        } catch (error) {
          const id = String((document as { _id?: unknown })._id);
          this.skipped.set(tenantId, [...(this.skipped.get(tenantId) ?? []), { collection: model.collection.collectionName, id, message: (error as Error).message }]);
        }
        if (batch.length >= this.batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await cursor.close();
    }
  }
}

/**
 * The fields stored beside a document's state for queries and reports (`derived.*`, the top-level keys) that differ
 * from what its mapper writes for that state now: edited by hand, or written by an older version under the same stored
 * format. The reports and lists would count such a document as it is not. Absent and null are the same.
 */
function staleQueryFields(stored: Record<string, unknown>, expected: Record<string, unknown>): string[] {
  const stale: string[] = [];
  for (const [field, value] of Object.entries(expected)) {
    if (field === 'derived' && value !== null && typeof value === 'object') {
      const storedDerived = (stored['derived'] ?? {}) as Record<string, unknown>;
      for (const [key, each] of Object.entries(value as Record<string, unknown>)) if (!samePlain(storedDerived[key], each)) stale.push(`derived.${key}`);
    } else if (!samePlain(stored[field], value)) stale.push(field);
  }
  return stale.sort();
}

function samePlain(left: unknown, right: unknown): boolean {
  return JSON.stringify(plain(left)) === JSON.stringify(plain(right));
}

/** A stored or mapped value as plain JSON: 64-bit integers (bigint, BSON Long) and numbers as decimal text. */
function plain(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    if ('_bsontype' in value) return String(value);
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, each]) => [key, plain(each)]));
  }
  return value;
}
