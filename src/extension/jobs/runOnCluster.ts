// Submitting from the views: a stage of the Pipelines view or a dvc.yaml lens ("Run Stage
// on Cluster": `dvc repro -s`), an experiment with changed params or a grid of them ("Run
// Experiment on Cluster…": `dvc exp run -S`, a grid as a job array), an MLflow entry point
// (`mlflow run . -e`), and "Run Again on Cluster" on a run of the Runs view. Each asks the
// submit questions, syncs the project (unless the cluster shares this filesystem), shows
// the script and submits; on a Ray cluster the project is the job's working_dir and a grid is
// one Ray job per combination. When a job of a stage or experiment ends COMPLETED, its DVCLive
// output, metrics and params come home (results.ts) and show in the Runs view.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { JOB_ENV_DIR } from '../../core/provenance/jobScript';
import { nodeRunner } from '../../core/provenance/runner';
import { DVC_NO_SCM_SETUP, entryPointArgv, experimentArgv, gridOf, parseParams, stageArgv, stageEventPaths, stageResultPaths } from '../../core/jobs/runCommands';
import type { RunSummary } from '../../core/runs/types';
import { RUN_ENTRY_POINT_ON_CLUSTER_COMMAND, RUN_STAGE_ON_CLUSTER_COMMAND } from '../../protocol/lensCommands';
import { loadLazy } from '../lazy/load';
import { showInfo } from '../notify';
import { setting } from '../settings';
import { lensTarget } from '../pipelines/lensTarget';
import { requireTrust } from '../trust';
import type { PipelinesTreeProvider, StageNode } from '../views/pipelinesTree';
import type { ClusterSetting, PlannedRun } from './clusterSettings';
import type { ClusterSync } from './clusterSync';
import { rayRunPlan } from './rayClusterSettings';
import { resultsDir, type ResultsHome } from './results';
import type { JobSubmitter } from './submitJob';

const isStageNode = (v: unknown): v is StageNode => !!v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'stage';

interface RunTarget {
  /** A file of the project (dvc.yaml, MLproject) or its folder: where the command runs. */
  dir: string;
  run: PlannedRun;
  /** Outputs to bring home when it ends COMPLETED, relative to `dir`. */
  results?: string[];
  /** Cached outputs: only the TensorBoard event files in them come home (not model weights). */
  eventResults?: string[];
  /** `mlflow run`: its runs are linked to the job in the Runs view when it ends (Ray: its log; Slurm: its output file). */
  mlflowRuns?: boolean;
  what: string;
  /** The stages it runs (a stage job): their dvc.lock deps and params go in the provenance. */
  stages?: string[];
}

type JobsLib = typeof import('../lazy/jobsLib');
const jobsLib = (): JobsLib => loadLazy<JobsLib>('jobsLib');

export class RunOnCluster {
  constructor(
    private readonly submitter: JobSubmitter,
    private readonly sync: ClusterSync,
    private readonly results: ResultsHome,
    private readonly pipelines: PipelinesTreeProvider | undefined,
  ) {}

