// `npm run api:postman`: writes docs/examples/invoicing.postman_collection.json, a Postman collection (v2.1) of every
// operation, generated from the API's OpenAPI document.
//
// Why our own converter rather than openapi-to-postmanv2 (tried, 6.3.3): it fakes example values with Math.random,
// so each run gives another file (random ids, enum values, array copies) and a freshness test cannot hold; and the
// faked bodies are not valid requests (fractional `days`, every optional field filled). This one builds each body from
// the document's examples and required fields only, in a stable order. The file is committed; a spec fails when it
// is stale.
import fs from 'node:fs';
import path from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject, RequestBodyObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { dropDatabase } from '@invoicing/integration/mongodb';
import { startApi } from '../api';
import { loadConfig } from '../config';
import { operationsOf } from './openapi-document';
import { DOCUMENT_PATH } from './site-layout';

export const POSTMAN_FILE = path.resolve(__dirname, '../../../../docs/examples/invoicing.postman_collection.json');
export const POSTMAN_COMMAND = 'npm run api:postman';
const SCHEMA_URL = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
const DEFAULT_BASE_URL = 'http://localhost:3000';

/** A Postman key-value pair (headers, query parameters, path variables, form fields, collection variables). */
export interface PostmanPair {
  readonly key: string;
  readonly value: string;
  readonly description?: string;
  readonly disabled?: boolean;
  readonly type?: string;
}

export interface PostmanRequest {
  readonly method: string;
  readonly header: readonly PostmanPair[];
  readonly url: { readonly raw: string; readonly host: readonly string[]; readonly path: readonly string[]; readonly query?: readonly PostmanPair[]; readonly variable?: readonly PostmanPair[] };
  readonly body?: { readonly mode: 'raw'; readonly raw: string; readonly options: { readonly raw: { readonly language: 'json' | 'xml' | 'text' } } } | { readonly mode: 'urlencoded'; readonly urlencoded: readonly PostmanPair[] };
  readonly auth?: { readonly type: 'noauth' };
  readonly description?: string;
}

export interface PostmanItem {
  readonly name: string;
  readonly request: PostmanRequest;
  readonly event?: readonly { readonly listen: 'test'; readonly script: { readonly type: 'text/javascript'; readonly exec: readonly string[] } }[];
}

export interface PostmanFolder {
  readonly name: string;
  readonly description?: string;
  readonly item: readonly PostmanItem[];
}

/** The parts of a Postman collection v2.1 this generator writes. */
export interface PostmanCollection {
  readonly info: { readonly name: string; readonly description: string; readonly schema: string };
  readonly auth: { readonly type: 'bearer'; readonly bearer: readonly PostmanPair[] };
  readonly variable: readonly PostmanPair[];
  readonly item: readonly PostmanFolder[];
}

/** Where the document was generated: its URLs become the collection's `{{baseUrl}}` and `{{keycloakUrl}}`. */
export interface CollectionSource {
  readonly publicUrl: string;
  readonly keycloakUrl: string;
}

/** The collection of every operation of the document, in its tags' order, with a sign-in folder first. */
export function postmanCollection(document: OpenAPIObject, source: CollectionSource): PostmanCollection {
  // Postman shows descriptions as they are (variables are not resolved there): links point at the default base URL.
  const text = (value: string | undefined) => (value ?? '').split(source.publicUrl).join(DEFAULT_BASE_URL).split(source.keycloakUrl).join('<KEYCLOAK_URL>');
  const folders = new Map<string, PostmanItem[]>((document.tags ?? []).map((tag) => [tag.name, []]));
  for (const { method, path: route, operation } of operationsOf(document)) {
    const tag = operation.tags?.[0] ?? 'Other';
    if (!folders.has(tag)) folders.set(tag, []);
    folders.get(tag)?.push({ name: operation.summary ?? operation.operationId ?? `${method} ${route}`, request: requestOf(document, method, route, operation, text) });
  }
  return {
    info: {
      name: document.info.title,
      description: [
        text(document.info.description),
        'Generated from the OpenAPI document by `npm run api:postman`. Set `keycloakUrl` to `KEYCLOAK_URL` from `.stack/stack.env`, send **Sign in › Get a token** (it stores `token`), then any request.',
      ].join('\n\n'),
      schema: SCHEMA_URL,
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: DEFAULT_BASE_URL, description: 'Where the API listens.' },
      { key: 'keycloakUrl', value: 'http://127.0.0.1:8080', description: 'KEYCLOAK_URL of .stack/stack.env: the local stack chooses its port at each start.' },
      { key: 'realm', value: 'invoicing' },
      { key: 'clientId', value: 'invoicing-dev', description: "The local realm's public client for scripts (password grant)." },
      { key: 'username', value: 'acme-admin', description: 'A demo user: acme-admin, acme-accountant, acme-viewer, globex-admin, globex-accountant.' },
      { key: 'password', value: 'demo' },
      { key: 'token', value: '', description: 'The access token, set by Sign in.' },
      { key: 'refreshToken', value: '', description: 'Set by Sign in; used by Refresh the token.' },
    ],
    item: [signInFolder(), ...[...folders].filter(([, items]) => items.length > 0).map(([name, items]) => folderOf(document, name, items, text))],
  };
}

