import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { clientCredentialsGrant, demoUser, integratorClient, passwordGrant } from '@invoicing/stack';
import { startTestApi, type Answer, type TestApi } from '../testing/harness';

const expectTooMany = (answer: Answer, limit: string) => {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(answer.body).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'rate_limit.exceeded', limit });
};

/**
 * What the configuration turns on at the edge: rate limits small enough to reach in a test, and CORS for one origin.
 * One API for the file, so the order of the tests matters.
 */
describe('rate limits and CORS, as configured', () => {
  const APP = 'https://app.example.com';
  const PER_CLIENT = 4;
  const PER_TENANT = 6;
  const INVALID_TOKENS = 3;
  const PER_IP = 60;
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('rate_limits', {
      RATE_LIMIT_PER_CLIENT: String(PER_CLIENT),
      RATE_LIMIT_PER_TENANT: String(PER_TENANT),
      RATE_LIMIT_INVALID_TOKENS_PER_IP: String(INVALID_TOKENS),
      RATE_LIMIT_PER_IP: String(PER_IP),
      RATE_LIMIT_WINDOW_MS: '600000',
      CORS_ORIGINS: APP,
      // The tests' requests come through a "proxy" on loopback: X-Forwarded-For names the client.
      TRUST_PROXY: '127.0.0.1',
    });
    // Tokens are fetched before counting starts: fetching them is no request to the API.
    await Promise.all((['acme-admin', 'acme-viewer', 'acme-accountant', 'globex-admin'] as const).map((caller) => t.token(caller)));
  });
  afterAll(() => t?.close());

  it('limits each client, then each tenant, and no other tenant', async () => {
    for (let request = 1; request <= PER_CLIENT; request += 1) expect((await t.call('GET', '/v1/partners', { as: 'acme-admin' })).status).toBe(200);
    expectTooMany(await t.call('GET', '/v1/partners', { as: 'acme-admin' }), 'client');

    // The tenant counted the admin's four accepted requests: two more from another of its clients reach its limit.
    for (let request = 1; request <= PER_TENANT - PER_CLIENT; request += 1) expect((await t.call('GET', '/v1/partners', { as: 'acme-viewer' })).status).toBe(200);
    expectTooMany(await t.call('GET', '/v1/partners', { as: 'acme-accountant' }), 'tenant');

    expect((await t.call('GET', '/v1/partners', { as: 'globex-admin' })).status).toBe(200);
  });

  it('answers 429 to an address that keeps sending refused tokens, and still takes its valid tokens', async () => {
    for (let request = 1; request <= INVALID_TOKENS; request += 1) {
      expect((await t.call('GET', '/v1/partners', { as: null, headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
    }
    expectTooMany(await t.call('GET', '/v1/partners', { as: null, headers: { authorization: 'Bearer not.a.token' } }), 'invalid_tokens');
    // A valid token still works from that address: behind a shared proxy or NAT, someone else's refused tokens do not
    // lock every user out (tokens the API has not seen before: the next describe).
    expect((await t.call('GET', '/v1/partners', { as: 'globex-admin' })).status).toBe(200);
    // Another client behind the trusted proxy is another address: its token is read.
    const elsewhere = await t.call('GET', '/v1/partners', { as: null, headers: { authorization: 'Bearer not.a.token', 'x-forwarded-for': '203.0.113.7' } });
    expect(elsewhere.status).toBe(401);
    const log = t.logs.find((line) => line['code'] === 'rate_limit.exceeded' && line['status'] === 429);
    expect(log).toBeDefined();
  });

  it('lets the configured origin call the API from a browser, and no other', async () => {
    const preflight = await t.call('OPTIONS', '/v1/partners', {
      as: null,
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    const read = await t.call('GET', '/v1/partners', { as: 'globex-admin', headers: { origin: APP } });
    expect(read.headers.get('access-control-allow-origin')).toBe(APP);
    expect(read.headers.get('access-control-expose-headers')).toContain('etag');
    const elsewhere = await t.call('GET', '/v1/partners', { as: 'globex-admin', headers: { origin: 'https://elsewhere.example.com' } });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits every request of an address, health checks excepted, before anything else', async () => {
    let answer: Answer | undefined;
    for (let request = 1; request <= PER_IP + 1; request += 1) {
      answer = await t.call('GET', '/openapi.json', { as: null });
      if (answer.status === 429) break;
    }
    expectTooMany(answer as Answer, 'ip');
    expect((await t.call('GET', '/health/live', { as: null })).status).toBe(200);
  });
});

/**
 * One address, many callers: a NAT, an office, or the proxy itself when TRUST_PROXY is left unset (as here: every
 * request comes from loopback). Audit (T2): past the address's budget of refused tokens, every token the API had not
 * verified before was refused 429, so one sender of garbage locked out every tenant's users within a token's lifetime.
 */
describe('refused tokens of an address that many callers share', () => {
  const INVALID_TOKENS = 3;
  // Well-formed (three parts of canonical base64url), nobody's: what an anonymous caller sends for free.
  const GARBAGE = `eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.${'A'.repeat(342)}`;
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('rate_limits_shared', { RATE_LIMIT_INVALID_TOKENS_PER_IP: String(INVALID_TOKENS), RATE_LIMIT_WINDOW_MS: '600000' });
  });
  afterAll(() => t?.close());

  const withToken = (token: string) => t.call('GET', '/v1/partners', { as: null, headers: { authorization: `Bearer ${token}` } });

  it('accepts fresh valid tokens of every tenant from an address over its budget, and still answers its bad ones 429', async () => {
    for (let request = 1; request <= INVALID_TOKENS; request += 1) expect((await withToken(GARBAGE)).status).toBe(401);
    expectTooMany(await withToken(GARBAGE), 'invalid_tokens');

    // Issued now, after the garbage: tokens this API has never seen, of two tenants, a user's and an integrator's.
    const [globex, acme, integrator] = await Promise.all([
      passwordGrant(t.realm, demoUser('globex', 'admin')),
      passwordGrant(t.realm, demoUser('acme', 'accountant')),
      clientCredentialsGrant(t.realm, integratorClient('acme')),
    ]);
    for (const fresh of [globex, acme, integrator]) expect((await withToken(fresh.access_token)).status).toBe(200);

    // The budget still holds for what fails: garbage, and a real token whose tenant claim was changed.
    expectTooMany(await withToken(GARBAGE), 'invalid_tokens');
    const [header, payload = '', signature] = acme.access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, tenant: 'globex' })).toString('base64url'), signature].join('.');
    expectTooMany(await withToken(forged), 'invalid_tokens');

    // Refusals whose remedy is to get a token stay 401, or a client that signs in again on 401 would wait forever.
    expect([(await t.call('GET', '/v1/partners', { as: null })).body.code]).toEqual(['auth.token_missing']);
    // The API's clock moved past the token's expiry (the realm issues 5-minute tokens), inside the 10-minute window.
    const now = jest.spyOn(Date, 'now').mockReturnValue((claims['exp'] as number) * 1000 + 1000);
    try {
      expect([(await withToken(acme.access_token)).body.code]).toEqual(['auth.token_expired']);
    } finally {
      now.mockRestore();
    }
  });

  it('says once in the log that requests come through a proxy while TRUST_PROXY is not set', async () => {
    for (let request = 1; request <= 2; request += 1) await t.call('GET', '/health/live', { as: null, headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(t.logs.filter((line) => String(line['msg']).includes('TRUST_PROXY is not set'))).toHaveLength(1);
  });
});

