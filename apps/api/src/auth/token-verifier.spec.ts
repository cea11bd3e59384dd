import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
