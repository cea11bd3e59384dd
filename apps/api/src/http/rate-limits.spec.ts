import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type Answer, type TestApi } from '../testing/harness';

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

  const expectTooMany = (answer: Answer, limit: string) => {
    expect(answer.status).toBe(429);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.body).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'rate_limit.exceeded', limit });
  };

  it('limits each client, then each tenant, and no other tenant', async () => {
    for (let request = 1; request <= PER_CLIENT; request += 1) expect((await t.call('GET', '/v1/partners', { as: 'acme-admin' })).status).toBe(200);
    expectTooMany(await t.call('GET', '/v1/partners', { as: 'acme-admin' }), 'client');

    // The tenant counted the admin's four accepted requests: two more from another of its clients reach its limit.
    for (let request = 1; request <= PER_TENANT - PER_CLIENT; request += 1) expect((await t.call('GET', '/v1/partners', { as: 'acme-viewer' })).status).toBe(200);
    expectTooMany(await t.call('GET', '/v1/partners', { as: 'acme-accountant' }), 'tenant');

    expect((await t.call('GET', '/v1/partners', { as: 'globex-admin' })).status).toBe(200);
  });

  it('refuses an address that keeps sending refused tokens, before verifying the next one', async () => {
    for (let request = 1; request <= INVALID_TOKENS; request += 1) {
      expect((await t.call('GET', '/v1/partners', { as: null, headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
    }
    expectTooMany(await t.call('GET', '/v1/partners', { as: null, headers: { authorization: 'Bearer not.a.token' } }), 'invalid_tokens');
    // A token the API verified before (globex-admin's, above) still works from that address: behind a shared proxy or
    // NAT, someone else's refused tokens do not lock every user out.
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
