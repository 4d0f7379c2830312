// The argv of each kind of run a view submits to a cluster, and the parameter grid a user
// types (`train.alpha=0.1,0.01 train.epochs=5,10`) as the combinations of a job array.
// Arguments stay an argv: the batch script quotes them, nothing here joins them.
import { PlanError } from './resources';
import type { ParamGrid } from './types';

/**
 * A synced copy is not a git repository (sync never writes .git), and DVC refuses to run in
 * one unless told there is no SCM: a setup line for DVC runs on a synced copy. A constant:
 * nothing of the user's is in it.
 */
/** What brings a stage's runs home: its uncached outputs (metrics, plots), DVCLive's folder, params.yaml. */
export function stageResultPaths(outs: ReadonlyArray<{ path: string; cache: boolean }>): string[] {
  return [...new Set([...outs.filter((o) => !o.cache).map((o) => (o.path.split('/')[0] === 'dvclive' ? 'dvclive' : o.path)), 'dvclive', 'params.yaml'])];
}

/** Cached outputs (a model folder): of them only the TensorBoard event files a training wrote there come home, never the weights. */
export function stageEventPaths(outs: ReadonlyArray<{ path: string; cache: boolean }>): string[] {
  return [...new Set(outs.filter((o) => o.cache).map((o) => o.path))];
}

export const DVC_NO_SCM_SETUP = 'git rev-parse --git-dir >/dev/null 2>&1 || dvc config --local core.no_scm true';

/**
 * A Ray working_dir is an upload without `.git`, and `dvc exp run` needs a git repository:
 * an experiment there runs in a throwaway one of the uploaded files. A constant.
 */
export const GIT_SCRATCH_SETUP = 'git rev-parse --git-dir >/dev/null 2>&1 || { git init -q && git add -A && git -c user.name=mlops-workbench -c user.email=mlops-workbench@localhost commit -q -m "Ray working_dir"; } || { echo "mlops: dvc exp run needs git on the Ray node" >&2; exit 1; }';

/** `dvc repro -s <stage>`: that stage alone, as the Pipelines view's Run Stage does locally. */
export function stageArgv(stage: string): string[] {
  return ['dvc', 'repro', '-s', stage];
}

/** `dvc exp run -S k=v …`; the grid's values are appended by the job array (flag `-S`). */
export function experimentArgv(params: Readonly<Record<string, string>> = {}): string[] {
  return ['dvc', 'exp', 'run', ...Object.entries(params).flatMap(([k, v]) => ['-S', `${k}=${v}`])];
}

/** `mlflow run . -e <entry point> -P k=v …` (the grid's values with flag `-P`). */
export function entryPointArgv(entryPoint: string, params: Readonly<Record<string, string>> = {}): string[] {
  return ['mlflow', 'run', '.', '-e', entryPoint, ...Object.entries(params).flatMap(([k, v]) => ['-P', `${k}=${v}`])];
}

/** At most this many combinations from one grid (Slurm's own MaxArraySize default is 1001). */
export const MAX_COMBINATIONS = 1000;
const NAME = /^[A-Za-z_][A-Za-z0-9_.\-/:[\]]*$/;

export interface ParsedParams {
  /** Names with one value: the same for every task. */
  fixed: Record<string, string>;
  /** Every combination of the names with several values (comma-separated), in the order typed; empty when none has several. */
  combinations: Array<Record<string, string>>;
}

/**
 * `name=value` words separated by blanks; a value with commas is a list (`alpha=0.1,0.01`).
 * A value cannot hold a blank or a comma here; other characters are kept as typed (the
 * script quotes them).
 */
export function parseParams(text: string): ParsedParams {
  const fixed: Record<string, string> = {};
  const lists: Array<[string, string[]]> = [];
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length > 100) throw new PlanError(`${words.length} parameters; at most 100 at once`);
  for (const w of words) {
    const eq = w.indexOf('=');
    const name = eq > 0 ? w.slice(0, eq) : '';
    if (!NAME.test(name)) throw new PlanError(`"${w}" is not name=value (a params.yaml key such as train.alpha=0.1)`);
    const values = w.slice(eq + 1).split(',');
    if (values.some((v) => v === '')) throw new PlanError(`"${w}" has an empty value`);
    if (name in fixed || lists.some(([n]) => n === name)) throw new PlanError(`${name} is given twice`);
    if (values.length === 1) fixed[name] = values[0];
    else lists.push([name, values]);
  }
  const count = lists.reduce((n, [, vs]) => n * vs.length, 1);
  if (lists.length && count > MAX_COMBINATIONS) throw new PlanError(`the grid has ${count} combinations; at most ${MAX_COMBINATIONS} in one job array`);
  let combinations: Array<Record<string, string>> = lists.length ? [{}] : [];
  for (const [name, values] of lists) combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  return { fixed, combinations };
}

/** The job array of a parsed grid, or undefined when every name has one value. */
export function gridOf(parsed: ParsedParams, flag: string, maxParallel?: number): ParamGrid | undefined {
  if (!parsed.combinations.length) return undefined;
  return { combinations: parsed.combinations, flag, ...(maxParallel ? { maxParallel } : {}) };
}
