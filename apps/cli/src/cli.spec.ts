import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { dropDatabase } from '@invoicing/integration/mongodb';
import { demoUser, integratorClient, passwordGrant } from '@invoicing/stack';
import { parse } from 'csv-parse/sync';

// `invoicing` run as a user runs it (a child process), offline and against the API started on the stack.
jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../../..');
const BIN = join(ROOT, 'apps/cli/bin/invoicing.js');
const SAMPLE = join(ROOT, 'docs/examples/receivables.csv');
const FIXTURES = resolve(ROOT, '../shared/fixtures/en16931');

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `invoicing` with these arguments; `interruptAfterMs` sends Ctrl-C (SIGINT) then. */
function invoicing(args: readonly string[], options: { env?: Record<string, string>; stdin?: string; interruptAfterMs?: number } = {}): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.stdin ?? '');
    if (options.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('invoicing, offline', () => {
  const work = mkdtempSync(join(tmpdir(), 'invoicing-cli-'));

  it('prints its help and each command\'s', async () => {
    const help = await invoicing(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['validate', 'convert', 'login', 'import', 'export']) expect(help.stdout).toContain(command);
    const importHelp = await invoicing(['import', '--help']);
    expect([importHelp.code, importHelp.stdout.includes('--seller <partnerId>')]).toEqual([0, true]);
    expect((await invoicing(['nonsense'])).code).toBe(1);
  });

  it('validates files and folders with the official rule ids, exit 1 when one is invalid', async () => {
    const valid = await invoicing(['validate', join(FIXTURES, 'ubl/ubl-tc434-example1.xml'), join(FIXTURES, 'cii/CII_example1.xml')]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/ubl-tc434-example1\.xml: valid/);
    const broken = join(work, 'broken.xml');
    writeFileSync(broken, readFileSync(join(FIXTURES, 'ubl/ubl-tc434-example1.xml'), 'utf8').replace(/(<cac:LegalMonetaryTotal>\s*<cbc:LineExtensionAmount currencyID="EUR">)[^<]*/, '$11.00'));
    writeFileSync(join(work, 'not-xml.xml'), 'hello');
    const folder = await invoicing(['validate', work, '--json']);
    expect(folder.code).toBe(1);
    const results = JSON.parse(folder.stdout) as { file: string; valid: boolean; findings?: { rule: string }[]; error?: { code: string } }[];
    expect(results.map((result) => [result.file.split('/').at(-1), result.valid])).toEqual([
      ['broken.xml', false],
      ['not-xml.xml', false],
    ]);
    expect(results[0]?.findings?.map((finding) => finding.rule)).toContain('BR-CO-10');
    expect(results[1]?.error?.code).toBe('format.malformed');
  });

  it('converts UBL to CII and back, offline, into a file that validates', async () => {
    const cii = join(work, 'example.cii.xml');
    const ubl = join(work, 'example.ubl.xml');
    expect((await invoicing(['convert', join(FIXTURES, 'ubl/ubl-tc434-example2.xml'), '--to', 'cii', '-o', cii])).code).toBe(0);
    expect(readFileSync(cii, 'utf8')).toContain('CrossIndustryInvoice');
    expect((await invoicing(['convert', cii, '--to', 'ubl', '-o', ubl])).code).toBe(0);
    const check = await invoicing(['validate', cii, ubl]);
    expect([check.code, check.stdout.match(/: valid/g)?.length]).toEqual([0, 2]);
    // To stdout, the converted file is the output: a JSON summary would follow it and corrupt it.
    const toStdout = await invoicing(['convert', cii, '--to', 'ubl']);
    expect([toStdout.code, toStdout.stdout.trimEnd().endsWith('</Invoice>')]).toEqual([0, true]);
    const jsonToStdout = await invoicing(['--json', 'convert', cii, '--to', 'ubl']);
    expect([jsonToStdout.code, jsonToStdout.stdout, jsonToStdout.stderr]).toEqual([1, '', expect.stringContaining('--json needs --out')]);
  });

  it('renders a PDF and a Factur-X offline; the Factur-X validates and converts back to the same e-invoice', async () => {
    const source = join(FIXTURES, 'cii/CII_example5.xml');
    const pdf = join(work, 'example5.pdf');
    const facturX = join(work, 'example5.factur-x.pdf');
    expect((await invoicing(['convert', source, '--to', 'pdf', '-o', pdf, '--locale', 'de-DE'])).code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await invoicing(['convert', source, '--to', 'factur-x', '-o', facturX])).code).toBe(0);
    const checked = await invoicing(['validate', facturX]);
    expect([checked.code, checked.stdout]).toEqual([0, expect.stringContaining('example5.factur-x.pdf: valid')]);
    const back = join(work, 'example5.back.cii.xml');
    const direct = join(work, 'example5.direct.cii.xml');
    expect((await invoicing(['convert', facturX, '--to', 'cii', '-o', back])).code).toBe(0);
    expect((await invoicing(['convert', source, '--to', 'cii', '-o', direct])).code).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe(readFileSync(direct, 'utf8'));
    // A plain PDF carries no invoice: not an e-invoice, exit 1.
    const plain = await invoicing(['validate', pdf]);
    expect([plain.code, plain.stdout]).toEqual([1, expect.stringContaining('format.unknown_root')]);
  });

  it('says how to sign in when a command needs the API and no token is saved', async () => {
    const ran = await invoicing(['import', SAMPLE, '--seller', 'x'], { env: { INVOICING_CONFIG_DIR: join(work, 'nowhere'), INVOICING_TOKEN: '' } });
    expect(ran.code).toBe(1);
    expect(ran.stderr).toMatch(/not signed in .*invoicing login/);
  });
});

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

