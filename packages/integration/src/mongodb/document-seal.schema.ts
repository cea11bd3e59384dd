import { Schema } from 'mongoose';

/**
 * The links of the hash chains of issued documents (ADR 0022, `document-sealer.ts`): inserted once, never updated nor
 * deleted. `_id` is `tenant/series/position` (the position zero-padded to 13 digits). Two unique keys make sealing safe
 * with several sealers at once, without transactions: (tenant, series, position), so a chain can never fork, and
 * (tenant, document), so a document is sealed once.
 */
export const documentSealSchema = new Schema(
  {
    _id: { type: String, required: true },
    _v: Number,
    tenantId: { type: String, required: true },
    series: { type: String, required: true },
    position: { type: Number, required: true },
    documentId: { type: String, required: true },
    number: { type: String, required: true },
    contentHash: { type: String, required: true },
    previousHash: { type: String, required: true },
    hash: { type: String, required: true },
    sealedAt: { type: Date, required: true },
  },
  { strictQuery: 'throw', versionKey: false, autoIndex: false, autoCreate: false },
);
documentSealSchema.index({ tenantId: 1, series: 1, position: 1 }, { name: 'document_seals_position_unique', unique: true });
documentSealSchema.index({ tenantId: 1, documentId: 1 }, { name: 'document_seals_document_unique', unique: true });
