import 'reflect-metadata';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Money, definedFields, parseCalendarDate, tenantId } from '@invoicing/core';
import fc from 'fast-check';
import { Invoice, type InvoiceState } from '../invoice/invoice';
import { CreateCreditNote, CreateInvoiceDraft, GetInvoice, IssueInvoice, MarkInvoiceUncollectible, VoidInvoice, type DraftLineInput } from '../invoice/invoice.use-cases';
import type { LedgerTransaction } from '../ledger/ledger';
import { CreatePartner } from '../partner/partner.use-cases';
import type { PartnershipTermsInput } from '../partnership/partnership';
import { CreatePartnership } from '../partnership/partnership.use-cases';
import { GetPartnerBalance } from '../queries/report.use-cases';
import type { InvoiceId, PartnerId, PartnershipId, PaymentId, RefundId } from '../shared/ids';
import { postTransaction } from '../ledger/post-transaction';
import { createInMemoryAdapters } from '../testing/in-memory/in-memory-adapters';
import { SCENARIO_BUYER, SCENARIO_TERMS, afterNextLedgerLookup, anotherProcess, createScenario, type Scenario } from '../testing/scenario';
import { Payment, type PaymentState } from './payment';
import { ApplyPayment, GetPayment, ListPayments, PayInvoice, RecordPayment, RefundCredit } from './payment.use-cases';

const OTHER_TENANT = tenantId('tenant-b');

const error = (name: string, code: string) => expect.objectContaining({ name, code });

/** A free-text line at a net price, zero-rated: its total is the price itself. */
const line = (netPrice: string): DraftLineInput => ({ name: 'Service', quantity: '1', unitCode: 'C62', netPrice, vat: { code: 'Z' } });

let s: Scenario;

beforeEach(async () => {
  s = await createScenario();
});

async function partnership(terms: Partial<PartnershipTermsInput> = {}, buyerId: PartnerId = s.buyer.id) {
  return (await s.use(CreatePartnership).execute({ tenantId: s.tenantId, sellerId: s.seller.id, buyerId, ...SCENARIO_TERMS, ...terms })).id;
}

/** Issues an invoice of `total` (zero-rated, so the total is the net price) under a partnership, net 30 unless a due date is given. */
async function invoice(total: string, issueDate: string, options: { partnershipId?: PartnershipId; dueDate?: string } = {}): Promise<InvoiceState> {
  const draft = await s.use(CreateInvoiceDraft).execute({
    tenantId: s.tenantId,
    partnershipId: options.partnershipId ?? s.partnership.id,
    issueDate,
    ...definedFields({ dueDate: options.dueDate }),
    lines: [line(total)],
  });
  return s.use(IssueInvoice).execute({ tenantId: s.tenantId, invoiceId: draft.id });
}

function record(amount: string, applyTo?: InvoiceId[], overrides: { partnerId?: PartnerId; currency?: string; receivedOn?: string } = {}): Promise<PaymentState> {
  return s.use(RecordPayment).execute({
    tenantId: s.tenantId,
    partnerId: s.buyer.id,
    amount,
    currency: 'EUR',
    receivedOn: '2026-03-10',
    ...definedFields({ applyTo }),
    ...overrides,
  });
}

function refund(amount: string, currency = 'EUR', partnerId: PartnerId = s.buyer.id) {
  return s.use(RefundCredit).execute({ tenantId: s.tenantId, partnerId, amount, currency, refundedOn: '2026-03-12', reference: 'SEPA-RF-1' });
}

async function state(invoiceId: InvoiceId): Promise<{ status: string; outstanding: string }> {
  const stored = await s.use(GetInvoice).execute({ tenantId: s.tenantId, invoiceId });
  return { status: stored.status, outstanding: Invoice.restore(stored).outstanding.toString() };
}

function applications(payment: PaymentState): [InvoiceId, string][] {
  return payment.applications.map((part) => [part.invoiceId, part.amount.toString()]);
}

function unapplied(payment: PaymentState): string {
  const used = [...payment.applications, ...payment.refunds].reduce((sum, part) => sum + part.amount.minor, 0n);
  return Money.ofMinor(payment.amount.minor - used, payment.amount.currency).toString();
}

async function payments(partnerId: PartnerId = s.buyer.id): Promise<PaymentState[]> {
  return [...(await s.use(ListPayments).execute({ tenantId: s.tenantId, partnerId, page: { limit: 200 } })).items];
}

function balance(partnerId: PartnerId = s.buyer.id) {
  return s.use(GetPartnerBalance).execute({ tenantId: s.tenantId, partnerId });
}