describe('invoicing, against the API', () => {
  const work = mkdtempSync(join(tmpdir(), 'invoicing-cli-api-'));
  const config = { INVOICING_CONFIG_DIR: join(work, 'config'), INVOICING_TOKEN: '' };
  let api: ChildProcess;
  let apiUrl: string;
  let admin: string;
  let sellerId: string;
  const database = `cli_${randomUUID().slice(0, 8)}`;

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    const { MONGO_URL = '', KEYCLOAK_URL = '', KEYCLOAK_REALM = 'invoicing' } = process.env;
    api = spawn(process.execPath, [join(ROOT, 'tools/scripts/run-ts.js'), join(ROOT, 'apps/api/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM, MONGO_DB: database, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: apiUrl, RATE_LIMIT_PER_IP: '0', RATE_LIMIT_INVALID_TOKENS_PER_IP: '0', RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_PER_TENANT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((done, fail) => {
      let output = '';
      api.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('invoicing API started')) done();
      });
      api.on('exit', (code) => fail(new Error(`the API stopped (${code}): ${output.slice(-2000)}`)));
    });
    admin = (await passwordGrant({ keycloakUrl: KEYCLOAK_URL, realm: KEYCLOAK_REALM }, demoUser('acme', 'admin'))).access_token;
    sellerId = (await call('POST', '/v1/partners', { legalName: 'Northwind Traders Inc.' })).id as string;
  });
  afterAll(async () => {
    api?.kill('SIGTERM');
    await new Promise((done) => (api?.exitCode !== null ? done(undefined) : api.once('exit', done)));
    await dropDatabase(process.env.MONGO_URL ?? '', database).catch(() => undefined);
  });

  it('signs an integrator in, saving its token where only its owner can read it, and never printing it', async () => {
    const client = integratorClient('acme');
    const refused = await invoicing(['login', '--api-url', apiUrl, '--client-id', client.clientId], { env: { ...config, INVOICING_CLIENT_SECRET: 'wrong' } });
    expect(refused.code).toBe(1);
    const ran = await invoicing(['login', '--api-url', apiUrl, '--client-id', client.clientId, '--client-secret-stdin'], { env: config, stdin: `${client.clientSecret}\n` });
    expect([ran.code, ran.stdout]).toEqual([0, expect.stringContaining(`signed in to ${apiUrl} as ${client.clientId}`)]);
    const file = join(config.INVOICING_CONFIG_DIR, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { accessToken: string }>;
    const token = saved[apiUrl]?.accessToken as string;
    expect(token.length).toBeGreaterThan(100);
    expect(ran.stdout + ran.stderr).not.toContain(token);
  });

  it('imports the sample CSV through the API, writes the refused rows to fix, and re-imports it without change', async () => {
    const errors = join(work, 'errors.csv');
    const first = await invoicing(['--api-url', apiUrl, '--json', 'import', SAMPLE, '--seller', sellerId, '--errors', errors], { env: config });
    expect(first.code).toBe(2);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'completed', counts: { rowsRead: 1000, imported: 983, updated: 0, unchanged: 1, refused: 16 } });
    const [header, ...refused] = parse(readFileSync(errors)) as string[][];
    expect([header?.at(-2), header?.at(-1), refused.length]).toEqual(['row', 'errors', 16]);

    const again = await invoicing(['--api-url', apiUrl, 'import', SAMPLE, '--seller', sellerId], { env: config });
    expect(again.code).toBe(2);
    expect(again.stdout).toMatch(/completed: 1000 rows read: 0 imported, 0 updated, 984 unchanged, 16 refused/);
  });

  it('does not export imported invoices as e-invoices: a record without the parties\' addresses is not a valid one, and says which rules it breaks', async () => {
    const invoices = ((await call('GET', '/v1/invoices?limit=2')).items as { id: string }[]).map((invoice) => invoice.id);
    const out = join(work, 'exported');
    mkdirSync(out);
    // The API refuses to hand out a file that breaks EN 16931 (6 December 2026: it answered the invalid file).
    const exported = await invoicing(['--api-url', apiUrl, '--json', 'export', ...invoices, '--to', 'ubl', '-o', out], { env: config });
    expect(exported.code).toBe(1);
    expect(readdirSync(out)).toEqual([]);
    const refused = JSON.parse(exported.stdout) as { refused?: { code: string; rules?: string[] } }[];
    expect(refused.map((result) => result.refused?.code)).toEqual(['e_invoice.invalid', 'e_invoice.invalid']);
    // The seller's and buyer's postal addresses (BR-08, BR-10): an export of accounts receivable has none.
    expect(refused[0]?.refused?.rules).toEqual(expect.arrayContaining(['BR-08', 'BR-10']));
    // A Factur-X says it conforms to EN 16931: such a record is refused, with the rules it breaks; its PDF is drawn.
    const asFacturX = await invoicing(['--api-url', apiUrl, 'export', invoices[0] as string, '--to', 'factur-x', '-o', out], { env: config });
    expect([asFacturX.code, asFacturX.stdout]).toEqual([1, expect.stringContaining('e_invoice.invalid')]);
    expect(readdirSync(out).some((name) => name.endsWith('.factur-x.pdf'))).toBe(false);
    const asPdf = await invoicing(['--api-url', apiUrl, 'export', invoices[0] as string, '--to', 'pdf', '-o', out], { env: config });
    expect(asPdf.code).toBe(0);
    expect(readdirSync(out).some((name) => name.endsWith('.pdf'))).toBe(true);
    const missing = await invoicing(['--api-url', apiUrl, 'export', '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b'], { env: config });
    expect([missing.code, missing.stdout]).toEqual([1, expect.stringContaining('invoice.not_found')]);
  });

  it('exports the invoices a query matches: as PDFs, and as one CSV list that agrees with the file imported', async () => {
    const byQuery = join(work, 'by-query');
    mkdirSync(byQuery);
    const ran = await invoicing(['--api-url', apiUrl, 'export', '--to', 'csv', '--status', 'issued,partially_paid', '-o', byQuery], { env: config });
    expect(ran.code).toBe(0);
    const [header, ...rows] = parse(readFileSync(join(byQuery, 'invoices.csv'))) as string[][];
    const column = (name: string) => (header as string[]).indexOf(name);
    // The sample's invoices still owed, each once: the rows the import took (refused rows and a repeat left out) whose
    // amount applied is below their total.
    const [sampleHeader, ...sample] = parse(readFileSync(SAMPLE), { bom: true, relax_column_count: true }) as string[][];
    const at = (name: string) => (sampleHeader as string[]).indexOf(name);
    const refusedRows = new Set([12, 57, 101, 150, 203, 250, 301, 349, 402, 455, 502, 560, 648, 751, 850, 903]);
    const owed = new Set(
      sample
        .filter((record, index) => !refusedRows.has(index + 2) && record[at('Status')] === 'Pending')
        .map((record) => record[at('Invoice #')] as string),
    );
    expect(new Set(rows.map((row) => row[column('Invoice #')]))).toEqual(owed);
    expect(rows.every((row) => ['issued', 'partially_paid'].includes(row[column('Status')] as string))).toBe(true);

    const pdfs = join(work, 'pdfs');
    mkdirSync(pdfs);
    const from = await invoicing(['--api-url', apiUrl, 'export', '--to', 'pdf', '--issued-from', '2024-01-02', '--issued-to', '2024-01-03', '-o', pdfs], { env: config });
    expect(from.code).toBe(0);
    const expected = sample.filter((record) => ['2024-01-02', '2024-01-03'].includes(record[at('Invoice Date')] as string)).map((record) => `${record[at('Invoice #')]}.pdf`);
    expect(readdirSync(pdfs).sort()).toEqual(expected.sort());
  });

  it('imports several files on: one report of refused rows per CSV file, a file it cannot read reported, and the worst outcome as exit code', async () => {
    const folder = join(work, 'several');
    mkdirSync(folder);
    const header = 'Invoice #,Customer Name,Invoice Date,Customer Terms,Bill Total,Amount Applied,Status,Currency';
    writeFileSync(join(folder, 'march.csv'), `${header}\nM-1,Acme,2024-03-01,Net 30,10.00,0,Pending,USD\nM-2,Acme,2024-03-02,Net 30,-5.00,0,Pending,USD\n`);
    writeFileSync(join(folder, 'april.csv'), `${header}\nA-1,Acme,2024-04-01,Net 30,20.00,0,Pending,USD\nA-2,Acme,2024-04-02,Net 30,-6.00,0,Pending,USD\n`);
    writeFileSync(join(folder, 'scan.pdf'), '%PDF-1.4 not a Factur-X');
    const errors = join(work, 'refused.csv');
    writeFileSync(errors, 'left from an earlier run');
    const ran = await invoicing(['--api-url', apiUrl, '--json', 'import', folder, '--seller', sellerId, '--partnership', 'p-unused', '--errors', errors], { env: config });
    // A file refused (1) is worse than rows refused (2): Math.max would have said 2.
    expect(ran.code).toBe(1);
    const results = JSON.parse(ran.stdout) as { file: string; refused?: { code: string }; counts?: { refused: number } }[];
    expect(results.map((result) => [result.file.split('/').at(-1), result.refused?.code ?? result.counts?.refused])).toEqual([
      ['april.csv', 1],
      ['march.csv', 1],
      ['scan.pdf', 'format.malformed'],
    ]);
    expect((parse(readFileSync(join(work, 'refused.april.csv'))) as string[][]).map((row) => row[0])).toEqual(['Invoice #', 'A-2']);
    expect((parse(readFileSync(join(work, 'refused.march.csv'))) as string[][]).map((row) => row[0])).toEqual(['Invoice #', 'M-2']);
    // One file alone writes --errors itself; with no row refused, a report from an earlier run is removed.
    const alone = await invoicing(['--api-url', apiUrl, 'import', join(folder, 'march.csv'), '--seller', sellerId, '--errors', errors], { env: config });
    expect(alone.code).toBe(2);
    expect(readFileSync(errors, 'utf8')).toContain('M-2');
    writeFileSync(join(folder, 'march.csv'), `${header}\nM-1,Acme,2024-03-01,Net 30,10.00,0,Pending,USD\n`);
    expect((await invoicing(['--api-url', apiUrl, 'import', join(folder, 'march.csv'), '--seller', sellerId, '--errors', errors], { env: config })).code).toBe(0);
    expect(() => statSync(errors)).toThrow();
  });

  it('stops waiting on Ctrl-C, says what was done so far, and leaves the import running in the API', async () => {
    const rows = readFileSync(SAMPLE, 'utf8').replace(/^(\uFEFF?[^\n]*\n)/, '').replace(/(^|\n)1(\d{5}),/g, '$12$2,');
    const bigger = join(work, 'second-year.csv');
    writeFileSync(bigger, `${readFileSync(SAMPLE, 'utf8').split('\n')[0]}\n${rows}`);
    const ran = await invoicing(['--api-url', apiUrl, 'import', bigger, '--seller', sellerId], { env: config, interruptAfterMs: 4000 });
    expect(ran.code).toBe(130);
    expect(ran.stdout).toMatch(/stopped waiting; import \S+ goes on in the API \(\d+ rows read/);
  });
});
