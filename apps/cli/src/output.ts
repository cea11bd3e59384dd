/** Exit codes of `invoicing`: what scripts branch on. */
export const EXIT = {
  /** Everything was done. */
  ok: 0,
  /** Something could not be done: a file or request refused, an invalid e-invoice, the API or the network failing. */
  failed: 1,
  /** Done, but some rows of an import were refused: see the error report. */
  refusedRows: 2,
  /** An import was started but could not be followed to its end (token expired, network): it goes on in the API, and the output names it. */
  importGoesOn: 3,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;

/** An error of the command line itself, with a stable code for `--json` output (see the README). */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error as `--json` prints it: its stable code (the API's, the file reader's, Node's `ENOENT` …) and message. */
export function problemOf(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return { code: typeof code === 'string' ? code : 'cli.failed', message: error instanceof Error ? error.message : String(error) };
}

/** Where a command writes: results to stdout (JSON with `--json`), messages and progress to stderr. */
export interface Output {
  readonly json: boolean;
  /** A result: printed as text, or gathered into the JSON printed at the end. */
  result(text: string, value: unknown): void;
  /** A message for people (progress, warnings): stderr, and never in JSON output. */
  note(text: string): void;
  /** Prints what was gathered (JSON mode). */
  end(): void;
  /** Says why the command failed: on stderr, and as `{error: {code, message}}` in JSON mode (with what was gathered). */
  fail(error: unknown): void;
}

/**
 * The output of a command. `--json` prints one value whose shape depends on the command only, never on how many
 * files it was given: a list for a command of `many` files or invoices, else the one result.
 */
export function createOutput(json: boolean, shape: 'many' | 'one', streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Output {
  const values: unknown[] = [];
  const print = (value: unknown) => streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return {
    json,
    result(text, value) {
      if (json) values.push(value);
      else streams.stdout.write(`${text}\n`);
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
    end() {
      if (json && (shape === 'many' || values.length > 0)) print(shape === 'many' ? values : values[0]);
    },
    fail(error) {
      const problem = problemOf(error);
      streams.stderr.write(`invoicing: ${problem.message}\n`);
      if (json) print({ error: problem, ...(values.length > 0 ? { results: values } : {}) });
    },
  };
}

/** Says how far a command of several files or invoices got before Ctrl-C, and answers its exit code. */
export function stopped(out: Output, done: number, total: number, what: string): number {
  out.note(`stopped after ${done} of ${total} ${what}`);
  return EXIT.interrupted;
}
