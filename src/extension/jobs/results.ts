// Results come home: jobs of a stage or an experiment submitted from here are remembered
// (in the workspace state, so a reload keeps them) until the Jobs view sees them end. A job
// that ends COMPLETED has its DVCLive folder, metrics and params (and the TensorBoard event
// files in its cached outputs, nothing else of them) copied (over SFTP; a Ray
// job's from the block it printed into its log) to
// .mlops/jobs/<cluster>/<job id>/ in the project, where the Runs view finds them as a
// DVCLive run tagged with the job id. A job that ends otherwise (FAILED, TIMEOUT, CANCELLED...)
// brings home only its node's measurements: provenance.json with the epilogue's exit status,
// or the engine's word when the epilogue never ran ("killed by Slurm: TIMEOUT"); its partial
// outputs stay on the cluster.
// An MLflow entry point's runs stay where the job's MLFLOW_TRACKING_URI points: when the job
// ends (however), the runs `mlflow run` named in its log (Ray) or output and error files (Slurm,
// the last OUTPUT_MAX_BYTES of each) that the Runs view lists (a tracking server it reads) are tagged
// with the job and its provenance (core/jobs/mlflowJobRuns.ts).
// Which of these a job's end calls for, what is recorded and what the user is told are
// decided in core/jobs/sync/jobEndPlan.ts (unit-tested); this file does the I/O.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { readBoundedText, YAML_JSON_CAP } from '../../core/common/boundedRead';
import { plural } from '../../core/common/format';
import { readSlurmJobEnv, type JobEnd } from '../../core/provenance/jobEnd';
import { jobTags, mlflowRunIdsInLog } from '../../core/jobs/mlflowJobRuns';
import { endStep, envFileOf, fetchedMessage, linkedMessage, notBroughtMessage, type ExpectedResult } from '../../core/jobs/sync/jobEndPlan';
import type { RayBackend } from '../../core/jobs/ray/rayBackend';
import type { TagChange } from '../../core/runs/runMarks';
import type { ClusterJob, JobRecord } from '../../core/jobs/types';
import { loadLazy } from '../lazy/load';
import { showInfo, showWarning } from '../notify';
import type { ClusterSync } from './clusterSync';
import { isActive } from './jobsModel';
import { readJobStreams } from './jobOutput';
import type { JobsTreeProvider } from './jobsTree';

type JobsLib = typeof import('../lazy/jobsLib');
const jobsLib = (): JobsLib => loadLazy<JobsLib>('jobsLib');

export type { ExpectedResult };

/** Tags runs the Runs view lists (runMarkCommands.tagListedRuns); those it does not list come back in `notListed`. */
export type LinkRuns = (runIds: readonly string[], changes: readonly TagChange[]) => Promise<{ tagged: string[]; notListed: string[] }>;

const KEY = 'mlops.jobs.expectedResults';
/** Forgotten after this long even if never seen ending (the cluster forgot it first). */
const FORGET_MS = 14 * 24 * 3600_000;

export function resultsDir(localRoot: string, cluster: string, jobId: string): string {
  return path.join(localRoot, '.mlops', 'jobs', cluster.replace(/[^A-Za-z0-9_.-]+/g, '-'), jobId);
}

