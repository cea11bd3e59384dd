import { availableParallelism } from 'node:os';
import { DEFAULT_BILLING_SETTINGS } from '@invoicing/billing';
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
  /** Billing runs carried out in the background of the API (`@invoicing/billing`'s settings). */
  readonly billing: {
    /** Partnerships a run bills at once: the rest of the database's capacity is left to requests. */
    readonly runConcurrency: number;
  };
  /** Deadlines, in milliseconds (README, "Configuration"; apps/api/README.md, "Limits and deadlines"). */
  readonly timeouts: {
    /** A request's handling: past it the answer is 503 `request.deadline_exceeded`. */
    readonly requestMs: number;
    /** `/health/ready`: a check that has not answered by then is down. */
    readonly readyMs: number;
    /** The database: finding a server to talk to (and connecting to it). */
    readonly databaseSelectionMs: number;
    /** The database: silence on a connection during a call. */
    readonly databaseSocketMs: number;
    /**
     * How long an `Idempotency-Key` stays locked (409 `idempotency.in_progress`) by the attempt that took it, when
     * that attempt could not release it (it failed while the database was down): the request deadline plus
     * `IDEMPOTENCY_LOCK_MARGIN_MS`. It only has to outlast the attempt, since a creation's id derives from its key.
     */
    readonly idempotencyLockMs: number;
  };
  /** Requests per window; 0 turns a limit off. In memory, per replica. */
  readonly rateLimits: {
    readonly windowMs: number;
    /** Every request of one IP address (health checks excepted), counted before authentication. */
    readonly perIp: number;
    /** Refused access tokens (401) from one IP address. */
    readonly invalidTokensPerIp: number;
    /** Requests of one client (a user, or an integrator's client credentials) of a tenant. */
    readonly perClient: number;
    /** Requests of all the clients of one tenant. */
    readonly perTenant: number;
  };
  /**
   * File work (ADR 0028): PDFs drawn, e-invoices written, files validated and imported. Past a tenant's share its file
   * requests are answered 429 `file_work.tenant_busy`, past the API's 503 `file_work.busy`.
   */
  readonly files: {
    /** Worker threads that draw PDFs and write, validate and read large e-invoices, off the event loop. */
    readonly workers: number;
    /** File requests of one tenant handled at once. */
    readonly perTenant: number;
    /** More of one tenant's file requests waiting their turn. */
    readonly queuePerTenant: number;
    /** File requests of all tenants handled at once. */
    readonly total: number;
    /** Requests of all tenants waiting for one of those. */
    readonly queueTotal: number;
    /** Bytes of issued documents' files (PDFs, e-invoices) kept in memory, least recently used out. */
    readonly cacheBytes: number;
  };
  /** Origins allowed to call the API from a browser (CORS); empty: none, CORS is off. */
  readonly corsOrigins: readonly string[];
  /**
   * Which proxies' `X-Forwarded-For` to believe for the client's address (Fastify's `trustProxy`): none (the
   * connection's address counts), every one (`true`), so many hops, or these addresses and CIDR ranges.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** The events going out (docs/events.md). */
  readonly events: {
    /** `in-process`: this process relays the outbox and sends webhooks (one process at a time holds the lease); `off`: a worker does (`npm run worker`). */
    readonly relay: 'in-process' | 'off';
    /** The relay's pause after a round that did not fill its batch. */
    readonly idleMs: number;
    /** Live streams and long polls of the change feed one tenant may hold at once in this process; 0: no cap. */
    readonly streamsPerTenant: number;
    /** Live streams and long polls of all tenants at once in this process; 0: no cap. */
    readonly streamsPerProcess: number;
  };
  readonly webhooks: {
    /** Tenants whose endpoints may be plain http on private addresses (`*`: all): development and tests only. */
    readonly insecureTenants: readonly string[];
    readonly retry: { readonly baseDelayMs: number; readonly maxDelayMs: number; readonly windowMs: number };
    /** How long a receiver has to answer one delivery. */
    readonly timeoutMs: number;
    /** Deliveries in flight at once, over all endpoints. */
    readonly sendConcurrency: number;
  };
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

const milliseconds = (least: number) =>
  z.coerce.number({ error: 'is not a number' }).int({ error: 'is not a whole number of milliseconds' }).min(least, { error: `must be at least ${least} ms` });

const count = z.coerce.number({ error: 'is not a number' }).int({ error: 'is not a whole number' }).min(0, { error: 'must be 0 (off) or more' });

const between = (least: number, most: number) =>
  z.coerce
    .number({ error: 'is not a number' })
    .int({ error: 'is not a whole number' })
    .min(least, { error: `must be at least ${least}` })
    .max(most, { error: `must be at most ${most}` });

