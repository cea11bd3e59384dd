import {
  CLOCK,
  ConflictError,
  DomainError,
  ID_GENERATOR,
  InvalidStateError,
  MAX_PAGE_LIMIT,
  ValidationError,
  definedFields,
  today,
  type CalendarDate,
  type Clock,
  type Cursor,
  type IdGenerator,
  type Money,
  type PageRequest,
  type TenantId,
} from '@invoicing/core';
import { inject, injectable } from 'inversify';
import { Invoice } from '../invoice/invoice';
import { INVOICE_REPOSITORY, type InvoiceRepository } from '../invoice/invoice-repository.port';
import { NUMBER_SEQUENCE, parseDocumentNumber, type NumberSequence } from '../invoice/number-sequence.port';
import { partySnapshot } from '../invoice/party-snapshot';
import { Partner, type Contact } from '../partner/partner';
import { PARTNER_QUERIES, PARTNER_REPOSITORY, type PartnerQueries, type PartnerRepository } from '../partner/partner-repository.port';
import { Partnership } from '../partnership/partnership';
import { PARTNERSHIP_REPOSITORY, type PartnershipRepository } from '../partnership/partnership-repository.port';
import { paymentTermsToInput } from '../partnership/payment-terms';
import { LedgerProjection } from '../ledger/ledger-projection';
import { RecordPayment } from '../payment/payment.use-cases';
import type { ContactId, InvoiceId, PartnerId, PaymentId } from '../shared/ids';
import { INVOICING_SETTINGS, load, type InvoicingSettings } from '../shared/use-case-support';
import type { Receivable, ReceivableField } from './receivable';

/** What became of one receivable. */
export type ImportOutcome = 'imported' | 'updated' | 'unchanged' | 'refused';

/** Why a receivable was refused: the field at fault (when one is) and a stable code. */
export interface ImportProblem {
  readonly field?: ReceivableField;
  readonly code: string;
  readonly message: string;
}

/** The result of one receivable, for the import's report. */
export interface ImportResult {
  readonly outcome: ImportOutcome;
  readonly invoiceId?: InvoiceId;
  /** What an update changed, in words (`payment of 40.00 recorded`, `contact added`). */
  readonly changes: readonly string[];
  readonly problems: readonly ImportProblem[];
}

/** Where an import's invoices go: the tenant, and the partner that issued them (the tenant's own company). */
export interface ImportTarget {
  readonly tenantId: TenantId;
  readonly sellerId: PartnerId;
}

/** A name compared as people mean it: case, accents' composition and runs of spaces do not matter. */
export function partnerNameKey(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
}

/**
 * A text as it reads, whatever its width, case or invisible characters: NFKC (`Ａｃｍｅ` is `Acme`, `ﬁ` is `fi`), small
 * letters, no format character (U+200B …). Two texts with one key look the same on screen, in exports and on PDFs.
 */
function foldedKey(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase('en').normalize('NFKC').replace(/\p{Cf}/gu, '');
}

/**
 * A customer's name as a row's is matched with it when no partner has it by {@link partnerNameKey}: also without
 * regard to width (NFKC) or an invisible character. Made from that key, so names equal by it are equal by this one.
 */
export function customerNameKey(name: string): string {
  return foldedKey(partnerNameKey(name)).replace(/\s+/g, ' ').trim();
}

/** An invoice number as it reads: `D1`, `d1` and `Ｄ1` are one ({@link foldedKey}). */
function numberKey(number: string): string {
  return foldedKey(number);
}

/**
 * The numbers an imported invoice may be recorded under that read as `number`: itself, and its NFKC form in capitals
 * and in small letters, as another export writes it (`D1`, `d1`, `Ｄ1`). A number in mixed case (`Inv-7`) recorded
 * by an earlier import is found this way only when the row writes it so too.
 */
function numberVariants(number: string): string[] {
  const plain = number.normalize('NFKC');
  return [...new Set([number, plain, plain.toLocaleUpperCase('en'), plain.toLocaleLowerCase('en')])];
}

/** A contact matches when the email is the same, or, without emails on both sides, the name. */
function sameContact(known: Contact, given: Omit<Contact, 'id'>): boolean {
  if (known.email !== undefined && given.email !== undefined) return known.email === given.email;
  return partnerNameKey(known.name) === partnerNameKey(given.name);
}

/**
 * The VAT of an imported invoice's one line: an accounts-receivable export gives the total, not its tax detail, so the
 * line is the total, outside the scope of VAT as far as this record knows, and says why.
 */
/** A name a spreadsheet would read as a formula: files quote it (`'@Home Ltd`). */
const FORMULA_LIKE = /^[=+\-@\t\r]/;

