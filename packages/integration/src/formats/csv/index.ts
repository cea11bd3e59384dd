/** Accounts-receivable CSV files in: column names and mappings, streaming reading, the import driver and its error report. */
export { CsvError, DATE_FORMATS, MAX_HEADER_COLUMNS, ambiguousAmount, checkMapping, columnKey, columnLayout, echoedNames, isoDate, parseMapping, plainDecimal, shortened } from './receivables-mapping';
export type { ColumnLayout, CsvErrorCode, DateFormat, ReceivablesMapping } from './receivables-mapping';
export { checkCsvEncoding } from './csv-decoder';
export { ErrorReportWriter, checkCsvFile, detectDelimiter, importReceivablesCsv, readCsvRows } from './receivables-csv';
export { fromSpreadsheetText, spreadsheetText, visibleControls } from './spreadsheet-text';
export type { CsvImportOptions, CsvRow, ReceivablesImportReport, RowProblem, RowReport } from './receivables-csv';
