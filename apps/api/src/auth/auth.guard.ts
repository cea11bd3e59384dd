import { createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { TenantId } from '@invoicing/core';
import type { FastifyRequest } from 'fastify';
// Fastify's per-request logger is a child of the pino logger the API hands it (api.ts: loggerInstance).
import type { Logger } from 'pino';
import { ForbiddenProblem, UnauthorizedProblem } from '../http/problem';
import type { CallerLimits } from '../http/security';
import { ROLE_PERMISSIONS, PERMISSION_KEY, PUBLIC_KEY, isAllowed, type Permission } from './permissions';
import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Refusals whose remedy is to get a token, found before any signature is read: answered 401 whatever the count. */
const GET_A_TOKEN: ReadonlySet<string> = new Set(['auth.token_missing', 'auth.token_expired']);

/**
 * The one authentication sequence, with the rate limits that need the caller: the token, its refusal counted against
 * its IP address, then requests per client and per tenant. Shared by the guard and the routes that authenticate
 * before their body is read (the CSV upload), so each request is counted once.
 */
export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly limits: CallerLimits,
  ) {}

  /**
   * The request's caller, set on `request.principal`; a request already authenticated is answered its caller again,
   * counted no more.
   * @throws UnauthorizedProblem (401); ForbiddenProblem `auth.no_tenant`; HttpProblem 429 `rate_limit.exceeded`, 503 `auth.keys_unavailable`
   */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    if (request.principal) return request.principal;
    // Every token is verified, whatever its address's refused tokens: many callers may share an address (a NAT, a
    // proxy), and one RSA check (about 0.1 ms) costs less than the request. The count only turns the address's later
    // refusals into 429; key lookups for unknown key ids are bounded in the verifier, whoever sends them.
    const principal = await this.verifier.verify(request.headers.authorization).catch(async (error: unknown) => {
      if (error instanceof UnauthorizedProblem) await this.limits.tokenRefused(request, !GET_A_TOKEN.has(error.code));
      throw error;
    });
    request.principal = principal;
    // The request's own logger (also the reply's, which logs the completion): every later line says who called.
    (request.log as Logger).setBindings({ tenant: principal.tenantId, user: principal.name });
    await this.limits.afterAuthentication(request);
    return principal;
  }
}

/**
 * Every route is protected unless marked `@Public()`: a valid token, a tenant, and the route's permission, after the
 * Authenticator's sequence (which a route that reads its body late has run already).
 */
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const principal = await this.authenticator.authenticate(context.switchToHttp().getRequest<FastifyRequest>());
    assertAllowed(principal, this.reflector.getAllAndOverride<Permission>(PERMISSION_KEY, targets) ?? 'read');
    return true;
  }
}

/** @throws ForbiddenProblem `auth.forbidden`, naming the roles that have the permission */
export function assertAllowed(principal: Principal, permission: Permission): void {
  if (isAllowed(principal.roles, permission)) return;
  const roles = (Object.keys(ROLE_PERMISSIONS) as (keyof typeof ROLE_PERMISSIONS)[]).filter((role) => ROLE_PERMISSIONS[role].includes(permission));
  throw new ForbiddenProblem('auth.forbidden', `This needs permission "${permission}", which roles ${roles.join(', ')} have; your token has ${principal.roles.join(', ') || 'no role'}.`, {
    permission,
  });
}

function principalOf(context: ExecutionContext): Principal {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  // A route that reads the principal must not be @Public(): this is a programming error, not a client's.
  if (!principal) throw new Error('no principal on a public route');
  return principal;
}

/** The caller, in a controller method. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => principalOf(context));

/** The caller's tenant: every use case runs in it. */
export const Tenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantId => principalOf(context).tenantId);
