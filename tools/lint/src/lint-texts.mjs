// Lints several snippets as if they were files of the workspace, in one ESLint instance (a child process of the spec,
// because ESLint loads its flat config with a dynamic import that Jest's module system cannot run).
// stdin: [{ "path": "packages/…", "code": "…" }]; stdout: the error-level messages of each, in order.
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { createProjectGraphAsync } from 'nx/src/project-graph/project-graph.js';

const root = join(import.meta.dirname, '..', '..', '..');
let input = '';
for await (const chunk of process.stdin) input += chunk;
// The Nx rule reads the cached project graph; without one it is silently skipped.
await createProjectGraphAsync({ exitOnError: false });
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { path, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  results.push((result?.messages ?? []).filter((message) => message.severity === 2).map((message) => `${message.ruleId}: ${message.message}`));
}
process.stdout.write(JSON.stringify(results));
