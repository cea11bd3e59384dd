import { availableParallelism } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEFAULT_FILE_WORKERS, loadConfig } from './config';

const required = { MONGO_URL: 'mongodb://127.0.0.1:27017', KEYCLOAK_URL: 'http://127.0.0.1:8080/' };

describe('loadConfig', () => {
  it('fills every default from two required variables', () => {
    expect(loadConfig(required)).toEqual({
      port: 3000,
      host: 'localhost',
      publicUrl: 'http://localhost:3000',
      mongoUrl: 'mongodb://127.0.0.1:27017',
      mongoDb: 'invoicing',
      keycloakUrl: 'http://127.0.0.1:8080',
      keycloakRealm: 'invoicing',
      audience: 'invoicing-api',
      docsClientId: 'invoicing-docs',
      logLevel: 'info',
      timeZone: 'UTC',
      bodyLimit: 1_048_576,
      billing: { runConcurrency: 8 },
      timeouts: { requestMs: 15_000, readyMs: 2_000, databaseSelectionMs: 5_000, databaseSocketMs: 10_000, idempotencyLockMs: 17_000 },
      rateLimits: { windowMs: 60_000, perIp: 1_200, invalidTokensPerIp: 60, perClient: 600, perTenant: 3_000 },
      files: { workers: DEFAULT_FILE_WORKERS, perTenant: 2, queuePerTenant: 8, total: 8, queueTotal: 64, cacheBytes: 67_108_864 },
      corsOrigins: [],
      trustProxy: false,
      events: { relay: 'in-process', idleMs: 250, streamsPerTenant: 20, streamsPerProcess: 1_000 },
      webhooks: { insecureTenants: [], retry: { baseDelayMs: 10_000, maxDelayMs: 21_600_000, windowMs: 259_200_000 }, timeoutMs: 10_000, sendConcurrency: 4 },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...required,
      PORT: '8081',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://billing.example.com/',
      MONGO_DB: 'prod',
      TIME_ZONE: 'Europe/Paris',
      BODY_LIMIT: '2048',
      LOG_LEVEL: 'warn',
      BILLING_RUN_CONCURRENCY: '2',
    });
    expect(config).toMatchObject({ port: 8081, host: '0.0.0.0', publicUrl: 'https://billing.example.com', mongoDb: 'prod', timeZone: 'Europe/Paris', bodyLimit: 2048, logLevel: 'warn', billing: { runConcurrency: 2 } });
  });

  it('reads the deadlines, the rate limits (0 is off) and the CORS origins', () => {
    const config = loadConfig({
      ...required,
      REQUEST_TIMEOUT_MS: '3000',
      READY_TIMEOUT_MS: '500',
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '1000',
      MONGO_SOCKET_TIMEOUT_MS: '2000',
      IDEMPOTENCY_LOCK_MARGIN_MS: '500',
      RATE_LIMIT_WINDOW_MS: '1000',
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_INVALID_TOKENS_PER_IP: '5',
      RATE_LIMIT_PER_CLIENT: '10',
      RATE_LIMIT_PER_TENANT: '20',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
    });
    expect(config).toMatchObject({
      timeouts: { requestMs: 3000, readyMs: 500, databaseSelectionMs: 1000, databaseSocketMs: 2000, idempotencyLockMs: 3500 },
      rateLimits: { windowMs: 1000, perIp: 0, invalidTokensPerIp: 5, perClient: 10, perTenant: 20 },
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
    });
  });

  it('reads the file work: its threads, each tenant\'s share and the API\'s, and the bytes of files kept (ADR 0028)', () => {
    const config = loadConfig({ ...required, FILE_WORKERS: '3', FILE_WORK_PER_TENANT: '1', FILE_QUEUE_PER_TENANT: '0', FILE_WORK_TOTAL: '4', FILE_QUEUE_TOTAL: '16', FILE_CACHE_BYTES: '0' });
    expect(config.files).toEqual({ workers: 3, perTenant: 1, queuePerTenant: 0, total: 4, queueTotal: 16, cacheBytes: 0 });
    // One thread on the development machine's 2 cores: the other answers requests.
    expect(DEFAULT_FILE_WORKERS).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
    expect(() => loadConfig({ ...required, FILE_WORKERS: '0' })).toThrow(/FILE_WORKERS must be at least 1/);
    expect(() => loadConfig({ ...required, FILE_WORK_PER_TENANT: '0' })).toThrow(/FILE_WORK_PER_TENANT must be at least 1/);
    expect(() => loadConfig({ ...required, FILE_QUEUE_TOTAL: 'many' })).toThrow(/FILE_QUEUE_TOTAL is not a number/);
  });

  it('locks an Idempotency-Key for the request deadline plus a margin', () => {
    expect(loadConfig({ ...required, REQUEST_TIMEOUT_MS: '3000' }).timeouts.idempotencyLockMs).toBe(5_000);
    expect(loadConfig({ ...required, REQUEST_TIMEOUT_MS: '3000', IDEMPOTENCY_LOCK_MARGIN_MS: '0' }).timeouts.idempotencyLockMs).toBe(3_000);
  });

  it('reads the caps on the change feed\'s streams and long polls, per tenant and per process (0 is off)', () => {
    expect(loadConfig({ ...required, EVENTS_STREAMS_PER_TENANT: '5', EVENTS_STREAMS_PER_PROCESS: '0' }).events).toMatchObject({ streamsPerTenant: 5, streamsPerProcess: 0 });
    expect(() => loadConfig({ ...required, EVENTS_STREAMS_PER_TENANT: '-1' })).toThrow(/EVENTS_STREAMS_PER_TENANT must be 0 \(off\) or more/);
  });

  it('reads which proxies to trust for the client address: all, so many hops, or addresses', () => {
    expect(loadConfig({ ...required, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...required, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ...required, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => loadConfig({ ...required, TRUST_PROXY: 'the load balancer' })).toThrow(/TRUST_PROXY must be true, false, a number of hops/);
  });

  it('refuses an origin with a path, a negative limit, a deadline below its floor and a billing run that bills nothing at once', () => {
    expect(() => loadConfig({ ...required, CORS_ORIGINS: 'https://app.example.com/app' })).toThrow(/CORS_ORIGINS must be a comma-separated list of origins/);
    expect(() => loadConfig({ ...required, RATE_LIMIT_PER_TENANT: '-1' })).toThrow(/RATE_LIMIT_PER_TENANT must be 0 \(off\) or more/);
    expect(() => loadConfig({ ...required, REQUEST_TIMEOUT_MS: '10' })).toThrow(/REQUEST_TIMEOUT_MS must be at least 100 ms/);
    expect(() => loadConfig({ ...required, IDEMPOTENCY_LOCK_MARGIN_MS: '-1' })).toThrow(/IDEMPOTENCY_LOCK_MARGIN_MS must be at least 0 ms/);
    expect(() => loadConfig({ ...required, BILLING_RUN_CONCURRENCY: '0' })).toThrow(/BILLING_RUN_CONCURRENCY must be at least 1/);
  });

  it('names every missing or wrong variable at once, with what to do', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', TIME_ZONE: 'Mars/Olympus', LOG_LEVEL: 'loud', MONGO_DB: 'no spaces please' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT is not a number',
        expect.stringMatching(/^MONGO_URL is required: the MongoDB connection string/),
        expect.stringMatching(/^KEYCLOAK_URL is required/),
        expect.stringMatching(/^TIME_ZONE is not an IANA time zone/),
        expect.stringMatching(/^LOG_LEVEL must be one of/),
        expect.stringMatching(/^MONGO_DB must be 1–63/),
      ]),
    );
    expect(problems).toHaveLength(6);
    expect((error as Error).message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it('refuses a database URL of another kind and an empty value as missing', () => {
    expect(() => loadConfig({ ...required, MONGO_URL: 'postgres://db' })).toThrow(/MONGO_URL must start with mongodb:\/\//);
    expect(() => loadConfig({ ...required, KEYCLOAK_URL: '' })).toThrow(/KEYCLOAK_URL is required/);
  });
});