/** The buyer's EUR ledger, oldest first. */
async function ledgerOf(): Promise<LedgerTransaction[]> {
  return [...(await s.adapters.ledger.transactions({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' }, { limit: 100 })).items];
}

/** Voids the invoice right after the next read of invoices (`get`: a named one; `findReceivables`: the oldest ones). */
function voidAfterNextRead(invoiceId: InvoiceId, read: 'get' | 'findReceivables'): void {
  const invoices = s.adapters.invoices;
  const original = invoices[read].bind(invoices) as (...args: unknown[]) => Promise<unknown>;
  jest.spyOn(invoices, read).mockImplementationOnce((async (...args: unknown[]) => {
    const found = await original(...args);
    await s.use(VoidInvoice).execute({ tenantId: s.tenantId, invoiceId });
    return found;
  }) as never);
}

/** Another API process on the same database: its own ledger object, so its own queue of appends and known heads. */
describe('PayInvoice', () => {
  describe('execute', () => {
    const pay = (invoiceId: InvoiceId, amount: string, tenant = s.tenantId) =>
      s.use(PayInvoice).execute({ tenantId: tenant, invoiceId, amount, currency: 'EUR', receivedOn: '2026-03-10', reference: 'SEPA-1' });

    it('records a payment from the invoice\'s buyer, applied to it; the excess stays as the buyer\'s credit', async () => {
      const older = await invoice('50.00', '2026-01-05');
      const paid = await invoice('100.00', '2026-02-01');

      const payment = await pay(paid.id, '130.00');

      expect(payment).toMatchObject({ partnerId: s.buyer.id, reference: 'SEPA-1' });
      expect(applications(payment)).toEqual([[paid.id, '100.00']]);
      expect(unapplied(payment)).toBe('30.00');
      expect(await state(paid.id)).toEqual({ status: 'paid', outstanding: '0.00' });
      // Only the named invoice: the buyer's older receivable is left for the credit to be applied on purpose.
      expect(await state(older.id)).toEqual({ status: 'issued', outstanding: '50.00' });
    });

    it('fails with invoice.not_found and stores nothing for an unknown or another tenant\'s invoice', async () => {
      const ours = await invoice('10.00', '2026-01-05');

      for (const [invoiceId, tenant] of [['id-999999' as InvoiceId, s.tenantId], [ours.id, OTHER_TENANT]] as const) {
        await expect(pay(invoiceId, '10.00', tenant)).rejects.toEqual(error('NotFoundError', 'invoice.not_found'));
      }
      expect(await payments()).toEqual([]);
    });
  });
});

describe('RecordPayment', () => {
  describe('execute', () => {
    it('fails with partner.not_found and stores nothing when the partner is unknown or another tenant’s', async () => {
      const theirs = await s.use(CreatePartner).execute({ tenantId: OTHER_TENANT, ...SCENARIO_BUYER });

      for (const partnerId of ['id-999999' as PartnerId, theirs.id]) {
        await expect(record('10.00', undefined, { partnerId })).rejects.toEqual(error('NotFoundError', 'partner.not_found'));
      }
      expect(await payments()).toEqual([]);
    });

    it.each([
      ['12,50', 'money.malformed'],
      ['1e3', 'money.malformed'],
      ['+5', 'money.malformed'],
      [' 12', 'money.malformed'],
      ['', 'money.malformed'],
      ['NaN', 'money.malformed'],
      ['12.505', 'money.precision_exceeded'],
      ['0', 'payment.invalid_amount'],
      ['0.00', 'payment.invalid_amount'],
      ['-5.00', 'payment.invalid_amount'],
    ])('fails with a ValidationError %s → %s and stores nothing', async (amount, code) => {
      const failure = await record(amount).catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', code));
      expect((failure as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ path: 'amount', code })]);
      expect(await payments()).toEqual([]);
    });

    it('refuses an amount given as a JS number, even a float-looking one', async () => {
      for (const amount of [12.5, 100, 0.1 + 0.2]) {
        await expect(record(amount as unknown as string)).rejects.toEqual(error('ValidationError', 'money.malformed'));
      }
      expect(await payments()).toEqual([]);
    });

    it.each([
      ['an unknown currency', { currency: 'EUX' }, 'currency', 'money.unknown_currency'],
      ['a date that does not exist', { receivedOn: '2026-02-29' }, 'receivedOn', 'date.malformed'],
    ])('fails at the field when given %s', async (_what, overrides, path, code) => {
      const failure = await record('10', undefined, overrides).catch((caught: unknown) => caught);

      expect((failure as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ path, code })]);
    });

    it('applies to the partner’s oldest receivables by due date in its currency by default', async () => {
      const dollars = await partnership({ currency: 'USD' });
      const southId = (await s.use(CreatePartner).execute({ tenantId: s.tenantId, ...SCENARIO_BUYER, legalName: 'Südwind AG', contacts: [] })).id;
      const south = await partnership({}, southId);
      const usd = await invoice('60.00', '2026-01-01', { partnershipId: dollars });
      const otherBuyer = await invoice('120.00', '2026-01-01', { partnershipId: south });
      const written = await invoice('50.00', '2026-01-02');
      await s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: written.id });
      const lateDue = await invoice('36.00', '2026-01-05', { dueDate: '2026-04-30' });
      const newer = await invoice('240.00', '2026-02-15');
      const older = await invoice('120.00', '2026-01-10');

      const payment = await record('300.00');

      // Due 9 Feb (120.00), then 17 Mar (180.00 of 240.00); due 30 Apr gets nothing.
      expect(applications(payment)).toEqual([
        [older.id, '120.00'],
        [newer.id, '180.00'],
      ]);
      expect(unapplied(payment)).toBe('0.00');
      expect(await state(older.id)).toEqual({ status: 'paid', outstanding: '0.00' });
      expect(await state(newer.id)).toEqual({ status: 'partially_paid', outstanding: '60.00' });
      expect(await state(lateDue.id)).toEqual({ status: 'issued', outstanding: '36.00' });
      expect(await state(usd.id)).toEqual({ status: 'issued', outstanding: '60.00' });
      expect(await state(otherBuyer.id)).toEqual({ status: 'issued', outstanding: '120.00' });
      expect(await state(written.id)).toEqual({ status: 'uncollectible', outstanding: '50.00' });
    });

    it('applies to the invoices named, in the order given', async () => {
      const older = await invoice('120.00', '2026-01-10');
      const newer = await invoice('240.00', '2026-02-15');

      const payment = await record('300.00', [newer.id, older.id]);

      expect(applications(payment)).toEqual([
        [newer.id, '240.00'],
        [older.id, '60.00'],
      ]);
      expect(await state(older.id)).toEqual({ status: 'partially_paid', outstanding: '60.00' });
    });

    it('applies once to an invoice named twice', async () => {
      const only = await invoice('120.00', '2026-01-10');

      const payment = await record('50.00', [only.id, only.id]);

      expect(applications(payment)).toEqual([[only.id, '50.00']]);
    });

    it('keeps what is left over as unapplied credit when the payment is larger than what is owed', async () => {
      const named = await invoice('120.00', '2026-01-10');
      const other = await invoice('240.00', '2026-02-15');

      const overpaid = await record('500.00', [named.id]);
      const byDefault = await record('1000.00');

      expect(applications(overpaid)).toEqual([[named.id, '120.00']]);
      expect(unapplied(overpaid)).toBe('380.00');
      expect(applications(byDefault)).toEqual([[other.id, '240.00']]);
      expect(unapplied(byDefault)).toBe('760.00');
    });

    it('keeps the whole payment as credit when nothing is owed', async () => {
      const payment = await record('75.50');

      expect(payment).toMatchObject({ partnerId: s.buyer.id, receivedOn: '2026-03-10', applications: [], refunds: [], version: 1 });
      expect(unapplied(payment)).toBe('75.50');
    });

    it.each([
      ['another buyer’s invoice', 'buyer'],
      ['an invoice in another currency', 'currency'],
      ['a credit note', 'credit note'],
    ])('fails with payment.invoice_mismatch at the invoice’s index and stores nothing when naming %s', async (_what, kind) => {
      const mine = await invoice('120.00', '2026-01-10');
      let foreign: InvoiceId;
      if (kind === 'buyer') {
        const southId = (await s.use(CreatePartner).execute({ tenantId: s.tenantId, ...SCENARIO_BUYER, legalName: 'Südwind AG', contacts: [] })).id;
        foreign = (await invoice('10.00', '2026-01-10', { partnershipId: await partnership({}, southId) })).id;
      } else if (kind === 'currency') {
        foreign = (await invoice('10.00', '2026-01-10', { partnershipId: await partnership({ currency: 'USD' }) })).id;
      } else {
        foreign = (await s.use(CreateCreditNote).execute({ tenantId: s.tenantId, invoiceId: mine.id, lines: [line('10.00')] })).id;
      }

      const failure = await record('50.00', [mine.id, foreign]).catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', 'payment.invoice_mismatch'));
      expect((failure as { issues: { path: string }[] }).issues.map((item) => item.path)).toEqual(['applyTo.1']);
      expect(await payments()).toEqual([]);
      expect((await state(mine.id)).status).toBe('issued');
    });

    it('names the position the caller gave a refused invoice, after an invoice named twice', async () => {
      const mine = await invoice('120.00', '2026-01-10');
      const southId = (await s.use(CreatePartner).execute({ tenantId: s.tenantId, ...SCENARIO_BUYER, legalName: 'Südwind AG', contacts: [] })).id;
      const foreign = (await invoice('10.00', '2026-01-10', { partnershipId: await partnership({}, southId) })).id;

      const failure = await record('50.00', [mine.id, mine.id, foreign]).catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', 'payment.invoice_mismatch'));
      expect((failure as { issues: { path: string }[] }).issues.map((item) => item.path)).toEqual(['applyTo.2']);
      expect(await payments()).toEqual([]);
    });

    it('fails with the lifecycle error and stores nothing when a named invoice is paid', async () => {
      const paid = await invoice('120.00', '2026-01-10');
      const open = await invoice('240.00', '2026-02-15');
      await record('120.00', [paid.id]);

      await expect(record('100.00', [open.id, paid.id])).rejects.toEqual(error('InvalidStateError', 'invoice.already_paid'));
      expect(await payments()).toHaveLength(1);
      expect(await state(open.id)).toEqual({ status: 'issued', outstanding: '240.00' });
    });

    it('fails with invoice.not_issued for a named draft and invoice.not_found for an unknown invoice', async () => {
      const draft = await s.use(CreateInvoiceDraft).execute({ tenantId: s.tenantId, partnershipId: s.partnership.id, lines: [line('10')] });

      await expect(record('10.00', [draft.id])).rejects.toEqual(error('InvalidStateError', 'invoice.not_issued'));
      await expect(record('10.00', ['id-999999' as InvoiceId])).rejects.toEqual(error('NotFoundError', 'invoice.not_found'));
      expect(await payments()).toEqual([]);
    });

    it('passes over an invoice written off after the receivables were read, when no invoice is named, and pays the next one', async () => {
      // Review of the ledger: the write-off, appended between the read of the receivables and the payment's append, was
      // taken back by the payment (an uncollectible invoice is paid only when named) while another invoice stayed owed.
      const writtenOff = await invoice('100.00', '2026-01-01', { dueDate: '2026-04-01' });
      const owed = await invoice('100.00', '2026-01-01', { dueDate: '2026-05-01' });
      const findReceivables = s.adapters.invoices.findReceivables.bind(s.adapters.invoices);
      jest.spyOn(s.adapters.invoices, 'findReceivables').mockImplementationOnce(async (...args) => {
        const read = await findReceivables(...args);
        await s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: writtenOff.id });
        return read;
      });

      const payment = await record('100.00');

      expect(applications(payment)).toEqual([[owed.id, '100.00']]);
      expect(await state(writtenOff.id)).toEqual({ status: 'uncollectible', outstanding: '100.00' });
      expect(await state(owed.id)).toEqual({ status: 'paid', outstanding: '0.00' });
      const head = await s.adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' });
      expect(head?.postings.map((posting) => posting.type)).toEqual(['received', 'applied']);
      expect(head?.totalsAfter.writtenOff).toEqual(Money.of('100.00', 'EUR'));
    });

    it('settles a named uncollectible invoice', async () => {
      const written = await invoice('120.00', '2026-01-10');
      await s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: written.id });

      await record('120.00', [written.id]);

      expect(await state(written.id)).toEqual({ status: 'paid', outstanding: '0.00' });
    });

    it('refuses with invoice.voided and records nothing a payment naming an invoice voided after it was read (audit L4)', async () => {
      // A void and a payment naming the invoice at the same moment: the payment was answered 201, its money left as credit.
      const target = await invoice('100.00', '2026-01-10');
      voidAfterNextRead(target.id, 'get');

      await expect(record('50.00', [target.id])).rejects.toEqual(error('InvalidStateError', 'invoice.voided'));
      await expect(s.use(PayInvoice).execute({ tenantId: s.tenantId, invoiceId: target.id, amount: '50.00', currency: 'EUR', receivedOn: '2026-03-10' })).rejects.toEqual(
        error('InvalidStateError', 'invoice.voided'),
      );
      expect(await payments()).toEqual([]);
      expect((await ledgerOf()).map((transaction) => transaction.kind)).toEqual(['void']);
      expect(await state(target.id)).toEqual({ status: 'void', outstanding: '0.00' });
    });

    it('passes over an invoice voided after the receivables were read, when no invoice is named', async () => {
      const voided = await invoice('100.00', '2026-01-10');
      voidAfterNextRead(voided.id, 'findReceivables');

      const payment = await record('50.00');

      expect(applications(payment)).toEqual([]);
      expect(unapplied(payment)).toBe('50.00');
      expect(await state(voided.id)).toEqual({ status: 'void', outstanding: '0.00' });
    });
  });
});

