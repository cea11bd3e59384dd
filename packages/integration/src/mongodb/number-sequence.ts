import type { TenantId } from '@invoicing/core';
import type { NumberSequence } from '@invoicing/invoice';
import { KeyedMutex } from './document-lock';
import { hintInsertFields, hintedSequence, reservationToPersistence, reservedSequence } from './mappers/number-reservation.mapper';
import { guarded, isDuplicateKey } from './mongo-errors';
import type { Models } from './schemas';

/**
 * Numbers as reservations: a document's number is one insert of (tenant, series, number, document) against two
 * unique indexes. The database decides every race, without an atomic counter (FerretDB 1.x has none: concurrent
 * `$inc` lose updates): a taken number makes the claimant try the next one; a document that already holds a number
 * gets it back. Numbers are tried upwards from where the series is known to be taken up to, and the first free one is
 * taken, so the series has no gaps. Within a process, reservations of one series queue instead of colliding.
 *
 * What they do in turn is one insert in the usual case (issue 13: the queue bounds a series' issue rate, at one
 * round trip per number instead of three):
 * - The hint (the highest number stored as taken) is read before queueing, while earlier reservations go on.
 * - Numbers this process reserved since that read began are not in it yet, but known taken: the search starts above
 *   the last one too. Only those are trusted, never an older memory, so data removed or restored under a running
 *   process (a test's reset, a restore) is seen through the hint at once, as before.
 * - The hint is raised once the queue has moved on; the call still waits for it, so no write outlives it.
 */
export class MongoNumberSequence implements NumberSequence {
  private readonly local = new KeyedMutex();
  /** Per series with reservations under way in this process; removed when none is. */
  private readonly series = new Map<string, SeriesState>();

  constructor(private readonly models: Models) {}

  async reserve(tenantId: TenantId, series: string, documentId: string): Promise<number> {
    const key = `${tenantId}\u0000${series}`;
    const state = this.series.get(key) ?? { underWay: 0, reads: 0 };
    this.series.set(key, state);
    state.underWay += 1;
    try {
      const readNumber = (state.reads += 1);
      // Settled at once, so that a failed read is not an unhandled rejection while this call waits in the queue.
      const hint = this.hint(tenantId, series).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      const claim = await this.local.run(key, async () => {
        const read = await hint;
        if ('error' in read) throw read.error;
        const last = state.last;
        const knownTaken = last && (last.hintRaisedBefore === undefined || last.hintRaisedBefore >= readNumber) ? last.sequence : 0;
        const claimed = await this.claim(tenantId, series, documentId, Math.max(read.value, knownTaken) + 1);
        if (claimed.inserted) state.last = { sequence: claimed.sequence };
        return claimed;
      });
      if (claim.inserted) await this.raiseHint(tenantId, series, claim.sequence, state);
      return claim.sequence;
    } finally {
      state.underWay -= 1;
      if (state.underWay === 0) this.series.delete(key);
    }
  }

  /**
   * One insert in the usual case. A document that already holds a number (a retried issue) is not looked up first:
   * its insert fails on the (series, document) unique key, and the lookup after it gives the number back.
   */
  private async claim(tenantId: TenantId, series: string, documentId: string, from: number): Promise<{ sequence: number; inserted: boolean }> {
    for (let candidate = from; ; candidate += 1) {
      try {
        await guarded(() =>
          this.models.number_reservations.collection.insertOne(reservationToPersistence({ tenantId, series, documentId, sequence: candidate, reservedAt: new Date() })),
        );
        return { sequence: candidate, inserted: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // Taken: by this document (a retry, here or elsewhere), or by another one.
      const mine = await this.held(tenantId, series, documentId);
      if (mine !== undefined) return { sequence: mine, inserted: false };
    }
  }

  /** Only a hint: a lost or late update just makes a later reservation try a few taken numbers first. */
  private async raiseHint(tenantId: TenantId, series: string, sequence: number, state: SeriesState): Promise<void> {
    const last = state.last;
    try {
      await guarded(() =>
        this.models.number_hints.collection.updateOne({ tenantId, series }, { $max: { last: sequence }, $setOnInsert: hintInsertFields() }, { upsert: true }),
      ).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
      // Reads begun from now on see it.
      if (last && last.sequence === sequence) last.hintRaisedBefore = state.reads;
    } catch (error) {
      // Not known to be in the hint: trusted no longer, as if this process had not reserved it.
      if (state.last === last) state.last = undefined;
      throw error;
    }
  }

  private async held(tenantId: TenantId, series: string, documentId: string): Promise<number | undefined> {
    const reservation = await guarded(() =>
      this.models.number_reservations.findOne({ tenantId, series, documentId }, { _v: 1, sequence: 1 }).lean<{ _v?: number; sequence: number }>().exec(),
    );
    return reservation ? reservedSequence(reservation, `${tenantId}/${series}/${documentId}`) : undefined;
  }

  private async hint(tenantId: TenantId, series: string): Promise<number> {
    const hint = await guarded(() => this.models.number_hints.findOne({ tenantId, series }, { _v: 1, last: 1 }).lean<{ _v?: number; last: number }>().exec());
    return hint ? hintedSequence(hint, `${tenantId}/${series}`) : 0;
  }
}

/** A series with reservations under way in this process. */
interface SeriesState {
  /** Reservations begun and not finished. */
  underWay: number;
  /** Hint reads begun, counted: tells which reads may have missed a number this process reserved. */
  reads: number;
  /**
   * The last number this process inserted. Trusted as taken by reads begun before its hint was raised
   * (`hintRaisedBefore` is the count of reads begun by then; unset while the hint is being raised).
   */
  last?: { readonly sequence: number; hintRaisedBefore?: number };
}
