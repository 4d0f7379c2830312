// What happens around every command, without the editor: time it, log it, report it
// (telemetry: the id, the outcome and the time only), and turn a failure into one message
// with a next step. commandWrapper.ts binds this to vscode.commands.
import { errorMessage, isActionableError, isCancellation } from '../core/common/errors';

export type CommandOutcome = 'ok' | 'error' | 'cancelled';

/** What the runner needs from the editor; the wrapper passes the real ones, tests their own. */
export interface CommandSink {
  debug(line: string): void;
  error(line: string): void;
  /** Telemetry: no arguments, no paths; `command` is the id with `mlops.` dropped. */
  event(properties: { command: string; outcome: CommandOutcome }, measurements: { ms: number }): void;
  /** The failure for the user: `message` with the next step, and a "Show Log" action. */
  showFailure(message: string): void;
}

/** The id as a telemetry value: `mlops.runs.refresh` → `runs_refresh` (dots read as file names). */
export function commandTelemetryId(id: string): string {
  return id.replace(/^mlops\./, '').replace(/\./g, '_');
}

/** The message a failed command shows: what failed, then what to do next. */
export function failureMessage(id: string, err: unknown): string {
  const what = errorMessage(err).trim() || `${id} failed`;
  const next = isActionableError(err) && err.nextStep ? err.nextStep.trim() : 'See the MLOps Workbench log for details.';
  return `${what.replace(/[.\s]+$/, '')}. ${next}`;
}

/** Runs one invocation of command `id`; never rejects (a command's error is shown, not thrown at VS Code). */
export async function runCommand<T>(id: string, fn: () => T | Promise<T>, sink: CommandSink, now: () => number = () => performance.now()): Promise<T | undefined> {
  const start = now();
  let outcome: CommandOutcome = 'ok';
  try {
    return await fn();
  } catch (err) {
    if (isCancellation(err)) {
      outcome = 'cancelled';
      return undefined;
    }
    outcome = 'error';
    const stack = err instanceof Error && err.stack && !isActionableError(err) ? `\n${err.stack}` : '';
    sink.error(`${id} failed: ${errorMessage(err)}${stack}`);
    sink.showFailure(failureMessage(id, err));
    return undefined;
  } finally {
    const ms = now() - start;
    sink.debug(`${id}: ${outcome} in ${ms.toFixed(0)} ms`);
    sink.event({ command: commandTelemetryId(id), outcome }, { ms });
  }
}
