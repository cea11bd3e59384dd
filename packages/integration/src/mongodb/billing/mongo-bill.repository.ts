import { BillPositionTakenError, type BillOutcome, type BillRepository, type BillState } from '@invoicing/billing';
import type { TenantId } from '@invoicing/core';
import type { InvoiceId, PartnershipId } from '@invoicing/invoice';
import type { Model } from 'mongoose';
import { documentId } from '../mappers/aggregate-document';
import { guarded, isDuplicateKey } from '../mongo-errors';
import { op } from '../query-support';
import { billToDomain, billToPersistence, invoicedFields, type BillDocument } from './bill.mapper';

/**
 * Bills on MongoDB. Recording is one insert against the unique (tenant, key) and the unique slot (tenant, partnership,
 * position): of runs recording the same key or position at once, exactly one inserts, and the others read and answer
 * its bill, or are told the bills they read are out of date. Marking one invoiced is the only update, conditional
 * on the bill still being pending. It takes no document lock (ADR 0007): two runs marking one bill at once both read
 * its one stored invoice, so whichever write lands last records the same outcome; the lock would cost two round trips
 * on every bill.
 */
export class MongoBillRepository implements BillRepository {
  constructor(private readonly model: Model<Record<string, unknown>>) {}

  async record(bill: BillState): Promise<{ readonly bill: BillState; readonly recorded: boolean }> {
    try {
      await guarded(() => this.model.collection.insertOne(billToPersistence(bill) as never));
      return { bill, recorded: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // Bills are never deleted: the one that holds the key is there, or else the one that holds the position.
    const stored = await this.read(documentId(bill.tenantId, bill.key));
    if (stored) return { bill: stored, recorded: false };
    if (bill.position !== undefined) throw new BillPositionTakenError(bill.key, bill.position);
    throw new Error(`bills ${documentId(bill.tenantId, bill.key)} was refused as a duplicate but is not stored`);
  }

  async markInvoiced(tenantId: TenantId, key: string, outcome: BillOutcome, at: Date): Promise<void> {
    await guarded(() => this.model.collection.updateOne({ _id: documentId(tenantId, key), status: 'pending' } as never, { $set: invoicedFields(outcome, at) }));
  }

  listByPartnership(tenantId: TenantId, partnershipId: PartnershipId): Promise<readonly BillState[]> {
    return this.find({ tenantId, partnershipId }, { billingDate: 1 });
  }

  async findByInvoice(tenantId: TenantId, invoiceId: InvoiceId): Promise<BillState | undefined> {
    const document = await guarded(() => this.model.findOne({ tenantId, invoiceId }).lean<BillDocument>().exec());
    return document ? billToDomain(document) : undefined;
  }

  async listByRun(tenantId: TenantId, runId: string, page: { readonly after?: string; readonly limit: number }): Promise<readonly BillState[]> {
    // A limit of 0 means "no limit" to the database; here it means an empty page.
    if (page.limit < 1) return [];
    return this.find({ tenantId, runId, ...(page.after === undefined ? {} : { key: op({ $gt: page.after }) }) }, { key: 1 }, page.limit);
  }

  private async read(id: string): Promise<BillState | undefined> {
    const document = (await guarded(() => this.model.collection.findOne({ _id: id } as never))) as BillDocument | null;
    return document ? billToDomain(document) : undefined;
  }

  private async find(filter: Record<string, unknown>, sort: Record<string, 1>, limit?: number): Promise<BillState[]> {
    let query = this.model.find(filter).sort(sort);
    if (limit !== undefined) query = query.limit(limit);
    const documents = await guarded(() => query.lean<BillDocument[]>().exec());
    return documents.map(billToDomain);
  }
}
