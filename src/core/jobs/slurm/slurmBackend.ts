// Slurm behind the ClusterBackend interface, reached through a RemoteExec (the host
// layer's SSH connection to the login node). Reads go through the batched snapshot or
// one command each; every argv is quoted by the host layer, never joined here.
import { ActionableError } from '../../common/errors';
import { PlanError } from '../resources';
import type {
  CancelOptions,
  ClusterBackend,
  ClusterJob,
  ClusterSnapshot,
  ClusterWarning,
  JobRecord,
  LogPaths,
  Partition,
  RemoteExec,
  RunPlan,
  SnapshotOptions,
  SubmitResult,
} from '../types';
import { logDirOf, renderBatchScript } from './batchScript';
import { ACTIVE_STATES } from './fields';
import { SacctHistoryCache, type HistoryCacheOptions } from './historyCache';
import { parseJobcomp } from './jobcomp';
import { parseSacct, type StepCount } from './sacct';
import { parseScontrolJobs, scontrolJobArgv } from './scontrol';
import { gpuTypes, parseSinfo, SINFO_ARGV } from './sinfo';
import { snapshotArgv, SECTION_MAX_BYTES, splitSnapshot, type KnownHistory, type Section } from './snapshotCommand';
import { parseSqueue, squeueArgv } from './squeue';

/** A Slurm command failed; `message` is Slurm's own words. */
export class SlurmError extends ActionableError {}

/** sbatch refused the job (bad partition, account, limits): Slurm's message and a next step. */
export class SubmitRefusedError extends ActionableError {}

/** The job is someone else's, or not submitted by us, and the user did not confirm its owner. */
export class NotOurJobError extends ActionableError {
  constructor(
    readonly jobId: string,
    readonly owner: string,
    action: 'cancel' | 'requeue' = 'cancel',
  ) {
    super(
      `Job ${jobId} belongs to ${owner} or was not submitted from MLOps Workbench.`,
      action === 'cancel' ? `Cancel it only after confirming that ${owner}'s job may be cancelled.` : 'Only jobs you submitted from MLOps Workbench are requeued here; use scontrol requeue on the login node for others.',
    );
  }
}

const JOB_ID = /^\d+(_\d+)?$/;
/** An argument longer than this cannot be passed to a process on Linux (MAX_ARG_STRLEN is 128 KiB). */
const MAX_SCRIPT = 120000;

/** Slurm's own lines of an error (`sbatch: error: ...`), without blank lines. */
function slurmMessage(stderr: string, stdout = ''): string {
  const text = (stderr.trim() || stdout.trim()).split('\n').filter(Boolean).slice(-4).join('\n');
  return text.slice(0, 2000) || 'no message';
}

function nextStepForSubmit(message: string): string {
  if (/partition/i.test(message)) return 'Choose one of the partitions the Jobs view lists (sinfo), or leave it empty for the default.';
  if (/account|association/i.test(message)) return 'Check the account with your cluster admins (sacctmgr show assoc user=$USER).';
  if (/qos/i.test(message)) return 'Choose a QoS your account may use.';
  if (/time limit|memory|gres|node count|cpu/i.test(message)) return 'Ask for less (time, memory, GPUs, CPUs) or choose a partition that allows it.';
  return "Fix what Slurm reports and submit again; the batch script can be saved to try it with sbatch by hand.";
}

export interface SlurmBackendOptions {
  /** For every remote call. Default 20 s. */
  timeoutMs?: number;
  /** The cluster's GRES types, for `A100:2` → its own spelling; learned from each snapshot otherwise. */
  knownGpuTypes?: readonly string[];
  /** How the history from sacct is kept between refreshes (historyCache.ts). */
  historyCache?: HistoryCacheOptions;
}

export class SlurmBackend implements ClusterBackend {
  readonly kind = 'slurm' as const;
  private gpuTypes: readonly string[];
  /** One per choice of whose jobs and how many (Show Other Users' Jobs flips between two). */
  private readonly histories = new Map<string, SacctHistoryCache>();

  constructor(
    private readonly exec: RemoteExec,
    private readonly opts: SlurmBackendOptions = {},
  ) {
    this.gpuTypes = opts.knownGpuTypes ?? [];
  }

  /** The cluster facts of the first snapshot (name, version, history source); they do not change while it runs. */
  private config: Map<string, string> | undefined;

  /** Where the history comes from, once a snapshot has said: accounting, or the completion log. */
  private knownHistory(): KnownHistory | undefined {
    const c = this.config;
    if (c?.get('AccountingStorageType') === 'accounting_storage/slurmdbd') return { kind: 'sacct' };
    const path = c?.get('JobCompType') === 'jobcomp/filetxt' ? c.get('JobCompLoc') : undefined;
    return path ? { kind: 'jobcomp', path } : undefined;
  }

