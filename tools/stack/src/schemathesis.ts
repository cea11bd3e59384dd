import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from './paths';
import { StackError } from './stack.errors';
import { which } from './toolchain';

/** The Schemathesis release the API's contract test runs (PyPI), pinned: its checks change between releases. */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** How to run Schemathesis' CLI: `command ...args <its arguments>`, with `env` added to the environment. */
export interface SchemathesisCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** Runs the CLI from a `pip install --target` folder, as its `st` script would. */
const RUN_CLI = 'import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())';

/**
 * Schemathesis {@link SCHEMATHESIS_VERSION}, installed on first use into the machine's cache
 * (`<cache>/schemathesis/<version>`), shared by every clone: into a virtualenv, or where Python has no `venv` module
 * (Debian without python3-venv), with `pip install --target`. Needs `python3` (3.9 or newer) with pip.
 * @throws StackError `stack.missing_tools` without python3, `stack.provision_failed` when the install fails.
 */
export function ensureSchemathesis(env: NodeJS.ProcessEnv = process.env): SchemathesisCommand {
  const home = path.join(cacheDir(env), 'schemathesis', SCHEMATHESIS_VERSION);
  const venv = path.join(home, 'venv');
  const target = path.join(home, 'site');
  // Written last: without it, a folder is an interrupted install.
  const installed = path.join(home, 'installed');
  const python = which('python3', env);
  const fromTarget = (): SchemathesisCommand => ({ command: python ?? 'python3', args: ['-c', RUN_CLI], env: { PYTHONPATH: target } });
  const fromVenv = (): SchemathesisCommand => ({ command: path.join(venv, 'bin', 'st'), args: [], env: {} });
  if (fs.existsSync(installed)) return fs.readFileSync(installed, 'utf8').trim() === 'site' ? fromTarget() : fromVenv();
  if (!python) {
    throw new StackError(
      'stack.missing_tools',
      'The API contract test runs Schemathesis, which needs python3 (3.9 or newer) with pip: apt-get install python3 python3-pip python3-venv, or https://www.python.org/downloads/.',
    );
  }
  const run = (command: string, args: readonly string[]) => spawnSync(command, args, { env, encoding: 'utf8', timeout: 600_000 });
  const requirement = `schemathesis==${SCHEMATHESIS_VERSION}`;
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  let mode: 'venv' | 'site' = 'venv';
  let result = run(python, ['-m', 'venv', venv]);
  if (result.status === 0) {
    result = run(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', requirement]);
  } else {
    mode = 'site';
    result = run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', target, requirement]);
  }
  if (result.status !== 0) {
    throw new StackError('stack.provision_failed', `Installing ${requirement} into ${home} failed: ${result.stderr || result.stdout || result.error?.message}`);
  }
  fs.writeFileSync(installed, `${mode}\n`);
  return mode === 'site' ? fromTarget() : fromVenv();
}
