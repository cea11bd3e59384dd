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
 * gets it back. Numbers are tried upwards from a hint, and the first free one is taken, so the series has no gaps.
 * Within a process, reservations of one series queue instead of colliding.
 */
export class MongoNumberSequence implements NumberSequence {
  private readonly local = new KeyedMutex();
  /** Per tenant and series, the last number this object reserved: where its next reservation starts looking. */
  private readonly lastReserved = new Map<string, number>();

  constructor(private readonly models: Models) {}

  async reserve(tenantId: TenantId, series: string, documentId: string): Promise<number> {
    const sequence = await this.local.run(`${tenantId}\u0000${series}`, () => this.reserveNow(tenantId, series, documentId));
    // Outside the queue: only other processes and later starts read the hint. Still awaited, so that no write
    // outlives the call. A hint lost or late just makes them try a few taken numbers first.
    await guarded(() =>
      this.models.number_hints.collection.updateOne({ tenantId, series }, { $max: { last: sequence }, $setOnInsert: hintInsertFields() }, { upsert: true }),
    ).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
    return sequence;
  }

  /**
   * Reservations of a series queue in this process, so what they do in turn is kept to one insert in the usual case:
   * - The search starts above the last number this object reserved, without reading the hint. Every number up to it
   *   is taken: each reservation takes the first free number above a hint, and none is ever released. The stored
   *   hint is read only before this object's first reservation of the series, and when the candidate turns out taken
   *   (another process reserved since), to jump to where that one got.
   * - A document that already holds a number (a retried issue) is not looked up first: its insert fails on the
   *   (series, document) unique key, and the lookup after it gives the number back.
   * - The hint is written by {@link reserve} once the queue has moved on.
   */
  private async reserveNow(tenantId: TenantId, series: string, documentId: string): Promise<number> {
    const key = `${tenantId}\u0000${series}`;
    const last = this.lastReserved.get(key);
    let hintRead = last === undefined;
    let candidate = (last ?? (await this.hint(tenantId, series))) + 1;
    for (;;) {
      try {
        await guarded(() =>
          this.models.number_reservations.collection.insertOne(reservationToPersistence({ tenantId, series, documentId, sequence: candidate, reservedAt: new Date() })),
        );
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // Taken: by this document (a retry, here or elsewhere), or by another one.
      const mine = await this.held(tenantId, series, documentId);
      if (mine !== undefined) return mine;
      if (hintRead) {
        candidate += 1;
      } else {
        hintRead = true;
        candidate = Math.max(candidate, await this.hint(tenantId, series)) + 1;
      }
    }
    this.lastReserved.set(key, candidate);
    return candidate;
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
