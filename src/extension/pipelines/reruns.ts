import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listDvcStages } from '../../core/pipelines/dvcStages';

/** Finds an executable on PATH (argv-safe: we never build a shell string). */
function onPath(name: string): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

/** A stage row of the Pipelines view, passed by its context menu. */
type StageNode = { kind: 'stage'; uri: vscode.Uri; stage: { name: string } };
const isStageNode = (v: unknown): v is StageNode => !!v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'stage';

async function pickStage(): Promise<{ uri: vscode.Uri; stage: string } | undefined> {
  const files = await vscode.workspace.findFiles('**/dvc.yaml', '**/{node_modules,.git,.dvc}/**', 50);
  const items: (vscode.QuickPickItem & { uri: vscode.Uri; stage: string })[] = [];
  for (const uri of files) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    for (const s of listDvcStages(text)) items.push({ label: s.name, description: vscode.workspace.asRelativePath(uri), detail: s.cmd, uri, stage: s.name });
  }
  if (!items.length) {
    void vscode.window.showInformationMessage('MLOps: no dvc.yaml stages in this workspace.');
    return undefined;
  }
  return vscode.window.showQuickPick(items, { placeHolder: 'Stage to run' });
}

/**
 * "Run stage" (`dvc repro -s STAGE`) and "Run pipeline up to here" (`dvc repro STAGE`),
 * from the code lenses, the Pipelines view or the palette. They run as VS Code tasks, so
 * output streams to the terminal panel and the task can be stopped.
 */
export function registerReruns(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, onDone: () => void): void {
  async function run(single: boolean, uriArg?: vscode.Uri | string | StageNode, stageArg?: string) {
    let target: { uri: vscode.Uri; stage: string } | undefined;
    if (isStageNode(uriArg)) target = { uri: uriArg.uri, stage: uriArg.stage.name };
    else if (uriArg && stageArg) target = { uri: typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg, stage: stageArg };
    target ??= await pickStage();
    if (!target) return;
    const configured = vscode.workspace.getConfiguration('mlops').get<string>('dvc.path', '').trim();
    const dvc = configured ? (existsSync(configured) ? configured : undefined) : onPath('dvc');
    if (!dvc) {
      const why = configured ? `mlops.dvc.path points at ${configured}, which does not exist` : 'the DVC CLI is not on PATH';
      const pick = await vscode.window.showErrorMessage(
        `MLOps: ${why}. Install DVC (pip install dvc) and set mlops.dvc.path to its dvc executable, then try again.`,
        'Open Settings',
        'DVC Install Guide',
      );
      if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'mlops.dvc.path');
      if (pick === 'DVC Install Guide') void vscode.env.openExternal(vscode.Uri.parse('https://dvc.org/doc/install'));
      return;
    }
    const cwd = path.dirname(target.uri.fsPath);
    const args = single ? ['repro', '-s', target.stage] : ['repro', target.stage];
    const folder = vscode.workspace.getWorkspaceFolder(target.uri) ?? vscode.TaskScope.Workspace;
    const task = new vscode.Task(
      { type: 'mlops-dvc', stage: target.stage, single },
      folder,
      `${single ? 'Run stage' : 'Run pipeline up to'} ${target.stage}`,
      'MLOps',
      // The dvc's own folder first: a venv's dvc runs stages with that venv's python.
      new vscode.ProcessExecution(dvc, args, { cwd, env: { PATH: `${path.dirname(dvc)}${path.delimiter}${process.env.PATH ?? ''}` } }),
    );
    log.info(`Running dvc ${args.join(' ')} in ${cwd}`);
    await vscode.tasks.executeTask(task);
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('mlops.runStage', (uri?: vscode.Uri | string | StageNode, stage?: string) => run(true, uri, stage)),
    vscode.commands.registerCommand('mlops.runPipelineUpTo', (uri?: vscode.Uri | string | StageNode, stage?: string) => run(false, uri, stage)),
    vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.definition.type !== 'mlops-dvc') return;
      log.info(`${e.execution.task.name} finished with exit code ${e.exitCode}`);
      if (e.exitCode) void vscode.window.showErrorMessage(`MLOps: ${e.execution.task.name} failed (exit ${e.exitCode}); its output is in the terminal panel.`);
      onDone();
    }),
  );
}