/**
 * The CSV upload authenticates before its body is read, with the same sequence as every route: the same limits, each
 * request counted once. Review: it verified the token alone, so a blocked address's forged tokens each got an RSA check
 * and a 401, and a client over its limit still sent (and the API waited for) up to 64 MiB.
 */
describe('rate limits on the CSV upload, before its body is read', () => {
  const csv = { 'content-type': 'text/csv' };
  const FILE = 'Invoice #,Customer,Date,Terms,Total,Status,Currency\n';
  let t: TestApi;
  afterEach(() => t?.close());

  /** The status line answered to a CSV upload whose head announces 50 MB that never come. */
  async function answerBeforeBody(path: string, authorization: string): Promise<string> {
    const url = new URL(t.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      const timer = setTimeout(() => (socket.destroy(), resolve('no answer before the body')), 3000);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(chunk.toString('latin1').split('\r\n')[0] ?? '');
      });
      socket.write(`POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: ${authorization}\r\ncontent-type: text/csv\r\ncontent-length: 50000000\r\n\r\n`);
    });
  }

  it('answers 429 to a refused token of an address that sent too many, before the upload\'s body', async () => {
    t = await startTestApi('rate_limits_csv_tokens', { RATE_LIMIT_INVALID_TOKENS_PER_IP: '2', RATE_LIMIT_WINDOW_MS: '600000' });
    for (let request = 1; request <= 2; request += 1) expect((await t.call('GET', '/v1/partners', { as: null, headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
    const forged = await t.call('POST', `/v1/receivables-imports?seller_id=${randomUUID()}`, { as: null, body: FILE, headers: { ...csv, authorization: 'Bearer forged.token.here' } });
    expect([forged.status, forged.body.code, forged.body.limit]).toEqual([429, 'rate_limit.exceeded', 'invalid_tokens']);
    expect(await answerBeforeBody(`/v1/receivables-imports?seller_id=${randomUUID()}`, 'Bearer forged.token.here')).toMatch(/^HTTP\/1\.1 429/);
  });

  it('refuses a client over its limit before the body, and counts an upload once', async () => {
    t = await startTestApi('rate_limits_csv_client', { RATE_LIMIT_PER_CLIENT: '2', RATE_LIMIT_WINDOW_MS: '600000' });
    const token = await t.token('acme-admin');
    const seller = (await t.call('POST', '/v1/partners', { body: { legalName: 'Counted Once Ltd' } })).body.id as string;
    // The partner, then the upload: two requests, the limit, each counted once (preParsing, not again in the guard).
    const upload = await t.call('POST', `/v1/receivables-imports?seller_id=${seller}`, { body: FILE, headers: csv });
    expect(upload.status).toBe(202);
    expect(await answerBeforeBody(`/v1/receivables-imports?seller_id=${seller}`, `Bearer ${token}`)).toMatch(/^HTTP\/1\.1 429/);
    const over = await t.call('POST', `/v1/receivables-imports?seller_id=${seller}`, { body: FILE, headers: csv });
    expect([over.status, over.body.code, over.body.limit]).toEqual([429, 'rate_limit.exceeded', 'client']);
  });
});
