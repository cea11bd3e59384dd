// Reads the request walk-throughs of the docs (curl steps in docs/getting-started.md, and the same requests in
// docs/examples/getting-started.http) so that a spec can run them against the real API: the docs cannot rot.
//
// Only the small shell and .http subsets the walk-throughs use are understood; anything else fails loudly, so a new
// kind of step is noticed (and taught here) rather than skipped.
import MarkdownIt from 'markdown-it';

/** An HTTP request, ready to send once its `{{variables}}` or `$VARIABLES` are resolved. */
export interface StepRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What the doc shows an answer to be: its status, and its body shortened (fields left out, strings cut with `…`). */
export interface ShownAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One line of a shell block: a variable set, the stack's settings read, or a curl call. */
export type ShellCommand =
  | { readonly kind: 'assign'; readonly name: string; readonly value: Word }
  | { readonly kind: 'capture'; readonly name: string; readonly file: string; readonly path: readonly (string | number)[] }
  | { readonly kind: 'source-stack-env' }
  | { readonly kind: 'curl'; readonly args: readonly Word[]; readonly teeFile?: string };

/** A shell word: literal parts and `$NAME` references, concatenated. */
export type Word = readonly (string | { readonly ref: string })[];

/** A step of the Markdown walk-through: the commands of one `sh` block, and the answer shown after it, if any. */
export interface ShellStep {
  /** The heading the block sits under, and its line in the file (1-based), for messages. */
  readonly title: string;
  readonly line: number;
  readonly commands: readonly ShellCommand[];
  readonly answer?: ShownAnswer;
}

const STATUS_LINE = /^HTTP\/[\d.]+ (\d{3})\b/;

/**
 * The `sh` blocks of a Markdown page, in order, each with the `http` block that follows it (the answer shown).
 * Other blocks (`json`, `text` …) are prose for the reader and are not run.
 */
export function shellSteps(markdown: string): ShellStep[] {
  const tokens = new MarkdownIt().parse(markdown, {});
  const steps: ShellStep[] = [];
  let title = '';
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (!token) continue;
    if (token.type === 'heading_open') title = tokens[index + 1]?.content ?? title;
    if (token.type !== 'fence') continue;
    const info = token.info.trim();
    const line = (token.map?.[0] ?? 0) + 1;
    if (info === 'sh') steps.push({ title, line, commands: parseShell(token.content, line) });
    if (info === 'http') {
      const previous = steps.at(-1);
      if (!previous || previous.answer) throw new Error(`line ${line}: an answer block must follow a sh block, one answer each`);
      steps[steps.length - 1] = { ...previous, answer: parseShownAnswer(token.content, line) };
    }
  }
  return steps;
}

/** `HTTP/1.1 201 Created`, optional header lines, a blank line, then JSON. */
export function parseShownAnswer(text: string, line = 1): ShownAnswer {
  const [head = '', ...rest] = text.split('\n');
  const status = STATUS_LINE.exec(head);
  if (!status) throw new Error(`line ${line}: an answer starts with a status line such as "HTTP/1.1 200 OK", not "${head}"`);
  const blank = rest.findIndex((candidate) => candidate.trim() === '');
  const json = blank === -1 ? '' : rest.slice(blank + 1).join('\n').trim();
  try {
    return { status: Number(status[1]), body: json ? (JSON.parse(json) as unknown) : undefined };
  } catch (error) {
    throw new Error(`line ${line}: the answer's body is not JSON (${(error as Error).message})`);
  }
}

