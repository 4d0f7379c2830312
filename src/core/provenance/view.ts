// One shape for what is known of a run's provenance, whichever store it came from: our
// `mlops.*` tags, MLflow's own `mlflow.source.*` tags on a run made elsewhere, a DVC
// experiment's commit, or our git note. What none of them says is listed as unknown.
import { JOB_END_REASON_TAG } from './mlflowTags';
import type { Provenance } from './types';

export interface ProvenanceView {
  /** Recorded by the workbench at launch (tags or note), or only what the store knows. */
  recorded: boolean;
  commit?: string;
  branch?: string;
  repoUrl?: string;
  source?: string;
  /** Files with uncommitted changes → hash of their change; undefined when unknown. */
  changes?: Record<string, string>;
  patchCapped?: boolean;
  /** Bytes of the patch kept with the run. */
  patchBytes?: number;
  /** Untracked files left out of the patch: some names, and how many. */
  skippedUntracked?: { names: string[]; count: number };
  /** Data path (dep or .dvc file) → md5; undefined when unknown. */
  data?: Record<string, string>;
  params?: Record<string, string>;
  image?: string;
  imageDigest?: string;
  gpu?: string;
  gpuDriver?: string;
  cuda?: string;
  host?: string;
  python?: string;
  command?: string[];
  stages?: string[];
  exitCode?: string;
  /** A cluster job the engine ended before its own end ran (`killed by Slurm: TIMEOUT`); absent for any other run. */
  endReason?: string;
  reproducedFrom?: string;
  /** Pieces nothing recorded: "patch", "data", "image", "GPU", ... */
  unknown: string[];
}

