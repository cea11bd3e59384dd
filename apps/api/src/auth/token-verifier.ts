import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { tenantId as parseTenantId } from '@invoicing/core';
import KeycloakConnect from 'keycloak-connect';
import { ROLES, type Principal, type Role } from './principal';
import { ForbiddenProblem, HttpProblem, UnauthorizedProblem } from '../http/problem';

// keycloak-connect's token class is not in its typings; this is the part of it we use.
interface KeycloakToken {
  /** What the header's and payload's JSON parsed to: anything, `null` included (keycloak-connect checks nothing). */
  readonly header?: unknown;
  readonly content: unknown;
}
/** A token whose header and payload are JSON objects with claims of the types below. */
interface ReadableToken extends KeycloakToken {
  readonly header: { readonly alg?: unknown; readonly kid?: unknown };
  readonly content: Record<string, unknown> & { readonly exp: number };
}
const Token: new (raw: string, clientId?: string) => KeycloakToken = require('keycloak-connect/middleware/auth-utils/token');

interface Jwk {
  readonly kid?: string;
  readonly use?: string;
  readonly kty?: string;
}
interface Rotation {
  /** keycloak-connect passes the result to `crypto.Verify#verify`, which takes a parsed KeyObject as well as a PEM. */
  getJWK(kid: string | undefined): Promise<KeyObject | string>;
}
interface GrantManagerInternals {
  rotation: Rotation;
  validateToken(token: KeycloakToken, expectedType: string): Promise<KeycloakToken>;
}

/** The realm's keys cannot be fetched: not the caller's fault (503). */
const KEYS_UNAVAILABLE = 'realm keys unavailable';
/** A token naming a key id the realm does not have is looked up again at most this often. */
const UNKNOWN_KEY_REFRESH_MS = 10_000;
/** Verified tokens remembered at most; past it the memory starts again (clients reuse one token for minutes). */
const VERIFIED_TOKENS_MAX = 10_000;
/** Claims that, when present, must be numbers (seconds) or strings; `exp` must be there. */
const TIME_CLAIMS = ['iat', 'nbf'] as const;
const TEXT_CLAIMS = ['sub', 'azp', 'preferred_username', 'client_id', 'clientId', 'sid', 'session_state'] as const;
/** How far ahead of ours the realm's clock may run: a token's `iat` later than that is refused. */
const ISSUED_AHEAD_MAX_MS = 60_000;

export interface TokenVerifierSettings {
  readonly keycloakUrl: string;
  readonly realm: string;
  readonly audience: string;
  /** How long a fetch of the realm's keys may take (5 s by default): a server that never answers is down. */
  readonly keysTimeoutMs?: number;
}

const KEYS_TIMEOUT_MS = 5_000;

/**
 * `Bearer` (any case: RFC 9110 §11.1) and a compact JWS: three parts of strict base64url (RFC 7515 §2: no padding, no
 * other alphabet), the signature possibly empty (`alg: none`, refused as unsigned). Anything else is malformed.
 */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.([A-Za-z0-9_-]*))$/i;

/** keycloak-connect's reasons, as stable codes a client can act on. */
const REASONS: readonly [RegExp, string, string][] = [
  [/expired/, 'auth.token_expired', 'The access token has expired: get a new one.'],
  [/wrong ISS/, 'auth.token_wrong_issuer', 'The access token was not issued by this API\'s realm.'],
  [/wrong audience/, 'auth.token_wrong_audience', 'The access token is not meant for this API (audience).'],
  [/signature|not signed|signing key/, 'auth.token_invalid_signature', 'The access token\'s signature does not verify against the realm\'s keys.'],
  [/wrong type/, 'auth.token_wrong_type', 'This is not an access token (Bearer).'],
  [/stale/, 'auth.token_revoked', 'The access token was issued before a revocation.'],
];

/**
 * Verifies Keycloak access tokens locally with keycloak-connect: RS256 signature against the realm's JWKS (fetched
 * once, then again only for an unknown key id), issuer, audience and expiry; then what it leaves unchecked: the
 * claims' types, a subject, `nbf` and `iat`. No network call per request.
 */
export class TokenVerifier {
  private readonly grants: GrantManagerInternals;
  private publicKeys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  /** When a fetch last failed: the realm is not asked again sooner than a success would allow. */
  private failedAt = 0;
  private refreshing: Promise<number> | undefined;
  private readonly certsUrl: string;
  private readonly keysTimeoutMs: number;
  /**
   * Tokens verified lately, by their full text (signature included), with the caller and the expiry: a client sends
   * the same token for minutes, and checking its RSA signature again on every request was a tenth of a read's cost.
   * A refused token is never remembered, and a remembered one is refused once it expires.
   */
  private readonly verified = new Map<string, { readonly principal: Principal; readonly expiresAtMs: number }>();

