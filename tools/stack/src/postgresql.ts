import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './stack.errors';
import { freePort, runToCompletion, startDetached, stopProcess, waitUntil, type RunAs, type ServerProcess } from './processes';

/** The database FerretDB keeps every MongoDB database in (each one a PostgreSQL schema). */
export const FERRETDB_DATABASE = 'ferretdb';
/** The cluster's superuser, trusted on loopback only: the cluster listens on 127.0.0.1 and nowhere else. */
export const POSTGRESQL_USER = 'ferretdb';
/** Mirrors FerretDB's btree indexes as GIN expression indexes; see the file's header and docs/adr/0002. */
export const GIN_MIRROR_SQL = path.resolve(__dirname, '../postgresql/gin-mirror.sql');

/** The server binaries of one PostgreSQL installation. */
export interface PostgresInstall {
  /** Folder holding `initdb`, `postgres` and `psql`. */
  bin: string;
  /** `15.18`, from `postgres --version`. */
  version: string;
}

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const complete = (bin: string) => ['initdb', 'postgres', 'psql'].every((name) => executable(path.join(bin, name)));

/**
 * Where PostgreSQL's server binaries are: `POSTGRESQL_BIN` when set, else Debian's and Ubuntu's
 * `/usr/lib/postgresql/<major>/bin` (the newest major), else the PATH (other distributions, Homebrew).
 * Only a folder with `initdb`, `postgres` and `psql` counts; the client package alone has no server.
 */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.POSTGRESQL_BIN) return complete(env.POSTGRESQL_BIN) ? path.resolve(env.POSTGRESQL_BIN) : undefined;
  const debian = '/usr/lib/postgresql';
  const majors = fs.existsSync(debian) ? fs.readdirSync(debian).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) if (complete(path.join(debian, major, 'bin'))) return path.join(debian, major, 'bin');
  return (env.PATH ?? '').split(path.delimiter).find((dir) => dir !== '' && complete(dir));
}

