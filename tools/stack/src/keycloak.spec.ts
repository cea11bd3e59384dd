import { describe, expect, it, jest } from '@jest/globals';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { API_AUDIENCE, DOCS_CLIENT_ID, demoRealm, demoUser, integratorClient } from './demo-realm';
import { probeKeycloak } from './keycloak';
import { TokenRequestError, clientCredentialsGrant, passwordGrant, realmUrl } from './keycloak-tokens';
import { readStackEnv } from './stack-env';

// Against the real Keycloak of the run (started by the global setup with the repository's realm file, or KEYCLOAK_URL).
jest.setTimeout(30_000); // real HTTP round trips; Jest's projects cannot set testTimeout per project

const env = readStackEnv();
const location = { keycloakUrl: env.KEYCLOAK_URL, realm: env.KEYCLOAK_REALM };
const issuer = realmUrl(location);
const jwks = createRemoteJWKSet(new URL(`${issuer}/protocol/openid-connect/certs`));

/** What the API will do with every bearer token: signature by the realm's JWKS, issuer, audience, expiry. */
const verify = (token: string, audience = API_AUDIENCE) => jwtVerify(token, jwks, { issuer, audience, algorithms: ['RS256'] });
const rolesOf = (payload: JWTPayload) => (payload.realm_access as { roles: string[] }).roles;

describe('Keycloak realm invoicing', () => {
  describe('password grant', () => {
    it.each(demoRealm().users)('issues $username a verified token with tenant $tenant, roles $roles and the API audience', async (user) => {
      const { access_token } = await passwordGrant(location, user);

      const { payload } = await verify(access_token);

      expect(payload).toMatchObject({ tenant: user.tenant, preferred_username: user.username, azp: 'invoicing-dev' });
      expect(rolesOf(payload)).toEqual(expect.arrayContaining(user.roles));
      expect([payload.aud].flat()).toContain(API_AUDIENCE);
    });

    it('refuses a wrong password with invalid_grant', async () => {
      const admin = demoUser('acme', 'admin');

      const attempt = passwordGrant(location, { username: admin.username, password: `${admin.password}-wrong` });

      await expect(attempt).rejects.toBeInstanceOf(TokenRequestError);
      await expect(attempt).rejects.toMatchObject({ status: 400, error: 'invalid_grant' }); // RFC 6749 §5.2
    });

    it('refuses it through the docs client, which allows only the authorization code flow', async () => {
      const viewer = demoUser('acme', 'viewer');

      await expect(passwordGrant(location, { ...viewer, clientId: DOCS_CLIENT_ID })).rejects.toMatchObject({ error: 'unauthorized_client' });
    });
  });

  describe('client-credentials grant', () => {
    it.each(demoRealm().integrators)('issues $clientId a verified token bound to tenant $tenant with role integrator', async (client) => {
      const { access_token } = await clientCredentialsGrant(location, client);

      const { payload } = await verify(access_token);

      expect(payload).toMatchObject({ tenant: client.tenant, azp: client.clientId });
      expect(rolesOf(payload)).toEqual(['integrator']);
    });

    it('refuses a wrong client secret', async () => {
      const client = integratorClient('acme');

      await expect(clientCredentialsGrant(location, { ...client, clientSecret: 'not-the-secret' })).rejects.toMatchObject({
        status: 401,
        error: 'unauthorized_client',
      });
    });
  });

  describe('token verification with the JWKS', () => {
    it('rejects a valid token when the expected audience is another client', async () => {
      const { access_token } = await clientCredentialsGrant(location, integratorClient('globex'));

      await expect(verify(access_token, 'some-other-api')).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
    });

    it('rejects a token whose tenant claim was changed after signing', async () => {
      const { access_token } = await passwordGrant(location, demoUser('acme', 'viewer'));
      const [header, payload, signature] = access_token.split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, tenant: 'globex' })).toString('base64url')}.${signature}`;

      await expect(verify(forged)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    });

    it('rejects a token when the expected issuer is another realm', async () => {
      const { access_token } = await passwordGrant(location, demoUser('globex', 'accountant'));

      await expect(jwtVerify(access_token, jwks, { issuer: realmUrl({ ...location, realm: 'master' }), audience: API_AUDIENCE })).rejects.toBeInstanceOf(
        errors.JWTClaimValidationFailed,
      );
    });
  });

  describe('docs client (authorization code + PKCE)', () => {
    const authorize = (extra: Record<string, string>) =>
      fetch(
        `${issuer}/protocol/openid-connect/auth?${new URLSearchParams({
          client_id: DOCS_CLIENT_ID,
          redirect_uri: 'http://localhost:3000/docs/oauth2-redirect.html',
          response_type: 'code',
          scope: 'openid',
          state: 'spec',
          ...extra,
        })}`,
        { redirect: 'manual' },
      );

    it('sends the browser back with invalid_request when the flow starts without a code challenge', async () => {
      const response = await authorize({});

      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.origin + location.pathname).toBe('http://localhost:3000/docs/oauth2-redirect.html');
      expect(location.searchParams.get('error')).toBe('invalid_request');
    });

    it('shows the login page when the flow starts with an S256 code challenge', async () => {
      const response = await authorize({ code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });

      expect(response.status).toBe(200);
      expect(await response.text()).toContain('kc-form-login');
    });
  });
});

describe('probeKeycloak', () => {
  it('resolves when discovery, JWKS and a demo token with roles, tenant and audience are served', async () => {
    await expect(probeKeycloak(location, { demoToken: true })).resolves.toBeUndefined();
  });

  it('rejects when the realm does not exist', async () => {
    await expect(probeKeycloak({ ...location, realm: 'no-such-realm' })).rejects.toThrow(/404/);
  });
});
