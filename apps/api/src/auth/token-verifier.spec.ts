import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier } from './token-verifier';

// How the verifier fetches the realm's signing keys when the sign-in server misbehaves. These failures cannot be made
// with the stack's real Keycloak (auth.spec.ts tests against it): a server on loopback plays a realm that answers a
// proxy's HTML page, never answers, or answers normally while counting how often it is asked.
describe('TokenVerifier: fetching the realm keys', () => {
  let server: Server;
  let url = '';
  let behaviour: 'html' | 'silent' | 'keys' = 'keys';
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      fetches += 1;
      if (behaviour === 'silent') return; // never answers
      if (behaviour === 'html') {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [] }));
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
});