  constructor(settings: TokenVerifierSettings) {
    const keycloak = new KeycloakConnect({}, {
      realm: settings.realm,
      'auth-server-url': settings.keycloakUrl,
      resource: settings.audience,
      'bearer-only': true,
      'verify-token-audience': true,
      'ssl-required': 'external',
      'confidential-port': 0,
    } as unknown as KeycloakConnect.KeycloakConfig);
    this.grants = keycloak.grantManager as unknown as GrantManagerInternals;
    this.certsUrl = `${settings.keycloakUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(settings.realm)}/protocol/openid-connect/certs`;
    this.keysTimeoutMs = settings.keysTimeoutMs ?? KEYS_TIMEOUT_MS;
    // keycloak-connect converts the JWK to PEM on every request (and the PEM is parsed again on every check: 0.1 ms),
    // and for an unknown key id either refetches or, within its throttle, returns nothing (a TypeError later). Keys
    // are ours to cache: one parsed public key per key id.
    this.grants.rotation.getJWK = (kid) => this.publicKey(kid ?? '');
  }

  private async publicKey(kid: string): Promise<KeyObject> {
    const known = this.publicKeys.get(kid);
    if (known) return known;
    // Whatever the realm answered last (even no usable key): a token's key id is the sender's to choose.
    if (Date.now() - this.fetchedAt < UNKNOWN_KEY_REFRESH_MS) throw new Error('unknown signing key');
    await this.keys();
    const key = this.publicKeys.get(kid);
    if (!key) throw new Error('unknown signing key');
    return key;
  }

  /**
   * Whether the realm's keys can be had, for readiness: the keys fetched within the last 10 s count, and a fetch that
   * failed within them is the answer too. Readiness needs no token: without this, each probe was a request to Keycloak.
   * @throws Error `realm keys unavailable`
   */
  async ready(): Promise<number> {
    if (Date.now() - this.fetchedAt < UNKNOWN_KEY_REFRESH_MS) return this.publicKeys.size;
    return this.keys();
  }

