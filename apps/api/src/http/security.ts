import { createHash } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { ApiConfig } from '../config';
import { HttpProblem } from './problem';

/** The rate limits that need the caller, applied by the guard around token verification. */
export interface CallerLimits {
  /**
   * A token was refused (401): one more against its IP address. With `enforced`, an address past its budget is
   * answered 429 instead. A token that verifies is never refused for its address's count: an address may be many
   * callers (a NAT, or a proxy without TRUST_PROXY).
   * @throws HttpProblem 429 `rate_limit.exceeded` (`limit: invalid_tokens`)
   */
  tokenRefused(request: FastifyRequest, enforced: boolean): Promise<void>;
  /** A token was accepted (`request.principal` is set): one request of its client, and of its tenant. */
  afterAuthentication(request: FastifyRequest): Promise<void>;
}

type Limit = 'ip' | 'invalid_tokens' | 'client' | 'tenant';

const WHOSE: Record<Limit, string> = {
  ip: 'from your address',
  invalid_tokens: 'with a refused access token from your address',
  client: 'by your client',
  tenant: 'by your tenant',
};

function tooManyRequests(limit: Limit, max: number, retryAfterSeconds: number): HttpProblem {
  const retryAfter = String(Math.max(1, retryAfterSeconds));
  return new HttpProblem(429, 'rate_limit.exceeded', `More than ${max} requests ${WHOSE[limit]} in the current window; retry after ${retryAfter} s.`, { limit }, {
    'retry-after': retryAfter,
  });
}

/** Headers a browser client of another origin may send, and read. */
const CORS_REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'idempotency-key', 'if-match', 'x-request-id'];
const CORS_EXPOSED_HEADERS = ['etag', 'location', 'retry-after', 'x-request-id', 'idempotent-replayed', 'allow'];

/**
 * The edge's defences, registered before any route: security headers (helmet, with a Content-Security-Policy that
 * lets the docs site run Swagger UI and sign in through Keycloak), CORS only for the configured origins, and rate
 * limits. Every limit counts in this process's memory: with N replicas a client gets up to N times the limit.
 * @returns the limits the guard applies once it knows the caller.
 */
export async function secureEdge(app: NestFastifyApplication, config: ApiConfig): Promise<CallerLimits> {
  const keycloak = new URL(config.keycloakUrl).origin;
  // helmet's middleware, built once: @fastify/helmet built it again on every request (parsing the policy each time,
  // about 40 µs of a read's 900), for headers that never change.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // Swagger UI and the guide's pages style elements inline; Swagger UI's icons are data: URLs.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        // Swagger UI trades the sign-in code for a token at Keycloak's token endpoint.
        connectSrc: ["'self'", keycloak],
        formAction: ["'self'", keycloak],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // No Cross-Origin-Opener-Policy: the sign-in pop-up comes back from Keycloak to our oauth2-redirect page, which
    // hands the code to `window.opener`; any policy there would cut it off from the page that opened it.
    crossOriginOpenerPolicy: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  fastify.addHook('onSend', allowOwnInlineScripts);
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...config.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    });
  }

  const { windowMs, perIp, invalidTokensPerIp, perClient, perTenant } = config.rateLimits;
  await app.register(rateLimit, {
    global: perIp > 0,
    hook: 'onRequest',
    max: perIp,
    timeWindow: windowMs,
    keyGenerator: (request) => `ip:${request.ip}`,
    // Orchestrators probe health often and from few addresses.
    allowList: (request) => request.url.startsWith('/health/'),
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) => tooManyRequests('ip', context.max, Math.ceil(context.ttl / 1000)),
  });

  const limiter = (max: number, key: (request: FastifyRequest) => string) => fastify.createRateLimit({ max, timeWindow: windowMs, keyGenerator: key, allowList: () => max === 0 });
  const invalidTokens = limiter(invalidTokensPerIp, (request) => `invalid-token:${request.ip}`);
  const clients = limiter(perClient, (request) => `client:${request.principal?.tenantId}:${request.principal?.subject}`);
  const tenants = limiter(perTenant, (request) => `tenant:${request.principal?.tenantId}`);
  const enforce = async (limit: Limit, check: ReturnType<typeof limiter>, request: FastifyRequest) => {
    const state = await check(request);
    if (!state.isAllowed && state.isExceeded) throw tooManyRequests(limit, state.max, state.ttlInSeconds);
  };
  if (config.trustProxy === false || config.trustProxy === 0) warnOnceOfForwardedRequests(fastify);
  return {
    tokenRefused: async (request, enforced) => {
      if (enforced) await enforce('invalid_tokens', invalidTokens, request);
      else await invalidTokens(request);
    },
    afterAuthentication: async (request) => {
      await enforce('client', clients, request);
      await enforce('tenant', tenants, request);
    },
  };
}

/**
 * Behind a proxy without TRUST_PROXY, every client has the proxy's address, and the per-address limits count them
 * all as one: said once, in the log, on the first request a proxy forwarded.
 */
function warnOnceOfForwardedRequests(fastify: FastifyInstance): void {
  let warned = false;
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!warned && (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined)) {
      warned = true;
      request.log.warn(
        { ip: request.ip },
        'A request came through a proxy (X-Forwarded-For) but TRUST_PROXY is not set: every client counts as the proxy\'s address for the per-address rate limits. Set TRUST_PROXY to the proxy\'s hops or addresses.',
      );
    }
    done();
  });
}

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/**
 * The pages we render may run the inline scripts they were rendered with (Swagger UI's set-up and the site header),
 * named by hash in the page's own `script-src`; a script injected into a page matches no hash and does not run.
 */
async function allowOwnInlineScripts(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const policy = reply.getHeader('content-security-policy');
  if (typeof policy !== 'string' || typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
  const hashes = [...payload.matchAll(INLINE_SCRIPT)].map(([, script]) => `'sha256-${createHash('sha256').update(script ?? '').digest('base64')}'`);
  if (hashes.length > 0) void reply.header('content-security-policy', policy.replace("script-src 'self'", `script-src 'self' ${hashes.join(' ')}`));
  return payload;
}

/** API answers are per caller and change with every write: no cache may keep them. Problems included. */
export async function noStoreForJson(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const type = String(reply.getHeader('content-type') ?? '');
  if (/^application\/(?:problem\+)?json/.test(type) && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  return payload;
}
