import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { freePort, isAlive, runToCompletion, startDetached, stopProcess, waitUntil } from './processes';
import { StackError } from './stack.errors';

describe('processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'processes-spec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const node = (name: string, script: string) =>
    startDetached(name, process.execPath, ['-e', script], { logFile: path.join(dir, `${name}.log`), marker: script });

  describe('waitUntil', () => {
    it('fails fast with the log tail when the watched process exits before it is ready', async () => {
      const crashing = node('crasher', "console.error('FATAL: cannot open data dir'); process.exit(3)");

      const wait = waitUntil('the crasher is ready', async () => false, { timeoutMs: 30_000, process: crashing });

      await expect(wait).rejects.toThrow(StackError);
      await expect(wait).rejects.toMatchObject({ code: 'stack.start_failed', message: expect.stringContaining('FATAL: cannot open data dir') });
    });

    it('gives up with stack.timeout and the last probe error when the deadline passes', async () => {
      const began = Date.now();

      const wait = waitUntil('a server that never answers', () => Promise.reject(new Error('ECONNREFUSED')), { timeoutMs: 300, intervalMs: 50 });

      await expect(wait).rejects.toMatchObject({ code: 'stack.timeout', message: expect.stringContaining('last error: ECONNREFUSED') });
      expect(Date.now() - began).toBeLessThan(2_000);
    });
  });

  describe('stopProcess', () => {
    it('stops the whole process group of a server it started', async () => {
      const pidFile = path.join(dir, 'grandchild.pid');
      const parent = node(
        'parent',
        `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
         require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`,
      );
      await waitUntil('the grandchild runs', async () => fs.existsSync(pidFile), { timeoutMs: 10_000, process: parent });
      const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));

      await expect(stopProcess(parent, 5_000)).resolves.toBe(true);

      expect(isAlive(parent.pid)).toBe(false);
      expect(isAlive(grandchild)).toBe(false);
    });

    it('leaves a process alone when its command line is not the one recorded (a reused pid)', async () => {
      const other = node('other', 'setInterval(() => {}, 1000)');
      try {
        await expect(stopProcess({ ...other, marker: 'ferretdb --handler=sqlite' })).resolves.toBe(false);
        expect(isAlive(other.pid)).toBe(true);
      } finally {
        await stopProcess(other);
      }
    });
  });

  describe('freePort', () => {
    it('returns a loopback port that can be bound right away', async () => {
      const port = await freePort();
      const server = net.createServer();

      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));

      server.close();
      expect(port).toBeGreaterThan(0);
    });
  });

  describe('runToCompletion', () => {
    it('rejects with stack.provision_failed and the log tail when the command fails', async () => {
      const run = runToCompletion('Building the thing', process.execPath, ['-e', "console.log('compile error in x.go'); process.exit(2)"], {
        logFile: path.join(dir, 'build.log'),
        timeoutMs: 10_000,
      });

      await expect(run).rejects.toMatchObject({ code: 'stack.provision_failed', message: expect.stringContaining('compile error in x.go') });
    });
  });
});
