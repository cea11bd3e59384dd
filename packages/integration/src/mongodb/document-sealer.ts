import { ConflictError } from '@invoicing/core';
import { isSealable, nextSeal, type DocumentSeal, type InvoiceState, type SealRecord } from '@invoicing/invoice';
import { lockIdOf } from './aggregate-store';
import { KeyedMutex, type DocumentLocks } from './document-lock';
import { SEALED, SEAL_PENDING, invoiceMapper, type InvoiceDocument } from './mappers/invoice.mapper';
import { guarded, isDuplicateKey } from './mongo-errors';
import type { Models } from './schemas';

/** The marker, in `migrations`, of the one pass that marked the documents issued before sealing existed. */
const CATCH_UP_ID = 'document-seals-catch-up';
/** A seal that loses this many races for its position in a row gives up (another sealer is extending the chain). */
const MAX_ROUNDS = 100;
/**
 * Links appended per ordered insert. Under 100: FerretDB 1.x inserts in batches of 100 and goes on after a refused
 * batch even when told to stop, which would chain links after a position another sealer took.
 */
const LINKS_PER_INSERT = 50;

/** A link of `document_seals` as stored. */
export interface DocumentSealDocument extends SealRecord {
  readonly _id: string;
  readonly _v?: number;
}

/** `_id` of the link at `position` of a tenant's series: the position zero-padded, so ids sort in chain order. */
export function documentSealId(tenantId: string, series: string, position: number): string {
  return `${tenantId}/${series}/${String(position).padStart(13, '0')}`;
}

/** The stored link as the domain's record. */
export function sealRecordOf(document: DocumentSealDocument): SealRecord {
  return {
    tenantId: document.tenantId,
    series: document.series,
    position: document.position,
    documentId: document.documentId,
    number: document.number,
    contentHash: document.contentHash,
    previousHash: document.previousHash,
    hash: document.hash,
    sealedAt: document.sealedAt,
  };
}

/**
 * Seals issued invoices and credit notes into their series' hash chain (ADR 0022), after their issue: each document
 * stored issued here carries `sealPending: 1`; {@link sealPending} finds those by equality, appends a link to
 * `document_seals` at the head of the document's tenant and series, then copies it onto the document (`seal`, and
 * `sealPending: 0`) under the document's lock.
 *
 * Safe with several sealers at once, in one process or many, on any MongoDB-compatible server: a link is one insert,
 * and the unique keys (tenant, series, position) and (tenant, document) decide every race. A sealer that loses one
 * re-reads: the document sealed by the other is only copied; a position taken makes it read the head again. A crash
 * between the insert and the copy leaves the document pending, and the next run copies the link it finds.
 *
 * The chain follows the order of sealing, which is the order of numbers within a run (pending documents are sealed by
 * number); a document stored issued late (a concurrent issue) is chained after what was sealed before it.
 */
export class MongoDocumentSealer {
  /** The last link known per tenant and series: a hint, corrected when an insert finds the position taken. */
  private readonly heads = new Map<string, Pick<DocumentSeal, 'position' | 'hash'>>();
  /** Sealers of this process extend one chain one at a time: racing each other would only make them retry. */
  private readonly chains = new KeyedMutex();
  private caughtUp = false;

