import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { MongoIntegrityReader, modelsOf, type MongoConnection } from '@invoicing/integration/mongodb';
import { checkIntegrity, type PartnershipId } from '@invoicing/invoice';
import { DATABASE } from '../composition/tokens';
import { startTestApi, type Answer, type TestApi } from '../testing/harness';
import { InvoiceSeed } from '../testing/invoice-seed';

/*
 * Issue 12, "Done when": a model-based concurrency test. Each run seeds a few partners with issued invoices in one or
 * two currencies, then sends fast-check's commands (payments, payments of one invoice, applications of a payment's
 * credit, refunds, credit notes, voids, write-offs) through the API in batches whose requests all run at once. The
 * model keeps only what was acknowledged: a 2xx answer states exactly what it did, and nothing else may have happened.
 * After each run the stored state must agree with the model, and the invariant checker must find nothing.
 *
 * A failure prints fast-check's seed and path, and every broken expectation of that run. To replay one, set
 * MONEY_MODEL_SEED (and MONEY_MODEL_PATH): the same commands run again, though their interleaving is the server's.
 */

// MONEY_MODEL_RUNS runs more (or fewer) seeds locally.
const RUNS = Number(process.env['MONEY_MODEL_RUNS'] ?? 20);
jest.setTimeout(600_000);

type Currency = 'EUR' | 'USD';

/** Where a payment goes: the oldest receivables, nowhere (credit), invoices picked among the partner's, or another partner's invoice. */
type Target = { readonly kind: 'oldest' } | { readonly kind: 'none' } | { readonly kind: 'named'; readonly picks: readonly number[] } | { readonly kind: 'foreign' };

/** `none`: no Idempotency-Key; `once`: a key; `twice`: the same request sent twice at once under one key, as a client retrying too early. */
type KeyUse = 'none' | 'once' | 'twice';

/** A command; its numbers pick partners, invoices and payments modulo what exists when it runs. */
type Command =
  | { readonly kind: 'payment'; readonly partner: number; readonly currency: Currency; readonly cents: number; readonly target: Target; readonly key: KeyUse }
  | { readonly kind: 'pay_invoice'; readonly invoice: number; readonly cents: number; readonly key: KeyUse }
  | { readonly kind: 'apply'; readonly payment: number; readonly target: Target }
  /** `copies` refunds of the same amount at once, each its own request: the race of issue 12's finding 2. */
  | { readonly kind: 'refund'; readonly partner: number; readonly currency: Currency; readonly cents: number; readonly copies: number; readonly key: KeyUse }
  | { readonly kind: 'credit_note'; readonly invoice: number; readonly percent: number | 'full'; readonly key: KeyUse }
  | { readonly kind: 'void'; readonly invoice: number }
  | { readonly kind: 'uncollectible'; readonly invoice: number };

/**
 * Per partner: its invoices, by currency and net amount in cents (one line at 20 % VAT: the total is 1.2 × net), and
 * the unapplied credit it starts with (payments applied to nothing), so that refunds have something to race for.
 */
type Shape = readonly {
  readonly invoices: readonly { readonly currency: Currency; readonly netCents: number }[];
  readonly credits: readonly { readonly currency: Currency; readonly cents: number }[];
}[];

interface Scenario {
  readonly shape: Shape;
  /** Batches run one after the other; the commands of a batch all at once. */
  readonly batches: readonly (readonly Command[])[];
}

const currency = fc.oneof({ weight: 3, arbitrary: fc.constant<Currency>('EUR') }, { weight: 1, arbitrary: fc.constant<Currency>('USD') });
const pick = fc.nat({ max: 99 });
const keyUse = fc.oneof(
  { weight: 2, arbitrary: fc.constant<KeyUse>('none') },
  { weight: 2, arbitrary: fc.constant<KeyUse>('once') },
  { weight: 1, arbitrary: fc.constant<KeyUse>('twice') },
);
const named = fc.record({ kind: fc.constant('named' as const), picks: fc.array(pick, { minLength: 1, maxLength: 2 }) });
const paymentTarget: fc.Arbitrary<Target> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'oldest' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: named },
  { weight: 1, arbitrary: fc.constant({ kind: 'foreign' as const }) },
);
const applicationTarget: fc.Arbitrary<Target> = fc.oneof(fc.constant({ kind: 'oldest' as const }), named);

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('payment' as const), partner: pick, currency, cents: fc.integer({ min: 1, max: 60_000 }), target: paymentTarget, key: keyUse }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pay_invoice' as const), invoice: pick, cents: fc.integer({ min: 1, max: 30_000 }), key: keyUse }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('apply' as const), payment: pick, target: applicationTarget }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('refund' as const), partner: pick, currency, cents: fc.integer({ min: 1, max: 15_000 }), copies: fc.integer({ min: 1, max: 4 }), key: keyUse }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('credit_note' as const), invoice: pick, percent: fc.oneof(fc.constant('full' as const), fc.integer({ min: 1, max: 100 })), key: keyUse }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), invoice: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('uncollectible' as const), invoice: pick }) },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  shape: fc.array(
    fc.record({
      invoices: fc.array(fc.record({ currency, netCents: fc.integer({ min: 2_000, max: 40_000 }) }), { minLength: 1, maxLength: 3 }),
      credits: fc.array(fc.record({ currency, cents: fc.integer({ min: 1_000, max: 30_000 }) }), { maxLength: 2 }),
    }),
    { minLength: 2, maxLength: 3 },
  ),
  batches: fc.array(fc.array(command, { minLength: 4, maxLength: 8 }), { minLength: 3, maxLength: 4 }),
});

