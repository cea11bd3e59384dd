import type { BillingRunRepository, BillingRunState } from '@invoicing/billing';
import { ConflictError, ValidationError, decodeCursor, encodeCursor, pageLimit, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import type { Model } from 'mongoose';
import { lockIdOf } from '../aggregate-store';
import type { DocumentLocks } from '../document-lock';
import { documentId } from '../mappers/aggregate-document';
import { guarded, isDuplicateKey } from '../mongo-errors';
import { op } from '../query-support';
import { billingRunToDomain, billingRunToPersistence, type BillingRunDocument } from './billing-run.mapper';

/** Billing runs on MongoDB: created by one insert against the unique (tenant, id), then replaced as they progress. */
export class MongoBillingRunRepository implements BillingRunRepository {
  constructor(
    private readonly model: Model<Record<string, unknown>>,
    private readonly locks: DocumentLocks,
  ) {}

  async create(run: BillingRunState): Promise<void> {
    try {
      await guarded(() => this.model.collection.insertOne(billingRunToPersistence(run) as never));
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError('billing_run.id_taken', `billing run ${run.id} exists`, { id: run.id });
      throw error;
    }
  }

  async update(run: BillingRunState): Promise<void> {
    // No lock and no version: the run is the only writer of its record, and each write replaces it whole.
    const { _id, ...fields } = billingRunToPersistence(run);
    await guarded(() => this.model.collection.updateOne({ _id } as never, { $set: fields }));
  }

  /** Under the record's lock: FerretDB 1.x can match one conditional update for two callers at once (ADR 0007). */
  async claimStalled(tenantId: TenantId, id: string, stalledBefore: Date, at: Date): Promise<BillingRunState | undefined> {
    const _id = documentId(tenantId, id);
    return this.locks.withLock(lockIdOf(this.model, { _id }), tenantId, async () => {
      const document = (await guarded(() => this.model.collection.findOne({ _id } as never))) as BillingRunDocument | null;
      const run = document ? billingRunToDomain(document) : undefined;
      if (!document || !run || run.status !== 'running' || run.updatedAt > stalledBefore) return undefined;
      const claimed = { ...run, updatedAt: at };
      // Only the record as read: status and progress are inside `state`, so that is what the filter compares.
      const result = await guarded(() => this.model.collection.updateOne({ _id, state: document.state } as never, { $set: { state: billingRunToPersistence(claimed).state } }));
      return result.modifiedCount === 1 ? claimed : undefined;
    });
  }

  async get(tenantId: TenantId, id: string): Promise<BillingRunState | undefined> {
    const document = (await guarded(() => this.model.collection.findOne({ _id: documentId(tenantId, id) } as never))) as BillingRunDocument | null;
    return document ? billingRunToDomain(document) : undefined;
  }

  async list(tenantId: TenantId, page: PageRequest): Promise<Page<BillingRunState>> {
    const limit = pageLimit(page.limit);
    const after = page.cursor === undefined ? undefined : positionOf(page.cursor);
    // Newest first: after the cursor's run means started earlier, or at the same instant with a smaller id.
    const filter = after === undefined ? { tenantId } : { tenantId, $or: [{ startedAt: op({ $lt: after.startedAt }) }, { startedAt: after.startedAt, id: op({ $lt: after.id }) }] };
    const documents = await guarded(() => this.model.find(filter).sort({ startedAt: -1, id: -1 }).limit(limit + 1).lean<BillingRunDocument[]>().exec());
    const items = documents.slice(0, limit).map(billingRunToDomain);
    const last = items.at(-1);
    return { items, nextCursor: documents.length > limit && last ? encodeCursor([last.startedAt.getTime(), last.id]) : null };
  }
}

const MAX_DATE_MS = 8.64e15;

/** The run a cursor points after: its start (milliseconds) and id, as the in-memory adapter encodes them. */
function positionOf(cursor: string): { startedAt: Date; id: string } {
  const [startedAt, id] = decodeCursor(cursor, 2);
  // A date holds ±8.64e15 ms; past that `new Date` is invalid, and the driver refuses it as a server fault would be.
  if (typeof startedAt !== 'number' || !Number.isSafeInteger(startedAt) || Math.abs(startedAt) > MAX_DATE_MS || typeof id !== 'string') {
    throw ValidationError.of('cursor', 'pagination.invalid_cursor', 'the cursor is not one this list returned');
  }
  return { startedAt: new Date(startedAt), id };
}
