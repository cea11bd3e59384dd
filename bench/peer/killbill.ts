/**
 * Kill Bill, the peer of `npm run bench:peer`: provisioned from registries into the stack's cache and run on this
 * machine for one bench run, on a MariaDB of its own (own data folder, own port), both stopped at the end.
 *
 * - The war `org.kill-bill.billing:killbill-profiles-killbill` and `org.eclipse.jetty:jetty-runner` come from Maven
 *   Central (Maven's dependency plugin), once, into `<cache>/killbill/<version>/`.
 * - The schema is the concatenation of the `ddl.sql` of the war's module jars, read from the war once.
 * - MariaDB is Debian's `mariadb-server`, installed with apt-get when missing and we are root.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError, cacheDir, copyMavenArtifact, freePort, requireJava, runToCompletion, startDetached, stopProcess, waitUntil, which, type ServerProcess } from '@invoicing/stack';
import { readZipEntry } from '@invoicing/en16931-official';

export const KILLBILL_VERSION = '0.22.26';
export const JETTY_RUNNER_VERSION = '9.4.54.v20240208';
/** The modules whose `ddl.sql` make up the schema, in this order (util holds the bus and notification queues). */
const MODULES = ['account', 'beatrix', 'catalog', 'entitlement', 'invoice', 'payment', 'subscription', 'tenant', 'usage', 'util'] as const;

const run = promisify(execFile);

export interface KillBillDist {
  readonly war: string;
  readonly jettyRunner: string;
  readonly ddl: string;
}

function killBillHome(): string {
  return path.join(cacheDir(), 'killbill', KILLBILL_VERSION);
}

/**
 * The war, jetty-runner and the schema, fetched and extracted once. Downloads go to a temporary folder beside the
 * target and are renamed into place, so a half-done download is never used.
 */