/** What a new receivable makes, before any of it is written. */
interface PreparedRow {
  readonly customer: Partner;
  /** Whether the customer is new or gained the row's contact: it is saved first. */
  readonly customerChanged: boolean;
  readonly partnership: Partnership;
  readonly partnershipIsNew: boolean;
  readonly invoice: Invoice;
}

/** The partnerships an import may record a customer's invoices in a currency under. */
function partnershipKey(buyerId: PartnerId, receivable: Receivable): string {
  return `${buyerId}\u0000${receivable.total.currency}`;
}

/**
 * Whether a partnership takes an invoice of another system dated `date`. An active one, unless its validity ended
 * before: history from before its first day is the relationship's own (a partnership is opened in the platform when it
 * is first used here, and one an import opens starts at the first row it meets). An ended one, only within its validity
 * (ADR 0027). A suspended one, never: as for any invoice.
 */
function takes(partnership: Partnership, date: CalendarDate): boolean {
  const { status, validFrom, validUntil } = partnership;
  if (status === 'active') return validUntil === undefined || date <= validUntil;
  return status === 'ended' && validUntil !== undefined && validFrom <= date && date <= validUntil;
}

/** Why a partnership does not take a row's invoice date ({@link takes}), in words. */
function whyNot(partnership: Partnership): string {
  if (partnership.status === 'suspended') return `partnership ${partnership.id} is suspended`;
  const validity = `${partnership.validFrom} to ${partnership.validUntil ?? 'its end, not recorded'}`;
  return partnership.status === 'ended' ? `partnership ${partnership.id} has ended (valid ${validity})` : `partnership ${partnership.id} is valid until ${partnership.validUntil}`;
}

/**
 * The partnership of the customer's, in the row's currency, that takes the row: an active one first, then an ended
 * one whose validity holds the invoice date; none (undefined) when the customer has none, and one is opened.
 * @throws ValidationError `partnership.not_active` when the customer has some and none takes it
 */
function partnershipFor(candidates: readonly Partnership[], receivable: Receivable): Partnership | undefined {
  if (candidates.length === 0) return undefined;
  const date = receivable.invoiceDate;
  const chosen = candidates.find((each) => each.status === 'active' && takes(each, date)) ?? candidates.find((each) => takes(each, date));
  if (chosen) return chosen;
  // A date inside a validity would fix the row; a suspension only the partnership's resumption.
  const path = candidates.some((each) => each.status !== 'suspended') ? 'invoiceDate' : '';
  const reasons = candidates.map(whyNot).join('; ');
  throw new ValidationError([
    { path, code: 'partnership.not_active', message: `no partnership of ${receivable.customerName} in ${receivable.total.currency} takes an invoice dated ${date}: ${reasons}` },
  ]);
}

/**
 * Builds the invoice of a receivable; what its one line refuses (a total past the highest unit price, 10^12) is the
 * row's Bill Total, named as such in the error report.
 */
function totalChecked(build: () => Invoice): Invoice {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ValidationError) || !error.issues.every((issue) => issue.path.startsWith('lines.0'))) throw error;
    throw new ValidationError(error.issues.map((issue) => ({ ...issue, path: 'total' })));
  }
}

const IMPORTED_VAT = { code: 'O', rate: null, exemptionReason: 'Imported total: the source system gave no tax detail' } as const;

/** The largest page after `cursor` (the first one without). */
function pageAfter(cursor: Cursor | undefined): PageRequest {
  return cursor === undefined ? { limit: MAX_PAGE_LIMIT } : { limit: MAX_PAGE_LIMIT, cursor };
}

function refused(problems: readonly ImportProblem[]): ImportResult {
  return { outcome: 'refused', changes: [], problems };
}

/**
 * A number that reads as one imported before (`d1` beside `D1`): an issued invoice's number is evidence, and two that
 * look the same would be the same receivable booked twice.
 */
function lookalikeNumber(number: string, recorded: string): ImportProblem {
  return {
    field: 'invoiceNumber',
    code: 'import.number_lookalike',
    message: `${number} reads as invoice ${recorded}, imported before under that number: write the number as it was imported (an issued invoice's number is not changed)`,
  };
}

/** The id of the payment bringing an imported invoice's payments up to `appliedMinor`: the same on every run. */
function importPaymentId(invoiceId: InvoiceId, appliedMinor: bigint): PaymentId {
  return `import-${invoiceId}-${appliedMinor}` as PaymentId;
}

