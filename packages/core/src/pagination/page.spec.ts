import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, decodeCursor, encodeCursor, pageLimit, pageOf, pageRequest, type Cursor, type Page } from './page';

const validationError = (code: string) => expect.objectContaining({ name: 'ValidationError', code });

type Key = readonly (string | number)[];
/** Element by element, as a composite index orders its fields. */
const compareKeys = (left: Key, right: Key): number => {
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const [a, b] = [left[index] as string | number, right[index] as string | number];
    if (a < b) return -1;
    if (a > b) return 1;
  }
  return left.length - right.length;
};

interface Row {
  readonly issuedOn: string;
  readonly id: string;
}
const keyOf = (row: Row): Key => [row.issuedOn, row.id];

/** Pages through `sorted` from the start, the way a client follows `nextCursor`. */
function walk<T>(sorted: readonly T[], limit: number | undefined, positionOf: (item: T) => Key): Page<T>[] {
  const pages: Page<T>[] = [];
  let cursor: Cursor | undefined;
  do {
    const page = pageOf(sorted, { limit, cursor }, positionOf, compareKeys);
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
    if (pages.length > sorted.length + 1) throw new Error('paging does not terminate');
  } while (cursor);
  return pages;
}

/** base64url of any text, to forge cursors. */
const forge = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('pageLimit', () => {
  it('is 50 when the caller gives none', () => {
    expect(pageLimit(undefined)).toBe(50);
    expect(DEFAULT_PAGE_LIMIT).toBe(50);
  });

  it.each([1, 2, 50, 199, 200])('accepts %i', (limit) => {
    expect(pageLimit(limit)).toBe(limit);
    expect(MAX_PAGE_LIMIT).toBe(200);
  });

  it.each([0, 201, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e9])('throws pagination.invalid_limit for %p', (limit) => {
    expect(() => pageLimit(limit)).toThrow(validationError('pagination.invalid_limit'));
    expect(() => pageLimit(limit)).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'limit' })] }));
  });
});

describe('pageRequest', () => {
  it('is the request given, or the first page when none is', () => {
    const given = { limit: 10, cursor: encodeCursor(['a']) };

    expect(pageRequest(given)).toBe(given);
    expect(pageRequest(undefined)).toEqual({});
  });

  it.each(['x', 5, [], true])('throws request.is_object at page for %p', (page) => {
    expect(() => pageRequest(page as never)).toThrow(validationError('request.is_object'));
    expect(() => pageRequest(page as never)).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'page' })] }));
  });

  it.each([0.5, 0, -1, Number.NaN, 201])('throws pagination.invalid_limit for the limit %p', (limit) => {
    expect(() => pageRequest({ limit })).toThrow(validationError('pagination.invalid_limit'));
  });
});

describe('encodeCursor', () => {
  it('makes a URL-safe token without padding', () => {
    const cursor = encodeCursor(['2026-01-15', 'inv-000001', 'ü?&/+=', 12]);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('makes URL-safe tokens for any key', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.integer())), (position) => {
        expect(encodeCursor(position)).toMatch(/^[A-Za-z0-9_-]*$/);
      }),
    );
  });
});

describe('decodeCursor', () => {
  it.each([
    [['2026-01-15', 'inv-000001']],
    [[42, -7, 0, 1.5]],
    [['Zoë', '日本語', '🎉 emoji', 'é (e + combining accent)']],
    [['quotes " and \\ backslash', '%41 not decoded twice', '+/=']],
    [[]],
  ])('reads back the position %j', (position) => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('reads back any position of strings, including lone surrogates, and finite numbers', () => {
    const key = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 5 }), (position) => {
        expect(decodeCursor(encodeCursor(position))).toEqual(position);
      }),
    );
  });

  it('checks the number of keys when an arity is given', () => {
    const cursor = encodeCursor(['2026-01-15', 'inv-1']);

    expect(decodeCursor(cursor, 2)).toEqual(['2026-01-15', 'inv-1']);
    expect(() => decodeCursor(cursor, 1)).toThrow(validationError('pagination.invalid_cursor'));
    expect(() => decodeCursor(cursor, 3)).toThrow(validationError('pagination.invalid_cursor'));
  });

  it.each([
    ['an empty string', ''],
    ['text that is not base64', 'not a cursor!'],
    ['base64 of text that is not JSON', forge('hello')],
    ['base64 of badly escaped text', forge('%E0%A4%A')],
    ['a JSON object', forge(encodeURIComponent('{"id":1}'))],
    ['a JSON string', forge(encodeURIComponent('"inv-1"'))],
    ['an array holding null', forge(encodeURIComponent('[null]'))],
    ['an array holding a boolean', forge(encodeURIComponent('["a",true]'))],
    ['a nested array', forge(encodeURIComponent('[["a"]]'))],
  ])('throws pagination.invalid_cursor for %s', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(validationError('pagination.invalid_cursor'));
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'cursor' })] }));
  });

  it('throws pagination.invalid_cursor for a value that is not a string', () => {
    expect(() => decodeCursor(42 as never)).toThrow(validationError('pagination.invalid_cursor'));
    expect(() => decodeCursor(undefined as never)).toThrow(validationError('pagination.invalid_cursor'));
  });
});

