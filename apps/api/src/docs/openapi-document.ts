import { HttpStatus, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiOperation, ApiResponse, DECORATORS, DocumentBuilder, SwaggerModule, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import type { ApiResponseCommonMetadata } from '@nestjs/swagger/dist/decorators/api-response.decorator';
import type { OperationObject, PathItemObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ROLE_PERMISSIONS, type Permission } from '../auth/permissions';
import type { Role } from '../auth/principal';
import type { ApiConfig } from '../config';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';
import { ProblemDto } from '../http/openapi';
import { apiRoutes, type ApiRoute } from './api-routes';
import { ERRORS_PAGE, INDEX_PAGE, urlOf, type Guide, type OperationLink } from './guide';
import { ROLES_SECTION, TAGS, guideRefsOf, splitRef } from './guide-links';
import metadata from './metadata';
import { attachExamples, loadOperationExamples } from './operation-examples';
import { addOperationLinks } from './operation-links';
import { operationIdFor } from './operation-ids';
import { applyRequestStrictness, type ServedOperation } from './request-strictness';
import { eventSchemasForOpenApi } from '../events/event-catalogue';

export const BEARER_SCHEME = 'bearer';
/** The permission an operation needs, for clients (e.g. to hide what a user may not do) and the roles table of the guide. */
export const PERMISSION_EXTENSION = 'x-permission' as const;
export const OAUTH_SCHEME = 'keycloak';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type WithPermission = OperationObject & { [PERMISSION_EXTENSION]?: Permission };

/** The permission an operation needs; undefined for a public one. */
export function permissionOf(operation: OperationObject): Permission | undefined {
  return (operation as WithPermission)[PERMISSION_EXTENSION];
}

/** One operation of the document with where it sits. */
export interface DocumentOperation {
  readonly method: string;
  readonly path: string;
  readonly operation: OperationObject;
}

export function operationsOf(document: OpenAPIObject): DocumentOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]: [string, PathItemObject]) =>
    HTTP_METHODS.flatMap((method) => (item[method] ? [{ method, path, operation: item[method] }] : [])),
  );
}

/** The Swagger UI deep link of an operation: `#/<tag>/<operationId>`, spaces in the tag written %20 as Swagger UI does. */
export function referenceLink(operation: OperationObject): string {
  const tag = (operation.tags?.[0] ?? 'default').trim().replace(/\s/g, '%20');
  return `/docs#/${tag}/${operation.operationId ?? ''}`;
}

/**
 * The OpenAPI 3.1 document of the API: generated from the controllers and DTOs (decorators, and the types and TSDoc
 * the Swagger plugin read into metadata.ts), then completed with what the code states elsewhere: readable operation
 * ids, the permission each operation needs (from the auth guard's metadata), the security schemes of the realm, and
 * links into the business guide.
 */
export async function buildOpenApiDocument(app: NestFastifyApplication, config: ApiConfig, guide: Guide): Promise<OpenAPIObject> {
  await loadPluginMetadata();
  await loadOperationExamples();
  const site = (ref: string) => {
    const { page, anchor } = splitRef(ref);
    return `${config.publicUrl}${urlOf(page, anchor)}`;
  };
  const realm = `${config.keycloakUrl}/realms/${encodeURIComponent(config.keycloakRealm)}/protocol/openid-connect`;
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Invoicing API')
    .setVersion('1')
    .setDescription(description(site))
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .setExternalDoc('Business guide', site(INDEX_PAGE))
    .addServer(config.publicUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token of the realm, for this API (audience).' }, BEARER_SCHEME)
    .addOAuth2(
      {
        type: 'oauth2',
        description: `Sign in with the realm's single sign-on (authorization code with PKCE, public client \`${config.docsClientId}\`).`,
        flows: { authorizationCode: { authorizationUrl: `${realm}/auth`, tokenUrl: `${realm}/token`, scopes: { openid: 'Sign in (OpenID Connect)' } } },
      },
      OAUTH_SCHEME,
    )
    .addSecurityRequirements(BEARER_SCHEME)
    .addSecurityRequirements(OAUTH_SCHEME, ['openid']);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemDto] });
  const routes = apiRoutes(app);
  for (const entry of operationsOf(document)) complete(entry, routes, guide, site);
  applyRequestStrictness(document, operationsOf(document).map(({ method, path, operation }) => servedBy(operation, routes.find((route) => route.method === method && route.path === path))));
  addOperationLinks(document);
  assertUniqueOperationIds(document);
  document.tags = tagsOf(document, guide, site);
  // One schema per event type (docs/events.md), for the change feed, the audit trail and webhook deliveries.
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...(eventSchemasForOpenApi() as Record<string, SchemaObject>) } };
  return toOpenApi31Schemas(document);
}

