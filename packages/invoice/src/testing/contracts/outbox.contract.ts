import { jestGlobals } from './jest-globals';
import type { ContactId } from '../../shared/ids';
import { aPartner, aTenant } from '../builders';
import type { InvoiceAdapters } from '../in-memory/in-memory-adapters';

const AT = new Date('2026-02-01T10:00:00Z');

/** Contract of `Outbox`: events of saved aggregates wait in order until marked published. */
export function describeOutboxContract(adapters: () => InvoiceAdapters): void {
  const { describe, expect, it } = jestGlobals();
  describe('Outbox', () => {
    it("keeps each aggregate's events in order until they are marked published", async () => {
      const { partners, outbox } = adapters();
      const tenant = aTenant();
      const partner = aPartner(tenant);
      await partners.save(partner);
      partner.addContact({ name: 'Second' }, { id: `${partner.id}-c2` as ContactId, at: AT });
      partner.archive(AT);
      await partners.save(partner);
      const mine = async () => (await outbox.pending(100_000)).filter((event) => event.tenantId === tenant);
      const pending = await mine();
      expect(pending.map((event) => [event.type, event.aggregateVersion, event.index])).toEqual([
        ['partner.created', 1, 0],
        ['partner.contact_added', 2, 0],
        ['partner.archived', 2, 1],
      ]);
      expect(pending[0]?.occurredAt).toEqual(new Date('2026-01-15T09:00:00Z'));
      expect(pending[0]?.payload).toEqual({ partnerId: partner.id, legalName: 'Acme SAS' });
      await outbox.markPublished([pending[0]?.id as string, 'unknown-id']);
      expect((await mine()).map((event) => event.type)).toEqual(['partner.contact_added', 'partner.archived']);
      await outbox.markPublished(pending.map((event) => event.id));
      expect(await mine()).toEqual([]);
    });

    it('returns at most the limit asked for', async () => {
      const { partners, outbox } = adapters();
      const tenant = aTenant();
      for (let index = 0; index < 3; index += 1) await partners.save(aPartner(tenant));
      expect(await outbox.pending(2)).toHaveLength(2);
    });
  });
}
