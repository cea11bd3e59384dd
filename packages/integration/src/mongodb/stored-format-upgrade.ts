import type { DocumentLocks } from './document-lock';
import { lockIdOf } from './aggregate-store';
import type { AggregateDocument, AggregateIdentity, AggregateMapper } from './mappers/aggregate-document';
import { invoiceMapper } from './mappers/invoice.mapper';
import { marketableMapper } from './mappers/marketable.mapper';
import { partnershipMapper } from './mappers/partnership.mapper';
import { paymentMapper } from './mappers/payment.mapper';
import { STORED_FORMAT } from './mappers/stored-format';
import { guarded } from './mongo-errors';
import type { Models } from './schemas';

/** The marker of a finished upgrade, in `migrations`: later starts skip the scan. */
const UPGRADE_ID = `stored-format-${STORED_FORMAT}`;

/** The fields of an aggregate document that are not top-level query keys. */
const NOT_KEYS = new Set(['_id', '_v', 'tenantId', 'id', 'version', 'state', 'derived', 'outbox', 'outboxSince']);

type AnyMapper = AggregateMapper<AggregateIdentity, AggregateDocument<object, object | undefined>>;

/** The collections whose format 2 added top-level query keys, with the mapper that computes them. */
const UPGRADED: readonly (readonly ['invoices' | 'payments' | 'partnerships' | 'marketables', AnyMapper])[] = [
  ['invoices', invoiceMapper as unknown as AnyMapper],
  ['payments', paymentMapper as unknown as AnyMapper],
  ['partnerships', partnershipMapper as unknown as AnyMapper],
  ['marketables', marketableMapper as unknown as AnyMapper],
];

/**
 * Rewrites documents stored in format 1 to the current format: their top-level query keys are computed from their
 * state by the mapper and set with `_v`, nothing else changes (ADR 0012). Until this ran, the queries that match those
 * keys do not see format-1 documents, so {@link ensureIndexes} runs it at every API start and `npm run db:indexes`;
 * once every collection is done it records so in `migrations`, and later runs cost one read.
 *
 * Each write is under the document's lock and only at the version read, like an aggregate's save: a save in between
 * wins and has written the keys itself. Safe to run in several processes at once, and again after a crash.
 * @returns the documents rewritten per collection (empty when the upgrade was done before)
 */
export async function upgradeStoredFormat(models: Models, locks: DocumentLocks): Promise<Record<string, number>> {
  const done = await guarded(() => models.migrations.collection.findOne({ _id: UPGRADE_ID as never }));
  if (done) return {};
  const rewritten: Record<string, number> = {};
  for (const [name, mapper] of UPGRADED) {
    const model = models[name];
    rewritten[name] = 0;
    // Not `_v: 1`: documents written before `_v` existed have none.
    const cursor = model.collection.find({ _v: { $ne: STORED_FORMAT } } as never);
    for await (const document of cursor) {
      const stored = document as unknown as AggregateDocument<object, object | undefined>;
      const written = mapper.toPersistence(mapper.toDomain(stored)) as Record<string, unknown>;
      const keys = Object.fromEntries(Object.entries(written).filter(([field]) => !NOT_KEYS.has(field)));
      const filter = { _id: stored._id, version: stored.version };
      const result = await locks.withLock(lockIdOf(model, filter), stored.tenantId, () =>
        guarded(() => model.collection.updateOne(filter as never, { $set: { ...keys, _v: STORED_FORMAT } })),
      );
      if (result?.modifiedCount) rewritten[name] += 1;
    }
  }
  await guarded(() =>
    models.migrations.collection.updateOne({ _id: UPGRADE_ID as never }, { $setOnInsert: { at: new Date() } }, { upsert: true }),
  );
  return rewritten;
}
