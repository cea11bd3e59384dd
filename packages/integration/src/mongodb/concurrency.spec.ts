import { ConflictError, tenantId, type TenantId } from '@invoicing/core';
import {
  CreateCreditNote,
  CreateInvoiceDraft,
  CreatePartner,
  IssueInvoice,
  Partner,
  RecordPayment,
  RefundCredit,
  type InvoiceId,
  type InvoiceState,
  type PartnerId,
  type PaymentId,
  type PaymentState,
  type RefundId,
} from '@invoicing/invoice';
import { aPartner, createScenario, createTestBed, type Scenario } from '@invoicing/invoice/testing';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';
import { createMongoAdapters } from './mongo-adapters';
import { MongoNumberSequence } from './number-sequence';

// Concurrency on the real server (FerretDB from the stack in `npm test`), through the use cases.
jest.setTimeout(300_000);

let database: TestDatabase;
let tenants = 0;
const aTenantId = (): TenantId => tenantId(`race-${Date.now()}-${(tenants += 1)}`);

beforeAll(async () => {
  database = await createTestDatabase('concurrency');
});
afterAll(async () => {
  await database.drop();
});

async function scenario(): Promise<Scenario> {
  return createScenario({ adapters: database.adapters, tenantId: aTenantId() });
}

async function drafts(bed: Scenario, count: number, quantity = '1'): Promise<InvoiceState[]> {
  const created: InvoiceState[] = [];
  for (let index = 0; index < count; index += 1) {
    created.push(
      await bed.use(CreateInvoiceDraft).execute({
        tenantId: bed.tenantId,
        partnershipId: bed.partnership.id,
        lines: [{ marketableId: bed.marketable.id, quantity }],
      }),
    );
  }
  return created;
}

