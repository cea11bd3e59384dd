import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
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

/**
 * Runs `invoicing` with these arguments. Ctrl-C (SIGINT) is sent `interruptAfterMs` after the start, when stdout first
 * matches `interruptOn`, or when `interruptWhen` resolves.
 */
function invoicing(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; interruptAfterMs?: number; interruptOn?: RegExp; interruptWhen?: Promise<unknown> } = {},
): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const interrupt = () => {
      if (!interrupted) child.kill('SIGINT');
      interrupted = true;
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.interruptOn?.test(stdout)) interrupt();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.stdin ?? '');
    if (options.interruptAfterMs !== undefined) setTimeout(interrupt, options.interruptAfterMs);
    void options.interruptWhen?.then(interrupt);
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
    expect([jsonToStdout.code, JSON.parse(jsonToStdout.stdout), jsonToStdout.stderr]).toEqual([
      1,
      { error: { code: 'cli.usage', message: expect.stringContaining('--json needs --out') } },
      expect.stringContaining('--json needs --out'),
    ]);
  });

  it('does not write a conversion over a file already there unless --force, and leaves no temporary file', async () => {
    const source = join(FIXTURES, 'ubl/ubl-tc434-example1.xml');
    const folder = join(work, 'taken');
    mkdirSync(folder);
    const target = join(folder, 'example1.cii.xml');
    writeFileSync(target, 'mine');
    const refused = await invoicing(['convert', source, '--to', 'cii', '-o', target]);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/example1\.cii\.xml exists already.*--force/)]);
    expect(readFileSync(target, 'utf8')).toBe('mine');
    const forced = await invoicing(['convert', source, '--to', 'cii', '-o', target, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('CrossIndustryInvoice');
    expect(readdirSync(folder)).toEqual(['example1.cii.xml']);
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

  it('prints JSON in one shape: a list from a command of several files even for one, and {error} when it fails', async () => {
    const one = await invoicing(['--json', 'validate', join(FIXTURES, 'ubl/ubl-tc434-example1.xml')]);
    expect([one.code, JSON.parse(one.stdout)]).toEqual([0, [expect.objectContaining({ valid: true })]]);
    const missing = await invoicing(['--json', 'validate', join(work, 'nosuch.xml')]);
    expect([missing.code, JSON.parse(missing.stdout)]).toEqual([1, { error: { code: 'cli.no_match', message: expect.stringContaining('nosuch.xml') } }]);
    const usage = await invoicing(['validate', '--json']);
    expect([usage.code, JSON.parse(usage.stdout)]).toEqual([1, { error: { code: 'commander.missingArgument', message: expect.any(String) } }]);
    const converted = join(work, 'shape.cii.xml');
    const single = await invoicing(['--json', 'convert', join(FIXTURES, 'ubl/ubl-tc434-example1.xml'), '--to', 'cii', '-o', converted]);
    expect([single.code, JSON.parse(single.stdout)]).toEqual([0, expect.objectContaining({ to: converted, toSyntax: 'cii' })]);
  });

  it('refuses a folder with no file to read, as it refuses a pattern that matches nothing', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'not an invoice');
    const folder = await invoicing(['--json', 'validate', empty]);
    expect([folder.code, JSON.parse(folder.stdout)]).toEqual([1, { error: { code: 'cli.no_match', message: expect.stringContaining('empty') } }]);
    const pattern = await invoicing(['--json', 'validate', join(work, 'nothing-*.xml')]);
    expect([pattern.code, JSON.parse(pattern.stdout)]).toEqual([1, { error: { code: 'cli.no_match', message: expect.stringContaining('nothing-*.xml') } }]);
  });

  it('reports a file it cannot read and checks the others', async () => {
    // /proc/self/mem answers a read with an I/O error (EIO), as a failing disk would (tests may run as root, who reads
    // a file of any mode).
    const ran = await invoicing(['--json', 'validate', '/proc/self/mem', join(FIXTURES, 'ubl/ubl-tc434-example1.xml')]);
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toEqual([
      { file: expect.stringMatching(/proc\/self\/mem$/), valid: false, error: { code: 'EIO', message: expect.any(String) } },
      expect.objectContaining({ valid: true }),
    ]);
  });

  it('stops validating on Ctrl-C between two files, says how far it got, exit 130', async () => {
    const many = join(work, 'many');
    mkdirSync(many);
    for (let index = 0; index < 300; index += 1) copyFileSync(join(FIXTURES, 'ubl/ubl-tc434-example1.xml'), join(many, `${String(index).padStart(3, '0')}.xml`));
    const ran = await invoicing(['validate', many], { interruptOn: /: valid/ });
    expect(ran.code).toBe(130);
    const [, done, total] = /stopped after (\d+) of (\d+) files/.exec(ran.stderr) ?? [];
    expect([Number(done) < 300, total]).toEqual([true, '300']);
    expect(ran.stdout.match(/: valid/g)?.length).toBe(Number(done));
  });

  it('stops converting on Ctrl-C while the file is read, and writes nothing', async () => {
    // A pipe stands for a slow disk: the command reads what is written into it, and waits for the rest.
    const slow = join(work, 'slow.xml');
    execFileSync('mkfifo', [slow]);
    const xml = readFileSync(join(FIXTURES, 'ubl/ubl-tc434-example1.xml'));
    const target = join(work, 'never.cii.xml');
    const writer = open(slow, 'w');
    const begun = writer.then((handle) => handle.write(xml.subarray(0, 1000)));
    const running = invoicing(['convert', slow, '--to', 'cii', '-o', target], { interruptWhen: begun });
    await begun;
    await new Promise((done) => setTimeout(done, 500));
    const handle = await writer;
    await handle.write(xml.subarray(1000)).catch(() => undefined);
    await handle.close();
    const ran = await running;
    expect([ran.code, existsSync(target)]).toEqual([130, false]);
  });

  it('names the sign-in server it cannot reach, and why', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}/realms/invoicing`;
    const tokenUrl = `${issuer}/protocol/openid-connect/token`;
    const api = await fakeApi(tokenUrl);
    try {
      const ran = await invoicing(['login', '--api-url', api.url, '--client-id', 'integrator-acme', '--issuer', issuer], { env: { INVOICING_CONFIG_DIR: join(work, 'config'), INVOICING_CLIENT_SECRET: 'secret' } });
      expect([ran.code, ran.stderr]).toEqual([1, expect.stringContaining(`cannot reach the sign-in server at ${tokenUrl}: connect ECONNREFUSED`)]);
    } finally {
      await api.close();
    }
  });

  it('stops signing in on Ctrl-C, exit 130', async () => {
    const api = await fakeApi();
    try {
      const ran = await invoicing(['login', '--api-url', api.url, '--client-id', 'integrator-acme', '--issuer', api.url], {
        env: { INVOICING_CONFIG_DIR: join(work, 'config'), INVOICING_CLIENT_SECRET: 'secret' },
        interruptWhen: api.tokenAsked,
      });
      expect(ran.code).toBe(130);
    } finally {
      await api.close();
    }
  });

  it('sends the client secret only to a token endpoint it trusts, never to one a stand-in for the API names', async () => {
    // A stand-in for the API (another user's process that took its port first) names a token endpoint of its own, or
    // one on another server of the machine, and answers a token to whoever sends it a secret.
    const received: string[] = [];
    const thief = await listen((request, response) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        response.writeHead(200, { 'content-type': 'application/json' });
        if (request.url === '/openapi.json') return void response.end(JSON.stringify({ components: { securitySchemes: { x: { flows: { clientCredentials: { tokenUrl: `${thief.url}/steal` } } } } } }));
        received.push(`${request.url} ${Buffer.concat(chunks).toString()}`);
        response.end(JSON.stringify({ access_token: 'stolen', expires_in: 300 }));
      })();
    });
    const elsewhere = await fakeApi(`${thief.url}/realms/invoicing/protocol/openid-connect/token`);
    const env = { INVOICING_CONFIG_DIR: join(work, 'config'), INVOICING_CLIENT_SECRET: 'integrator-acme-secret' };
    try {
      for (const api of [thief.url, elsewhere.url]) {
        const ran = await invoicing(['--json', 'login', '--api-url', api, '--client-id', 'integrator-acme'], { env });
        expect([ran.code, JSON.parse(ran.stdout)]).toEqual([1, { error: { code: 'cli.signin_untrusted', message: expect.stringContaining(`${thief.url}/`) } }]);
      }
      expect(received).toEqual([]);
      // Once the user names the sign-in server (--issuer, or INVOICING_ISSUER), it gets the secret.
      const confirmed = await invoicing(['login', '--api-url', elsewhere.url, '--client-id', 'integrator-acme', '--issuer', `${thief.url}/realms/invoicing`], { env });
      expect(confirmed.code).toBe(0);
      const byEnv = await invoicing(['login', '--api-url', thief.url, '--client-id', 'integrator-acme'], { env: { ...env, INVOICING_ISSUER: thief.url } });
      expect(byEnv.code).toBe(0);
      expect(received).toEqual([expect.stringMatching(/^\/realms\/invoicing\/protocol\/openid-connect\/token .*client_secret=integrator-acme-secret/), expect.stringMatching(/^\/steal /)]);
    } finally {
      await thief.close();
      await elsewhere.close();
    }
  });
});

/** An HTTP server on loopback, with its address. */
async function listen(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

/**
 * A stand-in for the API whose OpenAPI document names a token endpoint: `tokenUrl`, else its own `/token`, which
 * answers nothing for 10 seconds (then 503); `tokenAsked` resolves when a client asks it.
 */
async function fakeApi(tokenUrl?: string): Promise<{ url: string; tokenAsked: Promise<void>; close: () => Promise<void> }> {
  let asked: () => void = () => undefined;
  const tokenAsked = new Promise<void>((done) => (asked = done));
  const server = await listen((request, response) => {
    if (request.url === '/openapi.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ components: { securitySchemes: { keycloak: { flows: { clientCredentials: { tokenUrl: tokenUrl ?? `${server.url}/token` } } } } } }));
      return;
    }
    asked();
    setTimeout(() => response.writeHead(503).end(), 10_000).unref();
  });
  return { ...server, tokenAsked };
}

/**
 * A proxy to the API that fails every poll of an import (`GET /v1/receivables-imports/{id}`): `401
 * auth.token_expired` as the API answers once a token has expired, or a dropped connection.
 */
function pollsFailing(apiUrl: string, how: 'token_expired' | 'network'): Promise<{ url: string; close: () => Promise<void> }> {
  return listen((request, response) => {
    if (request.method === 'GET' && /^\/v1\/receivables-imports\/[^/?]+$/.test(request.url ?? '')) {
      if (how === 'network') return void request.socket.destroy();
      response.writeHead(401, { 'content-type': 'application/problem+json' });
      return void response.end(JSON.stringify({ status: 401, code: 'auth.token_expired', detail: 'The access token has expired: get a new one.' }));
    }
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(['authorization', 'content-type', 'accept'].flatMap((name) => (request.headers[name] ? [[name, String(request.headers[name])]] : [])));
      const answer = await fetch(`${apiUrl}${request.url}`, { method: request.method ?? 'GET', headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) });
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      response.end(Buffer.from(await answer.arrayBuffer()));
    })();
  });
}

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

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return (await response.json()) as Record<string, unknown>;
  };
  /** The first issued invoices, newest first. */
  type Issued = { id: string; number: string };
  const issued = async (count: number) => (await call('GET', `/v1/invoices?status=issued&limit=${count}`)).items as Issued[];
  /** An import once it has ended, as the API answers it. */
  const ended = async (importId: string) => {
    for (let waited = 0; waited < 60_000; waited += 250) {
      const job = await call('GET', `/v1/receivables-imports/${importId}`);
      if (job.status !== 'running') return job;
      await new Promise((done) => setTimeout(done, 250));
    }
    throw new Error(`import ${importId} still runs after a minute`);
  };
  const HEADER = 'Invoice #,Customer Name,Invoice Date,Customer Terms,Bill Total,Amount Applied,Status,Currency';

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
    expect(JSON.parse(first.stdout)).toMatchObject([{ status: 'completed', counts: { rowsRead: 1000, imported: 983, updated: 0, unchanged: 1, refused: 16 }, errorsFile: errors }]);
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
    // One file alone writes --errors itself; with --force, a report from an earlier run is replaced, or removed when no
    // row is refused.
    const alone = await invoicing(['--api-url', apiUrl, 'import', join(folder, 'march.csv'), '--seller', sellerId, '--errors', errors, '--force'], { env: config });
    expect(alone.code).toBe(2);
    expect(readFileSync(errors, 'utf8')).toContain('M-2');
    writeFileSync(join(folder, 'march.csv'), `${header}\nM-1,Acme,2024-03-01,Net 30,10.00,0,Pending,USD\n`);
    expect((await invoicing(['--api-url', apiUrl, 'import', join(folder, 'march.csv'), '--seller', sellerId, '--errors', errors, '--force'], { env: config })).code).toBe(0);
    expect(() => statSync(errors)).toThrow();
  });

  it('keeps the id of an import it can no longer follow (token expired, network down): it goes on in the API, exit 3', async () => {
    const file = join(work, 'followed.csv');
    writeFileSync(file, `${HEADER}\nF-1,Acme,2024-05-01,Net 30,10.00,0,Pending,USD\nF-2,Acme,2024-05-02,Net 30,-5.00,0,Pending,USD\n`);
    const expired = await pollsFailing(apiUrl, 'token_expired');
    try {
      const ran = await invoicing(['--api-url', expired.url, 'import', file, '--seller', sellerId, '--errors', join(work, 'followed.refused.csv')], { env: { ...config, INVOICING_TOKEN: admin } });
      expect(ran.code).toBe(3);
      const importId = /import (\S+) goes on in the API/.exec(ran.stdout)?.[1] as string;
      expect(ran.stdout).toContain(`invoicing login --api-url ${expired.url}`);
      expect(ran.stdout).toContain(`GET ${expired.url}/v1/receivables-imports/${importId}`);
      // It went on without the command, and ended as it would have.
      expect(await ended(importId)).toMatchObject({ status: 'completed', counts: { rowsRead: 2, imported: 1, refused: 1 } });
    } finally {
      await expired.close();
    }
    const down = await pollsFailing(apiUrl, 'network');
    try {
      const ran = await invoicing(['--api-url', down.url, '--json', 'import', file, '--seller', sellerId], { env: { ...config, INVOICING_TOKEN: admin } });
      expect(ran.code).toBe(3);
      const [result] = JSON.parse(ran.stdout) as { importId: string }[];
      expect(result).toMatchObject({ file: expect.stringContaining('followed.csv'), importId: expect.any(String), status: 'running', followError: { code: 'cli.api_unreachable' } });
      expect(await ended(result?.importId as string)).toMatchObject({ status: 'completed', counts: { unchanged: 1, refused: 1 } });
    } finally {
      await down.close();
    }
  });

  it('writes one report per CSV file though two have the same name, and never writes one over a file to import', async () => {
    const folder = join(work, 'same-name');
    mkdirSync(join(folder, 'a'), { recursive: true });
    mkdirSync(join(folder, 'b'));
    const a = join(folder, 'a', 'may.csv');
    const b = join(folder, 'b', 'may.csv');
    writeFileSync(a, `${HEADER}\nSA-1,Acme,2024-05-01,Net 30,10.00,0,Pending,USD\nSA-2,Acme,2024-05-02,Net 30,-5.00,0,Pending,USD\n`);
    writeFileSync(b, `${HEADER}\nSB-1,Acme,2024-05-01,Net 30,10.00,0,Pending,USD\n`);
    const errors = join(folder, 'refused.csv');
    // b has no row refused: its run must not remove the report a's run wrote.
    const ran = await invoicing(['--api-url', apiUrl, 'import', a, b, '--seller', sellerId, '--errors', errors], { env: config });
    expect(ran.code).toBe(2);
    expect((parse(readFileSync(join(folder, 'refused.may.csv'))) as string[][]).map((row) => row[0])).toEqual(['Invoice #', 'SA-2']);
    writeFileSync(b, `${HEADER}\nSB-1,Acme,2024-05-01,Net 30,10.00,0,Pending,USD\nSB-2,Acme,2024-05-02,Net 30,-6.00,0,Pending,USD\n`);
    const both = await invoicing(['--api-url', apiUrl, '--json', 'import', a, b, '--seller', sellerId, '--errors', errors, '--force'], { env: config });
    expect(both.code).toBe(2);
    const reports = (JSON.parse(both.stdout) as { errorsFile?: string }[]).map((result) => result.errorsFile as string);
    expect(reports).toEqual([join(folder, 'refused.may.csv'), join(folder, 'refused.may-2.csv')]);
    expect(reports.map((report) => (parse(readFileSync(report)) as string[][]).map((row) => row[0]))).toEqual([
      ['Invoice #', 'SA-2'],
      ['Invoice #', 'SB-2'],
    ]);
    const onItself = await invoicing(['--api-url', apiUrl, 'import', a, '--seller', sellerId, '--errors', a], { env: config });
    expect([onItself.code, onItself.stderr]).toEqual([1, expect.stringContaining('is one of the files to import')]);
    expect(readFileSync(a, 'utf8')).toContain('SA-2,Acme');
  });

  it('never writes over nor removes a file at --errors unless --force, and never the --mapping file, even by another path', async () => {
    const folder = join(work, 'errors-kept');
    mkdirSync(folder);
    const clean = join(folder, 'clean.csv');
    const refusing = join(folder, 'refusing.csv');
    writeFileSync(clean, `${HEADER}\nK-1,Acme,2024-06-01,Net 30,10.00,0,Pending,USD\n`);
    writeFileSync(refusing, `${HEADER}\nK-2,Acme,2024-06-02,Net 30,10.00,0,Pending,USD\nK-3,Acme,2024-06-03,Net 30,-5.00,0,Pending,USD\n`);
    const mapping = join(folder, 'mapping.yaml');
    writeFileSync(mapping, 'currency: USD\n');
    symlinkSync(folder, join(folder, 'alias'));
    const import_ = (file: string, errors: string, ...more: string[]) =>
      invoicing(['--api-url', apiUrl, '--json', 'import', file, '--seller', sellerId, '--mapping', mapping, '--errors', errors, ...more], { env: config });
    const failure = (ran: Ran) => [ran.code, JSON.parse(ran.stdout)];

    // The mapping is an input: never an output, by its own name or through a link to its folder, --force or not.
    for (const errors of [mapping, join(folder, 'alias', 'mapping.yaml')]) {
      for (const [file, more] of [[clean, []], [refusing, []], [clean, ['--force']], [refusing, ['--force']]] as const) {
        expect(failure(await import_(file, errors, ...more))).toEqual([1, { error: { code: 'cli.usage', message: expect.stringContaining('--mapping') } }]);
      }
    }
    expect(readFileSync(mapping, 'utf8')).toBe('currency: USD\n');

    // A file already there is neither removed (no row refused) nor replaced (rows refused), and nothing is imported.
    const mine = join(folder, 'mine.csv');
    writeFileSync(mine, 'precious,data\n');
    for (const file of [clean, refusing]) {
      expect(failure(await import_(file, mine))).toEqual([1, { error: { code: 'cli.file_exists', message: expect.stringContaining('--force') } }]);
    }
    expect(readFileSync(mine, 'utf8')).toBe('precious,data\n');

    // --force replaces it with the report, whole (no temporary file left), and removes it when no row is refused. The
    // rows are imported now, not before: the runs refused above sent nothing.
    const replaced = await import_(refusing, mine, '--force');
    expect([replaced.code, JSON.parse(replaced.stdout)]).toEqual([2, [expect.objectContaining({ counts: expect.objectContaining({ imported: 1, refused: 1 }), errorsFile: mine })]]);
    expect((parse(readFileSync(mine)) as string[][]).map((row) => row[0])).toEqual(['Invoice #', 'K-3']);
    const removed = await import_(clean, mine, '--force');
    expect([removed.code, JSON.parse(removed.stdout)]).toEqual([0, [expect.objectContaining({ counts: expect.objectContaining({ imported: 1, refused: 0 }) })]]);
    expect(readdirSync(folder).sort()).toEqual(['alias', 'clean.csv', 'mapping.yaml', 'refusing.csv']);
  });

  it('never writes over a file already there: an export takes <number>-<id>, a list is refused unless --force', async () => {
    const { id, number } = ((await issued(1)) as [Issued])[0];
    const folder = join(work, 'kept');
    mkdirSync(folder);
    const mine = join(folder, `${number}.pdf`);
    writeFileSync(mine, 'mine');
    const export_ = (...more: string[]) => invoicing(['--api-url', apiUrl, 'export', id, '-o', folder, ...more], { env: config });
    expect((await export_('--to', 'pdf')).code).toBe(0);
    expect(readFileSync(mine, 'utf8')).toBe('mine');
    expect(readFileSync(join(folder, `${number}-${id}.pdf`)).subarray(0, 5).toString()).toBe('%PDF-');
    // Both names taken: refused, nothing replaced, no temporary file left.
    const again = await export_('--to', 'pdf');
    expect([again.code, again.stdout]).toEqual([1, expect.stringContaining('--force')]);
    expect(readdirSync(folder).sort()).toEqual([`${number}-${id}.pdf`, `${number}.pdf`]);
    expect(readFileSync(mine, 'utf8')).toBe('mine');
    expect((await export_('--to', 'pdf', '--force')).code).toBe(0);
    expect(readFileSync(mine).subarray(0, 5).toString()).toBe('%PDF-');

    const list = join(folder, 'invoices.csv');
    writeFileSync(list, 'mine');
    const csv = await export_('--to', 'csv');
    expect([csv.code, csv.stdout]).toEqual([1, expect.stringMatching(/invoices\.csv exists already.*--force/)]);
    expect(readFileSync(list, 'utf8')).toBe('mine');
    expect((await export_('--to', 'csv', '--force')).code).toBe(0);
    expect(readFileSync(list, 'utf8')).toContain(id);
    expect(readdirSync(folder).sort()).toEqual([`${number}-${id}.pdf`, `${number}.pdf`, 'invoices.csv']);
  });

  it('reports an invoice it cannot write and writes the others', async () => {
    const [first, second] = (await issued(2)) as [Issued, Issued];
    const folder = join(work, 'blocked');
    // Both names the first invoice's file could take are folders.
    mkdirSync(join(folder, `${first.number}.pdf`), { recursive: true });
    mkdirSync(join(folder, `${first.number}-${first.id}.pdf`));
    const ran = await invoicing(['--api-url', apiUrl, '--json', 'export', first.id, second.id, '--to', 'pdf', '-o', folder], { env: config });
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toEqual([
      { invoiceId: first.id, error: { code: 'cli.file_exists', message: expect.any(String) } },
      { invoiceId: second.id, file: join(folder, `${second.number}.pdf`) },
    ]);
  });

  it('lists the invoices named in a CSV file as the query export does, and reports each id it does not find', async () => {
    const [first] = (await issued(1)) as [Issued];
    const unknown = '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
    const named = join(work, 'named-list');
    const queried = join(work, 'queried-list');
    mkdirSync(named);
    mkdirSync(queried);
    const ran = await invoicing(['--api-url', apiUrl, '--json', 'export', first.id, unknown, '--to', 'csv', '-o', named], { env: config });
    expect(ran.code).toBe(1);
    expect(JSON.parse(ran.stdout)).toEqual([
      { invoiceId: unknown, refused: expect.objectContaining({ status: 404, code: 'invoice.not_found' }) },
      { file: join(named, 'invoices.csv'), invoices: 1 },
    ]);
    expect((await invoicing(['--api-url', apiUrl, 'export', '--to', 'csv', '--status', 'issued', '-o', queried], { env: config })).code).toBe(0);
    const [header, ...rows] = parse(readFileSync(join(named, 'invoices.csv'))) as string[][];
    const [, ...all] = parse(readFileSync(join(queried, 'invoices.csv'))) as string[][];
    const id = (header as string[]).indexOf('Id');
    expect(rows).toEqual(all.filter((row) => row[id] === first.id));
  });

  it('stops exporting on Ctrl-C between two invoices, says how far it got, exit 130', async () => {
    const folder = join(work, 'interrupted');
    mkdirSync(folder);
    const ran = await invoicing(['--api-url', apiUrl, 'export', '--to', 'pdf', '--issued-from', '2024-01-01', '--issued-to', '2024-03-31', '-o', folder], { env: config, interruptOn: / → / });
    expect(ran.code).toBe(130);
    const [, done, total] = /stopped after (\d+) of (\d+) invoices/.exec(ran.stderr) ?? [];
    expect(Number(done)).toBeLessThan(Number(total));
    expect(readdirSync(folder)).toHaveLength(Number(done));
  });

  it('stops waiting on Ctrl-C, says what was done so far, and leaves the import running in the API', async () => {
    const rows = readFileSync(SAMPLE, 'utf8').replace(/^(\uFEFF?[^\n]*\n)/, '').replace(/(^|\n)1(\d{5}),/g, '$12$2,');
    const bigger = join(work, 'second-year.csv');
    writeFileSync(bigger, `${readFileSync(SAMPLE, 'utf8').split('\n')[0]}\n${rows}`);
    const ran = await invoicing(['--api-url', apiUrl, 'import', bigger, '--seller', sellerId], { env: config, interruptAfterMs: 4000 });
    expect(ran.code).toBe(130);
    expect(ran.stdout).toMatch(/stopped waiting; import \S+ goes on in the API \(\d+ rows read/);
    expect(ran.stderr).toContain('stopped after 0 of 1 files');
  });

  it('exports a CSV that reconciles row by row: total − prepaid + rounding = amount due, and amount due − paid − credited = outstanding', async () => {
    /** What the API answered, once sure it is not a problem. */
    const done = async (answer: Promise<Record<string, unknown>>) => {
      const body = await answer;
      if (body.code !== undefined) throw new Error(`the API refused: ${JSON.stringify(body)}`);
      return body;
    };
    const party = async (legalName: string, countryCode: string, vatId: string) =>
      (await done(call('POST', '/v1/partners', { legalName, identifiers: { vatId }, addresses: [{ lines: ['1 Main Street'], city: 'Paris', postalCode: '75002', countryCode }] }))).id as string;
    const seller = await party('Reconciled Seller SAS', 'FR', 'FR32123456789');
    const buyer = await party('Reconciled Buyer GmbH', 'DE', 'DE123456789');
    const partnership = async (currency: string) =>
      (await done(call('POST', '/v1/partnerships', { sellerId: seller, buyerId: buyer, currency, paymentTerms: { kind: 'net', days: 30 }, validFrom: '2020-01-01' }))).id as string;
    const [eur, jpy] = [await partnership('EUR'), await partnership('JPY')];
    const line = (name: string, quantity: string, netPrice: string, rate: string) => ({ name, unitCode: 'C62', quantity, netPrice, vat: { code: 'S', rate } });
    const issue = async (partnershipId: string, content: Record<string, unknown>) => {
      const draft = await done(call('POST', '/v1/invoices', { partnershipId, issueDate: '2026-03-02', ...content }));
      return (await done(call('POST', `/v1/invoices/${draft.id as string}/issue`, {}, { 'if-match': `"${draft.version as number}"` }))).id as string;
    };
    const creditNote = async (invoiceId: string, body: Record<string, unknown>) => (await done(call('POST', `/v1/invoices/${invoiceId}/credit-notes`, body, { 'if-match': '*' }))).id as string;
    // 121.11 with 20.00 paid before issue and 0.01 of rounding: 101.12 asked, 30.00 paid, 0.37 credited by a line.
    const prepaid = await issue(eur, { lines: [line('a1', '1', '100.00', '20'), line('a2', '3', '0.335', '10')], prepaidAmount: '20.00', roundingAmount: '0.01' });
    await done(call('POST', `/v1/invoices/${prepaid}/payments`, { amount: '30.00', currency: 'EUR', receivedOn: '2026-03-10' }));
    const byLine = await creditNote(prepaid, { lines: [line('a2', '1', '0.335', '10')], reason: 'one returned' });
    // 0.35 with 0.05 prepaid, credited in full: the credit note credits the 0.30 asked, not its 0.35 total.
    const full = await issue(eur, { lines: [line('d', '3', '0.10', '15')], prepaidAmount: '0.05' });
    const fullCredit = await creditNote(full, { reason: 'cancelled' });
    const yen = await issue(jpy, { lines: [line('j', '1', '1000', '10')] });

    const folder = join(work, 'reconciled');
    mkdirSync(folder);
    expect((await invoicing(['--api-url', apiUrl, 'export', '--to', 'csv', '--partner', buyer, '-o', folder], { env: config })).code).toBe(0);
    const [header, ...rows] = parse(readFileSync(join(folder, 'invoices.csv'))) as string[][];
    const AMOUNTS = ['Bill Total', 'Prepaid Amount', 'Rounding Amount', 'Amount Due', 'Amount Paid', 'Amount Credited', 'Outstanding'];
    const start = (header as string[]).indexOf('Bill Total');
    expect(header?.slice(start, start + AMOUNTS.length)).toEqual(AMOUNTS);
    const id = (header as string[]).indexOf('Id');
    const amountsOf = (invoiceId: string) => rows.find((row) => row[id] === invoiceId)?.slice(start, start + AMOUNTS.length);
    expect(rows).toHaveLength(5);
    expect(amountsOf(prepaid)).toEqual(['121.11', '20.00', '0.01', '101.12', '30.00', '0.37', '70.75']);
    expect(amountsOf(byLine)).toEqual(['0.37', '0.00', '0.00', '0.37', '0.00', '0.00', '0.00']);
    expect(amountsOf(full)).toEqual(['0.35', '0.05', '0.00', '0.30', '0.00', '0.30', '0.00']);
    expect(amountsOf(fullCredit)).toEqual(['0.35', '0.05', '0.00', '0.30', '0.00', '0.00', '0.00']);
    expect(amountsOf(yen)).toEqual(['1100', '0', '0', '1100', '0', '0', '1100']);
    // In minor units, as the amounts of a row share their currency's decimals.
    const minor = (row: string[], column: string) => BigInt((row[start + AMOUNTS.indexOf(column)] as string).replace('.', ''));
    const kind = (header as string[]).indexOf('Kind');
    for (const row of rows) {
      expect(minor(row, 'Bill Total') - minor(row, 'Prepaid Amount') + minor(row, 'Rounding Amount')).toBe(minor(row, 'Amount Due'));
      if (row[kind] === 'invoice') expect(minor(row, 'Amount Due') - minor(row, 'Amount Paid') - minor(row, 'Amount Credited')).toBe(minor(row, 'Outstanding'));
    }
    const sum = (rowKind: string, column: string) => rows.filter((row) => row[kind] === rowKind && row[header?.indexOf('Currency') as number] === 'EUR').reduce((total, row) => total + minor(row, column), 0n);
    // What the credit notes credit is what the invoices say was credited.
    expect(sum('credit_note', 'Amount Due')).toBe(sum('invoice', 'Amount Credited'));

    // The invoices named give the rows the query gave (but for the seal, which may have come in between).
    const named = join(work, 'reconciled-named');
    mkdirSync(named);
    expect((await invoicing(['--api-url', apiUrl, 'export', prepaid, fullCredit, yen, '--to', 'csv', '-o', named], { env: config })).code).toBe(0);
    const [namedHeader, ...namedRows] = parse(readFileSync(join(named, 'invoices.csv'))) as string[][];
    expect(namedHeader).toEqual(header);
    const unsealed = (row: string[] | undefined) => row?.slice(0, id + 1);
    expect(namedRows.map(unsealed)).toEqual([prepaid, fullCredit, yen].map((invoiceId) => unsealed(rows.find((row) => row[id] === invoiceId))));

    // A void invoice has no e-invoice: an export by query leaves it out and says so; named, it is refused.
    const cancelled = await issue(eur, { lines: [line('v', '1', '10.00', '20')] });
    await done(call('POST', `/v1/invoices/${cancelled}/void`, { reason: 'sent twice' }, { 'if-match': '*' }));
    const files = join(work, 'reconciled-ubl');
    mkdirSync(files);
    const queried = await invoicing(['--api-url', apiUrl, 'export', '--to', 'ubl', '--partner', buyer, '--kind', 'invoice', '-o', files], { env: config });
    expect(queried.code).toBe(0);
    expect(queried.stdout + queried.stderr).toContain('1 void invoice left out');
    expect(readdirSync(files)).toHaveLength(3);
    const namedVoid = await invoicing(['--api-url', apiUrl, 'export', cancelled, '--to', 'ubl', '-o', files], { env: config });
    expect([namedVoid.code, namedVoid.stdout + namedVoid.stderr]).toEqual([1, expect.stringContaining('void')]);
  });
});
