import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PERMISSION_KEY, PUBLIC_KEY, type Permission } from '../auth/permissions';

/** One controller method as the server routes it, with what the auth guard asks of its caller. */
export interface ApiRoute {
  readonly controller: string;
  /** The controller class, to read its methods' metadata. */
  readonly controllerType: Type;
  readonly handler: string;
  /** Lower case, as OpenAPI writes it. */
  readonly method: string;
  /** OpenAPI path, e.g. `/v1/partners/{partnerId}`. */
  readonly path: string;
  /** Undefined for a public route. */
  readonly permission: Permission | undefined;
}

/**
 * Every route of the app's controllers, read from the same decorator metadata Nest routes with and the auth guard
 * checks, so the reference states the permission each operation really needs.
 */
export function apiRoutes(app: NestFastifyApplication): ApiRoute[] {
  const controllers = new Set<Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) if (wrapper.metatype) controllers.add(wrapper.metatype as Type);
  }
  return [...controllers].flatMap((controller) => {
    const base = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((handler) => {
      const target = prototype[handler];
      if (handler === 'constructor' || typeof target !== 'function') return [];
      const method = Reflect.getMetadata(METHOD_METADATA, target) as RequestMethod | undefined;
      if (method === undefined) return [];
      const isPublic = Reflect.getMetadata(PUBLIC_KEY, target) === true || Reflect.getMetadata(PUBLIC_KEY, controller) === true;
      const permission = isPublic ? undefined : ((Reflect.getMetadata(PERMISSION_KEY, target) ?? Reflect.getMetadata(PERMISSION_KEY, controller) ?? 'read') as Permission);
      return base.flatMap((prefix) =>
        pathsOf(Reflect.getMetadata(PATH_METADATA, target)).map((own) => ({
          controller: controller.name,
          controllerType: controller,
          handler,
          method: RequestMethod[method].toLowerCase(),
          path: openApiPath(prefix, own),
          permission,
        })),
      );
    });
  });
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

function openApiPath(...parts: string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment))
    .join('/');
  return `/${joined}`;
}