/**
 * Imports an accounts-receivable history: each receivable becomes an invoice issued under the other system's number
 * (`Invoice.recordIssued`), to a partner found by name (created when none has it) under a partnership in its currency
 * (opened when there is none, unless one of the customer's in another currency wants an approval; one suspended, ended
 * before the date or whose policy wants an approval refuses the row),
 * with the amount applied recorded as a payment. Running it again changes nothing; a
 * corrected receivable may raise the amount applied (one more payment) and bring contacts, nothing else: an issued
 * invoice is not rewritten, so a changed customer, date, currency or total is refused as a conflict.
 *
 * Every receivable is checked before anything of it is written, and each write is found again on the next run (the
 * partner by its name, the partnership by its parties and currency, the invoice by its number, the payment by an id
 * derived from the invoice and the amount): a run stopped at any point, then run again, completes what was started
 * without doing anything twice. Two imports into one tenant at once may both create a new customer: run one at a time.
 */
@injectable()
export class ImportReceivables {
  constructor(
    @inject(PARTNER_REPOSITORY) private readonly partners: PartnerRepository,
    @inject(PARTNER_QUERIES) private readonly partnerQueries: PartnerQueries,
    @inject(PARTNERSHIP_REPOSITORY) private readonly partnerships: PartnershipRepository,
    @inject(INVOICE_REPOSITORY) private readonly invoices: InvoiceRepository,
    @inject(RecordPayment) private readonly payments: RecordPayment,
    @inject(LedgerProjection) private readonly projection: LedgerProjection,
    @inject(NUMBER_SEQUENCE) private readonly numbers: NumberSequence,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @inject(INVOICING_SETTINGS) private readonly settings: InvoicingSettings,
  ) {}

  /**
   * Starts an import into a tenant: reads the tenant's partner names and the seller's partnerships once, which the
   * batches then use and extend.
   * @throws NotFoundError `partner.not_found` when the seller does not exist
   */
  async start(target: ImportTarget): Promise<ReceivablesImport> {
    const seller = await load(this.partners, target.tenantId, target.sellerId, 'partner');
    if (seller.status === 'archived') throw new InvalidStateError('partner.archived', `partner ${seller.id} is archived: no new invoice is recorded for it`, { partnerId: seller.id });
    const names: CustomerNames = { exact: new Map(), folded: new Map(), archived: new Set() };
    for (let cursor: Cursor | null | undefined; cursor !== null; ) {
      const page = await this.partnerQueries.list(target.tenantId, {}, pageAfter(cursor));
      for (const partner of page.items) {
        if (partner.id === seller.id) continue;
        if (partner.status === 'archived') names.archived.add(partner.id);
        for (const [map, key] of [[names.exact, partnerNameKey(partner.legalName)], [names.folded, customerNameKey(partner.legalName)]] as const) {
          map.set(key, [...(map.get(key) ?? []), partner.id]);
        }
      }
      cursor = page.nextCursor;
    }
    // Every one of a customer's partnerships in a currency: which one takes a row depends on its status and date.
    const partnerships = new Map<string, Partnership[]>();
    for (let cursor: Cursor | null | undefined; cursor !== null; ) {
      const page = await this.partnerships.list(target.tenantId, { partnerId: seller.id }, pageAfter(cursor));
      for (const state of page.items) {
        const key = `${state.buyerId}\u0000${state.currency}`;
        if (state.sellerId === seller.id) partnerships.set(key, [...(partnerships.get(key) ?? []), Partnership.restore(state)]);
      }
      cursor = page.nextCursor;
    }
    return new ReceivablesImport(this.deps(), seller, names, partnerships);
  }

  private deps(): ImportDeps {
    return { partners: this.partners, partnerships: this.partnerships, invoices: this.invoices, payments: this.payments, projection: this.projection, numbers: this.numbers, clock: this.clock, ids: this.ids, settings: this.settings };
  }
}

/**
 * The tenant's partners by name: by {@link partnerNameKey}, as imports always found them, and by
 * {@link customerNameKey}, for a name no partner has by the first.
 */
interface CustomerNames {
  readonly exact: Map<string, PartnerId[]>;
  readonly folded: Map<string, PartnerId[]>;
  /** Partners archived when the import started: they take no new invoice, so they decide no name a live one holds. */
  readonly archived: Set<PartnerId>;
}

/**
 * How many rows of a batch are imported at once. Each row waits on several round trips to the store (the invoice, its
 * payment's ledger append and projection), which rows of other customers need not wait for.
 */
const ROWS_AT_ONCE = 8;

/**
 * The rows of a batch as groups to import one after the other, in file order: rows that name the same customer (by
 * name key) or the same invoice number are in one group, so that they meet each other as they would one at a time (the
 * customer created once, its contacts completed in turn, one account's payments in order, a repeated number found).
 * Groups touch disjoint customers, accounts and numbers, and may run at once.
 */
