import 'reflect-metadata';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreatePartner, GetPartnerBalance, ImportReceivables, PastDueReport, type PartnerId } from '@invoicing/invoice';
import { createTestBed, type TestBed } from '@invoicing/invoice/testing';
import { tenantId, type TenantId } from '@invoicing/core';
import { parse } from 'csv-parse/sync';
import type { CommandStartedEvent } from 'mongodb';
import { createMongoAdapters } from '../../mongodb/mongo-adapters';
import { createTestDatabase, type TestDatabase } from '../../testing/mongo-test-database';
import { importReceivablesCsv, type ReceivablesImportReport, type RowReport } from './receivables-csv';

// The sample accounts-receivable export of docs/examples, imported on the real server (FerretDB from the stack).
jest.setTimeout(300_000);

const SAMPLE = join(__dirname, '../../../../../docs/examples/receivables.csv');

/** The rows of the sample that are refused, and why: each was made dirty on purpose (see docs/imports.md). */
const REFUSED_IN_SAMPLE = [
  { row: 12, column: 'Bill Total', code: 'import.negative_amount' },
  { row: 57, column: 'Amount Applied', code: 'import.applied_exceeds_total' },
  { row: 101, column: 'Invoice Date', code: 'date.malformed' },
  { row: 150, column: 'Invoice Date', code: 'date.malformed' },
  { row: 203, column: 'Invoice #', code: 'text.required' },
  { row: 250, column: 'Customer Name', code: 'text.required' },
  { row: 301, column: 'Currency', code: 'money.unknown_currency' },
  { row: 349, column: 'Status', code: 'import.invalid_status' },
  { row: 402, column: 'Status', code: 'import.status_mismatch' },
  // 12.345: 12.345 or 12345 with no separator named (audit `files`, F3); it was money.precision_exceeded.
  { row: 455, column: 'Bill Total', code: 'csv.ambiguous_amount' },
  { row: 502, column: 'Customer Terms', code: 'import.unknown_terms' },
  { row: 560, column: 'Contact Email', code: 'contact.invalid_email' },
  { row: 648, column: 'Due Date', code: 'import.due_before_invoice_date' },
  { row: 751, column: 'Bill Total', code: 'import.conflict' },
  { row: 850, code: 'csv.column_count' },
  { row: 903, column: 'Bill Total', code: 'money.malformed' },
];

let database: TestDatabase;
let bed: TestBed;
let tenant: TenantId;
let sellerId: PartnerId;

beforeAll(async () => {
  database = await createTestDatabase('receivables_import', { monitorCommands: true });
  const adapters = createMongoAdapters(database.mongo);
  await adapters.ensureIndexes();
  bed = createTestBed({ adapters, now: '2026-12-05T12:00:00Z', timeZone: 'America/New_York' });
  tenant = tenantId('tenant-ar');
  sellerId = (await bed.use(CreatePartner).execute({ tenantId: tenant, legalName: 'Northwind Traders Inc.' })).id;
});
afterAll(async () => {
  await database?.drop();
});

async function importFile(
  source: AsyncIterable<Buffer | string>,
  into: { tenantId: TenantId; sellerId: PartnerId; batchSize?: number } = { tenantId: tenant, sellerId },
): Promise<{ report: ReceivablesImportReport; rows: RowReport[] }> {
  const importer = await bed.use(ImportReceivables).start({ tenantId: into.tenantId, sellerId: into.sellerId });
  const rows: RowReport[] = [];
  const report = await importReceivablesCsv(source, importer, { batchSize: into.batchSize ?? 200, onRow: (row) => void rows.push(row) });
  return { report, rows };
}

function refusedOf(rows: readonly RowReport[]) {
  return rows.filter((row) => row.outcome === 'refused').map((row) => ({ row: row.row, ...(row.problems[0]?.column ? { column: row.problems[0].column } : {}), code: row.problems[0]?.code }));
}

