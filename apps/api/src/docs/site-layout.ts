import MarkdownIt from 'markdown-it';
import { ERRORS_PAGE, GUIDE_PATH, type Guide, type GuidePage, type OperationLink } from './guide';

const escape = new MarkdownIt().utils.escapeHtml;

export const REFERENCE_PATH = '/docs';
export const DOCUMENT_PATH = '/openapi.json';

type Section = 'reference' | 'guide' | 'errors';

/** The bar on top of every page of the site, the reference's included: the way between reference and guide. */
export function siteHeader(current: Section): string {
  const link = (section: Section, href: string, text: string) => `<a href="${href}"${section === current ? ' aria-current="page"' : ''}>${text}</a>`;
  return [
    '<header class="docs-site-header">',
    `<a class="docs-site-brand" href="${GUIDE_PATH}">Invoicing platform docs</a>`,
    '<nav aria-label="Site">',
    link('reference', REFERENCE_PATH, 'API reference'),
    link('guide', GUIDE_PATH, 'Business guide'),
    link('errors', `${GUIDE_PATH}/${ERRORS_PAGE}`, 'Errors'),
    `<a href="${DOCUMENT_PATH}" download="openapi.json">openapi.json</a>`,
    '</nav>',
    '</header>',
  ].join('');
}

export const HEADER_CSS = `
.docs-site-header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 2rem; padding: .75rem 1.5rem; background: #1b2a3a; color: #fff; font: 15px/1.4 system-ui, sans-serif; }
.docs-site-header a { color: #fff; text-decoration: none; }
.docs-site-header a:hover, .docs-site-header a:focus { text-decoration: underline; }
.docs-site-brand { font-weight: 600; }
.docs-site-header nav { display: flex; flex-wrap: wrap; gap: 1.25rem; }
.docs-site-header nav a[aria-current="page"] { border-bottom: 2px solid #7cc4ff; }
`;

const GUIDE_CSS = `
${HEADER_CSS}
body { margin: 0; color: #1f2328; background: #fff; font: 16px/1.55 system-ui, sans-serif; }
.docs-layout { display: grid; grid-template-columns: minmax(12rem, 16rem) minmax(0, 1fr); gap: 2rem; max-width: 78rem; margin: 0 auto; padding: 1.5rem; }
@media (max-width: 50rem) { .docs-layout { grid-template-columns: 1fr; } }
.guide-nav ul { list-style: none; margin: 0; padding: 0; }
.guide-nav li { margin: .25rem 0; }
.guide-nav a { color: #0b57a4; text-decoration: none; }
.guide-nav a[aria-current="page"] { font-weight: 600; color: #1f2328; }
.guide-nav .guide-nav-reference { margin-top: 1rem; padding-top: .75rem; border-top: 1px solid #d0d7de; }
main { min-width: 0; }
a { color: #0b57a4; }
h1, h2, h3 { line-height: 1.25; scroll-margin-top: 1rem; }
table { border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: .35rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #f3f5f7; }
tr:target { background: #fff8c5; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, monospace; background: #f3f5f7; padding: .1em .3em; border-radius: 4px; }
pre { background: #f3f5f7; padding: .75rem 1rem; overflow-x: auto; border-radius: 6px; }
pre code { padding: 0; }
a.error-code { text-decoration: none; }
.api-operations { margin: .5rem 0 1rem; padding: .5rem 1rem; border-left: 4px solid #7cc4ff; background: #f0f7ff; font-size: .95em; }
.api-operations p { margin: 0; font-weight: 600; }
.api-operations ul { margin: .25rem 0 0; padding-left: 1.25rem; }
.state-diagram { margin: 1rem 0; }
.state-diagram figcaption { font-weight: 600; }
.state-diagram tbody th { background: #f9fafb; }
.permissions caption { text-align: left; font-weight: 600; padding-bottom: .5rem; }
.permissions ul { margin: 0; padding-left: 1.1rem; }
`;

/**
 * A whole page of the guide: site header, navigation of every page, the rendered content. All text that comes from
 * the Markdown is escaped by the renderer; the rest is our own.
 */
export function guidePageHtml(guide: Guide, page: GuidePage, content: string): string {
  const section: Section = page.slug === ERRORS_PAGE ? 'errors' : 'guide';
  const items = guide.pages.map((each) => `<li><a href="${escape(each.url)}"${each.slug === page.slug ? ' aria-current="page"' : ''}>${escape(each.title)}</a></li>`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(page.title)} · Invoicing platform docs</title>`,
    `<style>${GUIDE_CSS}</style>`,
    '</head>',
    '<body>',
    siteHeader(section),
    '<div class="docs-layout">',
    '<nav class="guide-nav" aria-label="Business guide">',
    `<ul>${items.join('')}</ul>`,
    `<p class="guide-nav-reference"><a href="${REFERENCE_PATH}">API reference</a> · <a href="${DOCUMENT_PATH}" download="openapi.json">openapi.json</a></p>`,
    '</nav>',
    `<main><article>${content}</article></main>`,
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}

export interface PermissionRow {
  readonly permission: string;
  readonly roles: readonly string[];
  readonly operations: readonly OperationLink[];
}

/** What each role may call: generated from the permissions the auth guard checks, so it cannot drift from them. */
export function permissionsTableHtml(rows: readonly PermissionRow[]): string {
  const body = rows.map(
    (row) =>
      `<tr><td><code>${escape(row.permission)}</code></td><td>${row.roles.map((role) => `<code>${escape(role)}</code>`).join(', ')}</td><td><ul>${row.operations
        .map((operation) => `<li><a href="${escape(operation.href)}"><code>${escape(operation.method.toUpperCase())} ${escape(operation.path)}</code> ${escape(operation.summary)}</a></li>`)
        .join('')}</ul></td></tr>`,
  );
  return [
    '<table class="permissions">',
    '<caption>What each role may do in the API: the permission each operation needs, and the roles that have it.</caption>',
    '<thead><tr><th scope="col">permission</th><th scope="col">roles</th><th scope="col">operations</th></tr></thead>',
    `<tbody>${body.join('')}</tbody>`,
    '</table>',
    '',
  ].join('\n');
}

/**
 * Guide pages run no script and load nothing from elsewhere: the policy says so, so that even a slip in rendering
 * could not run one.
 */
export const GUIDE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