function rowsInTurn(receivables: readonly Receivable[]): number[][] {
  const parent = receivables.map((_, index) => index);
  const root = (index: number): number => {
    let at = index;
    while (parent[at] !== at) at = parent[at] = parent[parent[at] as number] as number;
    return at;
  };
  const firstWith = new Map<string, number>();
  receivables.forEach((receivable, index) => {
    // By the looser keys: rows whose names or numbers read the same meet each other in file order.
    for (const key of [`customer\u0000${customerNameKey(receivable.customerName)}`, `number\u0000${numberKey(receivable.invoiceNumber)}`]) {
      const first = firstWith.get(key);
      if (first === undefined) firstWith.set(key, index);
      else parent[root(index)] = root(first);
    }
  });
  const groups = new Map<number, number[]>();
  receivables.forEach((_, index) => {
    const group = groups.get(root(index));
    if (group) group.push(index);
    else groups.set(root(index), [index]);
  });
  return [...groups.values()];
}

/**
 * The rows of a batch that a later row with the same number supersedes. The same number twice is the same invoice at
 * two moments, the later row its last word: run again, the earlier row finds what the later one recorded (more applied),
 * which is no reason to refuse it.
 */
function supersededRows(receivables: readonly Receivable[]): Set<number> {
  const superseded = new Set<number>();
  const lastWith = new Map<string, number>();
  receivables.forEach((receivable, index) => {
    const before = lastWith.get(receivable.invoiceNumber);
    if (before !== undefined) superseded.add(before);
    lastWith.set(receivable.invoiceNumber, index);
  });
  return superseded;
}

/** The imported invoices a batch names, by number, and those a row of the batch has paid since they were read. */
interface BatchInvoices {
  readonly byNumber: Map<string, Invoice>;
  readonly paidSince: Set<string>;
}

/** What the receivable says is applied to the invoice and the invoice does not hold yet (negative when it holds more). */
function unpaid(invoice: Invoice, receivable: Receivable): Money {
  return receivable.applied.subtract(invoice.paidAmount.add(invoice.creditedAmount));
}

interface ImportDeps {
  readonly partners: PartnerRepository;
  readonly partnerships: PartnershipRepository;
  readonly invoices: InvoiceRepository;
  readonly payments: RecordPayment;
  readonly projection: LedgerProjection;
  readonly numbers: NumberSequence;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: InvoicingSettings;
}

/** Options of {@link ReceivablesImport.importBatch}. */
export interface BatchOptions {
  /**
   * The receivables (by index in the batch) that a later row of the file supersedes, in a batch not given yet: as for a
   * row a later one of the batch supersedes, less applied than recorded is no reason to refuse them.
   */
  readonly superseded?: readonly number[];
}

/** One import in progress ({@link ImportReceivables.start}): takes receivables batch by batch, in file order. */
export class ReceivablesImport {
  /** Partners read or created by this import, by id: a customer's rows do not read it again. */
  private readonly loaded = new Map<PartnerId, Partner>();
  /** The imported numbers this import has met (found or recorded), by {@link numberKey}: the first of each key. */
  private readonly numbers = new Map<string, string>();

  constructor(
    private readonly deps: ImportDeps,
    private readonly seller: Partner,
    private readonly names: CustomerNames,
    private readonly partnerships: Map<string, Partnership[]>,
  ) {}

  /**
   * Imports a batch; the results are in the batch's order. Rows of other customers and numbers go at once (up to
   * {@link ROWS_AT_ONCE}), a customer's rows in file order. Problems of a receivable are in its result; only a failure
   * of the store itself (the database gone) is thrown, once the rows under way are done, leaving what was done found
   * again by the next run. A receivable that a later one of its number supersedes (in the batch, or as `options` say)
   * is not refused for less applied than recorded: the later one says what is applied.
   */
  async importBatch(receivables: readonly Receivable[], options: BatchOptions = {}): Promise<ImportResult[]> {
    const { tenantId } = this.seller;
    const known = await this.deps.invoices.findImported(tenantId, [...new Set(receivables.flatMap((item) => numberVariants(item.invoiceNumber)))]);
    const existing: BatchInvoices = { byNumber: new Map(known.map((invoice) => [invoice.number as string, invoice])), paidSince: new Set() };
    for (const invoice of known) this.met(invoice.number as string);
    const results: ImportResult[] = new Array(receivables.length);
    const groups = rowsInTurn(receivables);
    const superseded = supersededRows(receivables);
    for (const index of options.superseded ?? []) superseded.add(index);
    let failure: { error: unknown } | undefined;
    // Each worker takes the next group until none is left or one failed; all are awaited before answering, so that no
    // write of this batch is still under way when the caller hears of a failure.
    const worker = async (): Promise<void> => {
      for (let group = groups.shift(); group !== undefined && failure === undefined; group = groups.shift()) {
        for (const index of group) {
          try {
            results[index] = await this.importOne(receivables[index] as Receivable, existing, superseded.has(index));
          } catch (error) {
            if (error instanceof ValidationError) {
              results[index] = refused(
                error.issues.map((issue) =>
                  issue.path === 'total' || issue.path === 'customerName' || issue.path === 'invoiceDate' || issue.path === 'currency'
                    ? { field: issue.path, code: issue.code, message: issue.message }
                    : { code: issue.code, message: `${issue.path ? `${issue.path}: ` : ''}${issue.message}` },
                ),
              );
            }
            else if (error instanceof DomainError) results[index] = refused([{ code: error.code, message: error.message }]);
            else {
              failure ??= { error };
              return;
            }
          }
        }
      }
    };
    await Promise.all(Array.from({ length: ROWS_AT_ONCE }, worker));
    if (failure) throw failure.error;
    return results;
  }

