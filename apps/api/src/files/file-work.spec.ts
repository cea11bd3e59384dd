import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { TenantId } from '@invoicing/core';
import type { En16931Document } from '@invoicing/invoice';
import { HttpProblem } from '../http/problem';
import { FileWork, type FileWorkSettings } from './file-work';

/** A stand-in for the file worker: answers every job with the bytes 1, 2, 3. */
const spawn = () => new Worker(`require('node:worker_threads').parentPort.on('message', ({ id }) => require('node:worker_threads').parentPort.postMessage({ id, ok: true, value: new Uint8Array([1, 2, 3]) }))`, { eval: true });

const works: FileWork[] = [];
function workOf(settings: Partial<FileWorkSettings> = {}): FileWork {
  const work = new FileWork({ workers: 1, perTenant: 2, queuePerTenant: 1, total: 3, queueTotal: 2, ...settings }, spawn);
  works.push(work);
  return work;
}
afterEach(async () => {
  await Promise.all(works.splice(0).map((work) => work.close()));
});

const acme = 'acme' as TenantId;
const globex = 'globex' as TenantId;

/** A task that runs until `finish`, and whether it started. */
function held(): { task: () => Promise<void>; started: () => boolean; finish: () => void } {
  let started = false;
  let finish = () => undefined as void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    task: () => {
      started = true;
      return done;
    },
    started: () => started,
    finish: () => finish(),
  };
}

async function refusal(run: () => Promise<unknown>): Promise<HttpProblem> {
  const error = await run().then(
    () => undefined,
    (failed: unknown) => failed,
  );
  if (!(error instanceof HttpProblem)) throw new Error(`expected an HttpProblem, got ${String(error)}`);
  return error;
}

describe('FileWork', () => {
  describe('forTenant', () => {
    it("runs a tenant's file requests a few at a time, lets some more wait, and refuses the rest 429 with Retry-After", async () => {
      const work = workOf();
      const tasks = [held(), held(), held()];
      const running = tasks.map((each) => work.forTenant(acme, each.task));
      await Promise.resolve();
      expect(tasks.map((each) => each.started())).toEqual([true, true, false]);

      const refused = await refusal(() => work.forTenant(acme, async () => undefined));
      expect([refused.status, refused.code, refused.headers['retry-after'], refused.extensions['limit']]).toEqual([429, 'file_work.tenant_busy', '5', 3]);
      // Another tenant's share is its own.
      await expect(work.forTenant(globex, async () => 'globex')).resolves.toBe('globex');

      tasks[0]?.finish();
      await running[0];
      expect(tasks[2]?.started()).toBe(true);
      for (const each of tasks) each.finish();
      await Promise.all(running);
      expect(work.counts.refused).toBe(1);
    });

    it('runs the API\'s file requests a few at a time, lets some more wait, and refuses the rest 503 with Retry-After', async () => {
      const work = workOf({ perTenant: 1, queuePerTenant: 5, total: 2, queueTotal: 2 });
      const tasks = [held(), held(), held(), held()];
      const tenants = [acme, globex, 'initech' as TenantId, acme];
      const running = tasks.map((each, index) => work.forTenant(tenants[index] as TenantId, each.task));
      const refused = await refusal(() => work.forTenant('umbrella' as TenantId, async () => undefined));
      expect([refused.status, refused.code, refused.headers['retry-after']]).toEqual([503, 'file_work.busy', '5']);
      for (const each of tasks) each.finish();
      await Promise.all(running);
    });

    it('starts the requests waiting one tenant after the other, not in the order they came', async () => {
      const work = workOf({ perTenant: 5, queuePerTenant: 5, total: 1, queueTotal: 10 });
      const first = held();
      const order: string[] = [];
      const all = [work.forTenant(globex, first.task)];
      for (const [tenant, name] of [[acme, 'acme 1'], [acme, 'acme 2'], [acme, 'acme 3'], [globex, 'globex 1']] as const) {
        all.push(work.forTenant(tenant, async () => void order.push(name)));
      }
      first.finish();
      await Promise.all(all);
      expect(order).toEqual(['acme 1', 'globex 1', 'acme 2', 'acme 3']);
    });

    it('drops a request still waiting when its client is gone, and frees its place', async () => {
      const work = workOf({ perTenant: 1, queuePerTenant: 1 });
      const first = held();
      const running = work.forTenant(acme, first.task);
      const gone = new AbortController();
      const waiting = work.forTenant(acme, async () => 'never', gone.signal);
      gone.abort(new Error('the client went away'));
      await expect(waiting).rejects.toThrow('the client went away');
      // Its place is free again.
      const next = work.forTenant(acme, async () => 'next');
      first.finish();
      await expect(next).resolves.toBe('next');
      await running;
    });

    it('keeps a request in its place until its task is done, whatever it throws', async () => {
      const work = workOf({ perTenant: 1, queuePerTenant: 0 });
      await expect(work.forTenant(acme, async () => Promise.reject(new Error('the database did not answer')))).rejects.toThrow('the database did not answer');
      await expect(work.forTenant(acme, async () => 'free again')).resolves.toBe('free again');
    });
  });

  describe('jobs', () => {
    const document = { lines: [] } as unknown as En16931Document;

    it('does a small job where it is asked for, and any PDF, and a large file, on a worker thread', async () => {
      const work = workOf();
      const small = await work.forTenant(acme, (jobs) => jobs.run({ kind: 'read', bytes: Buffer.from('<Order/>') }).catch((error: unknown) => error));
      expect(small).toMatchObject({ code: 'format.unknown_root' });
      const pdf = await work.forTenant(acme, (jobs) => jobs.run({ kind: 'pdf', document, look: { locale: 'en-GB' } }));
      const large = await work.forTenant(acme, (jobs) => jobs.run({ kind: 'read', bytes: Buffer.alloc(40 * 1024, 0x20) }));
      expect([Buffer.isBuffer(pdf), [...pdf]]).toEqual([true, [1, 2, 3]]);
      expect(large).toEqual(new Uint8Array([1, 2, 3]));
      expect(work.counts).toEqual({ inline: 1, onWorkers: 2, refused: 0 });
    });
  });
});
