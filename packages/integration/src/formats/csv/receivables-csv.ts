import { ValidationError } from '@invoicing/core';
import { parseReceivable, type ImportOutcome, type ImportProblem, type ImportResult, type Receivable, type ReceivableField, type ReceivableInput, type ReceivablesImport } from '@invoicing/invoice';
import { CsvError as ParserError, parse as parseRecord } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { TextDecoder } from 'node:util';
import { CsvDecoder, checkCsvEncoding } from './csv-decoder';
import { CsvError, MAX_HEADER_COLUMNS, ambiguousAmount, columnLayout, isoDate, plainDecimal, shortened, type ColumnLayout, type ReceivablesMapping } from './receivables-mapping';
import { fromSpreadsheetText, spreadsheetText, visibleControls } from './spreadsheet-text';

/** A data row of the file: its number as a spreadsheet shows it (the header is row 1) and its values by column. */
export interface CsvRow {
  readonly row: number;
  readonly values: readonly string[];
}

/** A problem of a row, with the column it is in when one is at fault. */
export interface RowProblem extends ImportProblem {
  readonly column?: string;
}

/** What became of one row of the file. */
export interface RowReport {
  readonly row: number;
  readonly invoiceNumber?: string;
  readonly outcome: ImportOutcome;
  readonly invoiceId?: string;
  readonly changes: readonly string[];
  readonly problems: readonly RowProblem[];
  /** The row's values as read, in the header's order: what an error report gives back to fix. */
  readonly values: readonly string[];
}

/** The counts of an import, as it goes and at the end. */
export interface ReceivablesImportReport {
  rowsRead: number;
  imported: number;
  updated: number;
  unchanged: number;
  refused: number;
  /** Columns of the file no field reads. */
  ignoredColumns: readonly string[];
  /** True when the import was asked to stop before the end of the file. */
  stopped: boolean;
}

/** Options of {@link importReceivablesCsv}. */
export interface CsvImportOptions {
  readonly mapping?: ReceivablesMapping;
  /** Rows per batch (invoices looked up at once); 500 by default. */
  readonly batchSize?: number;
  /** Called with every row's report, in file order: where error reports are written. */
  readonly onRow?: (report: RowReport) => void | Promise<void>;
  /** Called after each batch with the counts so far; awaited (where progress is written). */
  readonly onProgress?: (report: Readonly<ReceivablesImportReport>) => void | Promise<void>;
  /** Stops the import between two batches: what was imported stays, the report says `stopped`. */
  readonly signal?: AbortSignal;
}

/** The longest line or record read: a row is a few hundred bytes; anything this long is not a receivable. */
const MAX_RECORD_BYTES = 1 << 20;

/**
 * The most of a chunk cut into lines at once: a file handed over whole (the API's request body, up to 64 MiB) is read
 * in slices, so that a line past {@link MAX_RECORD_BYTES} is refused once that much of it is read, not after all of it.
 */
const SLICE = 1 << 16;

/** The longest problem message kept of a row: a message may quote a value, and a value may be 1 MiB long. */
const MAX_MESSAGE_LENGTH = 1_000;

/** The delimiter a header line uses: the most frequent of `,`, `;` and tab outside quotes (`,` when none). */
export function detectDelimiter(headerLine: string): ',' | ';' | '\t' {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  const counts = ([',', ';', '\t'] as const).map((delimiter) => [delimiter, unquoted.split(delimiter).length - 1] as const);
  const [best] = [...counts].sort((left, right) => right[1] - left[1]);
  return best && best[1] > 0 ? best[0] : ',';
}

/** A line of the file as written, and the line break that ends it (empty for the last one). */
interface Line {
  readonly text: string;
  readonly end: string;
}

/**
 * The file's lines, streaming, a slice at a time: UTF-8, or UTF-16 with its byte-order mark (a character split across
 * chunks is joined), without a byte-order mark. Lines end at `\n` or `\r\n`, or at `\r` in a file whose first line
 * ends with a lone `\r` (older Mac exports). A chunk, however large, is cut in slices of {@link SLICE}: every line is
 * measured wherever it ends, and the event loop is given back after each slice (a file handed over whole would
 * otherwise be read to its end in promise callbacks, holding every other request).
 * @throws CsvError `csv.malformed` for a line longer than {@link MAX_RECORD_BYTES} (its line break aside), once the lines
 * before it are given; `csv.not_utf8` ({@link CsvDecoder})
 */
