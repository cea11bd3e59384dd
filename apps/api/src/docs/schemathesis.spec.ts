import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureSchemathesis, type SchemathesisCommand } from '@invoicing/stack';
import { startTestApi, type TestApi } from '../testing/harness';
import { DOCUMENT_PATH } from './site-layout';

/** The configuration and hooks of the run: what the document cannot state, each with why. */
const CONFIG_DIR = path.join(__dirname, 'schemathesis');
/** Test cases per operation and phase: enough to walk every schema, bounded for CI's 2 cores (about a minute). */
const MAX_EXAMPLES = 20;
/**
 * The coverage phase (boundary values of every keyword, not bounded by MAX_EXAMPLES) takes 1–4 minutes on 2 cores:
 * run it by hand (README, "Contract test").
 */
const PHASES = 'examples,fuzzing,stateful';
/** The same cases every run, so a failure is reproducible and a green run stays green. */
const SEED = 20261204;
const TIMEOUT_MS = 170_000;

/** What the run printed and how it ended. */
interface Run {
  readonly code: number | null;
  readonly output: string;
}

function schemathesis(st: SchemathesisCommand, args: readonly string[], scratch: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Hypothesis keeps its files in .hypothesis/ of the working directory unless told otherwise.
    const env = { ...process.env, ...st.env, HYPOTHESIS_STORAGE_DIRECTORY: scratch, NO_COLOR: '1', PYTHONUNBUFFERED: '1' };
    const child = spawn(st.command, [...st.args, ...args], { cwd: CONFIG_DIR, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The API's contract (issue 12): Schemathesis, with every check and its stateful phase (the document's links), runs
 * against the real API, signed in as a tenant's admin, and finds nothing. Everything a schema can say of a request
 * the document says, so cases it calls valid are accepted and those it calls invalid refused.
 */
describe('the API against its OpenAPI document (Schemathesis)', () => {
  let t: TestApi;
  let st: SchemathesisCommand;
  let scratch: string;
  beforeAll(async () => {
    st = ensureSchemathesis();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'schemathesis-'));
    // The fuzzer sends thousands of requests from one address and client; the limits are tested elsewhere.
    t = await startTestApi('schemathesis', { RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_CLIENT: '1000000', RATE_LIMIT_PER_TENANT: '1000000', REQUEST_TIMEOUT_MS: '120000' });
  }, 600_000);
  afterAll(async () => {
    await t?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it(
    'finds no failure with all checks',
    async () => {
      const run = await schemathesis(st, [
        '--config-file', 'schemathesis.toml',
        'run', `${t.url}${DOCUMENT_PATH}`,
        '--url', t.url,
        '--checks', 'all',
        '--phases', PHASES,
        '--max-examples', String(MAX_EXAMPLES),
        '--seed', String(SEED),
        '--workers', '1',
        '--no-shrink',
        '--header', `Authorization: Bearer ${await t.token('acme-admin')}`,
      ], scratch);
      if (run.code !== 0) console.log(run.output);
      expect(run.code).toBe(0);
    },
    TIMEOUT_MS,
  );
});
