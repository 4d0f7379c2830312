// What one revision of a DVC project says about its params and metrics, the way
// `dvc exp show` collects them (dvc/repo/params/show.py, dvc/repo/metrics/show.py):
// - params files: each stage's `params` (bare keys from params.yaml; dvc.lock's record
//   when the commit has no dvc.yaml), the top-level `params:` of dvc.yaml, and params.yaml
//   itself when present;
//   a file any of these names without keys is read whole, otherwise only its keys;
// - metrics files: each stage's `metrics` outs and the top-level `metrics:` list, plus
//   DVCLive's default `dvclive/metrics.json`.
// Everything here is pure: the caller hands in the texts, read from git or the disk.
import { createHash } from 'node:crypto';
import { flattenLeaves } from '../../common/flatten';
import { parseYamlData } from '../../common/yamlData';
import { buildDvcModel } from '../../pipelines/dvcModel';
import { expandStages } from '../../pipelines/dvcExpand';
import { lookupPath, splitKeyPath } from '../../pipelines/paramsFile';
import { joinPath, memoryFs } from '../../pipelines/pipelineFs';
import { DUPLICATE_KEY_MESSAGE, parseYaml } from '../../pipelines/yamlDocument';
import { parseSimpleYaml } from './simpleYaml';

export const DEFAULT_PARAMS = 'params.yaml';
export const DVCLIVE_METRICS = 'dvclive/metrics.json';

/** The files a revision's pipeline points at, relative to the DVC root. */
export interface PipelineFiles {
  /** Params file → the keys shown, or 'all'. */
  params: Map<string, Set<string> | 'all'>;
  metrics: string[];
  /** Metrics files read when present but not declared (DVCLive's default); their absence is no fault. */
  optional: Set<string>;
  /**
   * Why dvc cannot load this revision's pipeline, if it cannot: a dvc.yaml that does not
   * parse, or the params.yaml beside it (which dvc always reads as the pipeline's default
   * `vars`) that does not parse or is not a mapping. `dvc exp show` then prints only an
   * error for the whole revision: no params, no metrics, no time.
   */
  refused?: { file: string; message: string };
}

/** Paths of the dvc.yaml files (relative to the DVC root) and their texts at one revision. */
export type TextOf = (path: string) => string | undefined;

/** One dvc.yaml's plan as kept on disk (see PlanStore). */
export interface StoredPlan {
  params: [string, string[] | 'all'][];
  metrics: string[];
  /** The dvc.yaml does not parse: dvc refuses it (see PipelineFiles.refused). */
  refused?: string;
}

/** Plans kept between sessions, by a hash of what they were made from: parsing dvc.yaml is most of a cached listing's first call. */
export interface PlanStore {
  get(key: string): StoredPlan | undefined;
  put(key: string, plan: StoredPlan): void;
}

const planCache = new Map<string, PipelineFiles>();

function addParams(out: PipelineFiles['params'], file: string, keys: string[] | 'all'): void {
  const had = out.get(file);
  if (had === 'all') return;
  if (keys === 'all') out.set(file, 'all');
  else out.set(file, new Set([...(had ?? []), ...keys]));
}

function stringList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((x) => (typeof x === 'string' ? [x] : x && typeof x === 'object' ? Object.keys(x) : []));
}

/**
 * The params and metrics files of one revision. `dvcYamls` are the dvc.yaml files known in
 * the project (relative to the root); `text` reads files of this revision, for the
 * pipeline files and params.yaml (needed to expand `${}` templates).
 */