/** The shell subset of the walk-through: one command a line; a trailing `\` or an open quote continues it. */
export function parseShell(text: string, line = 1): ShellCommand[] {
  const commands: ShellCommand[] = [];
  for (const { source, words } of splitCommands(text, line)) {
    const first = words[0];
    if (!first) continue;
    const capture = /^([A-Z_][A-Z0-9_]*)=\$\(node -p '(.*)'\)$/.exec(source.trim());
    if (capture) {
      const [, name = '', expression = ''] = capture;
      const read = /^require\("\.\/([\w.-]+)"\)((?:\.[A-Za-z_]\w*|\[\d+\])*)$/.exec(expression);
      if (!read) throw new Error(`line ${line}: only node -p 'require("./file.json").path' is understood, not ${expression}`);
      const path = [...(read[2] ?? '').matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]/g)].map((part) => (part[1] !== undefined ? part[1] : Number(part[2])));
      commands.push({ kind: 'capture', name, file: read[1] ?? '', path });
      continue;
    }
    const literal = typeof first[0] === 'string' ? first[0] : undefined;
    const assign = literal === undefined ? undefined : /^([A-Z_][A-Z0-9_]*)=/.exec(literal);
    if (assign && words.length === 1) {
      commands.push({ kind: 'assign', name: assign[1] ?? '', value: [literal?.slice(assign[0].length) ?? '', ...first.slice(1)] });
    } else if (literal === '.' && first.length === 1 && words.length === 2 && words[1]?.join('') === '.stack/stack.env') {
      commands.push({ kind: 'source-stack-env' });
    } else if (literal === 'curl' && first.length === 1) {
      const pipe = words.findIndex((word) => word.length === 1 && word[0] === '|');
      const args = pipe === -1 ? words.slice(1) : words.slice(1, pipe);
      const tail = pipe === -1 ? [] : words.slice(pipe + 1).map((word) => word.join(''));
      if (pipe !== -1 && (tail.length !== 2 || tail[0] !== 'tee')) throw new Error(`line ${line}: a curl can only be piped to "tee <file>", not "${tail.join(' ')}"`);
      commands.push({ kind: 'curl', args, ...(tail[1] ? { teeFile: tail[1] } : {}) });
    } else {
      throw new Error(`line ${line}: the walk-through runner does not understand "${source.trim()}"`);
    }
  }
  return commands;
}

/**
 * Splits shell text into commands of words, as a POSIX shell does for the subset used: single quotes literal (also
 * across lines), double quotes with `$NAME`, `${NAME}` and `\"`, bare words with `$NAME`, `\` before a newline to
 * continue, `#` comments, `|` as a word of its own. `$(...)` is kept whole in the command's source.
 */
export function splitCommands(text: string, line = 1): { source: string; words: Word[] }[] {
  const commands: { source: string; words: Word[] }[] = [];
  let words: Word[] = [];
  let current: (string | { ref: string })[] | undefined;
  let start = 0;
  const push = (part: string | { ref: string }) => {
    current ??= [];
    const last = current.at(-1);
    if (typeof part === 'string' && typeof last === 'string') current[current.length - 1] = last + part;
    else current.push(part);
  };
  const endWord = () => {
    if (current) words.push(current);
    current = undefined;
  };
  const endCommand = (at: number) => {
    endWord();
    if (words.length > 0) commands.push({ source: text.slice(start, at).replace(/\\\n\s*/g, ' '), words });
    words = [];
    start = at + 1;
  };
  const variable = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/;
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    const rest = text.slice(index);
    if (char === '\n') {
      endCommand(index);
      index += 1;
    } else if (char === '\\' && text[index + 1] === '\n') {
      endWord();
      index += 2;
    } else if (/\s/.test(char)) {
      endWord();
      index += 1;
    } else if (char === '#' && !current) {
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? text.length : newline;
    } else if (char === '|') {
      endWord();
      words.push(['|']);
      index += 1;
    } else if (rest.startsWith('$(')) {
      // Only the whole-command capture form is understood (parseShell reads it from the source); keep it one word.
      const close = text.indexOf(')', text.indexOf("'", text.indexOf("'", index) + 1));
      if (close === -1) throw new Error(`line ${line}: unclosed $( in ${text}`);
      push(text.slice(index, close + 1));
      index = close + 1;
    } else if (char === "'") {
      const close = text.indexOf("'", index + 1);
      if (close === -1) throw new Error(`line ${line}: unclosed ' in ${text}`);
      push(text.slice(index + 1, close));
      index = close + 1;
    } else if (char === '"') {
      index += 1;
      // "" is a word even when empty.
      current ??= [];
      while (index < text.length && text[index] !== '"') {
        const inner = text.slice(index);
        const ref = variable.exec(inner);
        if (ref) {
          push({ ref: ref[1] ?? ref[2] ?? '' });
          index += ref[0].length;
        } else if (inner[0] === '\\' && inner[1] === '\n') {
          index += 2;
        } else if (inner[0] === '\\' && /["\\$]/.test(inner[1] ?? '')) {
          push(inner[1] ?? '');
          index += 2;
        } else {
          push(inner[0] ?? '');
          index += 1;
        }
      }
      if (text[index] !== '"') throw new Error(`line ${line}: unclosed " in ${text}`);
      index += 1;
    } else if (variable.test(rest)) {
      const ref = variable.exec(rest);
      push({ ref: ref?.[1] ?? ref?.[2] ?? '' });
      index += ref?.[0].length ?? 1;
    } else {
      push(char);
      index += 1;
    }
  }
  endCommand(text.length);
  return commands;
}

