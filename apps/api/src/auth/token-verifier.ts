import { tenantId as parseTenantId } from '@invoicing/core';
import KeycloakConnect from 'keycloak-connect';
import { ROLES, type Principal, type Role } from './principal';
import { ForbiddenProblem, UnauthorizedProblem } from '../http/problem';

// keycloak-connect's token class is not in its typings; this is the part of it we use.
interface KeycloakToken {
  readonly header?: { readonly alg?: string; readonly kid?: string };
  readonly content: Record<string, unknown>;
}
const Token: new (raw: string, clientId?: string) => KeycloakToken = require('keycloak-connect/middleware/auth-utils/token');

interface Rotation {
  getJWK(kid: string | undefined): Promise<string>;
  retrieveJWKs(): Promise<{ keys: { kid: string }[] }>;
}
interface GrantManagerInternals {
  rotation: Rotation;
  validateToken(token: KeycloakToken, expectedType: string): Promise<KeycloakToken>;
}

export interface TokenVerifierSettings {
  readonly keycloakUrl: string;
  readonly realm: string;
  readonly audience: string;
}

/** keycloak-connect's reasons, as stable codes a client can act on. */
const REASONS: readonly [RegExp, string, string][] = [
  [/expired/, 'auth.token_expired', 'The access token has expired: get a new one.'],
  [/wrong ISS/, 'auth.token_wrong_issuer', 'The access token was not issued by this API\'s realm.'],
  [/wrong audience/, 'auth.token_wrong_audience', 'The access token is not meant for this API (audience).'],
  [/signature|not signed|public key/, 'auth.token_invalid_signature', 'The access token\'s signature does not verify against the realm\'s keys.'],
  [/wrong type/, 'auth.token_wrong_type', 'This is not an access token (Bearer).'],
  [/stale/, 'auth.token_revoked', 'The access token was issued before a revocation.'],
];

/**
 * Verifies Keycloak access tokens locally with keycloak-connect: RS256 signature against the realm's JWKS (fetched
 * once, then again only for an unknown key id), issuer, audience and expiry. No network call per request.
 */
export class TokenVerifier {
  private readonly grants: GrantManagerInternals;
  private readonly pems = new Map<string, Promise<string>>();

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
    // keycloak-connect converts the JWK to PEM on every call; convert each key once.
    const rotation = this.grants.rotation;
    const getJWK = rotation.getJWK.bind(rotation);
    rotation.getJWK = (kid) => {
      const key = kid ?? '';
      let pem = this.pems.get(key);
      if (!pem) {
        pem = getJWK(kid);
        pem.catch(() => this.pems.delete(key));
        this.pems.set(key, pem);
      }
      return pem;
    };
  }

  /** Fetches the realm's keys: readiness, and a warm cache before the first request. */
  async keys(): Promise<number> {
    return (await this.grants.rotation.retrieveJWKs()).keys.length;
  }

  /** The caller of an `Authorization` header; throws a 401 problem for any bad token, 403 for a token without tenant. */
  async verify(authorization: string | undefined): Promise<Principal> {
    const match = /^Bearer ([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*\.[A-Za-z0-9_+/=-]*)$/.exec(authorization?.trim() ?? '');
    if (!authorization) throw new UnauthorizedProblem('auth.token_missing', 'Send an access token: Authorization: Bearer <token>.');
    if (!match) throw new UnauthorizedProblem('auth.token_malformed', 'The Authorization header is not "Bearer" followed by a JSON Web Token.');
    const token = new Token(match[1] as string, undefined);
    if (!token.header || typeof token.content.exp !== 'number') throw new UnauthorizedProblem('auth.token_malformed', 'The access token cannot be read.');
    if (token.header.alg !== 'RS256') throw new UnauthorizedProblem('auth.token_invalid_signature', `Tokens signed with "${token.header.alg ?? 'none'}" are not accepted.`);
    try {
      await this.grants.validateToken(token, 'Bearer');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const [, code, detail] = REASONS.find(([pattern]) => pattern.test(reason)) ?? [undefined, 'auth.token_invalid', 'The access token is not valid.'];
      throw new UnauthorizedProblem(code, detail);
    }
    return principalOf(token.content);
  }
}

function principalOf(claims: Record<string, unknown>): Principal {
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
  const clientId = typeof claims['azp'] === 'string' ? claims['azp'] : '';
  const username = claims['preferred_username'];
  return {
    subject: String(claims['sub'] ?? ''),
    name: typeof username === 'string' && !username.startsWith('service-account-') ? username : clientId,
    tenantId,
    roles,
    clientId,
  };
}
