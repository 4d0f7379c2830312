// A RunPlan as a Slurm batch script: `#SBATCH` lines for the resources, then the setup
// lines, then the command. Every value is checked (resources.ts) or quoted: a plan comes
// from user input and settings, and a newline or quote in it must not add a line to the
// script or a word to the command.
import { shellJoin, shellQuote } from '../../hosts/shellQuote';
import { JOB_EXIT_LINE, jobEpilogueLines, jobPrologueLines } from '../../provenance/jobScript';
import { checkMemory, checkName, checkTimeLimit, parseGpuRequest, PlanError } from '../resources';
import type { RunPlan } from '../types';

/** Our jobs carry this comment (`--comment`), so a reload or another machine knows them. */
export const JOB_LABEL = 'mlops-workbench';

export function isOurComment(comment: string | undefined): boolean {
  return comment === JOB_LABEL || (comment?.startsWith(`${JOB_LABEL}:`) ?? false);
}

export const DEFAULT_LOG_DIR = '.mlops/jobs';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EXTRA_OPTION = /^--[A-Za-z][A-Za-z0-9-]*(=[A-Za-z0-9_.,:=+%@/-]*)?$/;
const MAX_ARRAY = 10000;

/**
 * A path in an `#SBATCH` line: sbatch splits those lines at blanks unless in double
 * quotes, and has no escape for a quote, so a path with one (or a control character) is refused.
 */
