import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import type { RunRef } from '../../../src/extension/runs/runsModel';
import type { RunNode, RunsNode, RunsTreeProvider } from '../../../src/extension/runs/runsTree';

// The Runs view on the example project after `dvc repro` ran it for real (test/e2e/
// exampleSandbox.mjs): train.py logged one run to mlflow.db and to dvclive/. The sandbox is
// a git + DVC repository, so dvclive/ shows as the workspace of its DVC experiments.

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

  it('lists the DVC project as DVC experiments: its HEAD commit and the workspace with DVCLive metrics, no separate DVCLive store', async () => {
    // Earlier suites re-ran stages (DVC deletes a stage's outputs before running it): read
    // the stores once more so this checks the listing of the project as it is now.
    await vscode.commands.executeCommand('mlops.refreshRuns');
    const t = await tree();
    const sources = await children(t);
    assert.ok(!sources.some((s) => label(s.item) === 'DVCLive'), 'dvclive/ inside the DVC project is not listed twice');
    const dvc = sources.find((s) => label(s.item) === 'DVC experiments');
    assert.ok(dvc, JSON.stringify(sources.map((s) => label(s.item))));
    assert.match(String(dvc.item.description), /· 2 runs$/);
    const [baseline] = await children(t, dvc.node);
    assert.match(label(baseline.item), /^main \([0-9a-f]{7}\)$/);
    const runs = await children(t, baseline.node);
    assert.deepEqual(runs.map((r) => label(r.item)).sort(), ['main', 'workspace']);
    const ws = runs.find((r) => label(r.item) === 'workspace')!;
    // The key metric is the first by name across both metrics files: evaluate's `accuracy`.
    assert.match(String(ws.item.description), /^accuracy=0\.\d+$/);
    const tooltip = (ws.item.tooltip as vscode.MarkdownString).value;
    for (const key of ['train\\.epochs', 'test\\_accuracy', 'roc\\_auc']) assert.ok(tooltip.includes(key), `${key} in ${tooltip}`);
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

  it('follows a new DVCLive metric in the DVC workspace through the file watcher, without a manual refresh', async () => {
    const t = await tree();
    const metricsFile = path.join(folder(), 'dvclive', 'metrics.json');
    const original = fs.readFileSync(metricsFile, 'utf8');
    const changed = new Promise<void>((resolve) => {
      const sub = t.onDidChangeTreeData(() => (sub.dispose(), resolve()));
    });
    try {
      fs.writeFileSync(metricsFile, JSON.stringify({ ...JSON.parse(original), aaa_e2e: 0.5 }));
      await changed;
      const dvc = (await children(t)).find((s) => label(s.item) === 'DVC experiments')!;
      const [baseline] = await children(t, dvc.node);
      const run = (await children(t, baseline.node)).find((r) => label(r.item) === 'workspace')!;
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
      assert.ok(sources.some((s) => label(s.item) === 'DVC experiments'));
    } finally {
      fs.rmSync(path.dirname(bad), { recursive: true, force: true });
      await t.refresh({ rediscover: true });
    }
    assert.ok(!(await children(t)).some((s) => s.item.id === `mlflow-sqlite:${bad}`));
  });

  it('filters by status and metric, sorts and groups by a param, and says so in the source line', async () => {
    const t = await tree();
    const mlflowSource = async () => (await children(t)).find((s) => label(s.item) === 'MLflow')!;
    try {
      await vscode.commands.executeCommand('mlops.filterRuns', [{ kind: 'status', statuses: ['FAILED'] }]);
      let mlflow = await mlflowSource();
      assert.match(String(mlflow.item.description), /^mlflow\.db · 0 of 1 run$/);
      assert.deepEqual(await children(t, mlflow.node), []);
      await vscode.commands.executeCommand('mlops.filterRuns', [{ kind: 'metric', key: 'test_accuracy', op: '>', value: '0' }, { kind: 'status', statuses: ['FINISHED'] }]);
      mlflow = await mlflowSource();
      assert.match(String(mlflow.item.description), /^mlflow\.db · 1 run$/);
      await vscode.commands.executeCommand('mlops.sortRuns', { by: 'metric:test_accuracy', descending: false });
      await vscode.commands.executeCommand('mlops.groupRuns', 'param:alpha');
      const groups = await children(t, (await mlflowSource()).node);
      assert.equal(groups.length, 1);
      assert.match(label(groups[0].item), /^alpha = \S+$/);
      assert.equal(groups[0].item.contextValue, 'mlopsRunGroup');
      const runs = await children(t, groups[0].node);
      assert.equal(runs.length, 1);
      assert.equal((runs[0].node as RunNode).run.status, 'FINISHED');
    } finally {
      await vscode.commands.executeCommand('mlops.filterRuns', []);
      await vscode.commands.executeCommand('mlops.sortRuns', { by: 'start', descending: true });
      await vscode.commands.executeCommand('mlops.groupRuns', 'experiment');
    }
    const [exp] = await children(t, (await mlflowSource()).node);
    assert.equal(label(exp.item), 'examples-classifier');
  });

  it('lists a tracking server set in mlops.mlflow.trackingUri and follows it by polling while the view is visible', async function () {
    // A stand-in for the server's REST answers: what is checked here is the view's wiring
    // (setting, source, polling); the REST reader itself is checked against a real
    // `mlflow server` in test/integration/runs/mlflowRest.test.ts.
    const http = await import('node:http');
    const restRuns = [{ info: { run_id: 'r1', run_name: 'remote-1', experiment_id: '7', status: 'RUNNING', start_time: Date.now() }, data: { metrics: [{ key: 'loss', value: 0.5, step: 1, timestamp: 1 }], params: [{ key: 'lr', value: '0.1' }] } }];
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url!.includes('experiments/search') ? { experiments: [{ experiment_id: '7', name: 'remote' }] } : { runs: restRuns }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const cfg = () => vscode.workspace.getConfiguration('mlops.mlflow');
    const t = await tree();
    const serverSource = async () => (await children(t)).find((s) => label(s.item) === 'MLflow server');
    const until = async (what: string, cond: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 30_000; !(await cond()); await new Promise((r) => setTimeout(r, 250))) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    };
    try {
      await cfg().update('pollIntervalSeconds', 2, vscode.ConfigurationTarget.Workspace);
      // machine scope: only the user's own settings can name a server.
      await cfg().update('trackingUri', url, vscode.ConfigurationTarget.Global);
      await until('the server source', async () => !!(await serverSource()));
      const src = (await serverSource())!;
      assert.equal(src.item.description, `${url} · 1 run`);
      const [exp] = await children(t, src.node);
      assert.deepEqual([label(exp.item), exp.item.contextValue], ['remote', 'mlopsExperiment.server']);
      const [run] = await children(t, exp.node);
      assert.deepEqual([label(run.item), run.item.contextValue], ['remote-1', 'mlopsRun.server']);
      assert.match(String(run.item.description), /^loss=0\.5/);
      // A new run on the server shows without a refresh: the visible view polls.
      restRuns.push({ info: { run_id: 'r2', run_name: 'remote-2', experiment_id: '7', status: 'FINISHED', start_time: Date.now() }, data: { metrics: [{ key: 'loss', value: 0.25, step: 1, timestamp: 1 }], params: [] } });
      await until('the polled second run', async () => String((await serverSource())?.item.description).endsWith('· 2 runs'));
    } finally {
      await cfg().update('trackingUri', undefined, vscode.ConfigurationTarget.Global);
      await cfg().update('pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Workspace);
      server.close();
    }
    await until('the server source to go', async () => !(await serverSource()));
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
