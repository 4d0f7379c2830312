// How a cluster job ended in the engine's words, for the provenance of a job whose own
// epilogue never ran (killed at its time limit, cancelled, its node lost). Apart from
// jobProvenance.ts so the Jobs view's glue reads it without loading the capture code.
import type { RemoteFs } from '../jobs/sync/remoteFs';
import { JOB_FREEZE_CAP, jobEnvFile } from './jobScript';

/** The node's measurements file: pip freeze is cut at JOB_FREEZE_CAP on the node; room for the rest. */
export const JOB_ENV_READ_CAP = JOB_FREEZE_CAP + 64 * 1024;

/**
 * A Slurm job's measurements file (`<job folder>/.mlops/jobs/mlops-env-<id>.txt`), read over
 * SFTP, at most JOB_ENV_READ_CAP (larger: not ours, throws); undefined when the node wrote none.
 */
export async function readSlurmJobEnv(fs: Pick<RemoteFs, 'readFile'>, remoteDir: string, jobId: string): Promise<string | undefined> {
  return (await fs.readFile(`${remoteDir.replace(/\/+$/, '')}/${jobEnvFile(jobId)}`, JOB_ENV_READ_CAP))?.toString('utf8');
}

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
