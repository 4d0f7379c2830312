// What comes home when a job submitted from here ends, decided from what was expected of it
// at submit and its end as the Jobs view sees it; no I/O (extension/jobs/results.ts does it).
// - An MLflow entry point (however it ended): its runs named in its log are tagged with the
//   job, and with its provenance when that is on (the engine's end beside it unless COMPLETED).
// - A stage or experiment job that ended COMPLETED: its result paths, and the node's
//   measurements file when provenance is on (joined into provenance.json).
// - One that ended otherwise, provenance on: only provenance.json, with the engine's end
//   ("killed by Slurm: TIMEOUT", "failed (Ray: FAILED)"); its partial outputs stay there.
// - Otherwise nothing comes home.
import type { L10n } from '../../common/l10n';
import { engineEnd, type JobEnd } from '../../provenance/jobEnd';
import { jobEnvFile } from '../../provenance/jobScript';
import type { ClusterJob, JobRecord } from '../types';

export interface ExpectedResult {
  cluster: string;
  jobId: string;
  /** The job's folder on the cluster. */
  remoteDir: string;
  /** Relative to remoteDir. */
  paths: string[];
  /** Cached outputs, relative to remoteDir: only their TensorBoard event files come home. */
  eventPaths?: string[];
  /** The workspace folder the results land under (in .mlops/jobs). */
  localRoot: string;
  what: string;
  /** A job array: every task writes the same files, so there is no one result to bring. */
  array: boolean;
  /** Where code sync wrote the project (its manifest): files it wrote that the job left as they were are not results. */
  remoteRoot?: string;
  /** A Ray job: its folder is gone with it; it printed the results into its log. */
  fromLog?: boolean;
  /** An MLflow entry point: no files come home; its runs (named in its Ray log / Slurm output file) are linked to the job where the Runs view lists them. */
  mlflowRuns?: boolean;
  /** Its provenance's local half is in the results folder; the node's measurements come home too. */
  provenance?: boolean;
}

/** A job's end as the Jobs view's snapshot says it. */
export type JobEndSeen = Pick<ClusterJob | JobRecord, 'state' | 'raw' | 'exitCode' | 'signal'>;

/** What to do for a job that ended. */
export type EndStep =
  /** Tag the runs its log names; `provenance`: join and tag the provenance too (`ended` absent for COMPLETED). */
  | { kind: 'linkRuns'; provenance?: { ended?: JobEnd } }
  /** Copy `paths` (relative to its folder, or from its Ray log) home; `envFile`: the measurements among them, joined into provenance.json. */
  | { kind: 'fetch'; paths: string[]; envFile?: string }
  /** Only provenance.json, with the engine's end. */
  | { kind: 'provenance'; ended: JobEnd }
  /** Nothing to bring home (logged). */
  | { kind: 'nothing' };

/** The engine that ran the job, in the words of its end reason. */
export const engineName = (r: Pick<ExpectedResult, 'fromLog'>): 'Ray' | 'Slurm' => (r.fromLog ? 'Ray' : 'Slurm');

/** The node's measurements file, relative to the job's folder: a Slurm job names it by its id; a Ray job's ran in a private copy of its folder. */
export const envFileOf = (r: Pick<ExpectedResult, 'fromLog' | 'jobId'>): string => (r.fromLog ? jobEnvFile() : jobEnvFile(r.jobId));

export function endStep(r: ExpectedResult, end: JobEndSeen): EndStep {
  const completed = end.state === 'completed';
  const ended = completed ? undefined : engineEnd(engineName(r), end);
  // A failed or stopped entry point made its run too (marked FAILED / KILLED by MLflow).
  if (r.mlflowRuns) return { kind: 'linkRuns', ...(r.provenance ? { provenance: ended ? { ended } : {} } : {}) };
  if (completed) return r.provenance ? { kind: 'fetch', paths: [...r.paths, envFileOf(r)], envFile: envFileOf(r) } : { kind: 'fetch', paths: r.paths };
  return ended && r.provenance ? { kind: 'provenance', ended } : { kind: 'nothing' };
}

/** After a COMPLETED job's results came: what to tell the user, and whether the Runs view has a new run to show. */
export function fetchedMessage(l10n: L10n, r: Pick<ExpectedResult, 'jobId' | 'what' | 'cluster'>, files: number): { message: string; refreshRuns: boolean } {
  return files
    ? { message: l10n.t('job {0} ({1}) on {2} completed; its results are in the Runs view.', r.jobId, r.what, r.cluster), refreshRuns: true }
    : { message: l10n.t('job {0} ({1}) on {2} completed; it wrote no run files to bring home.', r.jobId, r.what, r.cluster), refreshRuns: false };
}

/** After an entry point's runs were tagged where the Runs view lists them (`tagged`), or not found there (`notListed`). */
export function linkedMessage(l10n: L10n, r: Pick<ExpectedResult, 'jobId' | 'what' | 'cluster'>, raw: string, found: { tagged: readonly string[]; notListed: readonly string[] }): string {
  return found.tagged.length
    ? l10n.t('job {0} ({1}) on {2} ended {3}; its MLflow run is in the Runs view, tagged with the job.', r.jobId, r.what, r.cluster, raw)
    : l10n.t(
        "job {0} ({1}) on {2} ended {3}; its MLflow run {4} is not in the Runs view: it is where the job's MLFLOW_TRACKING_URI points (set mlops.mlflow.trackingUri to that server to list it here), or the view's search hides it.",
        r.jobId,
        r.what,
        r.cluster,
        raw,
        found.notListed.join(', '),
      );
}

/** When bringing a job's results home failed. */
export const notBroughtMessage = (l10n: L10n, r: Pick<ExpectedResult, 'jobId' | 'cluster'>, error: string): string => l10n.t('the results of job {0} on {1} could not be copied back: {2}', r.jobId, r.cluster, error);
