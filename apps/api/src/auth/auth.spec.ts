import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { HttpProblem } from '../http/problem';
import { startTestApi, type TestApi } from '../testing/harness';
import { TokenVerifier } from './token-verifier';

/** A JWT with its three parts re-encoded: for forging tokens from a real one. */
function jwt(header: object, payload: object, signature: string): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

function parts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload), signature };
}

describe('authentication with Keycloak tokens', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('auth');
  });
  afterAll(() => t?.close());

  const withToken = (token: string) => t.call('GET', '/v1/partners', { as: null, headers: { authorization: `Bearer ${token}` } });

  it('accepts a real token of a demo user and of an integrator (client credentials)', async () => {
    expect((await t.call('GET', '/v1/partners', { as: 'acme-viewer' })).status).toBe(200);
    const integrator = parts(await t.token('acme-integrator'));
    expect(integrator.payload['azp']).toBe('integrator-acme');
    expect((await t.call('GET', '/v1/partners', { as: 'acme-integrator' })).status).toBe(200);
  });

  it('tells the integrator (a service account) from a person and names both by their subject', async () => {
    const verifier = new TokenVerifier({ keycloakUrl: t.realm.keycloakUrl, realm: t.realm.realm, audience: 'invoicing-api' });
    const person = await verifier.verify(`Bearer ${await t.token('acme-viewer')}`);
    const machine = await verifier.verify(`Bearer ${await t.token('acme-integrator')}`);
    expect({ machine: person.machine, name: person.name, subject: parts(await t.token('acme-viewer')).payload['sub'] }).toEqual({ machine: false, name: 'acme-viewer', subject: person.subject });
    expect({ machine: machine.machine, name: machine.name, subject: parts(await t.token('acme-integrator')).payload['sub'] }).toEqual({ machine: true, name: 'integrator-acme', subject: machine.subject });
    expect([person.subject, machine.subject]).not.toContain('');
  });

  it('answers 401 with a problem and WWW-Authenticate when there is no token', async () => {
    const answer = await t.call('GET', '/v1/partners', { as: null });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(answer.body).toMatchObject({ status: 401, code: 'auth.token_missing', instance: '/v1/partners' });
  });

  it('looks at the token before reading the body: without a valid one, no body is parsed, whatever it is', async () => {
    // Audit DOS-6: bodies were read and parsed before the token was looked at (a broken one answered 400, not 401), and
    // 200 anonymous 1 MB bodies in 13 s slowed every tenant's reads to about a second.
    const refusals = [];
    for (const [path, type, body] of [
      ['/v1/partners', 'application/json', '{"legalName": '],
      ['/v1/partners', 'application/json', '['.repeat(40)],
      ['/v1/partners', 'application/json', `"${'x'.repeat(2 * 1024 * 1024)}"`],
      ['/v1/partners', 'text/plain', 'hello'],
      ['/v1/e-invoices/validate', 'application/xml', '<Invoice'],
    ] as const) {
      const anonymous = await t.call('POST', path, { as: null, body, headers: { 'content-type': type } });
      const forged = await t.call('POST', path, { as: null, body, headers: { 'content-type': type, authorization: 'Bearer not.a.token' } });
      refusals.push([path, type, anonymous.status, anonymous.body.code, forged.status, forged.body.code]);
    }
    expect(refusals).toEqual([
      ['/v1/partners', 'application/json', 401, 'auth.token_missing', 401, 'auth.token_invalid_signature'],
      ['/v1/partners', 'application/json', 401, 'auth.token_missing', 401, 'auth.token_invalid_signature'],
      ['/v1/partners', 'application/json', 401, 'auth.token_missing', 401, 'auth.token_invalid_signature'],
      ['/v1/partners', 'text/plain', 401, 'auth.token_missing', 401, 'auth.token_invalid_signature'],
      ['/v1/e-invoices/validate', 'application/xml', 401, 'auth.token_missing', 401, 'auth.token_invalid_signature'],
    ]);
    // A caller whose role does not allow the operation is refused before its body is read too; one whose role does
    // has it read and judged as before.
    const viewer = await t.call('POST', '/v1/partners', { as: 'acme-viewer', body: '{"legalName": ' });
    expect([viewer.status, viewer.body.code]).toEqual([403, 'auth.forbidden']);
    const admin = await t.call('POST', '/v1/partners', { as: 'acme-admin', body: '{"legalName": ' });
    expect([admin.status, admin.body.code]).toEqual([400, 'request.malformed_json']);
    // Routes without a token stay open.
    expect((await t.call('GET', '/health/live', { as: null })).status).toBe(200);
    expect((await t.call('GET', '/openapi.json', { as: null })).status).toBe(200);
  });

  it('refuses what is not a bearer JWT', async () => {
    for (const authorization of ['Basic YWNtZTpkZW1v', 'Bearer not-a-token', 'Bearer a.b']) {
      const answer = await t.call('GET', '/v1/partners', { as: null, headers: { authorization } });
      expect({ authorization, status: answer.status, code: answer.body.code }).toEqual({ authorization, status: 401, code: 'auth.token_malformed' });
    }
  });

  it('refuses a token whose payload is not a JSON object as malformed, counted against the address\'s refused tokens, never a 500', async () => {
    // Audit F1: a payload of `null` was answered 500 with an error-level stack trace on every route, uncounted.
    const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
    const token = (json: string) => `Bearer ${header}.${Buffer.from(json).toString('base64url')}.AAAA`;
    const limited = await startTestApi('auth-refused-payloads', { RATE_LIMIT_INVALID_TOKENS_PER_IP: '4', RATE_LIMIT_WINDOW_MS: '600000' });
    try {
      const answers = [];
      for (const json of ['null', '[]', '"x"', '5', 'null']) {
        const answer = await limited.call('GET', '/v1/partners', { as: null, headers: { authorization: token(json) } });
        answers.push([json, answer.status, answer.body.code]);
      }
      expect(answers).toEqual([
        ['null', 401, 'auth.token_malformed'],
        ['[]', 401, 'auth.token_malformed'],
        ['"x"', 401, 'auth.token_malformed'],
        ['5', 401, 'auth.token_malformed'],
        ['null', 429, 'rate_limit.exceeded'],
      ]);
      expect(limited.logs.filter((line) => Number(line['level']) >= 50)).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it('refuses a real token spelt another way: padding, characters outside base64url, or unused bits of the signature set', async () => {
    // Review: a real token with "=" or "=AAAA" appended was accepted, each variant one more RSA check and one more entry
    // of the verified tokens (ADR 0017).
    const token = await t.token('acme-viewer');
    expect((await withToken(token)).status).toBe(200);
    const [header = '', payload = '', signature = ''] = token.split('.');
    const malformed = [`${token}=`, `${token}=AAAA`, `${token}==`, `${header}=.${payload}.${signature}`, `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`, `${header}.${payload}.${signature}.`];
    for (const variant of malformed.filter((one) => one !== token)) {
      const answer = await withToken(variant);
      expect({ variant, status: answer.status, code: answer.body.code }).toEqual({ variant, status: 401, code: 'auth.token_malformed' });
    }
    // An RS256 signature is 256 bytes: 342 characters, whose last one carries 4 unused bits. Setting them gives the
    // same bytes from other text.
    const last = signature.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = `${header}.${payload}.${signature.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    expect(Buffer.from(sameBytes.split('.')[2] as string, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
    const answer = await withToken(sameBytes);
    expect([answer.status, answer.body.code]).toEqual([401, 'auth.token_invalid_signature']);
  });

  it('refuses a tampered token: a real one whose claims were changed', async () => {
    const { header, payload, signature } = parts(await t.token('globex-accountant'));
    const forged = jwt(header, { ...payload, tenant: 'acme', realm_access: { roles: ['admin'] } }, signature);
    const answer = await withToken(forged);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('auth.token_invalid_signature');
  });

  it('refuses unsigned tokens (alg none) and tokens signed with a shared secret', async () => {
    const { payload } = parts(await t.token('acme-viewer'));
    const unsigned = await withToken(jwt({ alg: 'none', typ: 'JWT' }, payload, ''));
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.code).toBe('auth.token_invalid_signature');
    const hmac = await withToken(jwt({ alg: 'HS256', typ: 'JWT' }, payload, Buffer.from('forged').toString('base64url')));
    expect(hmac.status).toBe(401);
    expect(hmac.body.code).toBe('auth.token_invalid_signature');
  });

  it('refuses a token signed with a key the realm does not have', async () => {
    const { header, payload, signature } = parts(await t.token('acme-viewer'));
    const answer = await withToken(jwt({ ...header, kid: 'not-a-realm-key' }, payload, signature));
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('auth.token_invalid_signature');
  });

  it('refuses an expired token, also one it accepted (and remembered) before it expired', async () => {
    const token = await t.token('acme-viewer');
    expect((await withToken(token)).status).toBe(200);
    const { exp } = parts(token).payload as { exp: number };
    // The token is real; the API's clock is moved past its expiry (the realm issues 5-minute tokens).
    const now = jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 + 1000);
    try {
      const answer = await withToken(token);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('auth.token_expired');
    } finally {
      now.mockRestore();
    }
    expect((await withToken(token)).status).toBe(200);
  });

  it('refuses a token from another issuer and one for another audience', async () => {
    const token = await t.token('acme-admin');
    // The same Keycloak reached under another name is another issuer: tokens name the issuer they were minted for.
    const otherIssuer = await startTestApi('auth-issuer', { KEYCLOAK_URL: t.realm.keycloakUrl.replace('127.0.0.1', 'localhost') });
    const otherAudience = await startTestApi('auth-audience', { KEYCLOAK_AUDIENCE: 'another-api' });
    try {
      const wrongIssuer = await otherIssuer.call('GET', '/v1/partners', { as: null, headers: { authorization: `Bearer ${token}` } });
      expect(wrongIssuer.status).toBe(401);
      expect(wrongIssuer.body.code).toBe('auth.token_wrong_issuer');
      const wrongAudience = await otherAudience.call('GET', '/v1/partners', { as: null, headers: { authorization: `Bearer ${token}` } });
      expect(wrongAudience.status).toBe(401);
      expect(wrongAudience.body.code).toBe('auth.token_wrong_audience');
    } finally {
      await Promise.all([otherIssuer.close(), otherAudience.close()]);
    }
  });

  it('is not ready while Keycloak cannot be reached', async () => {
    const unreachable = await startTestApi('auth-down', { KEYCLOAK_URL: 'http://127.0.0.1:9' });
    try {
      expect((await unreachable.call('GET', '/health/live', { as: null })).status).toBe(200);
      const ready = await unreachable.call('GET', '/health/ready', { as: null });
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: 'health.not_ready', checks: { database: 'up', keycloak: 'down' } });
    } finally {
      await unreachable.close();
    }
  });

  it('answers 503, not 401, when the realm\'s keys cannot be fetched for a token that names its issuer', async () => {
    const keycloakUrl = 'http://127.0.0.1:9';
    const verifier = new TokenVerifier({ keycloakUrl, realm: 'invoicing', audience: 'invoicing-api' });
    const { header, payload, signature } = parts(await t.token('acme-viewer'));
    const token = jwt(header, { ...payload, iss: `${keycloakUrl}/realms/invoicing` }, signature);
    const refusal = await verifier.verify(`Bearer ${token}`).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HttpProblem);
    expect(refusal).toMatchObject({ status: 503, code: 'auth.keys_unavailable', headers: { 'retry-after': '5' } });
  });

  it('serves health without a token', async () => {
    expect((await t.call('GET', '/health/live', { as: null })).body).toEqual({ status: 'ok' });
    const ready = await t.call('GET', '/health/ready', { as: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { database: 'up', keycloak: 'up' } });
  });

  it('puts the tenant and user on the request\'s log lines', async () => {
    const answer = await t.call('GET', '/v1/partners', { as: 'globex-accountant' });
    const requestId = answer.headers.get('x-request-id');
    const lines = t.logs.filter((line) => line['requestId'] === requestId);
    expect(lines.some((line) => line['tenant'] === 'globex' && line['user'] === 'globex-accountant')).toBe(true);
  });
});
