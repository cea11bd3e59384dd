import fs from 'node:fs';
import path from 'node:path';
import { API_AUDIENCE, TENANT_CLAIM, demoRealm, demoUser } from './demo-realm';
import { decodeJwtPayload, passwordGrant, realmUrl, type RealmLocation } from './keycloak-tokens';
import { realmFile } from './paths';
import { freePort, runToCompletion, startDetached, stopProcess, waitUntil, type ServerProcess } from './processes';

/** The Keycloak release the stack runs (a current 26.x; runs on Java 17, see docs/adr/0003). */
export const KEYCLOAK_VERSION = '26.7.4';
/** Pinned so that a cold machine resolves the same plugin every time. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/** Where the unpacked distribution lives in the cache; `bin/kc.sh` there means provisioning is done. */
export function keycloakHome(cache: string): string {
  return path.join(cache, 'keycloak', `keycloak-${KEYCLOAK_VERSION}`);
}

/**
 * Fetches `org.keycloak:keycloak-quarkus-dist:<version>:zip` from Maven Central into the Maven cache and
 * unpacks it once into the stack cache (Maven's `dependency:unpack` does both and keeps the scripts'
 * execute bits). Unpacked beside the target and renamed into place, so a half-unpacked tree is never used.
 */
export async function provisionKeycloak(cache: string, log: (line: string) => void): Promise<string> {
  const home = keycloakHome(cache);
  if (fs.existsSync(path.join(home, 'bin', 'kc.sh'))) return home;
  const root = path.dirname(home);
  fs.mkdirSync(root, { recursive: true });
  const logFile = path.join(root, 'download.log');
  const work = fs.mkdtempSync(path.join(root, '.unpack-'));
  log(`Downloading Keycloak ${KEYCLOAK_VERSION} from Maven Central (first run only; log: ${logFile})`);
  try {
    await runToCompletion(
      `Downloading Keycloak ${KEYCLOAK_VERSION}`,
      'mvn',
      ['-B', '-q', `${DEPENDENCY_PLUGIN}:unpack`, `-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`, `-DoutputDirectory=${work}`],
      { cwd: work, logFile, timeoutMs: 20 * 60_000 }, // cwd without a pom.xml: Maven runs the goal stand-alone
    );
    try {
      fs.renameSync(path.join(work, `keycloak-${KEYCLOAK_VERSION}`), home);
    } catch (error) {
      // Another run unpacked it meanwhile: theirs is as good as ours.
      if (!fs.existsSync(path.join(home, 'bin', 'kc.sh'))) throw error;
    }
    return home;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch((error: Error & { cause?: Error }) => {
    throw new Error(`GET ${url}: ${error.cause?.message ?? error.message}`); // fetch's own message is only "fetch failed"
  });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

/**
 * Readiness of a realm: its OIDC discovery document and JWKS answer; with `demoToken`, a password-grant token
 * of the acme admin carries role `admin`, tenant `acme` and audience `invoicing-api` (proves the realm import).
 * @throws Error saying which step failed.
 */
export async function probeKeycloak(location: RealmLocation, options: { demoToken?: boolean } = {}): Promise<void> {
  const discovery = (await getJson(`${realmUrl(location)}/.well-known/openid-configuration`)) as { issuer?: string; jwks_uri?: string };
  if (!discovery.jwks_uri) throw new Error('the discovery document has no jwks_uri');
  const jwks = (await getJson(discovery.jwks_uri)) as { keys?: unknown[] };
  if (!jwks.keys?.length) throw new Error('the JWKS holds no key');
  if (!options.demoToken) return;
  const admin = demoUser('acme', 'admin');
  const claims = decodeJwtPayload((await passwordGrant(location, admin)).access_token);
  const roles = (claims.realm_access as { roles?: string[] } | undefined)?.roles ?? [];
  const audience = ([] as unknown[]).concat(claims.aud ?? []);
  if (!roles.includes('admin') || claims[TENANT_CLAIM] !== 'acme' || !audience.includes(API_AUDIENCE)) {
    throw new Error(`the token of ${admin.username} lacks role admin, tenant acme or audience ${API_AUDIENCE}: ${JSON.stringify(claims)}`);
  }
}

/** A running Keycloak and its base URL (without `/realms/…`). */
export interface RunningKeycloak {
  process: ServerProcess;
  url: string;
}

async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  let second = await freePort();
  while (second === first) second = await freePort();
  return [first, second];
}

/**
 * Runs `kc.sh start-dev` on free loopback ports (HTTP and management), health enabled, its H2 database and
 * transaction logs in `dataDir`, importing the repository's realm file (Keycloak skips a realm that exists,
 * so a kept database keeps its changes). Waits until {@link probeKeycloak} passes with a demo token.
 */
export async function startKeycloak(options: { home: string; dataDir: string; logFile: string; timeoutMs?: number; onSpawn?: (proc: ServerProcess) => void }): Promise<RunningKeycloak> {
  const importDir = path.join(options.dataDir, 'import');
  fs.mkdirSync(importDir, { recursive: true });
  fs.copyFileSync(realmFile, path.join(importDir, path.basename(realmFile))); // Keycloak wants <realm>-realm.json
  const [port, managementPort] = await twoFreePorts();
  const url = `http://127.0.0.1:${port}`;
  const kcSh = path.join(options.home, 'bin', 'kc.sh');
  const proc = startDetached(
    'Keycloak',
    kcSh,
    [
      'start-dev',
      '--http-host=127.0.0.1',
      `--http-port=${port}`,
      `--hostname=${url}`, // a fixed issuer, whichever name a client uses to reach the server
      `--http-management-port=${managementPort}`,
      '--health-enabled=true',
      `--db-url=jdbc:h2:file:${path.join(options.dataDir, 'h2', 'keycloakdb')};NON_KEYWORDS=VALUE`,
      // What --import-realm does, but from our folder: --import-realm only reads <kc home>/data/import, and the
      // home is the shared cache. Likewise the transaction logs would land in the home's data/ folder.
      `-Dkeycloak.migration.dir=${importDir}`,
      `-Dquarkus.transaction-manager.object-store.directory=${path.join(options.dataDir, 'transaction-logs')}`,
    ],
    {
      cwd: options.dataDir,
      logFile: options.logFile,
      marker: options.home, // after a re-augmentation kc.sh execs java in place; both name the home
      env: { ...process.env, KC_BOOTSTRAP_ADMIN_USERNAME: 'admin', KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin' },
    },
  );
  options.onSpawn?.(proc);
  const location = { keycloakUrl: url, realm: demoRealm().realm };
  try {
    await waitUntil(
      'Keycloak served realm invoicing (discovery, JWKS and a demo token)',
      () => probeKeycloak(location, { demoToken: true }).then(() => true),
      // The first start after unpacking also re-augments the distribution for dev mode: minutes on 2 cores.
      { timeoutMs: options.timeoutMs ?? 300_000, intervalMs: 1_000, process: proc },
    );
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
  return { process: proc, url };
}
