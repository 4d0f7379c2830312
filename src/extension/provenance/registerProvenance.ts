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
import { reproduceRun } from '../../core/provenance/reproduceFlow';
import { nodeRunner } from '../../core/provenance/runner';
import type { RunNode, RunsNode, RunsTreeProvider } from '../runs/runsTree';
import { cliEnv, requireCli } from '../pipelines/cliTools';
import type { HostRegistry } from '../workspaces/hosts';
import { ProvenanceLauncher } from './launch';
import { inImageHook } from './reproduceInImage';

export const REPRODUCE_COMMAND = 'mlops.runs.reproduce';

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
    const mlflowStates = runs.sources().filter((s) => s.spec.kind.startsWith('mlflow'));
    const items = mlflowStates.flatMap((state) => (state.listing?.runs ?? []).map((run) => ({ label: run.name, description: run.id, detail: run.tags['mlops.launcher'] ? vscode.l10n.t('launched from the workbench') : undefined, node: { kind: 'run' as const, state, run } })));
    if (!items.length) {
      void showInfo(vscode.l10n.t('no MLflow runs to reproduce. Run a stage or an MLflow entry point from the Pipelines view first.'));
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Run to reproduce'), matchOnDescription: true }))?.node;
  }

  /** Returns the report's path (tests use it), undefined when nothing was reproduced. */
  async function reproduce(nodeArg?: RunsNode): Promise<string | undefined> {
    launcher.prewarm();
    const node = nodeArg?.kind === 'run' ? nodeArg : await pickRun();
    if (!node) return undefined;
    const uri = storeUri(node);
    const projectDir = projectOf(node);
    if (!uri || !projectDir) {
      void showInfo(vscode.l10n.t('only MLflow runs can be reproduced; {0} is a {1} run.', node.run.name, node.state.spec.kind));
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
            inImage: inImageHook(registry, log),
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
      log.info(`Reproduce ${node.run.id}: ${result.verdict}; report ${result.reportPath}`);
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(result.reportPath)).then(undefined, () => vscode.window.showTextDocument(vscode.Uri.file(result.reportPath)));
      void vscode.commands.executeCommand('mlops.refreshRuns').then(undefined, () => undefined);
      return result.reportPath;
    } catch (err) {
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
  }

  context.subscriptions.push(launcher, registerCommand(REPRODUCE_COMMAND, reproduce));


  return launcher;
}