/** EUR and USD both have two decimals: amounts are handled in cents, exactly. */
function decimal(cents: bigint | number): string {
  const value = BigInt(cents);
  const size = value < 0n ? -value : value;
  return `${value < 0n ? '-' : ''}${size / 100n}.${String(size % 100n).padStart(2, '0')}`;
}

function cents(money: { readonly amount: string; readonly currency: string }): bigint {
  const negative = money.amount.startsWith('-');
  const [whole = '0', fraction = ''] = money.amount.replace('-', '').split('.');
  const size = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return negative ? -size : size;
}

const sum = (amounts: readonly bigint[]): bigint => amounts.reduce((total, amount) => total + amount, 0n);

interface SeededInvoice {
  readonly id: string;
  readonly partnerId: string;
  readonly currency: Currency;
  readonly amountDue: bigint;
  readonly netCents: number;
}

interface World {
  readonly partners: readonly { readonly id: string; readonly invoices: readonly SeededInvoice[] }[];
  readonly invoices: readonly SeededInvoice[];
}

/** What the API acknowledged, and every expectation an answer or the stored state broke. */
interface Model {
  readonly payments: Map<string, { readonly partnerId: string; readonly currency: string; readonly amount: bigint; readonly applications: Map<string, bigint> }>;
  readonly refunds: Map<string, { readonly partnerId: string; readonly currency: string; readonly amount: bigint; readonly payments: readonly string[] }>;
  readonly creditNotes: Map<string, { readonly invoiceId: string; readonly amount: bigint; readonly taxable: bigint; readonly tax: bigint }>;
  readonly voided: Set<string>;
  readonly writtenOff: Set<string>;
  /** Every refusal, to explain a violation: a refused request must have changed nothing. */
  readonly refused: string[];
  readonly violations: string[];
}

// Refusals docs/errors.md gives for these commands; any other answer, and any 5xx, is a violation. Whatever the code,
// a refused request must have changed nothing: the model counts only what was acknowledged.
const CLOSED = ['invoice.already_paid', 'invoice.voided', 'invoice.fully_credited'];
/**
 * What a request that lost a race may answer: "retrying is safe" (`concurrency.conflict`), or the ledger's refusal of
 * an entry that no longer fits the account as the winner left it (docs/errors.md, "The ledger").
 */
const LOST_RACE = ['concurrency.conflict', 'ledger.insufficient_unapplied', 'ledger.invoice_overpaid'];
/** The second of two attempts under one key while the first runs. */
const IN_PROGRESS = 'idempotency.in_progress';

/** Every outcome seen over all runs, to show what the runs exercised. */
const tally = new Map<string, number>();
const count = (outcome: string): void => void tally.set(outcome, (tally.get(outcome) ?? 0) + 1);

