// Provenance in the editor: the launcher every launch goes through, and
// "MLOps: Reproduce Run" on an MLflow run of the Runs view.
import { hostname } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError, showInfo, showWarning } from '../notify';
import { setting } from '../settings';
import { errorMessage } from '../../core/common/errors';
import { ReproduceError } from '../../core/provenance/reproduce';
import { reproduceExperiment } from '../../core/provenance/reproduceExperiment';
import { reproduceRun } from '../../core/provenance/reproduceFlow';
import { expRowState } from '../../core/runs/dvc/expLifecycle';
import { nodeRunner } from '../../core/provenance/runner';
import type { RunNode, RunsNode, RunsTreeProvider } from '../runs/runsTree';
import { cliEnv, requireCli } from '../pipelines/cliTools';
import type { HostRegistry } from '../workspaces/hosts';
import { ProvenanceLauncher } from './launch';
import { cleanupReproductions } from './reproduceCleanup';
import { inImageHook } from './reproduceInImage';

export const REPRODUCE_COMMAND = 'mlops.runs.reproduce';
export const CLEANUP_COMMAND = 'mlops.runs.cleanupReproductions';

/** The tracking URI of the store a run was listed from; undefined for non-MLflow sources. */
function storeUri(node: RunNode): string | undefined {
  const { kind, location } = node.state.spec;
  if (kind === 'mlflow-sqlite') return `sqlite:///${location.split(path.sep).join('/')}`;
  if (kind === 'mlflow-file') return vscode.Uri.file(location).toString();
  if (kind === 'mlflow-rest') return setting('mlflow.trackingUri').trim() || undefined;
  return undefined;
}

function projectOf(node: RunNode): string | undefined {
  const { kind, location } = node.state.spec;
  if (kind === 'mlflow-sqlite' || kind === 'mlflow-file') return path.dirname(location);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Runs argv as a task (its output in the terminal panel, stoppable); resolves with its exit status. */
async function execAsTask(runId: string, name: string, cwd: string, argv: string[], env: Record<string, string>, exe: string): Promise<number | undefined> {
  const task = new vscode.Task({ type: 'mlops-reproduce', runId }, vscode.TaskScope.Workspace, name, 'MLOps', new vscode.ProcessExecution(argv[0], argv.slice(1), { cwd, env: { ...cliEnv(exe), ...env } }), []);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return new Promise((resolve, reject) => {
    let execution: vscode.TaskExecution | undefined;
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution !== execution && e.execution.task.name !== name) return;
      sub.dispose();
      resolve(e.exitCode);
    });
    vscode.tasks.executeTask(task).then(
      (x) => (execution = x),
      (err: unknown) => (sub.dispose(), reject(err instanceof Error ? err : new Error(String(err)))),
    );
  });
}

/** Chunks of a command's output as whole lines (the last partial line waits for its end). */
function lineLogger(write: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk).split(/\r?\n/);
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) write(l);
  };
}

