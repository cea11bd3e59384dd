// The servers a benchmark runs against, found as the Jest global setup finds them (bench:api, bench:contention, bench:peer).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_REALM, StackError, probeKeycloak, probeMongo, readEnvFile, readStackEnv, stackEnvFile, startStack, stopStack, type StackEnv } from '@invoicing/stack';
import type { Undo } from './undo';

/** MONGO_URL from the environment, else from `.stack/stack.env` (bench:repo, bench:billing, bench:import); undefined when neither has one. */
export function mongoUrl(): string | undefined {
  if (process.env.MONGO_URL) return process.env.MONGO_URL;
  try {
    return readStackEnv().MONGO_URL;
  } catch (error) {
    if (error instanceof StackError) return undefined;
    throw error;
  }
}

export interface Stack {
  readonly env: StackEnv;
  /** Where each server came from, for the report. */
  readonly origin: { readonly mongo: string; readonly keycloak: string };
  stop(): Promise<void>;
}

/**
 * The servers to run against, as the Jest global setup finds them: MONGO_URL / KEYCLOAK_URL from the environment,
 * else the `npm run stack:up` stack when it answers, else started here (fresh data in a temporary folder) and
 * stopped at the end.
 */
export async function provideStack(log: (line: string) => void): Promise<Stack> {
  const env = { ...process.env };
  const running = readEnvFile(stackEnvFile);
  const [mongo, keycloak] = await Promise.allSettled([
    !env.MONGO_URL && running.MONGO_URL ? probeMongo(running.MONGO_URL) : Promise.reject(new Error('not applicable')),
    !env.KEYCLOAK_URL && running.KEYCLOAK_URL ? probeKeycloak({ keycloakUrl: running.KEYCLOAK_URL, realm: running.KEYCLOAK_REALM || DEFAULT_REALM }) : Promise.reject(new Error('not applicable')),
  ]);
  const fromEnvironment = { mongo: Boolean(env.MONGO_URL), keycloak: Boolean(env.KEYCLOAK_URL) };
  if (mongo.status === 'fulfilled') env.MONGO_URL = running.MONGO_URL;
  if (keycloak.status === 'fulfilled') {
    env.KEYCLOAK_URL = running.KEYCLOAK_URL;
    env.KEYCLOAK_REALM = running.KEYCLOAK_REALM || DEFAULT_REALM;
  }
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'invoicing-bench-api-'));
  const removeTemp = (): void => fs.rmSync(tempDir, { recursive: true, force: true });
  const started: Parameters<typeof stopStack>[0][number][] = [];
  let handle;
  try {
    // startStack probes what the environment names (and fails if it does not answer) and starts only the rest.
    handle = await startStack({ dataDir: tempDir, logDir: path.join(tempDir, 'logs'), env, log, onStarted: (proc) => started.push(proc) });
  } catch (error) {
    removeTemp();
    throw error;
  }
  const origin = (reused: boolean, fromEnv: boolean): string => (fromEnv ? 'from the environment' : reused ? 'the running `npm run stack:up` stack' : 'started for this run');
  return {
    env: handle.env,
    origin: { mongo: origin(mongo.status === 'fulfilled', fromEnvironment.mongo), keycloak: origin(keycloak.status === 'fulfilled', fromEnvironment.keycloak) },
    async stop() {
      await stopStack(started);
      removeTemp();
    },
  };
}

/**
 * {@link provideStack} for a benchmark's `main`: its lines logged as `[stack] …`, its stop registered with `undo`. A
 * missing tool is said under the bench's name, and the answer is undefined: the bench then exits 1.
 */
export async function benchStack(name: string, undo: Undo): Promise<Stack | undefined> {
  let stack: Stack;
  try {
    stack = await provideStack((line) => console.log(`[stack] ${line}`));
  } catch (error) {
    if (!(error instanceof StackError)) throw error;
    console.error(`${name}: ${error.message}`);
    return undefined;
  }
  undo.push({ what: 'stop the stack', step: () => stack.stop() });
  return stack;
}
