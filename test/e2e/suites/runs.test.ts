import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import type { RunRef } from '../../../src/extension/runs/runsModel';
import type { RunNode, RunsNode, RunsTreeProvider } from '../../../src/extension/runs/runsTree';

// The Runs view on the example project after `dvc repro` ran it for real (test/e2e/
// exampleSandbox.mjs): train.py logged one run to mlflow.db and to dvclive/.

async function tree(): Promise<RunsTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.runs as unknown as RunsTreeProvider;
}

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

async function children(t: RunsTreeProvider, node?: RunsNode): Promise<{ node: RunsNode; item: vscode.TreeItem }[]> {
  return (await t.getChildren(node)).map((n) => ({ node: n, item: t.getTreeItem(n) }));
}

describe('Runs view on the example project after its pipeline ran', function () {
  this.timeout(60000);
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1') return this.skip(); // no peers' venv: the runner checks the welcome text instead
  });

  it('lists the MLflow store → examples-classifier → one finished run with its key metric', async () => {
    const t = await tree();
    const sources = await children(t);
    const mlflow = sources.find((s) => label(s.item) === 'MLflow');
    assert.ok(mlflow, `no MLflow source: ${JSON.stringify(sources.map((s) => [label(s.item), s.item.description]))}`);
    assert.match(String(mlflow.item.description), /^mlflow\.db · 1 run$/);
    const exps = await children(t, mlflow.node);
    assert.deepEqual(exps.map((e) => label(e.item)), ['examples-classifier']);
    const runs = await children(t, exps[0].node);
    assert.equal(runs.length, 1);
    const { item, node } = runs[0];
    const run = (node as RunNode).run;
    assert.equal(run.status, 'FINISHED');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.equal(item.contextValue, 'mlopsRun');
    // The key metric by default is the first by name: test_accuracy among test_/train_ accuracy and loss.
    assert.match(String(item.description), /^test_accuracy=0\.\d+ · .+ · .+$/);
    const tooltip = (item.tooltip as vscode.MarkdownString).value;
    for (const p of ['epochs', 'alpha']) assert.match(tooltip, new RegExp(`\\| [^|]*${p} \\|`), tooltip);
    assert.match(tooltip, /\| test\\_accuracy \| 0\\\.\d+ \(step \d+\) \|/);
    assert.equal(item.checkboxState && typeof item.checkboxState === 'object' ? item.checkboxState.state : item.checkboxState, vscode.TreeItemCheckboxState.Unchecked);
  });

  it('lists the DVCLive output as a source with its run and metrics', async () => {
    const t = await tree();
    const dvclive = (await children(t)).find((s) => label(s.item) === 'DVCLive');
    assert.ok(dvclive);
    assert.match(String(dvclive.item.description), /^dvclive · 1 run$/);
    const runs = await children(t, dvclive.node);
    assert.deepEqual(runs.map((r) => label(r.item)), ['workspace']);
    assert.match(String(runs[0].item.description), /test_accuracy=0\.\d+/);
  });

  it('keeps the runs checked for comparison and answers them from mlops.getSelectedRuns', async () => {
    const t = await tree();
    const mlflow = (await children(t)).find((s) => label(s.item) === 'MLflow')!;
    const [exp] = await children(t, mlflow.node);
    const [run] = await children(t, exp.node);
    await t.applyCheckboxes([[run.node, vscode.TreeItemCheckboxState.Checked]]);
    const selected = await vscode.commands.executeCommand<RunRef[]>('mlops.getSelectedRuns');
    assert.deepEqual(selected, [{ sourceId: `mlflow-sqlite:${path.join(folder(), 'mlflow.db')}`, runId: (run.node as RunNode).run.id }]);
    const again = t.getTreeItem(run.node);
    assert.equal(typeof again.checkboxState === 'object' ? again.checkboxState.state : again.checkboxState, vscode.TreeItemCheckboxState.Checked);
    await t.applyCheckboxes([[run.node, vscode.TreeItemCheckboxState.Unchecked]]);
    assert.deepEqual(await vscode.commands.executeCommand('mlops.getSelectedRuns'), []);
  });

  it('copies a run id to the clipboard', async () => {
    const t = await tree();
    const mlflow = (await children(t)).find((s) => label(s.item) === 'MLflow')!;
    const [exp] = await children(t, mlflow.node);
    const [run] = await children(t, exp.node);
    const copied = await vscode.commands.executeCommand<string>('mlops.copyRunId', run.node);
    assert.equal(copied, (run.node as RunNode).run.id);
    assert.equal(await vscode.env.clipboard.readText(), copied);
  });

  it('follows a new DVCLive metric through the file watcher, without a manual refresh', async () => {
    const t = await tree();
    const metricsFile = path.join(folder(), 'dvclive', 'metrics.json');
    const original = fs.readFileSync(metricsFile, 'utf8');
    const changed = new Promise<void>((resolve) => {
      const sub = t.onDidChangeTreeData(() => (sub.dispose(), resolve()));
    });
    try {
      fs.writeFileSync(metricsFile, JSON.stringify({ ...JSON.parse(original), aaa_e2e: 0.5 }));
      await changed;
      const dvclive = (await children(t)).find((s) => label(s.item) === 'DVCLive')!;
      const [run] = await children(t, dvclive.node);
      // aaa_e2e sorts first, so it becomes the key metric.
      assert.match(String(run.item.description), /^aaa_e2e=0\.5$/);
    } finally {
      fs.writeFileSync(metricsFile, original);
      await t.refresh();
    }
  });

  it('shows a store that cannot be read as an error item, and the others still', async () => {
    const t = await tree();
    const bad = path.join(folder(), 'broken', 'mlflow.db');
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    fs.writeFileSync(bad, 'this is not an SQLite database');
    try {
      await t.refresh({ rediscover: true });
      const sources = await children(t);
      const broken = sources.find((s) => s.item.id === `mlflow-sqlite:${bad}`);
      assert.ok(broken, JSON.stringify(sources.map((s) => s.item.id)));
      assert.equal((broken.item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.match(String(broken.item.description), /broken\/mlflow\.db — .+/);
      assert.ok(sources.some((s) => label(s.item) === 'DVCLive'));
    } finally {
      fs.rmSync(path.dirname(bad), { recursive: true, force: true });
      await t.refresh({ rediscover: true });
    }
    assert.ok(!(await children(t)).some((s) => s.item.id === `mlflow-sqlite:${bad}`));
  });

  it('marks every stage of the Pipelines view up to date after dvc repro', async () => {
    const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench')!;
    const p = (await ext.activate()).views.pipelines;
    const stages = (await p.getChildren()) ?? [];
    const items = await Promise.all(stages.map((s) => p.getTreeItem(s)));
    assert.deepEqual(
      items.map((i) => `${label(i)}: ${String(i.description).split(' · ')[0]}`),
      ['prepare: up to date', 'train: up to date', 'evaluate: up to date'],
    );
  });
});
