import { connectMongo, createMongoAdapters, createMongoBillingAdapters, createMongoEventAdapters } from '@invoicing/integration/mongodb';
import pino from 'pino';
import { createEventRelay } from './api';
import { ConfigError, loadConfig } from './config';

/**
 * `npm run worker`: the event relay in a process of its own (the outbox to the event log and webhooks, the sealing of
 * issued documents), for deployments that run the API with `EVENTS_RELAY=off`. Configured by the same environment as
 * the API; several workers (and APIs) may run at once: one at a time holds the relay's lease. Stops on SIGINT/SIGTERM.
 */
export async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\nSee the README, "Configuration".`);
      return 1;
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'invoicing-worker' } });
  const database = await connectMongo({ url: config.mongoUrl, dbName: config.mongoDb, serverSelectionTimeoutMs: config.timeouts.databaseSelectionMs, socketTimeoutMs: config.timeouts.databaseSocketMs });
  const adapters = createMongoAdapters(database);
  await adapters.ensureIndexes();
  await createMongoBillingAdapters(database).ensureIndexes();
  const relay = createEventRelay(config, logger, adapters, createMongoEventAdapters(database, { sealer: adapters.sealer }));
  relay.start();
  logger.info('event relay started');
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      relay
        .stop()
        .then(() => database.close())
        .then(
          () => resolve(0),
          (error: unknown) => {
            logger.error({ err: error }, 'could not stop cleanly');
            resolve(1);
          },
        );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
