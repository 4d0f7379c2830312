// MLflow's file store (`mlruns/`), as MLflow writes it:
//   <exp_id>/meta.yaml                  experiment (name, lifecycle_stage)
//   <exp_id>/<run_id>/meta.yaml         run (run_name, status as a number, times in ms)
//   <exp_id>/<run_id>/params/<key>      value (keys may hold '/', so they nest in folders)
//   <exp_id>/<run_id>/tags/<key>        value
//   <exp_id>/<run_id>/metrics/<key>     lines `timestamp value step`
//   .trash/                             deleted experiments: skipped
// A broken file costs only itself: it becomes a warning naming it. Files are read through
// boundedRead: regular files inside the store only (a FIFO named meta.yaml never blocks),
// YAML and values up to the YAML/JSON cap, metric histories up to their own.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { isMap, isNode, isScalar } from 'yaml';
import { hasNonPlainKey, parseUntrusted, yamlErrorText } from '../../common/yamlData';
import { HISTORY_CAP, readBoundedText, YAML_JSON_CAP, type ReadCap } from '../../common/boundedRead';
import { isLater } from '../latest';
import type { Experiment, MetricPoint, RunListing, RunSource, RunSummary, WarningSink } from '../types';
import { warningCollector } from '../types';
import { runStatus } from './status';

export interface FileStoreOptions {
  /** Include experiments and runs whose lifecycle_stage is `deleted` (MLflow hides them by default). */
  includeDeleted?: boolean;
  onWarning?: WarningSink;
}

export class MlflowFileStoreSource implements RunSource {
  readonly kind = 'mlflow-file';
  private readonly runDirs = new Map<string, string>();

  constructor(
    readonly location: string,
    private readonly options: FileStoreOptions = {},
  ) {}

  async list(): Promise<RunListing> {
    const { warnings, warn } = warningCollector(this.options.onWarning);
    const experiments: Experiment[] = [];
    const runs: RunSummary[] = [];
    for (const e of await dirs(this.location, warn)) {
      if (e === '.trash') continue;
      const expDir = path.join(this.location, e);
      const meta = await readMeta(path.join(expDir, 'meta.yaml'), this.location, warn);
      if (!meta) continue;
      const exp: Experiment = { id: String(meta.experiment_id ?? e), name: String(meta.name ?? e), lifecycleStage: str(meta.lifecycle_stage) };
      if (exp.lifecycleStage === 'deleted' && !this.options.includeDeleted) continue;
      experiments.push(exp);
      const runIds = (await dirs(expDir, warn)).filter((d) => !['datasets', 'traces', 'models', 'logged_models'].includes(d));
      const loaded = await Promise.all(runIds.map((r) => this.readRun(path.join(expDir, r), exp.id, warn)));
      for (const run of loaded) if (run) runs.push(run);
    }
    return { experiments, runs, warnings };
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    if (!this.runDirs.has(runId)) await this.list();
    const dir = this.runDirs.get(runId);
    if (!dir) throw new Error(`run ${runId} not found in ${this.location}`);
    return readMetricFile(path.join(dir, 'metrics', ...key.split('/')), this.options.onWarning ?? (() => undefined), this.location);
  }

  private async readRun(dir: string, experimentId: string, warn: WarningSink): Promise<RunSummary | undefined> {
    const metaFile = path.join(dir, 'meta.yaml');
    const meta = await readMeta(metaFile, this.location, warn, true);
    if (!meta) return undefined;
    if (meta.lifecycle_stage === 'deleted' && !this.options.includeDeleted) return undefined;
    const id = str(meta.run_id) ?? str(meta.run_uuid) ?? path.basename(dir);
    this.runDirs.set(id, dir);
    const [params, tags, metricFiles] = await Promise.all([
      readKeyValues(path.join(dir, 'params'), this.location, warn),
      readKeyValues(path.join(dir, 'tags'), this.location, warn),
      keyFiles(path.join(dir, 'metrics'), warn),
    ]);
    const metrics: Record<string, MetricPoint> = {};
    await Promise.all(
      [...metricFiles].map(async ([key, file]) => {
        let best: MetricPoint | undefined;
        for (const p of await readMetricFile(file, warn, this.location)) if (isLater(p, best)) best = p;
        if (best) metrics[key] = best;
      }),
    );
    return {
      id,
      experimentId: str(meta.experiment_id) ?? experimentId,
      name: str(meta.run_name) || tags['mlflow.runName'] || id,
      status: runStatus(meta.status),
      startTime: num(meta.start_time),
      endTime: num(meta.end_time),
      userId: str(meta.user_id),
      params,
      tags,
      metrics,
      artifactUri: str(meta.artifact_uri),
    };
  }
}