function sbatchPath(what: string, p: string): string {
  if (!p.startsWith('/')) throw new PlanError(`${what} "${p}" must be an absolute path on the cluster`);
  if (/["\\\p{Cc}]/u.test(p)) throw new PlanError(`${what} "${p}" holds a quote, backslash or control character, which a batch script line cannot carry`);
  return /\s/.test(p) ? `"${p}"` : p;
}

/** The provenance folder goes into the script through shellQuote: only absoluteness is checked. */
function absoluteOnCluster(p: string): string {
  if (!p.startsWith('/')) throw new PlanError(`provenance folder "${p}" must be an absolute path on the cluster`);
  return p;
}

/** A job name Slurm shows as-is: letters, digits and `_.+-`; the rest becomes `-`. */
export function jobName(name: string): string {
  const n = name.replace(/[^A-Za-z0-9_.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return n || 'job';
}

/** `--gres=gpu:a100:2` for `A100:2`; `knownTypes` are the cluster's GRES types, for their spelling. */
export function gresOption(gpus: string, knownTypes: readonly string[] = []): string {
  const g = parseGpuRequest(gpus, knownTypes);
  return `--gres=gpu:${g.type ? `${g.type}:` : ''}${g.count}`;
}

export interface ScriptOptions {
  /** GRES types the cluster declares (`a100`), so `A100:2` uses the cluster's spelling. */
  knownGpuTypes?: readonly string[];
}

export function logDirOf(plan: RunPlan): string {
  return plan.logDir ?? `${plan.cwd.replace(/\/+$/, '')}/${DEFAULT_LOG_DIR}`;
}

/** The log folder in an --output pattern: a literal `%` there is written `%%`. */
function logPattern(plan: RunPlan): string {
  return logDirOf(plan).replace(/%/g, '%%');
}

export function renderBatchScript(plan: RunPlan, opts: ScriptOptions = {}): string {
  if (plan.command.length === 0) throw new PlanError('the plan has no command');
  const r = plan.resources;
  const array = plan.array?.combinations ?? [];
  if (plan.array && (array.length === 0 || array.length > MAX_ARRAY)) throw new PlanError(`a parameter grid needs 1 to ${MAX_ARRAY} combinations (has ${array.length})`);
  const stem = plan.array ? '%x-%A_%a' : '%x-%j';
  const lines = ['#!/bin/bash', `#SBATCH --job-name=${jobName(plan.name)}`, `#SBATCH --comment=${JOB_LABEL}`];
  lines.push(`#SBATCH --chdir=${sbatchPath('working directory', plan.cwd)}`);
  // The folder is joined before quoting: sbatchPath adds the quotes around the whole path.
  lines.push(`#SBATCH --output=${sbatchPath('log folder', `${logPattern(plan)}/${stem}.out`)}`);
  lines.push(`#SBATCH --error=${sbatchPath('log folder', `${logPattern(plan)}/${stem}.err`)}`);
  if (r.partition) lines.push(`#SBATCH --partition=${checkName('partition', r.partition)}`);
  if (r.account) lines.push(`#SBATCH --account=${checkName('account', r.account)}`);
  if (r.qos) lines.push(`#SBATCH --qos=${checkName('QoS', r.qos)}`);
  if (r.timeLimit) lines.push(`#SBATCH --time=${checkTimeLimit(r.timeLimit)}`);
  if (r.cpus !== undefined) {
    if (!Number.isSafeInteger(r.cpus) || r.cpus < 1) throw new PlanError(`CPUs must be a whole number of at least 1 (got ${r.cpus})`);
    lines.push(`#SBATCH --cpus-per-task=${r.cpus}`);
  }
  if (r.memory) lines.push(`#SBATCH --mem=${checkMemory(r.memory)}`);
  if (r.gpus) lines.push(`#SBATCH ${gresOption(r.gpus, opts.knownGpuTypes)}`);
  if (plan.array) {
    const max = plan.array.maxParallel;
    if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) throw new PlanError(`at most ${max} tasks at once is not a positive whole number`);
    lines.push(`#SBATCH --array=0-${array.length - 1}${max ? `%${max}` : ''}`);
  }
  for (const o of plan.extraOptions ?? []) {
    if (!EXTRA_OPTION.test(o)) throw new PlanError(`extra sbatch option "${o}" is not of the form --name or --name=value (no blanks or quotes)`);
    lines.push(`#SBATCH ${o}`);
  }
  lines.push('');
  if (plan.setup?.length) {
    // The user's own lines, as written (module load, source .venv/bin/activate); a failing
    // one stops the job before the command runs on a half-made environment.
    lines.push('# setup', 'set -e');
    for (const s of plan.setup) {
      if (/[\r\n]/.test(s)) throw new PlanError('a setup line holds a line break; give each line separately');
      lines.push(s);
    }
    lines.push('set +e', '');
  }
  lines.push(`cd -- ${shellQuote(plan.cwd)} || exit 1`);
  for (const [k, v] of Object.entries(plan.env ?? {})) {
    if (!ENV_NAME.test(k)) throw new PlanError(`"${k}" is not an environment variable name`);
    lines.push(`export ${k}=${shellQuote(v)}`);
  }
  // Measured here, on the node, in the job's environment (after setup: its venv, its modules).
  if (plan.provenanceDir) lines.push('', ...jobPrologueLines(absoluteOnCluster(plan.provenanceDir), 'SLURM_JOB_ID'));
  // With provenance the shell stays to write the exit status after the command: no exec.
  const run = plan.provenanceDir ? '' : 'exec ';
  const after = plan.provenanceDir ? [...jobEpilogueLines(), JOB_EXIT_LINE] : [];
  if (plan.array) {
    lines.push('', '# one parameter combination per array task', 'case "${SLURM_ARRAY_TASK_ID:-0}" in');
    array.forEach((combo, i) => {
      const args: string[] = [];
      for (const [k, v] of Object.entries(combo)) {
        if (plan.array!.flag) args.push(plan.array!.flag);
        args.push(`${k}=${v}`);
      }
      lines.push(`  ${i}) set -- ${shellJoin(args)} ;;`);
    });
    lines.push('  *) echo "no parameters for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;', 'esac');
    lines.push(`${run}${shellJoin(plan.command)} "$@"`, ...after);
  } else {
    lines.push(`${run}${shellJoin(plan.command)}`, ...after);
  }
  return `${lines.join('\n')}\n`;
}
