import {
  addYearMonths,
  decodeCursor,
  definedFields,
  encodeCursor,
  pageLimit,
  yearMonthOf,
  type CalendarDate,
  type CurrencyCode,
  type Page,
  type PageRequest,
  type TenantId,
  type YearMonth,
} from '@invoicing/core';
import {
  AGING_BUCKETS,
  Invoice,
  agingBucket,
  agingRow,
  balanceRow,
  daysPastDue,
  rankContacts,
  reportTotal,
  summarize,
  type AccountBalance,
  type AgingBucket,
  type AgingRow,
  type ContactLastSeen,
  type ContactMatch,
  type InvoiceFilter,
  type InvoiceId,
  type InvoiceQueries,
  type InvoiceSummary,
  type MonthlySummary,
  type PartnerFilter,
  type PartnerId,
  type PartnerQueries,
  type PartnerState,
  type PartnerTotals,
  type PastDueInvoice,
  type PastDueRequest,
  type SearchedPartner,
} from '@invoicing/invoice';
import { documentId } from './mappers/aggregate-document';
import { invoiceMapper, type InvoiceDocument } from './mappers/invoice.mapper';
import { SEARCHED_PARTNER_FIELDS, partnerMapper, searchedContactOf, searchedPartnerOf, type PartnerDocument } from './mappers/partner.mapper';
import { INVOICE_FORMATS, storedFormatOf } from './mappers/stored-format';
import { guarded } from './mongo-errors';
import { groupKey, mapPage, op, pageInIdOrder, sumBy, text, type GroupRow } from './query-support';
import type { Models } from './schemas';

function summaryOf(document: InvoiceDocument): InvoiceSummary {
  return summarize(Invoice.restore(invoiceMapper.toDomain(document)));
}

function byPartnerAndCurrency<T extends { readonly partnerId: string; readonly currency: string }>(left: T, right: T): number {
  return left.partnerId < right.partnerId ? -1 : left.partnerId > right.partnerId ? 1 : left.currency < right.currency ? -1 : left.currency > right.currency ? 1 : 0;
}

/** Sums (`null` past 64 bits) and counts per group, as two pipelines (one accumulator each), joined by group key. */
async function sumAndCount(models: Models, match: Record<string, unknown>, groupBy: Record<string, string>): Promise<{ row: GroupRow; sum: bigint | null; count: number }[]> {
  const fields = Object.keys(groupBy);
  const [sums, counts] = await Promise.all([sumBy(models.invoices, match, groupBy, 'derived.totalMinor'), sumBy(models.invoices, match, groupBy, 1)]);
  const countOf = new Map(counts.map((row) => [groupKey(row, fields), Number(row.value)]));
  return sums.map((row) => ({ row, sum: row.value, count: countOf.get(groupKey(row, fields)) ?? 0 }));
}

/**
 * The reports over MongoDB: filters and sorts run on indexes, sums on `$group` over the amounts in minor units that
 * each write stored in `derived`, exact in 64 bits; the reports' figures are built by `reportTotal`, which refuses a sum
 * beyond. Results equal the in-memory reference adapter's on the same data (checked by the contract suite and by a
 * 10,000-invoice comparison).
 */
export class MongoInvoiceQueries implements InvoiceQueries {
  constructor(private readonly models: Models) {}

  async list(tenantId: TenantId, filter: InvoiceFilter, page: PageRequest): Promise<Page<InvoiceSummary>> {
    const query: Record<string, unknown> = {};
    if (filter.status !== undefined) query['derived.status'] = op({ $in: [...filter.status] });
    if (filter.kind !== undefined) query['derived.kind'] = filter.kind;
    if (filter.partnerId !== undefined) query.partnerIds = filter.partnerId;
    // Past due as of a date: issued by then too (the earlier of that date and `issuedTo`).
    const issuedBy = [filter.issuedTo, filter.pastDueAsOf].filter((day): day is CalendarDate => day !== undefined).sort()[0];
    const issueDate = definedFields({ $gte: filter.issuedFrom, $lte: issuedBy });
    const dueDate = filter.pastDueAsOf !== undefined ? { $lt: filter.pastDueAsOf } : undefined;
    if (Object.keys(issueDate).length > 0) query['derived.issueDate'] = op(issueDate);
    if (dueDate) {
      query['derived.owing'] = true;
      query['derived.dueDate'] = op(dueDate);
    }
    return mapPage(await pageInIdOrder<InvoiceDocument>(this.models.invoices, tenantId, query, page, true), summaryOf);
  }

