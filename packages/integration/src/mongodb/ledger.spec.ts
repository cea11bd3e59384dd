import { Money, RunningTotal, parseCalendarDate } from '@invoicing/core';
import { postTransaction, type Posting } from '@invoicing/invoice';
import { aLedgerAccount, aPaymentId, anInvoiceId, anOperationId, describeLedgerContract, postingsIn } from '@invoicing/invoice/testing';
import { createTestDatabase, type TestDatabase } from '../testing/mongo-test-database';
import { MongoLedger } from './ledger';
import { ledgerTransactionId } from './mappers/ledger-transaction.mapper';
import { UnsupportedStoredFormatError } from './mappers/stored-format';

// The ledger's contract on the server MONGO_URL names (FerretDB from the stack in `npm test`), and what it stores.
jest.setTimeout(120_000);

let database: TestDatabase | undefined;
const current = (): TestDatabase => {
  if (!database) throw new Error('the test database is not set up');
  return database;
};

beforeAll(async () => {
  database = await createTestDatabase('ledger');
});

afterAll(async () => {
  await database?.drop();
});

describe('MongoDB ledger', () => {
  // A new ledger object per call, as each process of the API has its own: the contract's writers then race at the server.
  describeLedgerContract(() => new MongoLedger(current().adapters.models));

  describe('stored documents', () => {
    const at = new Date('2026-02-01T10:00:00Z');

    it('holds one insert-only document per transaction: _id by account and seq, amounts as Int64 minor units, the ids it names', async () => {
      const { ledger, models } = current().adapters;
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const [payment, invoice] = [aPaymentId(), anInvoiceId()];
      const operationId = anOperationId();
      await postTransaction(ledger, { account, operationId }, () => ({
        kind: 'payment',
        postings: [post.received(payment, '12.50'), post.applied(payment, invoice, '10.00', '10.00')],
        at,
      }));
      const stored = await models.ledger_transactions.collection.findOne({ _id: ledgerTransactionId(account, 1) as never });
      expect(stored).toMatchObject({
        _id: `${account.tenantId}/${account.partnerId}/EUR/0000000000001`,
        _v: 2,
        seq: 1,
        operationId,
        kind: 'payment',
        paymentIds: [payment],
        invoiceIds: [invoice],
        at,
      });
      expect(Object.keys(stored ?? {}).sort()).toEqual(
        ['_id', '_v', 'at', 'currency', 'invoiceIds', 'kind', 'operationId', 'partnerId', 'paymentIds', 'postings', 'seq', 'tenantId', 'totalsAfter'].sort(),
      );
      // The connection reads Int64 as bigint (a double would come back as a number).
      expect(stored?.postings).toEqual([
        { type: 'received', amount: { minor: 1250n, currency: 'EUR' }, paymentId: payment, receivedOn: '2026-02-01' },
        { type: 'applied', amount: { minor: 1000n, currency: 'EUR' }, paymentId: payment, invoiceId: invoice, invoiceDue: { minor: 1000n, currency: 'EUR' }, appliedOn: '2026-02-01' },
      ]);
      expect(stored?.totalsAfter).toMatchObject({ received: { minor: 1250n, currency: 'EUR' }, unapplied: { minor: 250n, currency: 'EUR' } });
      expect(await models.ledger_heads.collection.findOne({ _id: `${account.tenantId}/${account.partnerId}/EUR` as never })).toMatchObject({ seq: 1, _v: 2 });
    });

    it('stores an application a credit note took back with every field, in format 4, and reads it back exactly', async () => {
      const { ledger, models } = current().adapters;
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const [payment, invoice, creditNote] = [aPaymentId(), anInvoiceId(), anInvoiceId()];
      await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({
        kind: 'payment',
        postings: [post.received(payment, '100.00'), post.applied(payment, invoice, '100.00', '100.00')],
        at,
      }));
      const returned: Extract<Posting, { type: 'application_returned' }> = {
        type: 'application_returned',
        amount: Money.of('30.00', 'EUR'),
        paymentId: payment,
        invoiceId: invoice,
        invoiceDue: Money.of('100.00', 'EUR'),
        creditNoteId: creditNote,
        returnedOn: parseCalendarDate('2026-02-02'),
      };
      const operationId = anOperationId();
      const appended = await postTransaction(ledger, { account, operationId }, () => ({ kind: 'credit_note', postings: [returned, post.credited(creditNote, invoice, '30.00', '100.00')], at }));

      const stored = await models.ledger_transactions.collection.findOne({ _id: ledgerTransactionId(account, 2) as never });
      // An earlier release refuses it (persistence.unsupported_format) rather than meet a posting type it does not know.
      expect(stored).toMatchObject({ _v: 4, kind: 'credit_note', paymentIds: [payment], invoiceIds: [invoice] });
      expect(stored?.postings[0]).toEqual({
        type: 'application_returned',
        amount: { minor: 3000n, currency: 'EUR' },
        paymentId: payment,
        invoiceId: invoice,
        invoiceDue: { minor: 10_000n, currency: 'EUR' },
        creditNoteId: creditNote,
        returnedOn: '2026-02-02',
      });
      const read = await ledger.at(account, 2);
      expect(read).toEqual(appended.transaction);
      expect(read?.postings[0]).toEqual(returned);
      expect(read?.totalsAfter).toMatchObject({ applied: RunningTotal.ofMinor(7000n, 'EUR'), unapplied: Money.of('30.00', 'EUR') });
      expect((await ledger.forPayment(account.tenantId, payment)).map((transaction) => transaction.seq)).toEqual([1, 2]);
      expect(await ledger.byOperation(account.tenantId, operationId)).toEqual(appended.transaction);
      // Transactions without it stay in format 2.
      expect(await models.ledger_transactions.collection.findOne({ _id: ledgerTransactionId(account, 1) as never })).toMatchObject({ _v: 2 });
      await models.ledger_transactions.collection.updateOne({ _id: ledgerTransactionId(account, 2) as never }, { $set: { _v: 5 } });
      await expect(ledger.at(account, 2)).rejects.toThrow(UnsupportedStoredFormatError);
    });

    it("stores a credit note's content as one JSON text, its fields named, and reads it back by the operation only (ADR 0024)", async () => {
      const { ledger, models } = current().adapters;
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const [invoice, creditNote] = [anInvoiceId(), anInvoiceId()];
      const operationId = anOperationId();
      const content = {
        lines: [{ id: '1', name: 'Consulting day', quantity: '1', unitCode: 'DAY', netPrice: '800', priceBaseQuantity: '1', allowances: [], charges: [], vat: { code: 'S' as const, rate: '20' } }],
        allowances: [],
        charges: [],
        notes: ['Not delivered'],
        prepaidAmount: '0.00',
        roundingAmount: '0.00',
        externalReference: 'RMA-1',
      };
      await postTransaction(ledger, { account, operationId }, () => ({ kind: 'credit_note', postings: [post.credited(creditNote, invoice, '960.00', '960.00')], at, creditNote: content }));
      const stored = await models.ledger_transactions.collection.findOne({ _id: ledgerTransactionId(account, 1) as never });
      expect(stored?.creditNote).toBe(
        '{"lines":[{"id":"1","name":"Consulting day","quantity":"1","unitCode":"DAY","netPrice":"800","priceBaseQuantity":"1","allowances":[],"charges":[],"vat":{"code":"S","rate":"20"}}],' +
          '"allowances":[],"charges":[],"notes":["Not delivered"],"prepaidAmount":"0.00","roundingAmount":"0.00","externalReference":"RMA-1"}',
      );
      expect((await ledger.byOperation(account.tenantId, operationId))?.creditNote).toEqual(content);
      expect(await ledger.head(account)).not.toHaveProperty('creditNote');
      // Text that is not a content is refused when read, not taken for one.
      await models.ledger_transactions.collection.updateOne({ _id: ledgerTransactionId(account, 1) as never }, { $set: { creditNote: '{"lines":3}' } });
      await expect(ledger.byOperation(account.tenantId, operationId)).rejects.toThrow("the credit note's lines are not a list");
    });

    it("keeps the VAT a credit note closes a category with in its content, so the ledger makes it again to the cent", async () => {
      const { ledger, models } = current().adapters;
      const account = aLedgerAccount();
      const post = postingsIn(account);
      const [invoice, creditNote] = [anInvoiceId(), anInvoiceId()];
      const operationId = anOperationId();
      const content = {
        lines: [{ id: '1', name: 'Item', quantity: '1', unitCode: 'C62', netPrice: '0.1', priceBaseQuantity: '1', allowances: [], charges: [], vat: { code: 'S' as const, rate: '15' } }],
        allowances: [],
        charges: [],
        notes: [],
        prepaidAmount: '0.00',
        roundingAmount: '0.00',
        closingVat: [{ code: 'S', rate: '15', taxAmount: '0.01' }],
      };
      await postTransaction(ledger, { account, operationId }, () => ({ kind: 'credit_note', postings: [post.credited(creditNote, invoice, '0.11', '0.35')], at, creditNote: content }));

      expect((await ledger.byOperation(account.tenantId, operationId))?.creditNote).toEqual(content);
      await models.ledger_transactions.collection.updateOne({ _id: ledgerTransactionId(account, 1) as never }, { $set: { creditNote: '{"lines":[],"allowances":[],"charges":[],"notes":[],"closingVat":"0.01"}' } });
      await expect(ledger.byOperation(account.tenantId, operationId)).rejects.toThrow("the credit note's closingVat is not a list");
    });

    it('finds the head past a hint that lags behind, and refuses a transaction of an unknown stored format', async () => {
      const { ledger, models } = current().adapters;
      const account = aLedgerAccount();
      const payment = aPaymentId();
      const post = postingsIn(account);
      await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'payment', postings: [post.received(payment, '9.00')], at }));
      for (const amount of ['1.00', '2.00']) {
        await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'refund', postings: [post.refunded(payment, amount)], at }));
      }
      // As after a lost raise of the hint, or between two raises: the head is still found by reading on from it.
      await models.ledger_heads.collection.updateOne({ _id: `${account.tenantId}/${account.partnerId}/EUR` as never }, { $set: { seq: 1 } });
      expect((await ledger.head(account))?.totalsAfter.unapplied).toEqual(Money.of('6.00', 'EUR'));
      await models.ledger_transactions.collection.updateOne({ _id: ledgerTransactionId(account, 3) as never }, { $set: { _v: 3 } });
      await expect(ledger.head(account)).rejects.toThrow(UnsupportedStoredFormatError);
    });

    it('raises the hint at the first seq and every eighth, and finds the head past it', async () => {
      const { ledger, models } = current().adapters;
      const account = aLedgerAccount();
      const payment = aPaymentId();
      const post = postingsIn(account);
      const hint = async () => (await models.ledger_heads.collection.findOne({ _id: `${account.tenantId}/${account.partnerId}/EUR` as never }))?.seq;
      await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'payment', postings: [post.received(payment, '20.00')], at }));
      const hints = [await hint()];
      for (let index = 0; index < 9; index += 1) {
        await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'refund', postings: [post.refunded(payment, '1.00')], at }));
        hints.push(await hint());
      }
      expect(hints).toEqual([1, 1, 1, 1, 1, 1, 1, 8, 8, 8]);
      expect(await ledger.head(account)).toMatchObject({ seq: 10, totalsAfter: { unapplied: Money.of('11.00', 'EUR') } });
    });

    it('finds the head under a hint above every stored seq (a restore that copied the hints last), and lowers the hint to it', async () => {
      const { ledger, models } = current().adapters;
      const account = aLedgerAccount();
      const payment = aPaymentId();
      const post = postingsIn(account);
      const key = `${account.tenantId}/${account.partnerId}/EUR`;
      await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'payment', postings: [post.received(payment, '20.00')], at }));
      for (let index = 0; index < 12; index += 1) {
        await postTransaction(ledger, { account, operationId: anOperationId() }, () => ({ kind: 'refund', postings: [post.refunded(payment, '1.00')], at }));
      }
      await models.ledger_heads.collection.updateOne({ _id: key as never }, { $set: { seq: 40 } });
      // A new ledger object: what a restarted process has, knowing no head.
      const restarted = new MongoLedger(models);
      expect(await restarted.head(account)).toMatchObject({ seq: 13, totalsAfter: { unapplied: Money.of('8.00', 'EUR') } });
      expect((await models.ledger_heads.collection.findOne({ _id: key as never }))?.seq).toBe(13);
      // Appends go on from there.
      await postTransaction(restarted, { account, operationId: anOperationId() }, () => ({ kind: 'refund', postings: [post.refunded(payment, '1.00')], at }));
      expect(await restarted.head(account)).toMatchObject({ seq: 14 });
      // A hint naming an account with nothing stored is removed.
      const empty = aLedgerAccount();
      await models.ledger_heads.collection.insertOne({ _id: `${empty.tenantId}/${empty.partnerId}/EUR` as never, _v: 2, seq: 3, tenantId: empty.tenantId });
      expect(await restarted.head(empty)).toBeUndefined();
      expect(await models.ledger_heads.collection.countDocuments({ _id: `${empty.tenantId}/${empty.partnerId}/EUR` as never })).toBe(0);
    });

    it('answers an append as stored when raising its hint fails afterwards: the caller must not record the money again', async () => {
      const { models } = current().adapters;
      const account = aLedgerAccount();
      const post = postingsIn(account);
      // The hint's write failing, as when the server goes away between the two commands.
      const raise = jest.spyOn(models.ledger_heads.collection, 'updateOne').mockRejectedValueOnce(new Error('connection reset'));
      try {
        const ledger = new MongoLedger(models);
        const operationId = anOperationId();
        const outcome = await postTransaction(ledger, { account, operationId }, () => ({ kind: 'payment', postings: [post.received(aPaymentId(), '20.00')], at }));
        expect(raise).toHaveBeenCalledTimes(1);
        expect(outcome).toMatchObject({ replayed: false, transaction: { seq: 1, operationId } });
        expect(await new MongoLedger(models).head(account)).toMatchObject({ seq: 1, operationId });
      } finally {
        raise.mockRestore();
      }
    });
  });
});
