import {
  aggregate,
  sameUsage,
  type AppendOutcome,
  type BillableMetric,
  type EventPropertyValue,
  type InstantRange,
  type MeasuredUsage,
  type MeteredEvent,
  type ReceiptWindow,
  type RecordedUsageEvent,
  type UsageEventStore,
} from '@invoicing/billing';
import { Decimal, type TenantId } from '@invoicing/core';
import type { PartnershipId } from '@invoicing/invoice';
import { MongoBulkWriteError } from 'mongodb';
import type { Model } from 'mongoose';
import { documentId } from '../mappers/aggregate-document';
import { toBigInt } from '../mappers/value.mapper';
import { guarded } from '../mongo-errors';
import { op, text } from '../query-support';
import { monthsBetween, propertyField, receiptMonthKey, usageEventToDomain, usageEventToPersistence, usageMonthKey, type UsageEventDocument } from './usage-event.mapper';

type Measured = MeasuredUsage & { readonly events: number };

/** Events handed to `aggregate()` at a time when a sum or a maximum is folded in Node. */
const CHUNK = 1000;

/** A counted event as read for its figure: its id, its instant when asked, and the one property measured. */
interface CountedRow {
  readonly eventId: string;
  readonly timestamp?: Date;
  readonly properties?: Readonly<Record<string, EventPropertyValue>>;
}

/**
 * Usage events on MongoDB (or FerretDB 1.x). An event is one insert against the unique (tenant, event id), so a resend
 * is never stored twice however many batches carry it at once; `measure` runs in the database what it can.
 *
 * What runs where, on the portable subset (ADR 0002): the events counted are chosen by the database (tenant,
 * partnership, metric, range, filters), month by month: each event carries the key of its partnership's metric and
 * month, an equality FerretDB hands to PostgreSQL, so a period reads its months' events, not the whole history; `count` is counted there, and `unique_count` grouped there by the property's
 * value. FerretDB 1.24 has no Decimal128 and properties are decimal strings, so no server can add or compare them
 * exactly: `sum` and `max` read only the measured property of each counted event, with a cursor, and fold it with
 * `Decimal` through `aggregate()` itself, a thousand events at a time; `latest` lets the database sort and reads one
 * event. Whatever Node computes is computed by the domain's `aggregate()`, so figures and errors are its own.
 */
export class MongoUsageEventStore implements UsageEventStore {
  constructor(private readonly model: Model<Record<string, unknown>>) {}

  async append(events: readonly RecordedUsageEvent[]): Promise<readonly AppendOutcome[]> {
    if (events.length === 0) return [];
    const documents = events.map(usageEventToPersistence);
    const taken = new Set<number>();
    try {
      // One round trip for the batch; unordered, so a taken id does not stop the events after it.
      await guarded(() => this.model.collection.insertMany(documents as never[], { ordered: false }));
    } catch (error) {
      const refused = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
      // Anything but taken ids (a batch refused whole, a lost connection) is for the caller to retry: appending again
      // stores nothing twice.
      if (refused.length === 0 || refused.some((each) => each.code !== 11000)) throw error;
      for (const each of refused) taken.add(each.index);
    }
    const holders = await this.holders([...taken].map((index) => (documents[index] as UsageEventDocument)._id));
    return events.map((event, index) => {
      if (!taken.has(index)) return 'stored';
      const holder = holders.get((documents[index] as UsageEventDocument)._id) as RecordedUsageEvent;
      return sameUsage(holder, event) ? 'duplicate' : 'id_taken';
    });
  }

  async find(tenantId: TenantId, eventIds: readonly string[]): Promise<ReadonlyMap<string, RecordedUsageEvent>> {
    const found = await Promise.all(
      [...new Set(eventIds)].map(async (eventId) => {
        const document = (await guarded(() => this.model.collection.findOne({ _id: documentId(tenantId, eventId) } as never))) as UsageEventDocument | null;
        return document === null ? [] : [[eventId, usageEventToDomain(document)] as const];
      }),
    );
    return new Map(found.flat());
  }