async function* linesOf(source: AsyncIterable<Buffer | string>): AsyncGenerator<readonly Line[]> {
  const decoder = new CsvDecoder();
  // The line under way, in pieces: joined once, when its line break comes (a line may come in thousands of chunks).
  let parts: string[] = [];
  let size = 0;
  let lineBreak: '\n' | '\r' | undefined;
  // A chunk's last `\r` while the line break is not known yet: it may be the first half of `\r\n`.
  let carry = '';
  let started = false;
  // The line under way, counted as a text editor does.
  let line = 1;
  let unbroken = 0;
  /** The lines a chunk ends, and the line too long to read, if one is (the lines before it are given first). */
  function cut(chunk: string): { lines: Line[]; failure?: CsvError } {
    const lines: Line[] = [];
    let from = 0;
    for (;;) {
      if (lineBreak === undefined) {
        const at = chunk.slice(from).search(/[\r\n]/);
        if (at < 0) break;
        lineBreak = chunk[from + at] === '\r' && chunk[from + at + 1] !== '\n' ? '\r' : '\n';
      }
      const at = chunk.indexOf(lineBreak, from);
      if (at < 0) break;
      const text = parts.length === 0 ? chunk.slice(from, at) : parts.join('') + chunk.slice(from, at);
      parts = [];
      size = 0;
      const crlf = lineBreak === '\n' && text.endsWith('\r');
      const ended = crlf ? text.slice(0, -1) : text;
      if (ended.length > MAX_RECORD_BYTES) return { lines, failure: lineTooLong(line) };
      lines.push({ text: ended, end: crlf ? '\r\n' : lineBreak });
      line += 1;
      from = at + 1;
    }
    if (from < chunk.length) {
      parts.push(chunk.slice(from));
      size += chunk.length - from;
    }
    // The line does not end in this chunk: refused once it is longer than any line can be, with its `\r` of a `\r\n`.
    return size > MAX_RECORD_BYTES + 1 ? { lines, failure: lineTooLong(line) } : { lines };
  }
  for await (const piece of source) {
    for (let at = 0; at < piece.length; at += SLICE) {
      const slice = piece.length <= SLICE ? piece : typeof piece === 'string' ? piece.slice(at, at + SLICE) : piece.subarray(at, at + SLICE);
      let chunk = carry + (typeof slice === 'string' ? slice : decoder.write(slice));
      carry = '';
      if (!started && chunk !== '') {
        started = true;
        chunk = chunk.replace(/^\uFEFF/, '');
      }
      if (lineBreak === undefined && chunk.endsWith('\r')) {
        carry = '\r';
        chunk = chunk.slice(0, -1);
      }
      const { lines, failure } = cut(chunk);
      if (lines.length > 0) yield lines;
      if (failure) throw failure;
      unbroken += slice.length;
      if (unbroken >= SLICE) {
        unbroken = 0;
        await new Promise((resume) => setImmediate(resume));
      }
    }
  }
  const { lines, failure } = cut(carry + decoder.end());
  if (lines.length > 0) yield lines;
  if (failure) throw failure;
  const last = parts.join('');
  if (last.length > MAX_RECORD_BYTES) throw lineTooLong(line);
  if (last !== '') yield [{ text: last, end: '' }];
}

function lineTooLong(line: number): CsvError {
  return new CsvError('csv.malformed', `the file cannot be read as CSV: line ${line} is longer than ${MAX_RECORD_BYTES} characters, which no row is`, { line, maxLineLength: MAX_RECORD_BYTES });
}

/**
 * Checks a whole file at once for what reading it would refuse only when it comes to it, after the rows before are
 * imported: bytes that are not UTF-8 ({@link checkCsvEncoding}) and a line longer than 1 MiB ({@link readCsvRows}).
 * What the API checks before it answers. Jumps from line to line a MiB at a time: a few milliseconds for 64 MiB.
 * @throws CsvError `csv.not_utf8` | `csv.malformed`, with the `line`
 */
