// An MLflow entry point run as a cluster job (`mlflow run . -e <entry>`) logs its run where the
// job's MLFLOW_TRACKING_URI points (a tracking server, usually), not into the job's folder, so
// there is nothing to bring home. What comes home is the link: `mlflow run` names its run in
// its log ("=== Running command '…' in run with ID '<id>' ===", "=== Run (ID '<id>')
// succeeded ==="), and a run the Runs view lists gets the job's tags, the same tags the
// DVCLive runs brought home from a job carry.
import type { TagChange } from '../runs/runMarks';

export const JOB_ID_TAG = 'mlops.job.id';
export const JOB_CLUSTER_TAG = 'mlops.job.cluster';

// MLflow's run ids are uuid4 hex (32 characters). One pass, no nested quantifiers.
const RUN_ID = /(?:in run with ID|=== Run \(ID) '([0-9a-f]{32})'/g;

/** The MLflow run ids `mlflow run` named in a job's log, first seen first; at most `max`. */
export function mlflowRunIdsInLog(log: string, max = 100): string[] {
  const ids: string[] = [];
  for (const m of log.matchAll(RUN_ID)) {
    if (!ids.includes(m[1])) ids.push(m[1]);
    if (ids.length >= max) break;
  }
  return ids;
}

/** The tags that link a run to the job that made it. */
export function jobTags(job: { cluster: string; jobId: string }): TagChange[] {
  return [
    { key: JOB_ID_TAG, value: job.jobId },
    { key: JOB_CLUSTER_TAG, value: job.cluster },
  ];
}
