import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ValidationError } from '@invoicing/core';
import { parseReceivable, type ImportOutcome, type ImportProblem, type Receivable, type ReceivableField, type ReceivableInput, type ReceivablesImport } from '@invoicing/invoice';
import { parse, type CsvError as ParserError } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { CsvError, columnLayout, isoDate, plainDecimal, type ColumnLayout, type ReceivablesMapping } from './receivables-mapping';
import { fromSpreadsheetText, spreadsheetText } from './spreadsheet-text';

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

/** The largest record csv-parse accepts: a row is a few hundred bytes; anything this long is not a receivable. */
const MAX_RECORD_BYTES = 1 << 20;

/** The delimiter a header line uses: the most frequent of `,`, `;` and tab outside quotes (`,` when none). */
export function detectDelimiter(headerLine: string): ',' | ';' | '\t' {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  const counts = ([',', ';', '\t'] as const).map((delimiter) => [delimiter, unquoted.split(delimiter).length - 1] as const);
  const [best] = [...counts].sort((left, right) => right[1] - left[1]);
  return best && best[1] > 0 ? best[0] : ',';
}

/** The source's chunks, the first ones held until the header line is complete, so its delimiter can be found. */
async function headerThenRest(source: AsyncIterable<Buffer | string>): Promise<{ headerLine: string; chunks: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    held.push(chunk);
    size += chunk.length;
    if (chunk.includes(0x0a) || size > MAX_RECORD_BYTES) break;
  }
  const text = Buffer.concat(held).toString('utf8').replace(/^\uFEFF/, '');
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* held;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
  }
  return { headerLine: text.split(/\r?\n/)[0] ?? '', chunks: chunks() };
}

/**
 * Reads a CSV file row by row, streaming: UTF-8 with or without BOM, quoted fields (with newlines and doubled quotes),
 * `,` `;` or tab. The header comes first; a record the parser cannot read (a stray quote) is given as a row without
 * values and its error, and reading goes on. A value whose `'` keeps a spreadsheet from running it (`'=A1`, as an error
 * report writes it) is read without that quote.
 * @throws CsvError `csv.empty` for a file without a header
 */
export async function* readCsvRows(
  source: AsyncIterable<Buffer | string>,
  delimiter?: ',' | ';' | '\t',
): AsyncGenerator<{ header: readonly string[] } | CsvRow | { row: number; error: string }> {
  const { headerLine, chunks } = await headerThenRest(source);
  if (headerLine.trim() === '') throw new CsvError('csv.empty', 'the file is empty: a header line is expected first');
  // Records the parser skipped, by how many it had emitted before: each takes its place in the row numbering.
  const skipped: { before: number; error: string }[] = [];
  let skippedSoFar = 0;
  const parser = parse({
    delimiter: delimiter ?? detectDelimiter(headerLine),
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    info: true,
  });
  parser.on('skip', (error: ParserError) => skipped.push({ before: Number(error.records ?? 0), error: error.message }));
  const feeding = pipeline(Readable.from(chunks), parser).then(
    () => undefined,
    (error: Error) => error,
  );
  function* skippedUpTo(records: number): Generator<{ row: number; error: string }> {
    while (skipped.length > 0 && (skipped[0] as { before: number }).before < records) {
      const { before, error } = skipped.shift() as { before: number; error: string };
      skippedSoFar += 1;
      yield { row: before + skippedSoFar, error };
    }
  }
  let header: readonly string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
    yield* skippedUpTo(info.records);
    if (header === undefined) {
      header = record.map((name) => fromSpreadsheetText(name).trim());
      yield { header };
      continue;
    }
    yield { row: info.records + skippedSoFar, values: record.map(fromSpreadsheetText) };
  }
  yield* skippedUpTo(Number.MAX_SAFE_INTEGER);
  const failure = await feeding;
  if (failure && !(failure as NodeJS.ErrnoException).code?.startsWith('ERR_STREAM_PREMATURE_CLOSE')) {
    throw new CsvError('csv.malformed', `the file cannot be read as CSV: ${failure.message}`);
  }
}

/**
 * A row's values as a receivable's fields, dates and amounts in the forms the mapping gives converted; `misread`
 * names the amounts written in a form the mapping does not declare, which the row is refused for.
 */