/** A word with its `$NAME`s replaced; an unknown name fails, as `set -u` would. */
export function expand(word: Word, variables: ReadonlyMap<string, string>): string {
  return word
    .map((part) => {
      if (typeof part === 'string') return part;
      const value = variables.get(part.ref);
      if (value === undefined) throw new Error(`$${part.ref} is not set at this step`);
      return value;
    })
    .join('');
}

/** The request a curl command line makes (`-s`, `-X`, `-H`, `-d`, `--data-urlencode`; the URL). */
export function curlRequest(args: readonly string[]): StepRequest {
  let method: string | undefined;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  const data: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const value = () => {
      index += 1;
      const next = args[index];
      if (next === undefined) throw new Error(`curl ${arg} needs a value`);
      return next;
    };
    if (arg === '-s' || arg === '--silent') continue;
    if (arg === '-X' || arg === '--request') method = value();
    else if (arg === '-H' || arg === '--header') {
      const header = value();
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    } else if (arg === '-d' || arg === '--data') data.push(value());
    else if (arg === '--data-urlencode') {
      const [name = '', ...parts] = value().split('=');
      data.push(`${name}=${encodeURIComponent(parts.join('='))}`);
    } else if (arg.startsWith('-')) throw new Error(`curl option ${arg} is not understood by the walk-through runner`);
    else if (url === undefined) url = arg;
    else throw new Error(`curl has two URLs: ${url} and ${arg}`);
  }
  if (!url) throw new Error('curl has no URL');
  // As curl: -d makes a POST of a form, unless a Content-Type says otherwise.
  if (data.length > 0) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  return { method: method ?? (data.length > 0 ? 'POST' : 'GET'), url, headers, ...(data.length > 0 ? { body: data.join('&') } : {}) };
}

/** One request of a `.http` file (VS Code REST Client syntax), with its `# @name`. */
export interface HttpFileRequest extends StepRequest {
  readonly name?: string;
  readonly title: string;
}

/** The parsed `.http` file: its `@name = value` file variables and its requests, in order. */
export interface HttpFile {
  readonly variables: ReadonlyMap<string, string>;
  readonly requests: readonly HttpFileRequest[];
}