function servedBy(operation: OperationObject, route: ApiRoute | undefined): ServedOperation {
  return route ? { operation, controller: route.controllerType, handler: route.handler } : { operation };
}

/** Answers any route can give before or beyond what its operation declares, e.g. a body too large or a database down. */
const ANY_ROUTE_PROBLEMS = {
  '4XX': 'Any other refusal of the request, as a problem document: e.g. 406 `request.not_acceptable`, 413 `request.too_large`, 415 `request.unsupported_media_type`.',
  '5XX': 'The API could not answer: 500 `internal.error` (the `requestId` helps support find out why), or 503 `database.unavailable` / `auth.keys_unavailable` with `Retry-After`.',
} as const;

/** What the plugin read from one method. */
interface MethodMetadata {
  readonly summary?: string;
  readonly description?: string;
  readonly deprecated?: boolean;
  readonly type?: ApiResponseCommonMetadata['type'];
}
/** A controller file of metadata.ts: its module, and its classes' methods. */
type ControllerMetadata = readonly [Promise<unknown>, Readonly<Record<string, Readonly<Record<string, MethodMetadata>>>>];

/**
 * Loads what the Swagger plugin read from the code (metadata.ts). The DTOs' part goes to Nest as usual. The
 * controllers' part is applied here: from generated metadata (unlike from the plugin inside `nest build`) Nest adds a
 * method's success response only when the method declares no response at all, and ours all declare their problems.
 */
async function loadPluginMetadata(): Promise<void> {
  const { models, controllers } = (await metadata())['@nestjs/swagger'];
  await SwaggerModule.loadPluginMetadata(async () => ({ '@nestjs/swagger': { models } }));
  // TypeScript infers the generated arrays as arrays of unions, not as the [module, classes] pairs they are.
  for (const entry of controllers as unknown as readonly ControllerMetadata[]) await applyOperationMetadata(entry);
}

/**
 * A method's TSDoc becomes its summary and description, unless `@ApiOperation` says otherwise; its return type becomes
 * its success response (200, 201 for a POST, or its `@HttpCode`), unless it declares one.
 */
async function applyOperationMetadata([file, classes]: ControllerMetadata): Promise<void> {
  const module = (await file) as Record<string, unknown>;
  for (const [className, methods] of Object.entries(classes)) {
    const prototype = (module[className] as { prototype: object } | undefined)?.prototype;
    if (!prototype) continue;
    for (const [name, meta] of Object.entries(methods)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      const handler: unknown = descriptor?.value;
      if (!descriptor || typeof handler !== 'function') continue;
      const declared = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) ?? {}) as { summary?: string; description?: string; deprecated?: boolean };
      ApiOperation({ ...declared, summary: declared.summary || meta.summary, description: declared.description ?? meta.description, deprecated: declared.deprecated ?? meta.deprecated })(prototype, name, descriptor);
      const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) ?? {}) as Record<string, unknown>;
      if (Object.keys(responses).some((status) => status.startsWith('2'))) continue;
      const status = successStatusOf(handler);
      ApiResponse({ status, description: SUCCESS_DESCRIPTIONS[status] ?? 'Success.', ...(meta.type ? { type: meta.type } : {}) })(prototype, name, descriptor);
    }
  }
}

const SUCCESS_DESCRIPTIONS: Record<number, string> = { 200: 'OK.', 201: 'Created.', 202: 'Accepted.', 204: 'Done; no content.' };

/** As Nest answers: the method's `@HttpCode`, else 201 for a POST and 200 for the rest. */
function successStatusOf(handler: object): number {
  const declared = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
  if (declared) return declared;
  return Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK;
}