describe('ApplyPayment', () => {
  describe('execute', () => {
    it('applies unapplied credit to an invoice issued later', async () => {
      const prepaid = await record('500.00');
      const later = await invoice('240.00', '2026-03-10');

      const applied = await s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id });

      expect(applications(applied)).toEqual([[later.id, '240.00']]);
      expect(unapplied(applied)).toBe('260.00');
      expect(await state(later.id)).toEqual({ status: 'paid', outstanding: '0.00' });
    });

    it('applies to the invoices named, in that order, up to the credit left', async () => {
      const prepaid = await record('300.00');
      const first = await invoice('240.00', '2026-03-01');
      const second = await invoice('120.00', '2026-02-01');

      const applied = await s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id, applyTo: [first.id, second.id] });

      expect(applications(applied)).toEqual([
        [first.id, '240.00'],
        [second.id, '60.00'],
      ]);
      expect(unapplied(applied)).toBe('0.00');
    });

    it('completes the documents of a payment whose process stopped after the ledger recorded it', async () => {
      const adapters = createInMemoryAdapters();
      const stored = adapters.payments;
      let saves = 0;
      const payments: typeof stored = Object.assign(Object.create(stored) as typeof stored, {
        // The first save of a payment document, right after the ledger append, is lost with the process.
        save: async (payment: Parameters<typeof stored.save>[0]) => {
          saves += 1;
          if (saves === 1) throw new Error('the process stopped');
          return stored.save(payment);
        },
      });
      s = await createScenario({ adapters: { ...adapters, payments } });
      const target = await invoice('240.00', '2026-03-01');
      await expect(record('240.00', [target.id])).rejects.toThrow('the process stopped');
      expect(await payments.listByPartner(s.tenantId, s.buyer.id, {}).then((page) => page.items)).toEqual([]);
      const head = await adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' });
      const paymentId = (head?.postings[0] as { paymentId: PaymentId }).paymentId;

      const completed = await s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId, applyTo: [target.id] });

      expect(completed.amount.toString()).toBe('240.00');
      expect(applications(completed)).toEqual([[target.id, '240.00']]);
      expect(unapplied(completed)).toBe('0.00');
      expect(await state(target.id)).toEqual({ status: 'paid', outstanding: '0.00' });
      expect(await adapters.ledger.transactions({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' }, {}).then((page) => page.items.length)).toBe(1);
    });

    it('refuses to settle an invoice paid before the ledger recorded money, rather than count that money as owed', async () => {
      const target = await invoice('100.00', '2026-03-01');
      const legacy = (await s.adapters.invoices.get(s.tenantId, target.id)) as Invoice;
      legacy.applyPayment({ paymentId: 'paid-before-the-ledger' as PaymentId, amount: Money.of('60.00', 'EUR'), appliedOn: '2026-03-02' as never }, new Date());
      await s.adapters.invoices.save(legacy);

      await expect(record('100.00', [target.id])).rejects.toEqual(error('InvalidStateError', 'ledger.backfill_required'));
      expect(await s.adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' })).toBeUndefined();
      expect(await state(target.id)).toEqual({ status: 'partially_paid', outstanding: '40.00' });
    });

    it('refuses to settle an invoice while the ledger holds only part of what it was paid before the ledger (a backfill under way)', async () => {
      // Review of 6 December 2026: once the backfill had carried the first older payment, the invoice counted as carried,
      // and a new payment settled money the second older payment had paid already.
      const target = await invoice('100.00', '2026-03-01');
      await record('40.00', [target.id]);
      const legacy = (await s.adapters.invoices.get(s.tenantId, target.id)) as Invoice;
      legacy.applyPayment({ paymentId: 'paid-before-the-ledger' as PaymentId, amount: Money.of('30.00', 'EUR'), appliedOn: '2026-03-02' as never }, new Date());
      await s.adapters.invoices.save(legacy);
      const before = await s.adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' });

      await expect(record('60.00', [target.id])).rejects.toEqual(error('InvalidStateError', 'ledger.backfill_required'));
      expect(await s.adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' })).toEqual(before);
      expect(await state(target.id)).toEqual({ status: 'partially_paid', outstanding: '30.00' });
    });

    it('passes over an invoice whose write-off the ledger holds and its document not yet (the process stopped), when no invoice is named', async () => {
      const prepaid = await record('100.00', []);
      const writtenOff = await invoice('100.00', '2026-01-01', { dueDate: '2026-04-01' });
      const owed = await invoice('100.00', '2026-01-01', { dueDate: '2026-05-01' });
      jest.spyOn(s.adapters.invoices, 'save').mockRejectedValueOnce(new Error('the process stopped'));
      await expect(s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: writtenOff.id })).rejects.toThrow('the process stopped');
      expect(await state(writtenOff.id)).toEqual({ status: 'issued', outstanding: '100.00' });

      const applied = await s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id });

      expect(applications(applied)).toEqual([[owed.id, '100.00']]);
      expect(await state(owed.id)).toEqual({ status: 'paid', outstanding: '0.00' });
      const head = await s.adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' });
      expect(head?.totalsAfter.writtenOff).toEqual(Money.of('100.00', 'EUR'));
    });

    it.each([
      ['no invoice named', undefined],
      ['an invoice named', 'named'],
    ])('refuses to apply a payment recorded before the ledger recorded money (%s) with ledger.backfill_required, recording nothing', async (_what, named) => {
      const target = await invoice('100.00', '2026-03-01');
      const legacy = Payment.receive({ partnerId: s.buyer.id, amount: '50.00', currency: 'EUR', receivedOn: '2026-03-02' }, { tenantId: s.tenantId, id: 'paid-before-the-ledger' as PaymentId, at: new Date() });
      await s.adapters.payments.save(legacy);

      const failure = s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId: legacy.id, ...definedFields({ applyTo: named ? [target.id] : undefined }) });

      await expect(failure).rejects.toEqual(error('InvalidStateError', 'ledger.backfill_required'));
      expect(await s.adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' })).toBeUndefined();
      expect(await state(target.id)).toEqual({ status: 'issued', outstanding: '100.00' });
      expect(unapplied((await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId: legacy.id })))).toBe('50.00');
    });

    it('refuses a payment that would take the account’s totals above the largest amount, recording nothing', async () => {
      await record('9999999999999.99');
      const failure = await record('0.01').catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', 'money.out_of_range'));
      expect(await payments()).toHaveLength(1);
      expect((await s.adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' }))?.seq).toBe(1);
    });

    it('shows a payment the ledger recorded but whose document was never written', async () => {
      const adapters = createInMemoryAdapters();
      const stored = adapters.payments;
      let lost = false;
      const payments: typeof stored = Object.assign(Object.create(stored) as typeof stored, {
        save: async (payment: Parameters<typeof stored.save>[0]) => {
          if (!lost) {
            lost = true;
            throw new Error('the process stopped');
          }
          return stored.save(payment);
        },
      });
      s = await createScenario({ adapters: { ...adapters, payments } });
      await expect(record('15.00')).rejects.toThrow('the process stopped');
      const head = await adapters.ledger.head({ tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' });
      const paymentId = (head?.postings[0] as { paymentId: PaymentId }).paymentId;

      const shown = await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId });

      expect([shown.id, shown.amount.toString(), unapplied(shown)]).toEqual([paymentId, '15.00', '15.00']);
      expect(await payments.get(s.tenantId, paymentId)).toBeDefined();
    });

    it('applies once per operation: a retry under the same operation id applies nothing more, even to invoices issued since', async () => {
      const prepaid = await record('100.00');
      const first = await invoice('30.00', '2026-03-01');
      const apply = () => s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id, operationId: 'derived-application-1' });
      expect(applications(await apply())).toEqual([[first.id, '30.00']]);
      const later = await invoice('30.00', '2026-03-05');

      const retry = await apply();

      expect(applications(retry)).toEqual([[first.id, '30.00']]);
      expect(await state(later.id)).toEqual({ status: 'issued', outstanding: '30.00' });
    });

    it('refuses with idempotency.key_reused an operation id used by another application: another payment, or other invoices named', async () => {
      // After the API forgot the key (a 5xx, or 24 hours), a second request under it was answered 200 with its payment as
      // it stood: the client took credit as applied that was not.
      const [first, second] = [await invoice('30.00', '2026-03-01'), await invoice('30.00', '2026-03-05')];
      const [prepaid, other] = [await record('100.00'), await record('100.00')];
      const apply = (paymentId: PaymentId, applyTo?: InvoiceId[]) => s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId, operationId: 'derived-application-2', ...definedFields({ applyTo }) });
      // Both receivables went to the older payment when it was recorded; credit it back by a fresh invoice.
      const third = await invoice('30.00', '2026-03-09');
      expect(applications(await apply(other.id, [third.id]))).toEqual([[third.id, '30.00']]);

      await expect(apply(prepaid.id, [third.id])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
      await expect(apply(other.id, [first.id])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
      await expect(apply(other.id)).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
      expect(applications(await apply(other.id, [third.id, third.id]))).toEqual([[third.id, '30.00']]);
      expect(applications(await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id }))).toEqual([
        [first.id, '30.00'],
        [second.id, '30.00'],
      ]);
    });

    it('changes nothing when the payment has no credit left', async () => {
      const target = await invoice('240.00', '2026-03-01');
      const spent = await record('100.00', [target.id]);

      const again = await s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId: spent.id });

      expect(again).toEqual(spent);
      expect(await state(target.id)).toEqual({ status: 'partially_paid', outstanding: '140.00' });
    });

    it('fails with payment.not_found when the payment is another tenant’s', async () => {
      const prepaid = await record('10.00');

      await expect(s.use(ApplyPayment).execute({ tenantId: OTHER_TENANT, paymentId: prepaid.id })).rejects.toEqual(error('NotFoundError', 'payment.not_found'));
    });
  });
});

