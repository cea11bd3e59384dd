import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { clientCredentialsGrant, demoUser, integratorClient, passwordGrant, type RealmLocation } from '@invoicing/stack';
import { startApi, type RunningApi } from '../api';
import { dropDatabase } from '@invoicing/integration/mongodb';
import { loadConfig } from '../config';

/** Who calls: a demo user by tenant and role, or a tenant's integrator client. */
export type Caller = `${'acme' | 'globex'}-${'admin' | 'accountant' | 'viewer' | 'integrator'}`;

/** An HTTP answer, its body parsed when it is JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers field by field, as a client does
export interface Answer<Body = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Body;
  readonly text: string;
}

export interface CallOptions {
  /** Whose token to send; `null` sends none. Default `acme-admin`. */
  readonly as?: Caller | null;
  /** A JSON body, or a raw string sent as it is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Aborts the call (e.g. `AbortSignal.timeout(ms)`: a client that stops waiting). */
  readonly signal?: AbortSignal;
}

/** An API started for one spec file, against its own database of the test stack, with real Keycloak tokens. */
export interface TestApi {
  readonly api: RunningApi;
  /** The spec's own database. */
  readonly database: string;
  readonly url: string;
  readonly realm: RealmLocation;
  /** The logs the API wrote, one parsed JSON object per line. */
  readonly logs: Record<string, unknown>[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as for Answer
  call<Body = any>(method: string, path: string, options?: CallOptions): Promise<Answer<Body>>;
  token(caller: Caller): Promise<string>;
  close(): Promise<void>;
}

const tokens = new Map<string, Promise<string>>();

/** A real access token from the stack's Keycloak, fetched once per caller and spec file. */
export function tokenFor(realm: RealmLocation, caller: Caller): Promise<string> {
  let token = tokens.get(caller);
  if (!token) {
    const [tenant, role] = caller.split('-') as [string, string];
    token =
      role === 'integrator'
        ? clientCredentialsGrant(realm, integratorClient(tenant)).then((answer) => answer.access_token)
        : passwordGrant(realm, demoUser(tenant, role)).then((answer) => answer.access_token);
    token.catch(() => tokens.delete(caller));
    tokens.set(caller, token);
  }
  return token;
}

/** The stack's settings, as the Jest global setup exported them. */
export function stackEnv(): { MONGO_URL: string; KEYCLOAK_URL: string; KEYCLOAK_REALM: string } {
  const { MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM } = process.env;
  if (!MONGO_URL || !KEYCLOAK_URL) throw new Error('MONGO_URL and KEYCLOAK_URL are not set: run these tests through Jest (the stack global setup)');
  return { MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM: KEYCLOAK_REALM ?? 'invoicing' };
}

/**
 * Starts the API on a free port with a fresh database named after the spec (dropped on close).
 * `env` overrides configuration, e.g. `{ KEYCLOAK_AUDIENCE: 'another-api' }`.
 */
export async function startTestApi(label: string, env: Record<string, string> = {}): Promise<TestApi> {
  const stack = stackEnv();
  const database = env['MONGO_DB'] ?? `api_${label.replace(/[^A-Za-z0-9]/g, '_').slice(0, 30)}_${randomUUID().slice(0, 8)}`;
  // Rate limits are off unless a spec sets them: the suites send many requests from one address and client.
  const unlimited = { RATE_LIMIT_PER_IP: '0', RATE_LIMIT_INVALID_TOKENS_PER_IP: '0', RATE_LIMIT_PER_CLIENT: '0', RATE_LIMIT_PER_TENANT: '0' };
  // No relay unless a spec asks for one (EVENTS_RELAY=in-process): what the others assert does not move under them.
  const config = loadConfig({ ...stack, PORT: '0', HOST: '127.0.0.1', MONGO_DB: database, LOG_LEVEL: 'info', EVENTS_RELAY: 'off', ...unlimited, ...env });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const api = await startApi(config, { logDestination: destination });
  const realm = { keycloakUrl: stack.KEYCLOAK_URL, realm: stack.KEYCLOAK_REALM };

  async function call<Body>(method: string, path: string, options: CallOptions = {}): Promise<Answer<Body>> {
    const headers: Record<string, string> = { ...options.headers };
    const as = options.as === undefined ? 'acme-admin' : options.as;
    if (as) headers.authorization ??= `Bearer ${await tokenFor(realm, as)}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${api.url}${path}`, { method, headers, body, ...(options.signal ? { signal: options.signal } : {}) });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, headers: response.headers, text, body: type.includes('json') && text ? JSON.parse(text) : text };
  }

  return {
    api,
    database,
    url: api.url,
    realm,
    logs,
    call,
    token: (caller) => tokenFor(realm, caller),
    async close() {
      // Closed first: a request still running behind its answer (a spec's short deadline) would create it again.
      await api.close();
      await dropDatabase(config.mongoUrl, database).catch(() => undefined);
    },
  };
}
