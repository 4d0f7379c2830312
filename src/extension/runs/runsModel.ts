// The pure half of the Runs view: which stores a workspace holds, and how a run reads
// in one line. No `vscode` import, so the unit tests run it in plain Node.
import { formatDuration } from '../../core/common/format';
import * as path from 'node:path';
import type { MetricPoint, RunStatus, RunSummary } from '../../core/runs/types';
import { runProvenanceLines, viewFromTags } from '../../core/provenance/view';
import type { L10n } from '../jobs/jobsModel';
import { storeId } from '../../core/models/registryRuns';

export type StoreKind = 'mlflow-sqlite' | 'mlflow-file' | 'dvc-experiments' | 'dvclive' | 'tensorboard';
/** The `mlops.runs.sources.*` switch that turns a kind of store off. */
export type SourceSetting = 'mlflow' | 'dvcExperiments' | 'dvclive' | 'tensorboard';

export interface StoreSpec {
  kind: StoreKind;
  /** mlflow.db itself; the mlruns/, dvclive/ or TensorBoard log folder. */
  location: string;
}

/** A tracking server named in `mlops.mlflow.trackingUri`: configured, not found in the folders. */
export type ServerKind = 'mlflow-rest';
export interface ServerSpec {
  kind: ServerKind;
  /** The tracking URI. */
  location: string;
}
export type SourceSpec = StoreSpec | ServerSpec;

export const SETTING_OF: Record<StoreKind, SourceSetting> = {
  'mlflow-sqlite': 'mlflow',
  'mlflow-file': 'mlflow',
  'dvc-experiments': 'dvcExperiments',
  dvclive: 'dvclive',
  tensorboard: 'tensorboard',
};

export const KIND_LABEL: Record<StoreKind | ServerKind, string> = {
  'mlflow-rest': 'MLflow server',
  'mlflow-sqlite': 'MLflow',
  'mlflow-file': 'MLflow (mlruns)',
  'dvc-experiments': 'DVC experiments',
  dvclive: 'DVCLive',
  tensorboard: 'TensorBoard',
};

/** The glob each kind is found by (its marker file), for findFiles and the discovery watchers. */
export const DISCOVERY_GLOBS: Record<StoreKind, string> = {
  'mlflow-sqlite': '**/mlflow.db',
  'mlflow-file': '**/mlruns/*/meta.yaml',
  'dvc-experiments': '**/dvc.yaml',
  dvclive: '**/dvclive/metrics.json',
  tensorboard: '**/*tfevents*',
};

/** Folders never searched: dependencies, VCS and DVC internals, virtual environments. */
export const DISCOVERY_EXCLUDE = '**/{node_modules,.git,.dvc,.venv*,venv,__pycache__,site-packages}/**';
const EXCLUDED_SEGMENT = /^(node_modules|\.git|\.dvc|\.venv.*|venv|__pycache__|site-packages)$/;

const KIND_ORDER: StoreKind[] = ['mlflow-sqlite', 'mlflow-file', 'dvc-experiments', 'dvclive', 'tensorboard'];

export const sourceId = (s: SourceSpec): string => storeId(s.kind, s.location);

/** True when a found path lies in a folder we never read (findFiles takes only one exclude glob). */
export function isExcluded(file: string): boolean {
  return file.split(/[\\/]/).some((seg) => EXCLUDED_SEGMENT.test(seg));
}

/**
 * The stores behind the marker files found in the workspace folders `roots`:
 * - mlflow.db is the store;
 * - `<x>/mlruns/<exp>/meta.yaml` makes `<x>/mlruns` one file store;
 * - a dvc.yaml makes its folder a DVC project whose experiments are listed (one store for
 *   the topmost of nested ones);
 * - `dvclive/metrics.json` makes its folder one DVCLive run, unless it lies in such a DVC
 *   project: there the experiments store lists the same files as its workspace row (and
 *   reads DVCLive's plots for histories), so a second store would show that run twice —
 *   except a cluster job's results brought home under `.mlops/jobs/`, which DVC never lists;
 * - an event file's folder is a TensorBoard run and its parent the log folder, as with
 *   `tensorboard --logdir runs/` (a folder at a workspace root is its own log folder;
 *   a cluster job's results folder brought home is the log folder of every run in it);
 *   a log folder inside another is read as part of it.
 */
export function storesFromFiles(found: Partial<Record<StoreKind, string[]>>, roots: string[], enabled: Record<SourceSetting, boolean>): StoreSpec[] {
  const out: StoreSpec[] = [];
  const files = (k: StoreKind) => (enabled[SETTING_OF[k]] ? (found[k] ?? []).filter((f) => !isExcluded(f)) : []);
  for (const f of files('mlflow-sqlite')) out.push({ kind: 'mlflow-sqlite', location: f });
  const mlruns = new Set(files('mlflow-file').map((f) => path.dirname(path.dirname(f))).filter((d) => path.basename(d) === 'mlruns'));
  for (const d of mlruns) out.push({ kind: 'mlflow-file', location: d });
  const within = (d: string, parent: string) => d === parent || d.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
  const dvcDirs = [...new Set(files('dvc-experiments').map((f) => path.dirname(f)))];
  const dvcProjects = dvcDirs.filter((d) => !dvcDirs.some((p) => p !== d && within(d, p)));
  for (const d of dvcProjects) out.push({ kind: 'dvc-experiments', location: d });
  // A cluster job's results brought home (.mlops/jobs/<cluster>/<job>/dvclive) are not the
  // project's workspace: its experiments never list them, so they are a store of their own.
  const broughtHome = (d: string) => jobFolder(d) !== undefined;
  for (const d of new Set(files('dvclive').map((f) => path.dirname(f)))) if (broughtHome(d) || !dvcProjects.some((p) => within(d, p))) out.push({ kind: 'dvclive', location: d });
  const rootSet = new Set(roots.map((r) => path.resolve(r)));
  const logDirs = new Set<string>();
  for (const f of files('tensorboard')) {
    const runDir = path.dirname(f);
    // A job's results folder is its one log folder: its record (mlops-job.json) tags every run.
    const job = jobFolder(runDir);
    if (job) logDirs.add(job);
    else logDirs.add(rootSet.has(path.resolve(runDir)) || rootSet.has(path.resolve(path.dirname(runDir))) ? runDir : path.dirname(runDir));
  }
  const inside = (d: string, parent: string) => d !== parent && d.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
  for (const d of logDirs) if (![...logDirs].some((p) => inside(d, p))) out.push({ kind: 'tensorboard', location: d });
  // MLflow first: it holds the most runs; then by place.
  return out.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.location.localeCompare(b.location));
}