describe('RefundCredit', () => {
  describe('execute', () => {
    it('fails with account.insufficient_credit and writes nothing when the refund exceeds the credit', async () => {
      const prepaid = await record('40.00');

      const failure = await refund('40.01').catch((caught: unknown) => caught);

      expect(failure).toEqual(error('InvalidStateError', 'account.insufficient_credit'));
      expect(failure).toMatchObject({ details: { requested: { amount: '40.01', currency: 'EUR' }, available: { amount: '40.00', currency: 'EUR' } } });
      expect(await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id })).toEqual(prepaid);
    });

    it('draws from several payments, oldest first, and never below zero', async () => {
      const target = await invoice('70.00', '2026-03-01');
      const first = await record('100.00', [target.id]);
      const second = await record('50.00');

      const refunded = await refund('60.00');
      const [newest, oldest] = await payments();

      // 30.00 left on the first payment, 50.00 on the second.
      expect(refunded).toMatchObject({ amount: Money.of('60', 'EUR'), payments: [first.id, second.id] });
      expect([oldest?.id, unapplied(oldest as PaymentState)]).toEqual([first.id, '0.00']);
      expect([newest?.id, unapplied(newest as PaymentState)]).toEqual([second.id, '20.00']);
      expect(oldest?.refunds).toEqual([{ refundId: refunded.refundId, amount: Money.of('30', 'EUR'), refundedOn: '2026-03-12', reference: 'SEPA-RF-1' }]);
      await expect(refund('20.01')).rejects.toEqual(error('InvalidStateError', 'account.insufficient_credit'));
      await refund('20.00');
      await expect(refund('0.01')).rejects.toEqual(error('InvalidStateError', 'account.insufficient_credit'));
      expect((await payments()).map(unapplied)).toEqual(['0.00', '0.00']);
    });

    it('draws on the payment received first, then recorded first, whatever the order of their ids (derived from keys or imports)', async () => {
      const receive = (id: string, receivedOn: string) =>
        s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '100.00', currency: 'EUR', receivedOn, id: id as PaymentId });
      // Ids in the reverse of the order the money came in.
      const received = [await receive('key-d', '2026-01-01'), await receive('key-c', '2026-03-01')];
      s.clock.advance(60_000);
      const sameDay = await receive('key-b', '2026-03-01');
      s.clock.advance(60_000);
      const last = await receive('key-a', '2026-03-01');

      const refunds = [await refund('50.00'), await refund('100.00'), await refund('100.00'), await refund('100.00')];

      expect(refunds.map((made) => made.payments)).toEqual([[received[0]?.id], [received[0]?.id, received[1]?.id], [received[1]?.id, sameDay.id], [sameDay.id, last.id]]);
    });

    it('refunds only credit in the currency asked for', async () => {
      await record('40.00');

      await expect(refund('10', 'USD')).rejects.toEqual(error('InvalidStateError', 'account.insufficient_credit'));
    });

    it.each([
      ['amount', { amount: '0' }, 'payment.invalid_amount'],
      ['amount', { amount: '-1.00' }, 'payment.invalid_amount'],
      ['amount', { amount: '1,00' }, 'money.malformed'],
      ['amount', { amount: '1.001' }, 'money.precision_exceeded'],
      ['currency', { currency: 'EUX' }, 'money.unknown_currency'],
      ['refundedOn', { refundedOn: '2026-02-30' }, 'date.malformed'],
    ])('fails at %s when given %j', async (path, overrides, code) => {
      const prepaid = await record('40.00');

      const failure = await s
        .use(RefundCredit)
        .execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '10.00', currency: 'EUR', refundedOn: '2026-03-12', ...overrides })
        .catch((caught: unknown) => caught);

      expect(failure).toEqual(error('ValidationError', code));
      expect((failure as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ path, code })]);
      expect(await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id })).toEqual(prepaid);
    });

    it('fails with partner.not_found when the partner is unknown', async () => {
      await expect(refund('1.00', 'EUR', 'id-999999' as PartnerId)).rejects.toEqual(error('NotFoundError', 'partner.not_found'));
    });
  });
});

