// `mlflow run . -e NAME -P k=v` from the palette, the Pipelines view and the MLproject
// code lenses. "Run" uses the defaults and asks only for what has none (MLflow refuses to
// start without it); "Run with Parameters…" asks for every parameter, prefilled. Values
// are checked against the declared type as they are typed.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError, showInfo } from '../notify';
import { setting } from '../settings';
import { errorMessage } from '../../core/common/errors';
import { buildMlProject, type MlEntryPoint } from '../../core/pipelines/mlproject';
import { checkParameterValue, defaultText, hasDefault, parameterArgs, parametersToAsk } from '../../core/pipelines/mlprojectParams';
import { RUN_ENTRY_POINT_COMMAND, RUN_ENTRY_POINT_WITH_PARAMETERS_COMMAND } from '../../protocol/lensCommands';
import { MLFLOW_TASK_TYPE } from '../../core/pipelines/rerunPlans';
import { parseYaml } from '../../core/pipelines/yamlDocument';
import { requireCli } from './cliTools';
import { lensTarget } from './lensTarget';
import { readPipelineText, type PipelineFiles } from './pipelineFiles';
import { launchTask } from './rerunTasks';
import type { ProvenanceLauncher } from '../provenance/launch';

function folderInfo(uri: vscode.Uri) {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const dir = path.dirname(uri.fsPath);
  return { scope: folder ?? vscode.TaskScope.Workspace, rel: folder ? path.relative(folder.uri.fsPath, dir).split(path.sep).join('/') || undefined : dir };
}

async function pickMlproject(files: PipelineFiles): Promise<vscode.Uri | undefined> {
  const all = await files.mlprojects();
  if (!all.length) {
    void showInfo(vscode.l10n.t('no MLproject file in this workspace; MLflow entry points are defined there.'));
    return undefined;
  }
  if (all.length === 1) return all[0];
  return (await vscode.window.showQuickPick(all.map((u) => ({ label: vscode.workspace.asRelativePath(u), u })), { placeHolder: vscode.l10n.t('Which MLproject?') }))?.u;
}

/** Asks for each parameter in turn; undefined when the user pressed Escape. */
async function askParameters(ep: MlEntryPoint, all: boolean, projectDir: string): Promise<Record<string, string> | undefined> {
  const asked = parametersToAsk(ep, all);
  const answers: Record<string, string> = {};
  const exists = (p: string) => existsSync(path.resolve(projectDir, p));
  for (const [i, p] of asked.entries()) {
    const value = await vscode.window.showInputBox({
      title: `mlflow run -e ${ep.name} -P ${p.name}=…${asked.length > 1 ? ` (${i + 1}/${asked.length})` : ''}`,
      prompt: hasDefault(p) ? vscode.l10n.t('{0} ({1}); empty: the default, {2}', p.name, p.type, defaultText(p)) : vscode.l10n.t('{0} ({1}), required: it has no default', p.name, p.type),
      value: defaultText(p),
      ignoreFocusOut: true,
      validateInput: (v) => {
        const problem = checkParameterValue(p, v, { exists });
        if (!problem) return undefined;
        return { message: problem.message, severity: problem.severity === 'error' ? vscode.InputBoxValidationSeverity.Error : vscode.InputBoxValidationSeverity.Warning };
      },
    });
    if (value === undefined) return undefined;
    answers[p.name] = value;
  }
  return parameterArgs(ep, answers);
}

export function registerMlflowEntryPoints(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, files: PipelineFiles, provenance: ProvenanceLauncher): void {
  /** Returns the task's name once started (tests use it), undefined when nothing ran. */
  async function run(all: boolean, uriArg?: vscode.Uri | string, entryArg?: string): Promise<string | undefined> {
    const lens = typeof uriArg === 'string' ? lensTarget(all ? RUN_ENTRY_POINT_WITH_PARAMETERS_COMMAND : RUN_ENTRY_POINT_COMMAND, [uriArg, entryArg]) : undefined;
    if (lens) entryArg = lens.name;
    provenance.prewarm();
    const uri = lens?.uri ?? (uriArg instanceof vscode.Uri ? uriArg : await pickMlproject(files));
    if (!uri) return undefined;
    let eps: MlEntryPoint[];
    try {
      // The open editor's text, saved or not: the lens was drawn from it.
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      eps = buildMlProject(parseYaml(doc ? doc.getText() : await readPipelineText(uri))).entryPoints;
    } catch (err) {
      void showError(vscode.l10n.t('cannot read {0} ({1}).', vscode.workspace.asRelativePath(uri), errorMessage(err)));
      return undefined;
    }
    let ep = eps.find((e) => e.name === entryArg);
    if (!ep) {
      if (entryArg) {
        void showError(vscode.l10n.t('{0} has no entry point {1} (any more); pick one from "MLOps: Run MLflow Entry Point".', vscode.workspace.asRelativePath(uri), entryArg));
        return undefined;
      }
      if (!eps.length) {
        void showError(vscode.l10n.t('{0} has no entry_points.', vscode.workspace.asRelativePath(uri)));
        return undefined;
      }
      ep = (
        await vscode.window.showQuickPick(
          eps.map((e) => ({ label: e.name, description: e.parameters.map((p) => `${p.name}: ${p.type}`).join(', '), e })),
          { placeHolder: all ? vscode.l10n.t('MLflow entry point to run with parameters') : vscode.l10n.t('MLflow entry point to run (defaults for its parameters)') },
        )
      )?.e;
      if (!ep) return undefined;
    }
    const parameters = await askParameters(ep, all, path.dirname(uri.fsPath));
    if (!parameters) return undefined;
    if (!(await requireCli('mlflow', vscode.l10n.t('run {0}', ep.name)))) return undefined;
    const envManager = setting('mlflow.envManager') || undefined;
    const { scope, rel } = folderInfo(uri);
    const task = await launchTask({ type: MLFLOW_TASK_TYPE, entryPoint: ep.name, parameters, project: rel, envManager }, scope, provenance);
    log.info(`Running ${task.detail} in ${path.dirname(uri.fsPath)}`);
    return task.name;
  }

  context.subscriptions.push(
    registerCommand(RUN_ENTRY_POINT_COMMAND, (uri?: vscode.Uri | string, entry?: string) => run(false, uri, entry)),
    registerCommand(RUN_ENTRY_POINT_WITH_PARAMETERS_COMMAND, (uri?: vscode.Uri | string, entry?: string) => run(true, uri, entry)),
  );
}
