import { DEV_CLIENT_ID } from './demo-realm';

/** Where a realm lives: `KEYCLOAK_URL` and `KEYCLOAK_REALM` of the stack env. */
export interface RealmLocation {
  keycloakUrl: string;
  realm: string;
}

/** The token endpoint's answer (RFC 6749 §5.1), as far as the project reads it. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

/** The token endpoint refused (RFC 6749 §5.2): `error` is e.g. `invalid_grant` or `unauthorized_client`. */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`Token request refused (${status} ${error}): ${description}`);
    this.name = 'TokenRequestError';
  }
}

/** `<KEYCLOAK_URL>/realms/<realm>`: the issuer of the realm's tokens when Keycloak runs with that hostname. */
export function realmUrl(location: RealmLocation): string {
  return `${location.keycloakUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(location.realm)}`;
}

async function requestToken(location: RealmLocation, form: Record<string, string>): Promise<TokenResponse> {
  const response = await fetch(`${realmUrl(location)}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & { error?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw new TokenRequestError(response.status, body.error ?? 'unknown_error', body.error_description ?? response.statusText);
  }
  return body as TokenResponse;
}

/** Resource-owner password grant (only the dev client allows it; a local-development convenience). */
export function passwordGrant(
  location: RealmLocation,
  credentials: { username: string; password: string; clientId?: string; scope?: string },
): Promise<TokenResponse> {
  return requestToken(location, {
    grant_type: 'password',
    client_id: credentials.clientId ?? DEV_CLIENT_ID,
    username: credentials.username,
    password: credentials.password,
    scope: credentials.scope ?? 'openid',
  });
}

/** Client-credentials grant of a confidential client with a service account (the integrators). */
export function clientCredentialsGrant(location: RealmLocation, client: { clientId: string; clientSecret: string }): Promise<TokenResponse> {
  return requestToken(location, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
}

/** The payload of a JWT, decoded WITHOUT verifying it: for readiness checks and test diagnostics only. */
export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
