import { sameOneOff, type OneOffCharge, type OneOffChargeStore } from '@invoicing/billing';
import { ConflictError, type CalendarDate, type TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import type { Model } from 'mongoose';
import { lockIdOf } from '../aggregate-store';
import type { DocumentLocks } from '../document-lock';
import { documentId } from '../mappers/aggregate-document';
import { guarded, isDuplicateKey } from '../mongo-errors';
import { op } from '../query-support';
import { oneOffChargeToDomain, oneOffChargeToPersistence, type OneOffChargeDocument } from './one-off-charge.mapper';

/**
 * One-off charges on MongoDB: each one insert against the unique (tenant, id); a retry finds what the first stored.
 * Taking a charge for a bill and cancelling it are conditional updates of its document, each under the document's
 * lock (ADR 0007): FerretDB 1.x does not isolate an update, and the two must never both apply.
 */
export class MongoOneOffChargeStore implements OneOffChargeStore {
  constructor(
    private readonly model: Model<Record<string, unknown>>,
    private readonly locks: DocumentLocks,
  ) {}

  async add(charge: OneOffCharge): Promise<{ readonly charge: OneOffCharge; readonly created: boolean }> {
    try {
      await guarded(() => this.model.collection.insertOne(oneOffChargeToPersistence(charge) as never));
      return { charge, created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // Charges are never deleted: the one that holds the id is there.
    const document = (await guarded(() => this.model.collection.findOne({ _id: documentId(charge.tenantId, charge.id) } as never))) as OneOffChargeDocument | null;
    if (!document) throw new Error(`one_off_charges ${documentId(charge.tenantId, charge.id)} was refused as a duplicate but is not stored`);
    const stored = oneOffChargeToDomain(document);
    if (!sameOneOff(stored, charge)) throw new ConflictError('one_off.id_taken', `one-off charge ${charge.id} exists with other details`, { id: charge.id });
    return { charge: stored, created: false };
  }

  async get(tenantId: TenantId, id: string): Promise<OneOffCharge | undefined> {
    const document = await this.read(documentId(tenantId, id));
    return document ? oneOffChargeToDomain(document) : undefined;
  }

  async listThrough(tenantId: TenantId, partnershipId: PartnershipId, through: CalendarDate): Promise<readonly OneOffCharge[]> {
    const documents = await guarded(() =>
      this.model
        .find({ tenantId, partnershipId, date: op({ $lte: through }), cancelledAt: op({ $exists: false }) })
        .sort({ date: 1, id: 1 })
        .lean<OneOffChargeDocument[]>()
        .exec(),
    );
    return documents.map(oneOffChargeToDomain);
  }

  async claim(tenantId: TenantId, ids: readonly string[], billKey: string, at: Date): Promise<readonly string[]> {
    const read = (await guarded(() => this.model.collection.find({ _id: { $in: ids.map((id) => documentId(tenantId, id)) } } as never).toArray())) as unknown as OneOffChargeDocument[];
    const cancelled = read.filter((document) => document.cancelledAt !== undefined).map((document) => document.id);
    // A charge taken already stays taken: only the others need the lock.
    for (const document of read.filter((each) => each.cancelledAt === undefined && each.claimedBy === undefined)) {
      await this.locks.withLock(lockIdOf(this.model, { _id: document._id }), tenantId, async () => {
        const current = await this.read(document._id);
        if (current?.cancelledAt !== undefined) cancelled.push(document.id);
        else if (current && current.claimedBy === undefined) await guarded(() => this.model.collection.updateOne({ _id: document._id } as never, { $set: { claimedBy: billKey, claimedAt: at } }));
      });
    }
    return cancelled;
  }

  async cancel(tenantId: TenantId, id: string, at: Date): Promise<OneOffCharge | undefined> {
    const _id = documentId(tenantId, id);
    return this.locks.withLock(lockIdOf(this.model, { _id }), tenantId, async () => {
      const current = await this.read(_id);
      if (!current || current.cancelledAt !== undefined) return current ? oneOffChargeToDomain(current) : undefined;
      if (current.claimedBy !== undefined) {
        throw new ConflictError('one_off.already_billed', `one-off charge ${id} was taken by bill ${current.claimedBy}: credit it with a one-off credit instead`, { id, bill: current.claimedBy });
      }
      await guarded(() => this.model.collection.updateOne({ _id } as never, { $set: { cancelledAt: at } }));
      return { ...oneOffChargeToDomain(current), cancelledAt: at };
    });
  }

  private async read(_id: string): Promise<OneOffChargeDocument | undefined> {
    return ((await guarded(() => this.model.collection.findOne({ _id } as never))) as OneOffChargeDocument | null) ?? undefined;
  }
}
