// The `mlops.clusters` setting read into typed entries, and the answers of the submit
// questions turned into a RunPlan. No `vscode` here: the unit tests and the integration
// test against a real Slurm use exactly what the commands use.
import { checkMemory, checkName, checkTimeLimit, parseGpuRequest, PlanError } from '../../core/jobs/resources';
import type { ParamGrid, RunPlan } from '../../core/jobs/types';
import { rayClusterSetting, type RaySetting } from './rayClusterSettings';

/** One entry of `mlops.clusters`, as package.json describes it. */
export interface ClusterSetting {
  /** Shown in the Jobs view; unique. */
  name: string;
  /** The login node: an SSH host name from `mlops.hosts` or ~/.ssh/config. */
  host: string;
  /** Absolute folder on the cluster the jobs run in. */
  remoteRoot?: string;
  partition?: string;
  account?: string;
  qos?: string;
  /** `--constraint=ib`, one per entry. */
  sbatchOptions: string[];
  /** Shell lines run before the command (`module load cuda`). */
  setup: string[];
  /** The cluster sees the project's folder itself: no code sync before a submit. */
  sharedFilesystem: boolean;
  /** A Ray cluster (`type: "ray"`): its dashboard; `host` then only says where it is reached. */
  ray?: RaySetting;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const lines = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : []);

/** Entries without a name or host (a Ray one: address) are dropped; of two with one name the first wins. */
export function clusterSettings(value: unknown): ClusterSetting[] {
  if (!Array.isArray(value)) return [];
  const out: ClusterSetting[] = [];
  for (const e of value) {
    if (typeof e !== 'object' || e === null) continue;
    const r = e as Record<string, unknown>;
    if (r.type === 'ray') {
      const ray = rayClusterSetting(r);
      if (ray && !out.some((c) => c.name === ray.name)) out.push(ray);
      continue;
    }
    const name = text(r.name);
    const host = text(r.host);
    if (!name || !host || out.some((c) => c.name === name)) continue;
    out.push({
      name,
      host,
      ...(text(r.remoteRoot) ? { remoteRoot: text(r.remoteRoot) } : {}),
      ...(text(r.partition) ? { partition: text(r.partition) } : {}),
      ...(text(r.account) ? { account: text(r.account) } : {}),
      ...(text(r.qos) ? { qos: text(r.qos) } : {}),
      sbatchOptions: lines(r.sbatchOptions).map((s) => s.trim()),
      setup: lines(r.setup),
      sharedFilesystem: r.sharedFilesystem === true,
    });
  }
  return out;
}

/** What *Submit Command to Cluster…* asked, as typed (empty = not asked for). */
export interface SubmitAnswers {
  /** A shell command line, as the user would type it on the login node. */
  command: string;
  /** Absolute folder on the cluster. */
  cwd: string;
  partition?: string;
  gpus?: string;
  cpus?: string;
  memory?: string;
  timeLimit?: string;
}

/** A run a view submits (a stage, an experiment, an entry point): its argv instead of a command line. */
export interface PlannedRun {
  name: string;
  argv: readonly string[];
  array?: ParamGrid;
  /** Lines run first, after the cluster's own setup lines. */
  setup?: readonly string[];
  /** Where the script writes what the node is, for provenance (RunPlan.provenanceDir). */
  provenanceDir?: string;
}

/** `undefined` when the answer is acceptable, else why not (for an input box's validation). */
export function checkAnswer(what: 'gpus' | 'cpus' | 'memory' | 'timeLimit' | 'cwd', value: string): string | undefined {
  const v = value.trim();
  if (!v) return what === 'cwd' ? 'give an absolute folder on the cluster' : undefined;
  try {
    if (what === 'gpus') parseGpuRequest(v);
    else if (what === 'cpus') {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100000) throw new PlanError(`"${v}" is not a whole number of CPUs`);
    } else if (what === 'memory') checkMemory(v);
    else if (what === 'timeLimit') checkTimeLimit(v);
    else if (!v.startsWith('/')) throw new PlanError(`"${v}" is not an absolute path`);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return undefined;
}

/** The job's name: the command's first word that is not an interpreter (`train.py` of `python train.py`). */
export function jobNameOf(command: string): string {
  // `python -m pkg.train` is named for its module; `python -c "code"` for its interpreter
  // (the code's first word, a quote and half a call, says nothing).
  const inline = /^(?:\S*\/)?(python[\d.]*|bash|sh)(?:\s+-\S+)*?\s+-([cm])\s+(\S+)/.exec(command.trim());
  if (inline) return (inline[2] === 'm' ? inline[3] : inline[1]).slice(0, 60);
  const words = command.trim().split(/\s+/).filter((w) => !/^(python[\d.]*|bash|sh|srun|uv|poetry|run|-\S*)$/.test(w) && !w.includes('='));
  const first = words[0] ?? command.trim().split(/\s+/)[0] ?? 'job';
  return first.split('/').pop()!.slice(0, 60) || 'job';
}

/**
 * The plan the command submits. The command line is the user's own shell text, so it runs
 * under `bash -c` (its pipes and `&&` mean what they would at a prompt); everything else
 * is checked here and again when the backend writes the script.
 */
export function planFromAnswers(cluster: ClusterSetting, a: SubmitAnswers, run?: PlannedRun): RunPlan {
  const command = a.command.trim();
  if (!command && !run) throw new PlanError('the command is empty');
  for (const what of ['gpus', 'cpus', 'memory', 'timeLimit'] as const) {
    const problem = checkAnswer(what, a[what] ?? '');
    if (problem) throw new PlanError(problem);
  }
  const cwdProblem = checkAnswer('cwd', a.cwd);
  if (cwdProblem) throw new PlanError(cwdProblem);
  const partition = a.partition?.trim() || cluster.partition;
  const setup = [...cluster.setup, ...(run?.setup ?? [])];
  return {
    name: run?.name ?? jobNameOf(command),
    command: run ? [...run.argv] : ['bash', '-c', command],
    cwd: a.cwd.trim(),
    ...(run?.array ? { array: run.array } : {}),
    resources: {
      ...(partition ? { partition: checkName('partition', partition) } : {}),
      ...(cluster.account ? { account: cluster.account } : {}),
      ...(cluster.qos ? { qos: cluster.qos } : {}),
      ...(a.gpus?.trim() ? { gpus: a.gpus.trim() } : {}),
      ...(a.cpus?.trim() ? { cpus: Number(a.cpus.trim()) } : {}),
      ...(a.memory?.trim() ? { memory: a.memory.trim() } : {}),
      ...(a.timeLimit?.trim() ? { timeLimit: a.timeLimit.trim() } : {}),
    },
    ...(setup.length ? { setup } : {}),
    ...(run?.provenanceDir ? { provenanceDir: run.provenanceDir } : {}),
    ...(cluster.sbatchOptions.length ? { extraOptions: cluster.sbatchOptions } : {}),
  };
}
