import type { MongoConnection } from '../connection';
import { DocumentLocks } from '../document-lock';
import { billingModelsOf } from '../billing/billing-schemas';
import { MongoOutbox, type SealOnPublish } from '../outbox';
import { modelsOf, type Models } from '../schemas';
import { MongoEventLog } from './event-log';
import { MongoLease } from './lease';
import { MongoWebhookDeliveryStore, MongoWebhookEndpointStore } from './webhook-stores';

/** What the relay and the API's event and webhook routes work on, over one connection. */
export interface MongoEventAdapters {
  /** The outbox over every collection of aggregates: the invoicing ones, billing plans and webhook endpoints. */
  readonly outbox: MongoOutbox;
  readonly log: MongoEventLog;
  readonly endpoints: MongoWebhookEndpointStore;
  readonly deliveries: MongoWebhookDeliveryStore;
  readonly models: Models;
  /** A lease on the relay's work, owned by this process (one per relay). */
  lease(durationMs?: number): MongoLease;
}

/**
 * `sealer`: the process's sealer of issued documents (`MongoAdapters.sealer`), so that the relay seals an issued invoice
 * in the write that empties its outbox; without it, issued documents wait for `sealPending()` alone.
 */
export function createMongoEventAdapters(mongo: MongoConnection, options: { readonly sealer?: SealOnPublish } = {}): MongoEventAdapters {
  const models = modelsOf(mongo.connection);
  const locks = new DocumentLocks(models.document_locks);
  return {
    outbox: new MongoOutbox(models, locks, [billingModelsOf(mongo.connection).billing_plans, models.webhook_endpoints], options.sealer),
    log: new MongoEventLog(models),
    endpoints: new MongoWebhookEndpointStore(models, locks),
    deliveries: new MongoWebhookDeliveryStore(models),
    models,
    lease: (durationMs) => new MongoLease(models, 'event-relay', durationMs),
  };
}