export function operationLink({ method, path, operation }: DocumentOperation): OperationLink {
  return { operationId: operation.operationId ?? '', method, path, summary: operation.summary ?? '', href: referenceLink(operation) };
}

/** What the guide links to in the reference: each operation, under each of its sections (`page#`, when no anchor). */
export function operationLinks(document: OpenAPIObject): Map<string, OperationLink[]> {
  const links = new Map<string, OperationLink[]>();
  for (const entry of operationsOf(document)) {
    const link = operationLink(entry);
    for (const ref of guideRefsOf(link.operationId, entry.operation.tags?.[0])) {
      const key = ref.includes('#') ? ref : `${ref}#`;
      links.set(key, [...(links.get(key) ?? []), link]);
    }
  }
  return links;
}

/** `Page › Section`, as the guide titles them. */
function titleOf(guide: Guide, ref: string): string {
  const { page, anchor } = splitRef(ref);
  return [guide.page(page)?.title ?? page, anchor ? guide.heading(page, anchor)?.text : undefined].filter(Boolean).join(' › ');
}

function complete({ method, path, operation }: DocumentOperation, routes: readonly ApiRoute[], guide: Guide, site: (ref: string) => string): void {
  const route = routes.find((candidate) => candidate.method === method && candidate.path === path);
  if (route && operation.operationId === `${route.controller}_${route.handler}`) operation.operationId = operationIdFor(route.handler, { method, path });
  const notes: string[] = [];
  const refs = guideRefsOf(operation.operationId ?? '', operation.tags?.[0]);
  if (refs.length > 0) notes.push(`Business rules: ${refs.map((ref) => `[${titleOf(guide, ref)}](${site(ref)})`).join('; ')}.`);
  if (route && route.permission === undefined) {
    operation.security = [];
  } else {
    operation.security = [{ [BEARER_SCHEME]: [] }, { [OAUTH_SCHEME]: ['openid'] }];
    const permission = route?.permission ?? 'read';
    (operation as WithPermission)[PERMISSION_EXTENSION] = permission;
    notes.push(`Needs permission \`${permission}\`, which roles ${rolesWith(permission).join(', ')} have ([roles](${site(ROLES_SECTION)})).`);
  }
  operation.description = [operation.description, ...notes].filter(Boolean).join('\n\n');
  for (const [status, meaning] of Object.entries(ANY_ROUTE_PROBLEMS)) {
    operation.responses[status] ??= { description: meaning, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } } };
  }
  const permission = permissionOf(operation);
  const roles = permission ? rolesWith(permission) : [];
  const lacking = (Object.keys(ROLE_PERMISSIONS) as Role[]).find((role) => !roles.includes(role));
  attachExamples(operation, { path, typeBase: site(ERRORS_PAGE), permission, roles, lacking });
}

/**
 * Nest writes OpenAPI 3.0's `nullable: true` even in a 3.1 document, where JSON Schema says it: `null` among the
 * types, or a `$ref` in an `anyOf` with `{ type: 'null' }`.
 */
export function toOpenApi31Schemas<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item: unknown) => toOpenApi31Schemas(item)) as T;
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, toOpenApi31Schemas(value)]));
  if (nullable !== true) return (nullable === undefined ? converted : { ...converted, nullable: toOpenApi31Schemas(nullable) }) as T;
  // A nullable class (`terms: PlanTermsDto | null`): Nest writes its `$ref` in an `allOf` beside `type: 'object'`,
  // which `null` cannot satisfy; it is the `$ref` or null.
  const { allOf } = converted;
  if (Array.isArray(allOf) && allOf.length === 1 && (converted.type === undefined || converted.type === 'object')) {
    const { description, example, examples, default: fallback } = converted;
    const annotations = Object.fromEntries(Object.entries({ description, example, examples, default: fallback }).filter(([, value]) => value !== undefined));
    return { ...annotations, anyOf: [allOf[0], { type: 'null' }] } as T;
  }
  if (typeof converted.type === 'string' || Array.isArray(converted.type)) {
    const types = [converted.type].flat() as string[];
    const withNull = { ...converted, type: [...new Set([...types, 'null'])] };
    return (Array.isArray(converted.enum) && !converted.enum.includes(null) ? { ...withNull, enum: [...converted.enum, null] } : withNull) as T;
  }
  const { description, example, examples, default: fallback, ...schema } = converted;
  const annotations = Object.fromEntries(Object.entries({ description, example, examples, default: fallback }).filter(([, value]) => value !== undefined));
  return { ...annotations, anyOf: [schema, { type: 'null' }] } as T;
}

