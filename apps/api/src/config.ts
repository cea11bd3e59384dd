import { z } from 'zod';

/** The API's settings, read once from the environment at start-up (README, "Configuration"). */
export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  /** Where people reach the API: links in the docs, the OAuth redirect of the docs page. */
  readonly publicUrl: string;
  readonly mongoUrl: string;
  /** Database name when MONGO_URL names none. */
  readonly mongoDb: string;
  readonly keycloakUrl: string;
  readonly keycloakRealm: string;
  /** The `aud` every accepted token must carry: the API's client id in the realm. */
  readonly audience: string;
  /** The realm's public client the docs page signs in with (authorization code + PKCE). */
  readonly docsClientId: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** IANA time zone of the business calendar: "today" for due dates and reports. */
  readonly timeZone: string;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
}

/** The configuration is wrong: one line per variable, said so that a person can fix it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const url = (what: string) =>
  z
    .string({ error: `is required: ${what}` })
    .trim()
    .min(1, { error: `is required: ${what}` })
    .refine((value) => URL.canParse(value), { error: 'is not a URL' });

const timeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'is not an IANA time zone (e.g. Europe/Paris, UTC)' },
);

const schema = z.object({
  PORT: z.coerce.number({ error: 'is not a number' }).int({ error: 'is not a whole number' }).min(0).max(65535, { error: 'must be a TCP port (0–65535)' }).default(3000),
  HOST: z.string().min(1).default('localhost'),
  PUBLIC_URL: url('the URL people reach the API at').optional(),
  MONGO_URL: url('the MongoDB connection string, e.g. mongodb://localhost:27017/invoicing').refine((value) => /^mongodb(\+srv)?:\/\//.test(value), {
    error: 'must start with mongodb:// or mongodb+srv://',
  }),
  MONGO_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, { error: 'must be 1–63 letters, digits, _ or -' }).default('invoicing'),
  KEYCLOAK_URL: url('the Keycloak base URL, e.g. http://localhost:8080'),
  KEYCLOAK_REALM: z.string().min(1).default('invoicing'),
  KEYCLOAK_AUDIENCE: z.string().min(1).default('invoicing-api'),
  KEYCLOAK_DOCS_CLIENT: z.string().min(1).default('invoicing-docs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  TIME_ZONE: timeZone.default('UTC'),
  BODY_LIMIT: z.coerce.number({ error: 'is not a number' }).int().min(1024, { error: 'must be at least 1024 bytes' }).default(1_048_576),
});

/** Reads and checks the configuration; throws a ConfigError naming every wrong or missing variable at once. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`));
  }
  const settings = parsed.data;
  return {
    port: settings.PORT,
    host: settings.HOST,
    publicUrl: (settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`).replace(/\/+$/, ''),
    mongoUrl: settings.MONGO_URL,
    mongoDb: settings.MONGO_DB,
    keycloakUrl: settings.KEYCLOAK_URL.replace(/\/+$/, ''),
    keycloakRealm: settings.KEYCLOAK_REALM,
    audience: settings.KEYCLOAK_AUDIENCE,
    docsClientId: settings.KEYCLOAK_DOCS_CLIENT,
    logLevel: settings.LOG_LEVEL,
    timeZone: settings.TIME_ZONE,
    bodyLimit: settings.BODY_LIMIT,
  };
}
