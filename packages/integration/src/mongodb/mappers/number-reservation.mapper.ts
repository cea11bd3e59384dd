import type { TenantId } from '@invoicing/core';
import { STORED_FORMAT, storedFormatOf } from './stored-format';
import type { AllFieldsOf } from './value.mapper';

/** Which document holds which number of a tenant's series (see `number-sequence.ts`). */
export interface NumberReservation {
  readonly tenantId: TenantId;
  readonly series: string;
  readonly documentId: string;
  readonly sequence: number;
  readonly reservedAt: Date;
}

/** A `number_reservations` document. */
export type NumberReservationDocument = NumberReservation & { readonly _v?: number };

export function reservationToPersistence(reservation: NumberReservation): NumberReservationDocument {
  return {
    _v: STORED_FORMAT,
    tenantId: reservation.tenantId,
    series: reservation.series,
    documentId: reservation.documentId,
    sequence: reservation.sequence,
    reservedAt: reservation.reservedAt,
  } satisfies AllFieldsOf<NumberReservationDocument>;
}

/**
 * The number a stored reservation holds (the sequence is all that is read back).
 * @throws UnsupportedStoredFormatError
 */
export function reservedSequence(stored: Pick<NumberReservationDocument, '_v' | 'sequence'>, source: string): number {
  storedFormatOf(stored, `number_reservations ${source}`);
  // What the database holds is not trusted to be a number of a series: the numbering and its checks count on it.
  if (!Number.isSafeInteger(stored.sequence) || stored.sequence < 1) throw new Error(`number_reservations ${source}: ${JSON.stringify(stored.sequence)} is not a number of a series`);
  return stored.sequence;
}

/** A `number_hints` document: the highest number known to be taken in a series, where the next reservation starts. */
export interface NumberHintDocument {
  readonly _v?: number;
  readonly tenantId: string;
  readonly series: string;
  readonly last: number;
}

/** The fields a hint gets when it is first written (`last` is raised with `$max` afterwards). */
export function hintInsertFields(): Pick<NumberHintDocument, '_v'> {
  return { _v: STORED_FORMAT };
}

/** @throws UnsupportedStoredFormatError */
export function hintedSequence(stored: Pick<NumberHintDocument, '_v' | 'last'>, source: string): number {
  storedFormatOf(stored, `number_hints ${source}`);
  return stored.last;
}
