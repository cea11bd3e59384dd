import type { DocumentLocks } from './document-lock';
import { lockIdOf } from './aggregate-store';
import type { AggregateDocument, AggregateIdentity, AggregateMapper } from './mappers/aggregate-document';
import { invoiceMapper } from './mappers/invoice.mapper';
import { marketableMapper } from './mappers/marketable.mapper';
import { partnerMapper } from './mappers/partner.mapper';
import { partnershipMapper } from './mappers/partnership.mapper';
import { paymentMapper } from './mappers/payment.mapper';
import { DRAFT_AUTHORS_FORMAT, PERIODS_FORMAT, RETURNS_FORMAT, SEPARATE_APPROVER_FORMAT, STORED_FORMAT } from './mappers/stored-format';
import { guarded } from './mongo-errors';
import type { Models } from './schemas';

/**
 * Documents stored before format 2 (formats 3, 4, 7 and 8 are format 2 with periods, with returns, with a separate
 * approver, a draft with its authors). Not `_v: 1`: documents
 * written before `_v` existed have none.
 */
const OLDER_FORMAT = { _v: { $nin: [STORED_FORMAT, PERIODS_FORMAT, RETURNS_FORMAT, SEPARATE_APPROVER_FORMAT, DRAFT_AUTHORS_FORMAT] } };

/** The marker of a finished upgrade, in `migrations`: later starts skip the scan. */
const UPGRADE_ID = `stored-format-${STORED_FORMAT}`;

/**
 * The fields of an aggregate document the upgrade leaves as they are: its identity, its waiting events, and what the
 * sealer writes (ADR 0022; a document stored before sealing existed is marked pending by the sealer's catch-up).
 */
const KEPT = new Set(['_id', 'outbox', 'outboxSince', 'outboxPending', 'seal', 'sealPending']);

type AnyMapper = AggregateMapper<AggregateIdentity, AggregateDocument<object, object | undefined>>;

/** The aggregate collections, with the mapper that writes their documents. */
const UPGRADED: readonly (readonly ['partners' | 'invoices' | 'payments' | 'partnerships' | 'marketables', AnyMapper])[] = [
  ['partners', partnerMapper as unknown as AnyMapper],
  ['invoices', invoiceMapper as unknown as AnyMapper],
  ['payments', paymentMapper as unknown as AnyMapper],
  ['partnerships', partnershipMapper as unknown as AnyMapper],
  ['marketables', marketableMapper as unknown as AnyMapper],
];

/**
 * Rewrites the aggregate documents stored in format 1 as their mapper writes them now (ADR 0012): the state as one
 * string, the top-level query keys and `derived` computed from it, `_v: 2`; the same state, version and waiting events.
 * Until this ran, the queries do not see format-1 documents (they match keys those lack), so {@link ensureIndexes}
 * runs it at every API start and `npm run db:indexes`; once every collection is done it records so in `migrations`,
 * and later runs cost one read.
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
    const cursor = model.collection.find(OLDER_FORMAT as never);
    for await (const document of cursor) {
      const stored = document as unknown as AggregateDocument<object, object | undefined>;
      let written: Record<string, unknown>;
      try {
        written = mapper.toPersistence(mapper.toDomain(stored)) as Record<string, unknown>;
      } catch (error) {
        // The start stops here: named, an operator can find the document, mend or remove it, and start again.
        throw new Error(`the stored-format upgrade cannot read ${name} ${String(stored._id)}: ${(error as Error).message}`, { cause: error });
      }
      const fields = Object.fromEntries(Object.entries(written).filter(([field]) => !KEPT.has(field)));
      const filter = { _id: stored._id, version: stored.version };
      const result = await locks.withLock(lockIdOf(model, filter), stored.tenantId, () => guarded(() => model.collection.updateOne(filter as never, { $set: fields })));
      if (result?.modifiedCount) rewritten[name] += 1;
    }
  }
  // Done only if nothing is left in an older format: a process of the previous release still running during this one
  // may have written some meanwhile, and the next start upgrades them (once recorded done, no start looks again).
  for (const [name] of UPGRADED) {
    if (await guarded(() => models[name].collection.findOne(OLDER_FORMAT as never, { projection: { _id: 1 } }))) return rewritten;
  }
  await guarded(() =>
    models.migrations.collection.updateOne({ _id: UPGRADE_ID as never }, { $setOnInsert: { at: new Date() } }, { upsert: true }),
  );
  return rewritten;
}