  /** Fetches the realm's keys: a warm cache before the first request, and an unknown key id. */
  keys(): Promise<number> {
    // Requests that find no key at once share one fetch.
    this.refreshing ??= this.fetchKeys().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * The realm's JWKS, fetched here rather than by keycloak-connect, whose fetch has no timeout (a server that accepts
   * the connection and never answers left every later check waiting) and parses the answer where an exception is
   * uncaught (an HTML page from a proxy stopped the process). A failure is remembered as long as a success would be.
   * The keys replace the ones known: a key the realm removed (after a compromise) is no longer trusted.
   */
  private async fetchKeys(): Promise<number> {
    if (Date.now() - this.failedAt < UNKNOWN_KEY_REFRESH_MS) throw new Error(KEYS_UNAVAILABLE);
    let keys: Jwk[];
    try {
      const response = await fetch(this.certsUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.keysTimeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('no keys');
      keys = body.keys as Jwk[];
    } catch {
      this.failedAt = Date.now();
      throw new Error(KEYS_UNAVAILABLE);
    }
    const next = new Map<string, KeyObject>();
    for (const key of keys) {
      if (!key.kid || key.kty !== 'RSA' || key.use === 'enc') continue;
      const known = this.publicKeys.get(key.kid);
      try {
        next.set(key.kid, known ?? createPublicKey({ key: key as JsonWebKey, format: 'jwk' }));
      } catch {
        // A key that is not a valid RSA key verifies nothing: left out.
      }
    }
    // Tokens verified with a key no longer published are checked again.
    if ([...this.publicKeys.keys()].some((kid) => !next.has(kid))) this.verified.clear();
    this.publicKeys = next;
    this.fetchedAt = Date.now();
    return keys.length;
  }

  /** The caller of an `Authorization` header; throws a 401 problem for any bad token, 403 for a token without tenant. */
  async verify(authorization: string | undefined): Promise<Principal> {
    const match = BEARER.exec(authorization?.trim() ?? '');
    if (!authorization) throw new UnauthorizedProblem('auth.token_missing', 'Send an access token: Authorization: Bearer <token>.');
    if (!match) throw new UnauthorizedProblem('auth.token_malformed', 'The Authorization header is not "Bearer" followed by a JSON Web Token.');
    const raw = match[1] as string;
    // One token, one spelling: the signature's text must be what its bytes encode to. Otherwise text with the unused
    // bits of its last character set verifies too, and each such variant would be a check and an entry of `verified`.
    const signature = match[2] as string;
    if (signature === '' || Buffer.from(signature, 'base64url').toString('base64url') !== signature) {
      throw new UnauthorizedProblem('auth.token_invalid_signature', 'The access token\'s signature is missing or not in canonical base64url.');
    }
    const known = this.verified.get(raw);
    // keycloak-connect's own rule: a token is expired once `exp` seconds are past.
    if (known && known.expiresAtMs >= Date.now()) return known.principal;
    if (known) this.verified.delete(raw);
    const token = new Token(raw, undefined);
    // Before anything reads a claim: a payload of `null` used to be a TypeError, answered 500 and counted as no refusal.
    if (!isReadable(token)) throw new UnauthorizedProblem('auth.token_malformed', 'The access token cannot be read: its header or claims are not JSON objects, or a claim has the wrong type.');
    if (token.header.alg !== 'RS256') throw new UnauthorizedProblem('auth.token_invalid_signature', `Tokens signed with "${String(token.header.alg ?? 'none')}" are not accepted.`);
    try {
      await this.grants.validateToken(token, 'Bearer');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (reason.includes(KEYS_UNAVAILABLE)) {
        throw new HttpProblem(503, 'auth.keys_unavailable', 'The sign-in server cannot be reached to check the token; retry shortly.', {}, { 'retry-after': '5' });
      }
      const [, code, detail] = REASONS.find(([pattern]) => pattern.test(reason)) ?? [undefined, 'auth.token_invalid', 'The access token is not valid.'];
      throw new UnauthorizedProblem(code, detail);
    }
    assertInForce(token.content);
    const principal = Object.freeze(principalOf(token.content));
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.clear();
    this.verified.set(raw, { principal, expiresAtMs: principal.expiresAt });
    return principal;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the header and claims are what a JWT's are: objects, times as finite numbers, names as strings. */
function isReadable(token: KeycloakToken): token is ReadableToken {
  const claims = token.content;
  if (!isObject(token.header) || !isObject(claims) || typeof claims['exp'] !== 'number' || !Number.isFinite(claims['exp'])) return false;
  if (TIME_CLAIMS.some((name) => claims[name] !== undefined && !(typeof claims[name] === 'number' && Number.isFinite(claims[name])))) return false;
  if (TEXT_CLAIMS.some((name) => claims[name] !== undefined && typeof claims[name] !== 'string')) return false;
  const realmAccess = claims['realm_access'];
  return realmAccess === undefined || (isObject(realmAccess) && (realmAccess['roles'] === undefined || Array.isArray(realmAccess['roles'])));
}

/**
 * What keycloak-connect does not check of a signed token: a subject (without one, every such caller would be the same
 * one to idempotency keys, rate limits and the audit trail), `nbf` by the rule it applies to `exp` (no allowance), and
 * an `iat` no later than the realm's clock may run ahead of ours.
 * @throws UnauthorizedProblem `auth.token_invalid`
 */
function assertInForce(claims: ReadableToken['content']): void {
  if (typeof claims['sub'] !== 'string' || claims['sub'] === '') {
    throw new UnauthorizedProblem('auth.token_invalid', 'The access token names no subject (claim "sub"): the realm must issue it (Keycloak\'s "basic" client scope).');
  }
  const now = Date.now();
  const notBefore = claims['nbf'] as number | undefined;
  if (notBefore !== undefined && notBefore * 1000 > now) throw new UnauthorizedProblem('auth.token_invalid', 'The access token is not valid yet (claim "nbf").');
  const issuedAt = claims['iat'] as number | undefined;
  if (issuedAt !== undefined && issuedAt * 1000 > now + ISSUED_AHEAD_MAX_MS) throw new UnauthorizedProblem('auth.token_invalid', 'The access token was issued in the future (claim "iat"): the realm\'s clock and ours disagree.');
}

/**
 * Whether the token is a client's own (client credentials: its service account), from what Keycloak puts only there:
 * the client id note (`client_id`, `clientId` before Keycloak 25) naming the token's client; else no user session
 * (`sid`, `session_state`) and no user name but the service account's, `service-account-<client id>` (user names are
 * lower case). A user name alone proves nothing: a person may be named so.
 */
function isServiceAccount(claims: Record<string, unknown>, clientId: string): boolean {
  if (clientId === '') return false;
  if (claims['client_id'] === clientId || claims['clientId'] === clientId) return true;
  if (claims['sid'] !== undefined || claims['session_state'] !== undefined) return false;
  const username = claims['preferred_username'] as string | undefined;
  return username === undefined || username === `service-account-${clientId.toLowerCase()}`;
}

function principalOf(claims: ReadableToken['content']): Principal {
  const tenant = claims['tenant'];
  if (typeof tenant !== 'string' || tenant === '') {
    throw new ForbiddenProblem('auth.no_tenant', 'The access token names no tenant (claim "tenant"): ask an administrator to set your tenant.');
  }
  let tenantId;
  try {
    tenantId = parseTenantId(tenant);
  } catch {
    throw new ForbiddenProblem('auth.no_tenant', 'The access token\'s tenant claim is not a valid tenant id.');
  }
  const realmRoles = (claims['realm_access'] as { roles?: unknown } | undefined)?.roles;
  const roles = Array.isArray(realmRoles) ? ROLES.filter((role: Role) => realmRoles.includes(role)) : [];
  const clientId = (claims['azp'] as string | undefined) ?? '';
  const subject = claims['sub'] as string;
  const machine = isServiceAccount(claims, clientId);
  return {
    subject,
    name: machine ? clientId : ((claims['preferred_username'] as string | undefined) ?? subject),
    tenantId,
    roles,
    clientId,
    machine,
    expiresAt: claims.exp * 1000,
  };
}
