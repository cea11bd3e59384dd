import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import { startTestApi, stackEnv, type TestApi } from '../testing/harness';
import { POSTMAN_COMMAND, POSTMAN_FILE, exampleOf, postmanCollection, postmanJson, type PostmanFolder } from './postman-collection';

const SOURCE = { publicUrl: 'http://api.test:3000', keycloakUrl: 'http://kc.test:8080' };

/** A small document with what the converter must handle: a $ref body, path, query and header parameters, a public route. */
const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Invoicing API', version: '1', description: 'See [the guide](http://api.test:3000/docs/guide).' },
  tags: [{ name: 'Partners', description: 'Partners.' }, { name: 'Health' }],
  paths: {
    '/health/live': { get: { operationId: 'live', summary: 'Is it running?', tags: ['Health'], security: [], responses: {} } },
    '/v1/partners/{partnerId}/payments': {
      post: {
        operationId: 'recordPayment',
        summary: 'Record a payment',
        description: 'Rules: [payments](http://api.test:3000/docs/guide/payments).',
        tags: ['Partners'],
        parameters: [
          { name: 'partnerId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } },
          { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'number', minimum: 1 } },
          { name: 'as_of', in: 'query', required: true, schema: { type: 'string', example: '2026-05-01' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RecordPaymentDto' } } } },
        responses: {},
      },
    },
  },
  components: {
    schemas: {
      RecordPaymentDto: {
        type: 'object',
        required: ['amount', 'currency', 'applyTo', 'terms'],
        properties: {
          amount: { type: 'string', example: '100.00' },
          currency: { type: 'string', enum: ['EUR', 'USD'] },
          reference: { type: 'string', example: 'SEPA-1' },
          applyTo: { type: 'array', items: { type: 'string', format: 'uuid' } },
          terms: { anyOf: [{ $ref: '#/components/schemas/TermsDto' }, { type: 'null' }] },
        },
      },
      TermsDto: { type: 'object', properties: { kind: { type: 'string', example: 'net' }, days: { type: 'integer', minimum: 0 }, note: { type: 'string' } } },
    },
  },
} as unknown as OpenAPIObject;

describe('postmanCollection', () => {
  const collection = postmanCollection(DOCUMENT, SOURCE);
  const folder = (name: string) => collection.item.find((candidate) => candidate.name === name) as PostmanFolder;

  it('is a v2.1 collection with a bearer token from a variable, and variables for the API, Keycloak and the demo user', () => {
    expect(collection.info).toMatchObject({ name: 'Invoicing API', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' });
    expect(collection.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] });
    expect(collection.variable.map((variable) => variable.key)).toEqual(['baseUrl', 'keycloakUrl', 'realm', 'clientId', 'username', 'password', 'token', 'refreshToken']);
  });

  it('starts with a sign-in folder whose requests store the token they get', () => {
    const signIn = folder('Sign in');
    expect(signIn.item.map((item) => item.name)).toEqual(['Get a token (demo user, password grant)', 'Refresh the token']);
    const [get] = signIn.item;
    expect(get?.request).toMatchObject({ method: 'POST', url: { raw: '{{keycloakUrl}}/realms/{{realm}}/protocol/openid-connect/token' }, auth: { type: 'noauth' } });
    expect(get?.request.body).toEqual({
      mode: 'urlencoded',
      urlencoded: [
        { key: 'grant_type', value: 'password', type: 'text' },
        { key: 'client_id', value: '{{clientId}}', type: 'text' },
        { key: 'username', value: '{{username}}', type: 'text' },
        { key: 'password', value: '{{password}}', type: 'text' },
      ],
    });
    expect(get?.event?.[0]?.script.exec.join('\n')).toContain("pm.collectionVariables.set('token', answer.access_token)");
  });

  it('makes one folder per tag, in the order of the tags, and one request per operation', () => {
    expect(collection.item.map((item) => [item.name, item.item.map((request) => request.name)])).toEqual([
      ['Sign in', ['Get a token (demo user, password grant)', 'Refresh the token']],
      ['Partners', ['Record a payment']],
      ['Health', ['Is it running?']],
    ]);
    expect(folder('Partners').description).toBe('Partners.');
  });

  it('writes path parameters as Postman variables, required query parameters on, optional ones off, and Idempotency-Key as a fresh GUID', () => {
    const request = folder('Partners').item[0]?.request;
    expect(request?.url).toEqual({
      raw: '{{baseUrl}}/v1/partners/:partnerId/payments?as_of=2026-05-01',
      host: ['{{baseUrl}}'],
      path: ['v1', 'partners', ':partnerId', 'payments'],
      query: [
        { key: 'limit', value: '1', disabled: true },
        { key: 'as_of', value: '2026-05-01' },
      ],
      variable: [{ key: 'partnerId', value: '' }],
    });
    expect(request?.header).toEqual([
      { key: 'Idempotency-Key', value: '{{$guid}}' },
      { key: 'If-Match', value: '', disabled: true },
      { key: 'Content-Type', value: 'application/json' },
    ]);
  });

  it('fills a body with the examples and the required fields only, resolving references', () => {
    const request = folder('Partners').item[0]?.request;
    expect(request?.body?.mode).toBe('raw');
    expect(JSON.parse(request?.body?.mode === 'raw' ? request.body.raw : '')).toEqual({
      amount: '100.00',
      currency: 'EUR',
      applyTo: ['00000000-0000-0000-0000-000000000000'],
      // No field of TermsDto is required: the ones with an example.
      terms: { kind: 'net' },
    });
  });

  it('sends no token where the operation needs none, and points links in descriptions at the default base URL', () => {
    expect(folder('Health').item[0]?.request.auth).toEqual({ type: 'noauth' });
    expect(folder('Partners').item[0]?.request.auth).toBeUndefined();
    expect(folder('Partners').item[0]?.request.description).toBe('Rules: [payments](http://localhost:3000/docs/guide/payments).');
    expect(collection.info.description).toContain('See [the guide](http://localhost:3000/docs/guide).');
    expect(postmanJson(collection)).not.toContain('api.test');
  });

  it('sends a file as the text of its example, in the first media type the operation takes it as', () => {
    const file = '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>';
    const schema = { type: 'string', format: 'binary' };
    const document = {
      ...DOCUMENT,
      paths: {
        '/v1/e-invoices/validate': {
          post: {
            operationId: 'validateEInvoice',
            summary: 'Validate an e-invoice file',
            tags: ['Partners'],
            requestBody: { required: true, content: { 'application/xml': { schema, example: file }, 'text/xml': { schema, example: file } } },
            responses: {},
          },
        },
      },
    } as unknown as OpenAPIObject;
    const request = postmanCollection(document, SOURCE).item.find((candidate) => candidate.name === 'Partners')?.item[0]?.request;
    expect(request?.header).toEqual([{ key: 'Content-Type', value: 'application/xml' }]);
    expect(request?.body).toEqual({ mode: 'raw', raw: file, options: { raw: { language: 'xml' } } });
  });

  it('is the same text at every run', () => {
    expect(postmanJson(postmanCollection(DOCUMENT, SOURCE))).toBe(postmanJson(collection));
  });
});

describe('exampleOf', () => {
  it('uses an example first, then the first enum value, the minimum, and one item per array', () => {
    const document = { components: { schemas: {} } } as unknown as OpenAPIObject;
    expect(exampleOf(document, { type: 'string', example: 'x', enum: ['a'] })).toBe('x');
    expect(exampleOf(document, { type: 'string', enum: ['a', 'b'] })).toBe('a');
    expect(exampleOf(document, { type: 'integer', minimum: 1 })).toBe(1);
    expect(exampleOf(document, { type: ['string', 'null'] as unknown as 'string', format: 'date' })).toBe('2026-01-31');
    expect(exampleOf(document, { type: 'array', items: { type: 'boolean' } })).toEqual([false]);
  });
});

describe(`the committed collection (${path.relative(process.cwd(), POSTMAN_FILE)})`, () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('postman');
  });
  afterAll(() => t?.close());

  it('matches the OpenAPI document the API serves now', async () => {
    const document = (await t.call<OpenAPIObject>('GET', '/openapi.json', { as: null })).body;
    const publicUrl = document.servers?.[0]?.url ?? '';
    expect(publicUrl).toMatch(/^http:\/\/localhost:\d+$/);
    const fresh = postmanJson(postmanCollection(document, { publicUrl, keycloakUrl: stackEnv().KEYCLOAK_URL }));
    const committed = fs.existsSync(POSTMAN_FILE) ? fs.readFileSync(POSTMAN_FILE, 'utf8') : '';
    if (committed !== fresh) {
      const lines = committed.split('\n');
      const first = fresh.split('\n').findIndex((line, index) => line !== lines[index]);
      throw new Error(`${path.basename(POSTMAN_FILE)} is stale: the API changed since it was generated (first difference at line ${first + 1}). Run \`${POSTMAN_COMMAND}\` and commit the result.`);
    }
  });
});
