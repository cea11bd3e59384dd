import { ConfigError, loadConfig, type ApiConfig } from './config';
import { startApi, type RunningApi } from './api';

/**
 * Starts the API from an environment's settings and stops it on SIGINT/SIGTERM. Returns undefined (after printing
 * every problem) when the configuration is wrong.
 */
export async function serve(env: Readonly<Record<string, string | undefined>>): Promise<{ api: RunningApi; config: ApiConfig } | undefined> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\nSee the README, "Configuration".`);
      return undefined;
    }
    throw error;
  }
  const api = await startApi(config);
  api.logger.info({ url: api.url, docs: `${config.publicUrl}/docs` }, 'invoicing API started');
  const stop = (signal: string) => {
    api.logger.info({ signal }, 'stopping');
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        api.logger.error({ err: error }, 'could not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { api, config };
}

/** `node tools/scripts/run-ts.js apps/api/src/main.ts`: the API in the foreground, configured by the environment. */
export async function main(): Promise<number> {
  const served = await serve(process.env);
  if (!served) return 1;
  return new Promise<number>(() => undefined);
}
