import type { TenantId } from '@invoicing/core';

/**
 * Port: hands out document numbers, per tenant and series, never the same twice.
 * Reserving again for the same document returns the number it already holds, so a retried issue reuses it
 * and the series stays gapless on the normal path.
 */
export interface NumberSequence {
  /** The sequence number (1, 2, 3 …) reserved for `documentId` in the series. */
  reserve(tenantId: TenantId, series: string, documentId: string): Promise<number>;
}
/** Injection token of {@link NumberSequence}. */
export const NUMBER_SEQUENCE = Symbol.for('@invoicing/invoice/NumberSequence');

/** The printed number: series, dash, sequence padded to six digits (`INV-000042`). */
export function formatDocumentNumber(series: string, sequence: number): string {
  return `${series}-${String(sequence).padStart(6, '0')}`;
}
