import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tenantId } from '@invoicing/core';
import { MongoIdempotencyStore, connectMongo, modelsOf } from '@invoicing/integration/mongodb';
import { stackEnv, startTestApi, type TestApi } from '../testing/harness';
import { fingerprintOf } from './idempotency.interceptor';

/** The HTTP conventions every endpoint shares: problem documents, content negotiation, request ids, idempotency keys. */
describe('HTTP conventions', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('conventions', { BODY_LIMIT: '4096' });
  });
  afterAll(() => t?.close());

  describe('problem documents', () => {
    it('answers an unknown route with 404 route.not_found', async () => {
      const answer = await t.call('GET', '/v1/nothing-here');
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ status: 404, code: 'route.not_found', title: 'Not Found', instance: '/v1/nothing-here' });
      expect(answer.body.type).toMatch(/\/docs\/guide\/errors#route\.not_found$/);
    });

    it('answers a known path with a wrong method with 405 and Allow', async () => {
      const answer = await t.call('DELETE', '/v1/partners');
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, POST');
      expect(answer.body).toMatchObject({ code: 'request.method_not_allowed', allowed: ['GET', 'POST'] });
      const withParameter = await t.call('POST', '/v1/partners/some-id');
      expect(withParameter.status).toBe(405);
      expect(withParameter.headers.get('allow')).toBe('GET, PUT');
    });

    it('answers malformed JSON with 400 request.malformed_json, to a caller whose token is checked first', async () => {
      const answer = await t.call('POST', '/v1/partners', { body: '{"legalName": "Acme",' });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: 400, code: 'request.malformed_json' });
    });

    it('answers a body over the limit with 413 request.too_large', async () => {
      const answer = await t.call('POST', '/v1/partners', { body: { legalName: 'x'.repeat(5000) } });
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ status: 413, code: 'request.too_large', title: 'Content Too Large' });
    });

    it('answers a body that is not JSON with 415', async () => {
      const answer = await t.call('POST', '/v1/partners', { body: 'legalName=Acme', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(answer.status).toBe(415);
      expect(answer.body.code).toBe('request.unsupported_media_type');
    });

    it('answers a wrong query parameter with 400 and the field', async () => {
      const answer = await t.call('GET', '/v1/partners?limit=many&colour=red');
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((issue: { path: string; code: string }) => `${issue.path}:${issue.code}`)).toEqual(
        expect.arrayContaining(['limit:request.is_int', 'colour:request.unknown_property']),
      );
      const tooMany = await t.call('GET', '/v1/partners?limit=500');
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.code).toBe('pagination.invalid_limit');
    });
  });

  describe('the edge: what Fastify and Node refuse before a route runs is a problem too', () => {
    /** Sends raw bytes (fetch refuses to send what these tests need) and returns the status line, headers and body. */
    const raw = (request: string) =>
      new Promise<{ status: number; headers: string; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(t.url);
        const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.end(request));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString('utf8')));
        socket.on('error', reject);
        socket.on('close', () => {
          const [head = '', body = ''] = received.split('\r\n\r\n');
          resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
        });
      });

    it('answers headers larger than 16 KiB with 431 request.headers_too_large', async () => {
      const answer = await raw(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(answer.status).toBe(431);
      expect(answer.headers).toContain('content-type: application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 431, code: 'request.headers_too_large', title: 'Request Header Fields Too Large' });
    });

    it('answers malformed HTTP with 400 request.malformed', async () => {
      const answer = await raw('GET /health/live HTTP/1.1\r\nHost x\r\n\r\n');
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400, code: 'request.malformed' });
    });

    it('answers a path segment over 100 characters with 414 request.url_too_long', async () => {
      const answer = await t.call('GET', `/v1/partners/${'a'.repeat(300)}`);
      expect(answer.status).toBe(414);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ status: 414, code: 'request.url_too_long', title: 'URI Too Long' });
    });

    it('answers a URL that does not decode with 400 request.malformed_url', async () => {
      const answer = await t.call('GET', '/v1/partners/%E0%A4%A');
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: 400, code: 'request.malformed_url' });
    });

    it('answers a path climbing out of the docs folder with 404 route.not_found, not 500', async () => {
      for (const path of ['/docs/%2e%2e/package.json', '/docs/%2e%2e/%2e%2e/package.json']) {
        const answer = await t.call('GET', path, { as: null });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 404, code: 'route.not_found' });
      }
      expect(t.logs.filter((line) => line['level'] === 50)).toEqual([]);
    });

    it('answers a text/plain body with 415, without parsing it', async () => {
      const answer = await t.call('POST', '/v1/partners', { body: '{"legalName":"Plain Text Ltd"}', headers: { 'content-type': 'text/plain' } });
      expect(answer.status).toBe(415);
      expect(answer.body.code).toBe('request.unsupported_media_type');
    });

    it('answers a malformed id with 400 id.malformed, an unknown one with 404', async () => {
      const malformed = await t.call('GET', '/v1/partners/not%20an%20id!');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ code: 'id.malformed', errors: [{ path: 'partnerId', code: 'id.malformed' }] });
      expect((await t.call('GET', '/v1/partners/0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b')).status).toBe(404);
    });

    it.each(['1e2', '0x10', '+7', ' 7', '7.0'])('takes limit=%s for what it is: not plain decimal digits, 400', async (limit) => {
      const answer = await t.call('GET', `/v1/partners?limit=${encodeURIComponent(limit)}`);
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'limit', code: 'request.is_int' })]);
    });

    it('takes the Bearer scheme in any case (RFC 9110)', async () => {
      const token = await t.token('acme-viewer');
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        expect({ scheme, status: (await t.call('GET', '/v1/partners', { headers: { authorization: `${scheme} ${token}` } })).status }).toEqual({ scheme, status: 200 });
      }
    });
  });

  describe('JSON bodies too complex for the API', () => {
    // Without a token the body is not read at all: 401 (audit DOS-6, auth.spec.ts).
    it('answers 2 000 nested arrays (4 KB) with 400 request.too_deep, before parsing them', async () => {
      const answer = await t.call('POST', '/v1/partners', { body: `${'['.repeat(2000)}${']'.repeat(2000)}` });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ status: 400, code: 'request.too_deep', maxDepth: 32 });
    });

    it('answers deep nesting inside an idempotent creation with 400, not 500', async () => {
      const deep = JSON.stringify({ legalName: 'Deep Ltd', notes: JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`) as unknown });
      const answer = await t.call('POST', '/v1/partners', { body: deep, headers: { 'idempotency-key': 'deep-1' } });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('request.too_deep');
    });

    it('still refuses __proto__ as Fastify does, and parses what is within the limits', async () => {
      expect((await t.call('POST', '/v1/partners', { body: '{"legalName":"Proto Ltd","__proto__":{"x":1}}' })).body.code).toBe('request.malformed_json');
      const nested = await t.call('POST', '/v1/partners', { body: { legalName: 'Nested Within Limits Ltd', addresses: [{ lines: ['1 Main Street'], countryCode: 'FR' }] } });
      expect(nested.status).toBe(201);
    });
  });

  describe('If-Match as RFC 9110 §13.1.1 has it', () => {
    const put = (id: string, legalName: string, ifMatch: string) => t.call('PUT', `/v1/partners/${id}`, { body: { legalName }, headers: { 'if-match': ifMatch } });

    it('never matches a weak tag (strong comparison), and matches a list when any of its tags does', async () => {
      // Review: W/"1" was taken for "1", and a list of tags was refused 400.
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Tagged Ltd' } });
      const id = created.body.id as string;
      for (const weak of ['W/"1"', 'W/"1", W/"2"']) {
        const answer = await put(id, 'Weakly Tagged Ltd', weak);
        expect({ weak, status: answer.status, code: answer.body.code }).toEqual({ weak, status: 412, code: 'concurrency.stale_version' });
      }
      expect((await t.call('GET', `/v1/partners/${id}`)).body).toMatchObject({ legalName: 'Tagged Ltd', version: 1 });
      // A weak tag of a missing resource: 404, as without If-Match.
      expect((await put('0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', 'Nobody Ltd', 'W/"1"')).status).toBe(404);

      const matched: [string, number, string | undefined][] = [];
      for (const [list, legalName] of [
        ['"7", "1"', 'Listed Once Ltd'],
        ['W/"2",,"2" , "9"', 'Listed Twice Ltd'],
        ['"3"\t,\t"4"', 'Listed Thrice Ltd'],
        ['"1", "2", "3"', 'Listed Late Ltd'],
        ['"04"', 'Zero-Padded Ltd'],
        ['"one", "x,y"', 'Foreign Tags Ltd'],
      ]) {
        const answer = await put(id, legalName as string, list as string);
        matched.push([list as string, answer.status, answer.headers.get('etag') ?? answer.body.code]);
      }
      expect(matched).toEqual([
        ['"7", "1"', 200, '"2"'],
        ['W/"2",,"2" , "9"', 200, '"3"'],
        ['"3"\t,\t"4"', 200, '"4"'],
        ['"1", "2", "3"', 412, 'concurrency.stale_version'],
        ['"04"', 412, 'concurrency.stale_version'],
        ['"one", "x,y"', 412, 'concurrency.stale_version'],
      ]);
      expect((await t.call('GET', `/v1/partners/${id}`)).body).toMatchObject({ legalName: 'Listed Thrice Ltd', version: 4 });
    });

    it('takes "*" as "the resource exists": any version of one that does, 404 for a missing one as with a tag', async () => {
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Starred Ltd' } });
      const id = created.body.id as string;
      const changed = [await put(id, 'Starred Once Ltd', '*'), await put(id, 'Starred Twice Ltd', ' * ')];
      expect(changed.map((answer) => [answer.status, answer.headers.get('etag')])).toEqual([
        [200, '"2"'],
        [200, '"3"'],
      ]);
      const missing = '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
      const answers = [
        await put(missing, 'Nobody Ltd', '*'),
        await put(missing, 'Nobody Ltd', '"1"'),
        // Creating a contact or a price changes the partner or partnership the route's ETag names: it must exist.
        await t.call('POST', `/v1/partners/${missing}/contacts`, { body: { name: 'Ada Lovelace', email: 'ada@example.com' }, headers: { 'if-match': '*' } }),
        await t.call('PUT', `/v1/partnerships/${missing}/price-overrides/${missing}`, { body: { unitPrice: '1.00' }, headers: { 'if-match': '*' } }),
      ];
      expect(answers.map((answer) => `${answer.status} ${answer.body.code}`)).toEqual(['404 partner.not_found', '404 partner.not_found', '404 partner.not_found', '404 partnership.not_found']);
    });

    it('answers a race lost under If-Match: * 409 or a success, never 412: the resource still exists', async () => {
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Raced Starred Ltd' } });
      const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => put(created.body.id, `Starred ${index} Ltd`, '*')));
      expect(answers.filter((answer) => answer.status !== 200).map((answer) => `${answer.status} ${answer.body.code}`)).toEqual(
        answers.filter((answer) => answer.status !== 200).map(() => '409 concurrency.conflict'),
      );
    });

    it('refuses what is no entity tag, no list of them, nor "*" alone with 400 precondition.malformed', async () => {
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Malformed Tags Ltd' } });
      for (const value of ['1', '"1" "2"', '*, "1"', 'W/1', '"1', 'w/"1"', '"a"b"', ',', '']) {
        const answer = await put(created.body.id, 'Never Ltd', value);
        expect({ value, status: answer.status, code: answer.body.code }).toEqual({ value, status: 400, code: 'precondition.malformed' });
      }
    });

    it('refuses If-Match with 400 precondition.not_supported on a route that does not evaluate it, before acting', async () => {
      // Review: routes that ignored If-Match went ahead, a stale one included (RFC 9110 §13.1.1: evaluate it, or do not act).
      const before = (await t.call('GET', '/v1/partners?limit=200')).body.items.length as number;
      const key = randomUUID();
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Unconditional Ltd' }, headers: { 'if-match': '"1"', 'idempotency-key': key } });
      expect([created.status, created.body.code]).toEqual([400, 'precondition.not_supported']);
      expect(created.headers.get('content-type')).toContain('application/problem+json');
      expect((await t.call('GET', '/v1/partners?limit=200')).body.items).toHaveLength(before);
      // Nothing kept under the key: the retry without If-Match runs.
      const retried = await t.call('POST', '/v1/partners', { body: { legalName: 'Unconditional Ltd' }, headers: { 'idempotency-key': key } });
      expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([201, null]);
      const others = [
        await t.call('GET', `/v1/partners/${retried.body.id}`, { headers: { 'if-match': '*' } }),
        await t.call('POST', `/v1/payments/${randomUUID()}/applications`, { body: {}, headers: { 'if-match': '"1"' } }),
        await t.call('POST', `/v1/invoices/${randomUUID()}/payments`, { body: {}, headers: { 'if-match': 'garbage' } }),
      ];
      expect(others.map((answer) => `${answer.status} ${answer.body.code}`)).toEqual(Array(3).fill('400 precondition.not_supported'));
      // Authentication still comes first.
      expect((await t.call('POST', '/v1/partners', { as: null, body: { legalName: 'X' }, headers: { 'if-match': '"1"' } })).status).toBe(401);
    });
  });

  describe('If-Match under a race', () => {
    it('answers every loser 412 concurrency.stale_version, as a stale If-Match alone: one situation, one answer', async () => {
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Raced Details Ltd' } });
      const etag = created.headers.get('etag') as string;
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          t.call('PUT', `/v1/partners/${created.body.id}`, { body: { legalName: `Raced Details ${index} Ltd` }, headers: { 'if-match': etag } }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(answers.filter((answer) => answer.status !== 200).map((answer) => `${answer.status} ${answer.body.code}`)).toEqual(Array(7).fill('412 concurrency.stale_version'));
    });

    it('leaves a lost race without If-Match a 409 or a success', async () => {
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Raced Unconditionally Ltd' } });
      const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => t.call('PUT', `/v1/partners/${created.body.id}`, { body: { legalName: `Unconditional ${index} Ltd` } })));
      for (const answer of answers) expect([200, 409]).toContain(answer.status);
      expect(answers.filter((answer) => answer.status === 409).every((answer) => answer.body.code === 'concurrency.conflict')).toBe(true);
    });
  });

  describe('If-Match with Idempotency-Key', () => {
    it('forgets a refused If-Match (412, or malformed): the retry with the current version runs', async () => {
      // Review of 6 December 2026: the 412 was stored under the key, and the retry with a fresh If-Match replayed it.
      const created = await t.call('POST', '/v1/partners', { body: { legalName: 'Conditional Contacts Ltd' } });
      const current = created.headers.get('etag') as string;
      const key = randomUUID();
      const contact = { name: 'Ada Lovelace', email: 'ada@example.com' };
      const malformed = await t.call('POST', `/v1/partners/${created.body.id}/contacts`, { body: contact, headers: { 'idempotency-key': key, 'if-match': 'version 1' } });
      expect([malformed.status, malformed.body.code]).toEqual([400, 'precondition.malformed']);
      const stale = await t.call('POST', `/v1/partners/${created.body.id}/contacts`, { body: contact, headers: { 'idempotency-key': key, 'if-match': '"999"' } });
      expect([stale.status, stale.body.code]).toEqual([412, 'concurrency.stale_version']);

      const retried = await t.call('POST', `/v1/partners/${created.body.id}/contacts`, { body: contact, headers: { 'idempotency-key': key, 'if-match': current } });
      expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([201, null]);
      const replayed = await t.call('POST', `/v1/partners/${created.body.id}/contacts`, { body: contact, headers: { 'idempotency-key': key, 'if-match': current } });
      expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.id]).toEqual([201, 'true', retried.body.id]);
    });
  });

  describe('security headers and caching', () => {
    it('marks API answers and problems no-store, nosniff and unframeable', async () => {
      for (const answer of [await t.call('GET', '/v1/partners'), await t.call('GET', '/v1/nothing-here')]) {
        expect(answer.headers.get('cache-control')).toBe('no-store');
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect({
          'strict-transport-security': answer.headers.get('strict-transport-security'),
          'x-frame-options': answer.headers.get('x-frame-options'),
          'referrer-policy': answer.headers.get('referrer-policy'),
          'cross-origin-resource-policy': answer.headers.get('cross-origin-resource-policy'),
          'cross-origin-opener-policy': answer.headers.get('cross-origin-opener-policy'),
          'x-permitted-cross-domain-policies': answer.headers.get('x-permitted-cross-domain-policies'),
          'x-powered-by': answer.headers.get('x-powered-by'),
        }).toEqual({
          'strict-transport-security': 'max-age=31536000; includeSubDomains',
          'x-frame-options': 'SAMEORIGIN',
          'referrer-policy': 'no-referrer',
          'cross-origin-resource-policy': 'same-origin',
          'cross-origin-opener-policy': null, // the docs page's sign-in pop-up needs window.opener (security.ts)
          'x-permitted-cross-domain-policies': 'none',
          'x-powered-by': null,
        });
      }
    });

    it('lets the docs page load its own scripts and reach Keycloak, and nothing else', async () => {
      const answer = await t.call('GET', '/docs', { as: null });
      const policy = answer.headers.get('content-security-policy') ?? '';
      // Its one inline script (the site header), by hash: an injected script matches none.
      expect(policy).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*';/);
      expect(policy).toContain(`connect-src 'self' ${new URL(t.realm.keycloakUrl).origin}`);
      expect(policy).not.toContain('upgrade-insecure-requests');
    });

    it('answers no CORS headers: CORS is off unless CORS_ORIGINS names origins', async () => {
      const answer = await t.call('GET', '/v1/partners', { headers: { origin: 'https://elsewhere.example.com' } });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('Accept', () => {
    /** fetch always sends an Accept header; this request has none at all. */
    const withoutAccept = (path: string, token: string) =>
      new Promise<number>((resolve, reject) => {
        const request = http.get(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
      });

    it.each(['application/json', 'application/*', '*/*', 'application/problem+json', 'application/json; charset=utf-8', 'text/html;q=0.9, application/json;q=0.5'])(
      'serves a JSON endpoint to Accept: %s',
      async (accept) => {
        const answer = await t.call('GET', '/v1/partners', { headers: { accept } });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toContain('application/json');
      },
    );

    it('serves a JSON endpoint to a request without Accept', async () => {
      expect(await withoutAccept('/v1/partners', await t.token('acme-admin'))).toBe(200);
    });

    it.each(['text/html', 'application/xml', 'image/*', 'application/json;q=0', 'json'])('answers Accept: %s with 406 request.not_acceptable, before authentication', async (accept) => {
      const answer = await t.call('GET', '/v1/partners', { as: null, headers: { accept } });
      expect(answer.status).toBe(406);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ status: 406, code: 'request.not_acceptable', title: 'Not Acceptable', instance: '/v1/partners', acceptable: ['application/json', 'application/problem+json'] });
      expect(answer.body.type).toMatch(/\/docs\/guide\/errors#request\.not_acceptable$/);
    });

    it('refuses before the handler runs: nothing is created', async () => {
      const refused = await t.call('POST', '/v1/partners', { body: { legalName: 'Never Created Ltd' }, headers: { accept: 'text/csv' } });
      expect(refused.status).toBe(406);
      const all = await t.call('GET', '/v1/partners?limit=200');
      expect(all.body.items.filter((partner: { legalName: string }) => partner.legalName === 'Never Created Ltd')).toEqual([]);
    });

    it('serves the docs pages to browsers and text/html, and refuses a JSON-only client', async () => {
      const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
      for (const path of ['/docs', '/docs/guide', '/docs/guide/errors']) {
        for (const accept of [browser, 'text/html', '*/*']) expect({ path, accept, status: (await t.call('GET', path, { as: null, headers: { accept } })).status }).toEqual({ path, accept, status: 200 });
      }
      const refused = await t.call('GET', '/docs/guide', { as: null, headers: { accept: 'application/json' } });
      expect(refused.status).toBe(406);
      expect(refused.body).toMatchObject({ code: 'request.not_acceptable', acceptable: ['text/html'] });
    });

    it('still answers an unknown path 404 and a wrong method 405, whatever the Accept', async () => {
      expect((await t.call('GET', '/v1/nothing-here', { headers: { accept: 'text/html' } })).body.code).toBe('route.not_found');
      expect((await t.call('DELETE', '/v1/partners', { headers: { accept: 'text/html' } })).status).toBe(405);
    });
  });

  describe('request ids', () => {
    it('gives every answer an X-Request-Id and logs it, as JSON lines', async () => {
      const answer = await t.call('GET', '/v1/partners/unknown');
      const requestId = answer.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body.requestId).toBe(requestId);
      const lines = t.logs.filter((line) => line['requestId'] === requestId);
      expect(lines.map((line) => line['msg'])).toEqual(expect.arrayContaining(['incoming request', 'request refused', 'request completed']));
      expect(lines.find((line) => line['msg'] === 'request completed')).toMatchObject({ level: 30, service: 'invoicing-api' });
    });

    it('keeps a sane incoming X-Request-Id and replaces anything else', async () => {
      expect((await t.call('GET', '/health/live', { headers: { 'x-request-id': 'trace-42.a:b' } })).headers.get('x-request-id')).toBe('trace-42.a:b');
      expect((await t.call('GET', '/health/live', { headers: { 'x-request-id': 'not a sane id; it has spaces' } })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('Idempotency-Key', () => {
    const create = (key: string, legalName: string) => t.call('POST', '/v1/partners', { body: { legalName }, headers: { 'idempotency-key': key } });

    it('answers a retry with the first answer, without acting twice', async () => {
      const first = await create('replay-1', 'Replayed Ltd');
      expect(first.status).toBe(201);
      const again = await create('replay-1', 'Replayed Ltd');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
      const all = await t.call('GET', '/v1/partners?limit=200');
      expect(all.body.items.filter((partner: { legalName: string }) => partner.legalName === 'Replayed Ltd')).toHaveLength(1);
    });

    it('refuses the same key with another body with 422', async () => {
      await create('reused-1', 'First Body');
      const reused = await create('reused-1', 'Second Body');
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency.key_reused');
    });

    it('lets exactly one of two concurrent duplicates act', async () => {
      const answers = await Promise.all([create('race-1', 'Raced Ltd'), create('race-1', 'Raced Ltd')]);
      const statuses = answers.map((answer) => answer.status).sort();
      expect([['201', '201'], ['201', '409']].map(String)).toContain(statuses.map(String).join(','));
      const loser = answers.find((answer) => answer.status === 409);
      if (loser) expect(loser.body.code).toBe('idempotency.in_progress');
      else expect(answers.some((answer) => answer.headers.get('idempotent-replayed') === 'true')).toBe(true);
      const all = await t.call('GET', '/v1/partners?limit=200');
      expect(all.body.items.filter((partner: { legalName: string }) => partner.legalName === 'Raced Ltd')).toHaveLength(1);
    });

    it('forgets a request that failed validation, so the corrected retry runs', async () => {
      const invalid = await t.call('POST', '/v1/partners', { body: { legalName: 7 }, headers: { 'idempotency-key': 'fixed-1' } });
      expect(invalid.status).toBe(400);
      const fixed = await t.call('POST', '/v1/partners', { body: { legalName: 'Fixed Ltd' }, headers: { 'idempotency-key': 'fixed-1' } });
      expect(fixed.status).toBe(201);
      expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    });

    it('keeps keys per tenant', async () => {
      const acme = await create('tenant-key', 'Same Key Acme');
      const globex = await t.call('POST', '/v1/partners', { as: 'globex-admin', body: { legalName: 'Same Key Acme' }, headers: { 'idempotency-key': 'tenant-key' } });
      expect(globex.status).toBe(201);
      expect(globex.headers.get('idempotent-replayed')).toBeNull();
      expect(globex.body.id).not.toBe(acme.body.id);
    });

    it('answers a retry whose key an earlier release recorded, under the fingerprint without the caller', async () => {
      // Review of 7 December 2026: records written before the fingerprint named the caller answered every retry 422,
      // and a client taking a new key as told would have created a second time.
      const mongo = await connectMongo({ url: stackEnv().MONGO_URL, dbName: t.database });
      try {
        const body = { legalName: 'Before The Upgrade Ltd' };
        const former = fingerprintOf({ method: 'POST', url: '/v1/partners', body } as never);
        const store = new MongoIdempotencyStore(modelsOf(mongo.connection));
        await store.begin(tenantId('acme'), 'upgrade-1', former, new Date());
        await store.complete(tenantId('acme'), 'upgrade-1', { status: 201, headers: {}, body: { id: 'recorded-before' } });
        const retried = await create('upgrade-1', 'Before The Upgrade Ltd');
        expect([retried.status, retried.headers.get('idempotent-replayed'), retried.body.id]).toEqual([201, 'true', 'recorded-before']);
      } finally {
        await mongo.close();
      }
    });

    it('refuses a key that is not 1–255 visible characters', async () => {
      const answer = await create('x'.repeat(256), 'Too Long Key');
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('idempotency.key_invalid');
    });
  });
});
