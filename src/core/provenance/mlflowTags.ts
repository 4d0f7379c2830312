// Provenance as MLflow keeps it: MLflow's own `mlflow.source.*` tags (which its UI shows)
// plus `mlops.*` tags, one per piece so the MLflow UI lists them readably. The patch, pip
// freeze and the whole record go in as artifacts; a tag too long for MLflow (8,000
// characters) keeps a hash and points at provenance.json.
import { createHash } from 'node:crypto';
import type { Captured } from './types';

export const TAG_MAX = 8000;
export const ARTIFACT_DIR = 'provenance';
export const PATCH_ARTIFACT = `${ARTIFACT_DIR}/changes.patch`;
export const FREEZE_ARTIFACT = `${ARTIFACT_DIR}/pip-freeze.txt`;
export const RECORD_ARTIFACT = `${ARTIFACT_DIR}/provenance.json`;
export const REPRODUCED_FROM_TAG = 'mlops.reproducedFrom';
/** A cluster job the engine ended before its own end ran: `killed by Slurm: TIMEOUT`, `failed (Slurm: FAILED)`. */
export const JOB_END_REASON_TAG = 'mlops.job.endReason';

/** A value MLflow accepts: longer ones keep their hash and say where the whole is. */
function fit(value: string): string {
  if (value.length <= TAG_MAX) return value;
  return `sha1:${createHash('sha1').update(value).digest('hex')} (too long for a tag: see ${RECORD_ARTIFACT})`;
}

/** What is known at launch, before the process starts: MLflow's source tags. */
export function sourceTags(o: { commit?: string; branch?: string; repoUrl?: string; sourceName: string; sourceType: 'PROJECT' | 'LOCAL' | 'JOB' }): Record<string, string> {
  const t: Record<string, string> = { 'mlflow.source.name': fit(o.sourceName), 'mlflow.source.type': o.sourceType };
  if (o.commit) t['mlflow.source.git.commit'] = o.commit;
  if (o.branch) t['mlflow.source.git.branch'] = o.branch;
  if (o.repoUrl) t['mlflow.source.git.repoURL'] = fit(o.repoUrl);
  return t;
}

/** Every tag of a captured record: the source tags again (cheap, idempotent) and `mlops.*`. */
export function provenanceTags(c: Captured, sourceName: string): Record<string, string> {
  const p = c.provenance;
  const e = p.environment;
  const t: Record<string, string> = {
    ...sourceTags({ ...p.code, sourceName, sourceType: p.launcher === 'mlflow-run' ? 'PROJECT' : 'LOCAL' }),
    'mlops.launcher': p.launcher,
    'mlops.code.files': fit(JSON.stringify(p.code.fileHashes)),
    'mlops.code.patchBytes': String(p.code.patchBytes),
    'mlops.code.patchCapped': String(p.code.patchCapped),
    'mlops.data': fit(JSON.stringify({ ...p.data.deps, ...p.data.dvcFiles })),
    'mlops.host': fit(e.host),
    'mlops.gpu': fit(e.gpu.model),
    'mlops.gpu.driver': e.gpu.driver,
    'mlops.gpu.cuda': e.gpu.cuda,
    'mlops.python': e.python,
    'mlops.packages': String(e.packages),
    'mlops.command': fit(JSON.stringify(e.command)),
    'mlops.env': fit(JSON.stringify(e.env)),
    'mlops.params': fit(JSON.stringify(p.params)),
    'mlops.startTime': String(p.timing.start),
  };
  if (p.code.skippedUntrackedCount) {
    t['mlops.code.skippedUntracked'] = fit(JSON.stringify(p.code.skippedUntracked ?? []));
    t['mlops.code.skippedUntrackedCount'] = String(p.code.skippedUntrackedCount);
  }
  if (p.stages?.length) t['mlops.stages'] = fit(JSON.stringify(p.stages));
  if (e.image) Object.assign(t, { 'mlops.image': fit(e.image.name), 'mlops.image.digest': e.image.digest });
  return t;
}

/** Appended when the process ends. */
export function endTags(timing: { end: number; exitCode?: number }): Record<string, string> {
  return { 'mlops.endTime': String(timing.end), 'mlops.exitCode': timing.exitCode === undefined ? 'unknown' : String(timing.exitCode) };
}
