import fs from 'node:fs';
import path from 'node:path';
import { StackError } from './stack.errors';
import { stackEnvFile } from './paths';

/** How a program reaches the stack: the settings `stack:up` writes and every consumer reads. */
export interface StackEnv {
  /** MongoDB connection string, e.g. `mongodb://127.0.0.1:40123/`. */
  MONGO_URL: string;
  /** Keycloak base URL without the realm, e.g. `http://127.0.0.1:40125`. */
  KEYCLOAK_URL: string;
  /** Realm name, `invoicing` unless a company Keycloak says otherwise. */
  KEYCLOAK_REALM: string;
}

export const STACK_ENV_NAMES = ['MONGO_URL', 'KEYCLOAK_URL', 'KEYCLOAK_REALM'] as const;

/** The realm the repository's realm file creates; the default of `KEYCLOAK_REALM`. */
export const DEFAULT_REALM = 'invoicing';

/** Formats settings as an env file: one `NAME=value` a line, no quoting (values carry no newline). */
export function formatEnvFile(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      if (/[\r\n]/.test(value)) throw new Error(`${name} holds a line break and cannot go into an env file`);
      return `${name}=${value}\n`;
    })
    .join('');
}

/** Parses `NAME=value` lines; blank lines and `#` comments are skipped, the value is everything after the first `=`. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return values;
}

/** Reads an env file, or `{}` when it does not exist. */
export function readEnvFile(file: string): Record<string, string> {
  try {
    return parseEnvFile(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/** Writes an env file atomically (write then rename), so a reader never sees half of it. */
export function writeEnvFile(file: string, values: Record<string, string>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, formatEnvFile(values));
  fs.renameSync(tmp, file);
}

/**
 * The stack's connection settings for a test suite, `npm start` or a benchmark.
 *
 * Environment variables win (a user's MongoDB or Atlas, a company Keycloak, or what the Jest global
 * setup exported); what they leave out comes from `.stack/stack.env`. `KEYCLOAK_REALM` defaults to `invoicing`.
 *
 * @throws StackError `stack.not_configured` when a setting is found nowhere, saying how to start the stack.
 */
export function readStackEnv(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): StackEnv {
  const env = options.env ?? process.env;
  const file = options.file ?? stackEnvFile;
  const fromFile = readEnvFile(file);
  const pick = (name: keyof StackEnv): string | undefined => env[name] || fromFile[name] || undefined;
  const values = {
    MONGO_URL: pick('MONGO_URL'),
    KEYCLOAK_URL: pick('KEYCLOAK_URL'),
    KEYCLOAK_REALM: pick('KEYCLOAK_REALM') ?? DEFAULT_REALM,
  };
  const missing = STACK_ENV_NAMES.filter((name) => !values[name]);
  if (missing.length > 0) {
    throw new StackError(
      'stack.not_configured',
      `No ${missing.join(', ')}: start the local stack with \`npm run stack:up\` (it writes ${file}), ` +
        'or set the environment variables to existing servers.',
    );
  }
  return values as StackEnv;
}
