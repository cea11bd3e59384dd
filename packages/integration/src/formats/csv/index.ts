/** Accounts-receivable CSV files in: column names and mappings, streaming reading, the import driver and its error report. */
export { CsvError, DATE_FORMATS, ambiguousAmount, checkMapping, columnKey, columnLayout, isoDate, parseMapping, plainDecimal } from './receivables-mapping';
export type { ColumnLayout, CsvErrorCode, DateFormat, ReceivablesMapping } from './receivables-mapping';
export { checkCsvEncoding } from './csv-decoder';
export { ErrorReportWriter, detectDelimiter, importReceivablesCsv, readCsvRows } from './receivables-csv';
export { fromSpreadsheetText, spreadsheetText, visibleControls } from './spreadsheet-text';
export type { CsvImportOptions, CsvRow, ReceivablesImportReport, RowProblem, RowReport } from './receivables-csv';
