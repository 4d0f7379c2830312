// A Ray cluster behind the ClusterBackend interface, through its dashboard's REST API: the
// Jobs API (`/api/jobs/`), the state API's nodes and the autoscaler's per-node usage, and
// package uploads (`/api/packages/gcs/…`) for the project as the job's working_dir. One
// refresh is four requests side by side on one keep-alive agent.
import { randomBytes } from 'node:crypto';
import { ActionableError } from '../../common/errors';
import { shellJoin } from '../../hosts/shellQuote';
import { checkMemory, parseGpuRequest, PlanError } from '../resources';
import { NotOurJobError } from '../slurm/slurmBackend';
import type { CancelOptions, ClusterBackend, ClusterJob, ClusterSnapshot, ClusterWarning, JobRecord, LogPaths, Partition, RunPlan, SubmitResult } from '../types';
import { RayHttp, RayHttpError, rayMessage, type RayHttpOptions } from './rayHttp';
import { GRID_LABEL, GRID_TASK_LABEL, NAME_LABEL, OUR_LABEL, OWNER_LABEL, parseRayJob, parseRayJobs, type RayJob } from './rayJobs';
import { parseRayNodes, parseUsageByNode } from './rayNodes';
import { JOB_EXIT_LINE, jobEnvFile, jobEpilogueLines, jobPrologueLines } from '../../provenance/jobScript';
import { resultsStep } from './resultsInLog';
import { checkRayVersion, type RayVersion } from './rayVersion';
import { packProject, type ProjectPackage } from './workingDir';

export interface RayBackendOptions extends RayHttpOptions {
  /** Who we submit as (our label's owner); Ray itself has no users. */
  user: string;
  /** The pseudo-partition's name (the cluster's name in the settings). */
  name?: string;
}

/** What a submit sent for its working_dir: nothing when the dashboard already had the package. */
export interface UploadReport {
  name: string;
  files: number;
  bytes: number;
  uploadedBytes: number;
}

/** The body of `POST /api/jobs/` (Ray's JobSubmitRequest), as far as we fill it. */
export interface RaySubmitRequest {
  entrypoint: string;
  entrypoint_num_cpus?: number;
  entrypoint_num_gpus?: number;
  entrypoint_memory?: number;
  entrypoint_resources?: Record<string, number>;
  metadata: Record<string, string>;
  runtime_env: { working_dir?: string; pip?: string[]; env_vars?: Record<string, string> };
}

/** The first lines of a job with an uploaded working_dir: a private copy of it, gone at the end. Constant. */
export const PRIVATE_COPY = 'MLOPS_JOB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mlops-job.XXXXXX") && cp -R ./. "$MLOPS_JOB_DIR" && cd "$MLOPS_JOB_DIR" || exit 1\ntrap \'cd / && rm -rf "$MLOPS_JOB_DIR"\' EXIT';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);
const SUBMISSION_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

/** Slurm's size syntax (`16G`, `4000M`, bare = MiB) in bytes, for `entrypoint_memory`. */
export function memoryBytes(text: string): number {
  const t = checkMemory(text);
  const unit = /[KMGT]$/.test(t) ? t.slice(-1) : 'M';
  const n = Number(/[KMGT]$/.test(t) ? t.slice(0, -1) : t);
  return n * 1024 ** ' KMGT'.indexOf(unit);
}

function checkId(id: string): string {
  if (!SUBMISSION_ID.test(id)) throw new PlanError(`"${id}" is not a Ray job id`);
  return id;
}

export class RayBackend implements ClusterBackend {
  readonly kind = 'ray' as const;
  readonly http: RayHttp;
  /** The last working_dir upload (tests and the bench read it). */
  lastUpload?: UploadReport;
  private gpuTypes: string[] = [];

  constructor(private readonly opts: RayBackendOptions) {
    this.http = new RayHttp(opts);
  }

  /** `/api/version`: refuses what is not a Ray dashboard, or one whose Jobs API we do not speak. */
  async version(): Promise<RayVersion> {
    const res = await this.http.request('GET', '/api/version');
    return checkRayVersion(this.http.base.host, res.status, res.body.toString('utf8'));
  }

