import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A token saved by `invoicing login`, for one API. */
interface SavedToken {
  readonly accessToken: string;
  readonly expiresAt: string;
}

/** Where tokens are saved: `$INVOICING_CONFIG_DIR`, else `~/.config/invoicing`. The file is readable by its owner only. */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.INVOICING_CONFIG_DIR ?? join(homedir(), '.config', 'invoicing'), 'credentials.json');
}

async function readAll(file: string): Promise<Record<string, SavedToken>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, SavedToken>;
  } catch {
    return {};
  }
}

/** Saves a token for an API, in a file only its owner may read (0600, in a 0700 folder). */
export async function saveToken(apiUrl: string, accessToken: string, expiresInSeconds: number, env: NodeJS.ProcessEnv = process.env): Promise<Date> {
  const file = credentialsFile(env);
  const folder = join(file, '..');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const all = await readAll(file);
  const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
  all[apiUrl] = { accessToken, expiresAt: expiresAt.toISOString() };
  await writeFile(file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return expiresAt;
}

/** The token to call an API with: `$INVOICING_TOKEN`, else the one `login` saved for it while it is valid. */
export async function tokenFor(apiUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.INVOICING_TOKEN) return env.INVOICING_TOKEN;
  const saved = (await readAll(credentialsFile(env)))[apiUrl];
  if (!saved || new Date(saved.expiresAt).getTime() <= Date.now() + 5000) return undefined;
  return saved.accessToken;
}