/** The results folder of a cluster job brought home (`.mlops/jobs/<cluster>/<job>`) holding `d`, if any. */
export function jobFolder(d: string): string | undefined {
  const m = /^(.*?(?:^|[\\/])\.mlops[\\/]jobs[\\/][^\\/]+[\\/][^\\/]+)(?:[\\/]|$)/.exec(d);
  return m?.[1];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time: `14:05` today, `2025-11-21 14:05` another day. */
export function formatStart(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const n = new Date(now);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** Four significant digits, no trailing zeros, no exponent for ordinary magnitudes. */
export function formatMetricValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/** The metric a run's line shows: the configured one when the run has it, else the first by name. */
export function pickKeyMetric(metrics: Record<string, MetricPoint>, configured: string): string | undefined {
  if (configured && configured in metrics) return configured;
  return Object.keys(metrics).sort()[0];
}

/** The description of a run: key metric first (a narrow side bar cuts the end), start, duration (or "running"). */
export function runDescription(run: RunSummary, keyMetric: string, now: number = Date.now()): string {
  const parts: string[] = [];
  const key = pickKeyMetric(run.metrics, keyMetric);
  if (key) parts.push(`${key}=${formatMetricValue(run.metrics[key].value)}`);
  if (run.startTime !== undefined) parts.push(formatStart(run.startTime, now));
  if (run.startTime !== undefined && run.endTime !== undefined) parts.push(formatDuration(run.endTime - run.startTime));
  else if (run.startTime !== undefined && run.status === 'RUNNING') parts.push(`running ${formatDuration(now - run.startTime)}`);
  return parts.join(' · ');
}

/** Characters Markdown would act on, escaped so a param value shows as written. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

const STATUS_TEXT: Record<RunStatus, string> = {
  RUNNING: 'running',
  SCHEDULED: 'scheduled',
  FINISHED: 'finished',
  FAILED: 'failed',
  KILLED: 'killed',
  UNKNOWN: 'status unknown',
};

export const statusText = (s: RunStatus): string => STATUS_TEXT[s];

/** The hover of a run: name, status, id, then tables of params and latest metrics, then its provenance. */
export function runTooltipMarkdown(l10n: L10n, run: RunSummary, now: number = Date.now(), provenance?: readonly string[]): string {
  const lines = [`**${escapeMarkdown(run.name)}** — ${statusText(run.status)}`, '', `id \`${run.id.replace(/`/g, "'")}\``];
  if (run.startTime !== undefined) {
    const end = run.endTime !== undefined ? `, ${formatDuration(run.endTime - run.startTime)}` : '';
    lines.push('', `started ${formatStart(run.startTime, now)}${end}`);
  }
  const table = (title: string, rows: [string, string][]) => {
    if (!rows.length) return;
    lines.push('', `| ${title} | |`, '|---|---|', ...rows.map(([k, v]) => `| ${escapeMarkdown(k)} | ${v} |`));
  };
  const byKey = <T>(o: Record<string, T>) => Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
  table('param', byKey(run.params).map(([k, v]) => [k, escapeMarkdown(v)]));
  table('metric (latest)', byKey(run.metrics).map(([k, p]) => [k, `${escapeMarkdown(formatMetricValue(p.value))} (step ${p.step})`]));
  // A DVC experiment's git note says more than its tags: the caller passes its lines.
  const recorded = provenance ?? runProvenanceLines(l10n, run.tags);
  lines.push(...recorded);
  // A cluster job Slurm or Ray ended (time limit, cancel, lost node): why, under its provenance.
  const ended = recorded.length ? viewFromTags(run.tags).endReason : undefined;
  if (ended) lines.push('', l10n.t('job ended early: {0}', escapeMarkdown(ended)));
  return lines.join('\n');
}

/** A run picked for comparison; what `mlops.getSelectedRuns` answers. */
export interface RunRef {
  sourceId: string;
  runId: string;
}

export const sameRun = (a: RunRef, b: RunRef): boolean => a.sourceId === b.sourceId && a.runId === b.runId;

/** The selection after checking or unchecking runs, in the order they were first checked. */
export function updateSelection(current: readonly RunRef[], changes: readonly { ref: RunRef; checked: boolean }[]): RunRef[] {
  let next = [...current];
  for (const { ref, checked } of changes) {
    const has = next.some((r) => sameRun(r, ref));
    if (checked && !has) next.push({ sourceId: ref.sourceId, runId: ref.runId });
    else if (!checked && has) next = next.filter((r) => !sameRun(r, ref));
  }
  return next;
}

/** Drops selected runs that a source, read in full, no longer lists. */
export function pruneSelection(current: readonly RunRef[], listed: ReadonlyMap<string, ReadonlySet<string>>): RunRef[] {
  return current.filter((r) => !listed.has(r.sourceId) || listed.get(r.sourceId)!.has(r.runId));
}