  /** `read`: a query, run on the connection's long-lived shell; submit and cancel get their own session. */
  private run(argv: readonly string[], read = false) {
    return this.exec(argv, { timeoutMs: this.opts.timeoutMs ?? 20000, ...(read ? { reuseShell: true } : {}) });
  }

  async snapshot(opts: SnapshotOptions = {}): Promise<ClusterSnapshot> {
    const known = this.knownHistory();
    const limit = opts.historyLimit ?? 200;
    const cacheKey = `${opts.allUsers ? 'all' : 'mine'}:${limit}`;
    let cache = this.histories.get(cacheKey);
    if (!cache) {
      // A few choices at most; the oldest goes first.
      if (this.histories.size >= 4) this.histories.delete(this.histories.keys().next().value!);
      cache = new SacctHistoryCache(this.opts.historyCache);
      this.histories.set(cacheKey, cache);
    }
    const plan = cache.plan(cacheKey);
    const argv = snapshotArgv({ ...opts, known, history: plan });
    const nonce = argv[4];
    const res = await this.run(argv, true);
    const out = splitSnapshot(res.stdout, nonce);
    // Learned once; a cluster with neither history source asks again each time (it is cheap to ask).
    if (!known && out.config.size) this.config = out.config;
    const config = this.config ?? out.config;
    if (!out.sections.has('sinfo')) {
      throw new SlurmError(`The cluster's login host did not answer the jobs query (exit ${res.code}): ${slurmMessage(res.stderr, res.stdout)}`, 'Check that Slurm commands (sinfo, squeue) work in a shell on the login host.');
    }
    const warnings: ClusterWarning[] = [];
    if (!out.complete) warnings.push({ part: 'snapshot', message: 'the answer was cut short; some parts may be missing' });
    const read = (name: string, part: string): string | undefined => {
      const s: Section | undefined = out.sections.get(name);
      if (!s) return undefined;
      if (s.rc !== 0) {
        warnings.push({ part, message: `${name} failed: ${slurmMessage(s.stderr)}` });
        return undefined;
      }
      if (s.bytes > SECTION_MAX_BYTES) warnings.push({ part, message: `${name}'s answer (${s.bytes} bytes) was cut at ${SECTION_MAX_BYTES} bytes` });
      return s.stdout;
    };
    const sinfo = read('sinfo', 'partitions');
    const squeue = read('squeue', 'jobs');
    const jobcomp = read('jobcomp', 'history');
    const sacct = read('sacct', 'history');
    // Steps of the jobs the cache has not settled, when only job rows were listed.
    const steps = read('steps', 'history');
    // Accounting gone since it was learned (slurmdbd switched off): learn the source again next time.
    if (out.sections.get('sacct')?.rc) this.config = undefined;
    const partitions = sinfo === undefined ? [] : parseSinfo(sinfo, warnings);
    this.learnGpuTypes(partitions);
    // Finished jobs only: the queue (squeue) is where running and pending ones are shown.
    let history: JobRecord[] = [];
    if (sacct !== undefined) {
      const counts = new Map<string, StepCount>();
      const ended = parseSacct(steps === undefined ? sacct : `${sacct}\n${steps}`, warnings, Infinity, undefined, counts).filter((r) => !ACTIVE_STATES.has(r.state)).slice(-limit);
      history = cache.merge(cacheKey, plan, ended, out.now, out.complete && !warnings.some((w) => w.part === 'history'), counts);
    } else {
      for (const c of this.histories.values()) c.forget();
      if (jobcomp !== undefined) history = parseJobcomp(jobcomp, warnings);
    }
    return {
      user: out.user,
      clusterName: config.get('ClusterName'),
      version: config.get('SLURM_VERSION'),
      partitions,
      jobs: squeue === undefined ? [] : parseSqueue(squeue, warnings),
      history,
      historySource: out.sections.has('sacct') ? 'sacct' : out.sections.has('jobcomp') ? 'jobcomp' : 'none',
      warnings,
    };
  }

  private learnGpuTypes(partitions: Partition[]): void {
    const types = gpuTypes(partitions);
    if (types.length) this.gpuTypes = types;
  }

  async listPartitions(): Promise<Partition[]> {
    const res = await this.run(SINFO_ARGV, true);
    if (res.code !== 0) throw new SlurmError(`sinfo failed: ${slurmMessage(res.stderr)}`, 'Check that slurmctld answers (sinfo on the login host).');
    const warnings: ClusterWarning[] = [];
    const partitions = parseSinfo(res.stdout, warnings);
    this.learnGpuTypes(partitions);
    return partitions;
  }

