import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runnerAsker } from '../askRunner';
import { waitFor } from '../waitFor';
import type { MlopsApi } from '../../../src/extension/api';

// What a user sees of the pipeline language features and reruns in the real workbench:
// a planted mistake in the Problems panel at its position, a params key in the
// completion widget, "Run stage" clicked on a code lens running `dvc repro -s`, and the
// DAG panel. The DOM half (and the screenshots) is done by the runner
// (test/e2e/pipelineChecks.mjs) when this suite asks.

const WAIT_MS = 45000;

/** Has the runner check the browser (test/e2e/pipelineChecks.mjs); false when no browser runs the suites. */
const askRunner = runnerAsker('pipelines');

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
    }, 'diagnostics for the planted key', WAIT_MS);
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
    }, 'code lenses on dvc.yaml', WAIT_MS);
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
      const evaluate = lenses.find((l) => l.command?.command === 'mlops.runStage' && l.command.arguments?.[1] === 'evaluate')!;
      await vscode.commands.executeCommand(evaluate.command!.command, ...(evaluate.command!.arguments ?? []));
    }
    const end = await Promise.race([ended, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no mlops-dvc task ended within 120 s')), 120000))]);
    assert.equal(end.execution.task.definition.stage, 'evaluate');
    assert.equal(end.execution.task.definition.single, true);
    assert.equal(end.exitCode, 0);
    await askRunner('the task terminal after the code lens run', 'shot', { shot: 'e2e-pipelines-codelens-ran.png' });
  });

  it('runs an MLflow entry point from its "Run with parameters…" code lens, checking the typed values', async function () {
    // mlflow comes from the peers' venv, beside the dvc the sandbox ran with.
    const mlflow = path.join(path.dirname(vscode.workspace.getConfiguration('mlops').get<string>('dvc.path', '')), 'mlflow');
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !fs.existsSync(mlflow) || !fs.existsSync(path.join(folder(), 'MLproject'))) return this.skip();
    // The example's MLproject, copied: the run writes its own mlflow.db there, so the
    // sandbox's store keeps the one run the Runs suite expects.
    const project = path.join(dir, 'mlproject');
    fs.mkdirSync(project);
    for (const f of ['MLproject', 'python_env.yaml', 'metrics.json']) fs.copyFileSync(path.join(folder(), f), path.join(project, f));
    const config = vscode.workspace.getConfiguration('mlops');
    const previous = config.inspect<string>('mlflow.path')?.globalValue;
    await config.update('mlflow.path', mlflow, vscode.ConfigurationTarget.Global);
    try {
      const uri = vscode.Uri.file(path.join(project, 'MLproject'));
      const editor = await vscode.window.showTextDocument(uri);
      const lenses = await waitFor(async () => {
        const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
        return l?.length ? l : undefined;
      }, 'code lenses on MLproject', WAIT_MS);
      assert.deepEqual(
        lenses.map((l) => [l.command?.title, l.command?.command, l.command?.arguments?.[1]]),
        [
          ...['prepare', 'train', 'evaluate', 'report'].map((e) => ['Run entry point', 'mlops.runMlflowEntryPoint', e]),
          ['Run with parameters…', 'mlops.runMlflowEntryPointWithParameters', 'report'],
        ],
      );
      const line = editor.document.getText().split('\n').indexOf('  report:');
      assert.equal(lenses.at(-1)!.range.start.line, line);

      const ended = new Promise<vscode.TaskProcessEndEvent>((resolve) => {
        const sub = vscode.tasks.onDidEndTaskProcess((e) => {
          if (e.execution.task.definition.type === 'mlops-mlflow') {
            sub.dispose();
            resolve(e);
          }
        });
      });
      editor.revealRange(new vscode.Range(line, 0, line + 6, 0), vscode.TextEditorRevealType.InCenter);
      const clicked = await askRunner('the "Run with parameters…" code lens of report is clicked', 'codelens', { title: 'Run with parameters…', line: 'report:', shot: 'e2e-pipelines-mlproject-lens.png' });
      if (clicked) {
        await askRunner('the parameter boxes refuse a float for an int and take the values', 'inputs', {
          inputs: [
            { title: '-P metrics=', value: 'metrics.json' },
            { title: '-P indent=', bad: '2.5', error: 'indent is an int', value: '4' },
          ],
          shot: 'e2e-pipelines-mlproject-inputs.png',
        });
      } else {
        await vscode.commands.executeCommand('mlops.runMlflowEntryPoint', uri, 'report'); // no browser: the defaults, nothing asked
      }
      const end = await Promise.race([ended, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no mlops-mlflow task ended within 150 s')), 150000))]);
      assert.equal(end.execution.task.definition.entryPoint, 'report');
      assert.deepEqual(end.execution.task.definition.parameters, clicked ? { indent: '4' } : {});
      assert.equal(end.exitCode, 0, 'mlflow run -e report failed; see the terminal in the screenshot');
      // MLflow recorded the run with the value it was given: the task really ran it.
      const sql = "select p.value from params p join tags t on t.run_uuid = p.run_uuid where t.key = 'mlflow.project.entryPoint' and t.value = 'report' and p.key = 'indent'";
      const logged = execFileSync(path.join(path.dirname(mlflow), 'python'), ['-c', 'import sqlite3, sys; print([r[0] for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])])', path.join(project, 'mlflow.db'), sql], { encoding: 'utf8' });
      assert.equal(logged.trim(), clicked ? "['4']" : "['2']");
      await askRunner('the task terminal shows the report', 'shot', { shot: 'e2e-pipelines-mlproject-ran.png' });
    } finally {
      await config.update('mlflow.path', previous, vscode.ConfigurationTarget.Global);
    }
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
