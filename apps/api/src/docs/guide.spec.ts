import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Guide, type GuideLinks, type OperationLink } from './guide';

const FILES: Record<string, string> = {
  'README.md': ['# The guide', '', '| page |', '|---|', '| [Second](second.md) |', '| [First](first.md) |', ''].join('\n'),
  'first.md': [
    '# First page',
    '',
    '## Sign-in and roles',
    '',
    'See [the second page](second.md#details), [the index](README.md), [this section](#sign-in-and-roles),',
    '[ADR 0006](adr/0006-consistency.md), [a site](https://example.org/x) and [a script](javascript:alert(1)).',
    '',
    '<script>alert("raw html")</script> and <b>bold</b>',
    '',
    'Refused with `invoice.not_draft`, or [with a link `invoice.voided`](second.md).',
    '',
    '## Sign-in and roles',
    '',
    '### `invoice.not_draft`',
    '',
    '### 1. Line net amount (BT-131)',
    '',
    '```mermaid',
    'stateDiagram-v2',
    '    [*] --> draft: create',
    '    draft --> issued: issue',
    '    issued --> issued: credit (part)',
    '    issued --> [*]',
    '```',
    '',
    '```mermaid',
    'sequenceDiagram',
    '    A->>B: <hello>',
    '```',
    '',
  ].join('\n'),
  'second.md': ['# Second page', '', '## Details', '', 'Nothing here.', ''].join('\n'),
  'errors.md': ['# Errors', '', '| code | status | meaning |', '|---|---|---|', '| `invoice.not_draft` | 409 | Only drafts. |', '| `invoice.voided` | 409 | Void. |', ''].join('\n'),
  'Not A Page.md': '# Ignored\n',
};

const issue: OperationLink = { operationId: 'issueInvoice', method: 'post', path: '/v1/invoices/{invoiceId}/issue', summary: 'Issue a <draft>', href: '/docs#/Invoices/issueInvoice' };
const list: OperationLink = { operationId: 'listInvoices', method: 'get', path: '/v1/invoices', summary: 'List invoices', href: '/docs#/Invoices/listInvoices' };
const links: GuideLinks = {
  operationsAt: (slug, anchor) => (slug === 'first' && anchor === 'sign-in-and-roles' ? [issue] : slug === 'first' && anchor === undefined ? [list] : []),
  errorCodes: new Set(['invoice.not_draft', 'invoice.voided']),
  sectionHtml: (slug, anchor) => (slug === 'first' && anchor === 'sign-in-and-roles-1' ? '<p class="generated">roles</p>\n' : slug === 'second' && anchor === 'details' ? '<p class="generated">last</p>\n' : undefined),
};

