import { Money, type CurrencyCode } from '@invoicing/core';
import { CreateCreditNote, CreateInvoiceDraft, GENESIS_HASH, IssueInvoice, RecordPayment, checkIntegrity, chainHash, type InvoiceState } from '@invoicing/invoice';
import { createScenario, type Scenario } from '@invoicing/invoice/testing';
import { createTestDatabase, tamperWithStoredState, type TestDatabase } from '../testing/mongo-test-database';
import { documentId } from './mappers/aggregate-document';
import { DocumentLocks } from './document-lock';
import { MongoDocumentSealer, documentSealId, type DocumentSealDocument } from './document-sealer';
import { MongoIntegrityReader } from './integrity-reader';
import { SEALED, SEAL_PENDING, type InvoiceDocument } from './mappers/invoice.mapper';

// The hash chain of issued documents on the real server (FerretDB in the stack): documents issued through the use
// cases are sealed by the sealer, the chain verifies, concurrent sealers never fork it, and a document edited in the
// database afterwards is named by the checker as the first broken link.
jest.setTimeout(120_000);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('sealer');
});
afterAll(async () => {
  await database.drop();
});

const eur = (amount: string) => Money.of(amount, 'EUR' as CurrencyCode);

async function issueSome(bed: Scenario, count: number): Promise<InvoiceState[]> {
  const issued: InvoiceState[] = [];
  for (let index = 0; index < count; index += 1) {
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: String(index + 1) }] });
    issued.push(await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id }));
  }
  return issued;
}

const seals = (tenantId: string) =>
  database.adapters.models.document_seals.collection.find({ tenantId } as never).toArray() as unknown as Promise<DocumentSealDocument[]>;