export function checkCsvFile(bytes: Uint8Array): void {
  checkCsvEncoding(bytes);
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf16 = buffer[0] === 0xff && buffer[1] === 0xfe ? 'utf-16le' : buffer[0] === 0xfe && buffer[1] === 0xff ? 'utf-16be' : undefined;
  // UTF-8 is read as bytes: a line of n bytes holds at most n characters, so only a longer one is decoded to measure.
  const text: Buffer | string = utf16 ? new TextDecoder(utf16).decode(buffer) : buffer;
  const code = (at: number) => (typeof text === 'string' ? text.charCodeAt(at) : text[at]);
  const find = (char: '\r' | '\n', from: number) => (typeof text === 'string' ? text.indexOf(char, from) : text.indexOf(char.charCodeAt(0), from));
  const cr = find('\r', 0);
  const lf = find('\n', 0);
  // As the reader decides it: a lone `\r` ending the first line makes `\r` the line break.
  const lineBreak = cr >= 0 && (lf < 0 || cr < lf) && code(cr + 1) !== 0x0a ? '\r' : '\n';
  const breakCode = lineBreak.charCodeAt(0);
  const last = (from: number) => (typeof text === 'string' ? text.lastIndexOf(lineBreak, from) : text.lastIndexOf(breakCode, from));
  const start = typeof text !== 'string' && text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf ? 3 : 0;
  for (let from = start; from + MAX_RECORD_BYTES < text.length; ) {
    const ends = last(from + MAX_RECORD_BYTES);
    if (ends >= from) {
      from = ends + 1;
      continue;
    }
    const at = find(lineBreak, from);
    const to = at < 0 ? text.length : at;
    const end = lineBreak === '\n' && code(to - 1) === 0x0d ? to - 1 : to;
    const length = typeof text === 'string' ? end - from : text.toString('utf8', from, end).length;
    if (length > MAX_RECORD_BYTES) {
      let line = 1;
      for (let seen = find(lineBreak, 0); seen >= 0 && seen < from; seen = find(lineBreak, seen + 1)) line += 1;
      throw lineTooLong(line);
    }
    if (at < 0) return;
    from = at + 1;
  }
}

/** The values of a record's text, or why it is not one well-formed CSV record. */
function recordOf(text: string, delimiter: string): { values: string[] } | { error: string } {
  // Without a quote a record is its values between delimiters, as csv-parse reads it, and many times faster.
  if (!text.includes('"')) return { values: text.split(delimiter) };
  try {
    const records = parseRecord(text, { delimiter, relax_column_count: true });
    return records.length === 1 ? { values: records[0] as string[] } : { error: 'the row holds several records' };
  } catch (error) {
    if (!(error instanceof ParserError)) throw error;
    if (error.code === 'INVALID_OPENING_QUOTE') return { error: 'a quote inside a value that does not start with one: put the whole value in quotes and double the quote ("12"" pipe")' };
    if (error.code === 'CSV_INVALID_CLOSING_QUOTE') return { error: 'a quoted value goes on after its closing quote: put the whole value in quotes and double the quotes inside it' };
    return { error: STRAY_QUOTE };
  }
}

const STRAY_QUOTE = 'a quote opens a value that does not close on this row (a stray quote?): the row is refused, and the rows after it are read on their own';

/** A line read alone, as an error report gives it back: its values when it has the header's count, else the line whole. */
function rawValues(text: string, delimiter: string, columns: number): string[] {
  const values = text.split(delimiter);
  return (values.length === columns ? values : [text]).map(fromSpreadsheetText);
}

/**
 * Reads a CSV file row by row, streaming: UTF-8 with or without BOM (or UTF-16 with its BOM), quoted fields (with line
 * breaks and doubled quotes), `,` `;` or tab. The header comes first, with the delimiter found. Rows are numbered as a spreadsheet shows them: the header is row 1,
 * a value with line breaks stays in its row, and an empty line (skipped) is a row too.
 *
 * A row the reader cannot read (a stray quote) is given with its error and its text, and reading goes on with the next
 * line: a quote that does not close on its row is not taken to run over the rows after it (they are read on their own),
 * unless those lines make one record with the header's number of values and none of its inner lines is a whole row
 * itself. A value whose `'` keeps a spreadsheet from running it (`'=A1`, as an error report writes it) is read without
 * that quote.
 * @throws CsvError `csv.empty` for a file without a header; `csv.malformed` for a header that cannot be read, holds a
 * control character, or a line longer than 1 MiB; `csv.too_many_columns` for a header of more than
 * {@link MAX_HEADER_COLUMNS} columns; `csv.not_utf8` for bytes that are not UTF-8 (nor UTF-16 with its BOM)
 */
