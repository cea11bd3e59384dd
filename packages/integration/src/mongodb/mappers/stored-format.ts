/**
 * The stored-format version every document carries in `_v` (not to be confused with an aggregate's `version`, its
 * optimistic-concurrency counter). Writers always write {@link STORED_FORMAT}; readers accept the formats they know
 * and refuse any other, so a document written by a newer release is never misread by an older one.
 * Documents stored before `_v` existed have no `_v` and are format 1.
 *
 * Format 2 adds the top-level query keys of invoices, payments, partnerships and marketables (ADR 0012); every other
 * document is the same in both. Format-1 documents are still read, and are rewritten to format 2 by
 * `upgradeStoredFormat` (run by `ensureIndexes`) because the queries look for the keys.
 */
export const STORED_FORMAT = 2;

/** The formats this release reads. */
const READABLE_FORMATS: readonly unknown[] = [1, 2];

/**
 * A document was written in a stored format this release does not know (a newer release wrote it, or it was edited by
 * hand). Reading it anyway could drop or misread fields, so it is refused; deploy the release that wrote it.
 */
export class UnsupportedStoredFormatError extends Error {
  override readonly name = 'UnsupportedStoredFormatError';
  readonly code = 'persistence.unsupported_format';

  constructor(
    /** What was read: a collection and the document's `_id`, or an outbox entry's id. */
    readonly source: string,
    readonly format: unknown,
  ) {
    super(`${source} is stored in format ${JSON.stringify(format)}; this release reads format ${READABLE_FORMATS.join(', ')} only`);
  }
}

/**
 * The stored format of a document read from the database: its `_v`, or 1 when absent.
 * @throws UnsupportedStoredFormatError for any other value
 */
export function storedFormatOf(document: { readonly _v?: unknown }, source: string): 1 | 2 {
  const format = document._v ?? 1;
  if (!READABLE_FORMATS.includes(format)) throw new UnsupportedStoredFormatError(source, format);
  return format as 1 | 2;
}
