/**
 * @invoicing/stack: provisions and runs the real local stack (FerretDB on SQLite, Keycloak) for `npm start`,
 * test suites and benchmarks. See tools/stack/README.md.
 */
export { readStackEnv, readEnvFile, writeEnvFile, parseEnvFile, formatEnvFile, DEFAULT_REALM, type StackEnv } from './stack-env';
export { startStack, stopStack, redactUrl, type StackHandle, type StartStackOptions, type ServiceSource } from './stack';
export { StackError, type StackErrorCode } from './stack.errors';
export { FERRETDB_VERSION, probeMongo, provisionFerretDb, startFerretDb, type RunningFerretDb } from './ferretdb';
export { KEYCLOAK_VERSION, probeKeycloak } from './keycloak';
export {
  passwordGrant,
  clientCredentialsGrant,
  decodeJwtPayload,
  realmUrl,
  TokenRequestError,
  type RealmLocation,
  type TokenResponse,
} from './keycloak-tokens';
export {
  demoRealm,
  demoUser,
  integratorClient,
  API_AUDIENCE,
  DEV_CLIENT_ID,
  DOCS_CLIENT_ID,
  TENANT_CLAIM,
  type DemoRealm,
  type DemoUser,
  type IntegratorClient,
} from './demo-realm';
export { allowClientOrigin, getClient, keycloakAdminToken, KeycloakAdminError, STACK_KEYCLOAK_ADMIN, type KeycloakAdminCredentials } from './keycloak-admin';
export { cacheDir, stackEnvFile } from './paths';
export { ensureSchemathesis, SCHEMATHESIS_VERSION, type SchemathesisCommand } from './schemathesis';
export { findPostgresBin, startPostgres, type RunningPostgres } from './postgresql';
export { freePort, isOurs, logTail, runToCompletion, startDetached, stopProcess, waitUntil, type ServerProcess } from './processes';
export { copyMavenArtifact, javaExecutable, requireJava, requireTools, which } from './toolchain';