  async pastDue(tenantId: TenantId, request: PastDueRequest): Promise<Page<PastDueInvoice>> {
    const limit = pageLimit(request.limit);
    const descending = request.sort === 'due_date.desc';
    const conditions: Record<string, unknown>[] = [{ tenantId, 'derived.owing': true, 'derived.dueDate': op({ $lt: request.asOf }), 'derived.issueDate': op({ $lte: request.asOf }) }];
    if (request.partnerId !== undefined) conditions.push({ buyerId: request.partnerId });
    if (request.cursor) {
      const [dueDate, id] = decodeCursor(request.cursor, 2).map(String) as [string, string];
      const beyond = descending ? '$lt' : '$gt';
      conditions.push({ $or: [{ 'derived.dueDate': op({ [beyond]: dueDate }) }, { 'derived.dueDate': dueDate, _id: op({ [beyond]: documentId(tenantId, id) }) }] });
    }
    const direction = descending ? -1 : 1;
    const documents = await guarded(() =>
      this.models.invoices
        .find({ $and: conditions })
        .sort({ 'derived.dueDate': direction, _id: direction })
        .limit(limit + 1)
        .lean<InvoiceDocument[]>()
        .exec(),
    );
    const items = documents.slice(0, limit).map((document) => {
      const summary = summaryOf(document);
      const dueDate = summary.dueDate as CalendarDate;
      return { ...summary, dueDate, daysPastDue: daysPastDue(dueDate, request.asOf) };
    });
    const last = items[items.length - 1];
    return { items, nextCursor: documents.length > limit && last ? encodeCursor([last.dueDate, last.id]) : null };
  }

  async monthlySummary(tenantId: TenantId, request: { readonly month: YearMonth; readonly partnerId?: PartnerId }): Promise<MonthlySummary[]> {
    const match: Record<string, unknown> = { tenantId: text(tenantId), 'derived.issueMonth': text(request.month), 'derived.status': { $ne: 'void' } };
    if (request.partnerId !== undefined) match.partnerIds = text(request.partnerId);
    const groups = await sumAndCount(this.models, match, { currency: 'derived.currency', kind: 'derived.kind' });
    const currencies = [...new Set(groups.map(({ row }) => row._id.currency as CurrencyCode))].sort();
    return currencies.map((currency) => {
      const of = (kind: string) => groups.find(({ row }) => row._id.currency === currency && row._id.kind === kind);
      const invoices = of('invoice');
      const creditNotes = of('credit_note');
      const invoiceTotal = reportTotal(invoices === undefined ? 0n : invoices.sum, { currency, figure: 'invoiceTotal' });
      const creditNoteTotal = reportTotal(creditNotes === undefined ? 0n : creditNotes.sum, { currency, figure: 'creditNoteTotal' });
      return {
        currency,
        invoiceCount: invoices?.count ?? 0,
        invoiceTotal,
        creditNoteCount: creditNotes?.count ?? 0,
        creditNoteTotal,
        net: reportTotal(invoiceTotal.minor - creditNoteTotal.minor, { currency, figure: 'net' }),
      };
    });
  }

  async aging(tenantId: TenantId, request: { readonly asOf: CalendarDate; readonly partnerId?: PartnerId }): Promise<AgingRow[]> {
    // Invoices issued after the as-of date were not owed on it.
    const match: Record<string, unknown> = { tenantId: text(tenantId), 'derived.owing': true, 'derived.issueDate': { $lte: text(request.asOf) } };
    if (request.partnerId !== undefined) match.buyerId = text(request.partnerId);
    // Grouped by due date too, so that buckets are filled here without date arithmetic in the database.
    const groups = await sumBy(this.models.invoices, match, { partnerId: 'buyerId', currency: 'derived.currency', dueDate: 'derived.dueDate' }, 'derived.outstandingMinor');
    const rows = new Map<string, { partnerId: PartnerId; currency: CurrencyCode; sums: Record<AgingBucket, bigint | null> }>();
    for (const group of groups) {
      const partnerId = group._id.partnerId as PartnerId;
      const currency = group._id.currency as CurrencyCode;
      const key = `${partnerId}\u0000${currency}`;
      const row = rows.get(key) ?? { partnerId, currency, sums: Object.fromEntries(AGING_BUCKETS.map((bucket) => [bucket, 0n])) as Record<AgingBucket, bigint | null> };
      rows.set(key, row);
      const dueDate = group._id.dueDate as CalendarDate | null;
      const bucket = agingBucket(dueDate === null ? 0 : daysPastDue(dueDate, request.asOf));
      const sum = row.sums[bucket];
      row.sums[bucket] = sum === null || group.value === null ? null : sum + group.value;
    }
    // Sorted first, so that a refused sum names the same row as the in-memory adapter.
    return [...rows.values()].sort(byPartnerAndCurrency).map((row) => agingRow(row.partnerId, row.currency, row.sums));
  }

  async totalsPerPartner(tenantId: TenantId, request: { readonly months: number; readonly asOf: CalendarDate }): Promise<PartnerTotals[]> {
    // The window starts in 0100-01 at the earliest, the first month a date can have (audit dates F4).
    const [year, month] = request.asOf.split('-').map(Number) as [number, number];
    const from = `${addYearMonths(yearMonthOf(request.asOf), -Math.min(request.months - 1, (year - 100) * 12 + month - 1))}-01`;
    const match = {
      tenantId: text(tenantId),
      'derived.kind': 'invoice',
      'derived.issueDate': { $gte: from, $lte: text(request.asOf) },
      'derived.status': { $nin: ['draft', 'void'] },
    };
    const groups = await sumAndCount(this.models, match, { partnerId: 'buyerId', currency: 'derived.currency' });
    return groups
      .map(({ row, sum, count }) => ({ partnerId: row._id.partnerId as PartnerId, currency: row._id.currency as CurrencyCode, invoiceCount: count, sum }))
      .sort(byPartnerAndCurrency)
      .map(({ sum, ...row }) => ({ ...row, total: reportTotal(sum, { currency: row.currency, partnerId: row.partnerId, figure: 'total' }) }));
  }

