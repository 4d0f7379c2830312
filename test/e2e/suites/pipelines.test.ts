import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';

// What a user sees of the pipeline language features and reruns in the real workbench:
// a planted mistake in the Problems panel at its position, a params key in the
// completion widget, "Run stage" clicked on a code lens running `dvc repro -s`, and the
// DAG panel. The DOM half (and the screenshots) is done by the runner
// (test/e2e/pipelineChecks.mjs) when this suite asks.

async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 45000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let asked = 0;
/** Has the runner check the browser; false when no browser runs the suites. */
async function askRunner(title: string, step: string, data: Record<string, unknown>): Promise<boolean> {
  const results = process.env.MLOPS_E2E_RESULTS;
  if (!results || !process.env.MLOPS_E2E_SHOT_READY) return false;
  const n = ++asked;
  const dir = path.dirname(results);
  const done = path.join(dir, `e2e-pipelines-${n}.done`);
  fs.rmSync(done, { force: true });
  fs.writeFileSync(path.join(dir, `e2e-pipelines-${n}.ready`), JSON.stringify({ title, step, ...data }));
  const answer = await waitFor(() => (fs.existsSync(done) ? (JSON.parse(fs.readFileSync(done, 'utf8')) as { ok: boolean; error?: string }) : undefined), `the runner's answer to "${title}"`, 90000);
  assert.ok(answer.ok, `${title}: ${answer.error}`);
  return true;
}

