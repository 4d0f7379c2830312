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

// Marks an ActionableError whichever bundle's copy of the class made it (registered: one symbol per process).
const ACTIONABLE = Symbol.for('mlops.ActionableError');

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
    Object.defineProperty(this, ACTIONABLE, { value: true });
  }
}

/**
 * Whether `err` is an ActionableError, whichever copy of the class made it: each bundle
 * loaded on first use (dist/lazy/) carries its own, and the command wrapper of one must still
 * find the next step of an error thrown by another (a cluster backend in jobsLib.js, caught
 * by a command of jobsFeature.js), where `instanceof` answers false.
 */
export function isActionableError(err: unknown): err is ActionableError {
  return typeof err === 'object' && err !== null && (err as { [ACTIONABLE]?: boolean })[ACTIONABLE] === true;
}

/** A user's cancel (a dismissed picker, a cancelled progress): not a failure to report. */
export function isCancellation(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'Canceled' || err.name === 'Cancelled' || err.name === 'AbortError' || err.name === 'CancellationError';
}