  /** @param superseded whether a later row of the file has the same number (see {@link supersededRows}) */
  private async importOne(receivable: Receivable, existing: BatchInvoices, superseded: boolean): Promise<ImportResult> {
    let found = await this.current(receivable.invoiceNumber, existing);
    if (!found) {
      const lookalike = this.numbers.get(numberKey(receivable.invoiceNumber));
      if (lookalike !== undefined) return refused([lookalikeNumber(receivable.invoiceNumber, lookalike)]);
    }
    const customer = this.customerOf(receivable, found?.buyerId);
    if ('problem' in customer) return refused([customer.problem]);
    const changes: string[] = [];
    if (found) {
      const conflicts = this.conflicts(found, receivable, customer.id, superseded);
      if (conflicts.length > 0) return refused(conflicts);
      if (unpaid(found, receivable).isPositive()) {
        // Before paying what the document lacks, the document as the ledger has it: a run that stopped between its
        // payment's ledger append and the document's update left money the document does not show (ADR 0006).
        const before = found.paidAmount.add(found.creditedAmount);
        const held = new Set(found.payments.map((part) => part.paymentId));
        const synced = (await this.deps.projection.syncInvoice(found.tenantId, found.id, undefined, found)) ?? found;
        // ...and the documents of the payments it completed, which that run may not have written either.
        for (const part of synced.payments) if (!held.has(part.paymentId)) await this.deps.projection.syncPayment(found.tenantId, part.paymentId);
        if (!synced.paidAmount.add(synced.creditedAmount).equals(before)) changes.push('payments completed from the ledger');
        found = synced;
        existing.byNumber.set(receivable.invoiceNumber, synced);
        const after = this.conflicts(synced, receivable, customer.id, superseded);
        if (after.length > 0) return refused(after);
      }
    }
    if (!found) return this.importNew(receivable, customer.id, existing, superseded);
    // The invoice's buyer: the conflicts above refused a row naming anyone else.
    const partner = await this.customer(receivable, found.buyerId, changes);
    const paid = await this.settle(found, partner, receivable);
    if (paid !== undefined) {
      changes.push(`payment of ${paid} recorded`);
      existing.paidSince.add(receivable.invoiceNumber);
    }
    return { outcome: changes.length > 0 ? 'updated' : 'unchanged', invoiceId: found.id, changes, problems: [] };
  }

  /**
   * A receivable no invoice holds yet. The customer (new, or with the row's contact added), the partnership and the
   * invoice are all built before the first write, so that a row the invoice cannot hold (a total past the highest unit
   * price, a contact for an archived partner) leaves no number claimed and no customer, contact or partnership behind.
   */
  private async importNew(receivable: Receivable, customerId: PartnerId | undefined, existing: BatchInvoices, superseded: boolean): Promise<ImportResult> {
    for (let attempt = 0; ; attempt += 1) {
      const row = await this.prepare(receivable, customerId);
      const taken = await this.claimNumber(receivable.invoiceNumber);
      if (taken) return refused([taken]);
      try {
        if (row.customerChanged) await this.deps.partners.save(row.customer);
      } catch (error) {
        // Someone else changed the partner since it was read: read it again and build the row once more.
        if (!(error instanceof ConflictError) || customerId === undefined || attempt >= 2) throw error;
        await this.load(customerId);
        continue;
      }
      this.loaded.set(row.customer.id, row.customer);
      if (customerId === undefined) {
        this.names.exact.set(partnerNameKey(receivable.customerName), [row.customer.id]);
        this.names.folded.set(customerNameKey(receivable.customerName), [row.customer.id]);
      }
      if (row.partnershipIsNew) {
        await this.deps.partnerships.save(row.partnership);
        const key = partnershipKey(row.customer.id, receivable);
        this.partnerships.set(key, [...(this.partnerships.get(key) ?? []), row.partnership]);
      }
      const recorded = await this.record(receivable, row.invoice);
      if (!(recorded instanceof Invoice)) return refused([recorded]);
      existing.byNumber.set(receivable.invoiceNumber, recorded);
      this.met(recorded.number as string);
      const conflicts = this.conflicts(recorded, receivable, row.customer.id, superseded);
      if (conflicts.length > 0) return refused(conflicts);
      if ((await this.settle(recorded, row.customer, receivable)) !== undefined) existing.paidSince.add(receivable.invoiceNumber);
      return { outcome: 'imported', invoiceId: recorded.id, changes: [], problems: [] };
    }
  }

