import { DomainError, ValidationError, parseCurrencyCode } from '@invoicing/core';
import type { ReceivableField } from '@invoicing/invoice';
import { parse as parseYaml } from 'yaml';

/** Date forms a file may use; ISO 8601 is always read, the others only when the mapping names one (03/04 is ambiguous). */
export const DATE_FORMATS = ['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/**
 * How a file's columns and values are read. Every part is optional: columns are recognised by their usual names,
 * dates are ISO 8601 and amounts use a dot unless the mapping says otherwise.
 */
export interface ReceivablesMapping {
  /** File column → field, for exports whose names the import does not know. Matched like the usual names. */
  readonly columns?: Readonly<Record<string, ReceivableField>>;
  readonly dateFormat?: DateFormat;
  /** `.` (1,234.56) or `,` (1.234,56); the other one is taken as a thousands separator. */
  readonly decimalSeparator?: '.' | ',';
  /** `,`, `;` or a tab; found from the header line when not given. */
  readonly delimiter?: ',' | ';' | '\t';
  /** The currency of rows without one, ISO 4217. */
  readonly currency?: string;
}

/** The stable codes of {@link CsvError}. */
export type CsvErrorCode = 'csv.invalid_mapping' | 'csv.missing_columns' | 'csv.duplicate_column' | 'csv.malformed' | 'csv.too_many_columns' | 'csv.not_utf8' | 'csv.empty';

/** A file or mapping that cannot be read at all (as opposed to a bad row, which is reported and skipped). */
export class CsvError extends DomainError {
  override readonly name: string = 'CsvError';
  declare readonly code: CsvErrorCode;

  constructor(code: CsvErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/**
 * The most columns a header may have: an export has a few dozen. More is no export (the audit's file had 538,185), and
 * each column is kept with the import and named in its report.
 */
export const MAX_HEADER_COLUMNS = 500;

/** How many column names a refusal or an import's report gives, and how long each at most: the rest is counted. */
const NAMES_ECHOED = 100;
const NAME_ECHOED_LENGTH = 100;

/** A text as a message or report gives it back: cut, with `…`, past `length` characters (a surrogate pair kept whole). */
export function shortened(text: string, length = NAME_ECHOED_LENGTH): string {
  return text.length <= length ? text : `${text.slice(0, length - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

/** The first column names of a list, each {@link shortened}: what a refusal or a report names of a header. */
export function echoedNames(names: readonly string[]): string[] {
  return names.slice(0, NAMES_ECHOED).map((name) => shortened(name));
}

const FIELDS: readonly ReceivableField[] = [
  'invoiceNumber', 'customerName', 'contactName', 'contactPhone', 'contactEmail', 'invoiceDate', 'dueDate', 'purchaseOrder',
  'terms', 'termsDays', 'total', 'applied', 'status', 'currency',
];

/** The usual names of each field in accounts-receivable exports, as {@link columnKey} makes them. */
const USUAL_NAMES: Readonly<Record<ReceivableField, readonly string[]>> = {
  invoiceNumber: ['invoicenumber', 'invoiceno', 'invoicenum', 'invoice', 'invnumber', 'invno', 'number', 'documentnumber', 'docnumber'],
  customerName: ['customername', 'customer', 'client', 'clientname', 'partner', 'partnername', 'company', 'companyname', 'billto'],
  contactName: ['contactname', 'contact', 'contactperson'],
  contactPhone: ['contactphone', 'phone', 'phonenumber', 'telephone', 'tel'],
  contactEmail: ['contactemail', 'email', 'emailaddress', 'mail'],
  invoiceDate: ['invoicedate', 'date', 'issuedate', 'txndate', 'documentdate'],
  dueDate: ['duedate', 'due'],
  purchaseOrder: ['customerponumber', 'customerpo', 'ponumber', 'po', 'purchaseorder', 'purchaseordernumber'],
  terms: ['customerterms', 'terms', 'paymentterms'],
  termsDays: ['termsdays', 'daysdue', 'netdays', 'termdays'],
  total: ['billtotal', 'total', 'invoicetotal', 'invoiceamount', 'amount', 'totalamount'],
  applied: ['amountapplied', 'applied', 'amountpaid', 'paid', 'paidamount', 'appliedamount'],
  status: ['status', 'invoicestatus'],
  currency: ['currency', 'currencycode', 'curr', 'ccy'],
};

/** The fields a file must have a column for. */
const REQUIRED: readonly ReceivableField[] = ['invoiceNumber', 'customerName', 'invoiceDate', 'total', 'status'];

/** A column name as compared: case, spaces and punctuation do not count; `#` reads as "number" (`Invoice #`). */
export function columnKey(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/#/g, 'number')
    .replace(/[^a-z0-9]/g, '');
}

/** Which field each column of a header holds (undefined: ignored), and the columns ignored. */
export interface ColumnLayout {
  readonly fields: readonly (ReceivableField | undefined)[];
  readonly ignored: readonly string[];
}

/**
 * Matches a header's columns to fields: the mapping's names first, then the usual names.
 * @throws CsvError `csv.missing_columns` (naming each field without a column) | `csv.duplicate_column` (two columns for one field)
 */
export function columnLayout(header: readonly string[], mapping: ReceivablesMapping = {}): ColumnLayout {
  const mapped = new Map(Object.entries(mapping.columns ?? {}).map(([column, field]) => [columnKey(column), field]));
  const usual = new Map(FIELDS.flatMap((field) => USUAL_NAMES[field].map((name) => [name, field] as const)));
  const fields = header.map((column) => mapped.get(columnKey(column)) ?? usual.get(columnKey(column)));
  const seen = new Map<ReceivableField, string>();
  header.forEach((column, index) => {
    const field = fields[index];
    if (field === undefined) return;
    const other = seen.get(field);
    if (other !== undefined) {
      const columns = [shortened(other), shortened(column)];
      throw new CsvError('csv.duplicate_column', `columns "${columns[0]}" and "${columns[1]}" both hold ${field}; name one in the mapping`, { field, columns });
    }
    seen.set(field, column);
  });
  const missing = REQUIRED.filter((field) => !seen.has(field));
  if (!seen.has('currency') && mapping.currency === undefined) missing.push('currency');
  if (!seen.has('dueDate') && !seen.has('terms') && !seen.has('termsDays')) missing.push('dueDate');
  if (missing.length > 0) {
    // The header's first names, and how many it has: what it holds instead, without echoing a file's worth of names.
    throw new CsvError('csv.missing_columns', `the file has no column for ${missing.join(', ')} (give one, or name it in the mapping)`, { missing, header: echoedNames(header), columns: header.length });
  }
  return { fields, ignored: header.filter((_, index) => fields[index] === undefined) };
}

/**
 * Reads a mapping file (YAML, or JSON, which YAML reads too) and checks it.
 * @throws CsvError `csv.invalid_mapping` naming what is wrong
 */
export function parseMapping(text: string): ReceivablesMapping {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 0 });
  } catch (error) {
    throw new CsvError('csv.invalid_mapping', `the mapping is not YAML or JSON: ${(error as Error).message}`);
  }
  return checkMapping(raw ?? {});
}

/** @throws CsvError `csv.invalid_mapping` */
export function checkMapping(raw: unknown): ReceivablesMapping {
  const invalid = (message: string) => new CsvError('csv.invalid_mapping', message);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('the mapping is an object: columns, dateFormat, decimalSeparator, delimiter, currency');
  const { columns, dateFormat, decimalSeparator, delimiter, currency, ...unknown } = raw as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) throw invalid(`unknown mapping keys: ${extra.join(', ')}`);
  if (columns !== undefined) {
    if (typeof columns !== 'object' || columns === null || Array.isArray(columns)) throw invalid('columns maps file column names to fields');
    for (const [column, field] of Object.entries(columns)) {
      if (!FIELDS.includes(field as ReceivableField)) throw invalid(`column "${column}" maps to ${JSON.stringify(field)}, which is none of ${FIELDS.join(', ')}`);
    }
  }
  if (dateFormat !== undefined && !DATE_FORMATS.includes(dateFormat as DateFormat)) throw invalid(`dateFormat is one of ${DATE_FORMATS.join(', ')}`);
  if (decimalSeparator !== undefined && decimalSeparator !== '.' && decimalSeparator !== ',') throw invalid('decimalSeparator is "." or ","');
  if (delimiter !== undefined && delimiter !== ',' && delimiter !== ';' && delimiter !== '\t') throw invalid('delimiter is ",", ";" or a tab');
  if (currency !== undefined) {
    try {
      parseCurrencyCode(String(currency));
    } catch (error) {
      if (error instanceof ValidationError) throw invalid(`currency ${JSON.stringify(currency)} is not an ISO 4217 code`);
      throw error;
    }
  }
  return raw as ReceivablesMapping;
}