export async function provisionKillBill(log: (line: string) => void): Promise<KillBillDist> {
  const home = killBillHome();
  const dist: KillBillDist = {
    war: path.join(home, `killbill-profiles-killbill-${KILLBILL_VERSION}.war`),
    jettyRunner: path.join(home, `jetty-runner-${JETTY_RUNNER_VERSION}.jar`),
    ddl: path.join(home, 'ddl.sql'),
  };
  if (fs.existsSync(dist.war) && fs.existsSync(dist.jettyRunner) && fs.existsSync(dist.ddl)) return dist;
  fs.mkdirSync(home, { recursive: true });
  const logFile = path.join(home, 'download.log');
  const work = fs.mkdtempSync(path.join(home, '.download-'));
  try {
    for (const [artifact, file] of [
      [`org.kill-bill.billing:killbill-profiles-killbill:${KILLBILL_VERSION}:war`, dist.war],
      [`org.eclipse.jetty:jetty-runner:${JETTY_RUNNER_VERSION}:jar`, dist.jettyRunner],
    ] as const) {
      if (fs.existsSync(file)) continue;
      log(`downloading ${artifact} from Maven Central (first run only; log: ${logFile})`);
      await copyMavenArtifact(artifact, work, { need: 'bench:peer downloads Kill Bill once from Maven Central', logFile, timeoutMs: 20 * 60_000 });
      fs.renameSync(path.join(work, path.basename(file)), file);
    }
    const war = fs.readFileSync(dist.war);
    const parts = MODULES.map((module) => {
      const jarName = `WEB-INF/lib/killbill-${module}-${KILLBILL_VERSION}.jar`;
      const jar = readZipEntry(war, jarName);
      const ddl = jar && readZipEntry(jar, `org/killbill/billing/${module}/ddl.sql`);
      if (!ddl) throw new StackError('stack.provision_failed', `${dist.war} has no ${jarName} with org/killbill/billing/${module}/ddl.sql`);
      return `-- ${module}\n${ddl.toString('utf8')}\n`;
    });
    const ddlTemp = path.join(work, 'ddl.sql');
    fs.writeFileSync(ddlTemp, parts.join('\n'));
    fs.renameSync(ddlTemp, dist.ddl);
    return dist;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface MariaDbBin {
  readonly server: string;
  readonly installDb: string;
  readonly client: string;
}

function findMariaDb(): MariaDbBin | undefined {
  const find = (name: string): string | undefined => which(name) ?? ['/usr/sbin', '/usr/bin'].map((dir) => path.join(dir, name)).find((file) => fs.existsSync(file));
  const server = find('mariadbd');
  const installDb = find('mariadb-install-db');
  const client = find('mariadb');
  return server && installDb && client ? { server, installDb, client } : undefined;
}

/** Debian's MariaDB, installed with apt-get when it is missing and we are root. */
async function ensureMariaDb(log: (line: string) => void): Promise<MariaDbBin> {
  const found = findMariaDb();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new StackError(
      'stack.missing_tools',
      'bench:peer runs Kill Bill on MariaDB (mariadbd, mariadb-install-db, mariadb), which is not installed, and only root can install it with apt-get. ' +
        'Run `sudo apt-get install mariadb-server` once (Debian, Ubuntu), or run the bench as root.',
    );
  }
  const logFile = path.join(cacheDir(), 'killbill', 'apt-get.log');
  log(`installing Debian's mariadb-server with apt-get (first run only; log: ${logFile})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runToCompletion('apt-get update', 'apt-get', ['update'], { env, logFile, timeoutMs: 10 * 60_000 });
  await runToCompletion('apt-get install mariadb-server', 'apt-get', ['install', '-y', '--no-install-recommends', 'mariadb-server'], { env, logFile, timeoutMs: 20 * 60_000 });
  const installed = findMariaDb();
  if (!installed) throw new StackError('stack.provision_failed', `apt-get installed mariadb-server, but mariadbd, mariadb-install-db or mariadb is still not found (log: ${logFile})`);
  return installed;
}

/** A running Kill Bill with its tenant, and its MariaDB. */
export interface RunningKillBill {
  readonly url: string;
  readonly java: ServerProcess;
  readonly mariadb: ServerProcess;
  /** Headers of every request of the bench's tenant. */
  readonly headers: Readonly<Record<string, string>>;
  /** MariaDB's `Questions` counter: statements the server received (the bench's own readings included). */
  questions(): Promise<number>;
  /** Stops Kill Bill, then MariaDB, and removes the data folder. */
  stop(): Promise<void>;
}

const ADMIN = 'Basic ' + Buffer.from('admin:password').toString('base64');

/**
 * Provisions what is missing, then starts MariaDB on a fresh data folder under `workDir` and Kill Bill on it,
 * creates the bench's tenant, and returns when both answer. `onStarted` learns each process as soon as it is
 * spawned, so that a Ctrl-C during start-up stops it too.
 */
export async function startKillBill(options: { workDir: string; log: (line: string) => void; onStarted: (proc: ServerProcess) => void }): Promise<RunningKillBill> {
  const { workDir, log } = options;
  // Kill Bill runs on Java 17+ with `--add-opens`.
  const java = requireJava('bench:peer runs Kill Bill on Java 17 or newer', 'apt-get install openjdk-17-jre-headless, or point JAVA_HOME at a JDK 17+');
  const dist = await provisionKillBill(log);
  const maria = await ensureMariaDb(log);

  // MariaDB: its own data folder, socket and port, no binary log (Kill Bill does not need one; MariaDB's default).
  const dataDir = path.join(workDir, 'mariadb');
  const logDir = path.join(workDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const rootArgs = process.getuid?.() === 0 ? ['--user=root'] : [];
  await runToCompletion('mariadb-install-db', maria.installDb, ['--no-defaults', `--datadir=${dataDir}`, ...rootArgs, '--auth-root-authentication-method=normal', '--skip-test-db'], {
    logFile: path.join(logDir, 'mariadb-install.log'),
    timeoutMs: 120_000,
  });
  const dbPort = await freePort();
  const socket = path.join(workDir, 'mariadb.sock');
  const mariadb = startDetached(
    'MariaDB',
    maria.server,
    ['--no-defaults', `--datadir=${dataDir}`, ...rootArgs, `--port=${dbPort}`, '--bind-address=127.0.0.1', `--socket=${socket}`, `--pid-file=${path.join(workDir, 'mariadb.pid')}`],
    { logFile: path.join(logDir, 'mariadb.log'), marker: dataDir },
  );
  options.onStarted(mariadb);
  const sql = (statement: string): Promise<{ stdout: string }> => run(maria.client, ['--no-defaults', '-uroot', `--socket=${socket}`, '-N', '-B', '-e', statement], { timeout: 60_000 });
  await waitUntil('MariaDB to accept connections', async () => (await sql('SELECT 1')).stdout.trim() === '1', { timeoutMs: 60_000, process: mariadb });
  await sql(
    "CREATE DATABASE killbill; CREATE USER 'killbill'@'127.0.0.1' IDENTIFIED BY 'killbill'; GRANT ALL PRIVILEGES ON killbill.* TO 'killbill'@'127.0.0.1';",
  );
  await run(maria.client, ['--no-defaults', '-uroot', `--socket=${socket}`, 'killbill', '-e', `source ${dist.ddl}`], { timeout: 120_000 });

  // Kill Bill reads its settings only from this file (not from -D): the database, and one hash iteration of the
  // tenant's API secret per request instead of 200,000 (which alone made it 20× slower: issue 13).
  const jdbc = `jdbc:mysql://127.0.0.1:${dbPort}/killbill`;
  const properties = path.join(workDir, 'killbill.properties');
  fs.mkdirSync(path.join(workDir, 'bundles'), { recursive: true });
  fs.writeFileSync(
    properties,
    [
      `org.killbill.dao.url=${jdbc}`,
      'org.killbill.dao.user=killbill',
      'org.killbill.dao.password=killbill',
      `org.killbill.billing.osgi.dao.url=${jdbc}`,
      'org.killbill.billing.osgi.dao.user=killbill',
      'org.killbill.billing.osgi.dao.password=killbill',
      'org.killbill.security.shiroNbHashIterations=1',
      `org.killbill.osgi.bundle.install.dir=${path.join(workDir, 'bundles')}`,
      'org.killbill.server.multitenant=true',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  // Java 17 closes these packages; without sun.net.www.protocol.jar the tenant and payment services fail while the
  // health check still answers 200.
  const opens = ['java.base/sun.net.www.protocol.jar', 'java.base/java.lang', 'java.base/java.lang.reflect', 'java.base/java.util', 'java.base/java.net', 'java.base/java.io'].flatMap((pkg) => [
    '--add-opens',
    `${pkg}=ALL-UNNAMED`,
  ]);
  const server = startDetached(
    'Kill Bill',
    java,
    ['-Xms256m', '-Xmx1g', ...opens, `-Dorg.killbill.server.properties=file://${properties}`, '-jar', dist.jettyRunner, '--host', '127.0.0.1', '--port', String(port), '--path', '/', dist.war],
    { logFile: path.join(logDir, 'killbill.log'), marker: properties },
  );
  options.onStarted(server);
  const url = `http://127.0.0.1:${port}`;
  const admin = { authorization: ADMIN, 'x-killbill-createdby': 'bench-peer', 'content-type': 'application/json' };
  await waitUntil(
    'Kill Bill to answer its health check',
    async () => (await fetch(`${url}/1.0/healthcheck`, { signal: AbortSignal.timeout(5_000) })).status === 200,
    { timeoutMs: 5 * 60_000, intervalMs: 1000, process: server },
  );
  // Real readiness: a tenant is created (this fails while the health check passes when --add-opens is missing).
  const apiKey = 'bench-peer';
  const apiSecret = 'bench-peer-secret';
  const tenant = await fetch(`${url}/1.0/kb/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ apiKey, apiSecret }) });
  if (tenant.status !== 201) throw new StackError('stack.start_failed', `Kill Bill did not create the bench's tenant: ${tenant.status} ${(await tenant.text()).slice(0, 300)} (log: ${server.logFile})`);

  return {
    url,
    java: server,
    mariadb,
    headers: { ...admin, 'x-killbill-apikey': apiKey, 'x-killbill-apisecret': apiSecret },
    async questions() {
      const { stdout } = await sql("SHOW GLOBAL STATUS LIKE 'Questions'");
      return Number(stdout.trim().split(/\s+/)[1]);
    },
    async stop() {
      await stopProcess(server);
      await stopProcess(mariadb);
    },
  };
}