function json<T>(text: string | undefined, ok: (v: unknown) => v is T): T | undefined {
  if (!text || text.startsWith('sha1:')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return ok(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
const isStrMap = (v: unknown): v is Record<string, string> => !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function withUnknowns(v: Omit<ProvenanceView, 'unknown'>): ProvenanceView {
  const unknown: string[] = [];
  if (!v.commit) unknown.push('commit');
  if (!v.changes) unknown.push('uncommitted changes');
  if (!v.data) unknown.push('data');
  if (!v.image) unknown.push('image');
  if (!v.gpu) unknown.push('GPU');
  if (!v.python) unknown.push('Python');
  return { ...v, unknown };
}

/** From a run's tags: ours where present, else MLflow's source tags, else a DVC experiment's commit. */
export function viewFromTags(tags: Readonly<Record<string, string>>): ProvenanceView {
  const recorded = 'mlops.launcher' in tags;
  const t = (k: string) => (tags[k] === undefined || tags[k] === '' ? undefined : tags[k]);
  return withUnknowns({
    recorded,
    commit: t('mlflow.source.git.commit') ?? t('git.commit'),
    branch: t('mlflow.source.git.branch'),
    repoUrl: t('mlflow.source.git.repoURL'),
    source: t('mlflow.source.name'),
    changes: json(t('mlops.code.files'), isStrMap),
    patchCapped: t('mlops.code.patchCapped') === 'true' || undefined,
    patchBytes: Number(t('mlops.code.patchBytes')) || undefined,
    skippedUntracked: Number(t('mlops.code.skippedUntrackedCount')) > 0 ? { names: json(t('mlops.code.skippedUntracked'), isStrArr) ?? [], count: Number(t('mlops.code.skippedUntrackedCount')) } : undefined,
    data: json(t('mlops.data'), isStrMap),
    params: json(t('mlops.params'), isStrMap),
    image: t('mlops.image'),
    imageDigest: t('mlops.image.digest'),
    gpu: t('mlops.gpu'),
    gpuDriver: t('mlops.gpu.driver'),
    cuda: t('mlops.gpu.cuda'),
    host: t('mlops.host'),
    python: t('mlops.python'),
    command: json(t('mlops.command'), isStrArr),
    stages: json(t('mlops.stages'), isStrArr),
    exitCode: t('mlops.exitCode'),
    endReason: t(JOB_END_REASON_TAG),
    reproducedFrom: t('mlops.reproducedFrom'),
  });
}

/** From a whole record (a git note, provenance.json). */
export function viewFromRecord(p: Provenance): ProvenanceView {
  const e = p.environment;
  return withUnknowns({
    recorded: true,
    commit: p.code.commit,
    branch: p.code.branch,
    repoUrl: p.code.repoUrl,
    changes: p.code.fileHashes,
    patchCapped: p.code.patchCapped || undefined,
    patchBytes: p.code.patchBytes || undefined,
    skippedUntracked: p.code.skippedUntrackedCount ? { names: p.code.skippedUntracked ?? [], count: p.code.skippedUntrackedCount } : undefined,
    data: { ...p.data.deps, ...p.data.dvcFiles },
    params: p.params,
    image: e.image?.name,
    imageDigest: e.image?.digest,
    gpu: e.gpu.model,
    gpuDriver: e.gpu.driver,
    cuda: e.gpu.cuda,
    host: e.host,
    python: e.python,
    command: e.command,
    stages: p.stages,
    exitCode: p.timing.exitCode === undefined ? undefined : String(p.timing.exitCode),
    endReason: p.timing.endReason,
  });
}

/** Markdown lines for a run's tooltip: a few facts, then what is unknown. */
export function provenanceSummaryLines(v: ProvenanceView): string[] {
  const esc = (s: string) => s.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
  const facts: string[] = [];
  if (v.commit) {
    const n = v.changes ? Object.keys(v.changes).length : undefined;
    const skipped = v.skippedUntracked ? `, ${v.skippedUntracked.count} untracked file${v.skippedUntracked.count === 1 ? '' : 's'} not recorded` : '';
    const dirty = n === undefined ? '' : n ? ` + ${n} changed file${n === 1 ? '' : 's'}${v.patchCapped ? ' (patch capped)' : ''}${skipped}` : `, clean${skipped}`;
    facts.push(`code \`${v.commit.slice(0, 7)}\`${v.branch ? ` on ${esc(v.branch)}` : ''}${dirty}`);
  }
  if (v.data) facts.push(`data: ${Object.keys(v.data).length} hashed input${Object.keys(v.data).length === 1 ? '' : 's'}`);
  if (v.image) facts.push(`image ${esc(v.image)}${v.imageDigest ? ` \`${v.imageDigest.replace(/^sha256:/, '').slice(0, 12)}\`` : ''}`);
  if (v.gpu) facts.push(`GPU ${esc(v.gpu)}${v.cuda && v.cuda !== 'unknown' ? `, CUDA ${esc(v.cuda)}` : ''}`);
  if (v.host) facts.push(`host ${esc(v.host)}`);
  if (v.python) facts.push(`Python ${esc(v.python)}`);
  if (v.reproducedFrom) facts.push(`reproduced from \`${esc(v.reproducedFrom)}\``);
  const lines = ['', `**Provenance**${v.recorded ? '' : ' (only what the run\'s store records)'}`, ''];
  lines.push(facts.length ? facts.join(' · ') : 'nothing recorded');
  if (v.unknown.length) lines.push('', `unknown: ${v.unknown.join(', ')}`);
  return lines;
}

/**
 * The Provenance part of a run's tooltip: for runs whose store says anything of their
 * origin (MLflow tags, a DVC experiment's commit); none for TensorBoard or DVCLive folders.
 */
export function runProvenanceLines(tags: Readonly<Record<string, string>>): string[] {
  const relevant = Object.keys(tags).some((k) => k.startsWith('mlflow.') || k.startsWith('mlops.') || k === 'git.commit');
  return relevant ? provenanceSummaryLines(viewFromTags(tags)) : [];
}

/**
 * The Provenance part of a DVC experiment's tooltip from its git note: the experiment's own
 * commit (which holds the workspace changes `dvc exp run` committed) and the rest recorded.
 */
export function experimentNoteLines(commit: string, note: Provenance): string[] {
  return provenanceSummaryLines({ ...viewFromRecord(note), commit, changes: {}, patchCapped: undefined, skippedUntracked: undefined });
}