/** The collection as the committed file holds it: stable key order, two-space indent, a final newline. */
export function postmanJson(collection: PostmanCollection): string {
  return `${JSON.stringify(collection, null, 2)}\n`;
}

function folderOf(document: OpenAPIObject, name: string, items: PostmanItem[], text: (value: string | undefined) => string): PostmanFolder {
  const description = document.tags?.find((tag) => tag.name === name)?.description;
  return { name, ...(description ? { description: text(description) } : {}), item: items };
}

function signInFolder(): PostmanFolder {
  const tokenUrl = '{{keycloakUrl}}/realms/{{realm}}/protocol/openid-connect/token';
  const url = { raw: tokenUrl, host: ['{{keycloakUrl}}'], path: ['realms', '{{realm}}', 'protocol', 'openid-connect', 'token'] };
  const keep = {
    listen: 'test' as const,
    script: {
      type: 'text/javascript' as const,
      exec: ['const answer = pm.response.json();', "pm.collectionVariables.set('token', answer.access_token);", "pm.collectionVariables.set('refreshToken', answer.refresh_token);"],
    },
  };
  const form = (pairs: Record<string, string>) => ({ mode: 'urlencoded' as const, urlencoded: Object.entries(pairs).map(([key, value]) => ({ key, value, type: 'text' })) });
  return {
    name: 'Sign in',
    description: "Tokens from the local realm's Keycloak. The access token lasts 5 minutes; the refresh token 30.",
    item: [
      {
        name: 'Get a token (demo user, password grant)',
        event: [keep],
        request: { method: 'POST', header: [], url, auth: { type: 'noauth' }, body: form({ grant_type: 'password', client_id: '{{clientId}}', username: '{{username}}', password: '{{password}}' }) },
      },
      {
        name: 'Refresh the token',
        event: [keep],
        request: { method: 'POST', header: [], url, auth: { type: 'noauth' }, body: form({ grant_type: 'refresh_token', client_id: '{{clientId}}', refresh_token: '{{refreshToken}}' }) },
      },
    ],
  };
}

function requestOf(document: OpenAPIObject, method: string, route: string, operation: OperationObject, text: (value: string | undefined) => string): PostmanRequest {
  const parameters = (operation.parameters ?? []).map((parameter) => resolve<ParameterObject>(document, parameter));
  const idempotencyKey = (parameter: ParameterObject) => parameter.name.toLowerCase() === 'idempotency-key';
  const pair = (parameter: ParameterObject, value: string): PostmanPair => ({ key: parameter.name, value, ...(parameter.description ? { description: text(parameter.description) } : {}) });
  const valueOf = (parameter: ParameterObject) => {
    // A fresh key per send: a retry of the same request is what the key is for, and Postman sends anew each time.
    if (parameter.in === 'header' && idempotencyKey(parameter)) return '{{$guid}}';
    const example = parameter.example ?? (parameter.schema ? exampleOf(document, parameter.schema) : '');
    return Array.isArray(example) ? example.join(',') : String(example ?? '');
  };
  const segments = route.split('/').filter(Boolean).map((segment) => segment.replace(/^\{(.+)\}$/, ':$1'));
  const query = parameters.filter((parameter) => parameter.in === 'query').map((parameter) => ({ ...pair(parameter, valueOf(parameter)), ...(parameter.required ? {} : { disabled: true }) }));
  const variable = parameters.filter((parameter) => parameter.in === 'path').map((parameter) => pair(parameter, valueOf(parameter)));
  // Optional headers are off, except Idempotency-Key: with a fresh key per send it only makes retries safe.
  const header: PostmanPair[] = parameters
    .filter((parameter) => parameter.in === 'header')
    .map((parameter) => ({ ...pair(parameter, valueOf(parameter)), ...(parameter.required || idempotencyKey(parameter) ? {} : { disabled: true }) }));
  // JSON, else the first media type the operation takes (an e-invoice file as XML), sent as its example's text.
  const content = operation.requestBody ? resolve<RequestBodyObject>(document, operation.requestBody).content : {};
  const [mediaType, body] = content['application/json'] ? ['application/json', content['application/json']] : (Object.entries(content)[0] ?? []);
  if (mediaType) header.push({ key: 'Content-Type', value: mediaType });
  const example = body ? (body.example ?? firstExample(body.examples) ?? (body.schema ? exampleOf(document, body.schema) : {})) : undefined;
  const json = mediaType === 'application/json';
  const language = json ? ('json' as const) : mediaType?.endsWith('xml') ? ('xml' as const) : ('text' as const);
  const enabled = query.filter((entry) => !entry.disabled).map((entry) => `${entry.key}=${entry.value}`);
  return {
    method: method.toUpperCase(),
    header,
    url: {
      raw: `{{baseUrl}}/${segments.join('/')}${enabled.length > 0 ? `?${enabled.join('&')}` : ''}`,
      host: ['{{baseUrl}}'],
      path: segments,
      ...(query.length > 0 ? { query } : {}),
      ...(variable.length > 0 ? { variable } : {}),
    },
    ...(body ? { body: { mode: 'raw' as const, raw: json ? JSON.stringify(example, null, 2) : String(example), options: { raw: { language } } } } : {}),
    // An operation that needs no token (health) says so; the others inherit the collection's bearer token.
    ...(operation.security && operation.security.length === 0 ? { auth: { type: 'noauth' as const } } : {}),
    ...(operation.description ? { description: text(operation.description) } : {}),
  };
}

