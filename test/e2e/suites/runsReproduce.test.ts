import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runnerAsker } from '../askRunner';
import { waitFor } from '../waitFor';
import type { MlopsApi } from '../../../src/extension/api';
import type { RunsTreeProvider } from '../../../src/extension/runs/runsTree';

// Reproduce Run as a user walks it, on the example project after its pipeline ran
// (test/e2e/exampleSandbox.mjs): Run Stage train from a dirty tree with the experiment
// named (mlops.provenance.mlflowExperiment), so the launcher makes the MLflow run first and
// records what made it; then MLOps: Reproduce Run with no run given (as from the palette:
// its QuickPick), the report opened as a panel (screenshot), the two runs in Compare Runs
// (its Provenance section), and Clean Up Reproductions… (asked first: Cancel keeps it,
// Remove removes our worktree). The example's run records no image (it ran on this
// machine), so there is no host to pick: the in-image host pick runs against real engines
// in test/integration/provenance/reproduceImage.test.ts and reproduceRemote.test.ts.
// The answers in the browser are the runner's (test/e2e/reproduceChecks.mjs).

const EXPERIMENT = 'examples-classifier';

describe('Reproduce Run in code-server: a stage run from the workbench, reproduced, reported, cleaned up', function () {
  this.timeout(900000);
  const ask = runnerAsker('reproduce', 300000);
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  let runs: RunsTreeProvider;
  // What the suite changes in the sandbox, put back after so later suites see the pipeline
  // as it was (runs.test.ts, before this file, counts one MLflow run and every stage up to
  // date; the runs made here stay, the files the train stage rewrote are put back).
  let saved = '';
  let statusBefore = '';
  const KEPT = ['src/train.py', 'dvc.lock', 'metrics.json', 'dvclive', 'models/model.pkl'];
  let committed = false;
  let restored = false;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: folder(), encoding: 'utf8' }).trim();

  before(async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !process.env.MLOPS_E2E_STUB_PYTHON) return this.skip(); // needs the ran example and its MLflow
    if (!process.env.MLOPS_E2E_SHOT_READY) return this.skip(); // no browser to answer the dialogs
    const api = await vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench')!.activate();
    runs = api.views.runs as unknown as RunsTreeProvider;
    saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-reproduce-')), 'saved');
    statusBefore = dvcStatus();
    for (const rel of KEPT) fs.cpSync(path.join(folder(), rel), path.join(saved, rel), { recursive: true });
    // As a DVC user keeps it: dvc.lock committed with the code after the pipeline ran (the
    // sandbox commits the project before its first `dvc repro`), so the reproduction can
    // check the data versions out. Undone after (the branch back where it was).
    git('add', 'dvc.lock', '.gitignore', 'data', 'models', 'dvclive', 'metrics.json');
    git('commit', '-q', '-m', 'E2E reproduce: the pipeline as it ran');
    committed = true;
  });

  /** The branch back where it was, and the files as they were. */
  function restore() {
    if (restored) return;
    restored = true;
    if (committed) git('reset', '-q', 'HEAD~1');
    for (const rel of KEPT) {
      fs.rmSync(path.join(folder(), rel), { recursive: true, force: true });
      fs.cpSync(path.join(saved, rel), path.join(folder(), rel), { recursive: true });
    }
    fs.rmSync(path.dirname(saved), { recursive: true, force: true });
  }

  after(async () => {
    if (existsSaved()) restore();
    await vscode.workspace.getConfiguration('mlops').update('provenance.mlflowExperiment', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const existsSaved = () => !!saved && fs.existsSync(saved);
  const dvcStatus = () =>
    execFileSync(path.join(path.dirname(process.env.MLOPS_E2E_STUB_PYTHON!), 'dvc'), ['status'], { cwd: folder(), encoding: 'utf8', env: { ...process.env, DVC_NO_ANALYTICS: '1' } });

  /** The Runs view's MLflow run that `match` picks, once the view lists it (file watcher on mlflow.db). */
  const listedRun = (what: string, match: (tags: Record<string, string>) => boolean, ms = 120000) =>
    waitFor(
      () => {
        const found = runs.allRuns().filter((r) => r.sourceLabel.startsWith('MLflow') && match(r.run.tags));
        return found.length === 1 ? found[0] : undefined;
      },
      what,
      ms,
    );

  it('runs train from a dirty tree, reproduces it within tolerance from the palette, shows the report and the provenance, and cleans up after asking', async () => {
    const before = new Set(runs.allRuns().map((r) => r.ref.runId));
    await vscode.workspace.getConfiguration('mlops').update('provenance.mlflowExperiment', EXPERIMENT, vscode.ConfigurationTarget.Workspace);
    // A change the patch carries (and DVC sees: train is changed, so `dvc repro -s train` runs it).
    fs.appendFileSync(path.join(folder(), 'src/train.py'), '\n# edited before the E2E reproduce run\n');

    const ended = new Promise<number | undefined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the train stage task did not end within 5 min (did it start?)')), 300000);
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type !== 'mlops-dvc') return;
        sub.dispose();
        clearTimeout(timer);
        resolve(e.exitCode);
      });
    });
    await vscode.commands.executeCommand('mlops.runStage', vscode.Uri.file(path.join(folder(), 'dvc.yaml')), 'train');
    assert.equal(await ended, 0, 'dvc repro -s train failed; see the task output in the E2E logs');

    // The run the launcher made first, ended and recorded (mlops.exitCode comes with the end).
    const original = await listedRun('the train run made first, with its provenance', (t) => t['mlops.launcher'] === 'dvc-repro' && t['mlops.exitCode'] === '0' && !t['mlops.reproducedFrom']);
    assert.ok(!before.has(original.ref.runId), 'the run is a new one');
    assert.equal(original.run.tags['mlflow.source.git.commit'], execFileSync('git', ['rev-parse', 'HEAD'], { cwd: folder(), encoding: 'utf8' }).trim());
    // The edit is in the recorded changes (beside any an earlier suite left, e.g. reruns' src/evaluate.py).
    assert.ok(Object.keys(JSON.parse(original.run.tags['mlops.code.files'] ?? '{}') as object).includes('src/train.py'), original.run.tags['mlops.code.files']);
    assert.ok(Number(original.run.metrics.test_accuracy?.value) > 0.5, JSON.stringify(original.run.metrics.test_accuracy));

    // MLOps: Reproduce Run with no run: its QuickPick, answered in the browser.
    const reproducing = vscode.commands.executeCommand<string | undefined>('mlops.runs.reproduce');
    await ask(`Reproduce Run: the user picks the train run ${original.ref.runId}`, 'pick', { placeholder: 'Run to reproduce', text: original.ref.runId, rowIncludes: original.ref.runId });
    const reportPath = await reproducing;
    assert.ok(reportPath, 'Reproduce Run returned no report (see the MLOps log)');
    const report = fs.readFileSync(reportPath, 'utf8');
    assert.match(report, /\*\*reproduced within tolerance\*\*/, report);
    for (const aspect of ['code', 'data', 'params']) assert.match(report, new RegExp(`\\| ${aspect} \\| ✓ \\| same \\|`), report);
    assert.match(report, /\| test_accuracy \| [\d.]+ \| [\d.]+ \| 0 \|/, report);
    await ask('the reproducibility report opens as a panel: reproduced within tolerance, code, data and params identical (docs/screenshots/reproduce-report.png)', 'report', {
      expect: ['Reproducibility report', 'reproduced within tolerance', 'test_accuracy', 'code', 'data', 'params'],
      shot: 'docs/screenshots/reproduce-report.png',
      repo: process.env.MLOPS_E2E_REPO,
    });

    // The new run, linked to the original, in the Runs view; the two side by side in Compare Runs.
    const again = await listedRun('the reproduction run', (t) => t['mlops.reproducedFrom'] === original.ref.runId && !!t['mlops.reproduce.verdict']);
    assert.equal(again.run.tags['mlops.reproduce.verdict'], 'reproduced within tolerance');
    const compare = await vscode.commands.executeCommand<{ whenReady(): Promise<void>; panel: vscode.WebviewPanel }>('mlops.compareRuns', [original.ref, again.ref]);
    assert.ok(compare, 'Compare Runs opened no panel');
    await compare.whenReady();
    await ask('Compare Runs shows the Provenance section: code, data and params the same', 'provenance', { expect: ['Provenance', 'code', 'same'] });
    compare.panel.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // Clean Up Reproductions…: asked first (Cancel keeps the worktree), then removed.
    const worktree = path.dirname(reportPath);
    const name = path.basename(worktree);
    const worktrees = () => execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: folder(), encoding: 'utf8' });
    assert.ok(worktrees().includes(worktree), 'the reproduction is a git worktree of the project');
    const cancelled = vscode.commands.executeCommand<number>('mlops.runs.cleanupReproductions');
    await ask('Clean Up Reproductions…: the user keeps the picked reproduction and cancels the question', 'cleanup', { placeholder: 'Reproductions to remove', rowIncludes: name, dialog: 'Remove 1 reproduction?', button: 'Cancel' });
    assert.equal(await cancelled, 0);
    assert.ok(fs.existsSync(worktree), 'Cancel left the worktree');
    const cleaning = vscode.commands.executeCommand<number>('mlops.runs.cleanupReproductions');
    await ask('Clean Up Reproductions…: the user confirms Remove', 'cleanup', { placeholder: 'Reproductions to remove', rowIncludes: name, dialog: 'Remove 1 reproduction?', button: 'Remove' });
    assert.equal(await cleaning, 1);
    assert.equal(fs.existsSync(worktree), false, 'the worktree folder is gone');
    assert.ok(!worktrees().includes(worktree), 'git no longer lists the worktree');

    // Put back, DVC finds the sandbox's pipeline as it was before the suite.
    restore();
    assert.equal(dvcStatus(), statusBefore);
  });
});
