/** What a spreadsheet reads as the start of a formula (OWASP's CSV injection list), after any quotes put before it. */
const FORMULA_START = /^'*[=+\-@\t\r]/;
/** A plain number (`-5.00`, `+1,234.56`, `-1.234,56`): a spreadsheet reads it as a number, never runs it. */
const PLAIN_NUMBER = /^[+-]?\d[\d.,]*$/;

/**
 * A CSV cell a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
 * leading `'` (so does such text already quoted, so that {@link fromSpreadsheetText} gives it back exactly). A plain
 * number such as `-5.00` is left as it is.
 */
export function spreadsheetText(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** A cell read from a CSV file: the leading `'` that {@link spreadsheetText} put before a formula taken off again. */
export function fromSpreadsheetText(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value) ? value.slice(1) : value;
}