export async function* readCsvRows(
  source: AsyncIterable<Buffer | string>,
  delimiter?: ',' | ';' | '\t',
): AsyncGenerator<{ header: readonly string[]; delimiter: ',' | ';' | '\t' } | CsvRow | { row: number; error: string; values: readonly string[] }> {
  const lines = linesOf(source);
  // Lines read ahead for a record that turned out broken: read again, one by one.
  const again: Line[] = [];
  // The lines of the slice read last: taken one by one without a promise each (a file may hold millions of lines).
  let buffered: readonly Line[] = [];
  let index = 0;
  const nextSlice = async (): Promise<Line | undefined> => {
    for (;;) {
      const slice = await lines.next();
      if (slice.done) return undefined;
      buffered = slice.value;
      index = 1;
      if (buffered.length > 0) return buffered[0];
    }
  };
  const next = (): Line | undefined | Promise<Line | undefined> => (again.length > 0 ? again.shift() : index < buffered.length ? buffered[index++] : nextSlice());
  const first = await next();
  if (first === undefined || first.text.trim() === '') throw new CsvError('csv.empty', 'the file is empty: a header line is expected first');
  again.unshift(first);
  const separator = delimiter ?? detectDelimiter(first.text);
  let header: readonly string[] | undefined;
  for (let row = 1; ; row += 1) {
    // As next(), without a promise for a line at hand: most lines of a long file are.
    const line = again.length > 0 ? again.shift() : index < buffered.length ? buffered[index++] : await nextSlice();
    if (line === undefined) return;
    if (line.text === '') continue;
    // A line with an odd number of quotes leaves a quoted value open: the record goes on over the next lines.
    const group = [line];
    let open = quotes(line.text) % 2 === 1;
    for (let size = line.text.length; open && size <= MAX_RECORD_BYTES; ) {
      const following = await next();
      if (following === undefined) break;
      group.push(following);
      size += following.text.length;
      if (quotes(following.text) % 2 === 1) open = false;
    }
    const read = recordOf(group.map((each, index) => (index + 1 < group.length ? each.text + each.end : each.text)).join(''), separator);
    if (header === undefined) {
      if ('error' in read) throw new CsvError('csv.malformed', `the file cannot be read as CSV: its header line cannot be read (${read.error})`);
      if (read.values.length > MAX_HEADER_COLUMNS) {
        throw new CsvError('csv.too_many_columns', `the header has ${read.values.length} columns, more than the ${MAX_HEADER_COLUMNS} a file may have: is its first line the header?`, {
          columns: read.values.length,
          maxColumns: MAX_HEADER_COLUMNS,
        });
      }
      header = read.values.map((name) => fromSpreadsheetText(name).trim());
      // Kept with the import as the error report's columns: no column name a database (U+0000) or a reader trips on.
      const column = header.findIndex((name) => visibleControls(name) !== name);
      if (column >= 0) {
        const name = header[column] as string;
        const control = [...name].find((char) => visibleControls(char) !== char) as string;
        const code = `U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
        throw new CsvError('csv.malformed', `the file cannot be read as CSV: its header holds a control character (${code}) in column ${column + 1}, "${shortened(visibleControls(name))}": is it a text file?`, {
          column: column + 1,
        });
      }
      yield { header, delimiter: separator };
      continue;
    }
    if (group.length === 1) {
      yield 'error' in read ? { row, error: read.error, values: rawValues(line.text, separator, header.length) } : { row, values: read.values.map(fromSpreadsheetText) };
      continue;
    }
    const columns = header.length;
    const swallowed = group.slice(1, -1).some((inner) => {
      const alone = recordOf(inner.text, separator);
      return 'values' in alone && alone.values.length >= columns;
    });
    if ('values' in read && read.values.length === columns && !swallowed) {
      yield { row, values: read.values.map(fromSpreadsheetText) };
      continue;
    }
    // The first line read alone says what is wrong with it; the others are read again.
    const alone = recordOf(line.text, separator);
    yield { row, error: 'error' in alone ? alone.error : STRAY_QUOTE, values: rawValues(line.text, separator, columns) };
    again.unshift(...group.slice(1));
  }
}

function quotes(text: string): number {
  let count = 0;
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) count += 1;
  return count;
}

/** A value of a row refused for its form, before the receivable is checked. */
interface Misread {
  readonly field: ReceivableField;
  readonly code: 'csv.decimal_separator' | 'csv.ambiguous_amount' | 'text.control_character';
  readonly message: string;
}

/** A NUL is in no text: a file holding one was not saved as text, and PostgreSQL stores none. */
const NUL_MESSAGE = 'holds a NUL character (U+0000), which no text may: was the file saved as text?';

/**
 * A row's values as a receivable's fields, dates and amounts in the forms the mapping gives converted; `misread`
 * names the values holding a NUL, and the amounts written in a form the mapping does not declare, or that read two
 * ways when it declares none, which the row is refused for.
 */
function receivableInput(values: readonly string[], layout: ColumnLayout, mapping: ReceivablesMapping): { input: ReceivableInput; misread: Misread[] } {
  const input: Partial<Record<ReceivableField, string>> = {};
  const misread: Misread[] = [];
  layout.fields.forEach((field, index) => {
    const value = values[index];
    if (field === undefined || value === undefined) return;
    if (value.includes('\u0000')) misread.push({ field, code: 'text.control_character', message: NUL_MESSAGE });
    else if (field === 'invoiceDate' || field === 'dueDate') input[field] = isoDate(value, mapping.dateFormat);
    else if (field === 'total' || field === 'applied') {
      const text = value.trim();
      if (mapping.decimalSeparator === undefined && ambiguousAmount(text)) {
        misread.push({
          field,
          code: 'csv.ambiguous_amount',
          message: `${text} reads as ${text.replace(',', '.')} or as ${text.replace(/[.,]/, '')}: name the decimal separator in the mapping (decimalSeparator "." or ",", decimal_separator over the API)`,
        });
        return;
      }
      const plain = plainDecimal(value, mapping.decimalSeparator);
      if (plain === undefined) {
        misread.push({ field, code: 'csv.decimal_separator', message: `${text} has a dot that groups no thousands, and the mapping's decimal separator is a comma (write 1.234,56)` });
      } else input[field] = plain;
    } else input[field] = value;
  });
  return { input, misread };
}