/** The write commands the database receives while `run` runs. */
async function writesDuring<T>(run: () => Promise<T>): Promise<{ result: T; writes: string[] }> {
  const writes: string[] = [];
  const listener = (event: CommandStartedEvent) => {
    if (['insert', 'update', 'delete', 'findAndModify'].includes(event.commandName)) writes.push(event.commandName);
  };
  const client = database.mongo.connection.getClient();
  client.on('commandStarted', listener);
  try {
    return { result: await run(), writes };
  } finally {
    client.off('commandStarted', listener);
  }
}

/** The sample as records (header first), for the independent calculation and for corrected copies. */
function sampleRecords(): string[][] {
  return parse(readFileSync(SAMPLE), { bom: true, relax_column_count: true }) as string[][];
}

function toCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => record.map((value) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)).join(',')).join('\r\n');
}

describe('importing the sample accounts-receivable export', () => {
  let first: { report: ReceivablesImportReport; rows: RowReport[] };

  beforeAll(async () => {
    first = await importFile(createReadStream(SAMPLE, { highWaterMark: 4096 }));
  });

  it('imports every good row and reports each dirty one with its row, column and reason', () => {
    expect(refusedOf(first.rows)).toEqual(REFUSED_IN_SAMPLE);
    // Row 802 repeats row 800 exactly: found again, unchanged.
    expect(first.rows.find((row) => row.row === 802)?.outcome).toBe('unchanged');
    expect(first.report).toEqual({ rowsRead: 1000, imported: 983, updated: 0, unchanged: 1, refused: 16, ignoredColumns: [], stopped: false });
  });

  it('agrees with a calculation made from the file alone: each customer\'s balance, and what is past due', async () => {
    const [header, ...records] = sampleRecords() as [string[], ...string[][]];
    const column = (name: string) => header.indexOf(name);
    const refused = new Set(REFUSED_IN_SAMPLE.map((item) => item.row));
    const owed = new Map<string, bigint>();
    const seen = new Set<string>();
    let pastDueCount = 0;
    records.forEach((record, index) => {
      const row = index + 2;
      const number = record[column('Invoice #')] as string;
      if (refused.has(row) || seen.has(number)) return;
      seen.add(number);
      const cents = (text: string) => BigInt(text.replace('.', ''));
      const outstanding = cents(record[column('Bill Total')] as string) - cents(record[column('Amount Applied')] as string);
      const key = `${record[column('Customer Name')]}|${record[column('Currency')]}`;
      owed.set(key, (owed.get(key) ?? 0n) + outstanding);
      if (outstanding > 0n) pastDueCount += 1;
    });
    const partners = (await bed.adapters.partnerQueries.list(tenant, {}, { limit: 200 })).items.filter((partner) => partner.id !== sellerId);
    const balances = new Map<string, bigint>();
    for (const partner of partners) {
      for (const balance of await bed.use(GetPartnerBalance).execute({ tenantId: tenant, partnerId: partner.id })) {
        balances.set(`${partner.legalName}|${balance.currency}`, balance.outstanding.minor);
      }
    }
    expect(Object.fromEntries([...balances].filter(([, minor]) => minor !== 0n))).toEqual(Object.fromEntries([...owed].filter(([, minor]) => minor !== 0n)));
    // Every invoice still owed in the sample is dated before mid-2026: past due on 5 December 2026.
    let pastDue = 0;
    for (let page = await bed.use(PastDueReport).execute({ tenantId: tenant, asOf: '2026-12-05', limit: 200 }); ; ) {
      pastDue += page.items.length;
      if (page.nextCursor === null) break;
      page = await bed.use(PastDueReport).execute({ tenantId: tenant, asOf: '2026-12-05', limit: 200, cursor: page.nextCursor });
    }
    expect(pastDue).toBe(pastDueCount);
  });

  it('changes nothing and writes nothing when the same file comes again', async () => {
    const { result, writes } = await writesDuring(() => importFile(createReadStream(SAMPLE)));
    expect(result.report).toEqual({ rowsRead: 1000, imported: 0, updated: 0, unchanged: 984, refused: 16, ignoredColumns: [], stopped: false });
    expect(refusedOf(result.rows)).toEqual(REFUSED_IN_SAMPLE);
    expect(writes).toEqual([]);
  });

  it('applies exactly what a corrected file changes, and refuses rewriting an issued invoice', async () => {
    const [header, ...records] = sampleRecords() as [string[], ...string[][]];
    const column = (name: string) => header.indexOf(name);
    const at = (row: number) => records[row - 2] as string[];
    // Row 150: its date written as ISO.
    at(150)[column('Invoice Date')] = '2024-03-15';
    // A pending invoice now fully paid.
    const pendingRow = records.findIndex((record, index) => record[column('Status')] === 'Pending' && record[column('Amount Applied')] !== '0.00' && !REFUSED_IN_SAMPLE.some((item) => item.row === index + 2)) + 2;
    at(pendingRow)[column('Amount Applied')] = at(pendingRow)[column('Bill Total')] as string;
    at(pendingRow)[column('Status')] = 'Closed';
    // An issued invoice's total changed: a conflict, not applied.
    at(10)[column('Bill Total')] = '1.00';
    at(10)[column('Amount Applied')] = '1.00';

    const { report, rows } = await importFile(Readable.from([toCsv([header, ...records])]));

    expect(report).toEqual({ rowsRead: 1000, imported: 1, updated: 1, unchanged: 982, refused: 16, ignoredColumns: [], stopped: false });
    expect(rows.find((row) => row.row === 150)?.outcome).toBe('imported');
    expect(rows.find((row) => row.row === pendingRow)).toMatchObject({ outcome: 'updated', changes: [expect.stringMatching(/^payment of [0-9.]+ recorded$/)] });
    expect(rows.find((row) => row.row === 10)?.problems).toEqual([
      expect.objectContaining({ column: 'Bill Total', code: 'import.conflict' }),
      expect.objectContaining({ column: 'Amount Applied', code: 'import.applied_decreased' }),
    ]);
  });
});

