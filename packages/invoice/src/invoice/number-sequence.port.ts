import { ValidationError, type TenantId } from '@invoicing/core';

/**
 * Port: hands out document numbers, per tenant and series, never the same twice.
 * Reserving again for the same document returns the number it already holds, so a retried issue reuses it
 * and the series stays gapless on the normal path.
 */
export interface NumberSequence {
  /** The sequence number (1, 2, 3 …) reserved for `documentId` in the series. */
  reserve(tenantId: TenantId, series: string, documentId: string): Promise<number>;
  /**
   * Reserves one number of a series for a document recorded from another system's history that holds it already (an
   * imported `INV-000120`), so that the series never gives it out: `reserve` goes past it. The reservation names
   * {@link importedHolder} of the number, so claiming again is a no-op. False when another document holds the number.
   */
  claimImported(tenantId: TenantId, series: string, sequence: number): Promise<boolean>;
}

/** The holder a reservation of {@link NumberSequence.claimImported} names: the number itself, as no id of ours looks. */
export function importedHolder(series: string, sequence: number): string {
  return `imported:${formatDocumentNumber(series, sequence)}`;
}

/** Whether a reservation's holder is an imported number's ({@link importedHolder}). */
export function isImportedHolder(documentId: string): boolean {
  return documentId.startsWith('imported:');
}

/**
 * The series and sequence of a number the platform's own format gives (`INV-000120`, `INV-2026-1000000`), when it is
 * one: what a series would give out, so an imported document holding it must take it out of the series.
 */
export function parseDocumentNumber(number: string): { readonly series: string; readonly sequence: number } | undefined {
  const match = /^([A-Z0-9][A-Z0-9-]{0,19})-(\d{6,15})$/.exec(number);
  if (!match) return undefined;
  const [, series, digits] = match as unknown as [string, string, string];
  const sequence = Number(digits);
  return sequence > 0 && Number.isSafeInteger(sequence) && formatDocumentNumber(series, sequence) === number ? { series, sequence } : undefined;
}
/** Injection token of {@link NumberSequence}. */
export const NUMBER_SEQUENCE = Symbol.for('@invoicing/invoice/NumberSequence');

/**
 * The printed number: series, dash, sequence padded to six digits (`INV-000042`).
 * @throws ValidationError `request.is_int` | `request.min` | `request.max` at `sequence` for anything but a whole number from 1 to `Number.MAX_SAFE_INTEGER`
 */
export function formatDocumentNumber(series: string, sequence: number): string {
  // -1 printed `INV-0000-1`, 1.5 `INV-00001.5`, NaN `INV-000NaN`, 2^53 the number of a neighbour: none a series gives out.
  if (!Number.isInteger(sequence)) throw ValidationError.of('sequence', 'request.is_int', 'a sequence number is a whole number');
  if (sequence < 1) throw ValidationError.of('sequence', 'request.min', 'a sequence number is at least 1');
  if (sequence > Number.MAX_SAFE_INTEGER) throw ValidationError.of('sequence', 'request.max', `a sequence number is at most ${Number.MAX_SAFE_INTEGER}`);
  return `${series}-${String(sequence).padStart(6, '0')}`;
}
