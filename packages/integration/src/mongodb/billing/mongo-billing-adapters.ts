import type { BillingAdapters } from '@invoicing/billing';
import type { MongoConnection } from '../connection';
import { DocumentLocks } from '../document-lock';
import { modelsOf } from '../schemas';
import { billingModelsOf, ensureBillingIndexes, type BillingModels } from './billing-schemas';
import { MongoBillRepository } from './mongo-bill.repository';
import { MongoBillingPlanRepository } from './mongo-billing-plan.repository';
import { MongoBillingRunRepository } from './mongo-billing-run.repository';
import { MongoOneOffChargeStore } from './mongo-one-off-charge.store';
import { MongoUsageEventStore } from './mongo-usage-event.store';

/** Every port of `@invoicing/billing` on MongoDB (or FerretDB 1.x). */
export interface MongoBillingAdapters extends BillingAdapters {
  readonly plans: MongoBillingPlanRepository;
  readonly usage: MongoUsageEventStore;
  readonly oneOffs: MongoOneOffChargeStore;
  readonly bills: MongoBillRepository;
  readonly runs: MongoBillingRunRepository;
  readonly models: BillingModels;
  /** Creates billing's collections and indexes that are missing (see `billing-schemas.ts`). */
  ensureIndexes(): Promise<Record<string, string[]>>;
}

/**
 * The billing adapters over one connection. They hold no state of their own: one set serves the whole process. A plan
 * is saved, and a one-off charge taken or cancelled, under the same document locks as the invoicing aggregates
 * (`document_locks`, ADR 0007).
 */
export function createMongoBillingAdapters(mongo: MongoConnection): MongoBillingAdapters {
  const models = billingModelsOf(mongo.connection);
  const locks = new DocumentLocks(modelsOf(mongo.connection).document_locks);
  return {
    plans: new MongoBillingPlanRepository(models, locks),
    usage: new MongoUsageEventStore(models.usage_events),
    oneOffs: new MongoOneOffChargeStore(models.one_off_charges, locks),
    bills: new MongoBillRepository(models.bills),
    runs: new MongoBillingRunRepository(models.billing_runs, locks),
    models,
    ensureIndexes: () => ensureBillingIndexes(mongo.connection),
  };
}
