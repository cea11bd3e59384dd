import { BillingPlan, type BillingPlanRepository, type BillingPlanState } from '@invoicing/billing';
import type { TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import { AggregateStore } from '../aggregate-store';
import type { DocumentLocks } from '../document-lock';
import { documentId } from '../mappers/aggregate-document';
import { guarded } from '../mongo-errors';
import { op } from '../query-support';
import { billingPlanMapper, type BillingPlanDocument } from './billing-plan.mapper';
import type { BillingModels } from './billing-schemas';

/**
 * Billing plans on MongoDB, stored as every aggregate is (`AggregateStore`, ADR 0007): one document per partnership,
 * optimistic versions, each save under the document's lock, and the plan's events in its outbox.
 */
export class MongoBillingPlanRepository implements BillingPlanRepository {
  private readonly store: AggregateStore<BillingPlan, BillingPlanState, BillingPlanDocument>;

  constructor(models: BillingModels, locks: DocumentLocks) {
    this.store = new AggregateStore({ model: models.billing_plans, mapper: billingPlanMapper, restore: (state) => BillingPlan.restore(state) }, locks);
  }

  get(tenantId: TenantId, id: PartnershipId): Promise<BillingPlan | undefined> {
    return this.store.get(tenantId, id);
  }

  save(plan: BillingPlan): Promise<void> {
    return this.store.save(plan);
  }

  async listIds(tenantId: TenantId, page: { readonly after?: PartnershipId; readonly limit: number }): Promise<readonly PartnershipId[]> {
    // A limit of 0 means "no limit" to the database; here it means an empty page.
    if (page.limit < 1) return [];
    const filter = { tenantId, ...(page.after === undefined ? {} : { _id: op({ $gt: documentId(tenantId, page.after) }) }) };
    const documents = await guarded(() => this.store.model.find(filter, { _id: 0, id: 1 }).sort({ _id: 1 }).limit(page.limit).lean<{ id: PartnershipId }[]>().exec());
    return documents.map((document) => document.id);
  }

  count(tenantId: TenantId): Promise<number> {
    return guarded(() => this.store.model.countDocuments({ tenantId }).exec());
  }
}
