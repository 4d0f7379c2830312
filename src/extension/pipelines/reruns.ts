import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError, showInfo } from '../notify';
import { errorMessage } from '../../core/common/errors';
import { allKeyPaths, lookupPath, splitKeyPath } from '../../core/pipelines/paramsFile';
import { DVC_TASK_TYPE, MLFLOW_TASK_TYPE, showParamValue, type DvcTaskDefinition } from '../../core/pipelines/rerunPlans';
import { parseYaml } from '../../core/pipelines/yamlDocument';
import { RUN_PIPELINE_UP_TO_COMMAND, RUN_STAGE_COMMAND } from '../../protocol/lensCommands';
import type { PipelineFile, PipelinesTreeProvider, StageNode } from '../views/pipelinesTree';
import { requireCli } from './cliTools';
import { lensTarget } from './lensTarget';
import { readPipelineText, type PipelineFiles } from './pipelineFiles';
import { RERUN_TASK_TYPES, RerunTaskProvider, launchTask } from './rerunTasks';
import type { ProvenanceLauncher } from '../provenance/launch';

const isStageNode = (v: unknown): v is StageNode => !!v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'stage';
type Target = { uri: vscode.Uri; stage?: string };

function folderInfo(uri: vscode.Uri) {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const dir = path.dirname(uri.fsPath);
  return { scope: folder ?? vscode.TaskScope.Workspace, rel: folder ? path.relative(folder.uri.fsPath, dir).split(path.sep).join('/') || undefined : dir };
}

/** After a rerun (here or in a workspace): say when it failed, and refresh the Pipelines, Runs and Data views. */
export async function afterRerun(log: vscode.LogOutputChannel, pipelines: PipelinesTreeProvider, name: string, exitCode: number | undefined, opts: { explained?: boolean } = {}) {
  log.info(`${name} finished with exit code ${exitCode}`);
  // `explained`: the caller already said why (or the user stopped it); one message is enough.
  if (exitCode && !opts.explained) void showError(vscode.l10n.t('{0} failed (exit {1}); its output is in the terminal panel.', name, exitCode));
  pipelines.refresh();
  // The Runs and Data views are other features': refresh them only where they exist.
  const commands = new Set(await vscode.commands.getCommands(true));
  for (const c of ['mlops.refreshRuns', 'mlops.refreshData']) {
    if (commands.has(c)) void Promise.resolve(vscode.commands.executeCommand(c)).catch((err) => log.warn(`${c} after ${name}: ${errorMessage(err)}`));
  }
}

/**
 * Reruns from the code lenses, the Pipelines view, the DAG panel and the palette:
 * `dvc repro` (a stage, up to a stage, the pipeline), `dvc exp run -S` with params asked
 * for, and `mlflow run -e` (mlflowEntryPoints.ts). All are VS Code tasks (also in "Run Task"): their output
 * streams to the terminal panel and they can be stopped. When one ends, the Pipelines,
 * Runs and Data views refresh.
 */
