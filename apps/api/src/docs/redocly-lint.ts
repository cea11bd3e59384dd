import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../..');

/** One finding of the linter, with where in the document it is. */
export interface LintFinding {
  readonly severity: 'error' | 'warning';
  readonly rule: string;
  readonly message: string;
  /** JSON pointer into the document, e.g. `#/paths/~1v1~1partners/post`. */
  readonly pointer: string;
}

/** What Redocly CLI said of a document. */
export interface LintResult {
  readonly exitCode: number;
  readonly findings: readonly LintFinding[];
  /** The linter's output, and the file it linted (kept when there are findings, so that one can look). */
  readonly output: string;
}

/**
 * Lints an OpenAPI document with Redocly CLI and the repository's redocly.yaml, as `npm test` does: the CLI is ESM,
 * so it runs as a process, and talks to nothing when told so.
 */
export async function redoclyLint(document: unknown): Promise<LintResult> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
  const file = path.join(folder, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  const { exitCode, output } = await new Promise<{ exitCode: number; output: string }>((resolve) => {
    execFile(
      'npx',
      ['redocly', 'lint', '--format=stylish', '--config', path.join(root, 'redocly.yaml'), file],
      { cwd: root, timeout: 60_000, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ exitCode: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
  const pointers = pointersByLine(document);
  const findings = output.split('\n').flatMap((line): LintFinding[] => {
    const match = /^\s*(\d+):\d+\s+(error|warning)\s+(\S+)\s+(.*)$/.exec(line);
    if (!match) return [];
    const [, row = '0', severity, rule = '', message = ''] = match;
    return [{ severity: severity as LintFinding['severity'], rule, message: message.trim(), pointer: `#${pointers[Number(row) - 1] ?? '?'}` }];
  });
  if (exitCode === 0 && findings.length === 0) fs.rmSync(folder, { recursive: true, force: true });
  return { exitCode, findings, output: `${file}\n${output}` };
}

/** The JSON pointer each line of `JSON.stringify(value, null, 2)` is about, so that lint findings say where in the document. */
function pointersByLine(value: unknown): string[] {
  const lines = [''];
  const walk = (node: unknown, pointer: string): void => {
    if (node === null || typeof node !== 'object') return;
    const entries = Array.isArray(node) ? node.map((item, index) => [String(index), item] as const) : Object.entries(node).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return;
    for (const [key, item] of entries) {
      const child = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      lines.push(child);
      walk(item, child);
    }
    lines.push(pointer);
  };
  walk(value, '');
  return lines;
}
