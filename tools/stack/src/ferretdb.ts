import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient, ObjectId } from 'mongodb';
import { StackError } from './stack.errors';
import { freePort, runToCompletion, startDetached, stopProcess, waitUntil, type ServerProcess } from './processes';

/** The FerretDB release the stack builds: the last 1.x, the line that runs on plain PostgreSQL (or SQLite). */
export const FERRETDB_VERSION = 'v1.24.2';

/** FerretDB's storage: PostgreSQL (the default, docs/adr/0002) or the embedded SQLite (`FERRETDB_HANDLER=sqlite`). */
export type FerretDbHandler = 'postgresql' | 'sqlite';
export const FERRETDB_HANDLERS: readonly FerretDbHandler[] = ['postgresql', 'sqlite'];

/**
 * The backend `FERRETDB_HANDLER` asks for, `postgresql` when unset.
 * @throws StackError `stack.not_configured` for any other value.
 */
export function ferretDbHandler(env: NodeJS.ProcessEnv = process.env): FerretDbHandler {
  const value = env.FERRETDB_HANDLER || 'postgresql';
  if ((FERRETDB_HANDLERS as readonly string[]).includes(value)) return value as FerretDbHandler;
  throw new StackError('stack.not_configured', `FERRETDB_HANDLER=${value} is not a backend of the local stack: use ${FERRETDB_HANDLERS.join(' or ')}.`);
}
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

/** Where the built binary lives in the cache; its presence means provisioning is done. */
export function ferretDbBinary(cache: string): string {
  return path.join(cache, 'ferretdb', FERRETDB_VERSION, 'ferretdb');
}

function goEnv(): NodeJS.ProcessEnv {
  // Pure-Go SQLite (modernc): no C toolchain needed. GOFLAGS/GOWORK from the user's shell must not steer this build.
  return { ...process.env, CGO_ENABLED: '0', GOFLAGS: '', GOWORK: 'off' };
}

function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else fs.chmodSync(full, 0o644);
  }
}

/**
 * Builds FerretDB once into the cache, from the Go module proxy; later calls return the cached binary.
 *
 * Not `go install …@v1.24.2`: the module's zip lacks the generated `build/version/version.txt`, so a binary
 * built with FerretDB as the main module panics at start, and `go install` also asks the proxy for the
 * module's version list, which some proxies refuse. So: download the exact version, copy it, write
 * version.txt, `go build`. The binary is moved into place in one rename, so a half-built one is never used.
 */
export async function provisionFerretDb(cache: string, log: (line: string) => void): Promise<string> {
  const binary = ferretDbBinary(cache);
  if (fs.existsSync(binary)) return binary;
  const root = path.dirname(binary);
  fs.mkdirSync(root, { recursive: true });
  const logFile = path.join(root, 'build.log');
  const work = fs.mkdtempSync(path.join(root, '.build-'));
  log(`Building FerretDB ${FERRETDB_VERSION} from the Go module proxy (first run only, 1-3 minutes; log: ${logFile})`);
  try {
    let moduleDir: string;
    try {
      const { stdout } = await promisify(execFile)('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
        cwd: work,
        env: goEnv(),
        timeout: 10 * 60_000,
        maxBuffer: 1 << 20,
      });
      moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir ?? '';
    } catch (error) {
      const detail = (error as { stdout?: string; stderr?: string; message: string });
      throw new StackError('stack.provision_failed', `Downloading ${FERRETDB_MODULE}@${FERRETDB_VERSION} failed: ${detail.stdout || detail.stderr || detail.message}`);
    }
    if (!moduleDir || !fs.existsSync(moduleDir)) throw new StackError('stack.provision_failed', `go mod download gave no directory for ${FERRETDB_MODULE}`);
    const src = path.join(work, 'src');
    fs.cpSync(moduleDir, src, { recursive: true });
    makeWritable(src);
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    const built = path.join(work, 'ferretdb');
    await runToCompletion(`Building FerretDB ${FERRETDB_VERSION}`, 'go', ['build', '-trimpath', '-buildvcs=false', '-o', built, './cmd/ferretdb'], {
      cwd: src,
      env: goEnv(),
      logFile,
      timeoutMs: 30 * 60_000,
    });
    fs.renameSync(built, binary);
    return binary;
  } finally {
    makeWritable(work);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Readiness of a MongoDB-protocol server: a real `ping`, and with `roundTrip` an insert/read/delete through the driver.
 * @throws the driver's error when the server does not answer within `timeoutMs`.
 */
export async function probeMongo(url: string, options: { roundTrip?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, socketTimeoutMS: 4 * timeoutMs });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    if (options.roundTrip) {
      const probes = client.db('invoicing_stack').collection<{ _id: ObjectId; at: Date }>('readiness');
      const _id = new ObjectId();
      await probes.insertOne({ _id, at: new Date() });
      if (!(await probes.findOne({ _id }))) throw new Error('a document written was not read back');
      await probes.deleteOne({ _id });
    }
  } finally {
    await client.close();
  }
}

/**
 * FerretDB's environment: Go's garbage collector runs only when the heap reaches 512 MiB (`GOGC=off`, `GOMEMLIMIT`)
 * instead of each time it doubles. FerretDB allocates for every document it converts between BSON and PostgreSQL's
 * jsonb; with Go's default, collecting took a third of its CPU (measured: 0.66 → 0.43 ms of FerretDB per read by id,
 * 0.83 → 0.56 ms per update, ADR 0017). `GOGC` or `GOMEMLIMIT` set by the user win.
 */
export function ferretDbEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GOGC: env.GOGC ?? 'off', GOMEMLIMIT: env.GOMEMLIMIT ?? '512MiB' };
}

/** A running FerretDB and the URL that reaches it. */
export interface RunningFerretDb {
  process: ServerProcess;
  url: string;
}

/**
 * Starts FerretDB on a free loopback port, telemetry off, storing in `postgresqlUrl` (the `postgresql` handler) or in
 * SQLite files under `dataDir` (without it), and waits until {@link probeMongo} passes with a round trip. On failure the
 * process is stopped and the error carries its log tail. `port` starts it on that port instead (a restart after a
 * crash, where its clients reconnect to the address they know).
 */
export async function startFerretDb(options: {
  binary: string;
  dataDir: string;
  logFile: string;
  postgresqlUrl?: string;
  port?: number;
  timeoutMs?: number;
  onSpawn?: (proc: ServerProcess) => void;
}): Promise<RunningFerretDb> {
  const stateDir = path.join(options.dataDir, 'state');
  fs.mkdirSync(stateDir, { recursive: true });
  let storage: string[];
  if (options.postgresqlUrl) storage = ['--handler=postgresql', `--postgresql-url=${options.postgresqlUrl}`];
  else {
    const sqliteDir = path.join(options.dataDir, 'sqlite');
    fs.mkdirSync(sqliteDir, { recursive: true });
    storage = ['--handler=sqlite', `--sqlite-url=file:${sqliteDir}/`];
  }
  const port = options.port ?? (await freePort());
  const proc = startDetached(
    'FerretDB',
    options.binary,
    [
      ...storage,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-', // no metrics/pprof listener: it would take a fixed port (8088)
      `--state-dir=${stateDir}`,
      '--telemetry=disable',
    ],
    { logFile: options.logFile, env: ferretDbEnvironment(process.env) },
  );
  options.onSpawn?.(proc);
  const url = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitUntil('FerretDB answered a ping and a write/read round trip', () => probeMongo(url, { roundTrip: true }).then(() => true), {
      timeoutMs: options.timeoutMs ?? 60_000,
      process: proc,
    });
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
  return { process: proc, url };
}