describe('retries of the same request (an id derived from its idempotency key)', () => {
  const ID = 'derived-payment-1' as PaymentId;
  const payOnce = (amount: string, applyTo?: InvoiceId[]) =>
    s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount, currency: 'EUR', receivedOn: '2026-03-10', id: ID, ...definedFields({ applyTo }) });

  it('records a payment once: a retry answers the stored payment and applies nothing twice', async () => {
    const target = await invoice('70.00', '2026-03-01');
    const first = await payOnce('100.00', [target.id]);
    const retry = await payOnce('100.00', [target.id]);

    expect(first.id).toBe(ID);
    expect(retry).toEqual(first);
    expect(await payments()).toEqual([first]);
    expect(await state(target.id)).toEqual({ status: 'paid', outstanding: '0.00' });
    expect(unapplied(retry)).toBe('30.00');
  });

  it('records one payment when attempts of the same request run at once', async () => {
    const target = await invoice('70.00', '2026-03-01');
    const answers = await Promise.all([payOnce('100.00', [target.id]), payOnce('100.00', [target.id]), payOnce('100.00', [target.id])]);

    expect(new Set(answers.map((answer) => answer.id))).toEqual(new Set([ID]));
    expect(await payments()).toHaveLength(1);
    expect(applications((await payments())[0] as PaymentState)).toEqual([[target.id, '70.00']]);
  });

  it('completes, on a retry, the documents of a payment whose first attempt stopped after the ledger recorded it', async () => {
    const adapters = createInMemoryAdapters();
    const stored = adapters.invoices;
    let lost = false;
    const invoices: typeof stored = Object.assign(Object.create(stored) as typeof stored, {
      // The invoice's projection of the payment is lost with the process; the payment's was written.
      save: async (document: Parameters<typeof stored.save>[0]) => {
        if (!lost && document.payments.length > 0) {
          lost = true;
          throw new Error('the process stopped');
        }
        return stored.save(document);
      },
    });
    s = await createScenario({ adapters: { ...adapters, invoices } });
    const target = await invoice('70.00', '2026-03-01');
    await expect(payOnce('100.00', [target.id])).rejects.toThrow('the process stopped');
    expect(await state(target.id)).toEqual({ status: 'issued', outstanding: '70.00' });

    const retry = await payOnce('100.00', [target.id]);

    expect(applications(retry)).toEqual([[target.id, '70.00']]);
    expect(await payments()).toHaveLength(1);
    expect(await state(target.id)).toEqual({ status: 'paid', outstanding: '0.00' });
  });

  it('answers a retry with the payment as first recorded, though the named invoice is settled by then', async () => {
    const target = await invoice('70.00', '2026-03-01');
    const first = await payOnce('100.00', [target.id]);
    expect(await state(target.id)).toEqual({ status: 'paid', outstanding: '0.00' });

    const retry = await payOnce('100.00', [target.id]);

    expect(retry).toEqual(first);
    expect(applications(retry)).toEqual([[target.id, '70.00']]);
    expect(await payments()).toHaveLength(1);
  });

  it('takes a retry whose reference differs only by the blanks the payment trims as the same request', async () => {
    const first = await s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '10.00', currency: 'EUR', receivedOn: '2026-03-10', reference: ' SEPA 1 ', id: ID });
    const retry = await s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '10.0', currency: 'EUR', receivedOn: '2026-03-10', reference: ' SEPA 1 ', id: ID });
    expect(retry).toEqual(first);
  });

  it('refuses the id of a payment recorded for another request with idempotency.key_reused', async () => {
    await payOnce('100.00');
    await expect(payOnce('100.01')).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
    await expect(s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '100.00', currency: 'EUR', receivedOn: '2026-03-11', id: ID })).rejects.toEqual(
      error('DomainError', 'idempotency.key_reused'),
    );
    expect(await payments()).toHaveLength(1);
  });

  it('refuses the id of a payment that settled other invoices than the request names with idempotency.key_reused', async () => {
    const [paid, other] = [await invoice('70.00', '2026-03-01'), await invoice('40.00', '2026-03-02')];
    await payOnce('50.00', [paid.id]);
    // The same key, amount and date, for another invoice (the first answer lost, the record forgotten after a 5xx).
    await expect(payOnce('50.00', [other.id])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
    expect(await state(other.id)).toEqual({ status: 'issued', outstanding: '40.00' });
    // Naming the invoice it settled with another is another request too; the same invoices, each once, are the same.
    await expect(payOnce('50.00', [paid.id, other.id])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
    expect(applications(await payOnce('50.00', [paid.id, paid.id]))).toEqual([[paid.id, '50.00']]);
    expect(await payments()).toHaveLength(1);
  });

  it('refuses with idempotency.key_reused a retry naming invoices the first request did not name, though the payment settled none (audit L2)', async () => {
    // After a 5xx, a retry under the key for an invoice the first request (an empty list) did not name got the stored
    // payment, all credit, and paid nothing.
    const target = await invoice('70.00', '2026-03-01');
    const first = await payOnce('50.00', []);
    expect(applications(first)).toEqual([]);

    await expect(payOnce('50.00', [target.id])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
    await expect(s.use(PayInvoice).execute({ tenantId: s.tenantId, invoiceId: target.id, amount: '50.00', currency: 'EUR', receivedOn: '2026-03-10', id: ID })).rejects.toEqual(
      error('DomainError', 'idempotency.key_reused'),
    );
    // No list (the oldest receivables) is another request than an empty one.
    await expect(payOnce('50.00')).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
    expect(await payOnce('50.00', [])).toEqual(first);
    expect(await state(target.id)).toEqual({ status: 'issued', outstanding: '70.00' });
    expect(await payments()).toHaveLength(1);
  });

  it('refuses with idempotency.key_reused a retry naming invoices when the first named none and found nothing owed, or naming them in another order', async () => {
    await payOnce('50.00');
    await expect(payOnce('50.00', [])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));

    const [older, newer] = [await invoice('30.00', '2026-03-01'), await invoice('30.00', '2026-03-02')];
    const ordered = (id: PaymentId, applyTo: InvoiceId[]) =>
      s.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '40.00', currency: 'EUR', receivedOn: '2026-03-10', id, applyTo });
    await ordered('derived-payment-2' as PaymentId, [older.id, newer.id]);
    await expect(ordered('derived-payment-2' as PaymentId, [newer.id, older.id])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
  });

  it('compares a payment stored before the request was kept with its ledger entry (no digest) as before: by the invoices it settled', async () => {
    const [paid, other] = [await invoice('70.00', '2026-03-01'), await invoice('40.00', '2026-03-02')];
    const account = { tenantId: s.tenantId, partnerId: s.buyer.id, currency: 'EUR' } as const;
    const receivedOn = parseCalendarDate('2026-03-10');
    await postTransaction(s.adapters.ledger, { account, operationId: `payment:${ID}` }, () => ({
      kind: 'payment',
      postings: [
        { type: 'received', amount: Money.of('50.00', 'EUR'), paymentId: ID, receivedOn },
        { type: 'applied', amount: Money.of('50.00', 'EUR'), paymentId: ID, invoiceId: paid.id, invoiceDue: Money.of('70.00', 'EUR'), appliedOn: receivedOn },
      ],
      at: new Date('2026-03-10T09:00:00Z'),
    }));

    expect(applications(await payOnce('50.00', [paid.id, other.id]))).toEqual([[paid.id, '50.00']]);
    await expect(payOnce('50.00', [other.id])).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
  });

  it('answers the payment when another attempt of it settles the named invoice between this attempt\'s lookup and its read of the invoice', async () => {
    const target = await invoice('70.00', '2026-03-01');
    const other = afterNextLedgerLookup(s, (process) =>
      process.use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '70.00', currency: 'EUR', receivedOn: '2026-03-10', id: ID, applyTo: [target.id] }),
    );

    const retry = await payOnce('70.00', [target.id]);

    expect(other.ran).toBe(true);
    expect(applications(retry)).toEqual([[target.id, '70.00']]);
    expect(await payments()).toHaveLength(1);
    expect(await state(target.id)).toEqual({ status: 'paid', outstanding: '0.00' });
  });

  it('pays an invoice once under PayInvoice', async () => {
    const target = await invoice('70.00', '2026-03-01');
    const pay = () => s.use(PayInvoice).execute({ tenantId: s.tenantId, invoiceId: target.id, amount: '20.00', currency: 'EUR', receivedOn: '2026-03-10', id: ID });
    expect(await pay()).toEqual(await pay());
    expect(await state(target.id)).toMatchObject({ outstanding: '50.00' });
  });

  describe('RefundCredit', () => {
    const REFUND = 'derived-refund-1' as RefundId;
    const refundOnce = (amount: string) =>
      s.use(RefundCredit).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount, currency: 'EUR', refundedOn: '2026-03-12', reference: 'SEPA-RF-1', refundId: REFUND });

    it('refunds once: a retry answers the same refund and draws nothing more', async () => {
      const prepaid = await record('100.00');
      const first = await refundOnce('40.00');
      const retry = await refundOnce('40.00');

      expect(first).toEqual({ refundId: REFUND, amount: Money.of('40.00', 'EUR'), payments: [prepaid.id] });
      expect(retry).toEqual(first);
      expect(unapplied(await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id }))).toBe('60.00');
    });

    it('never keeps part of a refused refund: different refunds at once take at most the credit, each whole or nothing (issue 12, finding 2)', async () => {
      const sources = [];
      for (let index = 0; index < 6; index += 1) sources.push(await record('10.00'));
      const attempts = await Promise.allSettled(Array.from({ length: 10 }, () => refund('20.00')));

      const made = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
      const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason] : []));
      expect(made).toHaveLength(3);
      for (const reason of refused) expect(reason).toEqual(error('InvalidStateError', 'account.insufficient_credit'));
      const parts = (await payments()).flatMap((payment) => payment.refunds);
      expect(new Set(parts.map((part) => part.refundId))).toEqual(new Set(made.map((answer) => answer.refundId)));
      for (const answer of made) {
        const drawn = parts.filter((part) => part.refundId === answer.refundId).reduce((sum, part) => sum + part.amount.minor, 0n);
        expect(drawn).toBe(2000n);
      }
      expect((await balance()).map((row) => row.unappliedCredit.toString())).toEqual([]);
    });

    it('refunds once when attempts of the same request run at once, and answers each the same refund', async () => {
      const prepaid = await record('50.00');
      const answers = await Promise.all([refundOnce('40.00'), refundOnce('40.00'), refundOnce('40.00')]);

      for (const answer of answers) expect(answer).toEqual({ refundId: REFUND, amount: Money.of('40.00', 'EUR'), payments: [prepaid.id] });
      expect(unapplied(await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id }))).toBe('10.00');
    });

    it('answers the refund, not account.insufficient_credit, when another attempt of it stores it between this attempt\'s lookup and its head read (audit L1)', async () => {
      // Two processes: the first attempt's append was delayed past its deadline (503); the retry, sent to another
      // process, looked the refund up before that append landed and read the head after it: "nothing was refunded".
      // (The credit came through yet another process: this one knows no head of the account and reads it.)
      const prepaid = await anotherProcess(s).use(RecordPayment).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '100.00', currency: 'EUR', receivedOn: '2026-03-10', id: 'credit-payment-1' as PaymentId });
      const other = afterNextLedgerLookup(s, (process) =>
        process.use(RefundCredit).execute({ tenantId: s.tenantId, partnerId: s.buyer.id, amount: '100.00', currency: 'EUR', refundedOn: '2026-03-12', reference: 'SEPA-RF-1', refundId: REFUND }),
      );

      const retry = await refundOnce('100.00');

      expect(other.ran).toBe(true);
      expect(retry).toEqual({ refundId: REFUND, amount: Money.of('100.00', 'EUR'), payments: [prepaid.id] });
      const payment = await s.use(GetPayment).execute({ tenantId: s.tenantId, paymentId: prepaid.id });
      expect(payment.refunds.map((part) => [part.refundId, part.amount.toString()])).toEqual([[REFUND, '100.00']]);
      expect((await ledgerOf()).map((transaction) => transaction.kind)).toEqual(['payment', 'refund']);
    });

    it('refuses the id of a refund made for another request with idempotency.key_reused', async () => {
      await record('100.00');
      await refundOnce('40.00');
      await expect(refundOnce('30.00')).rejects.toEqual(error('DomainError', 'idempotency.key_reused'));
    });
  });
});