  async measure(tenantId: TenantId, partnershipId: PartnershipId, metric: BillableMetric, range: InstantRange, options: { readonly eventAmounts?: boolean } = {}): Promise<Measured> {
    const months = countedEvents(tenantId, partnershipId, metric, range);
    switch (metric.aggregation) {
      case 'count': {
        let events = 0;
        for (const counted of months) events += await guarded(() => this.model.countDocuments(counted).exec());
        return { units: new Decimal(events), events };
      }
      case 'unique_count':
        return this.uniqueCount(months, metric);
      case 'latest':
        return this.latest(months, metric);
      case 'sum':
      case 'max':
        return this.fold(months, metric, options.eventAmounts === true);
    }
  }

  async lateUsage(tenantId: TenantId, partnershipId: PartnershipId, received: ReceiptWindow, occurredBefore: Date): Promise<ReadonlyMap<string, Date>> {
    // Late events are few (received since the last bill, dated before it): read, month of receipt by month, and the
    // earliest kept per metric here, since FerretDB 1.x has no `$min` accumulator.
    const earliest = new Map<string, Date>();
    for (const month of monthsBetween(received.after, received.upTo)) {
      const late = this.model
        .find(
          { tenantId: text(tenantId), receiptMonth: receiptMonthKey(text(partnershipId), month), receivedAt: op({ $gt: received.after, $lte: received.upTo }), timestamp: op({ $lt: occurredBefore }) },
          { _id: 0, metricCode: 1, timestamp: 1 },
        )
        .lean<{ metricCode: string; timestamp: Date }>()
        .cursor();
      await guarded(async () => {
        for await (const event of late) {
          const known = earliest.get(event.metricCode);
          if (known === undefined || event.timestamp < known) earliest.set(event.metricCode, event.timestamp);
        }
      });
    }
    return earliest;
  }

  /** The stored events under these `_id`s: one read by `_id` each, sent together (FerretDB scans for `$in`, ADR 0017). */
  private async holders(ids: readonly string[]): Promise<Map<string, RecordedUsageEvent>> {
    const found = await Promise.all(
      [...new Set(ids)].map(async (id) => {
        const document = (await guarded(() => this.model.collection.findOne({ _id: id } as never))) as UsageEventDocument | null;
        // Events are never deleted: the one that holds the id is there.
        if (!document) throw new Error(`usage_events ${id} was refused as a duplicate but is not stored`);
        return [id, usageEventToDomain(document)] as const;
      }),
    );
    return new Map(found);
  }

  /**
   * How many distinct values the property takes, as `String()` tells them (so `true` and `"true"` are one): the
   * database groups each month's counted events by value and counts each group's events; Node gets one row per value
   * and month. An event without the property makes a `null` group, and `aggregate()` then says which event it is.
   */
  private async uniqueCount(months: readonly Record<string, unknown>[], metric: BillableMetric): Promise<Measured> {
    const field = `properties.${propertyField(text(metric.property))}`;
    const values = new Set<string>();
    let events = 0;
    for (const counted of months) {
      const groups = await guarded(() =>
        this.model.collection.aggregate<{ _id: unknown; events: unknown }>([{ $match: counted }, { $group: { _id: `$${field}`, events: { $sum: 1 } } }]).toArray(),
      );
      if (groups.some((group) => group._id === null || group._id === undefined)) return this.inNode(months, metric);
      for (const group of groups) values.add(String(group._id));
      events += groups.reduce((sum, group) => sum + Number(toBigInt(group.events)), 0);
    }
    return { units: new Decimal(values.size), events };
  }

  /** The last counted event of each month (by timestamp, then event id) is sorted out by the database; the last of those read here. */
  private async latest(months: readonly Record<string, unknown>[], metric: BillableMetric): Promise<Measured> {
    const field = `properties.${propertyField(text(metric.property))}`;
    let events = 0;
    const lasts: CountedRow[] = [];
    for (const counted of months) {
      const [count, last] = await Promise.all([
        guarded(() => this.model.countDocuments(counted).exec()),
        guarded(() => this.model.find(counted, { _id: 0, eventId: 1, timestamp: 1, [field]: 1 }).sort({ timestamp: -1, eventId: -1 }).limit(1).lean<CountedRow[]>().exec()),
      ]);
      events += count;
      lasts.push(...last);
    }
    return { units: aggregate(measuredOnly(metric), lasts.map((row) => metered(row, metric))).units, events };
  }

