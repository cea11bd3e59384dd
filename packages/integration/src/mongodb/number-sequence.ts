import type { TenantId } from '@invoicing/core';
import { importedHolder, isImportedHolder, type NumberSequence } from '@invoicing/invoice';
import { hintInsertFields, hintedSequence, reservationToPersistence, reservedSequence, type NumberReservationDocument } from './mappers/number-reservation.mapper';
import { guarded, isDuplicateKey } from './mongo-errors';
import type { Models } from './schemas';

/** The most reservations one insert takes at once. */
const MAX_BATCH = 50;

/**
 * Numbers as reservations: a document's number is one insert of (tenant, series, number, document) against two
 * unique indexes. The database decides every race, without an atomic counter (FerretDB 1.x has none: concurrent
 * `$inc` lose updates): a taken number makes the claimant try the next one; a document that already holds a number
 * gets it back. Numbers are tried upwards from where the series is known to be taken up to, and the first free one is
 * taken, so the series has no gaps.
 *
 * Within a process, a series' reservations queue, and what they do in turn is one insert for all those waiting
 * (issue 13: the queue bounds a series' issue rate, which was three round trips per number):
 * - The hint (the highest number stored as taken) is read before queueing, while earlier reservations go on.
 * - Numbers this process reserved since that read began are not in it yet, but known taken: the search starts above
 *   the last one too. Only those are trusted, never an older memory, so data removed or restored under a running
 *   process (a test's reset, a restore) is seen through the hint at once, as before.
 * - Those waiting when the previous insert returns take consecutive numbers in one ordered insert, which stops at
 *   the first taken number or document: the ones before it hold their numbers, that one goes on alone, number by
 *   number, and the ones after it wait for the next insert.
 * - The hint is raised once per insert, to its last number, while the queue moves on; the calls still wait for it, so
 *   no write outlives them, but its failure does not fail them: their numbers are stored.
 */
export class MongoNumberSequence implements NumberSequence {
  /** Per series with reservations under way in this process; removed when none is. */
  private readonly series = new Map<string, SeriesState>();
  /** Series whose hint this process found naming a stored number. */
  private readonly checkedHints = new Set<string>();

  constructor(private readonly models: Models) {}

  async reserve(tenantId: TenantId, series: string, documentId: string): Promise<number> {
    const key = `${tenantId}\u0000${series}`;
    const state = this.series.get(key) ?? { tenantId, series, underWay: 0, reads: 0, waiting: [], draining: false };
    this.series.set(key, state);
    state.underWay += 1;
    try {
      const claim = await new Promise<Claim>((resolve, reject) => {
        const readNumber = (state.reads += 1);
        // Settled at once, so that a failed read is not an unhandled rejection while this call waits in the queue.
        const hint = this.hint(tenantId, series).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        state.waiting.push({ documentId, readNumber, hint, resolve, reject });
        if (!state.draining) void this.drain(state);
      });
      // The number is stored: a failed raise of the hint (only a hint) must not fail it, or a caller that does not retry
      // under the same document id would leave a gap.
      await claim.hintRaised.catch(() => undefined);
      return claim.sequence;
    } finally {
      state.underWay -= 1;
      if (state.underWay === 0) this.series.delete(key);
    }
  }