describe('GetPartnerBalance', () => {
  describe('execute', () => {
    it('is the outstanding on receivable invoices minus unapplied credit, per currency', async () => {
      const dollars = await partnership({ currency: 'USD' });
      const first = await invoice('120.00', '2026-01-10');
      await invoice('240.00', '2026-02-15');
      const written = await invoice('1000.00', '2026-02-20');
      await s.use(MarkInvoiceUncollectible).execute({ tenantId: s.tenantId, invoiceId: written.id });
      await invoice('99.99', '2026-02-01', { partnershipId: dollars });
      await record('150.00', [first.id]);
      await record('10.00', undefined, { currency: 'USD' });

      const rows = await balance();

      // EUR: 240.00 owed (the uncollectible 1 000.00 is written off), 30.00 credit. USD: 99.99 − 10.00 applied = 89.99.
      expect(rows.map((row) => [row.currency, row.outstanding.toString(), row.unappliedCredit.toString(), row.balance.toString()])).toEqual([
        ['EUR', '240.00', '30.00', '210.00'],
        ['USD', '89.99', '0.00', '89.99'],
      ]);
    });

    it('is negative when the tenant owes the partner', async () => {
      await record('75.00');

      expect((await balance()).map((row) => row.balance.toString())).toEqual(['-75.00']);
    });

    it('is empty when the partner owes nothing and has no credit', async () => {
      expect(await balance()).toEqual([]);
    });

    it('fails with partner.not_found when the partner is another tenant’s', async () => {
      await expect(s.use(GetPartnerBalance).execute({ tenantId: OTHER_TENANT, partnerId: s.buyer.id })).rejects.toEqual(error('NotFoundError', 'partner.not_found'));
    });
  });
});

