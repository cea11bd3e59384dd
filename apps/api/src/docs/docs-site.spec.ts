import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { startTestApi, type TestApi } from '../testing/harness';
import { Guide } from './guide';
import { OPERATION_SECTIONS, TAGS } from './guide-links';
import { operationsOf } from './openapi-document';
import { redoclyLint } from './redocly-lint';

/** Not localhost: the document's server is this URL, and the linter rightly flags a localhost server. */
const PUBLIC_URL = 'https://invoicing.acme.test';
const SOME_ID = '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
const PROBLEM_SCHEMA = '#/components/schemas/ProblemDto';

function schemaOf(response: ResponseObject | ReferenceObject | undefined, mediaType: string): SchemaObject | ReferenceObject | undefined {
  return response && 'content' in response ? response.content?.[mediaType]?.schema : undefined;
}

function mediaTypesOf(response: ResponseObject | ReferenceObject | undefined): string[] {
  return response && 'content' in response ? Object.keys(response.content ?? {}) : [];
}

function resolveSchema(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined): SchemaObject | undefined {
  if (!schema) return undefined;
  if ('$ref' in schema) return document.components?.schemas?.[schema.$ref.split('/').at(-1) ?? ''] as SchemaObject | undefined;
  return schema;
}

/** Whether the schema, or any schema it uses, shows an example value (what Swagger UI builds its samples from). */
function hasExample(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined, seen = new Set<unknown>()): boolean {
  const resolved = resolveSchema(document, schema);
  if (!resolved || seen.has(resolved)) return false;
  seen.add(resolved);
  if (resolved.example !== undefined || resolved.examples !== undefined) return true;
  const children = [...Object.values(resolved.properties ?? {}), resolved.items, ...(resolved.allOf ?? []), ...(resolved.anyOf ?? []), ...(resolved.oneOf ?? [])];
  return children.some((child) => hasExample(document, child as SchemaObject | ReferenceObject | undefined, seen));
}