export function pipelineFiles(dvcYamls: string[], text: TextOf, store?: PlanStore): PipelineFiles {
  const out: PipelineFiles = { params: new Map(), metrics: [], optional: new Set() };
  const metrics = new Set<string>();
  for (const file of dvcYamls) {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const yamlText = text(file);
    if (yamlText !== undefined) {
      const plan = planOf(yamlText, (p) => text(joinPath(dir, p)), store);
      if (plan.refused) out.refused ??= { file, message: plan.refused.message };
      out.refused ??= varsRefused(joinPath(dir, DEFAULT_PARAMS), text);
      for (const [f, keys] of plan.params) addParams(out.params, joinPath(dir, f), keys === 'all' ? 'all' : [...keys]);
      for (const m of plan.metrics) metrics.add(joinPath(dir, m));
    }
    // `dvc exp show` takes params from dvc.yaml; dvc.lock names them when dvc.yaml is gone.
    else {
      const lockText = text(joinPath(dir, 'dvc.lock'));
      for (const [f, keys] of lockText === undefined ? [] : lockParams(lockText)) addParams(out.params, joinPath(dir, f), keys);
    }
  }
  if (text(DEFAULT_PARAMS) !== undefined) addParams(out.params, DEFAULT_PARAMS, 'all');
  if (!metrics.has(DVCLIVE_METRICS)) out.optional.add(DVCLIVE_METRICS);
  metrics.add(DVCLIVE_METRICS);
  out.metrics = [...metrics];
  return out;
}

/** One dvc.yaml's params and metrics, relative to its folder; cached by text (and params.yaml when templated). */
function planOf(yamlText: string, text: TextOf, store?: PlanStore): PipelineFiles {
  const templated = yamlText.includes('${');
  const key = createHash('sha1')
    .update(templated ? `${yamlText}\u0000${text(DEFAULT_PARAMS) ?? ''}` : yamlText)
    .digest('hex');
  const hit = planCache.get(key);
  if (hit) {
    store?.put(key, toStoredPlan(hit));
    return hit;
  }
  const kept = store?.get(key);
  if (kept) {
    const plan: PipelineFiles = { params: new Map(kept.params.map(([f, k]) => [f, k === 'all' ? 'all' : new Set(k)])), metrics: kept.metrics, optional: new Set() };
    if (kept.refused) plan.refused = { file: '', message: kept.refused };
    planCache.set(key, plan);
    return plan;
  }
  const out = parsePlan(yamlText, text, templated);
  if (planCache.size > 200) planCache.clear();
  planCache.set(key, out);
  store?.put(key, toStoredPlan(out));
  return out;
}

function toStoredPlan(plan: PipelineFiles): StoredPlan {
  const stored: StoredPlan = { params: [...plan.params].map(([f, k]) => [f, k === 'all' ? 'all' : [...k]]), metrics: plan.metrics };
  if (plan.refused) stored.refused = plan.refused.message;
  return stored;
}

/**
 * dvc reads the params.yaml beside each dvc.yaml as the pipeline's default `vars`, whether
 * or not anything is templated: one that does not parse (ruamel refuses repeated keys too)
 * or holds no mapping fails the whole revision in `dvc exp show`. Empty or `null` is `{}`.
 */
function varsRefused(file: string, text: TextOf): PipelineFiles['refused'] {
  const t = text(file);
  if (t === undefined) return undefined;
  const parsed = parseDataFile(file, t);
  if (!parsed.ok) return { file, message: parsed.error };
  const data = parsed.data;
  if (data === null || (typeof data === 'object' && !Array.isArray(data))) return undefined;
  return { file, message: `it holds ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}, not a mapping of params` };
}

