// What the specs of the database scripts share: a database of their own on the stack's server, named to the script
// through MONGO_URL as a user would, and a way to run a script's main and read what it printed.
import { afterAll, beforeAll, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { connectMongo, type MongoConnection } from '@invoicing/integration/mongodb';
import { readEnvFile, stackEnvFile } from '@invoicing/stack';

/** Runs a script's `main`, answering its exit code and everything it printed (stdout and stderr, in order). */
export async function runScript(main: (args: string[]) => Promise<number>, args: string[] = []): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
  try {
    return { code: await main(args), out: lines.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/**
 * A fresh database `<prefix>_<random>` for the spec file, set as MONGO_URL while it runs and dropped after it.
 * @returns the connection to it, usable once `beforeAll` ran
 */
export function useScriptDatabase(prefix: string): { readonly mongo: () => MongoConnection } {
  const serverUrl = process.env.MONGO_URL || readEnvFile(stackEnvFile).MONGO_URL;
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  let mongo: MongoConnection | undefined;
  let previousUrl: string | undefined;
  beforeAll(async () => {
    if (!serverUrl) throw new Error('no MONGO_URL and no running stack (npm run stack:up)');
    mongo = await connectMongo({ url: serverUrl, dbName });
    previousUrl = process.env.MONGO_URL;
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    process.env.MONGO_URL = url.toString();
  });
  afterAll(async () => {
    if (previousUrl === undefined) delete process.env.MONGO_URL;
    else process.env.MONGO_URL = previousUrl;
    await mongo?.connection.dropDatabase();
    await mongo?.close();
  });
  return {
    mongo: () => {
      if (!mongo) throw new Error('the database is opened in beforeAll');
      return mongo;
    },
  };
}
