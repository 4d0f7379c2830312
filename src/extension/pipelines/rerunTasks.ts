import * as path from 'node:path';
import * as vscode from 'vscode';
import { setting } from '../settings';
import { parseYaml } from '../../core/pipelines/yamlDocument';
import { buildMlProject } from '../../core/pipelines/mlproject';
import {
  DVC_TASK_TYPE,
  MLFLOW_TASK_TYPE,
  dvcArgs,
  dvcTaskLabel,
  isDvcTaskDefinition,
  isMlflowTaskDefinition,
  mlflowArgs,
  mlflowTaskLabel,
  type DvcTaskDefinition,
  type MlflowTaskDefinition,
} from '../../core/pipelines/rerunPlans';
import type { PipelinesTreeProvider } from '../views/pipelinesTree';
import type { Launched, ProvenanceLauncher } from '../provenance/launch';
import { launchArgv } from '../../core/provenance/session';
import { cliEnv, findCli } from './cliTools';
import { readPipelineText, type PipelineFiles } from './pipelineFiles';

const SOURCE = 'MLOps';

function folderOf(uri: vscode.Uri): { scope: vscode.WorkspaceFolder | vscode.TaskScope.Workspace; rel: string } {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const dir = path.dirname(uri.fsPath);
  return { scope: folder ?? vscode.TaskScope.Workspace, rel: folder ? path.relative(folder.uri.fsPath, dir).split(path.sep).join('/') : dir };
}

function cwdOf(scope: vscode.WorkspaceFolder | vscode.TaskScope | undefined, rel: string | undefined): string | undefined {
  if (rel && path.isAbsolute(rel)) return rel;
  const base = typeof scope === 'object' ? scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return base ? path.join(base, rel ?? '') : undefined;
}

/**
 * A task for a definition. Without the CLI the task still exists (so "Run Task" lists it)
 * and says how to install the tool when run, instead of silently failing.
 */
export function makeTask(def: DvcTaskDefinition | MlflowTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, launched?: Pick<Launched, 'env'>): vscode.Task {
  const isDvc = def.type === DVC_TASK_TYPE;
  const tool = isDvc ? 'dvc' : 'mlflow';
  const exe = findCli(tool);
  const cwd = cwdOf(scope, isDvc ? def.cwd : (def as MlflowTaskDefinition).project);
  const label = isDvc ? dvcTaskLabel(def) : mlflowTaskLabel(def as MlflowTaskDefinition);
  const args = isDvc ? dvcArgs(def) : mlflowArgs(def as MlflowTaskDefinition);
  // With provenance: the MLflow run made first is continued (MLFLOW_RUN_ID, or `mlflow run --run-id`).
  const argv = launched ? launchArgv([tool, ...args], launched.env).slice(1) : args;
  const execution = exe
    ? new vscode.ProcessExecution(exe, argv, { cwd, env: { ...cliEnv(exe), ...launched?.env } })
    : new vscode.ShellExecution(`echo "MLOps: the ${tool} CLI was not found. Install it (pip install ${tool}) and set mlops.${tool}.path." && exit 127`, { cwd });
  const task = new vscode.Task(def, scope, label, SOURCE, execution, []);
  task.detail = `${tool} ${args.join(' ')}`;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/**
 * Runs a rerun task through the provenance launcher: what made the run is captured, the
 * MLflow run made first is continued by the process, and the end is recorded.
 */
export async function launchTask(def: DvcTaskDefinition | MlflowTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, provenance: ProvenanceLauncher): Promise<vscode.Task> {
  const isDvc = def.type === DVC_TASK_TYPE;
  const exe = findCli(isDvc ? 'dvc' : 'mlflow');
  const folder = cwdOf(scope, isDvc ? def.cwd : (def as MlflowTaskDefinition).project);
  if (!exe || !folder) {
    const task = makeTask(def, scope);
    await vscode.tasks.executeTask(task);
    return task;
  }
  const stages = isDvc && def.stage && def.single ? [def.stage] : undefined;
  const args = isDvc ? dvcArgs(def) : mlflowArgs(def as MlflowTaskDefinition);
  const launched = await provenance.begin({ launcher: isDvc ? (def.action === 'exp-run' ? 'dvc-exp' : 'dvc-repro') : 'mlflow-run', folder, command: [exe, ...args], stages });
  const task = makeTask(def, scope, launched);
  let execution: vscode.TaskExecution | undefined;
  const ended = (e: { execution: vscode.TaskExecution }) => e.execution === execution || (e.execution.task.name === task.name && e.execution.task.source === task.source);
  const subs = [
    vscode.tasks.onDidEndTaskProcess((e) => {
      if (!ended(e)) return;
      subs.forEach((s) => s.dispose());
      launched.finish(e.exitCode);
    }),
    // A task that never started a process (terminated first) ends without an exit status.
    vscode.tasks.onDidEndTask((e) => {
      if (!ended(e)) return;
      setTimeout(() => {
        subs.forEach((s) => s.dispose());
        launched.finish(undefined);
      }, 1000);
    }),
  ];
  try {
    execution = await vscode.tasks.executeTask(task);
  } catch (err) {
    subs.forEach((s) => s.dispose());
    launched.finish(undefined);
    throw err;
  }
  return task;
}

/** Lists every stage and pipeline rerun and every MLflow entry point in "Run Task". */
export class RerunTaskProvider implements vscode.TaskProvider {
  /** One provider per task type: VS Code reports a provider that returns another type's tasks as a task error. */
  constructor(
    private readonly type: typeof DVC_TASK_TYPE | typeof MLFLOW_TASK_TYPE,
    private readonly files: PipelineFiles,
    private readonly pipelines: PipelinesTreeProvider,
  ) {}

  provideTasks(): Promise<vscode.Task[]> {
    return this.type === DVC_TASK_TYPE ? this.dvcTasks() : this.mlflowTasks();
  }

  private async dvcTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    for (const file of await this.pipelines.pipelines()) {
      const { scope, rel } = folderOf(file.uri);
      const cwd = rel || undefined;
      tasks.push(makeTask({ type: DVC_TASK_TYPE, cwd }, scope));
      for (const stage of file.stages) {
        tasks.push(makeTask({ type: DVC_TASK_TYPE, stage: stage.name, single: true, cwd }, scope));
        tasks.push(makeTask({ type: DVC_TASK_TYPE, stage: stage.name, cwd }, scope));
      }
    }
    return tasks;
  }

  private async mlflowTasks(): Promise<vscode.Task[]> {
    const tasks: vscode.Task[] = [];
    const envManager = setting('mlflow.envManager') || undefined;
    for (const uri of await this.files.mlprojects()) {
      const { scope, rel } = folderOf(uri);
      // One unreadable MLproject (a FIFO, over the cap) costs only its own tasks.
      const text = await readPipelineText(uri).catch(() => undefined);
      if (text === undefined) continue;
      for (const ep of buildMlProject(parseYaml(text)).entryPoints) {
        tasks.push(makeTask({ type: MLFLOW_TASK_TYPE, entryPoint: ep.name, project: rel || undefined, envManager }, scope));
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as { type: string };
    const scope = task.scope ?? vscode.TaskScope.Workspace;
    if (def.type !== this.type) return undefined;
    if (isDvcTaskDefinition(def) || isMlflowTaskDefinition(def)) return makeTask(def, scope);
    return undefined;
  }
}

export const RERUN_TASK_TYPES = [DVC_TASK_TYPE, MLFLOW_TASK_TYPE];