describe('a file in which invoice numbers come twice (audit of the CSV import, finding 4)', () => {
  const header = 'Invoice #,Customer Name,Invoice Date,Customer Terms,Bill Total,Amount Applied,Status,Currency';
  const invoice = (index: number, applied: string) =>
    `D-${index},Repeat Customer ${index % 7},2025-0${1 + (index % 9)}-15,Net 30,500.00,${applied},${applied === '500.00' ? 'Closed' : 'Pending'},USD`;
  // 60 invoices; the first 12 come again at the end of the file with more applied: the file's last word on them.
  const earlier = Array.from({ length: 60 }, (_, index) => invoice(index, index < 12 ? '100.00' : '0.00'));
  const later = Array.from({ length: 12 }, (_, index) => invoice(index, index % 2 === 0 ? '300.00' : '500.00'));
  const file = [header, ...earlier, ...later].join('\n');
  let into: { tenantId: TenantId; sellerId: PartnerId };

  beforeAll(async () => {
    const repeats = tenantId('tenant-ar-repeats');
    into = { tenantId: repeats, sellerId: (await bed.use(CreatePartner).execute({ tenantId: repeats, legalName: 'Repeat Seller Ltd' })).id };
    const { report } = await importFile(Readable.from([file]), into);
    expect(report).toMatchObject({ rowsRead: 72, imported: 60, updated: 12, unchanged: 0, refused: 0 });
  });

  it.each([200, 10])('is unchanged when it comes again, and sends no write (batches of %i rows)', async (batchSize) => {
    // Before, the earlier row of each number was refused with import.applied_decreased on every run.
    const { result, writes } = await writesDuring(() => importFile(Readable.from([file]), { ...into, batchSize }));
    expect(result.report).toEqual({ rowsRead: 72, imported: 0, updated: 0, unchanged: 72, refused: 0, ignoredColumns: [], stopped: false });
    expect(result.rows.map((row) => row.row)).toEqual(Array.from({ length: 72 }, (_, index) => index + 2));
    expect(writes).toEqual([]);
  });

  it('records what else a superseded row brings though its later row comes in another batch (a contact)', async () => {
    const withContact = [`${header},Contact Email`, ...earlier.map((line, index) => `${line},${index === 0 ? 'ap@repeat0.example' : ''}`), ...later.map((line) => `${line},`)];
    const { report, rows } = await importFile(Readable.from([withContact.join('\n')]), { ...into, batchSize: 10 });
    expect(report).toMatchObject({ rowsRead: 72, updated: 1, unchanged: 71, refused: 0 });
    expect(rows[0]).toMatchObject({ row: 2, outcome: 'updated', changes: ['contact ap@repeat0.example added'] });
  });

  it('still refuses less applied than recorded in a file without the later rows: an older file', async () => {
    const { report, rows } = await importFile(Readable.from([[header, ...earlier].join('\n')]), { ...into, batchSize: 10 });
    expect(report).toMatchObject({ rowsRead: 60, unchanged: 48, refused: 12 });
    expect(refusedOf(rows)).toEqual(Array.from({ length: 12 }, (_, index) => ({ row: index + 2, column: 'Amount Applied', code: 'import.applied_decreased' })));
  });
});

