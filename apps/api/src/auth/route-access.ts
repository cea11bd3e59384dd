import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { assertAllowed, type Authenticator } from './auth.guard';
import { PERMISSION_KEY, PUBLIC_KEY, type Permission } from './permissions';

/**
 * What each controller route asks of its caller, by method and URL as Fastify routes them, read from the metadata the
 * guard reads: its permission, or `null` for a `@Public()` one. Routes no controller serves (the docs pages, static
 * files, unknown paths) are not in it: the guard never saw them either.
 */
export class RouteAccess {
  private readonly routes = new Map<string, Permission | null>();

  /** Learns the app's controller routes (after `app.init()`, when Nest has registered them). */
  learn(app: INestApplication): void {
    const controllers = new Set<Type>();
    for (const module of app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) if (wrapper.metatype) controllers.add(wrapper.metatype as Type);
    }
    for (const controller of controllers) {
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        // The guard's own reading: the handler's metadata first, then the controller's.
        const publicRoute = (Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller)) === true;
        const permission = publicRoute ? null : ((Reflect.getMetadata(PERMISSION_KEY, handler) ?? Reflect.getMetadata(PERMISSION_KEY, controller) ?? 'read') as Permission);
        for (const prefix of pathsOf(Reflect.getMetadata(PATH_METADATA, controller))) {
          for (const own of pathsOf(Reflect.getMetadata(PATH_METADATA, handler))) this.routes.set(keyOf(RequestMethod[method], routePath(prefix, own)), permission);
        }
      }
    }
  }

  /** Each route learnt, as `METHOD /url`: start-up checks them against the routes Fastify has. */
  keys(): string[] {
    return [...this.routes.keys()];
  }

  /** The permission the request's route needs; `null` for a public route; undefined for a route no controller serves. */
  of(request: FastifyRequest): Permission | null | undefined {
    const url = request.routeOptions.url;
    if (url === undefined) return undefined;
    // Fastify answers HEAD with the GET route.
    return this.routes.get(keyOf(request.method === 'HEAD' ? 'GET' : request.method, url));
  }
}

/**
 * An `onRequest` hook: the caller of every route behind a token, its rate limits and the route's permission, checked
 * before the body is read (audit DOS-6: anyone's JSON and XML bodies used to be read and parsed first, and a broken one
 * answered 400 rather than 401). The guard checks the permission again after; the caller is counted once.
 */
export function authenticateBeforeBody(authenticator: Authenticator, access: RouteAccess): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const permission = access.of(request);
    if (!permission) return;
    assertAllowed(await authenticator.authenticate(request), permission);
  };
}

function keyOf(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

/** The URL Nest routes a controller's method under (no global prefix, no versions): `/v1/partners/:partnerId`. */
function routePath(...parts: string[]): string {
  const joined = parts.flatMap((part) => part.split('/')).filter(Boolean).join('/');
  return `/${joined}`;
}