/** The column holding each field in this file. */
function columnsOf(header: readonly string[], layout: ColumnLayout): Map<ReceivableField, string> {
  const columns = new Map<ReceivableField, string>();
  layout.fields.forEach((field, index) => field !== undefined && columns.set(field, header[index] as string));
  return columns;
}

/** A row read, as the importer is given it. */
interface BatchRow {
  readonly row: CsvRow;
  readonly receivable?: Receivable;
  readonly problems: RowProblem[];
  readonly invoiceNumber?: string;
}

/** A row's report not given out yet; `waiting` for a later row of its number, which would supersede it. */
interface Held {
  readonly item: BatchRow;
  report: RowReport;
  waiting: boolean;
}

/**
 * How far a later row of the same number may come and supersede a row refused for less applied than recorded: that
 * row's report, and those after it, are held until then (memory for that many rows' reports).
 */
const SUPERSEDED_WITHIN_ROWS = 10_000;

/**
 * Imports an accounts-receivable CSV file into a started import ({@link ReceivablesImport}), streaming: rows are read,
 * checked and imported in batches, so memory holds one batch whatever the file's size. A bad row is reported (through
 * `onRow`) with its row number, column and reason, and never stops the others; a file whose header lacks a required
 * column is refused before any row is read, and one with bytes that are not UTF-8 when they come (the rows before them
 * are imported: `checkCsvFile` checks a whole file first). A row refused only for less applied than recorded is
 * reported once a later row of its number supersedes it (then imported again as such) or none can (the end of the
 * file, or {@link SUPERSEDED_WITHIN_ROWS} rows on), the rows after it with it, in file order.
 * @throws CsvError `csv.empty` | `csv.missing_columns` | `csv.duplicate_column` | `csv.malformed` | `csv.too_many_columns` | `csv.not_utf8`
 */
