import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../testing/harness';

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

    it('answers malformed JSON with 400 request.malformed_json, before authentication', async () => {
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

    it('refuses a key that is not 1–255 visible characters', async () => {
      const answer = await create('x'.repeat(256), 'Too Long Key');
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('idempotency.key_invalid');
    });
  });
});