function firstExample(examples: Record<string, unknown> | undefined): unknown {
  const first = examples ? Object.values(examples)[0] : undefined;
  return first && typeof first === 'object' && 'value' in first ? (first as { value: unknown }).value : undefined;
}

function resolve<T>(document: OpenAPIObject, node: T | ReferenceObject): T {
  if (node && typeof node === 'object' && '$ref' in node) {
    const target = node.$ref.replace(/^#\//, '').split('/').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], document);
    if (target === undefined) throw new Error(`the document has no ${node.$ref}`);
    return resolve(document, target as T | ReferenceObject);
  }
  return node as T;
}

const FORMAT_EXAMPLES: Readonly<Record<string, string>> = { date: '2026-01-31', 'date-time': '2026-01-31T09:00:00Z', uuid: '00000000-0000-0000-0000-000000000000', email: 'name@example.com', uri: 'https://example.com' };

/**
 * A value for a schema: its example, else one built from it. Objects get their required properties (all properties
 * with an example when none is required, as in a change request); arrays one item; enums their first value.
 */
export function exampleOf(document: OpenAPIObject, node: SchemaObject | ReferenceObject, depth = 0): unknown {
  const schema = resolve<SchemaObject>(document, node);
  if (schema.example !== undefined) return schema.example;
  if (depth > 8) return null;
  const branch = schema.allOf ?? schema.anyOf ?? schema.oneOf;
  if (branch) {
    const options = branch.map((option) => resolve<SchemaObject>(document, option)).filter((option) => (option.type as unknown) !== 'null');
    if (schema.allOf) return Object.assign({}, ...options.map((option) => exampleOf(document, option, depth + 1)));
    return options[0] ? exampleOf(document, options[0], depth + 1) : null;
  }
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((candidate) => candidate !== 'null') : schema.type;
  switch (type) {
    case 'array':
      return schema.items ? [exampleOf(document, schema.items, depth + 1)] : [];
    case 'string':
      return (schema.format && FORMAT_EXAMPLES[schema.format]) ?? '';
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    default: {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const chosen = required.size > 0 ? properties.filter(([name]) => required.has(name)) : properties.filter(([, property]) => resolve<SchemaObject>(document, property).example !== undefined);
      return Object.fromEntries(chosen.map(([name, property]) => [name, exampleOf(document, property, depth + 1)]));
    }
  }
}

/** KEY=value lines of `.stack/stack.env`, the running stack's settings; the environment wins. */
function stackSettings(): Record<string, string | undefined> {
  const file = path.resolve(__dirname, '../../../../.stack/stack.env');
  const fromFile = fs.existsSync(file)
    ? Object.fromEntries(
        fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .map((line) => /^([A-Z_]+)=(.*)$/.exec(line.trim()))
          .filter((match): match is RegExpExecArray => match !== null)
          .map((match) => [match[1], match[2]]),
      )
    : {};
  return { ...fromFile, ...Object.fromEntries(['MONGO_URL', 'KEYCLOAK_URL', 'KEYCLOAK_REALM'].filter((name) => process.env[name]).map((name) => [name, process.env[name]])) };
}

/**
 * Starts the API on a free port against the running stack (its own throwaway database), reads its OpenAPI
 * document, and writes the collection.
 */
export async function main(): Promise<number> {
  const { MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM } = stackSettings();
  if (!MONGO_URL || !KEYCLOAK_URL) {
    console.error('No stack: start it with `npm run stack:up`, or set MONGO_URL and KEYCLOAK_URL.');
    return 1;
  }
  const config = loadConfig({ MONGO_URL, KEYCLOAK_URL, KEYCLOAK_REALM, PORT: '0', HOST: '127.0.0.1', MONGO_DB: `api_postman_${process.pid}`, LOG_LEVEL: 'warn' });
  const api = await startApi(config);
  try {
    const document = (await (await fetch(`${api.url}${DOCUMENT_PATH}`)).json()) as OpenAPIObject;
    fs.mkdirSync(path.dirname(POSTMAN_FILE), { recursive: true });
    fs.writeFileSync(POSTMAN_FILE, postmanJson(postmanCollection(document, { publicUrl: config.publicUrl, keycloakUrl: config.keycloakUrl })));
    console.log(`Wrote ${path.relative(process.cwd(), POSTMAN_FILE)}`);
    return 0;
  } finally {
    await api.close();
    await dropDatabase(MONGO_URL, config.mongoDb).catch(() => undefined);
  }
}
