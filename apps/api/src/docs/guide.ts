import fs from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { stateDiagramHtml } from './state-diagram';

type Token = MarkdownIt.Token;
type NewToken = (type: string, tag: string, nesting: 1 | 0 | -1) => Token;
type Markdown = InstanceType<typeof MarkdownIt>;

const escape = new MarkdownIt().utils.escapeHtml;

/** Where the business docs live: `docs/` at the repository root. */
export const DOCS_DIR = path.resolve(__dirname, '../../../../docs');
export const GUIDE_PATH = '/docs/guide';
/** The page `docs/README.md` is served as: the guide's index. */
export const INDEX_PAGE = 'README';
export const ERRORS_PAGE = 'errors';

export interface GuideHeading {
  readonly id: string;
  readonly text: string;
  readonly level: number;
}

export interface GuidePage {
  /** The file name without `.md`, which is also the last segment of its URL. */
  readonly slug: string;
  readonly title: string;
  readonly url: string;
  readonly headings: readonly GuideHeading[];
  /** The codes its code tables list, each an anchor (the errors page). */
  readonly codes: readonly string[];
  readonly source: string;
}

/** An operation of the API reference, as a guide page links to it. */
export interface OperationLink {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly summary: string;
  /** The Swagger UI deep link, e.g. `/docs#/Invoices/issueInvoice`. */
  readonly href: string;
}

/** What a page links to beyond the guide itself. */
export interface GuideLinks {
  /** The operations that document a section (`anchor`) or, undefined, the whole page. */
  operationsAt(slug: string, anchor: string | undefined): readonly OperationLink[];
  /** The error codes of the errors page: a code in a page links there. */
  readonly errorCodes: ReadonlySet<string>;
  /** Content the site generates at the end of a section (e.g. the roles table), as HTML. */
  sectionHtml?(slug: string, anchor: string): string | undefined;
}

// A type, not an interface: markdown-it takes its env as a record.
type RenderEnv = {
  slug: string;
  headings: GuideHeading[];
  codes: string[];
  links?: GuideLinks;
};

