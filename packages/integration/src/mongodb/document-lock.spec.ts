import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';
import { DocumentLocks } from './document-lock';

// The lock around each write of a stored document (ADR 0007), on the real server: two processes are two lock objects.
jest.setTimeout(60_000);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('locks');
});
afterAll(async () => {
  await database.drop();
});

describe('DocumentLocks', () => {
  it('a writer that outlived its lock does not free the lock of the writer that took it over', async () => {
    // Review of 6 December 2026: the release deleted the lock by its id alone, so a third writer could then run beside
    // the second, and FerretDB's unisolated updates can lose one of their writes.
    const models = database.adapters.models.document_locks;
    const [slow, next, third] = [0, 1, 2].map(() => new DocumentLocks(models, 500)) as [DocumentLocks, DocumentLocks, DocumentLocks];
    let slowDone!: () => void;
    const slowFinished = new Promise<void>((resolve) => (slowDone = resolve));
    const stalled = slow.withLock('doc-1|invoices', 'locks', async () => {
      await sleep(700); // past the stale age: the next writer takes the lock over
    }).finally(() => slowDone());
    await sleep(50);
    const order: string[] = [];
    const takenOver = next.withLock('doc-1|invoices', 'locks', async () => {
      order.push('next starts');
      await slowFinished; // the stalled writer finishes, and releases, while this one holds the lock
      expect(await models.collection.countDocuments({ _id: 'doc-1|invoices' } as never)).toBe(1);
      const thirdRun = third.withLock('doc-1|invoices', 'locks', async () => {
        order.push('third starts');
      });
      await sleep(30);
      order.push('next ends');
      return thirdRun;
    });
    await Promise.all([stalled, (await takenOver) ?? Promise.resolve()]);
    expect(order).toEqual(['next starts', 'next ends', 'third starts']);
    expect(await models.collection.countDocuments({ _id: 'doc-1|invoices' } as never)).toBe(0);
  });

  it('judges a lock held across several writes by the stale age its holder recorded, in every process', async () => {
    // Review of 6 December 2026: a credit note holds its reference's lock across several writes, each of which may wait;
    // past the 15 s of a one-update lock another process freed it, and took the reference in between.
    const models = database.adapters.models.document_locks;
    const [holder, waiter] = [0, 1].map(() => new DocumentLocks(models, 300)) as [DocumentLocks, DocumentLocks];
    const order: string[] = [];
    const held = holder.withLock('ref-1|invoices.externalReference', 'locks', async () => {
      await sleep(800); // past the waiter's own stale age, within the one the holder recorded
      order.push('holder ends');
    }, { staleMs: 5_000 });
    await sleep(50);
    expect((await models.collection.findOne({ _id: 'ref-1|invoices.externalReference' } as never))?.staleMs).toBe(5_000);
    await waiter.withLock('ref-1|invoices.externalReference', 'locks', async () => {
      order.push('waiter runs');
    });
    await held;
    expect(order).toEqual(['holder ends', 'waiter runs']);
  });
});
