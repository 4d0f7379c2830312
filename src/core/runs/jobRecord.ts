// A cluster job's results brought home (core/jobs/sync/fetchResults.ts) lie in a folder of
// their own with `mlops-job.json` naming the job; the runs read from there (DVCLive's,
// TensorBoard's) carry it as tags, so the Runs view links them to the job.
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import { jobProvenanceTags, readJobProvenance } from '../provenance/jobProvenance';
import type { WarningSink } from './types';

export const JOB_RECORD_NAME = 'mlops-job.json';

export interface JobTagsFound {
  tags: Record<string, string>;
  /** `job 42 (slurm)`, or undefined when the folder holds no record. */
  label?: string;
}

/** The job tags of the runs read from `dir` (its record read bounded, inside `root`); none when it has no record. */
export async function jobTagsIn(dir: string, root: string, warn: WarningSink): Promise<JobTagsFound> {
  const file = path.join(dir, JOB_RECORD_NAME);
  let text: string;
  try {
    text = await readBoundedText(file, { cap: YAML_JSON_CAP, root });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn({ file, message: `cannot read: ${(err as Error).message}` });
    return { tags: {} };
  }
  let v: unknown;
  try {
    v = JSON.parse(text) as unknown;
  } catch (err) {
    warn({ file, message: `corrupt JSON, skipped: ${(err as Error).message}` });
    return { tags: {} };
  }
  const r = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  if (typeof r?.jobId !== 'string' || typeof r.cluster !== 'string') {
    warn({ file, message: 'names no job (jobId, cluster); skipped' });
    return { tags: {} };
  }
  // The job's provenance (code at submit, environment measured on the node), as a local launch's tags.
  const provenance = await readJobProvenance(dir, root);
  return { tags: { ...(provenance ? jobProvenanceTags(provenance) : {}), 'mlops.job.id': r.jobId, 'mlops.job.cluster': r.cluster }, label: `job ${r.jobId} (${r.cluster})` };
}