/** Reads a `.http` file: `@var = value` lines, requests separated by `###`, `# @name` for request variables. */
export function parseHttpFile(text: string): HttpFile {
  const variables = new Map<string, string>();
  const requests: HttpFileRequest[] = [];
  // The text before the first `###` has no title line; each later block starts with its title.
  for (const [position, block] of text.split(/^###/m).entries()) {
    const lines = block.split('\n');
    const title = position === 0 ? '' : (lines[0] ?? '').trim();
    let name: string | undefined;
    let index = position === 0 ? 0 : 1;
    for (; index < lines.length; index += 1) {
      const current = (lines[index] ?? '').trim();
      const fileVariable = /^@([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(current);
      const named = /^(?:#|\/\/)\s*@name\s+(\w+)$/.exec(current);
      if (fileVariable) variables.set(fileVariable[1] ?? '', fileVariable[2] ?? '');
      else if (named) name = named[1];
      else if (current === '' || current.startsWith('#') || current.startsWith('//')) continue;
      else break;
    }
    const requestLine = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+)(?: HTTP\/[\d.]+)?$/.exec((lines[index] ?? '').trim());
    if (!requestLine) {
      if (lines.slice(index).some((candidate) => candidate.trim() !== '')) throw new Error(`.http block "${title}": no request line at "${lines[index] ?? ''}"`);
      continue;
    }
    const headers: Record<string, string> = {};
    index += 1;
    for (; index < lines.length && (lines[index] ?? '').trim() !== ''; index += 1) {
      const header = lines[index] ?? '';
      const colon = header.indexOf(':');
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
    }
    const body = lines.slice(index + 1).join('\n').trim();
    requests.push({ title, method: requestLine[1] ?? '', url: requestLine[2] ?? '', headers, ...(name ? { name } : {}), ...(body ? { body } : {}) });
  }
  return { variables, requests };
}

/** Answers of earlier named requests, for `{{name.response.body.$.path}}`. */
export type NamedAnswers = ReadonlyMap<string, unknown>;

/** Replaces `{{variable}}` and `{{name.response.body.$.a.b[0]}}` as the REST Client does. */
export function resolveHttpVariables(text: string, variables: ReadonlyMap<string, string>, answers: NamedAnswers): string {
  return text.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_match, expression: string) => {
    const reference = /^(\w+)\.response\.body\.\$((?:\.[A-Za-z_]\w*|\[\d+\])*)$/.exec(expression);
    if (reference) {
      const [, name = '', path = ''] = reference;
      if (!answers.has(name)) throw new Error(`{{${expression}}}: no earlier request is named ${name}`);
      const keys = [...path.matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]/g)].map((part) => (part[1] !== undefined ? part[1] : Number(part[2])));
      const value = valueAt(answers.get(name), keys);
      if (value === undefined) throw new Error(`{{${expression}}}: the answer has nothing there`);
      return String(value);
    }
    const value = variables.get(expression);
    if (value === undefined) throw new Error(`{{${expression}}} is not defined`);
    return resolveHttpVariables(value, variables, answers);
  });
}

/** The value at a path of object keys and array indexes. */
export function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Where an answer differs from what the doc shows, as `path: shown … actual …` lines (none: it matches). The doc may
 * leave fields and array items out and cut a string with a trailing `…`; ids and timestamps, new at every run, only
 * need to be ids and timestamps.
 */
export function differences(shown: unknown, actual: unknown, path = '$'): string[] {
  if (typeof shown === 'string' && typeof actual === 'string') {
    if (shown.endsWith('…') && actual.startsWith(shown.slice(0, -1))) return [];
    if (UUID.test(shown) && UUID.test(actual)) return [];
    if (DATE_TIME.test(shown) && DATE_TIME.test(actual)) return [];
  }
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return [`${path}: shown an array, the answer has ${JSON.stringify(actual)}`];
    if (shown.length === 0 && actual.length > 0) return [`${path}: shown empty, the answer has ${actual.length} items`];
    return shown.flatMap((item: unknown, index) => (index < actual.length ? differences(item, actual[index], `${path}[${index}]`) : [`${path}[${index}]: shown, missing from the answer`]));
  }
  if (shown !== null && typeof shown === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: shown an object, the answer has ${JSON.stringify(actual)}`];
    return Object.entries(shown).flatMap(([key, value]) =>
      key in actual ? differences(value, (actual as Record<string, unknown>)[key], `${path}.${key}`) : [`${path}.${key}: shown, missing from the answer`],
    );
  }
  return Object.is(shown, actual) ? [] : [`${path}: shown ${JSON.stringify(shown)}, the answer has ${JSON.stringify(actual)}`];
}
