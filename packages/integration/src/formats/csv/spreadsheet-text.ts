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

/** Control characters other than tab and line breaks: invisible, and U+0000 cannot be stored on PostgreSQL. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's whole purpose
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Text with each control character other than tab and line breaks shown as its Unicode control picture (U+0000 as
 * `␀`, U+007F as `␡`): how an error report writes, and an import job stores, values an import refused.
 */
export function visibleControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => String.fromCharCode(char === '\u007F' ? 0x2421 : 0x2400 + char.charCodeAt(0)));
}
