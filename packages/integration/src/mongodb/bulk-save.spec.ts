import { Partner } from '@invoicing/invoice';
import { aPartner, aTenant } from '@invoicing/invoice/testing';
import { BulkSaveError } from './aggregate-store';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';

jest.setTimeout(60_000);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('bulk_save');
});
afterAll(async () => {
  await database.drop();
});

describe('saveMany', () => {
  it('inserts new aggregates once, updates loaded ones, and reports the stale and duplicate ones without losing the rest', async () => {
    const { partners, outbox } = database.adapters;
    const tenant = aTenant();
    const kept = aPartner(tenant, { legalName: 'Kept' });
    const stale = aPartner(tenant, { legalName: 'Stale' });
    await partners.saveMany([kept, stale]);
    expect([kept.version, stale.version]).toEqual([1, 1]);

    const loaded = (await partners.get(tenant, kept.id)) as Partner;
    loaded.update({ ...loaded.toState(), legalName: 'Kept, renamed' }, new Date('2026-03-01T10:00:00Z'));
    const staleCopy = (await partners.get(tenant, stale.id)) as Partner;
    const newer = (await partners.get(tenant, stale.id)) as Partner;
    newer.archive(new Date('2026-03-01T10:00:00Z'));
    await partners.save(newer);
    staleCopy.update({ ...staleCopy.toState(), legalName: 'Lost?' }, new Date('2026-03-01T10:00:00Z'));
    const fresh = [aPartner(tenant), aPartner(tenant)];
    const duplicate = Partner.restore({ ...(fresh[0] as Partner).toState(), version: 0 });

    const error = await partners.saveMany([...fresh, duplicate, loaded, staleCopy]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BulkSaveError);
    expect((error as BulkSaveError).saved).toBe(3);
    expect((error as BulkSaveError).failures.map((failure) => failure.id).sort()).toEqual([duplicate.id, staleCopy.id].sort());
    expect([fresh[0]?.version, fresh[1]?.version, loaded.version, staleCopy.version]).toEqual([1, 1, 2, 1]);
    expect((await partners.get(tenant, kept.id))?.toState()).toMatchObject({ legalName: 'Kept, renamed', version: 2 });
    expect((await partners.get(tenant, stale.id))?.toState()).toMatchObject({ legalName: 'Stale', status: 'archived', version: 2 });
    const types = (await outbox.pending(100_000)).filter((event) => event.tenantId === tenant).map((event) => `${event.aggregateId}:${event.type}`);
    expect(types.filter((type) => type.startsWith(`${fresh[0]?.id}:`))).toEqual([`${fresh[0]?.id}:partner.created`]);
    expect(types.filter((type) => type.startsWith(`${kept.id}:`))).toEqual([`${kept.id}:partner.created`, `${kept.id}:partner.updated`]);
  });

  it('gives a partner\'s external id to one partner of a bulk save, reporting the others, and saves those without one in bulk', async () => {
    const { partners } = database.adapters;
    const tenant = aTenant();
    const holder = aPartner(tenant, { legalName: 'Holder', externalId: 'CRM-BULK' });
    await partners.save(holder);
    const twins = [aPartner(tenant, { legalName: 'Twin A', externalId: 'CRM-BULK' }), aPartner(tenant, { legalName: 'Twin B', externalId: 'CRM-BULK-2' }), aPartner(tenant, { legalName: 'Twin C', externalId: 'CRM-BULK-2' })];
    const plain = [aPartner(tenant, { legalName: 'Plain 1' }), aPartner(tenant, { legalName: 'Plain 2' })];
    const error = await partners.saveMany([...plain, ...twins]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BulkSaveError);
    expect((error as BulkSaveError).saved).toBe(3);
    expect((error as BulkSaveError).failures).toEqual([
      { id: twins[0]?.id, reason: 'partner.external_id_taken' },
      { id: twins[2]?.id, reason: 'partner.external_id_taken' },
    ]);
    expect((await partners.findByExternalId(tenant, 'CRM-BULK')).map((partner) => partner.id)).toEqual([holder.id]);
    expect((await partners.findByExternalId(tenant, 'CRM-BULK-2')).map((partner) => partner.id)).toEqual([twins[1]?.id]);
    expect((await partners.getMany(tenant, plain.map((partner) => partner.id))).length).toBe(2);
  });
});
