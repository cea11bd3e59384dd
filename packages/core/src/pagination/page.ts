import { ValidationError } from '../errors/domain-error';
import { requiredObject } from '../objects/required-shape';

// Present in every JavaScript runtime this package targets (Node ≥ 16, browsers, Deno), but in no ES lib file.
declare function btoa(data: string): string;
declare function atob(data: string): string;

/** An opaque position in a list: pass back the `nextCursor` of one page to get the next. Never parse it. */
export type Cursor = string & { readonly __brand: 'Cursor' };

/** The largest page a caller may ask for. */
export const MAX_PAGE_LIMIT = 200;
/** The page size when the caller does not say. */
export const DEFAULT_PAGE_LIMIT = 50;

/** A request for one page of a list. */
export interface PageRequest {
  /** 1 to {@link MAX_PAGE_LIMIT}; {@link DEFAULT_PAGE_LIMIT} when absent. */
  readonly limit?: number;
  readonly cursor?: Cursor;
}

/** One page of a list, in a stable order. `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: Cursor | null;
}

/**
 * The page size to use for a request.
 * @throws ValidationError `pagination.invalid_limit`
 */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw ValidationError.of('limit', 'pagination.invalid_limit', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  }
  return limit;
}

/**
 * A caller's request for a page, checked before a list is read: an object, or absent for the first page of
 * {@link DEFAULT_PAGE_LIMIT}, with a limit {@link pageLimit} takes. The one check every list use case runs.
 * @throws ValidationError `request.is_object` at `page`; `pagination.invalid_limit` at `limit`
 */
export function pageRequest(page: PageRequest | undefined): PageRequest {
  const request = requiredObject(page ?? {}, 'page');
  pageLimit(request.limit);
  return request;
}

/** Wraps the sort key of the last item of a page into an opaque cursor. */
export function encodeCursor(position: readonly (string | number)[]): Cursor {
  return btoa(encodeURIComponent(JSON.stringify(position))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') as Cursor;
}

/**
 * Reads back a cursor made by {@link encodeCursor}.
 * @throws ValidationError `pagination.invalid_cursor` for anything else
 */
export function decodeCursor(cursor: Cursor | string, arity?: number): (string | number)[] {
  try {
    const position: unknown = JSON.parse(decodeURIComponent(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))));
    if (Array.isArray(position) && (arity === undefined || position.length === arity) && position.every((key) => typeof key === 'string' || typeof key === 'number')) {
      return position as (string | number)[];
    }
  } catch {
    // falls through to the typed error
  }
  throw ValidationError.of('cursor', 'pagination.invalid_cursor', 'the cursor is not one this list returned');
}

/**
 * Cuts the page out of `sorted` items that come after the cursor: `positionOf` gives each item's sort key,
 * unique and compared element by element in `sorted`'s order. Used by in-memory adapters and as the reference for others.
 */
export function pageOf<T>(
  sorted: readonly T[],
  request: PageRequest,
  positionOf: (item: T) => readonly (string | number)[],
  compare: (left: readonly (string | number)[], right: readonly (string | number)[]) => number,
): Page<T> {
  const limit = pageLimit(request.limit);
  let start = 0;
  if (request.cursor) {
    const after = decodeCursor(request.cursor);
    start = sorted.findIndex((item) => compare(positionOf(item), after) > 0);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  const hasMore = start + limit < sorted.length;
  return { items, nextCursor: hasMore && last !== undefined ? encodeCursor(positionOf(last)) : null };
}
