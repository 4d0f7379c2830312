// The one interface every cluster backend (Slurm, Ray; Kubernetes later) offers
// the Jobs view and the submit commands, and the plan of a run they turn into a job.
// README.md beside this file says how each engine maps onto it.
import type { ExecOutcome } from '../hosts/gpuProbe';

/**
 * Runs an argv on the cluster's login host (HostConnection.exec: quoted there, never joined
 * here). `reuseShell`: on the connection's long-lived shell, for the frequent reads (a new
 * SSH session costs a few hundred ms on a busy login node).
 */
export type RemoteExec = (argv: readonly string[], opts?: { timeoutMs?: number; reuseShell?: boolean }) => Promise<ExecOutcome>;

/** A GPU request as users write it: `A100:2`, `a100`, `2`, `gpu:a100:2`. */
export interface GpuRequest {
  /** Lower-case unless the cluster spells its type otherwise; undefined = any type. */
  type?: string;
  count: number;
}

export interface RunResources {
  /** `A100:2` style; see parseGpuRequest. */
  gpus?: string;
  cpus?: number;
  /** Slurm's size syntax: `16G`, `4000M`, `4000` (MiB). */
  memory?: string;
  /** `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`. */
  timeLimit?: string;
  partition?: string;
  account?: string;
  qos?: string;
}

/** A grid of parameters: one job array task per combination. */
export interface ParamGrid {
  combinations: ReadonlyArray<Readonly<Record<string, string>>>;
  /**
   * How each `name=value` reaches the command, appended to its argv: after this flag
   * (`-S` for `dvc exp run`, `-P` for `mlflow run`), or bare (Hydra overrides) when absent.
   */
  flag?: string;
  /** At most this many tasks at once (`--array=0-9%2`). */
  maxParallel?: number;
}

export interface RunPlan {
  /** Shown in the queue (the job name). */
  name: string;
  /** The argv to run; quoted into the script, never interpreted. */
  command: readonly string[];
  /** Remote working directory (absolute). */
  cwd: string;
  resources: RunResources;
  /** The user's own shell lines (`module load cuda`, `source .venv/bin/activate`), run first, as written. */
  setup?: readonly string[];
  env?: Readonly<Record<string, string>>;
  array?: ParamGrid;
  /** Where stdout/stderr go; default `<cwd>/.mlops/jobs`. */
  logDir?: string;
  /** Extra `sbatch` options from the cluster's settings (`--constraint=ib`), one per entry. */
  extraOptions?: readonly string[];
  /** A local folder shipped with the job as its working folder (Ray: the uploaded `working_dir`). */
  localDir?: string;
  /** Python packages installed for the job (Ray: `runtime_env.pip`). */
  pip?: readonly string[];
  /**
   * Paths (relative to the job's folder) that make its runs, for engines whose job folder we
   * cannot read afterwards (Ray: the job prints them into its log once the command succeeded).
   */
  results?: readonly string[];
  /** Paths (cached outputs) of which only the TensorBoard event files are brought, like `results`. */
  eventResults?: readonly string[];
  /**
   * Record provenance: the script measures the node (host, GPU, Python, pip freeze) into
   * `mlops-env-<job id>.txt` in this folder (absolute, on the cluster), and the exit status
   * and end time after the command (core/provenance/jobProvenance.ts).
   */
  provenanceDir?: string;
}

/** Engine-neutral states; `raw` keeps the engine's word (Slurm's `OUT_OF_MEMORY`, ...). */
export type JobState =
  | 'pending'
  | 'running'
  | 'completing'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'timeout'
  | 'out-of-memory'
  | 'node-fail'
  | 'preempted'
  | 'suspended'
  | 'other';

export interface GpuCount {
  /** GRES type (`a100`); '' when the cluster declares GPUs without a type. */
  type: string;
  total: number;
  used: number;
}

export interface ClusterNode {
  name: string;
  /** Engine's word: idle, mixed, allocated, drained, down ... */
  state: string;
  cpusAllocated: number;
  cpusTotal: number;
  memoryMiB: number;
  memoryAllocatedMiB: number;
  gpus: GpuCount[];
  /** Why a node is drained or down. */
  reason?: string;
}

export interface Partition {
  name: string;
  isDefault: boolean;
  /** `up`, `down`, `drain`, `inact`. */
  availability: string;
  /** Seconds; null = no limit. */
  maxTimeSec: number | null;
  nodes: ClusterNode[];
  /** Per GPU type over the partition's nodes. */
  gpus: GpuCount[];
}