  async claimImported(tenantId: TenantId, series: string, sequence: number): Promise<boolean> {
    const holder = importedHolder(series, sequence);
    try {
      await guarded(() =>
        this.models.number_reservations.collection.insertOne(reservationToPersistence({ tenantId, series, documentId: holder, sequence, reservedAt: new Date() })),
      );
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // Taken: by this claim before (the same holder), or by another document.
    const taken = await guarded(() => this.models.number_reservations.findOne({ tenantId, series, sequence }, { documentId: 1 }).lean<{ documentId: string }>().exec());
    return taken?.documentId === holder;
  }

  /** Claims for those waiting, one insert at a time, until none is. */
  private async drain(state: SeriesState): Promise<void> {
    state.draining = true;
    try {
      while (state.waiting.length > 0) await this.claimBatch(state, state.waiting.splice(0, MAX_BATCH));
    } finally {
      state.draining = false;
    }
  }

  /** Settles every waiter of the batch, or puts it back at the front of the queue; never throws. */
  private async claimBatch(state: SeriesState, batch: Waiter[]): Promise<void> {
    let knownTaken = 0;
    const ready: Waiter[] = [];
    for (const waiter of batch) {
      const read = await waiter.hint;
      if ('error' in read) waiter.reject(read.error);
      else {
        knownTaken = Math.max(knownTaken, read.value);
        ready.push(waiter);
      }
    }
    if (ready.length === 0) return;
    const newestRead = Math.max(...ready.map((waiter) => waiter.readNumber));
    const last = state.last;
    // Trusted while no read began after its hint was raised (a read that did would show it, unless data was removed).
    if (last && (last.hintRaisedBefore === undefined || last.hintRaisedBefore >= newestRead)) knownTaken = Math.max(knownTaken, last.sequence);
    const from = knownTaken + 1;
    const [first, ...rest] = ready as [Waiter, ...Waiter[]];
    if (rest.length === 0) return this.claimAlone(state, first, from);

    const reservations = ready.map((waiter, index) => this.reservation(state, waiter.documentId, from + index));
    let inserted = ready.length;
    let failure: unknown;
    try {
      await guarded(() => this.models.number_reservations.collection.insertMany(reservations, { ordered: true }));
    } catch (error) {
      failure = error;
      const stoppedAt = (error as { writeErrors?: { index?: number }[] }).writeErrors?.[0]?.index;
      inserted = typeof stoppedAt === 'number' && isDuplicateKey(error) ? stoppedAt : 0;
    }
    if (inserted > 0) {
      state.last = { sequence: from + inserted - 1 };
      const hintRaised = this.raiseHint(state, from + inserted - 1);
      for (const [index, waiter] of ready.slice(0, inserted).entries()) waiter.resolve({ sequence: from + index, hintRaised });
    }
    if (inserted === ready.length) return;
    if (!isDuplicateKey(failure)) {
      // Which were stored is unknown: each caller fails, and its retry gets its number back or a new one.
      for (const waiter of ready.slice(inserted)) waiter.reject(failure);
      return;
    }
    // The one that met a taken number or document goes on alone; the ones after it wait for the next insert.
    state.waiting.unshift(...ready.slice(inserted + 1));
    await this.claimAlone(state, ready[inserted] as Waiter, from + inserted);
  }

  /**
   * One insert in the usual case. A document that already holds a number (a retried issue) is not looked up first:
   * its insert fails on the (series, document) unique key, and the lookup after it gives the number back.
   */
  private async claimAlone(state: SeriesState, waiter: Waiter, from: number): Promise<void> {
    try {
      for (let candidate = from; ; candidate += 1) {
        try {
          await guarded(() => this.models.number_reservations.collection.insertOne(this.reservation(state, waiter.documentId, candidate)));
          state.last = { sequence: candidate };
          return waiter.resolve({ sequence: candidate, hintRaised: this.raiseHint(state, candidate) });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        // Taken: by this document (a retry, here or elsewhere), or by another one.
        const mine = await this.held(state, waiter.documentId);
        if (mine !== undefined) return waiter.resolve({ sequence: mine, hintRaised: Promise.resolve() });
      }
    } catch (error) {
      waiter.reject(error);
    }
  }

  private reservation(state: SeriesState, documentId: string, sequence: number): NumberReservationDocument {
    return reservationToPersistence({ tenantId: state.tenantId, series: state.series, documentId, sequence, reservedAt: new Date() });
  }

  /** Only a hint: a lost or late update just makes a later reservation try a few taken numbers first. */
  private raiseHint(state: SeriesState, sequence: number): Promise<void> {
    const raised = this.raiseHintNow(state, sequence);
    // Its callers await it once they resume; until then, a failure is not an unhandled rejection.
    raised.catch(() => undefined);
    return raised;
  }

  private async raiseHintNow(state: SeriesState, sequence: number): Promise<void> {
    const { tenantId, series } = state;
    try {
      await guarded(() =>
        this.models.number_hints.collection.updateOne({ tenantId, series }, { $max: { last: sequence }, $setOnInsert: hintInsertFields() }, { upsert: true }),
      ).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
      // Reads begun from now on see it.
      if (state.last?.sequence === sequence) state.last.hintRaisedBefore = state.reads;
    } catch (error) {
      // Not known to be in the hint: trusted no longer, as if this process had not reserved it.
      if (state.last?.sequence === sequence) state.last = undefined;
      throw error;
    }
  }

  private async held(state: SeriesState, documentId: string): Promise<number | undefined> {
    const { tenantId, series } = state;
    const reservation = await guarded(() =>
      this.models.number_reservations.findOne({ tenantId, series, documentId }, { _v: 1, sequence: 1 }).lean<{ _v?: number; sequence: number }>().exec(),
    );
    return reservation ? reservedSequence(reservation, `${tenantId}/${series}/${documentId}`) : undefined;
  }

  private async hint(tenantId: TenantId, series: string): Promise<number> {
    const hint = await guarded(() => this.models.number_hints.findOne({ tenantId, series }, { _v: 1, last: 1 }).lean<{ _v?: number; last: number }>().exec());
    const last = hint ? hintedSequence(hint, `${tenantId}/${series}`) : 0;
    const key = `${tenantId}\u0000${series}`;
    if (last === 0 || this.checkedHints.has(key)) return last;
    // Once per series and process: the hint names a stored number. A hint restored from a later copy than the
    // reservations would otherwise have the series go on above it, every number in between a gap for good.
    const stored = await guarded(() => this.models.number_reservations.collection.findOne({ tenantId, series, sequence: last } as never, { projection: { _id: 1 } }));
    if (stored) {
      this.checkedHints.add(key);
      return last;
    }
    const highest = await this.highestOurs(tenantId, series);
    await guarded(() => this.models.number_hints.collection.updateOne({ tenantId, series, last } as never, { $set: { last: highest } })).catch(() => undefined);
    return highest;
  }

  /**
   * The highest number of the series reserved for one of our documents (imported numbers above it are not the series'
   * own). Reads every reservation of the series: only for a hint found naming none.
   */
  private async highestOurs(tenantId: TenantId, series: string): Promise<number> {
    const reservations = this.models.number_reservations.collection.find({ tenantId, series } as never, { projection: { sequence: 1, documentId: 1 } });
    let highest = 0;
    await guarded(async () => {
      for await (const reservation of reservations) {
        if (!isImportedHolder(String(reservation['documentId']))) highest = Math.max(highest, Number(reservation['sequence']));
      }
    });
    return highest;
  }
}

interface Claim {
  readonly sequence: number;
  /** Settles when the hint is raised to the last number of the insert (at once for a number given back). */
  readonly hintRaised: Promise<void>;
}

interface Waiter {
  readonly documentId: string;
  /** Which hint read was this one's (see {@link SeriesState.reads}). */
  readonly readNumber: number;
  readonly hint: Promise<{ value: number } | { error: unknown }>;
  readonly resolve: (claim: Claim) => void;
  readonly reject: (error: unknown) => void;
}

/** A series with reservations under way in this process. */
interface SeriesState {
  readonly tenantId: TenantId;
  readonly series: string;
  /** Reservations begun and not finished. */
  underWay: number;
  /** Hint reads begun, counted: tells which reads may have missed a number this process reserved. */
  reads: number;
  /** Reservations waiting for the next insert, in the order they came. */
  readonly waiting: Waiter[];
  /** Whether an insert is under way (the next one starts when it returns). */
  draining: boolean;
  /**
   * The last number this process inserted. Trusted as taken by reads begun before its hint was raised
   * (`hintRaisedBefore` is the count of reads begun by then; unset while the hint is being raised).
   */
  last?: { readonly sequence: number; hintRaisedBefore?: number };
}
