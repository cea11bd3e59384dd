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

async function readStdin(signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of signal ? addAbortSignal(signal, process.stdin) : process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').trim();
}

/**
 * `invoicing login --client-id <id>`: signs a machine client in with the client-credentials grant and saves the token
 * for the API (never printed). The secret comes from `$INVOICING_CLIENT_SECRET`, or stdin with `--client-secret-stdin`,
 * never from the command line, where other users of the machine could read it.
 */
export async function login(apiUrl: string, options: { readonly clientId: string; readonly clientSecretStdin?: boolean; readonly signal?: AbortSignal }, out: Output): Promise<number> {
  const { signal } = options;
  const secret = options.clientSecretStdin ? await readStdin(signal) : process.env.INVOICING_CLIENT_SECRET;
  if (!secret) throw new CliError('cli.usage', 'give the client secret in INVOICING_CLIENT_SECRET, or on stdin with --client-secret-stdin');
  const tokenUrl = await tokenUrlOf(apiUrl, signal);
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
