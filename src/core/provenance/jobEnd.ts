// How a cluster job ended in the engine's words, for the provenance of a job whose own
// epilogue never ran (killed at its time limit, cancelled, its node lost). Apart from
// jobProvenance.ts so the Jobs view's glue reads it without loading the capture code.

export interface JobEnd {
  exitCode?: number;
  /** `killed by Slurm: TIMEOUT`. */
  reason?: string;
  /** Ended by the engine (time limit, cancel): the reason stands even beside an epilogue's status. */
  killed?: boolean;
}

/**
 * A job that did not end COMPLETED, as the engine reports it (`raw`: Slurm's `TIMEOUT`,
 * `CANCELLED`, `FAILED`...; `exitCode`/`signal` from its `ExitCode=status:signal`).
 */
export function engineEnd(engine: string, job: { raw: string; exitCode?: number; signal?: number }): JobEnd {
  const state = job.raw.split(/\s/)[0] || 'unknown';
  const signal = job.signal ? ` (signal ${job.signal})` : '';
  const exit = job.exitCode !== undefined ? { exitCode: job.exitCode } : {};
  // FAILED is the command's own non-zero status (or the script's): not a kill.
  return state === 'FAILED' ? { ...exit, reason: `failed (${engine}: ${state}${signal})` } : { ...exit, reason: `killed by ${engine}: ${state}${signal}`, killed: true };
}
