import type { DomainEvent } from '@invoicing/core';
import type { Outbox } from '@invoicing/invoice';
import type { Model } from 'mongoose';
import { lockIdOf } from './aggregate-store';
import { eventToDomain, storedEventOf, type StoredEvent } from './mappers/domain-event.mapper';
import type { DocumentLocks } from './document-lock';
import { guarded } from './mongo-errors';
import { op } from './query-support';
import type { Models } from './schemas';

interface WaitingDocument {
  _id: string;
  version: number;
  outbox: (StoredEvent | string)[];
  outboxSince: Date;
}

/**
 * The outbox over the aggregate collections: each save appends its events to the document it writes (same write,
 * no transaction) and sets `outboxSince`; this reads them back oldest document first, each document's events in
 * order, and removes them once published. Delivery is at least once: a relay that crashes after publishing and
 * before `markPublished` publishes again.
 */
export class MongoOutbox implements Outbox {
  private readonly collections: readonly Model<Record<string, unknown>>[];

  constructor(
    models: Models,
    private readonly locks: DocumentLocks,
  ) {
    this.collections = [models.partners, models.marketables, models.partnerships, models.invoices, models.payments];
  }

  async pending(limit: number): Promise<DomainEvent[]> {
    const perCollection = await Promise.all(
      this.collections.map((model) =>
        guarded(() =>
          model
            .find({ outboxSince: op({ $exists: true }) }, { outbox: 1, outboxSince: 1, version: 1 })
            .sort({ outboxSince: 1, _id: 1 })
            .limit(limit)
            .lean<WaitingDocument[]>()
            .exec(),
        ),
      ),
    );
    const documents = perCollection.flat().sort((left, right) => left.outboxSince.getTime() - right.outboxSince.getTime() || (left._id < right._id ? -1 : 1));
    const events: DomainEvent[] = [];
    for (const document of documents) {
      for (const event of document.outbox) {
        if (events.length >= limit) return events;
        events.push(eventToDomain(storedEventOf(event)));
      }
    }
    return events;
  }

  async markPublished(eventIds: readonly string[]): Promise<void> {
    // An event id is `tenant/aggregate/version/index`; ids never contain a slash, so the document id is its first two parts.
    const byDocument = new Map<string, Set<string>>();
    for (const eventId of eventIds) {
      const parts = eventId.split('/');
      if (parts.length !== 4) continue;
      const documentId = `${parts[0]}/${parts[1]}`;
      byDocument.set(documentId, (byDocument.get(documentId) ?? new Set()).add(eventId));
    }
    if (byDocument.size === 0) return;
    await Promise.all(this.collections.map((model) => this.removeFrom(model, byDocument)));
  }

  // FerretDB 1.x ignores `$pull` with a condition: published events are removed by rewriting the array, under the
  // document's lock so that a save cannot append events in between.
  private async removeFrom(model: Model<Record<string, unknown>>, byDocument: Map<string, Set<string>>): Promise<void> {
    const candidates = await guarded(() =>
      model
        .find({ _id: op({ $in: [...byDocument.keys()] }), outboxSince: op({ $exists: true }) }, { tenantId: 1 })
        .lean<{ _id: string; tenantId: string }[]>()
        .exec(),
    );
    for (const candidate of candidates) {
      await this.locks.withLock(lockIdOf(model, candidate), candidate.tenantId, async () => {
        const document = await guarded(() => model.findOne({ _id: candidate._id }, { outbox: 1 }).lean<WaitingDocument>().exec());
        if (!document?.outbox) return;
        const published = byDocument.get(document._id) as Set<string>;
        const remaining = document.outbox.filter((entry) => !published.has(storedEventOf(entry).id));
        if (remaining.length === document.outbox.length) return;
        const update = remaining.length === 0 ? { $set: { outbox: [] }, $unset: { outboxSince: '' } } : { $set: { outbox: remaining } };
        await guarded(() => model.collection.updateOne({ _id: document._id as never }, update));
      });
    }
  }
}