  /** A partnership of the seller with this customer, in any currency, whose policy asks for approval. */
  private approvingPartnershipOf(customerId: PartnerId): Partnership | undefined {
    for (const [key, candidates] of this.partnerships) {
      if (!key.startsWith(`${customerId}\u0000`)) continue;
      const approving = candidates.find((each) => each.policy.approval.kind !== 'none');
      if (approving) return approving;
    }
    return undefined;
  }

  /** What a new receivable makes, built and checked, nothing written: see {@link importNew}. */
  private async prepare(receivable: Receivable, customerId: PartnerId | undefined): Promise<PreparedRow> {
    const { tenantId } = this.seller;
    const at = this.deps.clock.now();
    let customer: Partner;
    let customerChanged = true;
    if (customerId === undefined) {
      customer = Partner.create(
        { kind: 'company', legalName: receivable.customerName, ...definedFields({ contacts: receivable.contact && [receivable.contact] }) },
        { tenantId, id: this.deps.ids.next<'Partner'>(), newContactId: () => this.deps.ids.next<'Contact'>() as ContactId, at },
      );
    } else {
      // A copy: the partner this import holds changes only once the row's write of it succeeded.
      customer = Partner.restore((this.loaded.get(customerId) ?? (await this.load(customerId))).toState());
      // As for any invoice: an archived partner gets no new one, nor a new partnership.
      if (customer.status === 'archived') {
        throw new ValidationError([{ path: 'customerName', code: 'partner.archived', message: `partner ${customer.id} (${receivable.customerName}) is archived: no new invoice is recorded for it` }]);
      }
      customerChanged = receivable.contact !== undefined && this.withContact(customer, receivable.contact, at) !== undefined;
    }
    const contactId = receivable.contact === undefined ? undefined : customer.contacts.find((known) => sameContact(known, receivable.contact as Omit<Contact, 'id'>))?.id;
    const known = partnershipFor(this.partnerships.get(partnershipKey(customer.id, receivable)) ?? [], receivable);
    // A partnership opened in another currency would have no approval policy: one the customer's partnerships ask for
    // would be skipped by changing the row's currency (audit approval F3).
    const approving = known === undefined ? this.approvingPartnershipOf(customer.id) : undefined;
    if (approving !== undefined) {
      throw new ValidationError([
        {
          path: 'currency',
          code: 'invoice.approval_required',
          message: `partnership ${approving.id} of this customer requires approval before an invoice is issued, and an import opens none in ${receivable.total.currency} without one: create that partnership first, with its own approval policy`,
        },
      ]);
    }
    const partnership =
      known ??
      Partnership.create(
        { sellerId: this.seller.id, buyerId: customer.id, currency: receivable.total.currency, paymentTerms: paymentTermsToInput(receivable.paymentTerms), validFrom: receivable.invoiceDate },
        { tenantId, id: this.deps.ids.next<'Partnership'>(), at },
      );
    const invoice = totalChecked(() =>
      Invoice.recordIssued(
        {
          ...partnership.draftTerms(),
          paymentTerms: receivable.paymentTerms,
          lines: [{ name: `Invoice ${receivable.invoiceNumber}`, quantity: '1', unitCode: 'C62', netPrice: receivable.total.toString(), vat: IMPORTED_VAT }],
          notes: receivable.termsText === undefined ? [] : [`Payment terms: ${receivable.termsText}`],
          ...definedFields({ purchaseOrderReference: receivable.purchaseOrder, buyerContactId: contactId }),
          number: receivable.invoiceNumber,
          issueDate: receivable.invoiceDate,
          dueDate: receivable.dueDate,
          seller: partySnapshot(this.seller),
          buyer: partySnapshot(customer, contactId),
        },
        { tenantId, id: this.deps.ids.next<'Invoice'>(), at },
      ),
    );
    // Recorded, it is a receivable like one issued here: what the policy would hold for approval before issue, an
    // import does not issue either (the policy can be lifted for a migration, then restored).
    if (partnership.requiresApproval(invoice.totals.taxInclusive)) {
      const rule = partnership.policy.approval;
      const why = rule.kind === 'above' ? `above ${rule.threshold.toString()}` : rule.kind;
      throw new ValidationError([
        { path: rule.kind === 'above' ? 'total' : '', code: 'invoice.approval_required', message: `partnership ${partnership.id} requires approval (${why}) before an invoice of ${invoice.totals.taxInclusive.toString()} is issued` },
      ]);
    }
    return { customer, customerChanged, partnership, partnershipIsNew: known === undefined, invoice };
  }

