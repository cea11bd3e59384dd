import { decodeCursor, encodeCursor, pageLimit, type Page, type PageRequest, type TenantId } from '@invoicing/core';
import mongoose, { type Model } from 'mongoose';
import { documentId } from './mappers/aggregate-document';
import { guarded } from './mongo-errors';

/**
 * Marks operators we wrote ourselves, so that `sanitizeFilter` lets them through; any operator that arrives inside
 * a caller's value is still neutralised (wrapped in `$eq`).
 */
export function op<T extends object>(operators: T): T {
  return mongoose.trusted(operators) as T;
}

/**
 * Aggregation pipelines are not sanitised by mongoose: every caller-provided value that goes into a `$match`
 * passes through here, so an object (`{ $ne: null }`) can never become an operator.
 */
export function text(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`expected a string, got ${typeof value}`);
  return value;
}

/**
 * One page of a tenant's documents in id order (ascending, or descending when `newestFirst`), with the same cursor
 * as the in-memory adapters: the id of the page's last item.
 */
export async function pageInIdOrder<D extends { readonly id: string }>(
  model: Model<Record<string, unknown>>,
  tenantId: TenantId,
  filter: Record<string, unknown>,
  page: PageRequest,
  newestFirst = false,
): Promise<Page<D>> {
  const limit = pageLimit(page.limit);
  const after = page.cursor ? String(decodeCursor(page.cursor, 1)[0]) : undefined;
  const query = { ...filter, tenantId, ...(after !== undefined ? { _id: op(newestFirst ? { $lt: documentId(tenantId, after) } : { $gt: documentId(tenantId, after) }) } : {}) };
  const documents = await guarded(() =>
    model
      .find(query)
      .sort({ _id: newestFirst ? -1 : 1 })
      .limit(limit + 1)
      .lean<D[]>()
      .exec(),
  );
  const items = documents.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: documents.length > limit && last ? encodeCursor([last.id]) : null };
}

/** Maps a page's items, keeping its cursor. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

/** A `$group` result keyed by several fields. */
export interface GroupRow {
  readonly _id: Record<string, string | null>;
  /** The exact sum, or `null` when the database could not sum it in 64-bit integers. */
  readonly value: bigint | null;
}

/**
 * A `$sum` as the database answers it, its numbers not promoted: a 64-bit or 32-bit integer is exact; a double means
 * the sum left the 64-bit integers (FerretDB answers one for a sum past them, MongoDB from the first addition past
 * them on), so it is not a sum to report.
 */
function exactSum(value: unknown): bigint | null {
  const bson = (value as { _bsontype?: unknown } | null)?._bsontype;
  if (bson === 'Long' || bson === 'Int32') return BigInt(String(value));
  if (bson === 'Double') return null;
  throw new TypeError(`not a sum: ${String(value)}`);
}

/**
 * Sums one field (or counts, with `1`) per group. One accumulator per pipeline: FerretDB 1.x silently returns 0
 * for a second accumulator in the same `$group` (ADR 0002).
 */
export async function sumBy(
  model: Model<Record<string, unknown>>,
  match: Record<string, unknown>,
  groupBy: Record<string, string>,
  field: string | 1,
): Promise<GroupRow[]> {
  const key = Object.fromEntries(Object.entries(groupBy).map(([name, path]) => [name, `$${path}`]));
  // Numbers as BSON types (`Long`, `Int32`, `Double`), so that a double is told from an integer.
  const raw = { promoteValues: false, promoteLongs: false, useBigInt64: false };
  const rows = await guarded(() =>
    model.collection.aggregate<{ _id: GroupRow['_id']; value: unknown }>([{ $match: match }, { $group: { _id: key, value: { $sum: field === 1 ? 1 : `$${field}` } } }], raw).toArray(),
  );
  return rows.map((row) => ({ _id: row._id, value: exactSum(row.value) }));
}

/** The group key of a row, as one string. */
export function groupKey(row: GroupRow, fields: readonly string[]): string {
  return fields.map((field) => row._id[field] ?? '').join('\u0000');
}