  /** A sum or a maximum, folded in Node from the property alone, a chunk of events at a time. */
  private async fold(months: readonly Record<string, unknown>[], metric: BillableMetric, eventAmounts: boolean): Promise<Measured> {
    const field = `properties.${propertyField(text(metric.property))}`;
    let units = new Decimal(0);
    let events = 0;
    const amounts: Decimal[] = [];
    const add = (chunk: readonly MeteredEvent[]): void => {
      const part = aggregate(measuredOnly(metric), chunk);
      // The maximum of the chunks' maxima (each at least 0, as aggregate() starts from 0) is the maximum of all.
      units = metric.aggregation === 'max' ? Decimal.max(units, part.units) : units.plus(part.units);
      if (eventAmounts && part.eventAmounts) amounts.push(...part.eventAmounts);
      events += chunk.length;
    };
    for (const counted of months) {
      const rows = this.model.find(counted, { _id: 0, eventId: 1, [field]: 1 }).lean<CountedRow>().cursor({ batchSize: CHUNK });
      await guarded(async () => {
        let chunk: MeteredEvent[] = [];
        for await (const row of rows) {
          chunk.push(metered(row, metric));
          if (chunk.length === CHUNK) {
            add(chunk);
            chunk = [];
          }
        }
        add(chunk);
      });
    }
    return { units, events, ...(eventAmounts && metric.aggregation === 'sum' ? { eventAmounts: amounts } : {}) };
  }

  /** Every counted event's property, measured by `aggregate()` at once: what tells which event lacks it. */
  private async inNode(months: readonly Record<string, unknown>[], metric: BillableMetric): Promise<Measured> {
    const field = `properties.${propertyField(text(metric.property))}`;
    const rows: CountedRow[] = [];
    for (const counted of months) rows.push(...(await guarded(() => this.model.find(counted, { _id: 0, eventId: 1, [field]: 1 }).lean<CountedRow[]>().exec())));
    return aggregate(measuredOnly(metric), rows.map((row) => metered(row, metric)));
  }
}

/**
 * The filters of the events a metric counts, one per month the range touches: the partnership's events of the metric
 * in [from, to), by the month's key (an equality FerretDB hands to PostgreSQL and its index) and the range within it,
 * whose properties hold one of the values each of the metric's filters allows. `aggregate()` compares values as
 * `String()` makes them, so a filter's "true" and "false" also allow the booleans.
 */
function countedEvents(tenantId: TenantId, partnershipId: PartnershipId, metric: BillableMetric, range: InstantRange): Record<string, unknown>[] {
  if (range.to.getTime() <= range.from.getTime()) return [];
  const filters = Object.entries(metric.filters ?? {}).map(([name, allowed]) => ({
    [`properties.${propertyField(name)}`]: op({ $in: allowed.flatMap((value) => [text(value), ...(value === 'true' ? [true] : value === 'false' ? [false] : [])]) }),
  }));
  return monthsBetween(range.from, new Date(range.to.getTime() - 1)).map((month) => ({
    tenantId: text(tenantId),
    usageMonth: usageMonthKey(text(partnershipId), text(metric.code), month),
    timestamp: op({ $gte: range.from, $lt: range.to }),
    ...(filters.length > 0 ? { $and: filters } : {}),
  }));
}

/** The metric without its filters: the database already applied them, and the rows read hold the measured property only. */
function measuredOnly(metric: BillableMetric): BillableMetric {
  return { code: metric.code, aggregation: metric.aggregation, ...(metric.property === undefined ? {} : { property: metric.property }) };
}

function metered(row: CountedRow, metric: BillableMetric): MeteredEvent {
  const field = propertyField(metric.property as string);
  // Own members only: a row without a property named `toString` must not read the built-in one.
  const value = row.properties !== undefined && Object.prototype.hasOwnProperty.call(row.properties, field) ? row.properties[field] : undefined;
  return { eventId: row.eventId, timestamp: row.timestamp ?? new Date(0), properties: value === undefined ? {} : { [metric.property as string]: value } };
}