  async listJobs(opts: { allUsers?: boolean } = {}): Promise<ClusterJob[]> {
    const res = await this.run(opts.allUsers ? squeueArgv() : ['sh', '-c', 'exec "$@" -u "$(id -un)"', 'sh', ...squeueArgv()], true);
    if (res.code !== 0) throw new SlurmError(`squeue failed: ${slurmMessage(res.stderr)}`, 'Check that slurmctld answers (squeue on the login host).');
    return parseSqueue(res.stdout, []);
  }

  async jobHistory(opts: { limit?: number } = {}): Promise<JobRecord[]> {
    return (await this.snapshot({ historyLimit: opts.limit })).history;
  }

  render(plan: RunPlan): string {
    return renderBatchScript(plan, { knownGpuTypes: this.gpuTypes });
  }

  async submit(plan: RunPlan): Promise<SubmitResult> {
    const script = this.render(plan);
    if (script.length > MAX_SCRIPT) throw new PlanError(`the batch script is ${script.length} characters; at most ${MAX_SCRIPT} can be submitted`);
    // Slurm does not create the log folder, and a job whose --output folder is missing
    // fails without a word; the script goes on stdin, so no file is left behind.
    const res = await this.run(['sh', '-c', 'mkdir -p -- "$1" || exit 1; printf "%s" "$2" | sbatch --parsable', 'sh', logDirOf(plan), script]);
    const id = /^(\d+)(;\S+)?\s*$/.exec(res.stdout.trim().split('\n').pop() ?? '');
    if (res.code !== 0 || !id) {
      const message = slurmMessage(res.stderr, res.stdout);
      throw new SubmitRefusedError(`Slurm refused the job: ${message}`, nextStepForSubmit(message));
    }
    return { jobId: id[1], script };
  }

  private async jobs(jobId: string): Promise<{ me: string; jobs: ClusterJob[] }> {
    if (!JOB_ID.test(jobId)) throw new SlurmError(`"${jobId}" is not a Slurm job id`);
    const res = await this.run(['sh', '-c', 'id -un; exec "$@"', 'sh', ...scontrolJobArgv(jobId)], true);
    const [me, ...rest] = res.stdout.split('\n');
    if (res.code !== 0) throw new SlurmError(`scontrol show job ${jobId} failed: ${slurmMessage(res.stderr)}`, 'The job may have ended long ago (MinJobAge); its history is in the Jobs view.');
    return { me: me.trim(), jobs: parseScontrolJobs(rest.join('\n'), []) };
  }

  async cancel(jobId: string, opts: CancelOptions = {}): Promise<void> {
    const { me, jobs } = await this.jobs(jobId);
    if (jobs.length === 0) throw new SlurmError(`Slurm knows no job ${jobId}`);
    const foreign = jobs.find((j) => j.user !== me || !j.ours);
    if (foreign && opts.confirmOwner !== foreign.user) throw new NotOurJobError(jobId, foreign.user);
    const res = await this.run(['scancel', jobId]);
    if (res.code !== 0 || res.stderr.includes('error')) throw new SlurmError(`scancel ${jobId} failed: ${slurmMessage(res.stderr)}`);
  }

  /**
   * Puts a job of ours back in the queue (`scontrol requeue`: running, suspended, or ended
   * within MinJobAge). Only jobs this user submitted from here: no confirmation overrides that.
   */
  async requeue(jobId: string): Promise<void> {
    const { me, jobs } = await this.jobs(jobId);
    if (jobs.length === 0) throw new SlurmError(`Slurm knows no job ${jobId}`, 'It may have ended more than MinJobAge ago; submit it again instead.');
    const foreign = jobs.find((j) => j.user !== me || !j.ours);
    if (foreign) throw new NotOurJobError(jobId, foreign.user, 'requeue');
    const res = await this.run(['scontrol', 'requeue', jobId]);
    if (res.code !== 0) throw new SlurmError(`scontrol requeue ${jobId} failed: ${slurmMessage(res.stderr, res.stdout)}`, 'A job Slurm has forgotten (MinJobAge) or one started with --no-requeue cannot be requeued; submit it again instead.');
  }

  async logPaths(jobId: string): Promise<LogPaths> {
    const { jobs } = await this.jobs(jobId);
    const j = jobs[0];
    return j ? { stdout: j.stdoutPath, stderr: j.stderrPath } : {};
  }
}