describe('MongoDocumentSealer', () => {
  it('seals issued documents in number order per series, the seal is read with them, and the chain verifies', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'seal-order' });
    const invoices = await issueSome(bed, 3);
    const note = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: (invoices[1] as InvoiceState).id, reason: 'returned' });
    const draft = await bed.use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }] });
    expect((await database.adapters.invoices.get(bed.tenantId, (invoices[0] as InvoiceState).id))?.toState().seal).toBeUndefined();

    const sealer = database.adapters.sealer;
    expect(await sealer.sealPending()).toBeGreaterThanOrEqual(4);
    expect(await sealer.sealPending()).toBe(0);

    const links = (await seals(bed.tenantId)).sort((a, b) => a._id.localeCompare(b._id));
    expect(links.map((link) => [link.series, link.position, link.number])).toEqual([
      ['CN', 1, note.number],
      ['INV', 1, 'INV-000001'],
      ['INV', 2, 'INV-000002'],
      ['INV', 3, 'INV-000003'],
    ]);
    const [, first, second] = links as [DocumentSealDocument, DocumentSealDocument, DocumentSealDocument];
    expect(first.previousHash).toBe(GENESIS_HASH);
    expect(second.previousHash).toBe(first.hash);
    expect(second.hash).toBe(chainHash(first.hash, second.contentHash));

    const stored = (await database.adapters.invoices.get(bed.tenantId, (invoices[1] as InvoiceState).id))?.toState();
    expect(stored?.seal).toEqual({ position: 2, contentHash: second.contentHash, previousHash: first.hash, hash: second.hash });
    expect((await database.adapters.invoices.get(bed.tenantId, draft.id))?.toState().seal).toBeUndefined();

    // A later save (a payment) keeps the seal and does not mark the document pending again.
    await bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '1.00', currency: 'EUR', receivedOn: '2026-03-11', applyTo: [(invoices[0] as InvoiceState).id] });
    const paid = await database.adapters.models.invoices.collection.findOne({ _id: documentId(bed.tenantId, (invoices[0] as InvoiceState).id) } as never);
    expect(paid).toMatchObject({ sealPending: SEALED, seal: { position: 1 } });
    expect(await sealer.sealPending()).toBe(0);

    const report = await checkIntegrity(new MongoIntegrityReader(database.adapters.models), { tenantId: bed.tenantId });
    expect(report.findings).toEqual([]);
  });

  it('never forks a chain nor seals a document twice when sealers run at once', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'seal-race' });
    const invoices = await issueSome(bed, 8);
    // Five processes' worth of sealers: each its own hints and in-process queue.
    const sealers = Array.from({ length: 5 }, () => new MongoDocumentSealer(database.adapters.models, new DocumentLocks(database.adapters.models.document_locks)));
    const counts = await Promise.all(sealers.map((sealer) => sealer.sealPending()));
    expect(counts.reduce((total, count) => total + count, 0)).toBeGreaterThanOrEqual(invoices.length);

    const links = (await seals(bed.tenantId)).sort((a, b) => a.position - b.position);
    expect(links.map((link) => link.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(links.map((link) => link.documentId)).size).toBe(8);
    for (const invoice of invoices) {
      const document = await database.adapters.models.invoices.collection.findOne({ _id: documentId(bed.tenantId, invoice.id) } as never);
      const link = links.find((candidate) => candidate.documentId === invoice.id) as DocumentSealDocument;
      expect(document).toMatchObject({ sealPending: SEALED, seal: { position: link.position, hash: link.hash } });
    }
    expect((await checkIntegrity(new MongoIntegrityReader(database.adapters.models), { tenantId: bed.tenantId })).findings).toEqual([]);
  });

  it('copies a link stored before a crash instead of appending another, and marks documents issued before sealing existed', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'seal-recover' });
    const [a, b] = (await issueSome(bed, 2)) as [InvoiceState, InvoiceState];
    const invoices = database.adapters.models.invoices.collection;
    // `a` as a release before sealing stored it; `b` crashed between its link and the copy.
    await invoices.updateOne({ _id: documentId(bed.tenantId, a.id) } as never, { $unset: { sealPending: '' } });
    await database.adapters.models.migrations.collection.deleteOne({ _id: 'document-seals-catch-up' as never });
    const fresh = new MongoDocumentSealer(database.adapters.models, new DocumentLocks(database.adapters.models.document_locks));
    expect(await invoices.findOne({ _id: documentId(bed.tenantId, a.id) } as never)).not.toHaveProperty('sealPending');
    expect(await fresh.sealPending()).toBeGreaterThanOrEqual(2);
    const links = await seals(bed.tenantId);
    expect(links.map((link) => link.number).sort()).toEqual([a.number, b.number]);

    await invoices.updateOne({ _id: documentId(bed.tenantId, b.id) } as never, { $set: { sealPending: SEAL_PENDING }, $unset: { seal: '' } });
    expect(await fresh.sealPending()).toBe(0);
    expect(await seals(bed.tenantId)).toHaveLength(2);
    expect(await invoices.findOne({ _id: documentId(bed.tenantId, b.id) } as never)).toMatchObject({ sealPending: SEALED, seal: { position: 2 } });
  });

  it('appends the links of many documents in one insert per series, and goes one at a time after an insert that meets a link already there', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'seal-many' });
    const invoices = await issueSome(bed, 5);
    const note = await bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: (invoices[0] as InvoiceState).id, reason: 'returned' });
    const collection = database.adapters.models.invoices.collection;
    const stored = async (id: string) => (await collection.findOne({ _id: documentId(bed.tenantId, id) } as never)) as unknown as InvoiceDocument;
    const links = database.adapters.models.document_seals.collection;
    const insertMany = jest.spyOn(links, 'insertMany');
    const insertOne = jest.spyOn(links, 'insertOne');
    try {
      // The first three in one call: one insert per series.
      const sealer = new MongoDocumentSealer(database.adapters.models, new DocumentLocks(database.adapters.models.document_locks));
      const firstThree = await Promise.all([...invoices.slice(0, 2), note].map((state) => stored(state.id)));
      const sealed = await sealer.sealFieldsOfAll(firstThree);
      expect([...sealed.keys()].sort()).toEqual(firstThree.map((document) => document._id).sort());
      expect(insertMany).toHaveBeenCalledTimes(2);
      expect(insertOne).not.toHaveBeenCalled();

      // The fifth invoice's link appended before a crash; then the last three together, by another process's sealer:
      // its insert meets that link, and the three go one at a time, the fifth getting the link it has.
      const early = await new MongoDocumentSealer(database.adapters.models, new DocumentLocks(database.adapters.models.document_locks)).sealFieldsOf(await stored((invoices[4] as InvoiceState).id));
      insertMany.mockClear();
      const other = new MongoDocumentSealer(database.adapters.models, new DocumentLocks(database.adapters.models.document_locks));
      const rest = await other.sealFieldsOfAll(await Promise.all(invoices.slice(2).map((state) => stored(state.id))));
      expect(rest.size).toBe(3);
      expect(insertMany).toHaveBeenCalledTimes(1);
      expect(rest.get(documentId(bed.tenantId, (invoices[4] as InvoiceState).id))).toEqual(early);
    } finally {
      insertMany.mockRestore();
      insertOne.mockRestore();
    }
    const chain = ((await seals(bed.tenantId)) as DocumentSealDocument[]).filter((link) => link.series === 'INV').sort((a, b) => a.position - b.position);
    expect(chain.map((link) => [link.position, link.number])).toEqual([
      [1, 'INV-000001'],
      [2, 'INV-000002'],
      [3, 'INV-000005'],
      [4, 'INV-000003'],
      [5, 'INV-000004'],
    ]);
    for (let index = 1; index < chain.length; index += 1) expect(chain[index]?.previousHash).toBe(chain[index - 1]?.hash);
  });

  it('leaves to the relay the documents whose outbox still waits, when told to', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'seal-leave' });
    const [waiting, published] = (await issueSome(bed, 2)) as [InvoiceState, InvoiceState];
    const invoices = database.adapters.models.invoices.collection;
    // The second one's outbox emptied without a seal (the relay's seal failed): the sweep is for it.
    await invoices.updateOne({ _id: documentId(bed.tenantId, published.id) } as never, { $set: { outbox: [] }, $unset: { outboxPending: '', outboxSince: '' } });
    expect(await database.adapters.sealer.sealPending(100, { leaveToRelay: true })).toBe(1);
    expect(await invoices.findOne({ _id: documentId(bed.tenantId, published.id) } as never)).toMatchObject({ sealPending: SEALED, seal: { position: 1 } });
    expect(await invoices.findOne({ _id: documentId(bed.tenantId, waiting.id) } as never)).toMatchObject({ sealPending: SEAL_PENDING, outboxPending: true });
    expect(await database.adapters.sealer.sealPending()).toBe(1);
  });

  it('names the first broken link once a sealed document is edited in the database, or its copy of the seal', async () => {
    const bed = await createScenario({ adapters: database.adapters, tenantId: 'seal-tamper' });
    const invoices = await issueSome(bed, 3);
    await database.adapters.sealer.sealPending();
    const reader = new MongoIntegrityReader(database.adapters.models);
    expect((await checkIntegrity(reader, { tenantId: bed.tenantId })).findings).toEqual([]);

    // A line's net amount of the second invoice raised inside its stored state, as someone with database access would.
    const second = invoices[1] as InvoiceState;
    await tamperWithStoredState<{ lines: { netAmount: { minor: bigint } }[] }>(database.adapters.models.invoices.collection as never, documentId(bed.tenantId, second.id), (state) => {
      (state.lines[0] as { netAmount: { minor: bigint } }).netAmount.minor += 100n;
    });
    const edited = await checkIntegrity(reader, { tenantId: bed.tenantId });
    expect(edited.findings.map((found) => [found.code, found.ids])).toEqual([
      ['integrity.seal_content_mismatch', { series: 'INV', position: 2, documentId: second.id, number: 'INV-000002' }],
    ]);

    // The third document's copy of its seal rewritten to match a forged chain: still caught, at the first break.
    const third = invoices[2] as InvoiceState;
    await database.adapters.models.invoices.collection.updateOne({ _id: documentId(bed.tenantId, third.id) } as never, { $set: { 'seal.hash': GENESIS_HASH } });
    const copy = await checkIntegrity(reader, { tenantId: bed.tenantId });
    expect(copy.findings.map((found) => found.code)).toEqual(['integrity.seal_content_mismatch']);

    // A link's hash rewritten in `document_seals`: the chain breaks there.
    await database.adapters.models.document_seals.collection.updateOne({ _id: documentSealId(bed.tenantId, 'INV', 1) } as never, { $set: { hash: eur('1.00').toString() } });
    const link = await checkIntegrity(reader, { tenantId: bed.tenantId });
    expect(link.findings.map((found) => [found.code, found.ids['position']])).toEqual([['integrity.seal_chain_broken', 1]]);
  });
});
