import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, stackEnv, type TestApi } from '../testing/harness';
import { DOCS_DIR } from './guide';
import {
  curlRequest,
  differences,
  expand,
  parseHttpFile,
  parseShell,
  parseShownAnswer,
  resolveHttpVariables,
  shellSteps,
  valueAt,
  type ShellStep,
  type StepRequest,
} from './walk-through';

const PAGE = path.join(DOCS_DIR, 'getting-started.md');
const HTTP_FILE = path.join(DOCS_DIR, 'examples', 'getting-started.http');
/** What the page tells readers to set; the run points it at the API it started instead. */
const DOC_API_URL = 'http://localhost:3000';

interface Sent {
  readonly where: string;
  readonly request: StepRequest;
  readonly status: number;
  readonly body: unknown;
}

async function send(request: StepRequest): Promise<{ status: number; body: unknown }> {
  const response = await fetch(request.url, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
  const text = await response.text();
  return { status: response.status, body: (response.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as unknown) : text };
}

/** Runs the page's steps in order, as a reader's shell would, and returns every request with its answer. */
async function runPage(steps: readonly ShellStep[], api: string, logs: readonly Record<string, unknown>[] = []): Promise<{ api: string; sent: Sent[]; variables: Map<string, string> }> {
  const variables = new Map<string, string>();
  const files = new Map<string, unknown>();
  const sent: Sent[] = [];
  for (const step of steps) {
    const where = `getting-started.md line ${step.line} (${step.title})`;
    for (const command of step.commands) {
      if (command.kind === 'source-stack-env') {
        const stack = stackEnv();
        for (const [name, value] of Object.entries(stack)) variables.set(name, value);
      } else if (command.kind === 'assign') {
        const value = expand(command.value, variables);
        variables.set(command.name, command.name === 'API' && value === DOC_API_URL ? api : value);
      } else if (command.kind === 'capture') {
        if (!files.has(command.file)) throw new Error(`${where}: ${command.file} was not written by an earlier step`);
        const value = valueAt(files.get(command.file), command.path);
        if (value === undefined || value === null || typeof value === 'object') throw new Error(`${where}: ${command.file} has no value at ${command.path.join('.')}`);
        variables.set(command.name, String(value));
      } else {
        const request = curlRequest(command.args.map((word) => expand(word, variables)));
        const answer = await send(request);
        if (command.teeFile) files.set(command.teeFile, answer.body);
        sent.push({ where, request, ...answer });
        if (!step.answer) throw new Error(`${where}: the page shows no answer (an http block) after this curl`);
        // A 500 says nothing about why; the API's log does.
        if (answer.status >= 500) throw new Error(`${where}: ${answer.status}; the API logged ${JSON.stringify(logs.filter((entry) => Number(entry.level) >= 50).at(-1))}`);
        expect({ where, status: answer.status, body: answer.status === step.answer.status ? 'as shown' : answer.body }).toEqual({ where, status: step.answer.status, body: 'as shown' });
        expect({ where, differences: differences(step.answer.body, answer.body) }).toEqual({ where, differences: [] });
      }
    }
  }
  return { api, sent, variables };
}

/** Ids change at every run: a request's shape is its method, its path and its body with ids written `{id}`. */
function shapeOf(request: StepRequest, base: string): { method: string; path: string; body: unknown } {
  const withoutIds = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}');
  const url = new URL(request.url);
  const where = url.origin === new URL(base).origin ? `${url.pathname}${url.search}` : `<keycloak>${url.pathname.replace(/\/realms\/[^/]+/, '/realms/{realm}')}`;
  let body: unknown = request.body;
  if (request.body !== undefined && (request.headers['content-type'] ?? '').includes('json')) body = JSON.parse(withoutIds(request.body)) as unknown;
  if (request.body !== undefined && (request.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(request.body));
  return { method: request.method, path: withoutIds(where), body };
}

describe('the walk-through parsers', () => {
  describe('parseShell', () => {
    it('reads variables, the stack settings, curl calls piped to tee, and captures of a field, across continued lines and quotes', () => {
      const commands = parseShell(
        [
          '. .stack/stack.env   # the settings',
          'API=http://localhost:3000',
          `curl -s "$API/v1/x/\${ID}" -H "If-Match: \\"$V\\"" \\`,
          `  -d '{"a":`,
          `  1}' | tee answer.json`,
          `ID=$(node -p 'require("./answer.json").items[0].id')`,
        ].join('\n'),
      );
      expect(commands).toEqual([
        { kind: 'source-stack-env' },
        { kind: 'assign', name: 'API', value: ['http://localhost:3000'] },
        {
          kind: 'curl',
          args: [['-s'], [{ ref: 'API' }, '/v1/x/', { ref: 'ID' }], ['-H'], ['If-Match: "', { ref: 'V' }, '"'], ['-d'], ['{"a":\n  1}']],
          teeFile: 'answer.json',
        },
        { kind: 'capture', name: 'ID', file: 'answer.json', path: ['items', 0, 'id'] },
      ]);
    });

    it('refuses what it does not understand, so a new kind of step is taught rather than skipped', () => {
      expect(() => parseShell('jq .id answer.json')).toThrow('does not understand "jq .id answer.json"');
      expect(() => parseShell('curl -s http://x | jq .id')).toThrow('only be piped to "tee <file>"');
      expect(() => parseShell(`X=$(node -p 'process.env.HOME')`)).toThrow("only node -p 'require(\"./file.json\").path' is understood");
    });
  });

  describe('curlRequest', () => {
    it('makes a POST of a form for -d, a JSON POST with its Content-Type, and a GET without data', () => {
      expect(curlRequest(['-s', '-d', 'a=1', '-d', 'b=2', 'http://k/token'])).toEqual({ method: 'POST', url: 'http://k/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2' });
      expect(curlRequest(['http://a/v1', '-H', 'Content-Type: application/json', '-d', '{}'])).toEqual({ method: 'POST', url: 'http://a/v1', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(curlRequest(['-X', 'POST', 'http://a/v1/x/issue', '-H', 'If-Match: "1"'])).toEqual({ method: 'POST', url: 'http://a/v1/x/issue', headers: { 'if-match': '"1"' } });
      expect(() => curlRequest(['-k', 'http://a'])).toThrow('curl option -k is not understood');
    });
  });

  describe('parseShownAnswer', () => {
    it('reads the status line and the JSON body after the blank line', () => {
      expect(parseShownAnswer('HTTP/1.1 201 Created\nLocation: /v1/x/1\n\n{"id": "1"}\n')).toEqual({ status: 201, body: { id: '1' } });
      expect(() => parseShownAnswer('{"id": "1"}')).toThrow('starts with a status line');
    });
  });

  describe('differences', () => {
    it('accepts fields and items left out, strings cut with …, and any id or timestamp where the doc shows one', () => {
      const actual = { id: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', token: 'eyJhbGciOiJSUzI1NiJ9.abc', at: '2026-12-04T18:00:00.000Z', items: [{ n: 1, x: 2 }, { n: 2 }], extra: true };
      expect(differences({ id: '01939999-0000-7000-8000-000000000000', token: 'eyJhbGci…', at: '2026-01-01T00:00:00.000Z', items: [{ n: 1 }] }, actual)).toEqual([]);
    });

    it('names each field shown that the answer lacks or has otherwise', () => {
      expect(differences({ status: 'paid', items: [{ n: 9 }, { n: 2 }, { n: 3 }], gone: 1, list: [] }, { status: 'issued', items: [{ n: 1 }, { n: 2 }], list: [1] })).toEqual([
        '$.status: shown "paid", the answer has "issued"',
        '$.items[0].n: shown 9, the answer has 1',
        '$.items[2]: shown, missing from the answer',
        '$.gone: shown, missing from the answer',
        '$.list: shown empty, the answer has 1 items',
      ]);
    });
  });

  describe('parseHttpFile', () => {
    it('reads file variables, named requests with headers and bodies, and resolves request variables from earlier answers', () => {
      const file = parseHttpFile(['# comment', '@baseUrl = http://a', '@token = {{login.response.body.$.access_token}}', '', '### Sign in', '# @name login', 'POST {{baseUrl}}/token', 'Content-Type: application/x-www-form-urlencoded', '', 'a=1', '', '### List', 'GET {{baseUrl}}/v1/x?limit=2', 'Authorization: Bearer {{token}}', ''].join('\n'));
      expect(file.variables).toEqual(new Map([['baseUrl', 'http://a'], ['token', '{{login.response.body.$.access_token}}']]));
      expect(file.requests).toEqual([
        { title: 'Sign in', name: 'login', method: 'POST', url: '{{baseUrl}}/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' },
        { title: 'List', method: 'GET', url: '{{baseUrl}}/v1/x?limit=2', headers: { authorization: 'Bearer {{token}}' } },
      ]);
      const answers = new Map([['login', { access_token: 'T', items: [{ id: 'I' }] }]]);
      expect(resolveHttpVariables('Bearer {{token}} {{login.response.body.$.items[0].id}}', file.variables, answers)).toBe('Bearer T I');
      expect(() => resolveHttpVariables('{{nope}}', file.variables, answers)).toThrow('{{nope}} is not defined');
    });
  });
});

// What the page's run sent, for the .http file's run to compare with.
let page: Awaited<ReturnType<typeof runPage>> | undefined;

describe('docs/getting-started.md, run against the API', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi('getting-started');
  });
  afterAll(() => t?.close());

  it('answers every step with the status and the body the page shows, ending with the invoice paid', async () => {
    const steps = shellSteps(fs.readFileSync(PAGE, 'utf8'));
    expect(steps.filter((step) => step.answer).length).toBeGreaterThanOrEqual(12);
    page = await runPage(steps, t.url, t.logs);
    const last = page.sent.at(-1);
    expect(last?.body).toMatchObject({ status: 'paid', outstanding: { amount: '0.00', currency: 'EUR' } });
    expect(page.variables.get('API')).toBe(t.url);
  });
});

describe('docs/examples/getting-started.http, run against the API', () => {
  let t: TestApi;
  beforeAll(async () => {
    // A database of its own: the page's run already took the SKU.
    t = await startTestApi('getting-started-http');
  });
  afterAll(() => t?.close());

  it('makes the same requests as the page, in the same order, and gets the same statuses', async () => {
    if (!page) throw new Error("the page's run did not complete; it is what this file is compared with");
    const file = parseHttpFile(fs.readFileSync(HTTP_FILE, 'utf8'));
    const { KEYCLOAK_URL, KEYCLOAK_REALM } = stackEnv();
    expect(file.variables.get('baseUrl')).toBe(DOC_API_URL);
    const variables = new Map([...file.variables, ['baseUrl', t.url], ['keycloakUrl', KEYCLOAK_URL], ['realm', KEYCLOAK_REALM]]);
    const answers = new Map<string, unknown>();
    const sent: Sent[] = [];
    for (const request of file.requests) {
      const resolve = (text: string) => resolveHttpVariables(text, variables, answers);
      const resolved: StepRequest = {
        method: request.method,
        url: resolve(request.url),
        headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, resolve(value)])),
        ...(request.body !== undefined ? { body: resolve(request.body) } : {}),
      };
      const answer = await send(resolved);
      if (request.name) answers.set(request.name, answer.body);
      sent.push({ where: `getting-started.http "${request.title}"`, request: resolved, ...answer });
    }
    const summary = (list: readonly Sent[], api: string) => list.map(({ request, status }) => ({ ...shapeOf(request, api), status }));
    expect(summary(sent, t.url)).toEqual(summary(page.sent, page.api));
    expect(sent.at(-1)?.body).toMatchObject({ status: 'paid' });
  });
});