/** Half the cores, at least one: the other half answers requests (and, on the local stack, runs the database). */
export const DEFAULT_FILE_WORKERS = Math.max(1, Math.floor(availableParallelism() / 2));

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
  BILLING_RUN_CONCURRENCY: z.coerce
    .number({ error: 'is not a number' })
    .int({ error: 'is not a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(64, { error: 'must be at most 64' })
    .default(DEFAULT_BILLING_SETTINGS.concurrency),
  REQUEST_TIMEOUT_MS: milliseconds(100).default(15_000),
  READY_TIMEOUT_MS: milliseconds(100).default(2_000),
  MONGO_SERVER_SELECTION_TIMEOUT_MS: milliseconds(100).default(5_000),
  MONGO_SOCKET_TIMEOUT_MS: milliseconds(100).default(10_000),
  IDEMPOTENCY_LOCK_MARGIN_MS: milliseconds(0).default(2_000),
  RATE_LIMIT_WINDOW_MS: milliseconds(1_000).default(60_000),
  RATE_LIMIT_PER_IP: count.default(1_200),
  RATE_LIMIT_INVALID_TOKENS_PER_IP: count.default(60),
  RATE_LIMIT_PER_CLIENT: count.default(600),
  RATE_LIMIT_PER_TENANT: count.default(3_000),
  FILE_WORKERS: between(1, 64).default(DEFAULT_FILE_WORKERS),
  FILE_WORK_PER_TENANT: between(1, 1_000).default(2),
  FILE_QUEUE_PER_TENANT: between(0, 10_000).default(8),
  FILE_WORK_TOTAL: between(1, 1_000).default(8),
  FILE_QUEUE_TOTAL: between(0, 100_000).default(64),
  FILE_CACHE_BYTES: z.coerce.number({ error: 'is not a number' }).int({ error: 'is not a whole number of bytes' }).min(0, { error: 'must be 0 (keep none) or more' }).default(64 * 1024 * 1024),
  CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''))
    .refine((origins) => origins.every((origin) => URL.canParse(origin) && new URL(origin).origin === origin), {
      error: 'must be a comma-separated list of origins, each scheme://host[:port] without a path, e.g. https://app.example.com',
    })
    .default([]),
  TRUST_PROXY: z
    .string()
    .transform((value): boolean | number | string[] => {
      if (value === 'true' || value === 'false') return value === 'true';
      if (/^\d{1,2}$/.test(value)) return Number(value);
      return value.split(',').map((address) => address.trim()).filter((address) => address !== '');
    })
    .refine((value) => typeof value !== 'object' || value.every((address) => /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(address)), {
      error: 'must be true, false, a number of hops, or comma-separated proxy addresses or CIDR ranges, e.g. 10.0.0.0/8',
    })
    .default(false),
  EVENTS_RELAY: z.enum(['in-process', 'off'], { error: 'must be in-process or off' }).default('in-process'),
  EVENTS_POLL_MS: milliseconds(10).default(250),
  EVENTS_STREAMS_PER_TENANT: count.default(20),
  EVENTS_STREAMS_PER_PROCESS: count.default(1_000),
  WEBHOOK_INSECURE_TENANTS: z
    .string()
    .transform((value) => value.split(',').map((tenant) => tenant.trim()).filter((tenant) => tenant !== ''))
    .default([]),
  WEBHOOK_RETRY_BASE_MS: milliseconds(10).default(10_000),
  WEBHOOK_RETRY_MAX_DELAY_MS: milliseconds(10).default(6 * 3600_000),
  WEBHOOK_RETRY_WINDOW_MS: milliseconds(10).default(3 * 24 * 3600_000),
  WEBHOOK_TIMEOUT_MS: milliseconds(100).default(10_000),
  WEBHOOK_SEND_CONCURRENCY: z.coerce.number({ error: 'is not a number' }).int({ error: 'is not a whole number' }).min(1, { error: 'must be at least 1' }).max(256, { error: 'must be at most 256' }).default(4),
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
    billing: { runConcurrency: settings.BILLING_RUN_CONCURRENCY },
    timeouts: {
      requestMs: settings.REQUEST_TIMEOUT_MS,
      readyMs: settings.READY_TIMEOUT_MS,
      databaseSelectionMs: settings.MONGO_SERVER_SELECTION_TIMEOUT_MS,
      databaseSocketMs: settings.MONGO_SOCKET_TIMEOUT_MS,
      idempotencyLockMs: settings.REQUEST_TIMEOUT_MS + settings.IDEMPOTENCY_LOCK_MARGIN_MS,
    },
    rateLimits: {
      windowMs: settings.RATE_LIMIT_WINDOW_MS,
      perIp: settings.RATE_LIMIT_PER_IP,
      invalidTokensPerIp: settings.RATE_LIMIT_INVALID_TOKENS_PER_IP,
      perClient: settings.RATE_LIMIT_PER_CLIENT,
      perTenant: settings.RATE_LIMIT_PER_TENANT,
    },
    files: {
      workers: settings.FILE_WORKERS,
      perTenant: settings.FILE_WORK_PER_TENANT,
      queuePerTenant: settings.FILE_QUEUE_PER_TENANT,
      total: settings.FILE_WORK_TOTAL,
      queueTotal: settings.FILE_QUEUE_TOTAL,
      cacheBytes: settings.FILE_CACHE_BYTES,
    },
    corsOrigins: settings.CORS_ORIGINS,
    trustProxy: settings.TRUST_PROXY,
    events: { relay: settings.EVENTS_RELAY, idleMs: settings.EVENTS_POLL_MS, streamsPerTenant: settings.EVENTS_STREAMS_PER_TENANT, streamsPerProcess: settings.EVENTS_STREAMS_PER_PROCESS },
    webhooks: {
      insecureTenants: settings.WEBHOOK_INSECURE_TENANTS,
      retry: { baseDelayMs: settings.WEBHOOK_RETRY_BASE_MS, maxDelayMs: settings.WEBHOOK_RETRY_MAX_DELAY_MS, windowMs: settings.WEBHOOK_RETRY_WINDOW_MS },
      timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
      sendConcurrency: settings.WEBHOOK_SEND_CONCURRENCY,
    },
  };
}
