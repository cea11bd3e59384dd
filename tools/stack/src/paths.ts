import os from 'node:os';
import path from 'node:path';

/** Root of the clone: runtime state (`.stack/`) and persistent data (`.data/`) live here, git-ignored. */
export const repoRoot = path.resolve(__dirname, '../../..');

/** `.stack/`: pid/state file, `stack.env`, server logs. Git-ignored. */
export const stateDir = path.join(repoRoot, '.stack');

/** `.stack/stack.env`: the connection settings of the stack that `stack:up` started, one `NAME=value` a line. */
export const stackEnvFile = path.join(stateDir, 'stack.env');

/** `.data/`: what `stack:up` (and so `npm start`) keeps between runs. Git-ignored. */
export const dataDir = path.join(repoRoot, '.data');

/** The realm file Keycloak imports, kept in the repository. */
export const realmFile = path.resolve(__dirname, '../keycloak/invoicing-realm.json');

/**
 * Downloads and builds, shared by every clone and worktree of the machine:
 * `${XDG_CACHE_HOME:-$HOME/.cache}/invoicing`, or `INVOICING_CACHE_DIR` when set.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.INVOICING_CACHE_DIR) return path.resolve(env.INVOICING_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'invoicing');
}
