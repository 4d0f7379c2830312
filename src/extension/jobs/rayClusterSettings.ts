// `mlops.clusters` entries of `type: "ray"` (a Ray dashboard, reached directly or through an
// SSH host's port forward) and the answers of a Ray submit turned into a RunPlan. No
// `vscode` here: unit tests and the integration suite use what the commands use.
import { PlanError } from '../../core/jobs/resources';
import { DVC_NO_SCM_SETUP, GIT_SCRATCH_SETUP } from '../../core/jobs/runCommands';
import type { RunPlan } from '../../core/jobs/types';
import { checkAnswer, jobNameOf, type ClusterSetting, type PlannedRun } from './clusterSettings';

export interface RaySetting {
  /** `http://head:8265`, as the head (or the SSH host, with sshHost) reaches it. */
  address: string;
  /** Reach the dashboard through this SSH host (a port forward over its connection). */
  sshHost?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** A Ray entry; undefined without a name or an http(s) address. `host` shows where it is reached. */
export function rayClusterSetting(r: Record<string, unknown>): ClusterSetting | undefined {
  const name = text(r.name);
  let address = text(r.address);
  if (!name || !address) return undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) address = `http://${address}`;
  try {
    const u = new URL(address);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  const sshHost = text(r.sshHost);
  // Ray uploads the project itself as the job's working_dir: no SFTP code sync (sharedFilesystem false is not used).
  // `setup`: shell lines run first in every job (the nodes' own environment: `source /opt/venv/bin/activate`).
  const setup = Array.isArray(r.setup) ? r.setup.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  return { name, host: sshHost ? `${address} via ${sshHost}` : address, sbatchOptions: [], setup, sharedFilesystem: false, ray: { address, ...(sshHost ? { sshHost } : {}) } };
}

/** What *Submit Command to Cluster…* asks for a Ray cluster, as typed. */
export interface RaySubmitAnswers {
  command: string;
  /** The local folder uploaded as the job's working_dir (the workspace folder). */
  localDir?: string;
  gpus?: string;
  cpus?: string;
  memory?: string;
  /** `torch==2.5 pandas`: space- or comma-separated requirement specifiers. */
  pip?: string;
  /** `KEY=value KEY2=value2` */
  env?: string;
}

const PIP_SPEC = /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?([<>=!~]=?[A-Za-z0-9.*+!_-]+(,[<>=!~]=?[A-Za-z0-9.*+!_-]+)*)?$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePip(value: string): string[] {
  const specs = value.split(/[\s,]+/).filter(Boolean);
  for (const s of specs) if (!PIP_SPEC.test(s)) throw new PlanError(`"${s}" is not a pip requirement (name, name==1.2, name>=1.0)`);
  return specs;
}

/** `KEY=value` words; a value may not hold blanks (quote-free on purpose: what is typed is what is set). */
export function parseEnv(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of value.split(/\s+/).filter(Boolean)) {
    const i = w.indexOf('=');
    const k = i > 0 ? w.slice(0, i) : '';
    if (!ENV_KEY.test(k)) throw new PlanError(`"${w}" is not KEY=value`);
    out[k] = w.slice(i + 1);
  }
  return out;
}

/** `undefined` when acceptable, else why not (input box validation). */
export function checkRayAnswer(what: 'gpus' | 'cpus' | 'memory' | 'pip' | 'env', value: string): string | undefined {
  try {
    if (what === 'pip') parsePip(value);
    else if (what === 'env') parseEnv(value);
    else return checkAnswer(what, value);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return undefined;
}

/** The command runs under `bash -c` (the user's own shell text) in the uploaded project. */
export function rayPlanFromAnswers(a: RaySubmitAnswers): RunPlan {
  const command = a.command.trim();
  if (!command) throw new PlanError('the command is empty');
  for (const what of ['gpus', 'cpus', 'memory', 'pip', 'env'] as const) {
    const problem = checkRayAnswer(what, a[what] ?? '');
    if (problem) throw new PlanError(problem);
  }
  const pip = parsePip(a.pip ?? '');
  const env = parseEnv(a.env ?? '');
  return {
    name: jobNameOf(command),
    command: ['bash', '-c', command],
    cwd: '',
    resources: {
      ...(a.gpus?.trim() ? { gpus: a.gpus.trim() } : {}),
      ...(a.cpus?.trim() ? { cpus: Number(a.cpus.trim()) } : {}),
      ...(a.memory?.trim() ? { memory: a.memory.trim() } : {}),
    },
    ...(a.localDir ? { localDir: a.localDir } : {}),
    ...(pip.length ? { pip } : {}),
    ...(Object.keys(env).length ? { env } : {}),
  };
}

/**
 * A run of the views (a stage, an experiment, an entry point; a grid of them) as a Ray plan:
 * its argv in the uploaded project (`localDir`, the workspace folder), entered at `cwd` (the
 * dvc.yaml's folder inside it, relative), the cluster's setup lines, then DVC's own: a stage
 * runs with `core.no_scm` (the upload has no .git), an experiment in a throwaway git
 * repository (`dvc exp run` needs one). `results` are printed into the log on success
 * (of `eventResults`, cached outputs, only the TensorBoard event files).
 */
export function rayRunPlan(cluster: ClusterSetting, a: Omit<RaySubmitAnswers, 'command' | 'localDir'>, t: { run: PlannedRun; localDir: string; cwd: string; results?: readonly string[]; eventResults?: readonly string[] }): RunPlan {
  for (const what of ['gpus', 'cpus', 'memory', 'pip', 'env'] as const) {
    const problem = checkRayAnswer(what, a[what] ?? '');
    if (problem) throw new PlanError(problem);
  }
  if (t.cwd.startsWith('/') || t.cwd.split('/').includes('..')) throw new PlanError(`"${t.cwd}" is not a folder inside the project`);
  const argv = t.run.argv;
  const dvc = argv[0] === 'dvc' ? [argv[1] === 'exp' ? GIT_SCRATCH_SETUP : DVC_NO_SCM_SETUP] : [];
  const setup = [...cluster.setup, ...dvc];
  const pip = parsePip(a.pip ?? '');
  const env = parseEnv(a.env ?? '');
  return {
    name: t.run.name,
    command: [...argv],
    cwd: t.cwd,
    localDir: t.localDir,
    resources: {
      ...(a.gpus?.trim() ? { gpus: a.gpus.trim() } : {}),
      ...(a.cpus?.trim() ? { cpus: Number(a.cpus.trim()) } : {}),
      ...(a.memory?.trim() ? { memory: a.memory.trim() } : {}),
    },
    ...(t.run.array ? { array: t.run.array } : {}),
    ...(setup.length ? { setup } : {}),
    ...(pip.length ? { pip } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(t.results?.length ? { results: [...t.results] } : {}),
    ...(t.run.provenanceDir ? { provenanceDir: t.run.provenanceDir } : {}),
    ...(t.results?.length && t.eventResults?.length ? { eventResults: [...t.eventResults] } : {}),
  };
}
