import fs from 'node:fs';
import { realmFile } from './paths';

/** Client id of the API: the audience (`aud`) every token for the API carries. */
export const API_AUDIENCE = 'invoicing-api';
/** Public client with the password grant, for tests and scripts (local realms only). */
export const DEV_CLIENT_ID = 'invoicing-dev';
/** Public client of the docs page: authorization code + PKCE (S256). */
export const DOCS_CLIENT_ID = 'invoicing-docs';
/** Access-token claim that names the tenant. */
export const TENANT_CLAIM = 'tenant';

/** A person of the demo realm who logs in with a password. */
export interface DemoUser {
  username: string;
  password: string;
  tenant: string;
  roles: string[];
}

/** A machine client of the demo realm (client-credentials grant), bound to one tenant by its service account. */
export interface IntegratorClient {
  clientId: string;
  clientSecret: string;
  tenant: string;
  roles: string[];
}

/** What the repository's realm file provides, read from the file itself so that code and file cannot drift apart. */
export interface DemoRealm {
  realm: string;
  users: DemoUser[];
  integrators: IntegratorClient[];
}

interface RealmFile {
  realm: string;
  clients: { clientId: string; secret?: string; serviceAccountsEnabled?: boolean }[];
  users: {
    username: string;
    serviceAccountClientId?: string;
    attributes?: Record<string, string[]>;
    realmRoles?: string[];
    credentials?: { type: string; value: string }[];
  }[];
}

let cached: DemoRealm | undefined;

/** Demo users and integrator clients of `tools/stack/keycloak/invoicing-realm.json`. */
export function demoRealm(): DemoRealm {
  if (cached) return cached;
  const file = JSON.parse(fs.readFileSync(realmFile, 'utf8')) as RealmFile;
  const tenantOf = (attributes?: Record<string, string[]>) => attributes?.[TENANT_CLAIM]?.[0] ?? '';
  const users = file.users
    .filter((user) => !user.serviceAccountClientId)
    .map((user) => ({
      username: user.username,
      password: user.credentials?.find((credential) => credential.type === 'password')?.value ?? '',
      tenant: tenantOf(user.attributes),
      roles: user.realmRoles ?? [],
    }));
  const integrators = file.clients
    .filter((client) => client.serviceAccountsEnabled)
    .map((client) => {
      const account = file.users.find((user) => user.serviceAccountClientId === client.clientId);
      return { clientId: client.clientId, clientSecret: client.secret ?? '', tenant: tenantOf(account?.attributes), roles: account?.realmRoles ?? [] };
    });
  cached = { realm: file.realm, users, integrators };
  return cached;
}

/** The first demo user with `role` in `tenant` (e.g. `demoUser('acme', 'admin')`). */
export function demoUser(tenant: string, role: string): DemoUser {
  const user = demoRealm().users.find((candidate) => candidate.tenant === tenant && candidate.roles.includes(role));
  if (!user) throw new Error(`The realm file has no demo user with role ${role} in tenant ${tenant}`);
  return user;
}

/** The integrator client of `tenant`. */
export function integratorClient(tenant: string): IntegratorClient {
  const client = demoRealm().integrators.find((candidate) => candidate.tenant === tenant);
  if (!client) throw new Error(`The realm file has no integrator client for tenant ${tenant}`);
  return client;
}
