import { randomBytes, createHash } from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';
import { DOCS_CLIENT_ID } from './demo-realm';
import { KeycloakAdminError, allowClientOrigin, getClient, keycloakAdminToken } from './keycloak-admin';
import { TokenRequestError, realmUrl } from './keycloak-tokens';
import { freePort } from './processes';
import { readStackEnv } from './stack-env';

// Against the real Keycloak of the run, as a test of the docs page uses it: the docs client of the realm.
jest.setTimeout(30_000); // real HTTP round trips; Jest's projects cannot set testTimeout per project

const env = readStackEnv();
const location = { keycloakUrl: env.KEYCLOAK_URL, realm: env.KEYCLOAK_REALM };

/** What Keycloak answers a browser sent to sign in through the docs client and come back to `redirectUri`. */
async function authorizationStatus(redirectUri: string): Promise<number> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: DOCS_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const response = await fetch(`${realmUrl(location)}/protocol/openid-connect/auth?${query}`, { redirect: 'manual' });
  await response.body?.cancel();
  return response.status;
}

const sorted = (values: readonly string[] = []) => [...values].sort();

describe('allowClientOrigin', () => {
  it('lets the docs client send browsers back to one more origin, until it is released', async () => {
    const origin = `http://127.0.0.1:${await freePort()}`;
    const redirect = `${origin}/docs/oauth2-redirect.html`;
    const before = await getClient(location, DOCS_CLIENT_ID);
    // Keycloak shows its own error page (400) for a redirect URI the client does not allow, its login page (200) otherwise.
    expect(await authorizationStatus(redirect)).toBe(400);

    const release = await allowClientOrigin(location, DOCS_CLIENT_ID, origin);
    try {
      const allowed = await getClient(location, DOCS_CLIENT_ID);
      // Keycloak keeps them as sets, in no particular order.
      expect(sorted(allowed.redirectUris)).toEqual(sorted([...(before.redirectUris ?? []), `${origin}/*`]));
      expect(sorted(allowed.webOrigins)).toEqual(sorted([...(before.webOrigins ?? []), origin]));
      expect(await authorizationStatus(redirect)).toBe(200);
    } finally {
      await release();
    }

    const after = await getClient(location, DOCS_CLIENT_ID);
    expect([sorted(after.redirectUris), sorted(after.webOrigins)]).toEqual([sorted(before.redirectUris), sorted(before.webOrigins)]);
    expect(await authorizationStatus(redirect)).toBe(400);
  });

  it('says so when the realm has no such client', async () => {
    await expect(allowClientOrigin(location, 'no-such-client', 'http://127.0.0.1:1')).rejects.toEqual(new KeycloakAdminError(404, `Realm ${location.realm} has no client no-such-client.`));
  });
});

describe('keycloakAdminToken', () => {
  it('refuses credentials that are not the master realm administrator', async () => {
    await expect(keycloakAdminToken(location.keycloakUrl, { username: 'admin', password: 'not-the-password' })).rejects.toBeInstanceOf(TokenRequestError);
  });
});
