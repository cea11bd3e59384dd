// What a benchmark started and must undo, in reverse order, once: at its end or on Ctrl-C / SIGTERM.
export { dropDatabase } from '@invoicing/integration/mongodb';

export interface Undo {
  /** Registers a step, undone before the ones registered earlier. */
  push(step: { readonly what: string; readonly step: () => Promise<unknown> }): void;
  /** Undoes every step (once, whoever asks first) and stops listening for signals. */
  run(): Promise<void>;
}

/**
 * Starts listening for SIGINT and SIGTERM: either one undoes every step, then exits with 130. A step that fails is
 * reported and the others still run.
 */
export function startUndo(name: string, onSignal = 'cleaning up'): Undo {
  const steps: { what: string; step: () => Promise<unknown> }[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const { what, step } of steps.reverse()) await step().catch((error: unknown) => console.error(`${name}: could not ${what}: ${(error as Error).message}`));
    })());
  const interrupted = (signal: NodeJS.Signals): void => {
    console.error(`\n${name}: ${signal}, ${onSignal}`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    push: (step) => void steps.push(step),
    async run() {
      await cleanUp();
      process.removeListener('SIGINT', interrupted);
      process.removeListener('SIGTERM', interrupted);
    },
  };
}
