// The argv of every DVC experiment lifecycle command (queue, run, queue workers, logs,
// apply, branch, rename, remove, push, pull), built and checked here so the editor glue
// only asks and runs. Arrays, never shell strings; every name a user or a repository
// supplies is checked and passed after `--` (DVC's argparse ends its options there), so a
// name cannot turn into an option.
//
// `-S key=value` is Hydra's override grammar (dvc/utils/hydra.py parses it with Hydra's
// OverridesParser): `key=a,b` is a choice sweep that `dvc exp run --queue` expands into
// one experiment per combination. A value meant literally that holds a comma, a space, a
// bracket or a quote must therefore be quoted as Hydra expects ('a,b' with `\'` inside),
// which `hydraValue` does; a bare number, bool or word stays bare so Hydra types it.

import { walkEntries } from '../../common/flatten';

/** A param value as the user gave it: `asString` when they quoted it (always a string). */
export interface ParamValue {
  text: string;
  asString?: boolean;
  /**
   * A value that replaces the param as a whole (a list or a map typed as YAML/JSON), already
   * in Hydra's grammar (paramContainer.ts); set with `~key` then `+key=`, never in a grid.
   */
  whole?: string;
}

/** One `-S`: a param of `file` (default params.yaml) set to one value, or swept over several. */
export interface ParamOverride {
  /** The params file; undefined for DVC's default (params.yaml). */
  file?: string;
  /** Dotted path in the file: `train.alpha`, `layers.0`. */
  key: string;
  values: ParamValue[];
}

export class ExpArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpArgError';
  }
}

/** Far beyond a sensible sweep: every experiment is a git commit and a queue task. */
export const MAX_GRID = 1000;
export const MAX_JOBS = 64;

// Hydra's key lexer: KEY_SPECIAL or an unsigned int, joined by dots.
const KEY_PART = String.raw`(?:[A-Za-z_$][A-Za-z0-9_\-$]*|0|[1-9](?:_?[0-9])*)`;
const PARAM_KEY = new RegExp(`^${KEY_PART}(?:\\.${KEY_PART})*$`);
// Characters Hydra reads as one bare primitive (ID, numbers, bool, null, UNQUOTED_CHAR),
// without whitespace, so the value is what was typed and its type is Hydra's.
const BARE_VALUE = /^[A-Za-z0-9_\-+./%*@?|]+$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Quotes `s` as a Hydra QUOTED_VALUE: backslashes before a quote (or the end) doubled, the quote escaped. */
export function quoteHydra(s: string): string {
  let out = "'";
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && s[j] === '\\') j++;
    const run = j - i;
    if (j === s.length) {
      out += '\\'.repeat(run * 2);
      break;
    }
    if (s[j] === "'") out += `${'\\'.repeat(run * 2)}\\'`;
    else out += '\\'.repeat(run) + s[j];
    i = j + 1;
  }
  return `${out}'`;
}

/** The value as Hydra must read it to mean `v`: bare when it is one plain token, else quoted. */
export function hydraValue(v: ParamValue): string {
  if (v.whole !== undefined) return v.whole;
  if (CONTROL.test(v.text)) throw new ExpArgError(`a param value cannot hold control characters or line breaks: ${JSON.stringify(v.text)}`);
  // OmegaConf resolves ${...} even inside quotes: it would become another param's value, or fail.
  if (v.text.includes('${')) throw new ExpArgError(`"${v.text}" holds "\${", which DVC (OmegaConf) reads as an interpolation; leave it out`);
  if (!v.asString && BARE_VALUE.test(v.text)) return v.text;
  return quoteHydra(v.text);
}

/** Why `key` cannot be set with `-S`, or undefined. */
export function paramKeyProblem(key: string): string | undefined {
  if (!key) return 'a param key is empty';
  if (!PARAM_KEY.test(key)) return `"${key}" cannot be set with dvc exp run -S: a key is words of letters, digits, _ - $ joined by dots`;
  return undefined;
}