export class ResultsHome implements vscode.Disposable {
  private readonly busy = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly tree: JobsTreeProvider,
    private readonly sync: ClusterSync,
    private readonly log: vscode.LogOutputChannel,
    private readonly memento: vscode.Memento,
    private readonly linkRuns?: LinkRuns,
  ) {
    this.subscription = tree.onDidChangeTreeData(() => void this.check());
  }

  private list(): Array<ExpectedResult & { at: number }> {
    const v = this.memento.get<unknown>(KEY);
    return Array.isArray(v) ? (v as Array<ExpectedResult & { at: number }>).filter((e) => e && typeof e.jobId === 'string' && Date.now() - e.at < FORGET_MS) : [];
  }

  expect(r: ExpectedResult): void {
    if (r.array) {
      this.log.info(`Jobs: ${r.cluster}: job array ${r.jobId}: each task writes its own experiment on the cluster; results are not copied back`);
      return;
    }
    void this.memento.update(KEY, [...this.list(), { ...r, at: Date.now() }].slice(-200));
  }

  /** The job's end as the last snapshot says it: undefined while it runs or is not listed yet. */
  private ended(r: ExpectedResult): ClusterJob | JobRecord | undefined {
    const s = this.tree.state(r.cluster)?.snapshot;
    if (!s) return undefined;
    const job = s.jobs.find((j) => j.id === r.jobId);
    if (job) return isActive(job.state) ? undefined : job;
    return s.history.find((h) => h.jobId === r.jobId);
  }

  private async check(): Promise<void> {
    for (const r of this.list()) {
      const end = this.ended(r);
      if (!end || this.busy.has(r.jobId)) continue;
      this.busy.add(r.jobId);
      try {
        const step = endStep(r, end);
        if (step.kind === 'linkRuns') await this.linkMlflowRuns(r, end, step.provenance);
        else if (step.kind === 'fetch') await this.fetch(r, step);
        else if (step.kind === 'provenance') await this.endedProvenance(r, end, step.ended);
        else this.log.info(`Jobs: ${r.cluster}: job ${r.jobId} (${r.what}) ended ${end.raw}; no results to bring home`);
        await this.memento.update(KEY, this.list().filter((e) => !(e.jobId === r.jobId && e.cluster === r.cluster)));
      } catch (err) {
        this.log.warn(`Jobs: ${r.cluster}: job ${r.jobId}: results not brought home: ${errorMessage(err)}`);
        void showWarning(notBroughtMessage(vscode.l10n, r, errorMessage(err)));
        await this.memento.update(KEY, this.list().filter((e) => !(e.jobId === r.jobId && e.cluster === r.cluster)));
      } finally {
        this.busy.delete(r.jobId);
      }
    }
  }

  /** Copies the job's outputs (`step.paths`) home; returns the local folder. */
  private async fetch(r: ExpectedResult, step: { paths: string[]; envFile?: string }): Promise<string> {
    const cluster = this.tree.clusters().find((c) => c.name === r.cluster);
    if (!cluster) throw new Error(vscode.l10n.t('Cluster {0} is gone from the settings.', r.cluster));
    const localDir = resultsDir(r.localRoot, r.cluster, r.jobId);
    const warn = (m: string) => this.log.warn(`Jobs: ${r.cluster}: job ${r.jobId}: ${m}`);
    const record = { cluster: r.cluster, jobId: r.jobId, remoteDir: r.remoteDir, what: r.what, fetchedAt: new Date().toISOString() };
    const report = r.fromLog
      ? await this.fromLog(r, step.paths, localDir, record)
      : await this.sync.withFs(cluster, async (fs) =>
          jobsLib().fetchResults({
            fs,
            remoteDir: r.remoteDir,
            paths: step.paths,
            ...(r.eventPaths ? { eventPaths: r.eventPaths } : {}),
            localDir,
            record,
            ...(r.remoteRoot ? { synced: await jobsLib().syncedFiles(fs, r.remoteRoot, r.remoteDir, warn) } : {}),
          }),
        );
    if (step.envFile) await this.recordProvenance(r, localDir, step.envFile);
    const unchanged = report.unchanged?.length ? `; ${plural(report.unchanged.length, 'synced file')} the job did not change left there` : '';
    this.log.info(`Jobs: ${r.cluster}: job ${r.jobId}: ${plural(report.files.length, 'file')} (${report.bytes} bytes) brought home to ${localDir}${report.missing.length ? `; not on the cluster: ${report.missing.join(', ')}` : ''}${unchanged}`);
    const told = fetchedMessage(vscode.l10n, r, report.files.length);
    if (told.refreshRuns) {
      if (report.skipped.length) this.log.warn(`Jobs: ${r.cluster}: job ${r.jobId}: left on the cluster (limits, or not regular files): ${report.skipped.slice(0, 20).join(', ')}`);
      await vscode.commands.executeCommand('mlops.refreshRuns').then(undefined, () => undefined);
    }
    void showInfo(told.message);
    return localDir;
  }

  /** provenance.json beside mlops-job.json: the local half joined with what the node measured. */
  private async recordProvenance(r: ExpectedResult, localDir: string, envFile: string): Promise<void> {
    const file = path.join(localDir, ...envFile.split('/'));
    const envText = await readBoundedText(file, { cap: YAML_JSON_CAP, root: localDir }).catch(() => undefined);
    await this.writeProvenance(r, localDir, envText);
  }

  /**
   * The node's measurements: a Ray job printed them into its log (`log` when the caller has
   * read it already), a Slurm job left a file in its folder (read over SFTP, bounded);
   * undefined when it never wrote them.
   */
  private async nodeEnvText(r: ExpectedResult, log?: string): Promise<string | undefined> {
    if (r.fromLog) {
      const text = log ?? (await ((await this.tree.backend(r.cluster)).backend as RayBackend).logs(r.jobId));
      return jobsLib().parseResultsLog(text)?.files.get(envFileOf(r))?.toString('utf8');
    }
    const cluster = this.tree.clusters().find((c) => c.name === r.cluster);
    if (!cluster) throw new Error(vscode.l10n.t('Cluster {0} is gone from the settings.', r.cluster));
    return this.sync.withFs(cluster, (fs) => readSlurmJobEnv(fs, r.remoteDir, r.jobId));
  }

  /**
   * A job that did not complete: its outputs stay on the cluster (they may be half written),
   * but its provenance comes home, the failure being what it is most needed for. Only our own
   * files in our results folder are written (provenance.json, pip-freeze.txt).
   */
  private async endedProvenance(r: ExpectedResult, end: ClusterJob | JobRecord, ended: JobEnd): Promise<void> {
    const localDir = resultsDir(r.localRoot, r.cluster, r.jobId);
    let envText: string | undefined;
    try {
      envText = await this.nodeEnvText(r);
    } catch (err) {
      this.log.warn(`Jobs: ${r.cluster}: job ${r.jobId}: the node's measurements could not be read: ${errorMessage(err)}`);
    }
    await this.writeProvenance(r, localDir, envText, ended);
    this.log.info(`Jobs: ${r.cluster}: job ${r.jobId} (${r.what}) ended ${end.raw}; its outputs stay on the cluster, its provenance is in ${localDir}`);
  }

  private async writeProvenance(r: ExpectedResult, localDir: string, envText: string | undefined, ended?: JobEnd): Promise<void> {
    try {
      const p = await jobsLib().writeJobProvenance(localDir, envText, { cluster: r.cluster, jobId: r.jobId }, ended);
      this.log.info(`Jobs: ${r.cluster}: job ${r.jobId}: provenance recorded${p ? ` (host ${p.environment.host}, Python ${p.environment.python}, GPU ${p.environment.gpu.model}, exit ${p.timing.exitCode ?? 'unknown'}${p.timing.endReason ? `, ${p.timing.endReason}` : ''})` : ': no local half was kept at submit'}${envText ? '' : '; the node wrote no measurements (its environment reads unknown)'}`);
    } catch (err) {
      this.log.warn(`Jobs: ${r.cluster}: job ${r.jobId}: provenance not recorded: ${errorMessage(err)}`);
    }
  }

  /**
   * An entry point's runs get the tags a local `mlflow run` gets (mlflow.source.git.commit,
   * mlops.*): the local half joined with the measurements the job printed into its log; the
   * record is kept in the job's results folder too. None when nothing was kept at submit.
   */
  private async entryPointProvenance(r: ExpectedResult, log: string, provenance: { ended?: JobEnd } | undefined): Promise<TagChange[]> {
    if (!provenance) return [];
    const lib = jobsLib();
    const localDir = resultsDir(r.localRoot, r.cluster, r.jobId);
    try {
      const envText = await this.nodeEnvText(r, log);
      const tags = await lib.entryPointRunTags(localDir, envText, { cluster: r.cluster, jobId: r.jobId }, provenance.ended);
      return Object.entries(tags).map(([key, value]) => ({ key, value }));
    } catch (err) {
      this.log.warn(`Jobs: ${r.cluster}: job ${r.jobId}: provenance not recorded: ${errorMessage(err)}`);
      return [];
    }
  }

  /** A Slurm job's output and error files (the last OUTPUT_MAX_BYTES of each: `mlflow run` names its run on stderr, again at its end). */
  private async slurmOutput(r: ExpectedResult, end: ClusterJob | JobRecord): Promise<string> {
    const { backend, cluster } = await this.tree.backend(r.cluster);
    const paths = 'stdoutPath' in end && end.stdoutPath ? { stdout: end.stdoutPath, stderr: end.stderrPath } : await backend.logPaths(r.jobId);
    if (!paths.stdout && !paths.stderr) throw new Error(vscode.l10n.t('Slurm does not say where job {0} writes its output.', r.jobId));
    const host = await this.tree.registry.find(cluster.host);
    if (!host) throw new Error(vscode.l10n.t('Cluster {0}: its host is gone from the settings.', r.cluster));
    return readJobStreams(vscode.l10n, (argv, opts) => this.tree.registry.connection(host).exec(argv, opts), paths);
  }

  /** Tags the MLflow runs an entry point's job named in its log (Ray) or output file (Slurm), where the Runs view lists them. */
  private async linkMlflowRuns(r: ExpectedResult, end: ClusterJob | JobRecord, provenance: { ended?: JobEnd } | undefined): Promise<void> {
    const ended = end.raw;
    const log = r.fromLog ? await ((await this.tree.backend(r.cluster)).backend as RayBackend).logs(r.jobId) : await this.slurmOutput(r, end);
    const ids = mlflowRunIdsInLog(log);
    if (!ids.length) {
      this.log.info(`Jobs: ${r.cluster}: job ${r.jobId} (${r.what}) ended ${ended}; its log names no MLflow run`);
      return;
    }
    const found = this.linkRuns ? await this.linkRuns(ids, [...(await this.entryPointProvenance(r, log, provenance)), ...jobTags({ cluster: r.cluster, jobId: r.jobId })]) : { tagged: [], notListed: ids };
    this.log.info(`Jobs: ${r.cluster}: job ${r.jobId} (${r.what}) ended ${ended}; MLflow runs ${ids.join(', ')}: tagged with the job ${found.tagged.join(', ') || '(none)'}; not in the Runs view's stores ${found.notListed.join(', ') || '(none)'}`);
    void showInfo(linkedMessage(vscode.l10n, r, ended, found));
  }

  /** A Ray job's results, from the block it printed into its log (the same rules as over SFTP). */
  private async fromLog(r: ExpectedResult, paths: string[], localDir: string, record: { cluster: string; jobId: string; remoteDir: string; what: string; fetchedAt: string }) {
    const { backend } = await this.tree.backend(r.cluster);
    const ray = backend as RayBackend;
    const lib = jobsLib();
    const printed = lib.parseResultsLog(await ray.logs(r.jobId));
    if (!printed) throw new Error(vscode.l10n.t('job {0} printed no results into its log (was it submitted before this version, or did Python fail on the node? see its log).', r.jobId));
    if (!printed.complete) this.log.warn(`Jobs: ${r.cluster}: job ${r.jobId}: the results in its log are cut short; bringing home what is whole`);
    return lib.fetchResults({ fs: lib.logResultsFs(printed), remoteDir: '', paths: paths.filter((p) => !printed.missing.includes(p)), ...(r.eventPaths ? { eventPaths: r.eventPaths } : {}), localDir, record });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
