import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PERMISSIONS } from '../auth/permissions';
import type { ApiConfig } from '../config';
import { HttpProblem } from '../http/problem';
import { sendProblem } from '../http/problem.filter';
import { DOCS_DIR, ERRORS_PAGE, GUIDE_PATH, Guide, INDEX_PAGE, problemTypeBase, urlOf, type GuideLinks } from './guide';
import { ROLES_SECTION, splitRef } from './guide-links';
import { buildOpenApiDocument, operationLink, operationLinks, operationsOf, permissionOf, rolesWith } from './openapi-document';
import { DOCUMENT_PATH, GUIDE_CONTENT_SECURITY_POLICY, HEADER_CSS, REFERENCE_PATH, guidePageHtml, permissionsTableHtml, siteHeader, type PermissionRow } from './site-layout';

export interface DocsOptions {
  /** The folder of the business docs (default: `docs/` of the repository). */
  readonly docsDir?: string;
}

/** What the site serves, built once the app's routes are known. */
interface Built {
  readonly document: OpenAPIObject;
  readonly pages: ReadonlyMap<string, string>;
}

/**
 * Serves the docs site: the API reference (Swagger UI) at /docs with the document at /openapi.json (and
 * /openapi.yaml), and the business guide (docs/*.md) at /docs/guide, linked both ways.
 *
 * The document needs the plugin metadata, which loads asynchronously, and the controllers' routes; both are ready
 * when Fastify is (`onReady`, before the server listens), so the routes are registered now and the content is
 * built then: start-up fails if it cannot be.
 */
export function mountDocs(app: NestFastifyApplication, config: ApiConfig, options: DocsOptions = {}): void {
  const guide = Guide.load(options.docsDir ?? DOCS_DIR);
  let built: Built | undefined;
  const site = () => {
    if (!built) throw new Error('the docs site is not built yet: Fastify is not ready');
    return built;
  };
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onReady', async () => {
    const document = await buildOpenApiDocument(app, config, guide);
    const byRef = operationLinks(document);
    const errorCodes = new Set(guide.page(ERRORS_PAGE)?.codes);
    const roles = splitRef(ROLES_SECTION);
    const rolesTable = permissionsTableHtml(permissionRows(document));
    const links: GuideLinks = {
      operationsAt: (slug, anchor) => byRef.get(`${slug}#${anchor ?? ''}`) ?? [],
      errorCodes,
      sectionHtml: (slug, anchor) => (slug === roles.page && anchor === roles.anchor ? rolesTable : undefined),
    };
    built = { document, pages: new Map(guide.pages.map((page) => [page.slug, guidePageHtml(guide, page, guide.render(page, links))])) };
  });

  SwaggerModule.setup(REFERENCE_PATH.slice(1), app, () => site().document, {
    jsonDocumentUrl: DOCUMENT_PATH.slice(1),
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'API reference · Invoicing platform docs',
    // Swagger UI's own top bar (a URL box to load other documents) gives way to the site's.
    customCss: `${HEADER_CSS}\n.swagger-ui .topbar { display: none; }`,
    customJsStr: `document.body.insertAdjacentHTML('afterbegin', ${JSON.stringify(siteHeader('reference'))});`,
    swaggerOptions: {
      persistAuthorization: true,
      // Authorization code with PKCE against the realm's public docs client: no secret in the page.
      initOAuth: { clientId: config.docsClientId, usePkceWithAuthorizationCodeGrant: true, scopes: ['openid'] },
      oauth2RedirectUrl: `${config.publicUrl}${REFERENCE_PATH}/oauth2-redirect.html`,
      docExpansion: 'list',
      filter: true,
      displayRequestDuration: true,
    },
  });

  const typeBase = problemTypeBase(config.publicUrl);
  const servePage = (slug: string, request: FastifyRequest, reply: FastifyReply) => {
    const html = site().pages.get(slug);
    if (html === undefined) {
      sendProblem(new HttpProblem(404, 'guide.page_not_found', `The guide has no page "${slug}"; its pages are listed at ${GUIDE_PATH}.`), request, reply, typeBase);
      return;
    }
    void reply.header('content-security-policy', GUIDE_CONTENT_SECURITY_POLICY).type('text/html; charset=utf-8').send(html);
  };
  fastify.get(GUIDE_PATH, (request, reply) => servePage(INDEX_PAGE, request, reply));
  // Pages are looked up by name among those read at start-up: nothing of the URL reaches the file system.
  fastify.get<{ Params: { page: string } }>(`${GUIDE_PATH}/:page`, (request, reply) => {
    const { page } = request.params;
    // One URL per page: the index is /docs/guide, not /docs/guide/README nor /docs/guide/.
    if (page === '' || page === INDEX_PAGE) return void reply.redirect(GUIDE_PATH, 301);
    servePage(page, request, reply);
  });
  fastify.get<{ Params: { page: string } }>(`${GUIDE_PATH}/:page/`, (request, reply) => {
    const { page } = request.params;
    if (!site().pages.has(page)) return servePage(page, request, reply);
    void reply.redirect(urlOf(page), 301);
  });
}

function permissionRows(document: OpenAPIObject): PermissionRow[] {
  const operations = operationsOf(document);
  return PERMISSIONS.map((permission) => ({
    permission,
    roles: rolesWith(permission),
    operations: operations.filter(({ operation }) => permissionOf(operation) === permission).map(operationLink),
  })).filter((row) => row.operations.length > 0);
}
