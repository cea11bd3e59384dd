import fs from 'node:fs';
import { stopStack } from '../stack';

/** Jest global teardown: stops what the global setup started for this run (nothing it reused) and removes its data. */
export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__INVOICING_TEST_STACK__;
  if (!stack) return;
  globalThis.__INVOICING_TEST_STACK__ = undefined;
  await stopStack(stack.processes);
  fs.rmSync(stack.tempDir, { recursive: true, force: true });
}