function receivableInput(values: readonly string[], layout: ColumnLayout, mapping: ReceivablesMapping): { input: ReceivableInput; misread: { field: ReceivableField; value: string }[] } {
  const input: Partial<Record<ReceivableField, string>> = {};
  const misread: { field: ReceivableField; value: string }[] = [];
  layout.fields.forEach((field, index) => {
    const value = values[index];
    if (field === undefined || value === undefined) return;
    if (field === 'invoiceDate' || field === 'dueDate') input[field] = isoDate(value, mapping.dateFormat);
    else if (field === 'total' || field === 'applied') {
      const plain = plainDecimal(value, mapping.decimalSeparator);
      if (plain === undefined) misread.push({ field, value: value.trim() });
      else input[field] = plain;
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

/**
 * Imports an accounts-receivable CSV file into a started import ({@link ReceivablesImport}), streaming: rows are read,
 * checked and imported in batches, so memory holds one batch whatever the file's size. A bad row is reported (through
 * `onRow`) with its row number, column and reason, and never stops the others; a file whose header lacks a required
 * column is refused before any row is read.
 * @throws CsvError `csv.empty` | `csv.missing_columns` | `csv.duplicate_column` | `csv.malformed`
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
  let layout: ColumnLayout | undefined;
  let columns = new Map<ReceivableField, string>();
  let batch: { row: CsvRow; receivable?: Receivable; problems: RowProblem[]; invoiceNumber?: string }[] = [];

  const flush = async () => {
    const valid = batch.filter((item) => item.receivable !== undefined);
    const results = await importer.importBatch(valid.map((item) => item.receivable as Receivable));
    let next = 0;
    for (const item of batch) {
      const result = item.receivable === undefined ? undefined : results[next++];
      const problems = result ? result.problems.map((problem) => ({ ...problem, ...columnOf(problem.field) })) : item.problems;
      const outcome: ImportOutcome = result?.outcome ?? 'refused';
      report[outcome] += 1;
      await options.onRow?.({
        row: item.row.row,
        ...(item.invoiceNumber === undefined ? {} : { invoiceNumber: item.invoiceNumber }),
        outcome,
        ...(result?.invoiceId === undefined ? {} : { invoiceId: result.invoiceId }),
        changes: result?.changes ?? [],
        problems,
        values: item.row.values,
      });
    }
    batch = [];
    await options.onProgress?.(report);
  };
  const columnOf = (field: ReceivableField | undefined) => {
    const column = field === undefined ? undefined : columns.get(field);
    return column === undefined ? {} : { column };
  };

  for await (const item of readCsvRows(source, mapping.delimiter)) {
    if ('header' in item) {
      header = item.header;
      layout = columnLayout(header, mapping);
      columns = columnsOf(header, layout);
      report.ignoredColumns = layout.ignored;
      continue;
    }
    report.rowsRead += 1;
    if ('error' in item) {
      batch.push({ row: { row: item.row, values: [] }, problems: [{ code: 'csv.malformed_row', message: item.error }] });
    } else if (item.values.length !== header.length) {
      batch.push({ row: item, problems: [{ code: 'csv.column_count', message: `the row has ${item.values.length} values, the header ${header.length} columns` }] });
    } else {
      const { input, misread } = receivableInput(item.values, layout as ColumnLayout, mapping);
      const invoiceNumber = input.invoiceNumber?.trim() || undefined;
      const misreadProblems = misread.map(({ field, value }) => ({
        field,
        ...columnOf(field),
        code: 'csv.decimal_separator',
        message: `${value} has a dot that groups no thousands, and the mapping's decimal separator is a comma (write 1.234,56)`,
      }));
      try {
        const receivable = parseReceivable(input, mapping.currency);
        batch.push({ row: item, ...(misread.length > 0 ? {} : { receivable }), problems: misreadProblems, ...(invoiceNumber ? { invoiceNumber } : {}) });
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
        report.stopped = true;
        return report;
      }
    }
  }
  if (layout === undefined) throw new CsvError('csv.empty', 'the file is empty: a header line is expected first');
  if (batch.length > 0) await flush();
  return report;
}

/**
 * Writes the refused rows of an import as a file to fix and send again: as CSV, the file's own columns and values
 * followed by `row` and `errors` columns (the extra columns are ignored when the file comes back); as JSON, one object
 * per refused row with its problems. Streaming: each row is written as it comes. The CSV is separated as the file was
 * (`delimiter`), so that the file sent back is read with the same mapping. Its cells are what the sender wrote: one a
 * spreadsheet would run (`=HYPERLINK(…)`) gets a leading `'` ({@link spreadsheetText}), which {@link readCsvRows}
 * takes off when the report comes back.
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
      this.write(stringify([[...values, String(report.row), reasons].map(spreadsheetText)], { delimiter: this.delimiter }));
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
    this.write(stringify([[...this.header, 'row', 'errors'].map(spreadsheetText)], { delimiter: this.delimiter }));
  }
}
