import fs from 'node:fs';
import path from 'node:path';
import { demoRealm, DEV_CLIENT_ID, API_AUDIENCE } from './demo-realm';
import { FERRETDB_VERSION, ferretDbHandler, probeMongo } from './ferretdb';
import { KEYCLOAK_VERSION, probeKeycloak } from './keycloak';
import { dataDir, repoRoot, stackEnvFile, stateDir, cacheDir } from './paths';
import { isOurs, stopProcess, type ServerProcess } from './processes';
import { redactUrl, startStack, stopStack, type StackHandle } from './stack';
import { StackError } from './stack.errors';
import { writeEnvFile, type StackEnv } from './stack-env';

/** `.stack/stack.json`: what `stack:up` started, so that `stack:down` stops exactly that. */
interface StackState {
  startedAt: string;
  env?: StackEnv;
  sources?: StackHandle['sources'];
  mongoBackend?: StackHandle['mongoBackend'];
  processes: ServerProcess[];
}

/** `FerretDB v1.24.2 on PostgreSQL 15.18`, or what else serves MongoDB. */
function mongoServer(state: StackState): string {
  if (state.sources?.mongo === 'environment') return 'MongoDB from MONGO_URL';
  const backend = state.mongoBackend;
  return `FerretDB ${FERRETDB_VERSION} on ${backend?.postgresql ? `PostgreSQL ${backend.postgresql.version}` : 'SQLite'}`;
}

const stateFile = path.join(stateDir, 'stack.json');
const relative = (file: string) => path.relative(process.cwd(), file) || '.';
const out = (line = '') => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`[stack] ${line}\n`);

function readState(): StackState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

