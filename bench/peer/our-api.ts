/**
 * Our API in a process of its own for `bench:peer`, as `npm start` runs it: the load generator then has its own
 * process, as it has beside Kill Bill, instead of sharing the API's event loop. Started by `startOurApi`; answers over
 * the IPC channel: `ready` with the URL once listening, the MongoDB commands sent so far on `trips`, and closes on
 * `close`. Configuration comes in the environment (the API's own variables).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { DATABASE, loadConfig, startApi } from '@invoicing/api';
import type { MongoConnection } from '@invoicing/integration/mongodb';

type Request = { readonly type: 'trips' } | { readonly type: 'close' };
type Reply = { readonly type: 'ready'; readonly url: string } | { readonly type: 'trips'; readonly commands: Record<string, number> } | { readonly type: 'failed'; readonly message: string };

/** The API process, as the bench drives it. */
export interface OurApi {
  readonly url: string;
  readonly pid: number;
  /** MongoDB commands the API has sent so far, by command name (the driver's `commandStarted` events). */
  commands(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * Starts the API in a child process with these environment variables, and waits until it listens. `profileDir` runs it
 * under V8's CPU profiler, which writes a `.cpuprofile` there when the process ends.
 */
export async function startOurApi(env: Readonly<Record<string, string>>, options: { profileDir?: string } = {}): Promise<OurApi> {
  const execArgv = [...process.execArgv, ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [])];
  const child = fork(path.join(__dirname, '..', 'run-module.js'), [__filename], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: Reply['type']): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        if (reply.type !== type && reply.type !== 'failed') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (reply.type === 'failed') reject(new Error(`our API process: ${reply.message}`));
        else resolve(reply);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`our API process exited (${code ?? 'signal'}) before answering`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = (await next('ready')) as Extract<Reply, { type: 'ready' }>;
  return {
    url: ready.url,
    pid: child.pid as number,
    async commands() {
      const answer = next('trips');
      child.send({ type: 'trips' } satisfies Request);
      return ((await answer) as Extract<Reply, { type: 'trips' }>).commands;
    },
    close: () => closeChild(child),
  };
}

function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'close' } satisfies Request);
  });
}

/** The child's side. */
export async function main(): Promise<void> {
  const send = (reply: Reply) => process.send?.(reply);
  try {
    const api = await startApi(loadConfig(process.env), { monitorCommands: true });
    const commands: Record<string, number> = {};
    api.app.get<MongoConnection>(DATABASE).connection.getClient().on('commandStarted', (event: { commandName: string }) => {
      commands[event.commandName] = (commands[event.commandName] ?? 0) + 1;
    });
    process.on('message', (request: Request) => {
      if (request.type === 'trips') send({ type: 'trips', commands: { ...commands } });
      else void api.close().finally(() => process.exit(0));
    });
    // The bench gone (killed, crashed): no orphan API.
    process.on('disconnect', () => void api.close().finally(() => process.exit(0)));
    send({ type: 'ready', url: api.url });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message });
    process.exit(1);
  }
}
