import { ConfigError, loadConfig } from './config';
import { startApi } from './api';

/** `node tools/scripts/run-ts.js apps/api/src/main.ts`: starts the API from the environment's settings. */
export async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const api = await startApi(config);
  api.logger.info({ url: api.url }, `Invoicing API on ${api.url}; docs on ${config.publicUrl}/docs`);
  const stop = async () => {
    await api.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return new Promise<number>(() => undefined);
}