describe('issuing in parallel', () => {
  it('keeps numbers unique and gapless between two processes reserving in turn and at once, each starting after its own last', async () => {
    const tenant = aTenantId();
    // Two sequence objects on one database: two API processes, each remembering the last number it reserved.
    const first = new MongoNumberSequence(database.adapters.models);
    const second = new MongoNumberSequence(database.adapters.models);

    const inTurn = [
      await first.reserve(tenant, 'P', 'd1'),
      await second.reserve(tenant, 'P', 'd2'),
      await second.reserve(tenant, 'P', 'd3'),
      // 2 and 3 were taken by the other one since: found taken, then past them through the hint.
      await first.reserve(tenant, 'P', 'd4'),
    ];
    const atOnce = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).reserve(tenant, 'P', `c${index}`)));

    expect(inTurn).toEqual([1, 2, 3, 4]);
    expect([...atOnce].sort((left, right) => left - right)).toEqual(Array.from({ length: 40 }, (_, index) => index + 5));
    // A retried reservation gets the document's number back, from either process.
    expect([await first.reserve(tenant, 'P', 'd2'), await second.reserve(tenant, 'P', 'd4')]).toEqual([2, 4]);
    expect(await first.reserve(tenant, 'P', 'd5')).toBe(45);
  });

  it('gives a burst in one process its numbers in few inserts, and starts a series removed under it again at 1', async () => {
    const tenant = aTenantId();
    const numbers = new MongoNumberSequence(database.adapters.models);
    const collection = database.adapters.models.number_reservations.collection;
    const insertOne = jest.spyOn(collection, 'insertOne');
    const insertMany = jest.spyOn(collection, 'insertMany');
    try {
      const burst = await Promise.all(Array.from({ length: 30 }, (_, index) => numbers.reserve(tenant, 'B', `b${index}`)));
      expect([...burst].sort((left, right) => left - right)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
      // Those queued behind an insert took consecutive numbers together, each knowing what the ones before had taken:
      // no taken number was tried.
      const tried = insertOne.mock.calls.length + insertMany.mock.calls.reduce((sum, [documents]) => sum + [...documents].length, 0);
      expect(tried).toBe(30);
      expect(insertOne.mock.calls.length + insertMany.mock.calls.length).toBeLessThan(5);
    } finally {
      insertOne.mockRestore();
      insertMany.mockRestore();
    }
    // Removed under the running process (a reset, a restore): what it reserved before is not remembered as taken.
    await database.adapters.models.number_reservations.collection.deleteMany({ tenantId: tenant });
    await database.adapters.models.number_hints.collection.deleteMany({ tenantId: tenant });
    const again = await Promise.all(Array.from({ length: 5 }, (_, index) => numbers.reserve(tenant, 'B', `c${index}`)));
    expect([...again].sort((left, right) => left - right)).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives stored numbers to their callers when raising the hint fails afterwards, and the next numbers after them', async () => {
    const tenant = aTenantId();
    const numbers = new MongoNumberSequence(database.adapters.models);
    // The hint's write failing, as when the server goes away between the insert and it: the numbers are stored.
    const raise = jest.spyOn(database.adapters.models.number_hints.collection, 'updateOne').mockRejectedValue(new Error('connection reset'));
    let burst: number[];
    try {
      burst = await Promise.all(Array.from({ length: 6 }, (_, index) => numbers.reserve(tenant, 'H', `h${index}`)));
      expect(raise).toHaveBeenCalled();
    } finally {
      raise.mockRestore();
    }
    expect([...burst].sort((left, right) => left - right)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await database.adapters.models.number_reservations.collection.countDocuments({ tenantId: tenant, series: 'H' })).toBe(6);
    // A hint that was never raised costs the next reservation a few taken numbers, never a gap or a second holder.
    expect(await new MongoNumberSequence(database.adapters.models).reserve(tenant, 'H', 'h6')).toBe(7);
  });

  it('goes past numbers imported documents took out of the series, alone and in a burst, and refuses to claim a number of ours', async () => {
    const tenant = aTenantId();
    const numbers = new MongoNumberSequence(database.adapters.models);
    expect(await numbers.reserve(tenant, 'M', 'first')).toBe(1);
    expect(await Promise.all([3, 5, 6].map((sequence) => numbers.claimImported(tenant, 'M', sequence)))).toEqual([true, true, true]);
    // Claimed again (an import run twice): the same reservation; a number a document of ours holds: refused.
    expect(await numbers.claimImported(tenant, 'M', 3)).toBe(true);
    expect(await numbers.claimImported(tenant, 'M', 1)).toBe(false);
    expect(await numbers.reserve(tenant, 'M', 'alone')).toBe(2);
    const burst = await Promise.all(['b0', 'b1', 'b2'].map((documentId) => numbers.reserve(tenant, 'M', documentId)));
    expect([...burst].sort((left, right) => left - right)).toEqual([4, 7, 8]);
    const stored = await database.adapters.models.number_reservations.collection.find({ tenantId: tenant, series: 'M' } as never).toArray();
    expect(stored.map((reservation) => [reservation['sequence'], reservation['documentId']]).sort((left, right) => (left[0] as number) - (right[0] as number))).toEqual([
      [1, 'first'],
      [2, 'alone'],
      [3, 'imported:M-000003'],
      [4, expect.stringMatching(/^b/)],
      [5, 'imported:M-000005'],
      [6, 'imported:M-000006'],
      [7, expect.stringMatching(/^b/)],
      [8, expect.stringMatching(/^b/)],
    ]);
  });

  it('goes on after the highest number stored when its hint names none (a hint restored from a later copy), and lowers the hint', async () => {
    const tenant = aTenantId();
    const before = new MongoNumberSequence(database.adapters.models);
    for (const documentId of ['r1', 'r2', 'r3']) await before.reserve(tenant, 'X', documentId);
    // An imported number above them is not the series' own: the series goes on from 3.
    expect(await before.claimImported(tenant, 'X', 7)).toBe(true);
    await database.adapters.models.number_hints.collection.updateOne({ tenantId: tenant, series: 'X' }, { $set: { last: 40 } });
    const restarted = new MongoNumberSequence(database.adapters.models);
    expect(await Promise.all(['r4', 'r5'].map((documentId) => restarted.reserve(tenant, 'X', documentId)))).toEqual([4, 5]);
    // Lowered from 40 to a number stored: 5, or 4 when FerretDB's unisolated `$max` of the two reservations lost the
    // later one (a hint may lag: the next reservation then tries 5 first, finds it taken, and goes on).
    expect([4, 5]).toContain((await database.adapters.models.number_hints.collection.findOne({ tenantId: tenant, series: 'X' }))?.['last']);
  });

  it('gives a retried document in the middle of a burst its number back, and the ones after it the next numbers', async () => {
    const tenant = aTenantId();
    const numbers = new MongoNumberSequence(database.adapters.models);
    expect(await numbers.reserve(tenant, 'R', 'retried')).toBe(1);
    // The first one goes alone; the four behind it go together, and the insert stops at the document that holds 1.
    const burst = await Promise.all(['e0', 'e1', 'retried', 'e2', 'e3'].map((documentId) => numbers.reserve(tenant, 'R', documentId)));
    expect(burst).toEqual([2, 3, 1, 4, 5]);
    expect(await numbers.reserve(tenant, 'R', 'e4')).toBe(6);
  });

  it('gives 200 invoices issued at once unique, gapless numbers, and stores each with its number', async () => {
    const bed = await scenario();
    const documents = await drafts(bed, 200);
    const issued = await Promise.all(documents.map((draft) => bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: draft.id })));
    const numbers = issued.map((state) => state.number).sort();
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, index) => `INV-${String(index + 1).padStart(6, '0')}`));
    const stored = await Promise.all(issued.map((state) => database.adapters.invoices.get(bed.tenantId, state.id)));
    expect(stored.map((invoice) => [invoice?.status, invoice?.number])).toEqual(issued.map((state) => ['issued', state.number]));
  });

  it('lets one of two concurrent issues of the same draft win, without using a second number', async () => {
    const bed = await scenario();
    const [first, second, third] = await drafts(bed, 3);
    const attempts = await Promise.allSettled([first, first, first, second].map((draft) => bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: (draft as InvoiceState).id })));
    const won = attempts.filter((attempt): attempt is PromiseFulfilledResult<InvoiceState> => attempt.status === 'fulfilled');
    const firstWins = won.filter((attempt) => attempt.value.id === first?.id);
    expect(firstWins).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') expect((attempt.reason as { code: string }).code).toMatch(/^(concurrency\.conflict|invoice\.not_draft)$/);
    }
    const next = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: (third as InvoiceState).id });
    expect(next.number).toBe('INV-000003');
    // The draft that lost reserved nothing new: a retried issue of the winner keeps its number.
    expect(await database.adapters.numbers.reserve(bed.tenantId, 'INV', (first as InvoiceState).id)).toBe(Number(firstWins[0]?.value.number?.slice(4)));
  });
});