type Meta = Record<string, unknown>;

/**
 * meta.yaml's flat mapping with every value as its text. MLflow writes it with PyYAML
 * (YAML 1.1), which leaves `1e3`, `1.0e3`, `0o17`, `1_000` unquoted because they are strings
 * there; both the 1.2 schema and the `yaml` package's 1.1 schema read some as numbers. The
 * failsafe schema keeps the text, and the callers convert the few numeric fields (times,
 * status) themselves. Only a plain null (`null`, `~`, empty) becomes null, as in PyYAML.
 */
function parseMeta(text: string): Meta | undefined {
  const doc = parseUntrusted(text, { schema: 'failsafe' });
  if (doc.errors.length) throw new Error(yamlErrorText(text, doc.errors[0]));
  if (!isMap(doc.contents)) return undefined;
  const out: Meta = {};
  for (const item of doc.contents.items) {
    const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
    const v = item.value;
    // A collection value is shown as JSON; one with a non-plain key would take seconds to stringify.
    out[key] = isScalar(v) ? (v.type === 'PLAIN' && PLAIN_NULL.test(String(v.value)) ? null : v.value) : isNode(v) && hasNonPlainKey(v) ? null : ((v as { toJSON?: () => unknown } | null)?.toJSON?.() ?? null);
  }
  return out;
}

const PLAIN_NULL = /^(?:~|null|Null|NULL|)$/;

/** A file of the store as text, or undefined after a warning (quiet for a missing one when asked). */
async function readStoreText(file: string, store: string, cap: ReadCap, warn: WarningSink, quietIfMissing = false): Promise<string | undefined> {
  try {
    return await readBoundedText(file, { cap, root: store });
  } catch (err) {
    if (!(quietIfMissing && (err as NodeJS.ErrnoException).code === 'ENOENT')) warn({ file, message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
}

export async function readMeta(file: string, store: string, warn: WarningSink, quietIfMissing = false): Promise<Meta | undefined> {
  const text = await readStoreText(file, store, YAML_JSON_CAP, warn, quietIfMissing);
  if (text === undefined) return undefined;
  try {
    const meta = parseMeta(text);
    if (meta) return meta;
    warn({ file, message: 'not a YAML mapping; skipped' });
  } catch (err) {
    warn({ file, message: `corrupt YAML, skipped: ${(err as Error).message.split('\n')[0]}` });
  }
  return undefined;
}

async function entries(dir: string, warn: WarningSink): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn({ file: dir, message: `cannot list: ${(err as Error).message}` });
    return [];
  }
}

export async function dirs(dir: string, warn: WarningSink): Promise<string[]> {
  return (await entries(dir, warn)).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** key → file under `root`; a key with '/' is stored as nested folders. */
async function keyFiles(root: string, warn: WarningSink): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const e of await entries(dir, warn)) {
      const key = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), key);
      else if (e.isFile()) out.set(key, path.join(dir, e.name));
    }
  };
  await walk(root, '');
  return out;
}

export async function readKeyValues(root: string, store: string, warn: WarningSink): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const files = await keyFiles(root, warn);
  await Promise.all(
    [...files].map(async ([key, file]) => {
      const text = await readStoreText(file, store, YAML_JSON_CAP, warn);
      if (text !== undefined) out[key] = text;
    }),
  );
  return out;
}

export async function readMetricFile(file: string, warn: WarningSink, store: string): Promise<MetricPoint[]> {
  const text = await readStoreText(file, store, HISTORY_CAP, warn);
  if (text === undefined) return [];
  const points: MetricPoint[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const here = offset;
    offset += Buffer.byteLength(line) + 1;
    if (!line.trim()) continue;
    const parts = line.trim().split(/\s+/);
    const timestamp = Number(parts[0]);
    const value = parseFloatLikePython(parts[1]);
    const step = parts.length > 2 ? Number(parts[2]) : 0;
    if (parts.length < 2 || parts.length > 3 || !Number.isInteger(timestamp) || value === undefined || !Number.isInteger(step)) {
      warn({ file, offset: here, message: `not a metric line \`timestamp value step\`: ${JSON.stringify(line.slice(0, 80))}; skipped` });
      continue;
    }
    points.push({ step, timestamp, value });
  }
  return points;
}

/** Python's float() for what MLflow writes: numbers, nan, inf, -inf, infinity. */
function parseFloatLikePython(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const l = s.toLowerCase();
  if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  const v = Number(s);
  return s.trim() !== '' && !Number.isNaN(v) ? v : undefined;
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);