  /** The workspace folder holding `dir` (synced as a whole: the stage may read any of it). */
  private folderOf(dir: string): vscode.WorkspaceFolder {
    const f = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir));
    if (!f) throw new Error(vscode.l10n.t('{0} is not inside a workspace folder; open the project folder to submit from it.', dir));
    return f;
  }

  /** Asks, syncs, shows the script and submits; the job id, or undefined when the user stopped. */
  async submit(target: RunTarget, clusterName?: string): Promise<string | undefined> {
    const cluster = await this.submitter.pickCluster(clusterName);
    if (!cluster) return undefined;
    requireTrust(vscode.l10n.t('Submitting a job to {0}', cluster.name));
    const title = vscode.l10n.t('{0} on {1}', target.what, cluster.name);
    if (cluster.ray) return this.submitRay(cluster, target, title);
    const resources = await this.submitter.askResources(cluster, title);
    if (!resources) return undefined;
    const root = await this.submitter.remoteRoot(cluster, title);
    if (root === undefined) return undefined;
    const folder = this.folderOf(target.dir);
    const rel = path.relative(folder.uri.fsPath, target.dir).split(path.sep).filter(Boolean).join('/');
    const cwd = rel ? `${root.replace(/\/+$/, '')}/${rel}` : root;
    // Provenance: code, params and data of the tree about to be synced, captured here (the
    // job runs that copy); the node measures its own environment (the script's prologue).
    const record = (!!target.results || !!target.mlflowRuns) && !target.run.array && setting('provenance.enabled');
    const captured = record ? jobsLib().captureSubmitPart({ cwd: target.dir, command: target.run.argv, stages: target.stages, local: nodeRunner, env: process.env }).catch(() => undefined) : undefined;
    if (!(await this.sync.sync(cluster, folder.uri.fsPath, root))) return undefined;
    const run: PlannedRun = { ...target.run, ...(!cluster.sharedFilesystem && target.run.argv[0] === 'dvc' ? { setup: [DVC_NO_SCM_SETUP] } : {}), ...(record ? { provenanceDir: `${cwd}/${JOB_ENV_DIR}` } : {}) };
    const jobId = await this.submitter.submit(cluster, { ...resources, command: '', cwd }, { run });
    const part = jobId ? await captured : undefined;
    if (jobId && part) await jobsLib().saveSubmitPart(resultsDir(folder.uri.fsPath, cluster.name, jobId), part);
    // An entry point: its runs (on the job's tracking server) are named in its output file.
    if (jobId && target.mlflowRuns) this.results.expect({ cluster: cluster.name, jobId, remoteDir: cwd, paths: [], localRoot: folder.uri.fsPath, what: target.what, array: false, mlflowRuns: true, ...(part ? { provenance: true } : {}) });
    if (jobId && target.results) this.results.expect({ cluster: cluster.name, jobId, remoteDir: cwd, paths: target.results, ...(target.eventResults?.length ? { eventPaths: target.eventResults } : {}), localRoot: folder.uri.fsPath, what: target.what, array: !!run.array, ...(part ? { provenance: true } : {}), ...(cluster.sharedFilesystem ? {} : { remoteRoot: root }) });
    return jobId;
  }

  /**
   * Ray: the workspace folder is the job's working_dir (uploaded as Ray does it), the run's
   * argv runs in the dvc.yaml's folder inside it; a grid is one Ray job per combination.
   * Results come home through each job's log (core/jobs/ray/resultsInLog.ts).
   */
  private async submitRay(cluster: ClusterSetting, target: RunTarget, title: string): Promise<string | undefined> {
    const answers = await this.submitter.askRayResources(title);
    if (!answers) return undefined;
    const folder = this.folderOf(target.dir);
    if (folder.uri.scheme !== 'file') throw new Error(vscode.l10n.t('{0} is not a local folder: a Ray job uploads the project from this machine.', folder.name));
    const cwd = path.relative(folder.uri.fsPath, target.dir).split(path.sep).filter(Boolean).join('/');
    // Provenance as on Slurm: the local half here, the node's measurements printed into the log.
    const record = (!!target.results || !!target.mlflowRuns) && setting('provenance.enabled');
    const captured = record ? jobsLib().captureSubmitPart({ cwd: target.dir, command: target.run.argv, stages: target.stages, local: nodeRunner, env: process.env }).catch(() => undefined) : undefined;
    const plan = rayRunPlan(cluster, answers, { run: record ? { ...target.run, provenanceDir: JOB_ENV_DIR } : target.run, localDir: folder.uri.fsPath, cwd, ...(target.results ? { results: target.results } : {}), ...(target.eventResults ? { eventResults: target.eventResults } : {}) });
    const result = await this.submitter.submitRayPlan(cluster, plan);
    if (!result) return undefined;
    const part = await captured;
    const ids = result.jobIds ?? [result.jobId];
    if (part) for (const jobId of ids) await jobsLib().saveSubmitPart(resultsDir(folder.uri.fsPath, cluster.name, jobId), part);
    const provenance = part ? { provenance: true } : {};
    if (target.mlflowRuns) {
      for (const jobId of result.jobIds ?? [result.jobId]) this.results.expect({ cluster: cluster.name, jobId, remoteDir: '', paths: [], localRoot: folder.uri.fsPath, what: target.what, array: false, fromLog: true, mlflowRuns: true, ...provenance });
    }
    if (target.results) {
      for (const jobId of result.jobIds ?? [result.jobId]) {
        this.results.expect({ cluster: cluster.name, jobId, remoteDir: `${result.packageName ? `gcs://${result.packageName}` : 'working_dir'}${cwd ? `/${cwd}` : ''}`, paths: target.results, ...(target.eventResults?.length ? { eventPaths: target.eventResults } : {}), localRoot: folder.uri.fsPath, what: target.what, array: false, fromLog: true, ...provenance });
      }
    }
    return result.jobId;
  }

  private async pickStage(): Promise<{ dir: string; stage: string; results: string[]; eventResults: string[] } | undefined> {
    const files = (await this.pipelines?.pipelines()) ?? [];
    const items = files.flatMap((f) => f.stages.map((s) => ({ label: s.name, description: vscode.workspace.asRelativePath(f.uri), detail: s.cmd, dir: path.dirname(f.uri.fsPath), stage: s.name, results: stageResultPaths(s.outs), eventResults: stageEventPaths(s.outs) })));
    if (!items.length) {
      void showInfo(vscode.l10n.t('no dvc.yaml stages in this workspace.'));
      return undefined;
    }
    return vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Stage to run on the cluster') });
  }

  /** From the Pipelines view (a stage node), a dvc.yaml lens ([uri, stage]) or the palette. */
  async stage(arg?: unknown, stageArg?: unknown): Promise<string | undefined> {
    let t: { dir: string; stage: string; results: string[]; eventResults: string[] } | undefined;
    if (isStageNode(arg)) t = { dir: path.dirname(arg.uri.fsPath), stage: arg.stage.name, results: stageResultPaths(arg.stage.outs), eventResults: stageEventPaths(arg.stage.outs) };
    else if (typeof arg === 'string') {
      const { uri, name } = lensTarget(RUN_STAGE_ON_CLUSTER_COMMAND, [arg, stageArg]);
      const file = (await this.pipelines?.pipelines())?.find((f) => f.uri.toString() === uri.toString());
      const outs = file?.stages.find((s) => s.name === name)?.outs ?? [];
      t = { dir: path.dirname(uri.fsPath), stage: name, results: stageResultPaths(outs), eventResults: stageEventPaths(outs) };
    } else t = await this.pickStage();
    if (!t) return undefined;
    return this.submit({ dir: t.dir, run: { name: t.stage, argv: stageArgv(t.stage) }, stages: [t.stage], results: t.results, eventResults: t.eventResults, what: vscode.l10n.t('Stage {0}', t.stage) });
  }

  /** `dvc exp run -S …`; several values of a name make a grid, one job-array task each. */
  async experiment(arg?: unknown, params?: string): Promise<string | undefined> {
    const dir = isStageNode(arg) ? path.dirname(arg.uri.fsPath) : await this.projectDir('dvc.yaml');
    if (!dir) return undefined;
    const text =
      params ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Run Experiment on Cluster'),
        prompt: vscode.l10n.t('Parameters to change: name=value, blank-separated; a comma-separated list makes a grid (one job-array task per combination)'),
        placeHolder: 'train.epochs=5 train.alpha=0.001,0.0001',
        ignoreFocusOut: true,
        validateInput: (v) => {
          try {
            const p = parseParams(v);
            return p.combinations.length ? { message: vscode.l10n.t('{0} combinations: a job array of {0} tasks (on Ray: {0} jobs)', p.combinations.length), severity: vscode.InputBoxValidationSeverity.Info } : undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      }));
    if (text === undefined) return undefined;
    const parsed = parseParams(text);
    const run: PlannedRun = { name: 'exp', argv: experimentArgv(parsed.fixed), ...(gridOf(parsed, '-S') ? { array: gridOf(parsed, '-S') } : {}) };
    return this.submit({ dir, run, results: ['dvclive', 'metrics.json', 'params.yaml'], eventResults: await this.pipelineEventPaths(dir), what: vscode.l10n.t('Experiment') });
  }

  /** `mlflow run . -e <entry point>` from an MLproject lens ([uri, entry point]) or the palette. */
  async entryPoint(arg?: unknown, entryArg?: unknown, params?: Record<string, string>): Promise<string | undefined> {
    let dir: string | undefined;
    let entry = typeof entryArg === 'string' ? entryArg : undefined;
    if (typeof arg === 'string') {
      const lens = lensTarget(RUN_ENTRY_POINT_ON_CLUSTER_COMMAND, [arg, entryArg]);
      dir = path.dirname(lens.uri.fsPath);
      entry = lens.name;
    }
    else if (arg instanceof vscode.Uri) dir = path.dirname(arg.fsPath);
    else dir = await this.projectDir('MLproject');
    if (!dir) return undefined;
    entry ??= await vscode.window.showInputBox({ title: vscode.l10n.t('Run MLflow Entry Point on Cluster'), prompt: vscode.l10n.t('Entry point of the MLproject'), value: 'main', ignoreFocusOut: true });
    if (!entry) return undefined;
    return this.submit({ dir, run: { name: entry, argv: entryPointArgv(entry, params) }, what: vscode.l10n.t('Entry point {0}', entry), mlflowRuns: true });
  }

  /**
   * A run of the Runs view again, on a cluster: a DVC experiment with its params (`dvc exp
   * run -S`), an MLflow project run with its entry point and params; anything else is asked
   * as a command line, filled in with what is known.
   */
  async again(node?: { run?: RunSummary; state?: { spec?: { kind?: string; location?: string } } }): Promise<string | undefined> {
    const run = node?.run;
    if (!run) {
      void showInfo(vscode.l10n.t('choose a run in the Runs view, then Run Again on Cluster.'));
      return undefined;
    }
    const kind = node.state?.spec?.kind ?? '';
    const location = node.state?.spec?.location ?? '';
    const dir = kind === 'dvc-experiments' ? location : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? location);
    const entry = run.tags['mlflow.project.entryPoint'];
    if (kind === 'dvc-experiments') {
      return this.submit({ dir, run: { name: run.name || 'exp', argv: experimentArgv(run.params) }, results: ['dvclive', 'metrics.json', 'params.yaml'], eventResults: await this.pipelineEventPaths(dir), what: vscode.l10n.t('Run {0} again', run.name) });
    }
    if (entry) return this.entryPoint(undefined, entry, run.params);
    const command = await vscode.window.showInputBox({
      title: vscode.l10n.t('Run {0} again on a cluster', run.name),
      prompt: vscode.l10n.t('Command to run (this run does not record one we can repeat; its params are filled in)'),
      value: ['python', run.tags['mlflow.source.name'] ?? 'train.py', ...Object.entries(run.params).map(([k, v]) => `--${k}=${v}`)].join(' '),
      ignoreFocusOut: true,
    });
    if (!command) return undefined;
    return this.submit({ dir, run: { name: run.name || 'run', argv: ['bash', '-c', command] }, what: vscode.l10n.t('Run {0} again', run.name) });
  }

  /** "Sync Project to Cluster": the workspace folder to the cluster's remote root, nothing submitted. */
  async syncNow(): Promise<boolean> {
    const cluster = await this.submitter.pickCluster();
    if (!cluster) return false;
    requireTrust(vscode.l10n.t('Syncing the project to {0}', cluster.name));
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error(vscode.l10n.t('Open the project folder first: sync sends a workspace folder.'));
    const root = await this.submitter.remoteRoot(cluster, vscode.l10n.t('Sync to {0}', cluster.name));
    if (root === undefined) return false;
    const ok = await this.sync.sync(cluster, folder.uri.fsPath, root);
    if (ok) void showInfo(vscode.l10n.t('synced {0} to {1} on {2}.', folder.name, root, cluster.name));
    return ok;
  }

  /** An experiment runs the whole pipeline: the cached outputs of every stage of the dvc.yaml in `dir`. */
  private async pipelineEventPaths(dir: string): Promise<string[]> {
    const files = (await this.pipelines?.pipelines()) ?? [];
    return stageEventPaths(files.filter((f) => path.dirname(f.uri.fsPath) === dir).flatMap((f) => f.stages.flatMap((s) => s.outs)));
  }

  private async projectDir(marker: 'dvc.yaml' | 'MLproject'): Promise<string | undefined> {
    const found = await vscode.workspace.findFiles(`**/${marker}`, '**/{node_modules,.git,.mlops}/**', 50);
    if (!found.length) {
      void showInfo(vscode.l10n.t('no {0} in this workspace.', marker));
      return undefined;
    }
    if (found.length === 1) return path.dirname(found[0].fsPath);
    const chosen = await vscode.window.showQuickPick(found.map((u) => ({ label: vscode.workspace.asRelativePath(u), dir: path.dirname(u.fsPath) })), { placeHolder: vscode.l10n.t('Project to run') });
    return chosen?.dir;
  }
}