describe('paying in parallel', () => {
  // A database of its own: FerretDB on SQLite reads the whole collection even by _id (ADR 0002), and each of the
  // ~2,500 reads of this race would otherwise also read the 200 invoices of the test above.
  let shared: TestDatabase;
  beforeAll(async () => {
    shared = database;
    database = await createTestDatabase('payments_race');
  });
  afterAll(async () => {
    await database.drop();
    database = shared;
  });

  it('applies 50 payments received at once on one invoice exactly: none lost, none twice, the rest left as credit', async () => {
    const bed = await scenario();
    // 2 days at 800.00 + 20% VAT = 1920.00
    const [draft] = await drafts(bed, 1, '2');
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: (draft as InvoiceState).id });
    const amounts = Array.from({ length: 50 }, (_, index) => `${40 + (index % 7)}.${String(index).padStart(2, '0')}`);
    const results = await Promise.allSettled(
      amounts.map((amount) =>
        bed.use(RecordPayment).execute({
          tenantId: bed.tenantId,
          partnerId: bed.buyer.id,
          amount,
          currency: 'EUR',
          receivedOn: '2026-03-10',
          applyTo: [invoice.id],
        }),
      ),
    );
    const accepted = results.filter((result): result is PromiseFulfilledResult<PaymentState> => result.status === 'fulfilled').map((result) => result.value);
    expect(accepted).toHaveLength(50);

    const stored = (await database.adapters.invoices.get(bed.tenantId, invoice.id)) ?? fail('invoice missing');
    const payments = await Promise.all(accepted.map((payment) => database.adapters.payments.get(bed.tenantId, payment.id)));
    const receivedMinor = amounts.reduce((sum, amount) => sum + BigInt(amount.replace('.', '')), 0n);
    // Every payment is stored whole: received = applied + unapplied.
    for (const payment of payments) {
      const applied = payment?.toState().applications.reduce((sum, application) => sum + application.amount.minor, 0n) ?? -1n;
      expect(applied + (payment?.unapplied.minor ?? -1n)).toBe(payment?.amount.minor);
    }
    // The invoice holds each payment at most once, for what the payment says it applied.
    const onInvoice = stored.toState().payments;
    expect(new Set(onInvoice.map((part) => part.paymentId)).size).toBe(onInvoice.length);
    const appliedByPayments = new Map(
      payments.flatMap((payment) => payment?.toState().applications.filter((application) => application.invoiceId === invoice.id).map((application) => [payment.id, application.amount.minor] as const) ?? []),
    );
    expect(new Map(onInvoice.map((part) => [part.paymentId, part.amount.minor]))).toEqual(appliedByPayments);
    // 50 payments of about 43 EUR exceed 1920.00: the invoice is paid exactly, the rest is the buyer's credit.
    expect(stored.status).toBe('paid');
    expect(stored.paidAmount.toString()).toBe('1920.00');
    const [balance] = await database.adapters.queries.balances(bed.tenantId, bed.buyer.id);
    expect(balance?.outstanding.toString()).toBe('0.00');
    expect(balance?.unappliedCredit.minor).toBe(receivedMinor - 192_000n);
  });
});

