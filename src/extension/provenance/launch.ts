// The one place every launch from the workbench goes through for its provenance: stage
// reruns, `dvc exp run`, `mlflow run` (VS Code tasks, rerunTasks.ts) and stages run in a
// workspace container (stageInWorkspace.ts). It decides where MLflow keeps the run,
// starts the capture (core/provenance/session.ts) and records the end.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { projectReader } from '../../core/provenance/capture';
import { MlflowHelper } from '../../core/provenance/mlflowHelper';
import { nodeRunner, type Runner } from '../../core/provenance/runner';
import { beginLaunch, type LaunchInput } from '../../core/provenance/session';
import { buildMlProject } from '../../core/pipelines/mlproject';
import { parseYaml } from '../../core/pipelines/yamlDocument';
import { setting } from '../settings';
import { findCli } from '../pipelines/cliTools';

export interface LaunchRequest {
  launcher: LaunchInput['launcher'];
  /** The project folder on this machine (dvc.yaml's or MLproject's). */
  folder: string;
  command: string[];
  stages?: string[];
  /** Where the run executes when not here: probes run there; the project's folder as seen there. */
  remote?: { runner: Runner; python: string; dir: string; host: string; image?: { name: string; digest: string }; sharesFolder: boolean };
  reproducedFrom?: string;
}

export interface Launched {
  /** Environment for the process (MLFLOW_RUN_ID, ...); empty when nothing was made first. */
  env: Record<string, string>;
  runId?: string;
  /** Call once with the exit status (undefined: unknown). */
  finish(exitCode: number | undefined): void;
}

const NOTHING: Launched = { env: {}, finish: () => undefined };

function pythonBeside(exe: string | undefined): string | undefined {
  if (!exe) return undefined;
  const dir = path.dirname(exe);
  return [path.join(dir, 'python'), path.join(dir, 'python3'), path.join(dir, 'python.exe')].find((p) => existsSync(p));
}

/** The tracking URI of the project's MLflow store; undefined when the project does not use MLflow. */
export function mlflowUriFor(folder: string): string | undefined {
  const configured = setting('mlflow.trackingUri').trim();
  if (configured) return configured;
  if (process.env.MLFLOW_TRACKING_URI) return process.env.MLFLOW_TRACKING_URI;
  if (existsSync(path.join(folder, 'mlflow.db')) || existsSync(path.join(folder, 'MLproject'))) return `sqlite:///${folder.split(path.sep).join('/')}/mlflow.db`;
  if (existsSync(path.join(folder, 'mlruns'))) return vscode.Uri.file(path.join(folder, 'mlruns')).toString();
  return undefined;
}

/** The experiment the run is made in: the setting, else the MLproject's name, else MLflow's Default. */
async function experimentFor(folder: string): Promise<string> {
  const configured = setting('provenance.mlflowExperiment').trim();
  if (configured) return configured;
  const text = await readFile(path.join(folder, 'MLproject'), 'utf8').catch(() => undefined);
  const name = text ? buildMlProject(parseYaml(text)).root?.get('name') : undefined;
  return typeof name === 'string' && name.trim() ? name.trim() : 'Default';
}

export class ProvenanceLauncher implements vscode.Disposable {
  private helper: MlflowHelper | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  private mlflowHelper(): MlflowHelper | undefined {
    const python = pythonBeside(findCli('mlflow')) ?? pythonBeside(findCli('dvc'));
    if (!python) return undefined;
    if (this.helper?.interpreter !== python) {
      this.helper?.dispose();
      this.helper = new MlflowHelper(python);
    }
    return this.helper;
  }

  /** Starts MLflow's client ahead of a launch (called while the user still picks what to run). */
  prewarm(): void {
    if (!setting('provenance.enabled')) return;
    const h = this.mlflowHelper();
    void h?.warm().catch((err) => this.log.info(`Provenance: MLflow's client is not available (${errorMessage(err)}); runs are recorded without an MLflow run made first.`));
  }

  /** Never throws: a launch goes on without provenance rather than not at all. */
  async begin(req: LaunchRequest): Promise<Launched> {
    if (!setting('provenance.enabled')) return NOTHING;
    try {
      const uri = req.remote && !req.remote.sharesFolder && !/^https?:/.test(mlflowUriFor(req.folder) ?? '') ? undefined : mlflowUriFor(req.folder);
      // A stage's script picks its own experiment (and maybe its own server): an
      // MLFLOW_RUN_ID made elsewhere would make MLflow refuse to start and fail the training.
      // So a run is made first only for `mlflow run` (the project names the experiment) or
      // when the user named the experiment the scripts use.
      // A reproduction needs its new run to compare with the original.
      const runFirst = req.launcher === 'mlflow-run' || !!req.reproducedFrom || setting('provenance.mlflowExperiment').trim() !== '';
      const helper = uri && runFirst ? this.mlflowHelper() : undefined;
      const local = pythonBeside(findCli('dvc')) ?? pythonBeside(findCli('mlflow')) ?? 'python3';
      const session = await beginLaunch({
        launcher: req.launcher,
        cwd: req.folder,
        command: req.command,
        stages: req.stages,
        local: nodeRunner,
        remote: req.remote?.runner ?? nodeRunner,
        python: req.remote?.python ?? local,
        remoteCwd: req.remote?.dir ?? req.folder,
        host: req.remote?.host ?? hostname(),
        image: req.remote?.image,
        env: process.env,
        readText: projectReader(req.folder),
        mlflow:
          uri && helper
            ? { writer: helper, uri, experiment: await experimentFor(req.folder), sourceName: req.command.map((a, i) => (i === 0 ? path.basename(a) : a)).join(' '), reproducedFrom: req.reproducedFrom }
            : undefined,
      });
      for (const p of session.problems) this.log.warn(`Provenance: ${p}`);
      const env = { ...session.env };
      // Inside a container the store is the mounted file: its path there, not here.
      if (req.remote && env.MLFLOW_TRACKING_URI?.startsWith('sqlite:')) env.MLFLOW_TRACKING_URI = `sqlite:///${req.remote.dir}/mlflow.db`;
      this.log.info(`Provenance: ${req.launcher} ${session.mlflowRun ? `→ MLflow run ${session.mlflowRun.runId}` : '(no MLflow run made first)'}`);
      let finished = false;
      return {
        env,
        runId: session.mlflowRun?.runId,
        finish: (code) => {
          if (finished) return;
          finished = true;
          void session.finish(code).then(
            (r) => {
              for (const p of r.problems) this.log.warn(`Provenance: ${p}`);
              if (r.noted.length) this.log.info(`Provenance: git note (refs/notes/mlops) on ${r.noted.map((c) => c.slice(0, 7)).join(', ')}`);
            },
            (err) => this.log.warn(`Provenance: recording the end failed: ${errorMessage(err)}`),
          );
        },
      };
    } catch (err) {
      this.log.warn(`Provenance: not captured (${errorMessage(err)}); the run starts anyway.`);
      return NOTHING;
    }
  }

  /** The helper, for Reproduce Run (the same warm client). */
  client(): MlflowHelper | undefined {
    return this.mlflowHelper();
  }

  dispose(): void {
    this.helper?.dispose();
  }
}
