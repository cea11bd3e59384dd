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

  constructor(private readonly models: Models) {}

  reserve(tenantId: TenantId, series: string, documentId: string): Promise<number> {
    return this.local.run(`${tenantId}\u0000${series}`, () => this.reserveNow(tenantId, series, documentId));
  }

  /**
   * The hint, then one insert in the usual case. A document that already holds a number (a retried issue) is not
   * looked up first: its insert fails on the (series, document) unique key, and the lookup after it gives the number back.
   */
  private async reserveNow(tenantId: TenantId, series: string, documentId: string): Promise<number> {
    let candidate = (await this.hint(tenantId, series)) + 1;
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
      candidate += 1;
    }
    // Only a hint: a lost or late update just makes a later reservation try a few taken numbers first.
    await guarded(() =>
      this.models.number_hints.collection.updateOne({ tenantId, series }, { $max: { last: candidate }, $setOnInsert: hintInsertFields() }, { upsert: true }),
    ).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
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