describe('attempts of the same request at once (an id derived from its idempotency key)', () => {
  it('records one payment and one refund however many attempts of the same request run together: the insert of the id decides', async () => {
    const bed = await scenario();
    const [draft] = await drafts(bed, 1, '1');
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: (draft as InvoiceState).id });
    const id = `retried-${bed.tenantId}` as PaymentId;
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () =>
        bed.use(RecordPayment).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '1000.00', currency: 'EUR', receivedOn: '2026-03-10', applyTo: [invoice.id], id }),
      ),
    );
    expect(new Set(attempts.map((payment) => payment.id))).toEqual(new Set([id]));
    const listed = await database.adapters.payments.listByPartner(bed.tenantId, bed.buyer.id, { limit: 50 });
    expect(listed.items.map((payment) => payment.id)).toEqual([id]);
    const stored = (await database.adapters.invoices.get(bed.tenantId, invoice.id)) ?? fail('invoice missing');
    expect(stored.toState().payments.map((part) => [part.paymentId, part.amount.toString()])).toEqual([[id, '960.00']]);

    const refundId = `refund-${bed.tenantId}` as RefundId;
    const refunds = await Promise.all(
      Array.from({ length: 5 }, () => bed.use(RefundCredit).execute({ tenantId: bed.tenantId, partnerId: bed.buyer.id, amount: '30.00', currency: 'EUR', refundedOn: '2026-03-11', refundId })),
    );
    expect(new Set(refunds.map((refund) => `${refund.refundId} ${refund.amount.toString()} ${refund.payments.join()}`))).toEqual(new Set([`${refundId} 30.00 ${id}`]));
    const payment = (await database.adapters.payments.get(bed.tenantId, id)) ?? fail('payment missing');
    expect(payment.toState().refunds.map((part) => [part.refundId, part.amount.toString()])).toEqual([[refundId, '30.00']]);
    expect(payment.unapplied.toString()).toBe('10.00');
  });
});

describe('attempts of the same creation at once', () => {
  it('makes one credit note and one partner however many attempts of the same request run together', async () => {
    const bed = await scenario();
    const [draft] = await drafts(bed, 1, '1');
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: (draft as InvoiceState).id });
    const creditNoteId = `credit-${bed.tenantId}` as InvoiceId;
    const notes = await Promise.all(Array.from({ length: 8 }, () => bed.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: invoice.id, reason: 'Cancelled', id: creditNoteId })));
    expect(new Set(notes.map((note) => `${note.id} ${note.number}`)).size).toBe(1);
    const credited = (await database.adapters.invoices.get(bed.tenantId, invoice.id)) ?? fail('invoice missing');
    expect(credited.toState().credits.map((credit) => credit.creditNoteId)).toEqual([creditNoteId]);

    const partnerId = `partner-${bed.tenantId}` as PartnerId;
    const partners = await Promise.all(
      Array.from({ length: 8 }, () => bed.use(CreatePartner).execute({ tenantId: bed.tenantId, kind: 'company', legalName: 'Retried At Once Ltd', id: partnerId })),
    );
    expect(new Set(partners.map((partner) => partner.id))).toEqual(new Set([partnerId]));
  });
});