/** The version of the server in `bin` (`postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` → `15.18`). */
export async function postgresVersion(bin: string): Promise<string> {
  const { stdout } = await promisify(execFile)(path.join(bin, 'postgres'), ['--version'], { timeout: 30_000 });
  return /\(PostgreSQL\)\s+(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
}

/** The unprivileged account a root process runs PostgreSQL as (it refuses to run as root): Debian's package creates `postgres`. */
function unprivilegedAccount(): RunAs {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) {
    throw new StackError(
      'stack.start_failed',
      'PostgreSQL refuses to run as root, and this machine has no `postgres` account to run it as. ' +
        "Install Debian's package (`apt-get install postgresql` creates it), run the stack as another user, or set FERRETDB_HANDLER=sqlite.",
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

const runningAsRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Whether every folder above `dir` lets other users through (the `postgres` account must reach its data). */
function reachableByOthers(dir: string): boolean {
  for (let parent = path.dirname(path.resolve(dir)); ; parent = path.dirname(parent)) {
    if (fs.existsSync(parent) && (fs.statSync(parent).mode & 0o001) === 0) return false;
    if (parent === path.dirname(parent)) return true;
  }
}

/**
 * The cluster's folder. Normally `dir` itself (inside the clone or the test run's temporary folder). When root must hand
 * the cluster to the `postgres` account and a folder above `dir` is closed to others (a clone under `/root`, say),
 * the cluster goes to `/var/tmp/invoicing-postgresql/<hash of dir>`, the same one for the same clone every time.
 */
export function clusterDir(dir: string, asRoot = runningAsRoot()): string {
  if (!asRoot || reachableByOthers(dir)) return dir;
  return path.join('/var/tmp/invoicing-postgresql', crypto.createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16));
}

/** A running PostgreSQL cluster and the URL FerretDB reaches it by. */
export interface RunningPostgres {
  process: ServerProcess;
  /** `postgres://ferretdb@127.0.0.1:<port>/ferretdb`. */
  url: string;
  port: number;
  version: string;
  /** Where the cluster keeps its data. */
  dataDir: string;
}

/** Runs `psql` against the cluster, stopping at the first error. */
export async function psql(bin: string, port: number, args: string[], database = FERRETDB_DATABASE): Promise<string> {
  const { stdout } = await promisify(execFile)(
    path.join(bin, 'psql'),
    ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', POSTGRESQL_USER, '-d', database, ...args],
    { timeout: 60_000, maxBuffer: 16 << 20, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
  );
  return stdout.trim();
}

/**
 * Starts the PostgreSQL cluster FerretDB stores its data in: creates it on first use (`initdb`, UTF-8, C locale, trust on
 * loopback), starts it on a free loopback port with no Unix socket, creates the `ferretdb` database, and installs the GIN
 * index mirror ({@link GIN_MIRROR_SQL}). As root, the cluster belongs to and runs as the `postgres` account.
 *
 * `ephemeral` (a test run's throw-away data) turns off fsync: a crash of the machine could corrupt that cluster, which is
 * deleted anyway, while a killed server still loses nothing it acknowledged (commits stay synchronous).
 *
 * `port` starts it on that port instead of a free one: a cluster restarted after a crash, where its clients (FerretDB)
 * reconnect to the address they know.
 */
export async function startPostgres(options: {
  bin: string;
  dataDir: string;
  logFile: string;
  ephemeral?: boolean;
  port?: number;
  timeoutMs?: number;
  onSpawn?: (proc: ServerProcess) => void;
}): Promise<RunningPostgres> {
  const runAs = runningAsRoot() ? unprivilegedAccount() : undefined;
  const dataDir = clusterDir(options.dataDir);
  const version = await postgresVersion(options.bin);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 }); // the `postgres` account must pass through
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (runAs) fs.chownSync(dataDir, runAs.uid, runAs.gid);
    await runToCompletion(
      `Creating the PostgreSQL ${version} cluster in ${dataDir}`,
      path.join(options.bin, 'initdb'),
      ['-D', dataDir, '-U', POSTGRESQL_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { cwd: dataDir, logFile: options.logFile, timeoutMs: 120_000, runAs },
    );
  }
  const port = options.port ?? (await freePort());
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '', // no socket file: nothing to clean up, no path-length limit
    // FerretDB runs its queries as prepared statements; a generic plan cannot see that `_jsonb -> 'tenantId' @> '"acme"'`
    // is selective, and scans. A custom plan per execution uses the GIN indexes.
    plan_cache_mode: 'force_custom_plan',
    // Fresh statistics within seconds of a bulk load (an import, a test's seed), so the planner sees the GIN indexes'
    // selectivity at once instead of after the default minute and 10 % of a table.
    autovacuum_naptime: '5s',
    autovacuum_analyze_threshold: '500',
    autovacuum_analyze_scale_factor: '0.02',
    // ...and each of those analyses cheap: a sample of 3,000 rows rather than 30,000. FerretDB's tables are one jsonb
    // column with an expression index per indexed field, so an analysis evaluates every index expression on every
    // sampled row: measured on the bench:peer database, 3.4 s for 7,700 invoices and 0.66 s for 37,000 idempotency
    // records at the default (100), 1.2 s and 0.05 s at 10, for query plans that only need to tell a tenant's
    // GIN-indexed keys from its tenantId.
    default_statistics_target: '10',
    // Every operator in FerretDB's SQL is a jsonb one (`_jsonb -> 'field' @> value`) on a document that is usually
    // TOASTed: the table's pages hold pointers, and each evaluation decompresses the document. The default 0.0025 prices
    // that like comparing two integers, so a scan of a few "pages" looked cheaper than an index: measured on 2,400
    // invoices, the duplicate check scanned them all in 132-215 ms instead of reading its GIN index in 0.6 ms, once per
    // invoice created. At 0.25 the planner weighs evaluations by what they cost here and picks the selective index.
    cpu_operator_cost: '0.25',
    max_connections: '200',
    ...(options.ephemeral ? { fsync: 'off', full_page_writes: 'off' } : {}),
  };
  const postgres = path.join(options.bin, 'postgres');
  const proc = startDetached(
    'PostgreSQL',
    postgres,
    ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
    { cwd: dataDir, logFile: options.logFile, marker: postgres, runAs, stopSignal: 'SIGINT' }, // SIGINT: fast shutdown, clients cut off
  );
  options.onSpawn?.(proc);
  try {
    await waitUntil('PostgreSQL accepted a connection', () => psql(options.bin, port, ['-c', 'SELECT 1'], 'postgres').then(() => true), {
      timeoutMs: options.timeoutMs ?? 60_000,
      process: proc,
    });
    const exists = await psql(options.bin, port, ['-c', `SELECT 1 FROM pg_database WHERE datname = '${FERRETDB_DATABASE}'`], 'postgres');
    if (exists !== '1') await psql(options.bin, port, ['-c', `CREATE DATABASE ${FERRETDB_DATABASE}`], 'postgres');
    await psql(options.bin, port, ['-f', GIN_MIRROR_SQL]);
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
  return { process: proc, url: `postgres://${POSTGRESQL_USER}@127.0.0.1:${port}/${FERRETDB_DATABASE}`, port, version, dataDir };
}