  /**
   * The batch's invoice under a number, as stored now: one a row of the batch paid was changed by the payment's
   * projection, so it is read again, and only when another row of the batch names it.
   */
  private async current(number: string, existing: BatchInvoices): Promise<Invoice | undefined> {
    const cached = existing.byNumber.get(number);
    if (!cached || !existing.paidSince.delete(number)) return cached;
    const fresh = await load(this.deps.invoices, cached.tenantId, cached.id, 'invoice');
    existing.byNumber.set(number, fresh);
    return fresh;
  }

  /** Remembers an imported number met, for the rows after it that read the same ({@link numberKey}). */
  private met(number: string): void {
    const key = numberKey(number);
    if (!this.numbers.has(key)) this.numbers.set(key, number);
  }

  /**
   * The customer the receivable names, by name; a name several partners share is refused rather than guessed, unless
   * the invoice was recorded for one of them, or only one of them is not archived. The
   * partners of that name first (as imports always found them: partners an earlier import made of names differing in
   * width are each found by their own), else those whose name reads the same ({@link customerNameKey}).
   */
  private customerOf(receivable: Receivable, recordedFor: PartnerId | undefined): { readonly id: PartnerId | undefined } | { readonly problem: ImportProblem } {
    const name = receivable.customerName;
    const { exact, folded } = this.names;
    // Since 7 December 2026 a CSV reader takes off the `'` a file puts before a formula-like cell; a partner an earlier
    // import created from such a cell holds the name with it.
    const holders = exact.get(partnerNameKey(name)) ?? (FORMULA_LIKE.test(name) ? exact.get(partnerNameKey(`'${name}`)) : undefined) ?? folded.get(customerNameKey(name)) ?? [];
    if (holders.length <= 1) return { id: holders[0] };
    // The row of an invoice imported before names the customer it was recorded for, if that one holds the name; a new
    // row, the one partner of the name that is not archived (audit lifecycle F4: a customer re-created after an archive).
    if (recordedFor !== undefined && holders.includes(recordedFor)) return { id: recordedFor };
    const live = holders.filter((id) => !this.names.archived.has(id));
    if (live.length === 1) return { id: live[0] };
    return { problem: { field: 'customerName', code: 'import.customer_ambiguous', message: `${holders.length} partners are named ${name}: ${holders.join(', ')}` } };
  }

  /**
   * What an issued invoice may not change: the import records history, it does not rewrite it. Less applied than
   * recorded is not checked on a row a later one of its number supersedes: that later row says what is applied now.
   */
  private conflicts(invoice: Invoice, receivable: Receivable, customerId: PartnerId | undefined, superseded: boolean): ImportProblem[] {
    const problems: ImportProblem[] = [];
    const differs = (field: ReceivableField, what: string, recorded: string, given: string) => {
      if (recorded !== given) problems.push({ field, code: 'import.conflict', message: `${what} is ${given} in the file, ${recorded} on invoice ${invoice.number}: an issued invoice is not rewritten` });
    };
    if (invoice.buyerId !== customerId) problems.push({ field: 'customerName', code: 'import.conflict', message: `invoice ${invoice.number} was recorded for partner ${invoice.buyerId}, not ${receivable.customerName}` });
    differs('currency', 'the currency', invoice.currency, receivable.total.currency);
    differs('invoiceDate', 'the invoice date', invoice.issueDate as string, receivable.invoiceDate);
    differs('dueDate', 'the due date', invoice.dueDate as string, receivable.dueDate);
    if (invoice.currency === receivable.total.currency) {
      differs('total', 'the total', invoice.totals.amountDue.toString(), receivable.total.toString());
      const applied = invoice.paidAmount.add(invoice.creditedAmount);
      if (!superseded && applied.greaterThan(receivable.applied)) {
        problems.push({ field: 'applied', code: 'import.applied_decreased', message: `${applied.toString()} is applied to invoice ${invoice.number} already, more than the ${receivable.applied.toString()} in the file (payments or credit notes recorded in the platform since, or a later file): nothing was changed; money recorded is not taken back by a file` });
      }
    }
    return problems;
  }

