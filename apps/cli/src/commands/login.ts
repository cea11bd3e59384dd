import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addAbortSignal } from 'node:stream';
import { causeOf } from '../api-client';
import { saveToken } from '../credentials';
import { CliError, EXIT, type Output } from '../output';

/**
 * The token endpoint of the API's Keycloak realm, as its OpenAPI document names it (the same realm signs users in
 * on the docs page), so that `login` needs the API's address only.
 */
async function tokenUrlOf(apiUrl: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(`${apiUrl}/openapi.json`, signal ? { signal } : {}).catch((error: unknown) => {
    signal?.throwIfAborted();
    throw new CliError('cli.api_unreachable', `cannot reach the API at ${apiUrl}: ${causeOf(error)}`);
  });
  if (!response.ok) throw new Error(`${apiUrl}/openapi.json answered ${response.status}: is this the invoicing API?`);
  const document = (await response.json()) as { components?: { securitySchemes?: Record<string, { flows?: Record<string, { tokenUrl?: string }> }> } };
  for (const scheme of Object.values(document.components?.securitySchemes ?? {})) {
    for (const flow of Object.values(scheme.flows ?? {})) if (flow.tokenUrl) return flow.tokenUrl;
  }
  throw new Error(`${apiUrl}/openapi.json names no token endpoint`);
}

/** Whether a host name is this machine's loopback, where plain http does not cross a network. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * The token endpoint the API names, if `login` may send it the client secret; the API's OpenAPI document is not
 * authenticated (over plain http, whoever listens on the API's port answers it), so what it names is trusted only
 * where something else vouches for it: the endpoint is under an issuer the user named (`issuers`), or on the origin
 * of an https API (its certificate vouches for it). Either way it is https, or plain http on loopback.
 * @throws CliError `cli.signin_untrusted` naming the endpoint, and how to confirm it if it is the user's sign-in server
 */
export function trustedTokenUrl(tokenUrl: string, apiUrl: string, issuers: readonly string[]): string {
  const refused = (why: string, hint = '') => new CliError('cli.signin_untrusted', `${apiUrl}/openapi.json names the token endpoint ${tokenUrl}, ${why}: the client secret is not sent there${hint}`);
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    throw refused('not a URL');
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)))) throw refused('which is not https (plain http only on this machine\'s loopback)');
  const under = (issuer: string) => {
    try {
      const base = new URL(issuer);
      return base.origin === url.origin && url.pathname.startsWith(`${base.pathname.replace(/\/+$/, '')}/`);
    } catch {
      return false;
    }
  };
  if (issuers.some(under) || (new URL(apiUrl).protocol === 'https:' && new URL(apiUrl).origin === url.origin)) return tokenUrl;
  // Keycloak's endpoints are `<issuer>/protocol/openid-connect/…`.
  const issuer = /^(.*?)\/protocol\/openid-connect\//.exec(url.href)?.[1] ?? url.origin;
  throw refused('which is neither under an issuer you named nor on the origin of an https API', `. If it is your sign-in server, confirm it with --issuer ${issuer} (or INVOICING_ISSUER)`);
}

/**
 * The realm of the local stack (`npm start`): `KEYCLOAK_URL` and `KEYCLOAK_REALM` from the environment, else from the
 * `.stack/stack.env` that `npm run stack:up` writes in this checkout (whoever can change it can change this command).
 */
function stackIssuer(env: NodeJS.ProcessEnv): string | undefined {
  let file: Record<string, string> = {};
  try {
    const text = readFileSync(resolve(__dirname, '../../../../.stack/stack.env'), 'utf8');
    file = Object.fromEntries([...text.matchAll(/^\s*([A-Z_][A-Z0-9_]*)=(.*?)\s*$/gm)].map(([, name, value]) => [name as string, value as string]));
  } catch {
    // No local stack.
  }
  const keycloakUrl = env.KEYCLOAK_URL || file.KEYCLOAK_URL;
  return keycloakUrl && `${keycloakUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(env.KEYCLOAK_REALM || file.KEYCLOAK_REALM || 'invoicing')}`;
}

async function readStdin(signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of signal ? addAbortSignal(signal, process.stdin) : process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').trim();
}

/**
 * `invoicing login --client-id <id>`: signs a machine client in with the client-credentials grant and saves the token
 * for the API (never printed). The secret comes from `$INVOICING_CLIENT_SECRET`, or stdin with `--client-secret-stdin`,
 * never from the command line, where other users of the machine could read it. It is sent only to a token endpoint
 * {@link trustedTokenUrl} accepts: under `issuer` (`--issuer`, `$INVOICING_ISSUER`) or the local stack's realm, or on
 * the origin of an https API.
 */
export async function login(
  apiUrl: string,
  options: { readonly clientId: string; readonly clientSecretStdin?: boolean; readonly issuer?: string; readonly signal?: AbortSignal },
  out: Output,
): Promise<number> {
  const { signal } = options;
  const secret = options.clientSecretStdin ? await readStdin(signal) : process.env.INVOICING_CLIENT_SECRET;
  if (!secret) throw new CliError('cli.usage', 'give the client secret in INVOICING_CLIENT_SECRET, or on stdin with --client-secret-stdin');
  const issuers = [options.issuer, stackIssuer(process.env)].filter((issuer): issuer is string => Boolean(issuer));
  const tokenUrl = trustedTokenUrl(await tokenUrlOf(apiUrl, signal), apiUrl, issuers);
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: secret }),
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    signal?.throwIfAborted();
    // The realm's server (Keycloak) is not the API: say which one is down.
    throw new CliError('cli.signin_unreachable', `cannot reach the sign-in server at ${tokenUrl}: ${causeOf(error)}`);
  });
  const answer = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
  signal?.throwIfAborted();
  if (!response.ok || !answer.access_token) {
    out.result(`login refused: ${answer.error_description ?? answer.error ?? response.statusText}`, { signedIn: false, error: answer.error ?? String(response.status) });
    return EXIT.failed;
  }
  const expiresAt = await saveToken(apiUrl, answer.access_token, answer.expires_in ?? 300);
  out.result(`signed in to ${apiUrl} as ${options.clientId} until ${expiresAt.toISOString()}`, { signedIn: true, apiUrl, clientId: options.clientId, expiresAt });
  return EXIT.ok;
}
