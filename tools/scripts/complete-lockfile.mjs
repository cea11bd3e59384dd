// Records, in package-lock.json, the platform-specific optional packages that npm left out.
//
// Why: the npm registry reachable from these machines does not serve every platform build (e.g. @swc/core-darwin-arm64
// answers 404). npm then drops those optional packages from the lockfile, and `npm ci` refuses the lockfile as out of
// sync ("Missing: … from lock file"). An entry with the package's os/cpu/libc lets npm ci skip it on other platforms
// without fetching it. Run after any install that rewrites the lockfile: `npm run lock:complete`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32', 'mips64el'];

/** The platform a binary package is for, read from its name (`@swc/core-linux-arm-gnueabihf` → linux, arm, glibc). */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => OS.includes(part));
  const cpu = parts.find((part) => CPU.includes(part));
  if (!os || !cpu) return undefined;
  const libc = parts.some((part) => part.startsWith('musl')) ? 'musl' : parts.some((part) => part.startsWith('gnu')) ? 'glibc' : undefined;
  return { os: [os], cpu: [cpu], ...(os === 'linux' && libc ? { libc: [libc] } : {}) };
}

const file = join(import.meta.dirname, '..', '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const added = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? '' : `${path}/`;
    // Resolution looks in the package's own node_modules, then up to the root one.
    const candidates = [`${base}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((candidate) => lock.packages[candidate])) continue;
    const platform = platformOf(name);
    if (!platform) throw new Error(`${name} (optional dependency of ${path || 'the root'}) is not in the lockfile and its platform cannot be told from its name`);
    lock.packages[`node_modules/${name}`] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
    added.push(`${name}@${version}`);
  }
}
if (added.length > 0) {
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([left], [right]) => (left === '' ? -1 : right === '' ? 1 : left.localeCompare(right))));
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(added.length > 0 ? `package-lock.json: recorded ${added.length} platform package(s): ${added.join(', ')}` : 'package-lock.json: complete');