export function rolesWith(permission: Permission): Role[] {
  return (Object.keys(ROLE_PERMISSIONS) as Role[]).filter((role) => ROLE_PERMISSIONS[role].includes(permission));
}

/** A clash would make Swagger UI deep links and generated clients ambiguous: fail at start-up, saying how to fix it. */
function assertUniqueOperationIds(document: OpenAPIObject): void {
  const seen = new Map<string, string>();
  for (const { method, path, operation } of operationsOf(document)) {
    const id = operation.operationId ?? '';
    const where = `${method.toUpperCase()} ${path}`;
    const other = seen.get(id);
    if (other) throw new Error(`Operation id "${id}" names both ${other} and ${where}: set @ApiOperation({ operationId }) on one (apps/api/src/docs/operation-ids.ts explains the default).`);
    seen.set(id, where);
  }
}

/** The tags in use, in the order of TAGS, each with its description and its page in the guide. */
function tagsOf(document: OpenAPIObject, guide: Guide, site: (ref: string) => string): NonNullable<OpenAPIObject['tags']> {
  const used = [...new Set(operationsOf(document).flatMap(({ operation }) => operation.tags ?? []))];
  const rank = (name: string) => {
    const index = TAGS.findIndex((tag) => tag.name === name);
    return index === -1 ? TAGS.length : index;
  };
  return used
    .sort((left, right) => rank(left) - rank(right))
    .map((name) => {
      const doc = TAGS.find((tag) => tag.name === name);
      if (!doc?.guide) return { name, description: doc?.description ?? name };
      const title = titleOf(guide, doc.guide);
      return { name, description: `${doc.description} See [${title}](${site(doc.guide)}).`, externalDocs: { description: title, url: site(doc.guide) } };
    });
}

function description(site: (ref: string) => string): string {
  return [
    'The REST API of the invoicing platform: partners and their contacts, the catalogue (marketables), partnerships, ' +
      'EN 16931 invoices and credit notes through their lifecycle, their e-invoice files (UBL, CII), payments, billing ' +
      '(plans with fees and usage charges, usage events, billing runs), reports, and the events of every change (signed webhooks, ' +
      'a change feed, an audit trail).',
    `**Business rules** are in the [business guide](${site(INDEX_PAGE)}): the [glossary](${site('glossary')}), the ` +
      `[invoice lifecycle](${site('invoice-lifecycle')}), [totals, taxes and rounding](${site('totals-taxes-and-rounding')}), ` +
      `[payment terms](${site('payment-terms-and-due-dates')}), [numbering](${site('numbering')}), ` +
      `[payments and balances](${site('payments-and-balances')}), [billing](${site('billing')}), [reports](${site('reports')}), [e-invoicing](${site('e-invoicing')}), [events](${site('events')}) ` +
      `and [tenancy and roles](${site('tenancy')}). ` +
      'Each operation links to the rules it follows.',
    '**Signing in.** Every call but health needs an OAuth 2 access token of the platform\'s Keycloak realm, sent as ' +
      '`Authorization: Bearer <token>`; its tenant and roles decide what you see and may do. On this page, **Authorize** signs you in.',
    `**Errors** are RFC 9457 problem documents (\`application/problem+json\`) with a stable \`code\` to branch on; ` +
      `[every code](${site(ERRORS_PAGE)}) is explained, and each problem's \`type\` links to its explanation.`,
    '**Money** crosses the API as decimal strings with a currency code (`{"amount": "1234.50", "currency": "EUR"}`), never as JSON numbers.',
    '**Retries and concurrent changes.** Creating requests take an `Idempotency-Key`: a retry returns the first answer. ' +
      'Reads answer an `ETag`; send it back as `If-Match` and a change made meanwhile is refused (412) instead of overwritten. ' +
      'Only the changes that list `If-Match` take it; elsewhere it is refused (400 `precondition.not_supported`) rather than ignored.',
  ].join('\n\n');
}