describe('the docs site', () => {
  let t: TestApi;
  let document: OpenAPIObject;
  const guide = Guide.load();

  beforeAll(async () => {
    t = await startTestApi('docs', { PUBLIC_URL });
    document = (await t.call<OpenAPIObject>('GET', '/openapi.json', { as: null })).body;
  });
  afterAll(() => t?.close());

  describe('GET /openapi.json', () => {
    it('is an OpenAPI 3.1 document served to anyone, with the API, its server and how to sign in', async () => {
      const answer = await t.call('GET', '/openapi.json', { as: null });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('application/json');
      expect(document.openapi).toBe('3.1.0');
      expect(document.info.description).toContain(`${PUBLIC_URL}/docs/guide`);
      expect(document.servers).toEqual([{ url: PUBLIC_URL }]);
      expect(document.security).toEqual([{ bearer: [] }, { keycloak: ['openid'] }]);
      const oauth = document.components?.securitySchemes?.keycloak;
      expect(oauth).toMatchObject({ type: 'oauth2', flows: { authorizationCode: { scopes: { openid: expect.any(String) } } } });
      const flow = (oauth as { flows: { authorizationCode: { authorizationUrl: string; tokenUrl: string } } }).flows.authorizationCode;
      expect(flow.authorizationUrl).toBe(`${t.realm.keycloakUrl}/realms/${t.realm.realm}/protocol/openid-connect/auth`);
      expect(flow.tokenUrl).toBe(`${t.realm.keycloakUrl}/realms/${t.realm.realm}/protocol/openid-connect/token`);
      expect((await t.call('GET', '/openapi.yaml', { as: null })).text).toContain("openapi: 3.1.0");
    });

    it('documents every operation with a summary, a description, an id, a typed success and typed problems', () => {
      const operations = operationsOf(document);
      expect(operations.length).toBeGreaterThan(40);
      const gaps = operations.flatMap(({ method, path: route, operation }) => {
        const where = `${method.toUpperCase()} ${route}`;
        const responses = Object.entries(operation.responses);
        const successes = responses.filter(([status]) => status.startsWith('2'));
        const problems = responses.filter(([status]) => /^[45]/.test(status));
        return [
          !operation.summary && `${where}: no summary`,
          !operation.description && `${where}: no description`,
          !operation.operationId && `${where}: no operationId`,
          // JSON, or a file (an e-invoice is `application/xml`): every media type of the success has its schema; a
          // 204 No Content has no body to type, and states none.
          !successes.some(([status, response]) =>
            status === '204' ? mediaTypesOf(response).length === 0 : mediaTypesOf(response).length > 0 && mediaTypesOf(response).every((type) => schemaOf(response, type)),
          ) &&
            `${where}: no 2xx response with a schema`,
          problems.length === 0 && `${where}: no problem response`,
          ...problems
            .filter(([, response]) => (schemaOf(response, 'application/problem+json') as ReferenceObject | undefined)?.$ref !== PROBLEM_SCHEMA)
            .map(([status]) => `${where}: ${status} is not typed as a problem document`),
        ].filter((gap): gap is string => typeof gap === 'string');
      });
      expect(gaps).toEqual([]);
    });

    it('names operations with unique, readable ids (Swagger UI deep links and generated clients use them)', () => {
      const ids = operationsOf(document).map(({ operation }) => operation.operationId ?? '');
      expect(ids.filter((id) => !/^[a-z][A-Za-z]+$/.test(id))).toEqual([]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(['createPartner', 'listPartners', 'addContact', 'issueInvoice', 'creditInvoice']));
    });

    it('gives request and response bodies their descriptions and examples from the DTOs', () => {
      const schemas = document.components?.schemas ?? {};
      expect((schemas.CreatePartnerDto as SchemaObject).properties?.legalName).toMatchObject({ type: 'string', description: expect.any(String), example: 'Acme Industries SAS' });
      expect((schemas.ProblemDto as SchemaObject).required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'detail']));
      const withoutExamples = operationsOf(document).flatMap(({ method, path: route, operation }) => {
        const bodies = [
          ...Object.entries(operation.responses)
            .filter(([status]) => status.startsWith('2'))
            .map(([, response]) => schemaOf(response, 'application/json')),
          operation.requestBody && 'content' in operation.requestBody ? operation.requestBody.content['application/json']?.schema : undefined,
        ].filter(Boolean);
        return bodies.some((schema) => !hasExample(document, schema)) ? [`${method.toUpperCase()} ${route}`] : [];
      });
      expect(withoutExamples).toEqual([]);
    });

    it('states the security each operation really has: a call without a token is refused exactly where a token is required', async () => {
      const mismatches: string[] = [];
      for (const { method, path: route, operation } of operationsOf(document)) {
        const needsToken = (operation.security ?? document.security ?? []).length > 0;
        // Public operations are called only when reading, so that nothing changes.
        if (!needsToken && method !== 'get') continue;
        const answer = await t.call(method.toUpperCase(), route.replace(/\{[^}]+\}/g, SOME_ID), { as: null });
        if ((answer.status === 401) !== needsToken) mismatches.push(`${method.toUpperCase()} ${route}: documented ${needsToken ? 'with' : 'without'} a token, answered ${answer.status}`);
      }
      expect(mismatches).toEqual([]);
    });

    it('links each operation and tag to the business rules it follows, at a page and section that exist', () => {
      const links = [
        ...operationsOf(document)
          .filter(({ operation }) => operation.tags?.[0] !== 'Health')
          .map(({ method, path: route, operation }) => ({ where: `${method.toUpperCase()} ${route}`, text: operation.description ?? '' })),
        ...(document.tags ?? []).filter((tag) => tag.name !== 'Health').map((tag) => ({ where: `tag ${tag.name}`, text: `${tag.description ?? ''} ${tag.externalDocs?.url ?? ''}` })),
      ];
      const broken = links.flatMap(({ where, text }) => {
        const targets = [...text.matchAll(new RegExp(`${PUBLIC_URL}/docs/guide(?:/([a-z0-9-]+))?(?:#([^)\\s]+))?`, 'g'))];
        if (targets.length === 0) return [`${where}: no link to the guide`];
        return targets.flatMap(([url, page = 'README', anchor]) => {
          const target = guide.page(page);
          const exists = target && (!anchor || target.headings.some((heading) => heading.id === anchor));
          return exists ? [] : [`${where}: ${url} does not exist`];
        });
      });
      expect(broken).toEqual([]);
    });

    it('keeps the table of guide sections to operations that exist, and a description for every tag', () => {
      const ids = new Set(operationsOf(document).map(({ operation }) => operation.operationId));
      expect(Object.keys(OPERATION_SECTIONS).filter((id) => !ids.has(id))).toEqual([]);
      expect((document.tags ?? []).filter((tag) => !TAGS.some((known) => known.name === tag.name))).toEqual([]);
    });

    it('lints clean with Redocly CLI (recommended rules, redocly.yaml)', async () => {
      const { exitCode, findings, output } = await redoclyLint(document);
      // Warnings count too: "clean" is what keeps the document trustworthy. The findings say where and why; the
      // output names the file linted, kept when the lint fails.
      const clean = exitCode === 0 && findings.length === 0;
      expect({ exitCode, findings, output: clean ? '' : output }).toEqual({ exitCode: 0, findings: [], output: '' });
    });
  });

  describe('the API reference at /docs', () => {
    it('is Swagger UI served from this server, with the bar that leads to the guide', async () => {
      const page = await t.call('GET', '/docs', { as: null });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.text).toContain('swagger-ui-bundle.js');
      expect(page.text).not.toMatch(/src=["']https?:/);
      expect(page.text).toContain('href=\\"/docs/guide\\"');
      expect((await t.call('GET', '/docs/swagger-ui-bundle.js', { as: null })).status).toBe(200);
    });

    it('signs people in with the realm\'s public docs client: authorization code with PKCE, back to oauth2-redirect.html', async () => {
      const init = await t.call('GET', '/docs/swagger-ui-init.js', { as: null });
      expect(init.text).toContain('"clientId": "invoicing-docs"');
      expect(init.text).toContain('"usePkceWithAuthorizationCodeGrant": true');
      expect(init.text).toContain(`"oauth2RedirectUrl": "${PUBLIC_URL}/docs/oauth2-redirect.html"`);
      expect(init.text).toContain('"persistAuthorization": true');
      const redirect = await t.call('GET', '/docs/oauth2-redirect.html', { as: null });
      expect(redirect.status).toBe(200);
      expect(redirect.text).toContain('oauth2-redirect.js');
    });
  });

  describe('the business guide at /docs/guide', () => {
    it('serves the index with a navigation of every page and a way back to the reference', async () => {
      const index = await t.call('GET', '/docs/guide', { as: null });
      expect(index.status).toBe(200);
      expect(index.text).toContain('<h1 id="business-documentation">Business documentation</h1>');
      for (const page of guide.pages) expect(index.text).toContain(`<a href="${page.url}"`);
      expect(index.text).toContain('<a href="/docs"');
    });

    it('serves a business page with its navigation, its state diagram and links to the operations it explains', async () => {
      const page = await t.call('GET', '/docs/guide/invoice-lifecycle', { as: null });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.text).toContain('<nav class="guide-nav" aria-label="Business guide">');
      expect(page.text).toContain('<a href="/docs/guide/invoice-lifecycle" aria-current="page">Invoice lifecycle</a>');
      expect(page.text).toContain('<h2 id="issue">Issue</h2>');
      expect(page.text).toContain('<a href="/docs#/Invoices/issueInvoice">');
      expect(page.text).toMatch(/<figure class="state-diagram">[\s\S]*<th scope="rowgroup" rowspan="\d+"><code>draft<\/code><\/th>[^]*?<td>issue<\/td><td><code>issued<\/code><\/td>/);
      expect(page.text).toContain('<a href="/docs/guide/errors#invoice.not_draft" class="error-code"><code>invoice.not_draft</code></a>');
      expect(page.text).toContain('<a href="/docs/guide/glossary">Glossary</a>');
    });

    it('shows what each role may do, from the permissions the API checks, at the end of the roles section', async () => {
      const page = (await t.call('GET', '/docs/guide/tenancy', { as: null })).text;
      const section = page.slice(page.indexOf('<h3 id="roles">'));
      // The section's own text first, then the table, then the next section (or the end of the page).
      expect(section).toMatch(/^<h3 id="roles">Roles<\/h3>\n<(p|table)>[\s\S]*<table class="permissions">[\s\S]*?<\/table>\n(<h[123] [\s\S]*)?<\/article>/);
      const table = section.slice(section.indexOf('<table class="permissions">'));
      const row = /<tr><td><code>invoices:write<\/code><\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/.exec(table);
      expect(row?.[1]).toBe('<code>admin</code>, <code>accountant</code>');
      expect(row?.[2]).toContain('<a href="/docs#/Invoices/issueInvoice"><code>POST /v1/invoices/{invoiceId}/issue</code>');
      expect(operationsOf(document).find(({ operation }) => operation.operationId === 'issueInvoice')?.operation).toMatchObject({ 'x-permission': 'invoices:write' });
    });

    it('links only to pages, sections and operations that exist', async () => {
      const ids = new Set(operationsOf(document).map(({ operation }) => `${operation.tags?.[0]?.replace(/ /g, '%20')}/${operation.operationId}`));
      const broken: string[] = [];
      for (const page of guide.pages) {
        const html = (await t.call('GET', page.url, { as: null })).text;
        for (const [, href = ''] of html.matchAll(/href="([^"]+)"/g)) {
          const [pathname = '', fragment] = href.split('#');
          if (pathname === '/docs' && fragment) {
            if (!ids.has(fragment.slice(1))) broken.push(`${page.url}: ${href}`);
          } else if (pathname.startsWith('/docs/guide') || pathname === '') {
            const target = pathname === '' ? page : guide.pages.find((candidate) => candidate.url === pathname);
            if (!target || (fragment && !target.headings.some((heading) => heading.id === fragment) && !target.codes.includes(fragment))) broken.push(`${page.url}: ${href}`);
          }
        }
      }
      expect(broken).toEqual([]);
    });

    it('explains every problem type the API answers with on the errors page, one anchor per code', async () => {
      const problem = await t.call('GET', `/v1/partners/${SOME_ID}`);
      expect(problem.body.code).toBe('partner.not_found');
      expect(problem.body.type).toBe(`${PUBLIC_URL}/docs/guide/errors#partner.not_found`);
      const errors = await t.call('GET', '/docs/guide/errors', { as: null });
      expect(errors.text).toContain('<tr id="partner.not_found">');
      expect(errors.text).toContain('<tr id="auth.token_missing">');
    });

    it('answers a page it does not have with a 404 problem, and sends other spellings of a page to its one URL', async () => {
      const missing = await t.call('GET', '/docs/guide/no-such-page', { as: null });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      expect(missing.body).toMatchObject({ status: 404, code: 'guide.page_not_found', type: `${PUBLIC_URL}/docs/guide/errors#guide.page_not_found` });
      for (const alias of ['/docs/guide/README', '/docs/guide/', '/docs/guide/glossary/']) {
        const answer = await fetch(`${t.url}${alias}`, { redirect: 'manual' });
        expect([alias, answer.status, answer.headers.get('location')]).toEqual([alias, 301, alias.includes('glossary') ? '/docs/guide/glossary' : '/docs/guide']);
      }
    });

    it('never reads a file outside the guide, however the path is written', async () => {
      for (const attempt of ['/docs/guide/..%2f..%2fpackage.json', '/docs/guide/..%2fREADME', '/docs/guide/%2e%2e%2fadr%2fREADME', '/docs/guide/adr%2fREADME', '/docs/..%2f..%2fpackage.json', '/docs/guide/..%5c..%5cpackage.json']) {
        const answer = await t.call('GET', attempt, { as: null });
        expect({ attempt, status: answer.status }).toEqual({ attempt, status: expect.any(Number) });
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.text).not.toContain('"workspaces"');
      }
    });
  });
});