describe('Guide', () => {
  let dir: string;
  let guide: Guide;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-'));
    for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(dir, name), text);
    fs.mkdirSync(path.join(dir, 'adr'));
    fs.writeFileSync(path.join(dir, 'adr', 'README.md'), '# ADRs\n');
    guide = Guide.load(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('load', () => {
    it('reads the pages of the folder, the index first, then in the order the index lists them, then the rest', () => {
      expect(guide.pages.map((page) => [page.slug, page.title, page.url])).toEqual([
        ['README', 'The guide', '/docs/guide'],
        ['second', 'Second page', '/docs/guide/second'],
        ['first', 'First page', '/docs/guide/first'],
        ['errors', 'Errors', '/docs/guide/errors'],
      ]);
    });

    it('refuses a folder without an index', () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-'));
      try {
        expect(() => Guide.load(empty)).toThrow('has no README.md');
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });
  });

  describe('page', () => {
    it('finds pages by name only, never by path', () => {
      expect(guide.page('second')?.title).toBe('Second page');
      for (const name of ['../README', 'adr/README', 'adr', 'Not A Page', '']) expect(guide.page(name)).toBeUndefined();
    });

    it('knows the anchors of headings and of the rows of code tables', () => {
      expect(guide.page('first')?.headings.map((heading) => heading.id)).toEqual(['first-page', 'sign-in-and-roles', 'sign-in-and-roles-1', 'invoice.not_draft', '1-line-net-amount-bt-131']);
      expect(guide.page('errors')?.codes).toEqual(['invoice.not_draft', 'invoice.voided']);
    });
  });

  describe('render', () => {
    const render = (slug: string) => {
      const page = guide.page(slug);
      if (!page) throw new Error(`no page ${slug}`);
      return guide.render(page, links);
    };
    const html = () => render('first');

    it('gives headings GitHub-style anchors, and a heading that is only a code the code itself', () => {
      expect(html()).toContain('<h2 id="sign-in-and-roles">Sign-in and roles</h2>');
      expect(html()).toContain('<h2 id="sign-in-and-roles-1">Sign-in and roles</h2>');
      expect(html()).toContain('<h3 id="invoice.not_draft"><code>invoice.not_draft</code></h3>');
      expect(html()).toContain('<h3 id="1-line-net-amount-bt-131">');
    });

    it('points links between pages at their URLs on the site and keeps the others', () => {
      expect(html()).toContain('<a href="/docs/guide/second#details">the second page</a>');
      expect(html()).toContain('<a href="/docs/guide">the index</a>');
      expect(html()).toContain('<a href="#sign-in-and-roles">this section</a>');
      expect(html()).toContain('<a href="https://example.org/x">a site</a>');
    });

    it('shows links into the repository (ADRs), which the site does not serve, as plain text', () => {
      expect(html()).toContain('<span class="repository-file" title="docs/adr/0006-consistency.md in the source repository">ADR 0006</span>');
    });

    it('escapes HTML written in the Markdown and drops script links', () => {
      expect(html()).toContain('&lt;script&gt;alert(&quot;raw html&quot;)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;');
      expect(html()).not.toContain('<script');
      expect(html()).not.toContain('href="javascript:');
    });

    it('links each error code to its entry on the errors page, but not inside another link', () => {
      expect(html()).toContain('Refused with <a href="/docs/guide/errors#invoice.not_draft" class="error-code"><code>invoice.not_draft</code></a>');
      expect(html()).toContain('<a href="/docs/guide/second">with a link <code>invoice.voided</code></a>');
    });

    it('makes each row of a code table the anchor of its code', () => {
      const errors = render('errors');
      expect(errors).toContain('<tr id="invoice.not_draft">');
      expect(errors).not.toContain('class="error-code"');
    });

    it('lists the operations that link to a section under its heading, and those that link to the page under its title', () => {
      expect(html()).toMatch(/<h1 id="first-page">First page<\/h1>\n<aside class="api-operations"[^>]*>.*<a href="\/docs#\/Invoices\/listInvoices"><code>GET \/v1\/invoices<\/code> List invoices<\/a>/);
      expect(html()).toMatch(/<h2 id="sign-in-and-roles">Sign-in and roles<\/h2>\n<aside class="api-operations"[^>]*>.*<code>POST \/v1\/invoices\/\{invoiceId\}\/issue<\/code> Issue a &lt;draft&gt;<\/a>/);
      expect(html().match(/class="api-operations"/g)).toHaveLength(2);
    });

    it('ends a section with the content the site generates for it, before the next heading of its level or above', () => {
      expect(html()).toMatch(/<h2 id="sign-in-and-roles-1">[\s\S]*<h3 id="1-line-net-amount-bt-131">[\s\S]*<p class="generated">roles<\/p>\n$/);
      expect(html().match(/class="generated"/g)).toHaveLength(1);
      expect(render('second')).toMatch(/<p>Nothing here.<\/p>\n<p class="generated">last<\/p>\n$/);
    });

    it('shows a Mermaid state diagram as a table of its transitions, and any other diagram as its source', () => {
      expect(html()).toContain('<figcaption>State diagram: starts in <code>draft</code> (create); <code>issued</code> is final.');
      expect(html()).toContain('<th scope="rowgroup" rowspan="1"><code>draft</code></th><td>issue</td><td><code>issued</code></td>');
      expect(html()).toContain('<td>credit (part)</td><td>stays <code>issued</code></td>');
      expect(html()).toContain('<pre><code class="language-mermaid">sequenceDiagram\n    A-&gt;&gt;B: &lt;hello&gt;\n</code></pre>');
    });
  });
});
