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
  readonly value: unknown;
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
  return guarded(() =>
    model.aggregate<GroupRow>([{ $match: match }, { $group: { _id: key, value: { $sum: field === 1 ? 1 : `$${field}` } } }]).exec(),
  );
}

/** The group key of a row, as one string. */
export function groupKey(row: GroupRow, fields: readonly string[]): string {
  return fields.map((field) => row._id[field] ?? '').join('\u0000');
}