  async contactsLastSeen(tenantId: TenantId, partnerId: PartnerId): Promise<ContactLastSeen[] | undefined> {
    const partner = await guarded(() => this.models.partners.findOne({ _id: documentId(tenantId, partnerId) }).lean<PartnerDocument>().exec());
    if (!partner) return undefined;
    const { contacts } = partnerMapper.toDomain(partner);
    const newest = async (side: 'buyer' | 'seller', contactId: string) => {
      const found = await guarded(() =>
        this.models.invoices
          .findOne(
            {
              tenantId,
              partnerIds: partnerId,
              ...(side === 'buyer' ? { buyerId: partnerId } : { 'derived.sellerId': partnerId }),
              [`derived.${side}ContactId`]: contactId,
              'derived.issueKey': op({ $ne: null }),
            },
            { _v: 1, id: 1, 'derived.issueDate': 1, 'derived.issueKey': 1 },
          )
          .sort({ 'derived.issueKey': -1 })
          .lean<{ _id: string; _v?: number; id: InvoiceId; derived: { issueDate: CalendarDate; issueKey: string } }>()
          .exec(),
      );
      if (found) storedFormatOf(found, `invoices ${found._id}`, INVOICE_FORMATS);
      return found;
    };
    return Promise.all(
      contacts.map(async (contact) => {
        const [asBuyer, asSeller] = await Promise.all([newest('buyer', contact.id), newest('seller', contact.id)]);
        const last = [asBuyer, asSeller].filter((found) => found !== null).sort((left, right) => (left.derived.issueKey < right.derived.issueKey ? 1 : -1))[0];
        return { contact, lastInvoiceDate: last?.derived.issueDate ?? null, lastInvoiceId: last?.id ?? null };
      }),
    );
  }

  async balances(tenantId: TenantId, partnerId: PartnerId): Promise<AccountBalance[]> {
    const [owed, credit] = await Promise.all([
      sumBy(this.models.invoices, { tenantId: text(tenantId), buyerId: text(partnerId), 'derived.owing': true }, { currency: 'derived.currency' }, 'derived.outstandingMinor'),
      sumBy(this.models.payments, { tenantId: text(tenantId), partnerId: text(partnerId) }, { currency: 'derived.currency' }, 'derived.unappliedMinor'),
    ]);
    const amounts = (rows: GroupRow[]) => new Map(rows.map((row) => [row._id.currency as CurrencyCode, row.value]));
    const outstanding = amounts(owed);
    const unapplied = amounts(credit);
    return [...new Set([...outstanding.keys(), ...unapplied.keys()])]
      .sort()
      // `null` (past 64 bits) is a sum, not an absent one.
      .map((currency) =>
        balanceRow(partnerId, currency, outstanding.has(currency) ? (outstanding.get(currency) as bigint | null) : 0n, unapplied.has(currency) ? (unapplied.get(currency) as bigint | null) : 0n),
      )
      .filter((row) => row.outstanding.minor !== 0n || row.unappliedCredit.minor !== 0n);
  }
}

/**
 * How many partners' documents a contact search reads at once: at most 10,000 contacts (50 at the cap of 200), scored
 * while the driver holds no more than that in memory.
 */
const SEARCH_BATCH = 50;

/**
 * Partner lists and contact search. The search scores with the domain's `rankContacts` (prefix, substring and typo
 * matches, which no portable index serves) over the tenant's partners, read in batches with only their state, of which
 * it decodes the name and contacts alone; it lets the event loop turn as it scores (ADR 0007, audit dos DOS-4).
 */
export class MongoPartnerQueries implements PartnerQueries {
  constructor(private readonly models: Models) {}

  async list(tenantId: TenantId, filter: PartnerFilter, page: PageRequest): Promise<Page<PartnerState>> {
    const query = filter.status === undefined ? {} : { 'derived.status': filter.status };
    return mapPage(await pageInIdOrder<PartnerDocument>(this.models.partners, tenantId, query, page), (document) => partnerMapper.toDomain(document));
  }

  async searchContacts(tenantId: TenantId, normalizedQuery: string, limit: number): Promise<ContactMatch[]> {
    const documents = this.models.partners.find({ tenantId }, SEARCHED_PARTNER_FIELDS).lean<PartnerDocument[]>().cursor({ batchSize: SEARCH_BATCH });
    async function* searched(): AsyncIterable<SearchedPartner> {
      try {
        for await (const document of documents) yield searchedPartnerOf(document as PartnerDocument);
      } finally {
        // mongoose's cursor does not close itself when a loop over it stops early (a document it cannot read).
        await documents.close();
      }
    }
    const matches = await guarded(() => rankContacts(searched(), normalizedQuery, limit));
    return matches.map((match) => ({ ...match, contact: searchedContactOf(match.contact) }));
  }
}
