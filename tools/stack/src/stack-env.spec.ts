import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { StackError } from './stack.errors';
import { formatEnvFile, parseEnvFile, readStackEnv, writeEnvFile } from './stack-env';

describe('stack env file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-env-spec-'));
    file = path.join(dir, 'stack.env');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('formatEnvFile / parseEnvFile', () => {
    it('round-trips NAME=value lines, keeping every character after the first =', () => {
      const values = { MONGO_URL: 'mongodb://u:p@127.0.0.1:1/?a=b&c=d', KEYCLOAK_REALM: 'invoicing' };

      expect(formatEnvFile(values)).toBe('MONGO_URL=mongodb://u:p@127.0.0.1:1/?a=b&c=d\nKEYCLOAK_REALM=invoicing\n');
      expect(parseEnvFile(formatEnvFile(values))).toEqual(values);
    });

    it('skips blank lines and comments when parsing', () => {
      expect(parseEnvFile('# written by stack:up\n\nA=1\r\n  B = two  \n')).toEqual({ A: '1', B: 'two' });
    });

    it('refuses a value with a line break when formatting', () => {
      expect(() => formatEnvFile({ A: 'x\nB=y' })).toThrow(/line break/);
    });
  });

  describe('readStackEnv', () => {
    it('reads the settings from the file when the environment sets none', () => {
      writeEnvFile(file, { MONGO_URL: 'mongodb://127.0.0.1:1/', KEYCLOAK_URL: 'http://127.0.0.1:2', KEYCLOAK_REALM: 'invoicing' });

      expect(readStackEnv({ file, env: {} })).toEqual({ MONGO_URL: 'mongodb://127.0.0.1:1/', KEYCLOAK_URL: 'http://127.0.0.1:2', KEYCLOAK_REALM: 'invoicing' });
    });

    it('lets environment variables win over the file, and defaults the realm to invoicing', () => {
      writeEnvFile(file, { MONGO_URL: 'mongodb://127.0.0.1:1/', KEYCLOAK_URL: 'http://127.0.0.1:2' });

      expect(readStackEnv({ file, env: { MONGO_URL: 'mongodb+srv://cluster.example/' } })).toEqual({
        MONGO_URL: 'mongodb+srv://cluster.example/',
        KEYCLOAK_URL: 'http://127.0.0.1:2',
        KEYCLOAK_REALM: 'invoicing',
      });
    });

    it('throws stack.not_configured naming the missing settings when neither file nor environment has them', () => {
      const read = () => readStackEnv({ file, env: { MONGO_URL: 'mongodb://127.0.0.1:1/' } });

      expect(read).toThrow(StackError);
      expect(read).toThrow(/No KEYCLOAK_URL: start the local stack with `npm run stack:up`/);
    });
  });
});