describe('money under concurrent commands (model-based, issue 12)', () => {
  let t: TestApi;
  let seed: InvoiceSeed;
  let runs = 0;
  beforeAll(async () => {
    t = await startTestApi('money_model');
  });
  afterAll(async () => {
    if (tally.size > 0) console.info(`money model: ${runs} runs; answers ${[...tally].sort().map(([outcome, times]) => `${outcome}×${times}`).join(', ')}`);
    await t?.close();
  });

  /**
   * Each run starts from an empty database (the spec's own): runs stay independent, the checker's findings belong to
   * the run that made them, and FerretDB's reads do not slow down with what earlier runs stored.
   */
  async function setUp(model: Model, shape: Shape, run: number): Promise<World> {
    const db = t.api.app.get<MongoConnection>(DATABASE).connection.db;
    if (!db) throw new Error('the API is not connected');
    await Promise.all((await db.collections()).map((collection) => collection.deleteMany({})));
    seed = new InvoiceSeed(t);
    const partners = [];
    for (const [index, { invoices, credits }] of shape.entries()) {
      const buyer = await seed.buyer(`Model Partner ${run}-${index} GmbH`);
      const partnerships = new Map<Currency, PartnershipId>();
      const issued: SeededInvoice[] = [];
      for (const [number, { currency, netCents }] of invoices.entries()) {
        const partnershipId = partnerships.get(currency) ?? (await seed.partnership(buyer.id, currency));
        partnerships.set(currency, partnershipId);
        const state = await seed.invoice(partnershipId, decimal(netCents), `2026-09-${String(number + 1).padStart(2, '0')}`);
        issued.push({ id: state.id, partnerId: buyer.id, currency, amountDue: state.totals.amountDue.minor, netCents });
      }
      partners.push({ id: buyer.id, invoices: issued });
      for (const credit of credits) {
        const body = { amount: decimal(credit.cents), currency: credit.currency, receivedOn: '2026-09-30', applyTo: [] };
        const answer = await t.call('POST', `/v1/partners/${buyer.id}/payments`, { body });
        expect(answer.status).toBe(201);
        model.payments.set(answer.body.id, { partnerId: buyer.id, currency: credit.currency, amount: BigInt(credit.cents), applications: new Map() });
      }
    }
    return { partners, invoices: partners.flatMap((partner) => partner.invoices) };
  }

  /** Sends a creating request once, or twice at once under one Idempotency-Key. */
  function send(method: string, path: string, body: unknown, key: KeyUse): Promise<Answer[]> {
    const headers: Record<string, string> = key === 'none' ? {} : { 'idempotency-key': randomUUID() };
    return Promise.all(Array.from({ length: key === 'twice' ? 2 : 1 }, () => t.call(method, path, { body, headers })));
  }

  /**
   * Checks the answers of one command's attempts: each the success status or a documented refusal. Returns the
   * acknowledged answer, if any; several attempts acknowledged must name one resource (one effect however many).
   */
  function accepted(model: Model, command: Command, label: string, answers: readonly Answer[], success: number, refusals: readonly string[]): Answer[] {
    const key = 'key' in command ? command.key : 'none';
    const allowed = [...refusals, ...LOST_RACE, ...(key === 'twice' ? [IN_PROGRESS] : [])];
    const successes: Answer[] = [];
    for (const answer of answers) {
      const code = typeof answer.body === 'object' && answer.body !== null ? (answer.body as { code?: string }).code : undefined;
      const outcome = answer.status === success ? `${answer.status}` : `${answer.status} ${code ?? '?'}`;
      count(`${command.kind} ${outcome}`);
      if (answer.status === success) {
        successes.push(answer);
        continue;
      }
      model.refused.push(`${label}: ${outcome}`);
      if (answer.status < 400 || answer.status >= 500 || code === undefined || !allowed.includes(code)) {
        model.violations.push(`${label}: answered ${answer.status} ${code ?? answer.text.slice(0, 300)}`);
      }
    }
    const ids = new Set(successes.map((answer) => (answer.body as { id?: string; refundId?: string }).id ?? (answer.body as { refundId?: string }).refundId));
    if (ids.size > 1) model.violations.push(`${label}: attempts under one key answered different resources ${[...ids].join(', ')}`);
    return successes.slice(0, 1);
  }

  /** Records what a payment answer acknowledges as applied; an application never changes once acknowledged. */
  function acknowledgeApplications(model: Model, label: string, payment: PaymentBody): void {
    const known = model.payments.get(payment.id);
    if (!known) return;
    for (const application of payment.applications) {
      const before = known.applications.get(application.invoiceId);
      const amount = cents(application.amount);
      if (before !== undefined && before !== amount) model.violations.push(`${label}: payment ${payment.id} applied ${decimal(amount)} to ${application.invoiceId}, acknowledged before as ${decimal(before)}`);
      known.applications.set(application.invoiceId, amount);
    }
  }

  /** A payment answer adds up: received = applied − returned + refunded + unapplied; it paid only invoices it could. */
  function checkPaymentAnswer(model: Model, label: string, payment: PaymentBody, requested: bigint, payable: readonly SeededInvoice[]): void {
    const applied = sum(payment.applications.map((part) => cents(part.amount)));
    // What credit notes took back of its applications since (an application's answer shows the payment whole).
    const returned = sum(payment.returns.map((part) => cents(part.amount)));
    const refunded = sum(payment.refunds.map((part) => cents(part.amount)));
    if (cents(payment.amount) !== requested) model.violations.push(`${label}: answered amount ${payment.amount.amount}, not ${decimal(requested)}`);
    if (applied - returned + refunded + cents(payment.unapplied) !== cents(payment.amount)) {
      model.violations.push(
        `${label}: payment ${payment.id} answered applied ${decimal(applied)} − returned ${decimal(returned)} + refunded ${decimal(refunded)} + unapplied ${payment.unapplied.amount} ≠ ${payment.amount.amount}`,
      );
    }
    for (const part of payment.applications) {
      if (!payable.some((invoice) => invoice.id === part.invoiceId)) model.violations.push(`${label}: payment ${payment.id} was applied to invoice ${part.invoiceId}, which it may not pay`);
    }
  }

  async function execute(model: Model, world: World, knownPayments: readonly string[], command: Command): Promise<void> {
    switch (command.kind) {
      case 'payment': {
        const partner = world.partners[command.partner % world.partners.length] ?? world.partners[0];
        if (!partner) return;
        const ofCurrency = partner.invoices.filter((invoice) => invoice.currency === command.currency);
        const other = world.partners[(command.partner + 1) % world.partners.length]?.invoices[0];
        const applyTo =
          command.target.kind === 'oldest'
            ? undefined
            : command.target.kind === 'none'
              ? []
              : command.target.kind === 'foreign'
                ? [other?.id]
                : [...new Set(command.target.picks.map((index) => ofCurrency[index % ofCurrency.length]?.id).filter((id) => id !== undefined))];
        const body = { amount: decimal(command.cents), currency: command.currency, receivedOn: '2026-10-01', ...(applyTo === undefined ? {} : { applyTo }) };
        const label = `payment ${body.amount} ${command.currency} of ${partner.id} to ${applyTo === undefined ? 'the oldest receivables' : `[${applyTo.join(', ')}]`}`;
        const answers = await send('POST', `/v1/partners/${partner.id}/payments`, body, command.key);
        if (command.target.kind === 'foreign') {
          // Another partner's invoice is refused before anything is written, whatever else runs.
          for (const answer of answers) {
            count(`payment (foreign invoice) ${answer.status} ${answer.body?.code ?? ''}`);
            model.refused.push(`${label}: ${answer.status} ${answer.body?.code ?? ''}`);
            const refused = answer.status === 400 && answer.body?.code === 'payment.invoice_mismatch';
            if (!refused && !(answer.status === 409 && answer.body?.code === IN_PROGRESS && command.key === 'twice')) {
              model.violations.push(`${label}: answered ${answer.status} ${answer.body?.code ?? ''}, not 400 payment.invoice_mismatch`);
            }
          }
          return;
        }
        for (const answer of accepted(model, command, label, answers, 201, CLOSED)) {
          const payment = answer.body as PaymentBody;
          model.payments.set(payment.id, { partnerId: partner.id, currency: command.currency, amount: BigInt(command.cents), applications: new Map() });
          checkPaymentAnswer(model, label, payment, BigInt(command.cents), applyTo === undefined ? ofCurrency : ofCurrency.filter((invoice) => applyTo.includes(invoice.id)));
          acknowledgeApplications(model, label, payment);
        }
        return;
      }
      case 'pay_invoice': {
        const invoice = world.invoices[command.invoice % world.invoices.length] as SeededInvoice;
        const body = { amount: decimal(command.cents), currency: invoice.currency, receivedOn: '2026-10-01' };
        const label = `pay_invoice ${body.amount} ${invoice.currency} to ${invoice.id}`;
        const answers = await send('POST', `/v1/invoices/${invoice.id}/payments`, body, command.key);
        for (const answer of accepted(model, command, label, answers, 201, CLOSED)) {
          const payment = answer.body as PaymentBody;
          model.payments.set(payment.id, { partnerId: invoice.partnerId, currency: invoice.currency, amount: BigInt(command.cents), applications: new Map() });
          checkPaymentAnswer(model, label, payment, BigInt(command.cents), [invoice]);
          acknowledgeApplications(model, label, payment);
        }
        return;
      }
      case 'apply': {
        const paymentId = knownPayments[command.payment % Math.max(1, knownPayments.length)];
        const payment = paymentId === undefined ? undefined : model.payments.get(paymentId);
        if (paymentId === undefined || !payment) return; // nothing acknowledged yet to apply
        const ofCurrency = world.invoices.filter((invoice) => invoice.partnerId === payment.partnerId && invoice.currency === payment.currency);
        const applyTo =
          command.target.kind === 'named' ? [...new Set(command.target.picks.map((index) => ofCurrency[index % ofCurrency.length]?.id).filter((id) => id !== undefined))] : undefined;
        const label = `apply payment ${paymentId} to ${applyTo === undefined ? 'the oldest receivables' : `[${applyTo.join(', ')}]`}`;
        const answers = [await t.call('POST', `/v1/payments/${paymentId}/applications`, { body: applyTo === undefined ? {} : { applyTo } })];
        // A concurrent refund may draw the credit this application counted on.
        for (const answer of accepted(model, command, label, answers, 200, [...CLOSED, 'payment.insufficient_unapplied'])) {
          const body = answer.body as PaymentBody;
          // The answer shows the payment whole: earlier applications to any invoice of its partner and currency too.
          checkPaymentAnswer(model, label, body, payment.amount, ofCurrency);
          acknowledgeApplications(model, label, body);
        }
        return;
      }
      case 'refund': {
        const partner = world.partners[command.partner % world.partners.length] ?? world.partners[0];
        if (!partner) return;
        const body = { amount: decimal(command.cents), currency: command.currency, refundedOn: '2026-10-02' };
        const label = `refund ${body.amount} ${command.currency} of ${partner.id}`;
        const copies = await Promise.all(Array.from({ length: command.copies }, () => send('POST', `/v1/partners/${partner.id}/refunds`, body, command.key)));
        for (const answers of copies) {
          for (const answer of accepted(model, command, label, answers, 201, ['account.insufficient_credit'])) {
            const refund = answer.body as { refundId: string; amount: Money; payments: string[] };
            if (cents(refund.amount) !== BigInt(command.cents)) model.violations.push(`${label}: answered amount ${refund.amount.amount}`);
            if (refund.payments.length === 0) model.violations.push(`${label}: refund ${refund.refundId} answered without the payments it drew on`);
            model.refunds.set(refund.refundId, { partnerId: partner.id, currency: command.currency, amount: BigInt(command.cents), payments: refund.payments });
          }
        }
        return;
      }
      case 'credit_note': {
        const invoice = world.invoices[command.invoice % world.invoices.length] as SeededInvoice;
        const lineCents = command.percent === 'full' ? undefined : Math.max(1, Math.round((invoice.netCents * command.percent) / 100));
        const body = {
          reason: 'Model correction',
          ...(lineCents === undefined ? {} : { lines: [{ name: 'Correction', quantity: '1', unitCode: 'C62', netPrice: decimal(lineCents), vat: { code: 'S', rate: '20' } }] }),
        };
        const label = `credit_note ${lineCents === undefined ? 'full' : `net ${decimal(lineCents)}`} of ${invoice.id}`;
        const answers = await send('POST', `/v1/invoices/${invoice.id}/credit-notes`, body, command.key);
        // A paid invoice is creditable (what was paid goes back to its payments): never `invoice.already_paid` here.
        const refusals = ['invoice.voided', 'invoice.fully_credited', 'invoice.credit_exceeds_outstanding', 'invoice.credit_exceeds_vat_category'];
        for (const answer of accepted(model, command, label, answers, 201, refusals)) {
          const note = answer.body as InvoiceBody;
          const amount = cents(note.totals.amountDue);
          if (note.kind !== 'credit_note' || note.precedingInvoice?.id !== invoice.id || note.currency !== invoice.currency) {
            model.violations.push(`${label}: answered ${note.kind} ${note.id} correcting ${note.precedingInvoice?.id} in ${note.currency}`);
          }
          // Without lines, all of the invoice, or what its other credit notes left of it.
          if (lineCents === undefined && (amount <= 0n || amount > invoice.amountDue)) model.violations.push(`${label}: a full credit note of ${decimal(amount)}, invoice due ${decimal(invoice.amountDue)}`);
          // One line at 20 % VAT, rounded half up to the cent; or, taking the last of the invoice's net, the VAT it has
          // left (each invoice's credit notes are checked to add up to its VAT below).
          const invoiceVat = invoice.amountDue - BigInt(invoice.netCents);
          const vat = amount - BigInt(lineCents ?? 0);
          if (lineCents !== undefined && vat !== (BigInt(lineCents) * 20n + 50n) / 100n && (vat < 0n || vat > invoiceVat)) model.violations.push(`${label}: credits ${decimal(amount)}`);
          const taxable = sum((note.vatBreakdown ?? []).map((entry) => cents(entry.taxableAmount)));
          const tax = sum((note.vatBreakdown ?? []).map((entry) => cents(entry.taxAmount)));
          model.creditNotes.set(note.id, { invoiceId: invoice.id, amount, taxable, tax });
        }
        return;
      }
      case 'void':
      case 'uncollectible': {
        const invoice = world.invoices[command.invoice % world.invoices.length] as SeededInvoice;
        const label = `${command.kind} ${invoice.id}`;
        const path = command.kind === 'void' ? 'void' : 'mark-uncollectible';
        const refusals = command.kind === 'void' ? [...CLOSED, 'invoice.has_payments', 'invoice.has_credits'] : [...CLOSED, 'invoice.already_uncollectible'];
        const answers = [await t.call('POST', `/v1/invoices/${invoice.id}/${path}`, { body: command.kind === 'void' ? { reason: 'Model void' } : undefined })];
        for (const answer of accepted(model, command, label, answers, 200, refusals)) {
          const state = answer.body as InvoiceBody;
          const expected = command.kind === 'void' ? 'void' : 'uncollectible';
          if (state.status !== expected) model.violations.push(`${label}: answered status ${state.status}`);
          (command.kind === 'void' ? model.voided : model.writtenOff).add(invoice.id);
        }
        return;
      }
    }
  }

  async function get<Body>(model: Model, path: string): Promise<Body | undefined> {
    const answer = await t.call<Body>('GET', path);
    if (answer.status === 200) return answer.body;
    model.violations.push(`GET ${path}: answered ${answer.status} ${answer.text.slice(0, 300)}`);
    return undefined;
  }

  async function allPages<Item>(model: Model, path: string): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Item[]; nextCursor: string | null } | undefined = await get(model, `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (!page) return items;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  /** The stored state against the model: nothing acknowledged lost, nothing unacknowledged done, every account balanced. */
  async function verify(model: Model, world: World): Promise<void> {
    const stored = new Map<string, PaymentBody>();
    for (const partner of world.partners) {
      const payments = await allPages<PaymentBody>(model, `/v1/partners/${partner.id}/payments`);
      for (const payment of payments) stored.set(payment.id, payment);
      const balance = await get<{ balances: { currency: string; outstanding: Money; unappliedCredit: Money }[] }>(model, `/v1/partners/${partner.id}/balance`);
      const invoices = await Promise.all(partner.invoices.map((invoice) => get<InvoiceBody>(model, `/v1/invoices/${invoice.id}`)));
      const notes = await allPages<{ id: string }>(model, `/v1/invoices?kind=credit_note&partner_id=${partner.id}`);

      for (const currency of ['EUR', 'USD'] as const) {
        const where = `partner ${partner.id} ${currency}`;
        const mine = payments.filter((payment) => payment.amount.currency === currency);
        const acknowledged = [...model.payments].filter(([, payment]) => payment.partnerId === partner.id && payment.currency === currency);
        const received = sum(mine.map((payment) => cents(payment.amount)));
        // Net of what credit notes took back: that is unapplied credit again.
        const applied = sum(mine.flatMap((payment) => payment.applications.map((part) => cents(part.amount)))) - sum(mine.flatMap((payment) => payment.returns.map((part) => cents(part.amount))));
        const refunded = sum(mine.flatMap((payment) => payment.refunds.map((part) => cents(part.amount))));
        const unapplied = sum(mine.map((payment) => cents(payment.unapplied)));
        const acknowledgedReceived = sum(acknowledged.map(([, payment]) => payment.amount));
        const acknowledgedRefunded = sum([...model.refunds.values()].filter((refund) => refund.partnerId === partner.id && refund.currency === currency).map((refund) => refund.amount));
        if (received !== acknowledgedReceived) model.violations.push(`${where}: received ${decimal(received)} stored, ${decimal(acknowledgedReceived)} acknowledged`);
        if (refunded !== acknowledgedRefunded) model.violations.push(`${where}: refunded ${decimal(refunded)} stored, ${decimal(acknowledgedRefunded)} acknowledged`);
        if (received !== applied + unapplied + refunded) {
          model.violations.push(`${where}: received ${decimal(received)} ≠ applied ${decimal(applied)} + unapplied ${decimal(unapplied)} + refunded ${decimal(refunded)}`);
        }
        const line = balance?.balances.find((row) => row.currency === currency);
        if (cents(line?.unappliedCredit ?? { amount: '0', currency }) !== unapplied) {
          model.violations.push(`${where}: the balance shows unapplied credit ${line?.unappliedCredit.amount ?? '0'}, the payments ${decimal(unapplied)}`);
        }
        const receivable = invoices.filter((invoice) => invoice?.currency === currency && (invoice.status === 'issued' || invoice.status === 'partially_paid'));
        const outstanding = sum(receivable.map((invoice) => cents((invoice as InvoiceBody).outstanding)));
        if (cents(line?.outstanding ?? { amount: '0', currency }) !== outstanding) {
          model.violations.push(`${where}: the balance shows outstanding ${line?.outstanding.amount ?? '0'}, the invoices ${decimal(outstanding)}`);
        }
      }

      // Payments: exactly the acknowledged ones, for the amounts acknowledged, keeping every acknowledged application.
      for (const payment of payments) {
        const known = model.payments.get(payment.id);
        if (!known) {
          model.violations.push(`payment ${payment.id} of ${payment.amount.amount} ${payment.amount.currency} is stored, but no request was acknowledged for it`);
          continue;
        }
        if (cents(payment.amount) !== known.amount) model.violations.push(`payment ${payment.id} is stored for ${payment.amount.amount}, acknowledged for ${decimal(known.amount)}`);
        for (const [invoiceId, amount] of known.applications) {
          const kept = payment.applications.find((part) => part.invoiceId === invoiceId);
          if (!kept || cents(kept.amount) !== amount) model.violations.push(`payment ${payment.id}: its acknowledged application of ${decimal(amount)} to ${invoiceId} is stored as ${kept?.amount.amount ?? 'nothing'}`);
        }
      }
      for (const [id, known] of model.payments) {
        if (known.partnerId === partner.id && !payments.some((payment) => payment.id === id)) model.violations.push(`payment ${id} was acknowledged but is not stored`);
      }

      // Invoices: never settled above their amount due; credits exactly the acknowledged credit notes; statuses as acknowledged.
      for (const [index, invoice] of invoices.entries()) {
        const seeded = partner.invoices[index] as SeededInvoice;
        if (!invoice) continue;
        const returned = sum(invoice.credits.flatMap((part) => part.paymentsReturned.map((back) => cents(back.amount))));
        // Net: what credit notes took back of the payments is the buyer's credit again, no longer paid.
        const paid = sum(invoice.payments.map((part) => cents(part.amount))) - returned;
        const credited = sum(invoice.credits.map((part) => cents(part.amount)));
        const due = cents(invoice.totals.amountDue);
        const where = `invoice ${invoice.id} (${invoice.status}, due ${invoice.totals.amountDue.amount}, paid ${decimal(paid)}, credited ${decimal(credited)})`;
        if (paid + credited > due) model.violations.push(`${where}: paid and credited above its amount due`);
        for (const part of invoice.payments) {
          const payment = stored.get(part.paymentId) ?? (await get<PaymentBody>(model, `/v1/payments/${part.paymentId}`));
          const onPayment = payment?.applications.find((application) => application.invoiceId === invoice.id);
          if (!model.payments.has(part.paymentId)) model.violations.push(`${where}: holds payment ${part.paymentId}, which no request was acknowledged for`);
          if (!onPayment || cents(onPayment.amount) !== cents(part.amount)) model.violations.push(`${where}: holds ${part.amount.amount} of payment ${part.paymentId}, which records ${onPayment?.amount.amount ?? 'nothing'}`);
        }
        // What each credit note took back of a payment, the invoice and the payment record alike, and only what it credited above what was owed.
        for (const part of invoice.credits) {
          const back = part.paymentsReturned;
          if (sum(back.map((each) => cents(each.amount))) > cents(part.amount)) model.violations.push(`${where}: credit note ${part.creditNoteId} took back more than it credited`);
          for (const each of back) {
            const payment = stored.get(each.paymentId) ?? (await get<PaymentBody>(model, `/v1/payments/${each.paymentId}`));
            const onPayment = (payment?.returns ?? []).filter((entry) => entry.invoiceId === invoice.id && entry.creditNoteId === part.creditNoteId);
            if (sum(onPayment.map((entry) => cents(entry.amount))) !== cents(each.amount)) {
              model.violations.push(`${where}: credit note ${part.creditNoteId} took back ${each.amount.amount} of payment ${each.paymentId}, which records ${onPayment.map((entry) => entry.amount.amount).join('+') || 'nothing'}`);
            }
          }
        }
        for (const payment of stored.values()) {
          for (const entry of payment.returns) {
            if (entry.invoiceId !== invoice.id) continue;
            const onInvoice = invoice.credits.find((part) => part.creditNoteId === entry.creditNoteId)?.paymentsReturned.find((each) => each.paymentId === payment.id);
            if (!onInvoice || cents(onInvoice.amount) !== cents(entry.amount)) model.violations.push(`${where}: payment ${payment.id} records ${entry.amount.amount} taken back by credit note ${entry.creditNoteId}, the invoice ${onInvoice?.amount.amount ?? 'nothing'}`);
          }
        }
        const acknowledgedCredits = [...model.creditNotes].filter(([, note]) => note.invoiceId === invoice.id);
        for (const part of invoice.credits) {
          const note = model.creditNotes.get(part.creditNoteId);
          if (!note) model.violations.push(`${where}: holds credit note ${part.creditNoteId} of ${part.amount.amount}, which no request was acknowledged for`);
          else if (note.amount !== cents(part.amount)) model.violations.push(`${where}: holds ${part.amount.amount} of credit note ${part.creditNoteId}, acknowledged for ${decimal(note.amount)}`);
        }
        for (const [noteId] of acknowledgedCredits) {
          if (!invoice.credits.some((part) => part.creditNoteId === noteId)) model.violations.push(`${where}: does not hold its acknowledged credit note ${noteId}`);
        }
        // Its credit notes take back no more net or VAT than it charged (one category, 20 %), and all its VAT with all its net.
        const [creditedNet, creditedVat] = [sum(acknowledgedCredits.map(([, note]) => note.taxable)), sum(acknowledgedCredits.map(([, note]) => note.tax))];
        const [net, vat] = [BigInt(seeded.netCents), seeded.amountDue - BigInt(seeded.netCents)];
        if (creditedNet > net || creditedVat > vat || (creditedNet === net && creditedVat !== vat)) {
          model.violations.push(`${where}: its credit notes took back net ${decimal(creditedNet)} and VAT ${decimal(creditedVat)} of ${decimal(net)} and ${decimal(vat)}`);
        }
        if (model.voided.has(seeded.id) !== (invoice.status === 'void')) model.violations.push(`${where}: void ${invoice.status === 'void'}, acknowledged void ${model.voided.has(seeded.id)}`);
        if (invoice.status === 'void' && paid + credited > 0n) model.violations.push(`${where}: void yet paid or credited`);
        const afterWriteOff = ['uncollectible', 'paid', 'credited', 'void'];
        if (model.writtenOff.has(seeded.id) ? !afterWriteOff.includes(invoice.status) : invoice.status === 'uncollectible') {
          model.violations.push(`${where}: acknowledged written off ${model.writtenOff.has(seeded.id)}`);
        }
        const settled = paid + credited === due;
        // A partial credit note leaves the status as it was; a void invoice holds nothing (checked above).
        const consistent = settled
          ? invoice.status === 'paid' || invoice.status === 'credited'
          : ['void', 'uncollectible'].includes(invoice.status) || (invoice.status === 'issued' && paid === 0n) || (invoice.status === 'partially_paid' && paid > 0n);
        if (!consistent) model.violations.push(`${where}: the status does not match what was paid and credited`);
        const open = invoice.status === 'issued' || invoice.status === 'partially_paid' || invoice.status === 'uncollectible';
        if (cents(invoice.outstanding) !== (open ? due - paid - credited : 0n)) model.violations.push(`${where}: outstanding ${invoice.outstanding.amount}`);
      }

      // Credit notes: exactly the acknowledged ones.
      const acknowledgedNotes = [...model.creditNotes].filter(([, note]) => partner.invoices.some((invoice) => invoice.id === note.invoiceId)).map(([id]) => id);
      for (const note of notes) if (!acknowledgedNotes.includes(note.id)) model.violations.push(`credit note ${note.id} of partner ${partner.id} is stored, but no request was acknowledged for it`);
      for (const id of acknowledgedNotes) if (!notes.some((note) => note.id === id)) model.violations.push(`credit note ${id} was acknowledged but is not stored`);
    }

    // Refunds: exactly the acknowledged ones, each drawn whole from the payments its answer named.
    const drawn = new Map<string, { amount: bigint; payments: Set<string> }>();
    for (const payment of stored.values()) {
      for (const part of payment.refunds) {
        const refund = drawn.get(part.refundId) ?? { amount: 0n, payments: new Set<string>() };
        refund.amount += cents(part.amount);
        refund.payments.add(payment.id);
        drawn.set(part.refundId, refund);
      }
    }
    for (const [refundId, refund] of drawn) {
      const known = model.refunds.get(refundId);
      if (!known) model.violations.push(`refund ${refundId} drew ${decimal(refund.amount)} from payments ${[...refund.payments].join(', ')}, but no request was acknowledged for it`);
      else if (known.amount !== refund.amount || [...refund.payments].sort().join() !== [...known.payments].sort().join()) {
        model.violations.push(`refund ${refundId} drew ${decimal(refund.amount)} from ${[...refund.payments].join(', ')}; acknowledged ${decimal(known.amount)} from ${known.payments.join(', ')}`);
      }
    }
    for (const [refundId, refund] of model.refunds) if (!drawn.has(refundId)) model.violations.push(`refund ${refundId} of ${decimal(refund.amount)} was acknowledged but drew nothing`);

    // And the invariant checker on everything the tenant stored.
    const mongo = t.api.app.get<MongoConnection>(DATABASE);
    const report = await checkIntegrity(new MongoIntegrityReader(modelsOf(mongo.connection)), { tenantId: seed.tenantId });
    for (const finding of report.findings) model.violations.push(`invariant checker: ${finding.code} ${finding.message} ${JSON.stringify({ ...finding.ids, ...finding.amounts })}`);
  }

  it(`keeps every account exact over ${RUNS} runs of concurrent payments, applications, refunds, credit notes, voids and write-offs`, async () => {
    const replay = process.env['MONEY_MODEL_SEED'];
    await fc.assert(
      fc.asyncProperty(scenario, async ({ shape, batches }) => {
        runs += 1;
        const model: Model = { payments: new Map(), refunds: new Map(), creditNotes: new Map(), voided: new Set(), writtenOff: new Set(), refused: [], violations: [] };
        const world = await setUp(model, shape, runs);
        for (const batch of batches) {
          const knownPayments = [...model.payments.keys()];
          await Promise.all(batch.map((next) => execute(model, world, knownPayments, next)));
        }
        await verify(model, world);
        expect(model.violations.length === 0 ? [] : [...model.violations, `(requests refused in this run: ${model.refused.join('; ')})`]).toEqual([]);
      }),
      {
        numRuns: RUNS,
        // Each run takes seconds on the real stack, and a concurrent run does not replay its interleaving: report the
        // first failing run as it is (seed, path, commands) instead of shrinking it.
        endOnFailure: true,
        ...(replay === undefined ? {} : { seed: Number(replay), numRuns: 1 }),
        ...(process.env['MONEY_MODEL_PATH'] === undefined ? {} : { path: process.env['MONEY_MODEL_PATH'] }),
      },
    );
  });
});

interface Money {
  readonly amount: string;
  readonly currency: string;
}

interface PaymentBody {
  readonly id: string;
  readonly amount: Money;
  readonly applications: readonly { readonly invoiceId: string; readonly amount: Money }[];
  /** What credit notes of paid invoices took back of the applications: unapplied credit again. */
  readonly returns: readonly { readonly invoiceId: string; readonly creditNoteId: string; readonly amount: Money }[];
  readonly refunds: readonly { readonly refundId: string; readonly amount: Money }[];
  readonly unapplied: Money;
}

interface InvoiceBody {
  readonly id: string;
  readonly kind: 'invoice' | 'credit_note';
  readonly status: string;
  readonly currency: string;
  readonly totals: { readonly amountDue: Money };
  readonly vatBreakdown?: readonly { readonly taxableAmount: Money; readonly taxAmount: Money }[];
  readonly payments: readonly { readonly paymentId: string; readonly amount: Money }[];
  readonly credits: readonly { readonly creditNoteId: string; readonly amount: Money; readonly paymentsReturned: readonly { readonly paymentId: string; readonly amount: Money }[] }[];
  readonly outstanding: Money;
  readonly precedingInvoice?: { readonly id: string };
}