  async snapshot(): Promise<ClusterSnapshot> {
    const warnings: ClusterWarning[] = [];
    const soft = <T>(part: string, p: Promise<T>): Promise<T | undefined> =>
      p.catch((e: unknown) => {
        warnings.push({ part, message: e instanceof Error ? e.message : String(e) });
        return undefined;
      });
    // The version first would cost a round trip; side by side, its verdict still comes first.
    const [version, jobsRaw, nodesRaw, statusRaw] = await Promise.all([
      this.version(),
      this.http.json<unknown>('GET', '/api/jobs/').catch((e: unknown) => e),
      soft('nodes', this.http.json<unknown>('GET', '/api/v0/nodes?limit=10000&detail=false')),
      soft('usage', this.http.json<unknown>('GET', '/api/cluster_status')),
    ]);
    if (jobsRaw instanceof Error) throw jobsRaw;
    const { jobs, warnings: jw } = parseRayJobs(jobsRaw);
    const { partition, warnings: nw } = parseRayNodes(nodesRaw, parseUsageByNode(statusRaw), this.opts.name ?? 'ray');
    this.gpuTypes = partition.gpus.map((g) => g.type).filter(Boolean);
    return {
      user: this.opts.user,
      clusterName: version.sessionName,
      version: `Ray ${version.rayVersion}`,
      partitions: nodesRaw === undefined ? [] : [partition],
      jobs,
      history: [],
      historySource: 'none',
      warnings: [...warnings, ...jw, ...(nodesRaw === undefined ? [] : nw)],
    };
  }

  async listPartitions(): Promise<Partition[]> {
    return (await this.snapshot()).partitions;
  }

  async listJobs(): Promise<ClusterJob[]> {
    return parseRayJobs(await this.http.json<unknown>('GET', '/api/jobs/')).jobs;
  }

  /** Ray keeps ended jobs in its job list (until deleted): they show there, not in a history. */
  async jobHistory(): Promise<JobRecord[]> {
    return [];
  }

  async job(id: string): Promise<RayJob> {
    const j = parseRayJob(await this.http.json<unknown>('GET', `/api/jobs/${encodeURIComponent(checkId(id))}`));
    if (!j) throw new ActionableError(`The dashboard's answer for job ${id} has an unknown shape.`);
    return j;
  }

  /**
   * The requests `submit` sends: one, or one per combination of a grid (Ray has no job
   * arrays), sharing the label `grid`. The working_dir and the grid label are named on submit.
   */
  requests(plan: RunPlan, workingDir?: string, grid = '(named on submit)'): RaySubmitRequest[] {
    if (!plan.command.length) throw new PlanError('the command is empty');
    const combos = plan.array?.combinations ?? [];
    if (plan.array && !combos.length) throw new PlanError('the grid has no combinations');
    if (!combos.length) return [this.request(plan, workingDir)];
    const flag = plan.array?.flag;
    return combos.map((c, i) => {
      const words = Object.entries(c).map(([k, v]) => `${k}=${v}`);
      const one: RunPlan = { ...plan, array: undefined, name: `${plan.name} ${words.join(' ')}`.slice(0, 200), command: [...plan.command, ...words.flatMap((w) => (flag ? [flag, w] : [w]))] };
      const r = this.request(one, workingDir);
      r.metadata[GRID_LABEL] = grid;
      r.metadata[GRID_TASK_LABEL] = `${i + 1}/${combos.length}`;
      return r;
    });
  }

