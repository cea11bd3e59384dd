import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { StackError } from './stack.errors';

/** A server the stack started: enough to find it again from another process and stop exactly it. */
export interface ServerProcess {
  name: string;
  /** Pid of the process we spawned; it leads its own process group, so `-pid` reaches its children too. */
  pid: number;
  /** Text the process's command line contains (its executable or home); checked before a signal, so a reused pid is never hit. */
  marker: string;
  logFile: string;
  /** The signal that asks it to stop (SIGTERM unless it needs another, e.g. SIGINT for PostgreSQL's fast shutdown). */
  stopSignal?: NodeJS.Signals;
}

/** The account a child process runs as, when not ours (PostgreSQL refuses to run as root). */
export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Starts a server in the background, detached into its own process group, stdout and stderr appended
 * to `logFile`. The caller waits for readiness itself ({@link waitUntil}).
 */
export function startDetached(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; marker?: string; runAs?: RunAs; stopSignal?: NodeJS.Signals },
): ServerProcess {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const out = fs.openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true, // own process group: stop() signals the whole group, and Ctrl-C on stack:up does not reach it
      stdio: ['ignore', out, out],
      ...options.runAs,
    });
    if (child.pid === undefined) throw new StackError('stack.start_failed', `${name}: could not spawn ${command}`);
    child.on('error', () => undefined); // reported through isAlive() and the log
    child.unref();
    return { name, pid: child.pid, marker: options.marker ?? command, logFile: options.logFile, ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}) };
  } finally {
    fs.closeSync(out);
  }
}

/** Whether a process with this pid exists (a zombie counts until reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` still runs what we started: its command line (read from /proc on Linux) contains the marker.
 * Elsewhere only liveness is known.
 */
export function isOurs(proc: ServerProcess): boolean {
  if (!isAlive(proc.pid)) return false;
  try {
    return fs.readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').includes(proc.marker);
  } catch {
    return process.platform !== 'linux';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops a server we started: its stop signal (SIGTERM by default) to its process group, SIGKILL after `graceMs`.
 * Does nothing when the pid no longer runs our command (already gone, or reused by another program).
 * @returns whether a signal was sent.
 */
export async function stopProcess(proc: ServerProcess, graceMs = 20_000): Promise<boolean> {
  if (!isOurs(proc)) return false;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // the group is gone already
    }
  };
  signal(proc.stopSignal ?? 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(proc.pid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(proc.pid)) {
    signal('SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (groupAlive(proc.pid) && Date.now() < killDeadline) await sleep(100);
  }
  return true;
}

/** The last `lines` lines of a log file, or a note that there is none. */
export function logTail(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split(/\r?\n/).filter((line) => line.trim() !== '').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/**
 * Polls `probe` until it resolves true. Fails fast with the log tail when the watched process exits,
 * and with the last probe error and the log tail when `timeoutMs` passes: no wait is unbounded.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; process?: ServerProcess },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    if (options.process && !isAlive(options.process.pid)) {
      throw new StackError('stack.start_failed', `${options.process.name} exited before ${what}.`, logTail(options.process.logFile));
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      const tail = options.process ? logTail(options.process.logFile) : undefined;
      throw new StackError(
        'stack.timeout',
        `Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}.`,
        tail,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Runs a build or download command to completion, its output appended to `logFile`.
 * @throws StackError `stack.provision_failed` with the log tail on a non-zero exit or after `timeoutMs`.
 */
export function runToCompletion(
  what: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; timeoutMs: number; runAs?: RunAs },
): Promise<void> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  fs.appendFileSync(options.logFile, `$ ${command} ${args.join(' ')}\n`);
  const out = fs.openSync(options.logFile, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', out, out], ...options.runAs });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const fail = (reason: string) =>
      reject(new StackError('stack.provision_failed', `${what} failed: ${reason}. Full log: ${options.logFile}`, logTail(options.logFile)));
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error.message);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else fail(signal === 'SIGKILL' ? `no result within ${Math.round(options.timeoutMs / 1000)} s` : `exit code ${code ?? signal}`);
    });
  }).finally(() => fs.closeSync(out));
}
