import fs from 'node:fs';
import path from 'node:path';
import { ferretDbBinary, ferretDbHandler, probeMongo, provisionFerretDb, startFerretDb, type FerretDbHandler } from './ferretdb';
import { keycloakHome, probeKeycloak, provisionKeycloak, startKeycloak } from './keycloak';
import { cacheDir } from './paths';
import { findPostgresBin, startPostgres } from './postgresql';
import { stopProcess, type ServerProcess } from './processes';
import { StackError } from './stack.errors';
import { DEFAULT_REALM, type StackEnv } from './stack-env';
import { requireTools, type Tool } from './toolchain';

/** Where each service of a stack came from. */
export type ServiceSource = 'started' | 'environment';

/** What stores the data of a FerretDB the stack started. */
export interface MongoBackend {
  handler: FerretDbHandler;
  /** With the `postgresql` handler: the cluster's server version, URL (loopback, trust) and data folder. */
  postgresql?: { version: string; url: string; dataDir: string };
}

/** A stack ready to use: its settings, and the servers this process started (and so must stop). */
export interface StackHandle {
  env: StackEnv;
  processes: ServerProcess[];
  sources: { mongo: ServiceSource; keycloak: ServiceSource };
  /** Set when the stack started FerretDB. */
  mongoBackend?: MongoBackend;
}

/** How to start a stack. */
export interface StartStackOptions {
  /**
   * FerretDB keeps its state in `<dataDir>/ferretdb` and its data in the PostgreSQL cluster `<dataDir>/postgresql`
   * (or SQLite files in `<dataDir>/ferretdb/sqlite`), Keycloak its H2 database in `<dataDir>/keycloak`.
   */
  dataDir: string;
  /** Throw-away data (a test run's): the database may skip fsync. */
  ephemeral?: boolean;
  /** `ferretdb.log` and `keycloak.log` go here. */
  logDir: string;
  /** `MONGO_URL` / `KEYCLOAK_URL` (+ `KEYCLOAK_REALM`) set here are used as they are, and that server is not started. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines for a person. */
  log?: (line: string) => void;
  /** Told of each server as soon as it is spawned, before readiness: lets a caller record pids early. */
  onStarted?: (proc: ServerProcess) => void;
}

/** `mongodb://user:secret@host` → `mongodb://user:***@host`, for printing. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^/:@]+:)[^/@]*@/, '$1***@');
}

const portTaken = (error: unknown) => /address already in use|bind: address|port .* in use/i.test(error instanceof Error ? error.message : String(error));

/** A free port was picked, but another program may take it before the server binds: then pick again. */
async function withPortRetry<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !portTaken(error)) throw error;
    }
  }
}

async function external<T>(name: string, value: string, probe: () => Promise<T>): Promise<T> {
  try {
    return await probe();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StackError('stack.unreachable', `${name}=${redactUrl(value)} is set, but that server does not answer: ${reason}`);
  }
}

/**
 * Provisions (first run: build FerretDB, download Keycloak) and starts what the environment does not already
 * provide, both at once, and waits for real readiness. When any part fails, the servers already started are
 * stopped before the error (with the failing server's log tail) is thrown.
 *
 * @throws StackError `stack.missing_tools` before any work when Go, Java 17+ or Maven is needed and missing.
 */
export async function startStack(options: StartStackOptions): Promise<StackHandle> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const cache = cacheDir(env);
  const mongoUrl = env.MONGO_URL;
  const keycloakUrl = env.KEYCLOAK_URL;
  const realm = env.KEYCLOAK_REALM || DEFAULT_REALM;

  const handler = mongoUrl ? undefined : ferretDbHandler(env);
  const tools: Tool[] = [];
  if (!mongoUrl && !fs.existsSync(ferretDbBinary(cache))) tools.push('go');
  if (handler === 'postgresql') tools.push('postgresql');
  if (!keycloakUrl) tools.push('java');
  if (!keycloakUrl && !fs.existsSync(path.join(keycloakHome(cache), 'bin', 'kc.sh'))) tools.push('mvn');
  requireTools(tools, env);

  const started: ServerProcess[] = [];
  const track = (proc: ServerProcess) => {
    started.push(proc);
    options.onStarted?.(proc);
  };
  let mongoBackend: MongoBackend | undefined;
  const postgresql = async () => {
    const pg = await withPortRetry(() =>
      startPostgres({
        bin: findPostgresBin(env) as string, // requireTools checked it
        dataDir: path.join(options.dataDir, 'postgresql'),
        logFile: path.join(options.logDir, 'postgresql.log'),
        ephemeral: options.ephemeral,
        onSpawn: track,
      }),
    );
    log(`PostgreSQL ${pg.version} is ready on port ${pg.port} (pid ${pg.process.pid}, data in ${pg.dataDir})`);
    return pg;
  };
  const mongo = async (): Promise<string> => {
    if (mongoUrl) return external('MONGO_URL', mongoUrl, () => probeMongo(mongoUrl, { timeoutMs: 5_000 }).then(() => mongoUrl));
    const [binary, pg] = await Promise.all([provisionFerretDb(cache, log), handler === 'postgresql' ? postgresql() : undefined]);
    mongoBackend = { handler: handler as FerretDbHandler, ...(pg ? { postgresql: { version: pg.version, url: pg.url, dataDir: pg.dataDir } } : {}) };
    const db = await withPortRetry(() =>
      startFerretDb({
        binary,
        dataDir: path.join(options.dataDir, 'ferretdb'),
        logFile: path.join(options.logDir, 'ferretdb.log'),
        postgresqlUrl: pg?.url,
        onSpawn: track,
      }),
    );
    log(`FerretDB is ready at ${db.url} (pid ${db.process.pid}, on ${pg ? `PostgreSQL ${pg.version}` : 'SQLite'})`);
    return db.url;
  };
  const keycloak = async (): Promise<string> => {
    if (keycloakUrl) {
      return external('KEYCLOAK_URL', keycloakUrl, () => probeKeycloak({ keycloakUrl, realm }).then(() => keycloakUrl));
    }
    const home = await provisionKeycloak(cache, log);
    log('Starting Keycloak (about 15-30 s; the first start after a download also prepares the distribution)');
    const kc = await withPortRetry(() =>
      startKeycloak({ home, dataDir: path.join(options.dataDir, 'keycloak'), logFile: path.join(options.logDir, 'keycloak.log'), onSpawn: track }),
    );
    log(`Keycloak is ready at ${kc.url} (pid ${kc.process.pid})`);
    return kc.url;
  };

  const [mongoResult, keycloakResult] = await Promise.allSettled([mongo(), keycloak()]);
  if (mongoResult.status === 'rejected' || keycloakResult.status === 'rejected') {
    await stopStack(started);
    const failures = [mongoResult, keycloakResult].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (failures.length === 1) throw failures[0];
    throw new StackError('stack.start_failed', failures.map((failure) => (failure instanceof Error ? failure.message : String(failure))).join('\n\n'));
  }
  return {
    env: { MONGO_URL: mongoResult.value, KEYCLOAK_URL: keycloakResult.value, KEYCLOAK_REALM: keycloakUrl ? realm : DEFAULT_REALM },
    processes: started,
    sources: { mongo: mongoUrl ? 'environment' : 'started', keycloak: keycloakUrl ? 'environment' : 'started' },
    ...(mongoBackend ? { mongoBackend } : {}),
  };
}

/** Stops the given servers (only while their pid still runs what we started), all at once. */
export async function stopStack(processes: readonly ServerProcess[]): Promise<void> {
  await Promise.all(processes.map((proc) => stopProcess(proc)));
}