  /** The request of a plan without a grid; the working_dir is named once the package is made. */
  request(plan: RunPlan, workingDir?: string): RaySubmitRequest {
    if (plan.array) throw new PlanError('a grid is several Ray jobs: use requests()');
    if (!plan.command.length) throw new PlanError('the command is empty');
    const r = plan.resources;
    const gpu = r.gpus ? parseGpuRequest(r.gpus, this.gpuTypes) : undefined;
    // Ray spells accelerator types in capitals (A100, H100, T4); a type the cluster has not shown yet is written so.
    if (gpu?.type && !this.gpuTypes.includes(gpu.type)) gpu.type = gpu.type.toUpperCase();
    const command = shellJoin(plan.command);
    // Ray runs the entrypoint with /bin/sh -c in the working_dir. A relative cwd is a folder of
    // the uploaded project (the dvc.yaml's), entered first so the setup lines run there too.
    // Ray unpacks a working_dir once per node and runs every job of that package in the same
    // folder: two jobs of a grid would write into each other's outputs, and a job would see
    // the last one's. So each job runs in a private copy of it, removed when the job ends.
    const copy = plan.localDir ? [PRIVATE_COPY] : [];
    const cd = plan.cwd ? [`cd ${shellJoin([plan.cwd])} || exit 1`] : [];
    // What makes the runs is printed into the log once the command succeeded (resultsInLog.ts).
    const results = plan.results?.length ? ` && ${resultsStep(plan.results, plan.eventResults)}` : '';
    // Provenance: the node measured after the setup (the job's Python), the exit status after
    // the command; the measurements go home in the log with the results (also after a failure).
    const run = plan.provenanceDir
      ? [
          ...jobPrologueLines(plan.provenanceDir),
          command,
          ...jobEpilogueLines(),
          `if [ "$__mlops_rc" = 0 ]; then ${resultsStep([...(plan.results ?? []), jobEnvFile()], plan.eventResults)}; else ${resultsStep([jobEnvFile()])}; fi`,
          JOB_EXIT_LINE,
        ]
      : [`${command}${results}`];
    const entrypoint = [...copy, ...cd, ...(plan.setup ?? []), ...run].join('\n');
    const env = plan.env && Object.keys(plan.env).length ? { ...plan.env } : undefined;
    return {
      entrypoint,
      ...(r.cpus ? { entrypoint_num_cpus: r.cpus } : {}),
      ...(gpu ? { entrypoint_num_gpus: gpu.count } : {}),
      ...(r.memory ? { entrypoint_memory: memoryBytes(r.memory) } : {}),
      // Ray marks GPU nodes with `accelerator_type:<TYPE>`; a sliver of it pins the job to that type.
      ...(gpu?.type ? { entrypoint_resources: { [`accelerator_type:${gpu.type}`]: 0.001 } } : {}),
      metadata: { [OUR_LABEL]: '1', [OWNER_LABEL]: this.opts.user, [NAME_LABEL]: plan.name },
      runtime_env: {
        ...(workingDir ? { working_dir: workingDir } : plan.localDir ? { working_dir: '(the project, uploaded on submit)' } : {}),
        ...(plan.pip?.length ? { pip: [...plan.pip] } : {}),
        ...(env ? { env_vars: env } : {}),
      },
    };
  }

  render(plan: RunPlan): string {
    const notes = [
      plan.resources.timeLimit ? `// Ray has no time limit: ${plan.resources.timeLimit} is not sent.` : '',
      plan.resources.partition ? `// Ray has no partitions: ${plan.resources.partition} is not sent.` : '',
      plan.array ? `// A grid of ${plan.array.combinations.length}: one Ray job per combination, sharing the label ${GRID_LABEL}.` : '',
      plan.array?.maxParallel ? `// Ray has no limit on jobs at once: ${plan.array.maxParallel} is not sent (the cluster's resources decide).` : '',
      plan.results?.length ? `// Once the command succeeds, the job prints ${plan.results.join(', ')} into its log, and they come home from there.` : '',
      plan.eventResults?.length ? `// And the TensorBoard event files (only those) in ${plan.eventResults.join(', ')}.` : '',
    ].filter(Boolean);
    const reqs = this.requests(plan);
    const shown = reqs.length === 1 ? reqs[0] : reqs.slice(0, 20);
    const more = reqs.length > 20 ? [`// … and ${reqs.length - 20} more like these.`] : [];
    return [`// POST ${this.http.url('/api/jobs/').href}`, ...notes, JSON.stringify(shown, null, 2), ...more, ''].join('\n');
  }

  /** Makes the project's package and uploads it unless the dashboard already holds it. */
  async upload(dir: string, signal?: AbortSignal): Promise<ProjectPackage & { uploadedBytes: number }> {
    const pkg = await packProject(dir, signal);
    const where = `/api/packages/gcs/${pkg.name}`;
    const has = await this.http.request('GET', where);
    let uploadedBytes = 0;
    if (has.status === 404) {
      const zip = pkg.zip();
      const put = await this.http.request('PUT', where, zip, { timeoutMs: 300000, contentType: 'application/zip' });
      if (put.status !== 200) throw new RayHttpError(put.status, put.body.toString('utf8'), `Uploading the project (${pkg.name}, ${zip.length} bytes) failed: ${rayMessage(put.body.toString('utf8'))}`);
      uploadedBytes = zip.length;
    } else if (has.status !== 200) {
      throw new RayHttpError(has.status, has.body.toString('utf8'), `Asking the dashboard for ${pkg.name} failed (HTTP ${has.status}): ${rayMessage(has.body.toString('utf8'))}`);
    }
    this.lastUpload = { name: pkg.name, files: pkg.files.length, bytes: pkg.bytes, uploadedBytes };
    return { ...pkg, uploadedBytes };
  }