describe('pageOf', () => {
  const rows: Row[] = [
    { issuedOn: '2026-01-01', id: 'a' },
    { issuedOn: '2026-01-01', id: 'b' },
    { issuedOn: '2026-01-02', id: 'a' },
    { issuedOn: '2026-01-03', id: 'c' },
    { issuedOn: '2026-01-03', id: 'd' },
  ];

  it('returns the first items and a cursor when there are more', () => {
    const page = pageOf(rows, { limit: 2 }, keyOf, compareKeys);

    expect(page.items).toEqual(rows.slice(0, 2));
    expect(page.nextCursor).not.toBeNull();
    expect(decodeCursor(page.nextCursor as Cursor)).toEqual(['2026-01-01', 'b']);
  });

  it('continues right after the item the cursor names, with a composite key', () => {
    const first = pageOf(rows, { limit: 2 }, keyOf, compareKeys);
    const second = pageOf(rows, { limit: 2, cursor: first.nextCursor as Cursor }, keyOf, compareKeys);
    const third = pageOf(rows, { limit: 2, cursor: second.nextCursor as Cursor }, keyOf, compareKeys);

    expect(second.items).toEqual(rows.slice(2, 4));
    expect(third.items).toEqual(rows.slice(4));
    expect(third.nextCursor).toBeNull();
  });

  it('gives a null cursor on the last page when the items fill it exactly', () => {
    const pages = walk(rows.slice(0, 4), 2, keyOf);

    expect(pages.map((page) => page.items.length)).toEqual([2, 2]);
    expect(pages[1]?.nextCursor).toBeNull();
  });

  it('uses the default limit of 50 when none is given', () => {
    const numbers = Array.from({ length: 120 }, (_, index) => index);
    const pages = walk(numbers, undefined, (value) => [value]);

    expect(pages.map((page) => page.items.length)).toEqual([50, 50, 20]);
  });

  it('returns an empty last page for an empty list', () => {
    expect(pageOf([], {}, keyOf, compareKeys)).toEqual({ items: [], nextCursor: null });
  });

  it('returns an empty last page when the cursor is past the last item', () => {
    const cursor = encodeCursor(['2099-01-01', 'z']);

    expect(pageOf(rows, { cursor }, keyOf, compareKeys)).toEqual({ items: [], nextCursor: null });
  });

  it('resumes after the cursor position even when that item has been deleted meanwhile', () => {
    const first = pageOf(rows, { limit: 2 }, keyOf, compareKeys);
    const remaining = rows.filter((row) => row.id !== 'b');

    expect(pageOf(remaining, { limit: 2, cursor: first.nextCursor as Cursor }, keyOf, compareKeys).items).toEqual(rows.slice(2, 4));
  });

  it('throws pagination.invalid_limit and pagination.invalid_cursor for bad requests', () => {
    expect(() => pageOf(rows, { limit: 0 }, keyOf, compareKeys)).toThrow(validationError('pagination.invalid_limit'));
    expect(() => pageOf(rows, { cursor: 'garbage!' as Cursor }, keyOf, compareKeys)).toThrow(validationError('pagination.invalid_cursor'));
  });

  it('walks any sorted list page by page without gaps or repeats', () => {
    const list = fc
      .uniqueArray(fc.record({ issuedOn: fc.constantFrom('2026-01-01', '2026-01-02', '2026-02-29'), id: fc.string({ unit: 'binary', maxLength: 4 }) }), {
        selector: (row) => JSON.stringify(keyOf(row)),
        maxLength: 80,
      })
      .map((items) => [...items].sort((left, right) => compareKeys(keyOf(left), keyOf(right))));

    fc.assert(
      fc.property(list, fc.integer({ min: 1, max: 30 }), (sorted, limit) => {
        const pages = walk(sorted, limit, keyOf);

        expect(pages.flatMap((page) => page.items)).toEqual(sorted);
        pages.forEach((page, index) => {
          const last = index === pages.length - 1;
          expect(page.nextCursor === null).toBe(last);
          if (!last) expect(page.items).toHaveLength(limit);
          else expect(page.items.length).toBeLessThanOrEqual(limit);
        });
        expect(pages).toHaveLength(Math.max(1, Math.ceil(sorted.length / limit)));
      }),
    );
  });
});
