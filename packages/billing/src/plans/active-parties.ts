import { InvalidStateError, type TenantId } from '@invoicing/core';
import type { Partnership, PartnerRepository } from '@invoicing/invoice';

/**
 * Refuses new billing (terms, a one-off charge) for a partnership with an archived party: no invoice is drafted for
 * one, so what it billed would wait for ever (audit lifecycle F1). Archiving is itself refused while billing is due.
 * @throws InvalidStateError `partner.archived`
 */
export async function assertPartiesActive(partners: PartnerRepository, tenantId: TenantId, partnership: Partnership): Promise<void> {
  for (const partnerId of [partnership.sellerId, partnership.buyerId]) {
    const partner = await partners.get(tenantId, partnerId);
    if (partner?.status === 'archived') {
      throw new InvalidStateError('partner.archived', `partner ${partnerId} of partnership ${partnership.id} is archived: no invoice is made for it, so nothing more is billed`, {
        partnerId,
        partnershipId: partnership.id,
      });
    }
  }
}
