import { passwordGrant, type RealmLocation } from './keycloak-tokens';

/** A user of Keycloak's master realm allowed to administer the realms. */
export interface KeycloakAdminCredentials {
  readonly username: string;
  readonly password: string;
}

/** The administrator the stack bootstraps its Keycloak with (keycloak.ts, `KC_BOOTSTRAP_ADMIN_*`). */
export const STACK_KEYCLOAK_ADMIN: KeycloakAdminCredentials = { username: 'admin', password: 'admin' };

/** Keycloak's admin API refused or failed a call: `status` is its HTTP status. */
export class KeycloakAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KeycloakAdminError';
  }
}

/** The part of a client representation this module changes; the rest is sent back as Keycloak gave it. */
interface ClientRepresentation {
  readonly id: string;
  readonly clientId: string;
  readonly redirectUris?: string[];
  readonly webOrigins?: string[];
}

/** An access token of the master realm's administrator, through Keycloak's own `admin-cli` client. */
export async function keycloakAdminToken(keycloakUrl: string, admin: KeycloakAdminCredentials = STACK_KEYCLOAK_ADMIN): Promise<string> {
  const { access_token } = await passwordGrant({ keycloakUrl, realm: 'master' }, { ...admin, clientId: 'admin-cli', scope: 'openid' });
  return access_token;
}

/**
 * Lets a realm's client send browsers back to, and take calls from, one more origin, e.g. a test's server on a free
 * port (Keycloak compares redirect ports even on loopback): adds `<origin>/*` to the client's redirect URIs and
 * `<origin>` to its web origins. Returns the function that removes exactly these two entries again.
 *
 * Each change reads the client and writes it back whole (the admin API has no partial update), so two runs changing
 * the same client at the same instant could lose one's entry; test runs add and remove theirs seconds apart.
 */
export async function allowClientOrigin(
  location: RealmLocation,
  clientId: string,
  origin: string,
  admin: KeycloakAdminCredentials = STACK_KEYCLOAK_ADMIN,
): Promise<() => Promise<void>> {
  const redirectUri = `${origin.replace(/\/+$/, '')}/*`;
  const webOrigin = origin.replace(/\/+$/, '');
  await changeClient(location, clientId, admin, (client) => ({
    redirectUris: [...new Set([...(client.redirectUris ?? []), redirectUri])],
    webOrigins: [...new Set([...(client.webOrigins ?? []), webOrigin])],
  }));
  return () =>
    changeClient(location, clientId, admin, (client) => ({
      redirectUris: (client.redirectUris ?? []).filter((uri) => uri !== redirectUri),
      webOrigins: (client.webOrigins ?? []).filter((entry) => entry !== webOrigin),
    }));
}

/** The client as the admin API shows it: its redirect URIs and web origins among the rest. */
export async function getClient(location: RealmLocation, clientId: string, admin: KeycloakAdminCredentials = STACK_KEYCLOAK_ADMIN): Promise<ClientRepresentation> {
  const token = await keycloakAdminToken(location.keycloakUrl, admin);
  return findClient(location, clientId, token);
}

async function changeClient(
  location: RealmLocation,
  clientId: string,
  admin: KeycloakAdminCredentials,
  change: (client: ClientRepresentation) => Pick<ClientRepresentation, 'redirectUris' | 'webOrigins'>,
): Promise<void> {
  const token = await keycloakAdminToken(location.keycloakUrl, admin);
  const client = await findClient(location, clientId, token);
  await adminCall(location, token, 'PUT', `/clients/${encodeURIComponent(client.id)}`, { ...client, ...change(client) });
}

async function findClient(location: RealmLocation, clientId: string, token: string): Promise<ClientRepresentation> {
  const [found] = (await adminCall(location, token, 'GET', `/clients?clientId=${encodeURIComponent(clientId)}`)) as ClientRepresentation[];
  if (!found) throw new KeycloakAdminError(404, `Realm ${location.realm} has no client ${clientId}.`);
  return found;
}

async function adminCall(location: RealmLocation, token: string, method: 'GET' | 'PUT', path: string, body?: unknown): Promise<unknown> {
  const url = `${location.keycloakUrl.replace(/\/+$/, '')}/admin/realms/${encodeURIComponent(location.realm)}${path}`;
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new KeycloakAdminError(response.status, `Keycloak's admin API answered ${method} ${path} with ${response.status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}
