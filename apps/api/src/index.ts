/**
 * `@invoicing/api` as a library: the API started in the caller's own process, for the benchmark that measures it
 * (`npm run bench:api`). `main.ts` is how it runs as a service. No other project imports an app: the lint rule allows
 * this entry to `bench/` only.
 * @packageDocumentation
 */
export { startApi, type ApiOptions, type RunningApi } from './api';
export { ConfigError, loadConfig, type ApiConfig } from './config';
export { DATABASE } from './composition/tokens';