describe('the partner account', () => {
  type Operation =
    | { readonly kind: 'pay'; readonly cents: number; readonly named: readonly number[] | null }
    | { readonly kind: 'refund'; readonly cents: number }
    | { readonly kind: 'apply'; readonly which: number };

  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({ kind: fc.constant('pay' as const), cents: fc.integer({ min: 1, max: 300_000 }), named: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 })) }),
    fc.record({ kind: fc.constant('refund' as const), cents: fc.integer({ min: 1, max: 200_000 }) }),
    fc.record({ kind: fc.constant('apply' as const), which: fc.nat() }),
  );
  const invoiceSpec = fc.record({ cents: fc.integer({ min: 1, max: 200_000 }), day: fc.integer({ min: 0, max: 80 }) });

  /** The day `offset` days after 1 January 2026. */
  const day = (offset: number) => new Date(Date.UTC(2026, 0, 1 + offset)).toISOString().slice(0, 10);
  const euros = (cents: bigint) => Money.ofMinor(cents, 'EUR').toString();

  it('never makes an outstanding negative, accounts for every cent received and keeps balance = owed − credit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(invoiceSpec, { minLength: 1, maxLength: 4 }), fc.array(operation, { minLength: 1, maxLength: 8 }), async (specs, operations) => {
        s = await createScenario();
        const invoices: { id: InvoiceId; total: bigint; issued: string; owed: bigint }[] = [];
        for (const spec of specs) {
          const created = await invoice(euros(BigInt(spec.cents)), day(spec.day));
          invoices.push({ id: created.id, total: BigInt(spec.cents), issued: day(spec.day), owed: BigInt(spec.cents) });
        }
        // The model: a deposit pays what is owed, oldest due first (all are net 30, so by issue date, then creation), or the invoices named, in order;
        // the rest is credit, which a withdrawal (refund) draws down oldest payment first and never below zero.
        const byDue = () => [...invoices].sort((left, right) => (left.issued < right.issued ? -1 : left.issued > right.issued ? 1 : 0));
        const deposits: { id: PaymentId; received: bigint; credit: bigint }[] = [];
        let refunded = 0n;
        const settle = (deposit: { credit: bigint }, targets: typeof invoices) => {
          for (const target of targets) {
            const take = deposit.credit < target.owed ? deposit.credit : target.owed;
            target.owed -= take;
            deposit.credit -= take;
          }
        };

        for (const step of operations) {
          if (step.kind === 'pay') {
            const named = step.named?.filter((index) => index < invoices.length).map((index) => invoices[index] as (typeof invoices)[number]);
            const amount = BigInt(step.cents);
            if (named && named.length > 0 && named.some((target) => target.owed === 0n)) {
              await expect(record(euros(amount), named.map((target) => target.id))).rejects.toEqual(error('InvalidStateError', 'invoice.already_paid'));
              continue;
            }
            const payment = await record(euros(amount), named && named.length > 0 ? named.map((target) => target.id) : undefined);
            const deposit = { id: payment.id, received: amount, credit: amount };
            settle(deposit, named && named.length > 0 ? named : byDue());
            deposits.push(deposit);
          } else if (step.kind === 'refund') {
            const amount = BigInt(step.cents);
            const credit = deposits.reduce((sum, deposit) => sum + deposit.credit, 0n);
            if (amount > credit) {
              await expect(refund(euros(amount))).rejects.toEqual(error('InvalidStateError', 'account.insufficient_credit'));
              continue;
            }
            await refund(euros(amount));
            refunded += amount;
            let left = amount;
            for (const deposit of deposits) {
              const take = deposit.credit < left ? deposit.credit : left;
              deposit.credit -= take;
              left -= take;
            }
          } else if (deposits.length > 0) {
            const deposit = deposits[step.which % deposits.length] as (typeof deposits)[number];
            await s.use(ApplyPayment).execute({ tenantId: s.tenantId, paymentId: deposit.id });
            settle(deposit, byDue());
          }
        }

        let appliedOnInvoices = 0n;
        for (const expected of invoices) {
          const stored = Invoice.restore(await s.use(GetInvoice).execute({ tenantId: s.tenantId, invoiceId: expected.id }));
          expect(stored.outstanding.isNegative()).toBe(false);
          expect(stored.outstanding.toString()).toBe(euros(expected.owed));
          expect(stored.status).toBe(expected.owed === 0n ? 'paid' : expected.owed === expected.total ? 'issued' : 'partially_paid');
          appliedOnInvoices += stored.paidAmount.minor;
        }
        const stored = await payments();
        const sum = (parts: readonly { amount: Money }[]) => parts.reduce((total, part) => total + part.amount.minor, 0n);
        const applied = stored.reduce((total, payment) => total + sum(payment.applications), 0n);
        const unappliedCredit = stored.reduce((total, payment) => total + Money.of(unapplied(payment), 'EUR').minor, 0n);
        const refundedStored = stored.reduce((total, payment) => total + sum(payment.refunds), 0n);
        const received = stored.reduce((total, payment) => total + payment.amount.minor, 0n);
        for (const deposit of deposits) {
          expect(unapplied(stored.find((payment) => payment.id === deposit.id) as PaymentState)).toBe(euros(deposit.credit));
        }
        expect(applied).toBe(appliedOnInvoices);
        expect(refundedStored).toBe(refunded);
        expect(applied + unappliedCredit + refundedStored).toBe(received);
        expect(received).toBe(deposits.reduce((total, deposit) => total + deposit.received, 0n));

        const owed = invoices.reduce((total, target) => total + target.owed, 0n);
        const credit = deposits.reduce((total, deposit) => total + deposit.credit, 0n);
        const rows = await balance();
        expect(rows.map((row) => [row.currency, row.outstanding.toString(), row.unappliedCredit.toString(), row.balance.toString()])).toEqual(
          owed === 0n && credit === 0n ? [] : [['EUR', euros(owed), euros(credit), euros(owed - credit)]],
        );
      }),
      { numRuns: 50 },
    );
  });
});
