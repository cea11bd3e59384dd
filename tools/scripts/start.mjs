// `npm start`: the local stack (reused when it already runs, else started: FerretDB and Keycloak, built or fetched on
// first use), then the API in the foreground with its docs site. Ctrl-C stops the API; `npm run stack:down` stops
// the stack. MONGO_URL and KEYCLOAK_URL in the environment point at existing servers instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node.js ${process.versions.node} is too old: install Node.js 20.19 or newer (https://nodejs.org or your package manager).`);
  process.exit(1);
}

function readEnvFile(file) {
  if (!fs.existsSync(file)) return {};
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter(Boolean)
      .map(([, name, value]) => [name, value]),
  );
}

if (!process.env.MONGO_URL || !process.env.KEYCLOAK_URL) {
  // The stack's own messages say what is missing (Go to build FerretDB, Java 17+ for Keycloak) and how to install it.
  const up = spawnSync(process.execPath, [path.join(root, 'tools/stack/bin/stack.js'), 'up'], { stdio: 'inherit', env: process.env });
  if (up.status !== 0) process.exit(up.status ?? 1);
}
// On the local stack, webhook receivers run on this machine: plain http to loopback is allowed (never in production).
const env = { WEBHOOK_INSECURE_TENANTS: '*', ...readEnvFile(path.join(root, '.stack/stack.env')), ...process.env };

require(path.join(root, 'tools/scripts/register-ts.js'));
const { serve } = require(path.join(root, 'apps/api/src/main.ts'));
const { demoRealm } = require('@invoicing/stack');

const served = await serve(env).catch((error) => {
  console.error(`The API could not start: ${error instanceof Error ? error.message : error}`);
  return undefined;
});
if (!served) process.exit(1);

const { config, api } = served;
const realm = demoRealm();
const lines = [
  '',
  `Invoicing API        ${api.url}/v1`,
  `Docs (try it out)    ${config.publicUrl}/docs      sign in with "Authorize" as a demo user below`,
  `Business guide       ${config.publicUrl}/docs/guide`,
  `OpenAPI document     ${config.publicUrl}/openapi.json`,
  `Health               ${api.url}/health/ready`,
  '',
  `Demo users (realm ${config.keycloakRealm}):`,
  ...realm.users.map((user) => `  ${user.username.padEnd(18)} password ${user.password.padEnd(6)} tenant ${user.tenant.padEnd(7)} role ${user.roles.join(', ')}`),
  'Integrator clients (client-credentials grant):',
  ...realm.integrators.map((client) => `  ${client.clientId.padEnd(18)} secret ${client.clientSecret.padEnd(24)} tenant ${client.tenant}`),
  '',
  'Ctrl-C stops the API; `npm run stack:down` stops FerretDB and Keycloak.',
  '',
];
process.stderr.write(`${lines.join('\n')}\n`);
