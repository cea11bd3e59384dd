/** Stable codes of the failures a stack command can report. */
export type StackErrorCode =
  | 'stack.missing_tools'
  | 'stack.provision_failed'
  | 'stack.start_failed'
  | 'stack.timeout'
  | 'stack.unreachable'
  | 'stack.not_configured';

/**
 * A failure of the local stack that a person can act on: the message says what to do,
 * `logTail` carries the last lines of the failing server's or build's log when there is one.
 */
export class StackError extends Error {
  constructor(
    readonly code: StackErrorCode,
    message: string,
    readonly logTail?: string,
  ) {
    super(logTail ? `${message}\n--- last lines of the log ---\n${logTail}` : message);
    this.name = 'StackError';
  }
}
