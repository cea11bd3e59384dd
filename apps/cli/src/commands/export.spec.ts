import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { invoicesCsv } from './export';

// The CSV export opened in a spreadsheet: text others chose never runs as a formula, and amounts stay numbers.
describe('invoicesCsv', () => {
  it('puts a quote before text a spreadsheet would run, and leaves amounts as they are', () => {
    const csv = invoicesCsv([
      {
        id: 'inv-1',
        kind: 'credit_note',
        status: 'issued',
        number: '=1+1',
        buyerId: 'p-1',
        currency: 'EUR',
        purchaseOrderReference: '=HYPERLINK("https://evil.example","click")',
        externalReference: '@SUM(A1)',
        total: { amount: '12.00' },
        paid: { amount: '0.00' },
        credited: { amount: '0.00' },
        outstanding: { amount: '-12.00' },
      },
    ]);
    const [, row] = parse(csv) as string[][];
    expect([row?.[0], row?.[6], row?.[7], row?.[11]]).toEqual(["'=1+1", `'=HYPERLINK("https://evil.example","click")`, "'@SUM(A1)", '-12.00']);
  });
});
