import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { SCHEMATHESIS_VERSION, ensureSchemathesis } from './schemathesis';
import { StackError } from './stack.errors';

describe('ensureSchemathesis', () => {
  const caches: string[] = [];
  const cache = () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'schemathesis-'));
    caches.push(folder);
    return folder;
  };
  afterEach(() => caches.splice(0).forEach((folder) => fs.rmSync(folder, { recursive: true, force: true })));

  it('says what to install when python3 is missing', () => {
    const run = () => ensureSchemathesis({ INVOICING_CACHE_DIR: cache(), PATH: '' });
    expect(run).toThrow(StackError);
    expect(run).toThrow(/needs python3 .*apt-get install python3/);
  });

  it('reuses a finished install without asking Python anything', () => {
    const folder = cache();
    const home = path.join(folder, 'schemathesis', SCHEMATHESIS_VERSION);
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, 'installed'), 'venv\n');
    expect(ensureSchemathesis({ INVOICING_CACHE_DIR: folder, PATH: '' })).toEqual({ command: path.join(home, 'venv', 'bin', 'st'), args: [], env: {} });
    fs.writeFileSync(path.join(home, 'installed'), 'site\n');
    expect(ensureSchemathesis({ INVOICING_CACHE_DIR: folder, PATH: '' })).toMatchObject({ args: ['-c', expect.stringContaining('schemathesis.cli')], env: { PYTHONPATH: path.join(home, 'site') } });
  });
});