describe('Pipelines in the workbench: Problems, completion, code lens reruns, DAG', function () {
  this.timeout(180000);
  let dir = '';
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async function () {
    const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench')!;
    await (await ext.activate()).languageClientReady();
    if (!fs.existsSync(path.join(folder(), 'dvc.yaml'))) return this.skip();
    // A copy outside the workspace for the planted mistakes: the Pipelines view stays as it is.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-pipelines-'));
    for (const name of ['params.yaml', 'src']) fs.cpSync(path.join(folder(), name), path.join(dir, name), { recursive: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a planted unknown key in the Problems panel at its exact range', async () => {
    const original = fs.readFileSync(path.join(folder(), 'dvc.yaml'), 'utf8');
    const lines = original.split('\n');
    const line = lines.findIndex((l) => /^ {4}deps:$/.test(l));
    assert.ok(line > 0, 'examples/dvc.yaml has a deps: key');
    lines[line] = '    dep:';
    const file = path.join(dir, 'dvc.yaml');
    fs.writeFileSync(file, lines.join('\n'));
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    const diags = await waitFor(() => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'mlops');
      return d.length ? d : undefined;
    }, 'diagnostics for the planted key');
    const unknown = diags.find((d) => d.message.startsWith("Unknown key 'dep'"));
    assert.ok(unknown, JSON.stringify(diags.map((d) => d.message)));
    assert.deepEqual([unknown.range.start.line, unknown.range.start.character, unknown.range.end.line, unknown.range.end.character], [line, 4, line, 7]);
    assert.match(unknown.message, /Did you mean 'deps'\?/);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await askRunner('the Problems panel lists the unknown key at Ln, Col', 'problems', {
      message: "Unknown key 'dep'",
      filter: 'Unknown key',
      position: `[Ln ${line + 1}, Col 5]`,
      shot: 'e2e-pipelines-problems.png',
    });
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it('offers a params key from params.yaml in the completion widget', async () => {
    const text = 'stages:\n  report:\n    cmd: python src/evaluate.py\n    params:\n      - \n';
    // A folder of its own: the planted file above is still open, and outside the workspace
    // VS Code would not reload it from disk.
    fs.mkdirSync(path.join(dir, 'complete'));
    fs.copyFileSync(path.join(dir, 'params.yaml'), path.join(dir, 'complete', 'params.yaml'));
    const file = path.join(dir, 'complete', 'dvc.yaml');
    fs.writeFileSync(file, text);
    const uri = vscode.Uri.file(file);
    const editor = await vscode.window.showTextDocument(uri);
    const pos = new vscode.Position(4, 8);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('train.epochs'), `completion: ${labels.join(', ')}`);
    editor.selection = new vscode.Selection(pos, pos);
    await askRunner('the suggest widget offers train.epochs', 'completion', { label: 'train.epochs', shot: 'e2e-pipelines-completion.png' });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('runs a stage when its "Run stage" code lens is clicked', async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1') return this.skip(); // needs dvc and the ran pipeline
    const uri = vscode.Uri.file(path.join(folder(), 'dvc.yaml'));
    await vscode.window.showTextDocument(uri);
    const lenses = await waitFor(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l?.length ? l : undefined;
    }, 'code lenses on dvc.yaml');
    const runStage = lenses.filter((l) => l.command?.command === 'mlops.runStage').map((l) => l.command!.arguments?.[1]);
    assert.deepEqual(runStage, ['prepare', 'train', 'evaluate']);

    const ended = new Promise<vscode.TaskProcessEndEvent>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type === 'mlops-dvc') {
          sub.dispose();
          resolve(e);
        }
      });
    });
    const editor = vscode.window.activeTextEditor!;
    const line = editor.document.getText().split('\n').indexOf('  evaluate:');
    editor.revealRange(new vscode.Range(line, 0, line + 12, 0), vscode.TextEditorRevealType.InCenter);
    if (!(await askRunner('the "Run stage" code lens of evaluate is clicked', 'codelens', { title: 'Run stage', line: 'evaluate:', shot: 'e2e-pipelines-codelens-click.png' }))) {
      await vscode.commands.executeCommand(lenses[4].command!.command, ...(lenses[4].command!.arguments ?? []));
    }
    const end = await Promise.race([ended, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no mlops-dvc task ended within 120 s')), 120000))]);
    assert.equal(end.execution.task.definition.stage, 'evaluate');
    assert.equal(end.execution.task.definition.single, true);
    assert.equal(end.exitCode, 0);
    await askRunner('the task terminal after the code lens run', 'shot', { shot: 'e2e-pipelines-codelens-ran.png' });
  });

  it('lists stage reruns and MLflow entry points in Run Task', async () => {
    const dvc = await vscode.tasks.fetchTasks({ type: 'mlops-dvc' });
    const names = dvc.map((t) => t.name);
    for (const n of ['Run pipeline', 'Run stage train', 'Run pipeline up to evaluate']) assert.ok(names.includes(n), `${n} not in ${names.join(', ')}`);
    if (fs.existsSync(path.join(folder(), 'MLproject'))) {
      const mlflow = await vscode.tasks.fetchTasks({ type: 'mlops-mlflow' });
      assert.ok(mlflow.some((t) => t.name === 'Run MLflow entry point train'), mlflow.map((t) => t.name).join(', '));
    }
  });

  it('draws the DAG with every stage coloured by state and reveals a clicked stage', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const viewType = await vscode.commands.executeCommand<string>('mlops.showPipelineDag', vscode.Uri.file(path.join(folder(), 'dvc.yaml')));
    assert.equal(viewType, 'mlops.pipelineDag');
    const state = process.env.MLOPS_E2E_EXAMPLE_RAN === '1' ? 'state-ok' : 'state-new';
    const revealed = new Promise<vscode.TextEditor>((resolve) => {
      const sub = vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && path.basename(e.document.uri.fsPath) === 'dvc.yaml') {
          sub.dispose();
          resolve(e);
        }
      });
    });
    const asked = await askRunner('the DAG webview draws prepare → train → evaluate', 'dag', {
      nodes: ['prepare', 'train', 'evaluate'].map((s) => `${s}:${state}`),
      minEdges: 3,
      click: 'train',
      shot: 'e2e-pipelines-dag.png',
    });
    if (!asked) return;
    const editor = await Promise.race([revealed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('clicking train did not reveal dvc.yaml')), 20000))]);
    assert.equal(editor.document.lineAt(editor.selection.start.line).text.trim(), 'train:');
  });
});
