/** A message for the log or the user from anything thrown, without a stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/**
 * For `.catch()` after reading an optional file: a missing file reads as empty, any other
 * failure (EACCES, EISDIR, ...) still rejects instead of passing for "no such file".
 */
export function emptyIfMissing(e: NodeJS.ErrnoException): Promise<string> {
  return e?.code === 'ENOENT' ? Promise.resolve('') : Promise.reject(e);
}

/**
 * A failure the user can act on: what failed (`message`) and what to do about it
 * (`nextStep`). The command wrapper shows both; anything else thrown is shown with its
 * message and a "Show Log" action.
 */
export class ActionableError extends Error {
  constructor(
    message: string,
    readonly nextStep?: string,
  ) {
    super(message);
    this.name = 'ActionableError';
  }
}

/** A user's cancel (a dismissed picker, a cancelled progress): not a failure to report. */
export function isCancellation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'Canceled' || err.name === 'Cancelled' || err.name === 'AbortError' || err.name === 'CancellationError';
}
