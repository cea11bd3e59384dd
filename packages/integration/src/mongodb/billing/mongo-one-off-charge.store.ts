import { sameOneOff, type OneOffCharge, type OneOffChargeStore } from '@invoicing/billing';
import { ConflictError, type CalendarDate, type TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import type { Model } from 'mongoose';
import { documentId } from '../mappers/aggregate-document';
import { guarded, isDuplicateKey } from '../mongo-errors';
import { op } from '../query-support';
import { oneOffChargeToDomain, oneOffChargeToPersistence, type OneOffChargeDocument } from './one-off-charge.mapper';

/** One-off charges on MongoDB: each one insert against the unique (tenant, id); a retry finds what the first stored. */
export class MongoOneOffChargeStore implements OneOffChargeStore {
  constructor(private readonly model: Model<Record<string, unknown>>) {}

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

  async listThrough(tenantId: TenantId, partnershipId: PartnershipId, through: CalendarDate): Promise<readonly OneOffCharge[]> {
    const documents = await guarded(() =>
      this.model
        .find({ tenantId, partnershipId, date: op({ $lte: through }) })
        .sort({ date: 1, id: 1 })
        .lean<OneOffChargeDocument[]>()
        .exec(),
    );
    return documents.map(oneOffChargeToDomain);
  }
}