function parsePlan(yamlText: string, text: TextOf, templated: boolean): PipelineFiles {
  const out: PipelineFiles = { params: new Map(), metrics: [], optional: new Set() };
  const parsed = parseYaml(yamlText);
  // ruamel.yaml (dvc) refuses a file with a syntax error or a repeated key: no plan at all.
  if (parsed.doc.errors.length > 0 || parsed.duplicateKeys.length > 0) {
    const first = parsed.doc.errors[0]?.message.split('\n')[0] ?? `${DUPLICATE_KEY_MESSAGE} (${parsed.duplicateKeys[0].key})`;
    out.refused = { file: '', message: first };
    return out;
  }
  const model = buildDvcModel(parsed, yamlText);
  const files: Record<string, string> = {};
  if (templated) {
    const p = text(DEFAULT_PARAMS);
    if (p !== undefined) files[DEFAULT_PARAMS] = p;
  }
  for (const stage of expandStages(model, memoryFs(files))) {
    const wdir = stage.wdir === '.' ? '' : stage.wdir;
    for (const p of stage.params) addParams(out.params, joinPath(wdir, p.file), p.keys);
  }
  for (const stage of model.stages) for (const o of stage.outs) if (o.kind === 'metrics' && o.resolved) out.metrics.push(o.resolved);
  let top: unknown;
  try {
    top = model.root?.toJSON();
  } catch {
    top = undefined;
  }
  if (top && typeof top === 'object') {
    const t = top as Record<string, unknown>;
    for (const f of stringList(t.params)) addParams(out.params, f, 'all');
    for (const m of stringList(t.metrics)) out.metrics.push(joinPath('', m));
  }
  return out;
}

/** `stages.<name>.params.<file>.<key>` of a dvc.lock: the files and keys a run recorded. */
function lockParams(lockText: string): [string, string[]][] {
  let lock: unknown;
  try {
    lock = parseYamlData(lockText);
  } catch {
    return [];
  }
  const stages = (lock as { stages?: unknown } | null)?.stages;
  if (!stages || typeof stages !== 'object') return [];
  const out: [string, string[]][] = [];
  for (const st of Object.values(stages as Record<string, unknown>)) {
    const params = (st as { params?: unknown } | null)?.params;
    if (!params || typeof params !== 'object') continue;
    for (const [file, keys] of Object.entries(params as Record<string, unknown>)) {
      if (keys && typeof keys === 'object') out.push([file, Object.keys(keys)]);
    }
  }
  return out;
}

export type Parsed = { ok: true; data: unknown } | { ok: false; error: string };

const parseCache = new Map<string, Parsed>();

/** A params or metrics file (YAML, or JSON, which YAML reads too); cached by text, as experiments share most files. */
export function parseDataFile(file: string, text: string): Parsed {
  const key = `${file}\u0000${text}`;
  const hit = parseCache.get(key);
  if (hit) return hit;
  let result: Parsed;
  if (/\.(toml|py)$/i.test(file)) result = { ok: false, error: 'TOML and Python params files are not read' };
  else {
    try {
      result = { ok: true, data: /\.json$/i.test(file) ? JSON.parse(text) : (parseSimpleYaml(text) ?? parseYamlData(text)) };
    } catch (err) {
      result = { ok: false, error: (err as Error).message.split('\n')[0] };
    }
  }
  if (parseCache.size > 5000) parseCache.clear();
  parseCache.set(key, result);
  return result;
}

/** A params file's values as `dvc exp show` shows them: the whole file, or just the tracked keys. */
export function selectParams(data: unknown, keys: Set<string> | 'all'): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: unknown) => (out[k] = typeof v === 'string' ? v : JSON.stringify(v) ?? 'null');
  if (keys === 'all') {
    for (const [k, v] of flattenLeaves(data, '.')) put(k, v);
    return out;
  }
  for (const key of keys) {
    const hit = lookupPath(data, splitKeyPath(key));
    if (!hit.found) continue;
    if (hit.value && typeof hit.value === 'object' && !Array.isArray(hit.value)) for (const [k, v] of flattenLeaves(hit.value, '.', `${key}.`)) put(k, v);
    else put(key, hit.value);
  }
  return out;
}

/** Numeric leaves of a metrics file, nested names joined with '/' (DVCLive's names); a top-level `step` is the step, not a metric. */
export function metricValues(data: unknown): { step: number; values: [string, number][] } {
  const top = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const step = typeof top.step === 'number' ? top.step : 0;
  const values: [string, number][] = [];
  for (const [k, v] of flattenLeaves(top, '/')) {
    if (k === 'step') continue;
    if (typeof v === 'number') values.push([k, v]);
    else if (typeof v === 'boolean') values.push([k, v ? 1 : 0]);
  }
  return { step, values };
}