/** What a job in the queue and a finished job in the history both say. */
export interface JobFields {
  /** The unique numeric id (an array task has its own). */
  jobId: string;
  arrayJobId?: string;
  /** `4`, or `0-9%2` for the pending rest of an array. */
  arrayTaskId?: string;
  name: string;
  user: string;
  state: JobState;
  raw: string;
  partition: string;
  nodeList: string;
  elapsedSec?: number;
  timeLimitSec?: number | null;
  /** ISO local times as the engine prints them. */
  submitTime?: string;
  startTime?: string;
  endTime?: string;
  workDir?: string;
  /** Exit status of the batch script; `signal` when it was killed by one. */
  exitCode?: number;
  signal?: number;
}

export interface ClusterJob extends JobFields {
  /** As the engine names it for commands: `123`, or `123_4` for an array task. */
  id: string;
  /** Pending reason (`Resources`, `Priority`) or why it ended (`NonZeroExitCode`). */
  reason?: string;
  nodeCount?: number;
  cpus?: number;
  /** What was asked for, in the engine's words (`gres:gpu:a100:1`). */
  gpus?: string;
  stdoutPath?: string;
  stderrPath?: string;
  account?: string;
  qos?: string;
  /** Carries our label: submitted by this extension. */
  ours: boolean;
}

/** A finished job from the engine's history (accounting, or a completion log). */
export interface JobRecord extends JobFields {
  /** Where it came from; the view says so ("completion log, no memory figures"). */
  source: 'sacct' | 'jobcomp';
  /** Peak resident memory of its largest step (sacct's MaxRSS), in bytes. */
  maxRssBytes?: number;
  /** What it was given, in the engine's words (`billing=1,cpu=1,gres/gpu=1,node=1`). */
  tres?: string;
  /** Carries our label (sacct's Comment); undefined where the source does not say. */
  ours?: boolean;
}

export interface ClusterWarning {
  /** Which part of the answer: `partitions`, `jobs`, `history`. */
  part: string;
  message: string;
}

/** Everything one refresh of the Jobs view needs, fetched in one round trip. */
export interface ClusterSnapshot {
  user: string;
  clusterName?: string;
  version?: string;
  partitions: Partition[];
  jobs: ClusterJob[];
  history: JobRecord[];
  /** Where history came from, or why there is none. */
  historySource: 'sacct' | 'jobcomp' | 'none';
  /** A part that failed (slurmctld down) or was cut short is a warning, not a failed refresh. */
  warnings: ClusterWarning[];
}

export interface SubmitResult {
  jobId: string;
  /** Engines without job arrays (Ray) submit a grid as one job per combination: all their ids, `jobId` first. */
  jobIds?: string[];
  /** The label those jobs share. */
  grid?: string;
  /** The batch script as submitted. */
  script: string;
}

export interface LogPaths {
  stdout?: string;
  stderr?: string;
}

export interface SnapshotOptions {
  /** Everyone's jobs (read-only in the view), not just the user's. */
  allUsers?: boolean;
  /** Finished jobs to return, newest last. Default 200. */
  historyLimit?: number;
}

export interface CancelOptions {
  /**
   * A job without our label, or of another user, is cancelled only when this names its
   * owner (the user confirmed a question that named them).
   */
  confirmOwner?: string;
}

export interface ClusterBackend {
  readonly kind: 'slurm' | 'ray' | 'kubernetes';
  /** Partitions, the user's jobs and recent history in one round trip. */
  snapshot(opts?: SnapshotOptions): Promise<ClusterSnapshot>;
  listPartitions(): Promise<Partition[]>;
  listJobs(opts?: { allUsers?: boolean }): Promise<ClusterJob[]>;
  jobHistory(opts?: { limit?: number }): Promise<JobRecord[]>;
  /** The script or spec `submit` would send, to show before submitting. */
  render(plan: RunPlan): string;
  submit(plan: RunPlan): Promise<SubmitResult>;
  cancel(jobId: string, opts?: CancelOptions): Promise<void>;
  /** Puts a job of ours back in the queue; engines without requeue leave it out. */
  requeue?(jobId: string): Promise<void>;
  logPaths(jobId: string): Promise<LogPaths>;
}
