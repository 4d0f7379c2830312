// One shape for what is known of a run's provenance, whichever store it came from: our
// `mlops.*` tags, MLflow's own `mlflow.source.*` tags on a run made elsewhere, a DVC
// experiment's commit, or our git note. What none of them says is listed as unknown.
import type { L10n } from '../common/l10n';
import { aspectName } from './diff';
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

/** A piece `unknown` names ("commit", "GPU", …), as the user reads it. */
export function pieceName(l10n: L10n, piece: string): string {
  switch (piece) {
    case 'commit':
      return l10n.t('commit');
    case 'uncommitted changes':
      return l10n.t('uncommitted changes');
    // The words it shares with the Compare Runs aspects: one translation each.
    case 'data':
    case 'image':
    case 'GPU':
    case 'Python':
      return aspectName(l10n, piece);
    default:
      return piece;
  }
}

/** Markdown lines for a run's tooltip: a few facts, then what is unknown. */
export function provenanceSummaryLines(l10n: L10n, v: ProvenanceView): string[] {
  const esc = (s: string) => s.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
  const facts: string[] = [];
  if (v.commit) {
    const n = v.changes ? Object.keys(v.changes).length : undefined;
    const u = v.skippedUntracked?.count;
    const skipped = u === undefined ? '' : u === 1 ? l10n.t(', 1 untracked file not recorded') : l10n.t(', {0} untracked files not recorded', u);
    const capped = v.patchCapped ? l10n.t(' (patch capped)') : '';
    const dirty = n === undefined ? '' : n ? (n === 1 ? l10n.t(' + 1 changed file{0}{1}', capped, skipped) : l10n.t(' + {0} changed files{1}{2}', n, capped, skipped)) : l10n.t(', clean{0}', skipped);
    const code = `\`${v.commit.slice(0, 7)}\``;
    facts.push(v.branch ? l10n.t('code {0} on {1}{2}', code, esc(v.branch), dirty) : l10n.t('code {0}{1}', code, dirty));
  }
  if (v.data) {
    const n = Object.keys(v.data).length;
    facts.push(n === 1 ? l10n.t('data: 1 hashed input') : l10n.t('data: {0} hashed inputs', n));
  }
  if (v.image) facts.push(l10n.t('image {0}{1}', esc(v.image), v.imageDigest ? ` \`${v.imageDigest.replace(/^sha256:/, '').slice(0, 12)}\`` : ''));
  if (v.gpu) facts.push(v.cuda && v.cuda !== 'unknown' ? l10n.t('GPU {0}, CUDA {1}', esc(v.gpu), esc(v.cuda)) : l10n.t('GPU {0}', esc(v.gpu)));
  if (v.host) facts.push(l10n.t('host {0}', esc(v.host)));
  if (v.python) facts.push(l10n.t('Python {0}', esc(v.python)));
  if (v.reproducedFrom) facts.push(l10n.t('reproduced from {0}', `\`${esc(v.reproducedFrom)}\``));
  const lines = ['', v.recorded ? l10n.t('**Provenance**') : l10n.t("**Provenance** (only what the run's store records)"), ''];
  lines.push(facts.length ? facts.join(' · ') : l10n.t('nothing recorded'));
  if (v.unknown.length) lines.push('', l10n.t('unknown: {0}', v.unknown.map((p) => pieceName(l10n, p)).join(', ')));
  return lines;
}

/**
 * The Provenance part of a run's tooltip: for runs whose store says anything of their
 * origin (MLflow tags, a DVC experiment's commit); none for TensorBoard or DVCLive folders.
 */
export function runProvenanceLines(l10n: L10n, tags: Readonly<Record<string, string>>): string[] {
  const relevant = Object.keys(tags).some((k) => k.startsWith('mlflow.') || k.startsWith('mlops.') || k === 'git.commit');
  return relevant ? provenanceSummaryLines(l10n, viewFromTags(tags)) : [];
}

/**
 * The Provenance part of a DVC experiment's tooltip from its git note: the experiment's own
 * commit (which holds the workspace changes `dvc exp run` committed) and the rest recorded.
 */
export function experimentNoteLines(l10n: L10n, commit: string, note: Provenance): string[] {
  return provenanceSummaryLines(l10n, { ...viewFromRecord(note), commit, changes: {}, patchCapped: undefined, skippedUntracked: undefined });
}