function writeState(state: StackState): void {
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

function clearState(): void {
  fs.rmSync(stateFile, { force: true });
  fs.rmSync(stackEnvFile, { force: true });
}

async function healthy(env: StackEnv): Promise<{ mongo: boolean; keycloak: boolean }> {
  const [mongo, keycloak] = await Promise.allSettled([
    probeMongo(env.MONGO_URL),
    probeKeycloak({ keycloakUrl: env.KEYCLOAK_URL, realm: env.KEYCLOAK_REALM }),
  ]);
  return { mongo: mongo.status === 'fulfilled', keycloak: keycloak.status === 'fulfilled' };
}

function printSummary(state: StackState & { env: StackEnv }): void {
  out(`MONGO_URL=${redactUrl(state.env.MONGO_URL)}`);
  out(`KEYCLOAK_URL=${state.env.KEYCLOAK_URL}`);
  out(`KEYCLOAK_REALM=${state.env.KEYCLOAK_REALM}`);
  out(`(written to ${relative(stackEnvFile)}; stop with \`npm run stack:down\`)`);
  if (state.sources?.keycloak !== 'started') return;
  const realm = demoRealm();
  out();
  out(`Keycloak admin console: ${state.env.KEYCLOAK_URL}/admin  (admin / admin)`);
  out(`Demo users of realm ${realm.realm} (password grant through public client ${DEV_CLIENT_ID}; tokens for audience ${API_AUDIENCE}):`);
  for (const user of realm.users) out(`  ${user.username.padEnd(18)} password ${user.password.padEnd(6)} tenant ${user.tenant.padEnd(7)} role ${user.roles.join(', ')}`);
  out('Integrator clients (client-credentials grant):');
  for (const client of realm.integrators) {
    out(`  ${client.clientId.padEnd(18)} secret ${client.clientSecret.padEnd(24)} tenant ${client.tenant.padEnd(7)} role ${client.roles.join(', ')}`);
  }
}

async function up(): Promise<number> {
  const previous = readState();
  if (previous) {
    const alive = previous.processes.filter(isOurs);
    // A stack on another backend than the one asked for (FERRETDB_HANDLER, or an older default) is replaced.
    const sameBackend = previous.sources?.mongo !== 'started' || process.env.MONGO_URL || (previous.mongoBackend?.handler ?? 'sqlite') === ferretDbHandler();
    if (previous.env && alive.length === previous.processes.length && sameBackend) {
      const health = await healthy(previous.env);
      if (health.mongo && health.keycloak) {
        out(`The local stack is already running (started ${previous.startedAt}; ${mongoServer(previous)}):`);
        printSummary({ ...previous, env: previous.env });
        return 0;
      }
    }
    progress(
      sameBackend
        ? 'The previous stack is gone or unhealthy: stopping what is left of it and starting afresh.'
        : `The running stack stores on ${previous.mongoBackend?.handler ?? 'sqlite'}, not ${ferretDbHandler()}: stopping it and starting afresh (each backend keeps its own data).`,
    );
    await stopStack(alive);
    clearState();
  }

  const state: StackState = { startedAt: new Date().toISOString(), processes: [] };
  const record = (proc: ServerProcess) => {
    state.processes.push(proc);
    writeState(state); // at once, so that stack:down finds it even if this command is interrupted
  };
  const interrupt = () => {
    progress('Interrupted: stopping what was started.');
    void stopStack(state.processes).finally(() => {
      clearState();
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const began = Date.now();
  const handle = await startStack({ dataDir, logDir: path.join(stateDir, 'logs'), log: progress, onStarted: record }).catch((error: unknown) => {
    clearState();
    throw error;
  });
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  const final = { ...state, env: handle.env, sources: handle.sources, mongoBackend: handle.mongoBackend, processes: handle.processes };
  writeState(final);
  writeEnvFile(stackEnvFile, { ...handle.env });
  out(`The local stack is up after ${((Date.now() - began) / 1000).toFixed(1)} s (${mongoServer(final)}, Keycloak ${KEYCLOAK_VERSION}; data in ${relative(dataDir)}, logs in ${relative(path.join(stateDir, 'logs'))}):`);
  printSummary(final);
  return 0;
}

async function down(): Promise<number> {
  const state = readState();
  if (!state) {
    out(`Nothing to stop: no stack started by \`npm run stack:up\` in ${repoRoot}.`);
    return 0;
  }
  for (const proc of state.processes) {
    const stopped = await stopProcess(proc);
    out(stopped ? `Stopped ${proc.name} (pid ${proc.pid}).` : `${proc.name} (pid ${proc.pid}) was no longer running.`);
  }
  clearState();
  return 0;
}

async function status(): Promise<number> {
  for (const name of ['MONGO_URL', 'KEYCLOAK_URL', 'KEYCLOAK_REALM'] as const) {
    const value = process.env[name];
    if (value) out(`${name} is set in the environment (${redactUrl(value)}): that server is used instead of a local one.`);
  }
  out(`Cache: ${cacheDir()}`);
  const state = readState();
  if (!state) {
    out('No stack started by `npm run stack:up` in this clone.');
    return 1;
  }
  let running = true;
  for (const proc of state.processes) {
    const alive = isOurs(proc);
    running &&= alive;
    out(`${proc.name}: ${alive ? `running, pid ${proc.pid}` : `not running (was pid ${proc.pid})`}; log ${relative(proc.logFile)}`);
  }
  if (state.env) {
    const health = await healthy(state.env);
    out(`MongoDB protocol at ${redactUrl(state.env.MONGO_URL)} (${mongoServer(state)}): ${health.mongo ? 'answers ping' : 'does NOT answer'}`);
    out(`Keycloak realm ${state.env.KEYCLOAK_REALM} at ${state.env.KEYCLOAK_URL}: ${health.keycloak ? 'serves discovery and JWKS' : 'does NOT answer'}`);
    running &&= health.mongo && health.keycloak;
  } else {
    running = false;
    out('The stack never became ready (start interrupted?): `npm run stack:down` cleans up.');
  }
  return running ? 0 : 1;
}

const commands: Record<string, () => Promise<number>> = { up, down, status };

/** `stack up|down|status`: the entry point of `npm run stack:*`. Resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const command = commands[argv[0] ?? ''];
  if (!command) {
    process.stderr.write('Usage: stack up|down|status\n');
    return 2;
  }
  try {
    return await command();
  } catch (error) {
    process.stderr.write(`${error instanceof StackError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