export async function importReceivablesCsv(
  source: AsyncIterable<Buffer | string>,
  importer: ReceivablesImport,
  options: CsvImportOptions = {},
): Promise<ReceivablesImportReport> {
  const mapping = options.mapping ?? {};
  const batchSize = options.batchSize ?? 500;
  const report: ReceivablesImportReport = { rowsRead: 0, imported: 0, updated: 0, unchanged: 0, refused: 0, ignoredColumns: [], stopped: false };
  let header: readonly string[] = [];
  let delimiter = ',';
  let layout: ColumnLayout | undefined;
  let columns = new Map<ReceivableField, string>();
  let batch: BatchRow[] = [];
  // Reports not given out yet, in file order. A row refused only for less applied than recorded waits at its place for
  // a later row of its number in a later batch (the batch's own rows are the importer's): that row supersedes it.
  const held: Held[] = [];
  const waiting = new Map<string, Held>();

  const reportOf = (item: BatchRow, result: ImportResult | undefined): RowReport => ({
    row: item.row.row,
    ...(item.invoiceNumber === undefined ? {} : { invoiceNumber: item.invoiceNumber }),
    outcome: result?.outcome ?? 'refused',
    ...(result?.invoiceId === undefined ? {} : { invoiceId: result.invoiceId }),
    changes: result?.changes ?? [],
    problems: (result ? result.problems.map((problem) => ({ ...problem, ...columnOf(problem.field) })) : item.problems).map((problem) =>
      problem.message.length > MAX_MESSAGE_LENGTH ? { ...problem, message: shortened(problem.message, MAX_MESSAGE_LENGTH) } : problem,
    ),
    values: item.row.values,
  });
  const release = async (all: boolean) => {
    for (let first = held[0]; first !== undefined && (all || !first.waiting || held.length > SUPERSEDED_WITHIN_ROWS); first = held[0]) {
      held.shift();
      if (first.waiting) waiting.delete((first.item.receivable as Receivable).invoiceNumber);
      report[first.report.outcome] += 1;
      await options.onRow?.(first.report);
    }
  };
  const flush = async () => {
    const valid = batch.filter((item) => item.receivable !== undefined);
    const results = await importer.importBatch(valid.map((item) => item.receivable as Receivable));
    const superseded: Held[] = [];
    let next = 0;
    for (const item of batch) {
      const entry: Held = { item, report: reportOf(item, item.receivable === undefined ? undefined : results[next++]), waiting: false };
      const number = item.receivable?.invoiceNumber;
      if (number !== undefined) {
        const before = waiting.get(number);
        if (before) superseded.push(before);
        waiting.delete(number);
        if (entry.report.outcome === 'refused' && entry.report.problems.every((problem) => problem.code === 'import.applied_decreased')) {
          entry.waiting = true;
          waiting.set(number, entry);
        }
      }
      held.push(entry);
    }
    if (superseded.length > 0) {
      // Imported again as rows a later one supersedes: less applied than recorded is no reason to refuse them, and what
      // else they bring (a contact) is recorded. They pay nothing: the invoice held more than they say.
      const again = await importer.importBatch(
        superseded.map((entry) => entry.item.receivable as Receivable),
        { superseded: superseded.map((_, index) => index) },
      );
      superseded.forEach((entry, index) => {
        entry.report = reportOf(entry.item, again[index]);
        entry.waiting = false;
      });
    }
    batch = [];
    await release(false);
    await options.onProgress?.(report);
  };
  const columnOf = (field: ReceivableField | undefined) => {
    const column = field === undefined ? undefined : columns.get(field);
    return column === undefined ? {} : { column };
  };

  try {
    for await (const item of readCsvRows(source, mapping.delimiter)) {
      if ('header' in item) {
        header = item.header;
        delimiter = item.delimiter;
        layout = columnLayout(header, mapping);
        columns = columnsOf(header, layout);
        report.ignoredColumns = layout.ignored;
        continue;
      }
      report.rowsRead += 1;
      if ('error' in item) {
        const number = item.values.length === header.length ? item.values[(layout as ColumnLayout).fields.indexOf('invoiceNumber')]?.trim() : undefined;
        batch.push({ row: item, problems: [{ code: 'csv.malformed_row', message: item.error }], ...(number ? { invoiceNumber: number } : {}) });
      } else if (item.values.length !== header.length) {
        // More values than any header has (a line of commas): kept as its text, not as up to a million values.
        const row = item.values.length > MAX_HEADER_COLUMNS ? { row: item.row, values: [item.values.join(delimiter)] } : item;
        batch.push({ row, problems: [{ code: 'csv.column_count', message: `the row has ${item.values.length} values, the header ${header.length} columns` }] });
      } else {
        const { input, misread } = receivableInput(item.values, layout as ColumnLayout, mapping);
        const invoiceNumber = input.invoiceNumber?.trim() || undefined;
        // A NUL refuses its row in a column no field reads too: the file around it is no text to trust.
        const ignoredNul = item.values.flatMap((value, index) =>
          (layout as ColumnLayout).fields[index] === undefined && value.includes('\u0000') ? [{ column: header[index] as string, code: 'text.control_character', message: NUL_MESSAGE }] : [],
        );
        const misreadProblems = [...misread.map((problem) => ({ ...problem, ...columnOf(problem.field) })), ...ignoredNul];
        try {
          const receivable = parseReceivable(input, mapping.currency);
          batch.push({ row: item, ...(misreadProblems.length > 0 ? {} : { receivable }), problems: misreadProblems, ...(invoiceNumber ? { invoiceNumber } : {}) });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const problems = error.issues.flatMap((issue) => {
            const field = issue.path.split('.')[0] as ReceivableField;
            return misread.some((each) => each.field === field) ? [] : [{ field, ...columnOf(field), code: issue.code, message: issue.message }];
          });
          batch.push({ row: item, problems: [...problems, ...misreadProblems], ...(invoiceNumber ? { invoiceNumber } : {}) });
        }
      }
      if (batch.length >= batchSize) {
        await flush();
        if (options.signal?.aborted) {
          await release(true);
          report.stopped = true;
          return report;
        }
      }
    }
    if (layout === undefined) throw new CsvError('csv.empty', 'the file is empty: a header line is expected first');
    if (batch.length > 0) await flush();
  } catch (error) {
    // The rows imported before the failure are reported still.
    await release(true).catch(() => undefined);
    throw error;
  }
  await release(true);
  return report;
}