export function registerProvenance(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, runs: RunsTreeProvider, registry: HostRegistry): ProvenanceLauncher {
  const launcher = new ProvenanceLauncher(log);

  async function pickRun(): Promise<RunNode | undefined> {
    const states = runs.sources().filter((s) => s.spec.kind.startsWith('mlflow') || s.spec.kind === 'dvc-experiments');
    const items = states.flatMap((state) =>
      (state.listing?.runs ?? [])
        .filter((run) => state.spec.kind !== 'dvc-experiments' || expRowState(run) === 'done')
        .map((run) => ({
          label: run.name,
          description: run.id,
          detail: state.spec.kind === 'dvc-experiments' ? vscode.l10n.t('DVC experiment') : run.tags['mlops.launcher'] ? vscode.l10n.t('launched from the workbench') : undefined,
          node: { kind: 'run' as const, state, run },
        })),
    );
    if (!items.length) {
      void showInfo(vscode.l10n.t('no MLflow runs or DVC experiments to reproduce. Run a stage, an experiment or an MLflow entry point from the Pipelines view first.'));
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Run to reproduce'), matchOnDescription: true }))?.node;
  }

  /** Returns the report's path (tests use it), undefined when nothing was reproduced. */
  async function reproduce(nodeArg?: RunsNode): Promise<string | undefined> {
    launcher.prewarm();
    const node = nodeArg?.kind === 'run' ? nodeArg : await pickRun();
    if (!node) return undefined;
    if (node.state.spec.kind === 'dvc-experiments') return reproduceExperimentRow(node);
    const uri = storeUri(node);
    const projectDir = projectOf(node);
    if (!uri || !projectDir) {
      void showInfo(vscode.l10n.t('only MLflow runs and DVC experiments can be reproduced; {0} is a {1} run.', node.run.name, node.state.spec.kind));
      return undefined;
    }
    const dvc = await requireCli('dvc', vscode.l10n.t('restore the run\'s data'));
    if (!dvc) return undefined;
    const helper = launcher.client();
    if (!helper) {
      void showError(vscode.l10n.t('no Python environment with MLflow was found to read the run. Select the interpreter that has mlflow installed (Python: Select Interpreter), then try again.'));
      return undefined;
    }
    const cacheRoot = context.globalStorageUri.fsPath;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: reproducing {0}', node.run.name), cancellable: true },
        (progress, token) =>
          reproduceRun({
            runId: node.run.id,
            uri,
            mlflow: helper,
            local: nodeRunner,
            projectDir,
            cacheRoot,
            dvc,
            python: helper.interpreter,
            host: hostname(),
            env: process.env,
            tolerance: { absolute: 1e-12, relative: setting('reproduce.tolerance') },
            inImage: inImageHook(registry, log, node.run.id),
            onOutput: lineLogger((line) => log.info(`Reproduce ${node.run.id}: ${line}`)),
            exec: (cwd, argv, env) => execAsTask(node.run.id, vscode.l10n.t('Reproduce {0}', node.run.name), cwd, argv, env, dvc),
            offerFetch: async (commit) => {
              const fetch = vscode.l10n.t('Fetch');
              const pick = await showWarning(vscode.l10n.t('commit {0} of {1} is not in this clone. Fetch it from origin?', commit.slice(0, 7), node.run.name), fetch);
              if (pick !== fetch) return false;
              const r = await nodeRunner(['git', 'fetch', 'origin', commit], { cwd: projectDir, timeoutMs: 300_000 });
              if (r.code !== 0) log.warn(`Reproduce: git fetch origin ${commit}: ${r.stderr.trim()}`);
              return r.code === 0;
            },
            step: (what) => {
              if (token.isCancellationRequested) throw new vscode.CancellationError();
              log.info(`Reproduce ${node.run.id}: ${what}`);
              progress.report({ message: what });
            },
          }),
      );
      return await showReport(node, result.verdict, result.reportPath);
    } catch (err) {
      return failed(node, err);
    }
  }

  async function showReport(node: RunNode, verdict: string, reportPath: string): Promise<string> {
    log.info(`Reproduce ${node.run.id}: ${verdict}; report ${reportPath}`);
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(reportPath)).then(undefined, () => vscode.window.showTextDocument(vscode.Uri.file(reportPath)));
    void vscode.commands.executeCommand('mlops.refreshRuns').then(undefined, () => undefined);
    return reportPath;
  }

  function failed(node: RunNode, err: unknown): undefined {
    if (err instanceof vscode.CancellationError) return undefined;
    const what = err instanceof ReproduceError ? err.message : errorMessage(err);
    log.error(`Reproduce ${node.run.id}: ${what}`);
    const next =
      err instanceof ReproduceError && err.kind === 'patch-conflict'
        ? vscode.l10n.t('The code at that commit changed where the run had uncommitted edits; reproduce from a run made after committing them.')
        : err instanceof ReproduceError && err.kind === 'commit-missing'
          ? vscode.l10n.t('Fetch the branch that holds it (git fetch), then try again.')
          : vscode.l10n.t('Details are in the MLOps log (MLOps: Show Log).');
    void showError(vscode.l10n.t('could not reproduce {0}: {1}. {2}', node.run.name, what, next));
    return undefined;
  }

  /** A DVC experiment: its git note is the record, its commit the code and params. */
  async function reproduceExperimentRow(node: RunNode): Promise<string | undefined> {
    if (expRowState(node.run) !== 'done') {
      void showInfo(vscode.l10n.t('only finished experiments can be reproduced; {0} has no experiment commit to start from.', node.run.name));
      return undefined;
    }
    const dvc = await requireCli('dvc', vscode.l10n.t('reproduce the experiment'));
    if (!dvc) return undefined;
    const projectDir = node.state.spec.location;
    const python = launcher.client()?.interpreter ?? 'python3';
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: reproducing {0}', node.run.name), cancellable: true },
        (progress, token) =>
          reproduceExperiment({
            commit: node.run.id,
            name: node.run.name,
            projectDir,
            cacheRoot: context.globalStorageUri.fsPath,
            dvc,
            python,
            host: hostname(),
            local: nodeRunner,
            env: process.env,
            tolerance: { absolute: 1e-12, relative: setting('reproduce.tolerance') },
            inImage: inImageHook(registry, log, node.run.id),
            onOutput: lineLogger((line) => log.info(`Reproduce ${node.run.name}: ${line}`)),
            exec: (cwd, argv, env) => execAsTask(node.run.id, vscode.l10n.t('Reproduce {0}', node.run.name), cwd, argv, env, dvc),
            step: (what) => {
              if (token.isCancellationRequested) throw new vscode.CancellationError();
              log.info(`Reproduce ${node.run.name}: ${what}`);
              progress.report({ message: what });
            },
          }),
      );
      if (!result.noted) log.info(`Reproduce ${node.run.name}: no git note (refs/notes/mlops) on ${node.run.id.slice(0, 7)}; the environment was not recorded.`);
      return await showReport(node, result.verdict, result.reportPath);
    } catch (err) {
      return failed(node, err);
    }
  }

  context.subscriptions.push(launcher, registerCommand(REPRODUCE_COMMAND, reproduce), registerCommand(CLEANUP_COMMAND, () => cleanupReproductions(context.globalStorageUri.fsPath, registry, log)));


  return launcher;
}
