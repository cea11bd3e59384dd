/** Exit codes of `invoicing`: what scripts branch on. */
export const EXIT = {
  /** Everything was done. */
  ok: 0,
  /** Something could not be done: a file or request refused, an invalid e-invoice, the API or the network failing. */
  failed: 1,
  /** Done, but some rows of an import were refused: see the error report. */
  refusedRows: 2,
  /** Stopped by Ctrl-C. */
  interrupted: 130,
} as const;

/** Where a command writes: results to stdout (JSON with `--json`), messages and progress to stderr. */
export interface Output {
  readonly json: boolean;
  /** A result: printed as text, or gathered as one JSON value printed at the end. */
  result(text: string, value: unknown): void;
  /** A message for people (progress, warnings): stderr, and never in JSON output. */
  note(text: string): void;
  /** Prints what was gathered (JSON mode); after a command that failed, only if it gathered something. */
  end(failed?: boolean): void;
}

export function createOutput(json: boolean, streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Output {
  const values: unknown[] = [];
  return {
    json,
    result(text, value) {
      if (json) values.push(value);
      else streams.stdout.write(`${text}\n`);
    },
    note(text) {
      streams.stderr.write(`${text}\n`);
    },
    end(failed = false) {
      if (json && !(failed && values.length === 0)) streams.stdout.write(`${JSON.stringify(values.length === 1 ? values[0] : values, null, 2)}\n`);
    },
  };
}