describe('an external reference taken at once by a credit note and a draft', () => {
  it('moves no money for a credit note whose reference a draft took while it was being made: one of them has it', async () => {
    const bed = await scenario();
    const [draft] = await drafts(bed, 1, '2');
    const invoice = await bed.use(IssueInvoice).execute({ tenantId: bed.tenantId, invoiceId: (draft as InvoiceState).id });
    // The credit note stops after its reference check, at its number; a draft with the same reference runs meanwhile.
    let reached: () => void = () => undefined;
    let release: () => void = () => undefined;
    const atNumber = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const numbers = Object.create(database.adapters.numbers) as typeof database.adapters.numbers;
    numbers.reserve = async (...args) => {
      reached();
      await gate;
      return database.adapters.numbers.reserve(...args);
    };
    const gated = createTestBed({ adapters: { ...database.adapters, numbers } });
    const creditNote = gated.use(CreateCreditNote).execute({ tenantId: bed.tenantId, invoiceId: invoice.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }], externalReference: 'RETURN-7' });
    await atNumber;
    // From another process: adapters of their own, whose in-process queues know nothing of the credit note's.
    const rival = createTestBed({ adapters: createMongoAdapters(database.mongo) }).use(CreateInvoiceDraft).execute({ tenantId: bed.tenantId, partnershipId: bed.partnership.id, lines: [{ marketableId: bed.marketable.id, quantity: '1' }], externalReference: 'RETURN-7' });
    await Promise.race([rival.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 300))]);
    release();
    const [made, drafted] = await Promise.allSettled([creditNote, rival]);

    const credits = (await database.adapters.ledger.forInvoice(bed.tenantId, invoice.id)).flatMap((transaction) => transaction.postings.filter((posting) => posting.type === 'credited'));
    const stored = (await database.adapters.invoices.get(bed.tenantId, invoice.id))?.toState().credits ?? [];
    // Whichever wins, every credit in the ledger is a stored credit note's.
    expect(credits.length).toBe(made.status === 'fulfilled' ? 1 : 0);
    expect(stored.map((credit) => credit.creditNoteId)).toEqual(made.status === 'fulfilled' ? [made.value.id] : []);
    expect([made.status, drafted.status]).toEqual(['fulfilled', 'rejected']);
    expect(drafted.status === 'rejected' && drafted.reason).toMatchObject({ code: 'invoice.duplicate_external_reference' });
  });
});

describe('saving one aggregate from many stale copies at once', () => {
  it('accepts exactly one of 30 concurrent saves of the same version and keeps its state', async () => {
    const tenant = aTenantId();
    const partner = aPartner(tenant);
    await database.adapters.partners.save(partner);
    const copies = await Promise.all(Array.from({ length: 30 }, () => database.adapters.partners.get(tenant, partner.id)));
    const renamed = copies.map((copy, index) => {
      const changed = copy as Partner;
      changed.update({ ...changed.toState(), legalName: `Name ${index}` }, new Date('2026-03-01T10:00:00Z'));
      return changed;
    });
    const results = await Promise.allSettled(renamed.map((copy) => database.adapters.partners.save(copy)));
    const winners = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConflictError);
    const stored = await database.adapters.partners.get(tenant, partner.id);
    expect(stored?.version).toBe(2);
    expect(stored?.toState().legalName).toBe(`Name ${winners[0]}`);
    const events = (await database.adapters.outbox.pending(100_000)).filter((event) => event.aggregateId === partner.id && event.tenantId === tenant);
    expect(events.map((event) => event.type)).toEqual(['partner.created', 'partner.updated']);
  });

  it('accepts exactly one of 30 concurrent saves of the same version from two processes, whose first writers wait for no one', async () => {
    // A second set of adapters has its own in-process queues: the first save of each goes to the lock without the
    // stale-copy read (ADR 0017), so the lock and the version in the update alone must decide.
    const other = createMongoAdapters(database.mongo);
    const tenant = aTenantId();
    const partner = aPartner(tenant);
    await database.adapters.partners.save(partner);
    const processes = [database.adapters, other];
    const copies = await Promise.all(Array.from({ length: 30 }, (_, index) => (processes[index % 2] ?? other).partners.get(tenant, partner.id)));
    for (const [index, copy] of copies.entries()) (copy as Partner).update({ ...(copy as Partner).toState(), legalName: `Name ${index}` }, new Date('2026-03-01T10:00:00Z'));
    const results = await Promise.allSettled(copies.map((copy, index) => (processes[index % 2] ?? other).partners.save(copy as Partner)));
    const winners = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConflictError);
    const stored = await other.partners.get(tenant, partner.id);
    expect([stored?.version, stored?.toState().legalName]).toEqual([2, `Name ${winners[0]}`]);
  });
});

function fail(message: string): never {
  throw new Error(message);
}

