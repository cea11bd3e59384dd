import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from '@jest/globals';
import { WorkerPool } from './worker-pool';

/**
 * A thread of the pool's protocol: answers `value`, or the `fail` it is given, or dies (`exit`, `throw`); a job with
 * `block` waits until the test stores 1 in that shared memory, so the order of what follows is the pool's alone.
 */
const SCRIPT = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, input }) => {
  if (input.block) Atomics.wait(new Int32Array(input.block), 0, 0);
  if (input.exit) process.exit(3);
  if (input.throw) throw new Error('the job broke the thread');
  if (input.fail) return parentPort.postMessage({ id, ok: false, error: input.fail });
  parentPort.postMessage({ id, ok: true, value: input.value });
});`;
const spawn = () => new Worker(SCRIPT, { eval: true });

const pools: WorkerPool[] = [];
function poolOf(size: number): WorkerPool {
  const pool = new WorkerPool({ size, spawn, decodeError: (error) => new Error(`decoded: ${String((error as { reason: string }).reason)}`) });
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A job that holds its thread until `release`. */
function blocker(): { input: { block: SharedArrayBuffer }; release: () => void } {
  const block = new SharedArrayBuffer(4);
  return {
    input: { block },
    release: () => {
      Atomics.store(new Int32Array(block), 0, 1);
      Atomics.notify(new Int32Array(block), 0);
    },
  };
}

describe('WorkerPool', () => {
  describe('run', () => {
    it('answers each job with what its thread answered, or the error it sent, decoded', async () => {
      const pool = poolOf(2);
      await expect(Promise.all([pool.run('acme', { value: 1 }), pool.run('acme', { value: 'two' }), pool.run('globex', { value: [3] })])).resolves.toEqual([1, 'two', [3]]);
      await expect(pool.run('acme', { fail: { reason: 'format.malformed' } })).rejects.toThrow('decoded: format.malformed');
      expect(pool.threads).toBe(2);
    });

    it('takes the owners waiting in turn: one with many jobs delays another by one job, not by all of its own', async () => {
      const pool = poolOf(1);
      const hold = blocker();
      const done: string[] = [];
      const jobs = [pool.run('acme', hold.input)];
      for (const [owner, value] of [['acme', 'acme 1'], ['acme', 'acme 2'], ['acme', 'acme 3'], ['globex', 'globex 1']] as const) {
        jobs.push(pool.run(owner, { value }).then(() => void done.push(value)));
      }
      hold.release();
      await Promise.all(jobs);
      expect(done).toEqual(['acme 1', 'globex 1', 'acme 2', 'acme 3']);
    });

    it('fails only the job of a thread that dies, and starts another for the next', async () => {
      const pool = poolOf(1);
      await expect(pool.run('acme', { exit: true })).rejects.toThrow(/a file worker stopped \(exit code 3\)/);
      await expect(pool.run('acme', { throw: true })).rejects.toThrow(/a file worker failed: the job broke the thread/);
      await expect(pool.run('acme', { value: 'after' })).resolves.toBe('after');
      expect(pool.threads).toBe(1);
    });
  });

  describe('close', () => {
    it('stops its threads, failing the jobs running and waiting, and takes no more', async () => {
      const pool = poolOf(1);
      const hold = blocker();
      const running = pool.run('acme', hold.input);
      const waiting = pool.run('globex', { value: 1 });
      const closed = pool.close();
      await expect(running).rejects.toThrow('the file workers are stopped');
      await expect(waiting).rejects.toThrow('the file workers are stopped');
      hold.release();
      await closed;
      expect(pool.threads).toBe(0);
      await expect(pool.run('acme', { value: 1 })).rejects.toThrow('the file workers are stopped');
    });
  });
});