const PAGE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const GUIDE_LINK = /^([A-Za-z0-9-]+)\.md(#.*)?$/;

/** The business docs (`docs/*.md`), parsed once, rendered to HTML with links into the API reference. */
export class Guide {
  private readonly md: Markdown;
  private readonly bySlug: ReadonlyMap<string, GuidePage>;
  /** In the order of the navigation. */
  readonly pages: readonly GuidePage[];

  private constructor(files: ReadonlyMap<string, string>) {
    // Raw HTML in the Markdown is escaped, never passed through; link targets are checked by markdown-it.
    this.md = new MarkdownIt({ html: false, linkify: false, typographer: false });
    this.md.core.ruler.push('guide', (state) => transform(state.tokens, state.env as RenderEnv, (type, tag, nesting) => new state.Token(type, tag, nesting)));
    const fence = this.md.renderer.rules.fence;
    this.md.renderer.rules.fence = (tokens, index, options, env, self) => {
      const token = tokens[index];
      const diagram = token && token.info.trim() === 'mermaid' ? stateDiagramHtml(token.content) : undefined;
      return diagram ?? fence?.(tokens, index, options, env, self) ?? '';
    };
    const parsed = [...files].map(([slug, source]) => this.parse(slug, source));
    this.pages = order(parsed, files.get(INDEX_PAGE) ?? '');
    this.bySlug = new Map(this.pages.map((page) => [page.slug, page]));
  }

  /** Reads every `*.md` of the folder (not its subfolders: ADRs are for the people who build the platform). */
  static load(dir = DOCS_DIR): Guide {
    const files = new Map<string, string>();
    for (const name of fs.readdirSync(dir).sort()) {
      const slug = name.replace(/\.md$/, '');
      if (name.endsWith('.md') && (slug === INDEX_PAGE || PAGE_NAME.test(slug))) files.set(slug, fs.readFileSync(path.join(dir, name), 'utf8'));
    }
    if (!files.has(INDEX_PAGE)) throw new Error(`${dir} has no ${INDEX_PAGE}.md, the guide's index`);
    return new Guide(files);
  }

  /** The page with this slug; only names of pages read at start-up are looked up, never paths. */
  page(slug: string): GuidePage | undefined {
    return this.bySlug.get(slug);
  }

  heading(slug: string, anchor: string): GuideHeading | undefined {
    return this.page(slug)?.headings.find((heading) => heading.id === anchor);
  }

  /** The HTML of a page's content (not the site's layout around it). */
  render(page: GuidePage, links: GuideLinks): string {
    const env: RenderEnv = { slug: page.slug, headings: [], codes: [], links };
    return this.md.render(page.source, env);
  }

  private parse(slug: string, source: string): GuidePage {
    const env: RenderEnv = { slug, headings: [], codes: [] };
    this.md.parse(source, env);
    const title = env.headings.find((heading) => heading.level === 1)?.text ?? slug;
    return { slug, title, url: urlOf(slug), headings: env.headings, codes: env.codes, source };
  }
}

export function urlOf(slug: string, anchor?: string): string {
  return `${slug === INDEX_PAGE ? GUIDE_PATH : `${GUIDE_PATH}/${slug}`}${anchor ? `#${anchor}` : ''}`;
}

/** Where every problem `type` points: the errors page, one anchor per code (`<base>#<code>`). */
export function problemTypeBase(publicUrl: string): string {
  return `${publicUrl}${urlOf(ERRORS_PAGE)}`;
}

/** The index first, then the pages in the order the index lists them, then any other (e.g. errors). */
function order(pages: GuidePage[], index: string): GuidePage[] {
  const listed = [...index.matchAll(/\]\(([a-z0-9-]+)\.md[)#]/g)].map((match) => match[1]);
  const rank = (page: GuidePage) => (page.slug === INDEX_PAGE ? -1 : listed.includes(page.slug) ? listed.indexOf(page.slug) : listed.length);
  return [...pages].sort((left, right) => rank(left) - rank(right) || left.slug.localeCompare(right.slug));
}

/**
 * The anchor of a heading: GitHub's (lower case, punctuation dropped, spaces to dashes, `-1`, `-2` … for repeats), so
 * links written for GitHub keep working; a heading that is only a code span keeps it as it is (`invoice.not_found`).
 */
function slugOf(inline: Token, taken: Set<string>): string {
  const children = inline.children ?? [];
  const only = children.length === 1 && children[0]?.type === 'code_inline' ? children[0].content : undefined;
  const base =
    only ??
    textOf(inline)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
  let id = base;
  for (let repeat = 1; taken.has(id); repeat += 1) id = `${base}-${repeat}`;
  taken.add(id);
  return id;
}

function textOf(inline: Token): string {
  return (inline.children ?? []).map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : '')).join('');
}

function transform(tokens: Token[], env: RenderEnv, token: NewToken): void {
  const taken = new Set<string>();
  const block = (html: string) => Object.assign(token('html_block', '', 0), { content: html });
  // Generated content closes its section: it goes before the next heading of the same or a higher level.
  let closing: { level: number; html: string } | undefined;
  for (let index = 0; index < tokens.length; index += 1) {
    const current = tokens[index];
    const inline = tokens[index + 1];
    if (!current) continue;
    if (current.type === 'heading_open' && inline?.type === 'inline') {
      const level = Number(current.tag.slice(1));
      if (closing && level <= closing.level) {
        tokens.splice(index, 0, block(closing.html));
        closing = undefined;
        continue;
      }
      const heading = { id: slugOf(inline, taken), text: textOf(inline), level };
      current.attrSet('id', heading.id);
      env.headings.push(heading);
      const operations = env.links?.operationsAt(env.slug, heading.level === 1 ? undefined : heading.id) ?? [];
      // After the heading's closing tag: the heading, its inline content, heading_close.
      if (operations.length > 0) tokens.splice(index + 3, 0, block(operationsHtml(operations)));
      const generated = env.links?.sectionHtml?.(env.slug, heading.id);
      if (generated) closing = { level: heading.level, html: generated };
    }
    if (current.type === 'table_open') env.codes.push(...markCodeRows(tokens, index));
    // A heading is an anchor itself: codes in it stay unlinked.
    if (current.type === 'inline' && current.children) current.children = rewriteInline(current.children, env, token, tokens[index - 1]?.type !== 'heading_open');
  }
  if (closing) tokens.push(block(closing.html));
}

function operationsHtml(operations: readonly OperationLink[]): string {
  const items = operations.map(
    (operation) =>
      `<li><a href="${escape(operation.href)}"><code>${escape(operation.method.toUpperCase())} ${escape(operation.path)}</code> ${escape(operation.summary)}</a></li>`,
  );
  return `<aside class="api-operations" aria-label="Operations in the API reference"><p>In the API reference:</p><ul>${items.join('')}</ul></aside>\n`;
}

/** A table whose first column is headed `code` lists codes: each row is the anchor of its code (the errors page). */
function markCodeRows(tokens: Token[], start: number): string[] {
  const header = tokens.slice(start).find((token) => token.type === 'inline');
  if (header?.content.trim() !== 'code') return [];
  const codes: string[] = [];
  for (let index = start; index < tokens.length && tokens[index]?.type !== 'table_close'; index += 1) {
    const row = tokens[index];
    if (row?.type !== 'tr_open' || tokens[index + 1]?.type !== 'td_open') continue;
    const cell = tokens[index + 2]?.children ?? [];
    const code = cell.length === 1 && cell[0]?.type === 'code_inline' ? cell[0].content : undefined;
    if (code) {
      row.attrSet('id', code);
      codes.push(code);
    }
  }
  return codes;
}

/**
 * Links between pages point at their URLs on this site; links into the repository (ADRs) become plain text, as
 * the site does not serve them; an error code in the text links to its entry on the errors page.
 */
function rewriteInline(children: Token[], env: RenderEnv, token: NewToken, linkCodes: boolean): Token[] {
  const result: Token[] = [];
  const unlinked: boolean[] = [];
  let inLink = false;
  for (const child of children) {
    if (child.type === 'link_open') {
      const href = String(child.attrGet('href') ?? '');
      const guide = GUIDE_LINK.exec(href);
      const outside = !guide && !href.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('/');
      if (guide) child.attrSet('href', urlOf(guide[1] ?? '', guide[2]?.slice(1)));
      if (outside) {
        child.tag = 'span';
        child.attrs = [
          ['class', 'repository-file'],
          ['title', `docs/${href} in the source repository`],
        ];
      }
      unlinked.push(outside);
      inLink = true;
    } else if (child.type === 'link_close') {
      if (unlinked.pop()) child.tag = 'span';
      inLink = unlinked.length > 0;
    } else if (child.type === 'code_inline' && linkCodes && !inLink && env.slug !== ERRORS_PAGE && env.links?.errorCodes.has(child.content)) {
      const open = token('link_open', 'a', 1);
      open.attrSet('href', urlOf(ERRORS_PAGE, child.content));
      open.attrSet('class', 'error-code');
      result.push(open, child, token('link_close', 'a', -1));
      continue;
    }
    result.push(child);
  }
  return result;
}