/**
 * Writes the refused rows of an import as a file to fix and send again: as CSV, the file's own columns and values
 * followed by `row` and `errors` columns (the extra columns are ignored when the file comes back); as JSON, one object
 * per refused row with its problems. Streaming: each row is written as it comes. The CSV is separated as the file was
 * (`delimiter`), so that the file sent back is read with the same mapping. Its cells are what the sender wrote: one a
 * spreadsheet would run (`=HYPERLINK(…)`) gets a leading `'` ({@link spreadsheetText}), which {@link readCsvRows}
 * takes off when the report comes back. A control character (a NUL, which some tools end a file at) is written as its
 * Unicode picture ({@link visibleControls}): such a row was refused for it, and is to be fixed.
 */
export class ErrorReportWriter {
  private first = true;

  constructor(
    private readonly format: 'csv' | 'json',
    private readonly header: readonly string[],
    private readonly write: (chunk: string) => void,
    private readonly delimiter: ',' | ';' | '\t' = ',',
  ) {}

  add(report: RowReport): void {
    if (report.outcome !== 'refused') return;
    const reasons = report.problems.map((problem) => `${problem.column ?? 'row'}: ${problem.message} [${problem.code}]`).join('; ');
    if (this.format === 'csv') {
      if (this.first) this.writeHeader();
      const values = this.header.map((_, index) => report.values[index] ?? '');
      this.write(stringify([[...values, String(report.row), reasons].map(reportCell)], { delimiter: this.delimiter }));
    } else {
      const entry = { row: report.row, ...(report.invoiceNumber === undefined ? {} : { invoiceNumber: report.invoiceNumber }), problems: report.problems };
      this.write(`${this.first ? '[\n' : ',\n'}${JSON.stringify(entry)}`);
    }
    this.first = false;
  }

  /** Ends the report: the CSV header alone when no row was refused, an empty JSON list likewise. */
  end(): void {
    if (this.format === 'csv') {
      if (this.first) this.writeHeader();
    } else this.write(this.first ? '[]\n' : '\n]\n');
  }

  private writeHeader(): void {
    this.write(stringify([[...this.header, 'row', 'errors'].map(reportCell)], { delimiter: this.delimiter }));
  }
}

function reportCell(value: string): string {
  return spreadsheetText(visibleControls(value));
}