const DATE_PATTERNS: Readonly<Record<Exclude<DateFormat, 'YYYY-MM-DD'>, RegExp>> = {
  'MM/DD/YYYY': /^(?<month>\d{1,2})\/(?<day>\d{1,2})\/(?<year>\d{4})$/,
  'DD/MM/YYYY': /^(?<day>\d{1,2})\/(?<month>\d{1,2})\/(?<year>\d{4})$/,
  'DD.MM.YYYY': /^(?<day>\d{1,2})\.(?<month>\d{1,2})\.(?<year>\d{4})$/,
};

/**
 * A date as ISO 8601: ISO dates as they are, the mapping's form converted. Anything else is returned as given, for the
 * receivable's check to refuse with the field named.
 */
export function isoDate(value: string, format: DateFormat = 'YYYY-MM-DD'): string {
  const text = value.trim();
  if (format === 'YYYY-MM-DD' || /^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const parts = DATE_PATTERNS[format].exec(text)?.groups;
  if (!parts) return text;
  return `${parts.year}-${(parts.month as string).padStart(2, '0')}-${(parts.day as string).padStart(2, '0')}`;
}

/**
 * An amount as a plain decimal with a dot: the thousands separators the mapping's form allows removed (only between
 * groups of three digits), a decimal comma turned into a dot. Anything else is returned as given, to be refused;
 * `undefined` when a decimal comma is declared and the value has a dot that groups no thousands (`12.5`, `1.5,00`):
 * read as a plain decimal it would be accepted, with a meaning the file's own form does not give it.
 */
export function plainDecimal(value: string, separator: '.' | ',' = '.'): string | undefined {
  const text = value.trim();
  // No thousands group follows a leading 0.
  const grouped = separator === '.' ? /^-?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$/ : /^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$/;
  const thousands = separator === '.' ? ',' : '.';
  const ungrouped = grouped.test(text) ? text.split(thousands).join('') : text;
  if (separator === '.') return ungrouped;
  if (ungrouped.includes('.')) return undefined;
  return /^-?\d+(,\d+)?$/.test(ungrouped) ? ungrouped.replace(',', '.') : ungrouped;
}

/**
 * Whether an amount reads two ways when the mapping names no decimal separator: one `.` or `,` after one to three
 * digits (not a lone 0) and followed by exactly three, such as `1.500` or `12,500`, is a decimal point or comma in one
 * export and a thousands separator in another, in any currency: its precision does not tell them apart, since
 * trailing zeros pass it (`1.500` EUR is 1.50). Every other form reads one way: `1.50`, `1,234.56`, `1,234,567`,
 * `0.500`, `1234.500` (or is refused as malformed, such as `1.234,56` without a decimal comma named).
 */
export function ambiguousAmount(value: string): boolean {
  return /^-?[1-9]\d{0,2}[.,]\d{3}$/.test(value.trim());
}
