import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeMongo } from '../ferretdb';
import { probeKeycloak } from '../keycloak';
import { stackEnvFile } from '../paths';
import type { ServerProcess } from '../processes';
import { startStack } from '../stack';
import { DEFAULT_REALM, readEnvFile } from '../stack-env';

/** What the setup started, for the teardown (Jest runs both in its main process). */
export interface TestStack {
  processes: ServerProcess[];
  tempDir: string;
}

declare global {
  var __INVOICING_TEST_STACK__: TestStack | undefined;
}

const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);

/**
 * Jest global setup for suites that need the real servers.
 *
 * Settings come, per server, from the environment (`MONGO_URL`, `KEYCLOAK_URL` + `KEYCLOAK_REALM`), else from a
 * healthy stack that `npm run stack:up` runs (`.stack/stack.env`); whatever is still missing is started for
 * this run with fresh data in a temporary folder, and stopped by the teardown. The settings end up in
 * `process.env`, which Jest's workers inherit: suites read `process.env.MONGO_URL` (or `readStackEnv()`).
 * A second project of the same run finds them there and starts nothing.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__INVOICING_TEST_STACK__) return; // another project of this run set it up already
  const env = { ...process.env };
  const running = readEnvFile(stackEnvFile);
  const [mongo, keycloak] = await Promise.allSettled([
    !env.MONGO_URL && running.MONGO_URL ? probeMongo(running.MONGO_URL) : Promise.reject(new Error('not applicable')),
    !env.KEYCLOAK_URL && running.KEYCLOAK_URL
      ? probeKeycloak({ keycloakUrl: running.KEYCLOAK_URL, realm: running.KEYCLOAK_REALM || DEFAULT_REALM })
      : Promise.reject(new Error('not applicable')),
  ]);
  if (mongo.status === 'fulfilled') env.MONGO_URL = running.MONGO_URL;
  if (keycloak.status === 'fulfilled') {
    env.KEYCLOAK_URL = running.KEYCLOAK_URL;
    env.KEYCLOAK_REALM = running.KEYCLOAK_REALM || DEFAULT_REALM;
  }

  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'invoicing-stack-'));
  fs.chmodSync(tempDir, 0o755); // a root run hands PostgreSQL's data inside it to the `postgres` account
  globalThis.__INVOICING_TEST_STACK__ = { processes: [], tempDir };
  const began = Date.now();
  const handle = await startStack({
    dataDir: tempDir,
    logDir: path.join(tempDir, 'logs'),
    ephemeral: true,
    env,
    log,
    onStarted: (proc) => globalThis.__INVOICING_TEST_STACK__?.processes.push(proc),
  }).catch((error: unknown) => {
    // Jest runs no teardown after a failed setup; startStack has stopped what it started, the folder goes here.
    fs.rmSync(tempDir, { recursive: true, force: true });
    globalThis.__INVOICING_TEST_STACK__ = undefined;
    throw error;
  });
  const origin = (fromStackUp: boolean, source: string) => (fromStackUp ? 'the running `npm run stack:up` stack' : source === 'started' ? 'started for this run' : 'the environment');
  log(
    `MongoDB: ${origin(mongo.status === 'fulfilled', handle.sources.mongo)}; Keycloak: ${origin(keycloak.status === 'fulfilled', handle.sources.keycloak)}` +
      (handle.processes.length > 0 ? ` (ready in ${((Date.now() - began) / 1000).toFixed(1)} s)` : ''),
  );
  Object.assign(process.env, handle.env);
}
