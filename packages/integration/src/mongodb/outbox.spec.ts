import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aPartner, aTenant } from '@invoicing/invoice/testing';
import { DocumentLocks } from './document-lock';
import { MongoOutbox } from './outbox';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';

// The outbox on the real server (FerretDB in the stack): documents an older release left waiting (`outboxSince`
// without `outboxPending`) are read too, by a scan no index serves, and only while some are left.
describe('MongoOutbox', () => {
  let database: TestDatabase;
  const finds: Record<string, unknown>[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('outbox', { monitorCommands: true });
    database.mongo.connection.getClient().on('commandStarted', (event: { commandName: string; command: { filter?: Record<string, unknown> } }) => {
      if (event.commandName === 'find' && event.command.filter) finds.push(event.command.filter);
    });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('drops the outbox index of earlier releases at start: no query reads it, and every write paid for it', async () => {
    const { models } = database.adapters;
    await models.partners.collection.createIndex({ outboxSince: 1, _id: 1 }, { name: 'outbox_pending', sparse: true });
    await database.adapters.ensureIndexes();
    expect((await models.partners.collection.indexes()).map((index) => index.name)).not.toContain('outbox_pending');
  });

  it('reads what an older release left waiting, and stops looking for it once none is left, though other documents wait', async () => {
    // Review of 7 December 2026: the scan went on while anything at all was waiting, so a relay that always found
    // something (steady writes) scanned every aggregate collection on every round, for good.
    const { models } = database.adapters;
    const tenant = aTenant();
    const [older, newer] = [aPartner(tenant, { legalName: 'Older Release Ltd' }), aPartner(tenant, { legalName: 'This Release Ltd' })];
    await database.adapters.partners.saveMany([older, newer]);
    await models.partners.collection.updateOne({ _id: `${tenant}/${older.id}` } as never, { $unset: { outboxPending: '' } });
    const outbox = new MongoOutbox(models, new DocumentLocks(models.document_locks));
    const scans = () => finds.filter((filter) => 'outboxSince' in filter).length;

    const first = await outbox.pending(100);
    expect(first.map((event) => event.aggregateId).sort()).toEqual([older.id, newer.id].sort());
    await outbox.markPublished(first.map((event) => event.id));

    for (let round = 0; round < 3; round += 1) {
      await database.adapters.partners.save(aPartner(tenant, { legalName: `Steady ${round} Ltd` }));
      const before = scans();
      const waiting = await outbox.pending(100);
      expect(waiting).toHaveLength(1);
      await outbox.markPublished(waiting.map((event) => event.id));
      // The round that finds none left still looked; none after it does.
      expect(scans() - before).toBe(round === 0 ? 5 : 0);
    }
  });
});
