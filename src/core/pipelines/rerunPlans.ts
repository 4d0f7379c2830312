// What a rerun runs: the task definitions (as contributed in package.json
// `taskDefinitions`, so a user can also write them in tasks.json) and the argv each one
// means. Argument vectors, never shell strings: a stage name or a param value cannot
// inject a command.

export const DVC_TASK_TYPE = 'mlops-dvc';
export const MLFLOW_TASK_TYPE = 'mlops-mlflow';

export interface DvcTaskDefinition {
  type: typeof DVC_TASK_TYPE;
  /** `repro` (the default) or `exp-run` (an experiment, with `set` params). */
  action?: 'repro' | 'exp-run';
  /** A stage name; none means the whole pipeline. */
  stage?: string;
  /** Only this stage (`dvc repro -s`), not what it depends on. */
  single?: boolean;
  /** `key=value` params for `dvc exp run -S`. */
  set?: string[];
  /** The dvc.yaml's folder, relative to the workspace folder; default its root. */
  cwd?: string;
}

export interface MlflowTaskDefinition {
  type: typeof MLFLOW_TASK_TYPE;
  entryPoint: string;
  parameters?: Record<string, string>;
  /** The MLproject's folder, relative to the workspace folder; default its root. */
  project?: string;
  /** `local` runs in the current Python environment: no conda or virtualenv needed. */
  envManager?: string;
}

export function dvcArgs(def: DvcTaskDefinition): string[] {
  const target = def.stage ? [def.stage] : [];
  if (def.action === 'exp-run') return ['exp', 'run', ...(def.set ?? []).flatMap((s) => ['-S', s]), ...target];
  return ['repro', ...(def.single && def.stage ? ['-s'] : []), ...target];
}

export function mlflowArgs(def: MlflowTaskDefinition): string[] {
  const params = Object.entries(def.parameters ?? {}).flatMap(([k, v]) => ['-P', `${k}=${v}`]);
  return ['run', '.', '-e', def.entryPoint, ...params, ...(def.envManager ? ['--env-manager', def.envManager] : [])];
}

export function dvcTaskLabel(def: DvcTaskDefinition): string {
  if (def.action === 'exp-run') {
    const set = def.set?.length ? ` with ${def.set.join(', ')}` : '';
    return `Run experiment${def.stage ? ` up to ${def.stage}` : ''}${set}`;
  }
  if (!def.stage) return 'Run pipeline';
  return def.single ? `Run stage ${def.stage}` : `Run pipeline up to ${def.stage}`;
}

export function mlflowTaskLabel(def: MlflowTaskDefinition): string {
  const params = Object.entries(def.parameters ?? {}).map(([k, v]) => `${k}=${v}`);
  return `Run MLflow entry point ${def.entryPoint}${params.length ? ` with ${params.join(', ')}` : ''}`;
}

export function isDvcTaskDefinition(v: { type: string }): v is DvcTaskDefinition {
  const d = v as Partial<DvcTaskDefinition>;
  return (
    d.type === DVC_TASK_TYPE &&
    (d.action === undefined || d.action === 'repro' || d.action === 'exp-run') &&
    (d.stage === undefined || typeof d.stage === 'string') &&
    (d.set === undefined || (Array.isArray(d.set) && d.set.every((s) => typeof s === 'string' && s.includes('='))))
  );
}

export function isMlflowTaskDefinition(v: { type: string }): v is MlflowTaskDefinition {
  const d = v as Partial<MlflowTaskDefinition>;
  return (
    d.type === MLFLOW_TASK_TYPE &&
    typeof d.entryPoint === 'string' &&
    !!d.entryPoint &&
    (d.parameters === undefined || (typeof d.parameters === 'object' && Object.values(d.parameters).every((x) => typeof x === 'string')))
  );
}

/** A params value as `-S key=value` takes it: DVC parses the value as YAML, so text stays text. */
export function showParamValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