describe('numbers and customer names that read the same (audit `files`, F6)', () => {
  it('records one invoice and one customer for a receivable written with an invisible character, another case or full-width letters', async () => {
    // Before, `D1`, `d1`, `D1\u200B` and `Ｄ1` were four invoices of 100.00 to one customer, and `Acme`, `Acme\u200B` and
    // `Ａｃｍｅ` three partners: the export and the PDF show `D1` twice, `Acme` twice.
    const lookalikes = tenantId('tenant-ar-lookalikes');
    const into = { tenantId: lookalikes, sellerId: (await bed.use(CreatePartner).execute({ tenantId: lookalikes, legalName: 'Lookalike Seller Ltd' })).id };
    const file = [
      'Invoice #,Customer Name,Invoice Date,Due Date,Bill Total,Amount Applied,Status,Currency',
      'D1,Acme,2024-01-02,2024-02-01,100.00,0,Pending,USD',
      'd1,Acme,2024-01-02,2024-02-01,100.00,0,Pending,USD',
      'D1\u200B,Acme,2024-01-02,2024-02-01,100.00,0,Pending,USD',
      'Ｄ1,Acme,2024-01-02,2024-02-01,100.00,0,Pending,USD',
      'D2,Acme\u200B,2024-01-02,2024-02-01,50.00,0,Pending,USD',
      'D3,Ａｃｍｅ,2024-01-02,2024-02-01,25.00,0,Pending,USD',
    ].join('\n');
    const { rows } = await importFile(Readable.from([file]), into);
    expect(rows.map((row) => [row.row, row.outcome, ...row.problems.map((problem) => `${problem.column}:${problem.code}`)])).toEqual([
      [2, 'imported'],
      [3, 'refused', 'Invoice #:import.number_lookalike'],
      [4, 'refused', 'Invoice #:text.invisible_character'],
      [5, 'refused', 'Invoice #:import.number_lookalike'],
      [6, 'refused', 'Customer Name:text.invisible_character'],
      [7, 'imported'],
    ]);
    const customers = (await bed.adapters.partnerQueries.list(lookalikes, {}, { limit: 200 })).items.filter((partner) => partner.id !== into.sellerId);
    expect(customers.map((partner) => partner.legalName)).toEqual(['Acme']);
    const [balance] = await bed.use(GetPartnerBalance).execute({ tenantId: lookalikes, partnerId: customers[0]?.id as PartnerId });
    expect(balance?.outstanding.toString()).toBe('125.00');
    // Sent again, the file changes nothing: the same rows are refused, the others unchanged.
    const again = await importFile(Readable.from([file]), into);
    expect(again.report).toMatchObject({ imported: 0, unchanged: 2, refused: 4 });
  });
});