  constructor(
    private readonly models: Models,
    private readonly locks: DocumentLocks,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Seals up to `limit` pending documents of any tenant, lowest numbers of each series first. The first call of a
   * database also marks pending the documents issued before sealing existed (once; recorded in `migrations`).
   * `leaveToRelay`: documents whose outbox still waits are left to the relay, which seals them in the write that
   * empties it (the relay's own sweep, for what that write could not seal).
   * @returns how many documents this call added to a chain (0 when nothing was pending)
   */
  async sealPending(limit = 100, options: { leaveToRelay?: boolean } = {}): Promise<number> {
    await this.catchUp();
    const invoices = this.models.invoices.collection;
    // Light first: the pending set is small, and sorting it here keeps each series in number order.
    const pending = await guarded(() => invoices.find({ sealPending: SEAL_PENDING } as never, { projection: { _id: 1, tenantId: 1, 'derived.numberKey': 1, outboxPending: 1 } }).toArray());
    const ordered = pending
      .filter((document) => !(options.leaveToRelay && document.outboxPending === true))
      .map((document) => ({ _id: String(document._id), tenantId: String(document.tenantId), number: String((document.derived as { numberKey?: string } | undefined)?.numberKey ?? '') }))
      .sort((a, b) => compare(a.tenantId, b.tenantId) || numberOrder(a.number, b.number))
      .slice(0, limit);
    let sealed = 0;
    for (const { _id } of ordered) {
      const document = (await guarded(() => invoices.findOne({ _id } as never, { projection: { outbox: 0 } }))) as InvoiceDocument | null;
      if (document === null || document.sealPending !== SEAL_PENDING) continue;
      if (await this.seal(document)) sealed += 1;
    }
    return sealed;
  }

  /** Seals one pending document; true when this call appended its link. */
  private async seal(document: InvoiceDocument): Promise<boolean> {
    const linked = await this.link(document);
    await this.attach(document, linked?.record);
    return linked?.appended ?? false;
  }

  /**
   * What a write of a pending document (the relay's, which empties its outbox under its lock) sets to seal it: its link
   * is appended first (or found, when an earlier attempt appended it). So issuing costs one write of the document, not
   * two (ADR 0022). Undefined for a document that is not pending.
   */
  async sealFieldsOf(document: InvoiceDocument): Promise<Record<string, unknown> | undefined> {
    if (document.sealPending !== SEAL_PENDING) return undefined;
    return sealFields((await this.link(document))?.record);
  }

  /**
   * {@link sealFieldsOf} for many documents at once, keyed by `_id`: the links of each series are appended in number
   * order, up to {@link LINKS_PER_INSERT} per insert, where one document at a time takes an insert each. An insert that
   * meets a link already there (another sealer, a crash before the copy) leaves its documents to one at a time. A
   * document missing from the answer could not be sealed now: it stays pending, for {@link sealPending}.
   */
  async sealFieldsOfAll(documents: readonly InvoiceDocument[]): Promise<Map<string, Record<string, unknown>>> {
    const fields = new Map<string, Record<string, unknown>>();
    const chains = new Map<string, { document: InvoiceDocument; state: InvoiceState }[]>();
    for (const document of documents) {
      if (document.sealPending !== SEAL_PENDING) continue;
      const state = invoiceMapper.toDomain(document);
      if (!isSealable(state)) {
        fields.set(document._id, sealFields(undefined));
        continue;
      }
      const key = chainKey(state);
      const members = chains.get(key);
      if (members) members.push({ document, state });
      else chains.set(key, [{ document, state }]);
    }
    for (const [key, members] of chains) {
      members.sort((a, b) => numberOrder(a.state.number ?? '', b.state.number ?? ''));
      const appended = await this.chains.run(key, () => this.appendAll(key, members)).catch(() => []);
      appended.forEach((record, index) => fields.set((members[index] as { document: InvoiceDocument }).document._id, sealFields(record)));
      for (const { document } of members.slice(appended.length)) {
        const linked = await this.link(document).catch(() => null);
        if (linked !== null) fields.set(document._id, sealFields(linked?.record));
      }
    }
    return fields;
  }

  /**
   * Appends the links of documents of one chain, in their order, from the head this process knows, a batch per
   * ordered insert; answers the records appended, a prefix of `members`. An insert refused (a link of another
   * sealer or of one of these documents is there) ends it: the inserts before it stand, and the head is read again.
   */
  private async appendAll(key: string, members: readonly { state: InvoiceState }[]): Promise<DocumentSealDocument[]> {
    const first = members[0];
    if (first === undefined) return [];
    let head = this.heads.get(key) ?? (await this.head(first.state));
    const records = members.map(({ state }) => {
      const seal = nextSeal(head, state);
      head = { position: seal.position, hash: seal.hash };
      return this.recordOf(state, seal);
    });
    const appended: DocumentSealDocument[] = [];
    for (let start = 0; start < records.length; start += LINKS_PER_INSERT) {
      const batch = records.slice(start, start + LINKS_PER_INSERT);
      try {
        await guarded(() => this.models.document_seals.collection.insertMany(batch as never[], { ordered: true }));
      } catch (error) {
        this.heads.delete(key);
        if (isDuplicateKey(error)) return appended;
        throw error;
      }
      appended.push(...batch);
      const last = batch[batch.length - 1] as DocumentSealDocument;
      this.heads.set(key, { position: last.position, hash: last.hash });
    }
    return appended;
  }

  private recordOf(state: InvoiceState, seal: DocumentSeal): DocumentSealDocument {
    return {
      _id: documentSealId(state.tenantId, state.series, seal.position),
      _v: 1,
      tenantId: state.tenantId,
      series: state.series,
      documentId: state.id,
      number: state.number as string,
      ...seal,
      sealedAt: this.now(),
    };
  }

  /**
   * Appends the document's link to its series' chain, or finds the one an earlier attempt appended. Undefined for a
   * document that takes no seal (a draft, an imported invoice).
   */
  private async link(document: InvoiceDocument): Promise<{ record: DocumentSealDocument; appended: boolean } | undefined> {
    const state = invoiceMapper.toDomain(document);
    if (!isSealable(state)) return undefined;
    const key = chainKey(state);
    return this.chains.run(key, async () => {
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const head = this.heads.get(key) ?? (await this.head(state));
        const seal = nextSeal(head, state);
        const record = this.recordOf(state, seal);
        try {
          await guarded(() => this.models.document_seals.collection.insertOne(record as never));
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          // The document has its link already (a crash before it was copied, another sealer), or another sealer took
          // the position: which of the two unique keys refused it says.
          const existing = (await guarded(() => this.models.document_seals.collection.findOne({ tenantId: state.tenantId, documentId: state.id } as never))) as DocumentSealDocument | null;
          if (existing) return { record: existing, appended: false };
          this.heads.delete(key);
          continue;
        }
        this.heads.set(key, { position: seal.position, hash: seal.hash });
        return { record, appended: true };
      }
      throw new ConflictError('concurrency.conflict', `could not seal ${state.id} in series ${state.series}: its chain kept moving`, { documentId: state.id, series: state.series });
    });
  }

  /**
   * The last link of a series: counted (links are 1, 2, 3 … without gaps), then read forward by `_id` past any link
   * appended since. Read once per series and process; afterwards the hint is kept up to date.
   */
  private async head(state: InvoiceState): Promise<Pick<DocumentSeal, 'position' | 'hash'> | undefined> {
    const seals = this.models.document_seals.collection;
    let position = await guarded(() => seals.countDocuments({ tenantId: state.tenantId, series: state.series } as never));
    while ((await guarded(() => seals.findOne({ _id: documentSealId(state.tenantId, state.series, position + 1) } as never, { projection: { _id: 1 } }))) !== null) position += 1;
    if (position === 0) return undefined;
    const last = (await guarded(() => seals.findOne({ _id: documentSealId(state.tenantId, state.series, position) } as never))) as DocumentSealDocument | null;
    if (last === null) {
      // Links were removed from the middle of the chain: nothing can be appended safely (`npm run db:check` names the break).
      throw new ConflictError('seal.chain_broken', `the hash chain of series ${state.series} of ${state.tenantId} lacks link ${position}`, { tenantId: state.tenantId, series: state.series, position });
    }
    return { position: last.position, hash: last.hash };
  }

  /** Copies a link onto its document and marks it sealed (or, with none, only clears a mark a document did not need). */
  private async attach(document: InvoiceDocument, record: DocumentSealDocument | undefined): Promise<void> {
    const model = this.models.invoices;
    const filter = { _id: document._id };
    await this.locks.withLock(lockIdOf(model, filter), document.tenantId, () => guarded(() => model.collection.updateOne(filter as never, { $set: sealFields(record) })));
  }

  /**
   * Marks pending the documents issued before sealing existed (they lack `sealPending`): one scan of the invoices, the
   * first time a sealer runs on a database, recorded in `migrations` so that later runs cost one read. Safe to run in
   * several processes at once, and again after a crash.
   */
  private async catchUp(): Promise<void> {
    if (this.caughtUp) return;
    const migrations = this.models.migrations.collection;
    if (!(await guarded(() => migrations.findOne({ _id: CATCH_UP_ID as never })))) {
      const model = this.models.invoices;
      const cursor = model.collection.find({ sealPending: { $exists: false } } as never, { projection: { outbox: 0 } });
      try {
        for await (const found of cursor) {
          const document = found as unknown as InvoiceDocument;
          if (document.seal !== undefined || !isSealable(invoiceMapper.toDomain(document))) continue;
          const filter = { _id: document._id };
          await this.locks.withLock(lockIdOf(model, filter), document.tenantId, () => guarded(() => model.collection.updateOne(filter as never, { $min: { sealPending: SEAL_PENDING } })));
        }
      } finally {
        await cursor.close();
      }
      await guarded(() => migrations.updateOne({ _id: CATCH_UP_ID as never }, { $setOnInsert: { at: this.now() } }, { upsert: true }));
    }
    this.caughtUp = true;
  }
}

/** The fields that mark a document sealed, with its link copied when it has one. */
function sealFields(record: DocumentSealDocument | undefined): Record<string, unknown> {
  const seal = record && { position: record.position, contentHash: record.contentHash, previousHash: record.previousHash, hash: record.hash };
  return { sealPending: SEALED, ...(seal ? { seal } : {}) };
}

/** Which hash chain a document joins: its tenant's series. */
const chainKey = (state: InvoiceState): string => `${state.tenantId}\u0000${state.series}`;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The series of a number of ours (`SERIES-000042`): what sorts before its sequence. */
function seriesOf(number: string): string {
  return number.slice(0, Math.max(0, number.lastIndexOf('-')));
}

/** Numbers of ours in chain order: by series, then by sequence (shorter first, so 999 before 1000). */
export function numberOrder(a: string, b: string): number {
  return compare(seriesOf(a), seriesOf(b)) || a.length - b.length || compare(a, b);
}