  /** The customer of an invoice imported before, with the receivable's contact added or completed. */
  private async customer(receivable: Receivable, id: PartnerId, changes: string[]): Promise<Partner> {
    const at = this.deps.clock.now();
    let partner = this.loaded.get(id) ?? (await this.load(id));
    const contact = receivable.contact;
    if (contact === undefined) return partner;
    for (let attempt = 0; ; attempt += 1) {
      const copy = Partner.restore(partner.toState());
      const change = this.withContact(copy, contact, at);
      if (change === undefined) return partner;
      try {
        await this.deps.partners.save(copy);
        this.loaded.set(id, copy);
        changes.push(change);
        return copy;
      } catch (error) {
        // Someone else changed the partner since it was read: read it again and look once more.
        if (!(error instanceof ConflictError) || attempt >= 2) throw error;
        partner = await this.load(id);
      }
    }
  }

  /**
   * Adds the row's contact to the partner, or completes the one it names, in memory; what changed, or nothing when the
   * partner has it already. @throws InvalidStateError `partner.archived`
   */
  private withContact(partner: Partner, contact: Omit<Contact, 'id'>, at: Date): string | undefined {
    const known = partner.contacts.find((candidate) => sameContact(candidate, contact));
    const missing = known && definedFields({ email: known.email ? undefined : contact.email, phone: known.phone ? undefined : contact.phone });
    if (known && Object.keys(missing ?? {}).length === 0) return undefined;
    // An email another contact of the partner has is theirs: the row's contact is then that one, nothing to add.
    if (!known && contact.email !== undefined && partner.contacts.some((candidate) => candidate.email === contact.email)) return undefined;
    if (known) partner.updateContact(known.id, missing ?? {}, at);
    else partner.addContact(contact, { id: this.deps.ids.next<'Contact'>() as ContactId, at });
    return known ? `contact ${contact.name} completed` : `contact ${contact.name} added`;
  }

  private async load(id: PartnerId): Promise<Partner> {
    const partner = await load(this.deps.partners, this.seller.tenantId, id, 'partner');
    this.loaded.set(id, partner);
    return partner;
  }

  /**
   * Stores the invoice built for a receivable. Another import's document under the number is returned instead (it
   * recorded it in between); a document made here under the number is a problem.
   */
  private async record(receivable: Receivable, invoice: Invoice): Promise<Invoice | ImportProblem> {
    try {
      await this.deps.invoices.save(invoice);
      return invoice;
    } catch (error) {
      if (!(error instanceof ConflictError) || error.code !== 'invoice.duplicate_number') throw error;
      // Another import recorded it in between, or a document made here holds the number.
      const [holder] = await this.deps.invoices.findImported(invoice.tenantId, [receivable.invoiceNumber]);
      return holder ?? { field: 'invoiceNumber', code: 'import.number_taken', message: `number ${receivable.invoiceNumber} is held by a document made here` };
    }
  }

  /**
   * A number in the platform's own format is one a series would give out: it is taken out of the series before the
   * invoice is stored (claiming it again is a no-op), or the series would give it to a document of ours later, which
   * could then never be stored. The problem when a document made here holds it.
   */
  private async claimNumber(number: string): Promise<ImportProblem | undefined> {
    const inSeries = parseDocumentNumber(number);
    if (!inSeries || (await this.deps.numbers.claimImported(this.seller.tenantId, inSeries.series, inSeries.sequence))) return undefined;
    return { field: 'invoiceNumber', code: 'import.number_taken', message: `number ${number} is reserved for a document made here` };
  }

  /**
   * Brings the payments applied to the invoice up to the receivable's amount applied, by one payment whose id is
   * derived from the invoice and that amount: a run that recorded it before its answer was lost finds it again.
   * @returns the amount recorded, if any
   */
  private async settle(invoice: Invoice, buyer: Partner, receivable: Receivable): Promise<string | undefined> {
    const missing = unpaid(invoice, receivable);
    if (!missing.isPositive()) return undefined;
    // The invoice and its buyer as this import holds them: the payment does not read them again.
    await this.deps.payments.record(
      {
        tenantId: invoice.tenantId,
        id: importPaymentId(invoice.id, receivable.applied.minor),
        partnerId: invoice.buyerId,
        amount: missing.toString(),
        currency: invoice.currency,
        receivedOn: today(this.deps.clock, this.deps.settings.timeZone),
        reference: `Import: applied to ${invoice.number}`,
        applyTo: [invoice.id],
      },
      [invoice],
      buyer,
      // What the invoice owed when it was read: paid meanwhile (by hand, or by another import), it is refused, not
      // recorded with its surplus as credit; the next run reads the invoice again.
      { wholly: true },
    );
    return missing.toString();
  }
}