/** The `[file:]` of an override's `-S`, checked. */
function fileOf(o: ParamOverride): string {
  const problem = paramKeyProblem(o.key);
  if (problem) throw new ExpArgError(problem);
  if (!o.values.length) throw new ExpArgError(`no value given for ${o.key}`);
  if (o.file !== undefined) {
    // DVC splits the file off at the first ':' before the '='.
    if (!o.file || /[:=]/.test(o.file) || o.file.startsWith('-') || CONTROL.test(o.file)) throw new ExpArgError(`"${o.file}" cannot be named in -S (no ':' or '=', not starting with '-')`);
  }
  return o.file !== undefined && o.file !== 'params.yaml' ? `${o.file}:` : '';
}

/** The `-S` argument of one override of scalar values: `[file:]key=v1,v2`. */
export function setParamArg(o: ParamOverride): string {
  const file = fileOf(o);
  if (o.values.some((v) => v.whole !== undefined)) throw new ExpArgError(`${o.key} is set as a whole (a list or a map): it takes two -S arguments (setParamArgs)`);
  return `${file}${o.key}=${o.values.map(hydraValue).join(',')}`;
}

/**
 * The `-S` arguments of one override: `[file:]key=v1,v2`; for a value that replaces the
 * param as a whole, `[file:]~key` and `[file:]+key=value` (DVC's `key={...}` would merge
 * into a map and refuse a new key).
 */
export function setParamArgs(o: ParamOverride): string[] {
  const whole = o.values.filter((v) => v.whole !== undefined);
  if (!whole.length) return [setParamArg(o)];
  const file = fileOf(o);
  if (o.values.length > 1) throw new ExpArgError(`${o.key} is a list or a map: it takes one value, not a grid`);
  return [`${file}~${o.key}`, `${file}+${o.key}=${whole[0].whole!}`];
}

/** How many experiments a queue with these overrides makes: the product of their value counts. */
export function gridSize(overrides: readonly ParamOverride[]): number {
  return overrides.reduce((n, o) => n * Math.max(1, o.values.length), 1);
}

/**
 * Splits what the user typed for one param into values: commas separate values (a grid),
 * a value in '...' or "..." is taken literally (commas and all; `\'` is a quote), blanks
 * around values are dropped. Returns the error with its 0-based column otherwise.
 */
