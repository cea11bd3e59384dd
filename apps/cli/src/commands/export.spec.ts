import { describe, expect, it } from '@jest/globals';
import { columnLayout } from '@invoicing/integration/formats';
import { parse } from 'csv-parse/sync';
import { invoicesCsv, type InvoiceSummary } from './export';

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
        prepaid: { amount: '0.00' },
        rounding: { amount: '0.00' },
        amountDue: { amount: '12.00' },
        paid: { amount: '0.00' },
        credited: { amount: '0.00' },
        outstanding: { amount: '-12.00' },
      },
    ]);
    const [header, row] = parse(csv) as string[][];
    const at = (column: string) => row?.[(header as string[]).indexOf(column)];
    expect(['Invoice #', 'Customer PO Number', 'External Reference', 'Outstanding'].map(at)).toEqual(["'=1+1", `'=HYPERLINK("https://evil.example","click")`, "'@SUM(A1)", '-12.00']);
  });

  it('writes the amounts in the order a row reconciles: total − prepaid + rounding = amount due, − paid − credited = outstanding', () => {
    const invoice: InvoiceSummary = {
      id: 'inv-2',
      kind: 'invoice',
      status: 'partially_paid',
      number: 'INV-000018',
      buyerId: 'p-1',
      currency: 'EUR',
      total: { amount: '121.11' },
      prepaid: { amount: '20.00' },
      rounding: { amount: '0.01' },
      amountDue: { amount: '101.12' },
      paid: { amount: '30.00' },
      credited: { amount: '0.37' },
      outstanding: { amount: '70.75' },
    };
    const [header, row] = parse(invoicesCsv([invoice])) as string[][];
    const start = (header as string[]).indexOf('Bill Total');
    expect(header?.slice(start, start + 7)).toEqual(['Bill Total', 'Prepaid Amount', 'Rounding Amount', 'Amount Due', 'Amount Paid', 'Amount Credited', 'Outstanding']);
    expect(row?.slice(start, start + 7)).toEqual(['121.11', '20.00', '0.01', '101.12', '30.00', '0.37', '70.75']);
  });

  // The import (docs/imports.md) reads an export's Bill Total and Amount Paid by name: the new amounts must not be
  // taken for one of its fields, nor make two columns for one.
  it('adds no column the accounts-receivable import would read', () => {
    const [header] = parse(invoicesCsv([])) as string[][];
    const layout = columnLayout(header as string[], { columns: { Buyer: 'customerName' } });
    const read = (column: string) => layout.fields[(header as string[]).indexOf(column)];
    expect([read('Bill Total'), read('Amount Paid'), read('Prepaid Amount'), read('Rounding Amount'), read('Amount Due')]).toEqual(['total', 'applied', undefined, undefined, undefined]);
  });
});
