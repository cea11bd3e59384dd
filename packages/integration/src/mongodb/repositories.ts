import { createHash } from 'node:crypto';
import { ConflictError, addDays, daysBetween, type AggregateRoot, type CurrencyCode, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import {
  DUPLICATE_WINDOW_DAYS,
  Invoice,
  Marketable,
  Partner,
  Partnership,
  Payment,
  externalIdTaken,
  heldExternalId,
  type DuplicateProbe,
  type InvoiceId,
  type InvoiceRepository,
  type InvoiceState,
  type MarketableId,
  type MarketableRepository,
  type MarketableState,
  type PartnerId,
  type PartnerRepository,
  type PartnerState,
  type PartnershipId,
  type PartnershipRepository,
  type PartnershipState,
  type PaymentId,
  type PaymentRepository,
  type PaymentState,
} from '@invoicing/invoice';
import { AggregateStore, BulkSaveError } from './aggregate-store';
import type { DocumentLocks } from './document-lock';
import type { AggregateDocument, AggregateIdentity } from './mappers/aggregate-document';
import { invoiceDuplicateKey, invoiceMapper, invoiceReceivableKey, invoiceReferenceKey, type InvoiceDocument } from './mappers/invoice.mapper';
import { marketableMapper, type MarketableDocument } from './mappers/marketable.mapper';
import { partnerMapper, type PartnerDocument } from './mappers/partner.mapper';
import { partnershipMapper, type PartnershipDocument } from './mappers/partnership.mapper';
import { paymentCreditKey, paymentMapper, type PaymentDocument } from './mappers/payment.mapper';
import { guarded } from './mongo-errors';
import { mapPage, op, pageInIdOrder, text } from './query-support';
import type { Models } from './schemas';

/** get and save of one aggregate type, shared by every repository. */
abstract class MongoAggregateRepository<
  A extends AggregateRoot<IdType> & { toState(): S },
  IdType extends string,
  S extends AggregateIdentity,
  D extends AggregateDocument<object, object | undefined>,
> {
  constructor(protected readonly store: AggregateStore<A, S, D>) {}

  get(tenantId: TenantId, id: IdType): Promise<A | undefined> {
    return this.store.get(tenantId, id);
  }

  save(aggregate: A): Promise<void> {
    return this.store.save(aggregate);
  }

  /** The tenant's aggregates with these ids, read at once; see {@link AggregateStore.getMany}. */
  getMany(tenantId: TenantId, ids: readonly IdType[]): Promise<A[]> {
    return this.store.getMany(tenantId, ids);
  }

  /** Saves many aggregates in bulk (imports, data loads); see {@link AggregateStore.saveMany}. */
  saveMany(aggregates: readonly A[]): Promise<void> {
    return this.store.saveMany(aggregates);
  }

  protected async findOne(filter: Record<string, unknown>): Promise<A | undefined> {
    const document = await guarded(() => this.store.model.findOne(filter).lean<D>().exec());
    return document ? this.store.restore(document) : undefined;
  }

  protected async findAll(filter: Record<string, unknown>, sort: Record<string, 1 | -1> = { _id: 1 }): Promise<A[]> {
    const documents = await guarded(() => this.store.model.find(filter).sort(sort).lean<D[]>().exec());
    return documents.map((document) => this.store.restore(document));
  }

  /** One page of the tenant's states in id order; see {@link pageInIdOrder}. */
  protected async page(tenantId: TenantId, filter: Record<string, unknown>, page: PageRequest, newestFirst = false): Promise<Page<S>> {
    return mapPage(await pageInIdOrder<D>(this.store.model, tenantId, filter, page, newestFirst), (document) => this.store.stateOf(document));
  }
}

export class MongoPartnerRepository extends MongoAggregateRepository<Partner, PartnerId, PartnerState, PartnerDocument> implements PartnerRepository {
  constructor(
    models: Models,
    private readonly locks: DocumentLocks,
  ) {
    super(new AggregateStore({ model: models.partners, mapper: partnerMapper, restore: (state) => Partner.restore(state) }, locks));
  }

  /**
   * Saves a partner, refusing an external id another partner of the tenant holds. The check and the write are one
   * step under a lock on the external id: no unique index can hold it, since FerretDB 1.x has no partial index and
   * most partners have none. An archived partner holds none (`heldExternalId`): its save takes no lock, and a save
   * checking beside it reads it either still active (refused) or archived (free), both true at some instant.
   */
  override async save(partner: Partner): Promise<void> {
    const externalId = heldExternalId(partner);
    if (externalId === undefined) return super.save(partner);
    await this.locks.withLock(`${partner.tenantId}/${externalId}|partners.externalId`, partner.tenantId, async () => {
      const taken = externalIdTaken(partner, await this.findByExternalId(partner.tenantId, externalId));
      if (taken) throw taken;
      await super.save(partner);
    });
  }

  /** Saves many partners: those holding an external id one by one, each checked like {@link save}. */
  override async saveMany(partners: readonly Partner[]): Promise<void> {
    const named = partners.filter((partner) => heldExternalId(partner) !== undefined);
    if (named.length === 0) return super.saveMany(partners);
    const failures: { id: string; reason: string }[] = [];
    let saved = 0;
    try {
      await super.saveMany(partners.filter((partner) => heldExternalId(partner) === undefined));
      saved = partners.length - named.length;
    } catch (error) {
      if (!(error instanceof BulkSaveError)) throw error;
      failures.push(...error.failures);
      saved = error.saved;
    }
    for (const partner of named) {
      try {
        await this.save(partner);
        saved += 1;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        failures.push({ id: partner.id, reason: error.code });
      }
    }
    if (failures.length > 0) throw new BulkSaveError(failures, saved);
  }

  /** Live partners only: an archived partner's key is null, and the status leaves out one archived before it was, whose key is still its id (audit lifecycle F5). */
  findByExternalId(tenantId: TenantId, externalId: string): Promise<Partner[]> {
    return this.findAll({ tenantId, externalId: text(externalId), 'derived.status': 'active' });
  }
}

export class MongoMarketableRepository extends MongoAggregateRepository<Marketable, MarketableId, MarketableState, MarketableDocument> implements MarketableRepository {
  constructor(models: Models, locks: DocumentLocks) {
    super(
      new AggregateStore({
        model: models.marketables,
        mapper: marketableMapper,
        restore: (state) => Marketable.restore(state),
        unique: [{ code: 'marketable.sku_taken', holder: (state) => ({ sku: state.sku }) }],
      }, locks),
    );
  }

  async findBySku(tenantId: TenantId, sku: string): Promise<Marketable | undefined> {
    return this.findOne({ tenantId, sku });
  }

  async list(tenantId: TenantId, filter: { readonly active?: boolean }, page: PageRequest): Promise<Page<MarketableState>> {
    const query = filter.active === undefined ? {} : { 'derived.active': filter.active };
    return this.page(tenantId, query, page);
  }
}

export class MongoPartnershipRepository extends MongoAggregateRepository<Partnership, PartnershipId, PartnershipState, PartnershipDocument> implements PartnershipRepository {
  constructor(models: Models, locks: DocumentLocks) {
    super(new AggregateStore({ model: models.partnerships, mapper: partnershipMapper, restore: (state) => Partnership.restore(state) }, locks));
  }

  async list(tenantId: TenantId, filter: { readonly partnerId?: PartnerId }, page: PageRequest): Promise<Page<PartnershipState>> {
    const query = filter.partnerId === undefined ? {} : { partnerIds: filter.partnerId };
    return this.page(tenantId, query, page);
  }
}

/** How long a reference's holder may keep it before another process frees it as dead: far beyond any credit note's writes. */
const REFERENCE_LOCK_STALE_MS = 120_000;

export class MongoInvoiceRepository extends MongoAggregateRepository<Invoice, InvoiceId, InvoiceState, InvoiceDocument> implements InvoiceRepository {
  constructor(
    models: Models,
    private readonly locks: DocumentLocks,
  ) {
    super(
      new AggregateStore({
        model: models.invoices,
        mapper: invoiceMapper,
        restore: (state) => Invoice.restore(state),
        // Sealing lowers it to 0 (`document-sealer.ts`); a later save (a payment, a void) must not mark it pending again.
        lowered: ['sealPending'],
        unique: [
          { code: 'invoice.duplicate_number', holder: (state) => (state.number === undefined ? undefined : { 'derived.numberKey': state.number }) },
          {
            code: 'invoice.duplicate_external_reference',
            holder: (state) =>
              state.externalReference === undefined
                ? undefined
                : { 'derived.sellerId': state.sellerId, buyerId: state.buyerId, 'derived.externalKey': state.externalReference },
          },
        ],
      }, locks),
    );
  }

  /**
   * One `findOne` by import key each, sent at once: FerretDB 1.x does not push `$in` down to PostgreSQL (a scan of the
   * collection), while equality on a top-level key reads its index.
   */
  async findImported(tenantId: TenantId, numbers: readonly string[]): Promise<Invoice[]> {
    const found = await Promise.all([...new Set(numbers)].map((number) => this.findOne({ tenantId, importKey: text(number) })));
    return found.filter((invoice): invoice is Invoice => invoice !== undefined);
  }

  async findByExternalReference(tenantId: TenantId, sellerId: PartnerId, buyerId: PartnerId, externalReference: string): Promise<Invoice | undefined> {
    return this.findOne({ tenantId, referenceKey: invoiceReferenceKey(sellerId, buyerId, externalReference) });
  }

  /**
   * Under a lock document named by the tenant and a digest of the reference (up to 100 characters of any kind). A credit
   * note holds it across several writes, each of which may wait for a document's lock: it is taken for dead only after
   * {@link REFERENCE_LOCK_STALE_MS}, not the 15 s of a lock held for one update.
   */
  async holdingReference<T>(tenantId: TenantId, externalReference: string, task: () => Promise<T>): Promise<T> {
    const digest = createHash('sha256').update(externalReference).digest('base64url');
    return (await this.locks.withLock(`${tenantId}/${digest}|invoices.externalReference`, tenantId, task, { staleMs: REFERENCE_LOCK_STALE_MS })) as T;
  }

  async findPossibleDuplicate(tenantId: TenantId, probe: DuplicateProbe): Promise<InvoiceId | undefined> {
    // The keys hold each day of the window around an invoice's date: the probe's own day finds exactly the invoices
    // within the window. A probe over another window (one the calendar's first or last day cut short) reads the buyer's
    // invoices and compares here.
    const filter =
      daysBetween(probe.from, probe.to) === 2 * DUPLICATE_WINDOW_DAYS
        ? { tenantId, duplicateKeys: invoiceDuplicateKey(probe.buyerId, probe.currency, probe.total.minor, addDays(probe.from, DUPLICATE_WINDOW_DAYS)) }
        : {
            tenantId,
            buyerId: probe.buyerId,
            'derived.kind': 'invoice',
            'derived.status': op({ $ne: 'void' }),
            'derived.currency': probe.currency,
            'derived.totalMinor': probe.total.minor,
            'derived.referenceDate': op({ $gte: probe.from, $lte: probe.to }),
          };
    const document = await guarded(() => this.store.model.findOne(filter, { id: 1 }).sort({ _id: 1 }).lean<{ id: InvoiceId }>().exec());
    return document?.id;
  }

  async findReceivables(tenantId: TenantId, buyerId: PartnerId, currency: CurrencyCode): Promise<Invoice[]> {
    return this.findAll(
      { tenantId, receivableKey: invoiceReceivableKey(buyerId, currency) },
      { 'derived.dueDate': 1, 'derived.issueDate': 1, _id: 1 },
    );
  }
}

export class MongoPaymentRepository extends MongoAggregateRepository<Payment, PaymentId, PaymentState, PaymentDocument> implements PaymentRepository {
  constructor(models: Models, locks: DocumentLocks) {
    super(new AggregateStore({ model: models.payments, mapper: paymentMapper, restore: (state) => Payment.restore(state) }, locks));
  }

  async listByPartner(tenantId: TenantId, partnerId: PartnerId, page: PageRequest): Promise<Page<PaymentState>> {
    return this.page(tenantId, { partnerId }, page, true);
  }

  async findWithUnappliedCredit(tenantId: TenantId, partnerId: PartnerId, currency: CurrencyCode): Promise<Payment[]> {
    return this.findAll({ tenantId, creditKey: paymentCreditKey(partnerId, currency) });
  }
}

