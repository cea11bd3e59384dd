import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ferretDbBinary } from './ferretdb';
import { keycloakHome } from './keycloak';
import { freePort } from './processes';
import { redactUrl, startStack } from './stack';

jest.setTimeout(30_000); // probes of real (and of absent) servers wait up to 5 s each

describe('startStack', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-spec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses with one message naming Go, Java and Maven when they are missing and nothing is cached', async () => {
    const env = { PATH: '/nonexistent', INVOICING_CACHE_DIR: path.join(dir, 'cache') };

    await expect(startStack({ dataDir: dir, logDir: dir, env })).rejects.toMatchObject({
      code: 'stack.missing_tools',
      message: expect.stringMatching(/Go 1\.21[\s\S]*Java 17[\s\S]*Maven 3/),
    });
  });

  it('starts nothing and says which variable is wrong when MONGO_URL names a server that does not answer', async () => {
    const env = { ...process.env, MONGO_URL: `mongodb://someone:secret@127.0.0.1:${await freePort()}/`, KEYCLOAK_URL: process.env.KEYCLOAK_URL };

    const start = startStack({ dataDir: dir, logDir: dir, env });

    await expect(start).rejects.toMatchObject({ code: 'stack.unreachable', message: expect.stringMatching(/^MONGO_URL=mongodb:\/\/someone:\*\*\*@/) });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('fails with each crashed server\'s log, without waiting for a timeout, when both servers die at start', async () => {
    const cache = path.join(dir, 'cache');
    const fake = (file: string, complaint: string) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `#!/bin/sh\necho "${complaint}" >&2\nexit 1\n`, { mode: 0o755 });
    };
    fake(ferretDbBinary(cache), 'FATAL: sqlite: unable to open database file');
    fake(path.join(keycloakHome(cache), 'bin', 'kc.sh'), 'ERROR: Failed to start server in (development) mode');
    const env = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME, INVOICING_CACHE_DIR: cache, FERRETDB_HANDLER: 'sqlite' };
    const began = Date.now();

    const start = startStack({ dataDir: path.join(dir, 'data'), logDir: path.join(dir, 'logs'), env });

    await expect(start).rejects.toMatchObject({ code: 'stack.start_failed' });
    await expect(start).rejects.toThrow(/FerretDB exited[\s\S]*unable to open database file[\s\S]*Keycloak exited[\s\S]*Failed to start server/);
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('uses the servers the environment names, starting none', async () => {
    const handle = await startStack({ dataDir: dir, logDir: dir, env: process.env });

    expect(handle.processes).toEqual([]);
    expect(handle.sources).toEqual({ mongo: 'environment', keycloak: 'environment' });
    expect(handle.env.MONGO_URL).toBe(process.env.MONGO_URL);
  });
});

describe('redactUrl', () => {
  it('hides the password of a connection string and leaves one without credentials as it is', () => {
    expect(redactUrl('mongodb+srv://app:s3cr3t@cluster0.example.net/db')).toBe('mongodb+srv://app:***@cluster0.example.net/db');
    expect(redactUrl('mongodb://127.0.0.1:27017/')).toBe('mongodb://127.0.0.1:27017/');
  });
});