export function registerReruns(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipelines: PipelinesTreeProvider, files: PipelineFiles, provenance: ProvenanceLauncher): void {
  async function pickFile(): Promise<PipelineFile | undefined> {
    const all = await pipelines.pipelines();
    if (!all.length) {
      void showInfo(vscode.l10n.t('no dvc.yaml in this workspace. "MLOps: Create dvc.yaml" starts one.'));
      return undefined;
    }
    if (all.length === 1) return all[0];
    const pick = await vscode.window.showQuickPick(
      all.map((f) => ({ label: vscode.workspace.asRelativePath(f.uri), description: `${f.stages.length} stages`, f })),
      { placeHolder: vscode.l10n.t('Which pipeline?') },
    );
    return pick?.f;
  }

  async function pickStage(): Promise<Target | undefined> {
    const all = await pipelines.pipelines();
    const items = all.flatMap((f) =>
      f.stages.map((s) => ({ label: s.name, description: all.length > 1 ? vscode.workspace.asRelativePath(f.uri) : undefined, detail: s.cmd, uri: f.uri, stage: s.name })),
    );
    if (!items.length) {
      void showInfo(vscode.l10n.t('no dvc.yaml stages in this workspace.'));
      return undefined;
    }
    return vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Stage to run') });
  }

  function targetOf(uriArg?: vscode.Uri | string | StageNode, stageArg?: string): Target | undefined {
    if (isStageNode(uriArg)) return { uri: uriArg.uri, stage: uriArg.stage.name };
    if (uriArg && typeof uriArg !== 'object') return { uri: vscode.Uri.parse(uriArg), stage: stageArg };
    if (uriArg instanceof vscode.Uri) return { uri: uriArg, stage: stageArg };
    return undefined;
  }

  async function runDvc(target: Target, def: Omit<DvcTaskDefinition, 'type' | 'cwd'>) {
    if (!(await requireCli('dvc'))) return;
    const { scope, rel } = folderInfo(target.uri);
    const task = await launchTask({ type: DVC_TASK_TYPE, ...def, cwd: rel }, scope, provenance);
    log.info(`Running ${task.detail} in ${path.dirname(target.uri.fsPath)}`);
  }

  async function runStage(single: boolean, uriArg?: vscode.Uri | string | StageNode, stageArg?: string) {
    provenance.prewarm();
    const fromLens = typeof uriArg === 'string' ? lensTarget(single ? RUN_STAGE_COMMAND : RUN_PIPELINE_UP_TO_COMMAND, [uriArg, stageArg]) : undefined;
    const target = fromLens ? { uri: fromLens.uri, stage: fromLens.name } : (targetOf(uriArg, stageArg) ?? (await pickStage()));
    if (!target?.stage) return;
    await runDvc(target, { stage: target.stage, single });
  }

  async function runPipeline(uriArg?: vscode.Uri | string) {
    const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg instanceof vscode.Uri ? uriArg : (await pickFile())?.uri;
    if (uri) await runDvc({ uri }, {});
  }

  /** `dvc exp run -S key=value ...`: the keys picked from params.yaml, each value asked for, prefilled. */
  async function runWithParams(uriArg?: vscode.Uri | string | StageNode, stageArg?: string) {
    provenance.prewarm();
    const target: Target | undefined = targetOf(uriArg, stageArg) ?? (await pickFile().then((f) => f && { uri: f.uri }));
    if (!target) return;
    const paramsUri = vscode.Uri.joinPath(target.uri, '..', 'params.yaml');
    let data: unknown;
    try {
      data = parseYaml(await readPipelineText(paramsUri)).doc.toJS();
    } catch (err) {
      void showError(vscode.l10n.t('cannot read {0} ({1}); "dvc exp run -S" changes values of params.yaml.', vscode.workspace.asRelativePath(paramsUri), errorMessage(err)));
      return;
    }
    // Leaves only: `-S train=...` would replace a whole section.
    const keys = allKeyPaths(data).filter((k) => {
      const hit = lookupPath(data, splitKeyPath(k));
      return hit.found && (hit.value === null || typeof hit.value !== 'object' || Array.isArray(hit.value));
    });
    const file = pipelines.current.find((f) => f.uri.toString() === target.uri.toString());
    const used = new Set(file?.stages.filter((s) => !target.stage || s.name === target.stage).flatMap((s) => s.params.flatMap((p) => (p.keys === 'all' ? [] : p.keys))));
    const items = keys
      .map((k) => ({ label: k, description: showParamValue((lookupPath(data, splitKeyPath(k)) as { value: unknown }).value), picked: false, used: used.has(k) }))
      .sort((a, b) => Number(b.used) - Number(a.used));
    if (!items.length) {
      void showInfo(vscode.l10n.t('params.yaml has no values to change.'));
      return;
    }
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      placeHolder: target.stage ? vscode.l10n.t('Params to change for the pipeline up to {0} (dvc exp run -S)', target.stage) : vscode.l10n.t('Params to change for the pipeline (dvc exp run -S)'),
    });
    if (!picked?.length) return;
    const set: string[] = [];
    for (const p of picked) {
      const value = await vscode.window.showInputBox({
        title: `dvc exp run -S ${p.label}=…`,
        prompt: vscode.l10n.t('New value of {0} (YAML: 0.01, true, text, [1, 2])', p.label),
        value: p.description,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A value is needed; Escape cancels the run.')),
      });
      if (value === undefined) return;
      set.push(`${p.label}=${value.trim()}`);
    }
    await runDvc(target, { action: 'exp-run', stage: target.stage, set });
  }

  context.subscriptions.push(
    vscode.tasks.registerTaskProvider(DVC_TASK_TYPE, new RerunTaskProvider(DVC_TASK_TYPE, files, pipelines)),
    vscode.tasks.registerTaskProvider(MLFLOW_TASK_TYPE, new RerunTaskProvider(MLFLOW_TASK_TYPE, files, pipelines)),
    registerCommand(RUN_STAGE_COMMAND, (uri?: vscode.Uri | string | StageNode, stage?: string) => runStage(true, uri, stage)),
    registerCommand(RUN_PIPELINE_UP_TO_COMMAND, (uri?: vscode.Uri | string | StageNode, stage?: string) => runStage(false, uri, stage)),
    registerCommand('mlops.runPipeline', (uri?: vscode.Uri | string) => runPipeline(uri)),
    registerCommand('mlops.runWithParams', (uri?: vscode.Uri | string | StageNode, stage?: string) => runWithParams(uri, stage)),
    vscode.tasks.onDidEndTaskProcess((e) => {
      if (RERUN_TASK_TYPES.includes(e.execution.task.definition.type)) void afterRerun(log, pipelines, e.execution.task.name, e.exitCode);
    }),
  );
}