export function parseValueList(input: string): { ok: true; values: ParamValue[] } | { ok: false; error: string; column: number } {
  const values: ParamValue[] = [];
  let i = 0;
  const skipBlank = () => {
    while (i < input.length && /\s/.test(input[i])) i++;
  };
  for (;;) {
    skipBlank();
    const start = i;
    const q = input[i];
    if (q === "'" || q === '"') {
      let text = '';
      i++;
      while (i < input.length && input[i] !== q) {
        if (input[i] === '\\' && (input[i + 1] === q || input[i + 1] === '\\')) i++;
        text += input[i++];
      }
      if (i >= input.length) return { ok: false, error: `the quote opened here is not closed`, column: start };
      i++;
      values.push({ text, asString: true });
      skipBlank();
    } else {
      while (i < input.length && input[i] !== ',') i++;
      const text = input.slice(start, i).trim();
      if (!text) return { ok: false, error: input.trim() ? 'a value is missing between commas' : 'a value is needed', column: start };
      if (/['"]/.test(text)) return { ok: false, error: 'put a value with quotes in it inside quotes, as \'it\\\'s\'', column: start + text.search(/['"]/) };
      values.push({ text });
    }
    if (i >= input.length) break;
    if (input[i] !== ',') return { ok: false, error: 'expected a comma after the quoted value', column: i };
    i++;
  }
  for (const v of values) {
    try {
      hydraValue(v);
    } catch (err) {
      return { ok: false, error: (err as Error).message, column: 0 };
    }
  }
  return { ok: true, values };
}

/** A value of params.yaml as the user would type it back: strings that need quotes get them. */
export function valueAsInput(v: unknown): string {
  if (typeof v === 'string') return BARE_VALUE.test(v) && !/^(true|false|null|[-+]?[0-9._]+(e[-+]?[0-9]+)?|[-+]?(inf|nan))$/i.test(v) ? v : quoteHydra(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function checkRef(what: string, name: string): string {
  if (!name || !name.trim()) throw new ExpArgError(`${what} is empty`);
  if (name.startsWith('-')) throw new ExpArgError(`${what} "${name}" starts with '-', which DVC would read as an option`);
  if (CONTROL.test(name) || /\s/.test(name)) throw new ExpArgError(`${what} "${name}" holds a space or control character`);
  return name;
}

/** An experiment, queued task or commit to act on: any non-empty word that is not an option. */
export function checkExperiment(name: string): string {
  return checkRef('the experiment name', name);
}

/** Why `name` cannot be a new experiment or git branch name (git's check-ref-format rules), or undefined. */
export function refNameProblem(name: string, what = 'the name'): string | undefined {
  try {
    checkRef(what, name);
  } catch (err) {
    return (err as Error).message;
  }
  if (/[~^:?*[\\]/.test(name)) return `${what} cannot hold any of ~ ^ : ? * [ \\`;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return `${what} cannot hold "..", "@{" or "//"`;
  if (name === '@' || name.endsWith('.') || name.endsWith('/') || name.startsWith('/') || name.endsWith('.lock')) return `${what} cannot be "@" or end with ".", "/" or ".lock"`;
  if (name.split('/').some((part) => part.startsWith('.'))) return `no part of ${what} may start with "."`;
  return undefined;
}

function checkNewRef(what: string, name: string): string {
  const problem = refNameProblem(name, what);
  if (problem) throw new ExpArgError(problem);
  return name;
}

/** A git remote: a name or a URL, never an option. */
export function checkRemote(remote: string): string {
  return checkRef('the git remote', remote);
}

export interface ExpRunOptions {
  overrides?: readonly ParamOverride[];
  /** `-n`: with a grid, DVC names the experiments `<name>-1`, `<name>-2`, ... */
  name?: string;
  /** Stages or dvc.yaml files to reproduce (default: the dvc.yaml of the folder). */
  targets?: readonly string[];
}

function runArgs(queue: boolean, o: ExpRunOptions): string[] {
  const overrides = o.overrides ?? [];
  const size = gridSize(overrides);
  if (!queue && size > 1) throw new ExpArgError('a grid of values makes several experiments, which DVC runs only from its queue: queue them instead');
  if (size > MAX_GRID) throw new ExpArgError(`this grid makes ${size} experiments; at most ${MAX_GRID} are queued at once`);
  const args = ['exp', 'run', ...(queue ? ['--queue'] : [])];
  if (o.name !== undefined) args.push('-n', checkNewRef('the experiment name', o.name));
  for (const ov of overrides) for (const arg of setParamArgs(ov)) args.push('-S', arg);
  const targets = (o.targets ?? []).map((t) => checkRef('the target', t));
  if (targets.length) args.push('--', ...targets);
  return args;
}

/** `dvc exp run --queue [-n name] -S ...`: one experiment, or one per combination of a grid. */
export function queueExperimentArgs(o: ExpRunOptions = {}): string[] {
  return runArgs(true, o);
}

/** `dvc exp run [-n name] -S ...`: one experiment, now, in the workspace. */
export function runExperimentArgs(o: ExpRunOptions = {}): string[] {
  return runArgs(false, o);
}

export function checkJobs(jobs: number): number {
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) throw new ExpArgError(`the number of workers must be a whole number from 1 to ${MAX_JOBS}`);
  return jobs;
}

export const queueStartArgs = (jobs = 1): string[] => ['queue', 'start', '-j', String(checkJobs(jobs))];
/** `--kill` also ends the experiments the workers are running; without it they finish first. */
export const queueStopArgs = (o: { kill?: boolean } = {}): string[] => ['queue', 'stop', ...(o.kill ? ['--kill'] : [])];
export const queueStatusArgs = (): string[] => ['queue', 'status'];

function names(what: string, list: readonly string[]): string[] {
  if (!list.length) throw new ExpArgError(`no ${what} given`);
  return list.map(checkExperiment);
}

/** `dvc queue kill`: interrupt running queued experiments (`force`: SIGKILL instead of Ctrl-C). */
export const queueKillArgs = (tasks: readonly string[], o: { force?: boolean } = {}): string[] => ['queue', 'kill', ...(o.force ? ['-f'] : []), '--', ...names('experiment to kill', tasks)];
/** `dvc queue logs`: the output of a queued experiment that ran, runs or failed; `follow` (-f) keeps reading while it runs. */
export const queueLogsArgs = (task: string, o: { follow?: boolean } = {}): string[] => ['queue', 'logs', ...(o.follow ? ['-f'] : []), '--', checkExperiment(task)];
/** `dvc exp apply`: the experiment's params, code and outputs into the workspace (DVC overwrites changes). */
export const applyArgs = (exp: string): string[] => ['exp', 'apply', '--', checkExperiment(exp)];
export const branchArgs = (exp: string, branch: string): string[] => ['exp', 'branch', '--', checkExperiment(exp), checkNewRef('the branch name', branch)];
export const renameArgs = (exp: string, to: string): string[] => ['exp', 'rename', '--', checkExperiment(exp), checkNewRef('the new name', to)];
/** `dvc exp remove <names>`, or with `queue: true` every queued experiment (`--queue`). */
export function removeArgs(target: { names: readonly string[] } | { queue: true }): string[] {
  if ('queue' in target) return ['exp', 'remove', '--queue'];
  return ['exp', 'remove', '--', ...names('experiment to remove', target.names)];
}
export const pushArgs = (remote: string, exps: readonly string[]): string[] => ['exp', 'push', '--', checkRemote(remote), ...names('experiment to push', exps)];
/** `dvc exp list`: every experiment a git remote holds, by name (for a pull). */
export const listRemoteArgs = (remote: string): string[] => ['exp', 'list', '--all-commits', '--name-only', '--', checkRemote(remote)];
export const pullArgs = (remote: string, exps: readonly string[]): string[] => ['exp', 'pull', '--', checkRemote(remote), ...names('experiment to pull', exps)];

/** A row of the DVC experiments listing as the lifecycle commands see it (from its `dvc.kind` tag and status). */
export type ExpRowState = 'workspace' | 'baseline' | 'queued' | 'running' | 'failed' | 'done';

export function expRowState(run: { status: string; tags: Record<string, string> }): ExpRowState {
  // `dvc exp run` in the workspace is no queue task: it is stopped in its terminal, not with `dvc queue kill`.
  if (run.tags['dvc.kind'] === 'workspace') return 'workspace';
  if (run.status === 'RUNNING') return 'running';
  switch (run.tags['dvc.kind']) {
    case 'queued':
      return 'queued';
    case 'failed':
      return 'failed';
    case 'experiment':
      return 'done';
    case 'baseline':
      return 'baseline';
    default:
      return 'workspace';
  }
}

/**
 * What DVC commands call the row: its name, or its commit when it has none (a queued run
 * without `-n` is listed by its short stash commit, which is ambiguous at 7 digits).
 */
export function experimentTarget(run: { id: string; name: string }): string {
  return !run.name || run.name === run.id.slice(0, 7) ? run.id : run.name;
}

/** A param a `-S` can set: `path` is its keys in the file; a `container` (list or map) is set as a whole. */
export interface SettableParam {
  key: string;
  path: string[];
  value: unknown;
  container: boolean;
}

/**
 * The params a `-S` can set, from a params file's data, in document order: each scalar,
 * each list, and each map (before its own entries), whose key Hydra can name.
 */
export function settableParams(data: unknown): SettableParam[] {
  const out: SettableParam[] = [];
  walkEntries(data, (path, value) => {
    const key = path.join('.');
    // A key with a dot would name another path; one Hydra cannot name hides what is under it too.
    if (path[path.length - 1].includes('.') || paramKeyProblem(key)) return false;
    out.push({ key, path, value, container: value !== null && typeof value === 'object' });
    return true;
  });
  return out;
}
