import { jestGlobals } from './jest-globals';
import { aTenant } from '../builders';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';

/** Contract of `NumberSequence`: unique, gapless per tenant and series, a document keeps its reservation. */
export function describeNumberSequenceContract(adapters: () => InvoiceAdapters): void {
  const { describe, expect, it } = jestGlobals();
  describe('NumberSequence', () => {
    it('hands out 1, 2, 3 … per tenant and series', async () => {
      const { numbers } = adapters();
      const tenant = aTenant();
      expect([await numbers.reserve(tenant, 'INV', 'a'), await numbers.reserve(tenant, 'INV', 'b'), await numbers.reserve(tenant, 'INV', 'c')]).toEqual([1, 2, 3]);
      expect(await numbers.reserve(tenant, 'CN', 'x')).toBe(1);
      expect(await numbers.reserve(aTenant(), 'INV', 'a')).toBe(1);
    });

    it('returns the same number when a document reserves again', async () => {
      const { numbers } = adapters();
      const tenant = aTenant();
      const first = await numbers.reserve(tenant, 'INV', 'doc-1');
      await numbers.reserve(tenant, 'INV', 'doc-2');
      expect(await numbers.reserve(tenant, 'INV', 'doc-1')).toBe(first);
      expect(await numbers.reserve(tenant, 'INV', 'doc-3')).toBe(3);
    });

    it('goes past the numbers imported documents took out of a series, and does not let them claim one of its own', async () => {
      const { numbers } = adapters();
      const tenant = aTenant();
      expect(await numbers.reserve(tenant, 'INV', 'a')).toBe(1);
      expect([await numbers.claimImported(tenant, 'INV', 2), await numbers.claimImported(tenant, 'INV', 4), await numbers.claimImported(tenant, 'INV', 2)]).toEqual([true, true, true]);
      expect(await numbers.claimImported(tenant, 'INV', 1)).toBe(false);
      expect([await numbers.reserve(tenant, 'INV', 'b'), await numbers.reserve(tenant, 'INV', 'c'), await numbers.reserve(tenant, 'INV', 'd')]).toEqual([3, 5, 6]);
      expect(await numbers.claimImported(tenant, 'INV', 5)).toBe(false);
    });

    it('never hands one number out twice, nor skips one, under concurrent reservations', async () => {
      const { numbers } = adapters();
      const tenant = aTenant();
      const documents = Array.from({ length: 50 }, (_, index) => `doc-${index}`);
      // Each document asks twice at once, as a retried request would.
      const reserved = await Promise.all([...documents, ...documents].map((document) => numbers.reserve(tenant, 'INV', document)));
      const byDocument = new Map<string, number>();
      [...documents, ...documents].forEach((document, index) => {
        const number = reserved[index] as number;
        expect(byDocument.get(document) ?? number).toBe(number);
        byDocument.set(document, number);
      });
      expect([...byDocument.values()].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    });
  });
}