  async submit(plan: RunPlan, signal?: AbortSignal): Promise<SubmitResult> {
    this.requests(plan); // checks the plan before any upload
    const pkg = plan.localDir ? await this.upload(plan.localDir, signal) : undefined;
    const grid = plan.array ? `grid-${randomBytes(6).toString('hex')}` : undefined;
    const bodies = this.requests(plan, pkg?.uri, grid);
    const ids: string[] = [];
    for (const body of bodies) {
      if (signal?.aborted && ids.length) break;
      try {
        ids.push(await this.post(body));
      } catch (err) {
        if (!ids.length) throw err;
        // Some of the grid is on the cluster: say which, so nothing runs unseen.
        throw new ActionableError(`${ids.length} of ${bodies.length} jobs of ${grid} were submitted (${ids.join(', ')}); then ${err instanceof Error ? err.message : String(err)}`, 'The submitted jobs run on; stop them in the Jobs view if the grid should not run partly.');
      }
    }
    return { jobId: ids[0], ...(grid ? { jobIds: ids, grid } : {}), script: JSON.stringify(bodies.length === 1 ? bodies[0] : bodies, null, 2) };
  }

  private async post(body: RaySubmitRequest): Promise<string> {
    const res = await this.http.request('POST', '/api/jobs/', body);
    const text = res.body.toString('utf8');
    if (res.status !== 200) {
      throw new ActionableError(`Ray refused the job: ${rayMessage(text) || `HTTP ${res.status}`}`, 'Fix what Ray reports (resources the cluster has, runtime_env fields) and submit again.');
    }
    const answer = JSON.parse(text) as { submission_id?: string; job_id?: string };
    const jobId = answer.submission_id ?? answer.job_id;
    if (!jobId) throw new ActionableError('The dashboard accepted the job but named no id.');
    return jobId;
  }

  /** Stops a running job; one not ours asks first (`confirmOwner` names whose it is, '' for nobody's). */
  async cancel(jobId: string, opts: CancelOptions = {}): Promise<void> {
    const job = await this.job(jobId);
    const mine = job.ours && job.user === this.opts.user;
    if (!mine && opts.confirmOwner !== job.user) throw new NotOurJobError(jobId, job.user || 'someone (no MLOps label)');
    const res = await this.http.json<{ stopped?: boolean }>('POST', `/api/jobs/${encodeURIComponent(checkId(jobId))}/stop`);
    if (res.stopped === false && !TERMINAL.has(job.raw)) throw new ActionableError(`Ray did not stop job ${jobId}.`, 'Refresh the Jobs view: it may have ended meanwhile.');
  }

  /** Deletes an ended job's record and logs (Ray refuses a job that has not ended). */
  async delete(jobId: string, opts: CancelOptions = {}): Promise<void> {
    const job = await this.job(jobId);
    const mine = job.ours && job.user === this.opts.user;
    if (!mine && opts.confirmOwner !== job.user) throw new NotOurJobError(jobId, job.user || 'someone (no MLOps label)');
    const res = await this.http.request('DELETE', `/api/jobs/${encodeURIComponent(checkId(jobId))}`);
    if (res.status !== 200) throw new ActionableError(`Ray did not delete job ${jobId}: ${rayMessage(res.body.toString('utf8'))}`, 'Stop the job first; only ended jobs can be deleted.');
  }

  /** The job's whole log as the dashboard holds it (the driver's stdout and stderr). */
  async logs(jobId: string): Promise<string> {
    const res = await this.http.json<{ logs?: unknown }>('GET', `/api/jobs/${encodeURIComponent(checkId(jobId))}/logs`);
    return typeof res.logs === 'string' ? res.logs : '';
  }

  /**
   * Follows the log until the job ends: `onText` gets each new part. Ray streams through a
   * websocket (`/logs/tail`), which node 20 has no client for and we take no dependency for,
   * so this polls `/logs` and passes on what is past the length already seen.
   */
  async follow(jobId: string, onText: (text: string) => void, opts: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<RayJob> {
    let seen = 0;
    for (;;) {
      const [text, job] = await Promise.all([this.logs(jobId), this.job(jobId)]);
      if (text.length < seen) seen = 0; // a new attempt's log
      if (text.length > seen) onText(text.slice(seen));
      seen = text.length;
      if (TERMINAL.has(job.raw) || opts.signal?.aborted) {
        if (TERMINAL.has(job.raw)) {
          const last = await this.logs(jobId);
          if (last.length > seen) onText(last.slice(seen));
        }
        return job;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.intervalMs ?? 1000);
        opts.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }

  async logPaths(): Promise<LogPaths> {
    return {};
  }

  dispose(): void {
    this.http.dispose();
  }
}
