import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnauthorizedProblem } from '../http/problem';
import { TokenVerifier } from './token-verifier';

// How the verifier fetches the realm's signing keys when the sign-in server misbehaves. These failures cannot be made
// with the stack's real Keycloak (auth.spec.ts tests against it): a server on loopback plays a realm that answers a
// proxy's HTML page, never answers, or answers normally while counting how often it is asked.
describe('TokenVerifier: fetching the realm keys', () => {
  let server: Server;
  let url = '';
  let behaviour: 'html' | 'silent' | 'keys' | 'no-keys' = 'keys';
  // One RSA signing key, as a realm publishes it.
  const realmKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'realm-key', use: 'sig', alg: 'RS256' };
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      fetches += 1;
      if (behaviour === 'silent') return; // never answers
      if (behaviour === 'html') {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: behaviour === 'keys' ? [realmKey] : [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // The default timeout (5 s), but for the server that never answers: a loaded machine may take a while to answer.
  const verifier = (keysTimeoutMs?: number) => new TokenVerifier({ keycloakUrl: url, realm: 'invoicing', audience: 'invoicing-api', ...(keysTimeoutMs === undefined ? {} : { keysTimeoutMs }) });

  it('reports a page that is not the realm keys as unavailable, without crashing the process', async () => {
    behaviour = 'html';
    await expect(verifier().keys()).rejects.toThrow('realm keys unavailable');
  });

  it('gives up on a server that never answers', async () => {
    behaviour = 'silent';
    const started = Date.now();
    await expect(verifier(300).keys()).rejects.toThrow('realm keys unavailable');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('asks the realm at most once in a while for readiness, whether it answered or not', async () => {
    for (const answer of ['keys', 'html'] as const) {
      behaviour = answer;
      const one = verifier();
      fetches = 0;
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => one.ready()));
      for (let again = 0; again < 20; again += 1) outcomes.push(...(await Promise.allSettled([one.ready()])));
      expect({ answer, fetches, ok: outcomes.every((outcome) => outcome.status === (answer === 'keys' ? 'fulfilled' : 'rejected')) }).toEqual({ answer, fetches: 1, ok: true });
    }
  });

  it('asks the realm at most once in a while for key ids it does not have, however many tokens name them', async () => {
    // Everything of such a token but its signature is the sender's to choose: claims that pass, a new key id each time.
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = encode({ exp: now + 300, iat: now, iss: `${url}/realms/invoicing`, aud: 'invoicing-api', typ: 'Bearer', tenant: 'acme' });
    const forged = (kid: string) => `Bearer ${encode({ alg: 'RS256', typ: 'JWT', kid })}.${claims}.${'A'.repeat(342)}`;
    // A realm with a key, and one without a key we can use (none yet, or not RSA): neither is asked again and again.
    for (const answer of ['keys', 'no-keys'] as const) {
      behaviour = answer;
      const one = verifier();
      fetches = 0;
      const codes = new Set<unknown>();
      for (let token = 0; token < 20; token += 1) codes.add(await one.verify(forged(`unknown-${token}`)).catch((error: { code?: string }) => error.code));
      expect({ answer, fetches, codes: [...codes] }).toEqual({ answer, fetches: 1, codes: ['auth.token_invalid_signature'] });
    }
  });
});

// What the verifier makes of a token's claims, with tokens signed by a realm whose key this test holds: claims the
// stack's realm never issues (audit of 7 December 2026, F1 F3 F4 F5).
describe('TokenVerifier: claims', () => {
  let server: Server;
  let verifier: TokenVerifier;
  let issuer = '';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const HEADER = { alg: 'RS256', typ: 'JWT', kid: 'realm-key' };

  beforeAll(async () => {
    const keys = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'realm-key', use: 'sig', alg: 'RS256' }] };
    server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(keys)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    issuer = `${url}/realms/invoicing`;
    verifier = new TokenVerifier({ keycloakUrl: url, realm: 'invoicing', audience: 'invoicing-api' });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A person's access token as the realm issues it, with `changes` applied (`undefined` removes a claim). */
  function claims(changes: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const person: Record<string, unknown> = { exp: now + 300, iat: now, iss: issuer, aud: 'invoicing-api', sub: 'u-1', typ: 'Bearer', azp: 'invoicing-dev', sid: 'session-1', preferred_username: 'ada', tenant: 'acme', realm_access: { roles: ['viewer'] } };
    const merged = { ...person, ...changes };
    for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
    return merged;
  }
  /** Signed with the realm's key: only what the verifier does with the claims can refuse it. `json`: the payload's text. */
  function signed(payload: unknown, header: unknown = HEADER, json = JSON.stringify(payload)): string {
    const input = `${encode(header)}.${Buffer.from(json).toString('base64url')}`;
    return `Bearer ${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  }
  const refusal = (authorization: string) =>
    verifier.verify(authorization).then(
      (principal) => ({ accepted: principal }),
      (error: unknown) => (error instanceof UnauthorizedProblem ? { status: error.status, code: error.code } : { unexpected: String(error) }),
    );

  it('accepts the token as the realm issues it, and says when it expires', async () => {
    const payload = claims();
    expect(await verifier.verify(signed(payload))).toMatchObject({ subject: 'u-1', name: 'ada', machine: false, expiresAt: (payload['exp'] as number) * 1000 });
  });

  it('refuses a header or payload that is not a JSON object as malformed (401, a refusal the address is counted for), not a 500', async () => {
    // Review: a payload of `null` was read as an object, a TypeError answered 500 and not counted as a refused token.
    for (const payload of [null, [], 'x', 5, true]) expect({ payload, outcome: await refusal(signed(payload)) }).toEqual({ payload, outcome: { status: 401, code: 'auth.token_malformed' } });
    for (const header of [null, [], 'RS256']) expect({ header, outcome: await refusal(signed(claims(), header)) }).toEqual({ header, outcome: { status: 401, code: 'auth.token_malformed' } });
  });

  it('refuses claims of the wrong type as malformed: times that are not numbers, names that are not strings', async () => {
    const now = Math.floor(Date.now() / 1000);
    const wrong: Record<string, unknown>[] = [
      { exp: undefined },
      { exp: String(now + 300) },
      { iat: String(now) },
      { nbf: null },
      { sub: 42 },
      { sub: ['u-1'] },
      { azp: { id: 'invoicing-dev' } },
      { preferred_username: ['ada'] },
      { client_id: 1 },
      { sid: true },
      { realm_access: 'admin' },
      { realm_access: { roles: 'admin' } },
    ];
    for (const changes of wrong) expect({ changes, outcome: await refusal(signed(claims(changes))) }).toEqual({ changes, outcome: { status: 401, code: 'auth.token_malformed' } });
    // `1e400` is JSON for a number too large to be finite: a token that would never expire.
    const endless = JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e400');
    expect(await refusal(signed(undefined, HEADER, endless))).toEqual({ status: 401, code: 'auth.token_malformed' });
  });

  it('refuses a token that names no subject: such callers would share one identity (idempotency keys, audit trail)', async () => {
    // Review: tokens without `sub` were accepted as subject "": one user's idempotent answer was replayed to another.
    for (const sub of [undefined, '']) expect({ sub, outcome: await refusal(signed(claims({ sub }))) }).toEqual({ sub, outcome: { status: 401, code: 'auth.token_invalid' } });
  });

  it('refuses a token not yet valid (nbf) or issued in the future (iat), allowing the realm\'s clock a minute ahead for iat', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const changes of [{ nbf: now + 60 }, { nbf: now + 86_400 }, { iat: now + 3600 }, { iat: now + 120 }]) {
      expect({ changes, outcome: await refusal(signed(claims(changes))) }).toEqual({ changes, outcome: { status: 401, code: 'auth.token_invalid' } });
    }
    for (const changes of [{ nbf: now - 1 }, { nbf: 0 }, { iat: now + 30 }]) expect({ changes, outcome: await refusal(signed(claims(changes))) }).toMatchObject({ changes, outcome: { accepted: { subject: 'u-1' } } });
  });

  it('tells a client\'s service account from a person by what Keycloak puts only in service-account tokens, not by the user name alone', async () => {
    const principal = async (changes: Record<string, unknown>) => {
      const { subject, name, machine, clientId } = await verifier.verify(signed(claims({ sid: undefined, preferred_username: undefined, ...changes })));
      return { subject, name, machine, clientId };
    };
    // Service accounts (client credentials: no user session): this realm's integrators (no profile scope), Keycloak's
    // defaults since 25 (`client_id`), and before (`clientId`, with a session).
    expect(await principal({ sub: 'sa-1', azp: 'integrator-acme' })).toEqual({ subject: 'sa-1', name: 'integrator-acme', machine: true, clientId: 'integrator-acme' });
    expect(await principal({ sub: 'sa-2', azp: 'reporting', client_id: 'reporting', preferred_username: 'service-account-reporting' })).toEqual({ subject: 'sa-2', name: 'reporting', machine: true, clientId: 'reporting' });
    expect(await principal({ sub: 'sa-3', azp: 'Reporting', preferred_username: 'service-account-reporting' })).toMatchObject({ machine: true, name: 'Reporting' });
    expect(await principal({ sub: 'sa-4', azp: 'legacy', clientId: 'legacy', sid: 'session-9', preferred_username: 'service-account-legacy' })).toMatchObject({ machine: true, name: 'legacy' });
    // People (a user session), whatever their user name. Review: `service-account-mallory` was recorded as the client.
    expect(await principal({ sub: 'u-2', sid: 'session-2', preferred_username: 'service-account-mallory' })).toEqual({ subject: 'u-2', name: 'service-account-mallory', machine: false, clientId: 'invoicing-dev' });
    expect(await principal({ sub: 'u-3', sid: 'session-3', preferred_username: 'service-account-invoicing-dev' })).toMatchObject({ name: 'service-account-invoicing-dev', machine: false });
    expect(await principal({ sub: 'u-4', session_state: 'session-4', preferred_username: 'service-account-invoicing-dev' })).toMatchObject({ machine: false });
    // A client id note naming another client is not this client's service account.
    expect(await principal({ sub: 'u-5', sid: 'session-5', preferred_username: 'bob', client_id: 'integrator-acme' })).toMatchObject({ name: 'bob', machine: false });
    // A person whose token carries no user name (no profile scope) is named by their subject, not the client.
    expect(await principal({ sub: 'u-6', sid: 'session-6' })).toEqual({ subject: 'u-6', name: 'u-6', machine: false, clientId: 'invoicing-dev' });
  });
});
