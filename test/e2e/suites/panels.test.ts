import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { runnerAsker } from '../askRunner';
import { waitFor } from '../waitFor';
import type { MlopsApi } from '../../../src/extension/api';
import type { ComparePanel } from '../../../src/extension/panels/comparePanel';
import type { MetricsPanel } from '../../../src/extension/panels/metricsPanel';
import type { RunRef } from '../../../src/extension/runs/runsModel';
import type { RunsNode, RunsTreeProvider } from '../../../src/extension/runs/runsTree';

// The metric-chart and comparison panels on three runs that MLflow's own client wrote
// (test/e2e/panels/log_runs.py) into a file store inside the example project, one of them
// still RUNNING. The browser half of each check (canvases painted, legend, diff-only,
// screenshots) is done by the runner (test/e2e/panelChecks.mjs) when this suite asks.
// What a webview holds (a chart's points, the virtualised table's rows) the suite asks the
// panel itself: `probe()` posts a test-only message that the webview answers (MLOPS_E2E=1).

const run = promisify(execFile);
const NAMES = ['baseline', 'wide', 'live'];

async function tree(): Promise<RunsTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.runs as unknown as RunsTreeProvider;
}

/** The tree nodes of `refs`, in that order. */
async function runNodes(t: RunsTreeProvider, refs: RunRef[]): Promise<RunsNode[]> {
  const out: RunsNode[] = [];
  const walk = async (node?: RunsNode): Promise<void> => {
    for (const child of await t.getChildren(node)) {
      if (child.kind === 'run') out.push(child);
      else await walk(child);
    }
  };
  await walk();
  return refs.map((r) => {
    const n = out.find((o) => o.kind === 'run' && o.state.id === r.sourceId && o.run.id === r.runId);
    assert.ok(n, `run ${r.runId} is not in the Runs view`);
    return n;
  });
}

/** Polls `read` until it gives `want` (deep-equal); the error names what it gave last. */
async function untilEqual<T>(read: () => Promise<T>, want: T, what: string, timeoutMs?: number): Promise<void> {
  let last: T | undefined;
  await waitFor(
    async () => {
      last = await read();
      return JSON.stringify(last) === JSON.stringify(want);
    },
    what,
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last seen: ${JSON.stringify(last)})`);
  });
}

/** Has the runner check the browser (test/e2e/panelChecks.mjs); false when no browser runs the suites. */
const askRunner = runnerAsker('panels');

async function setTheme(name: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', name, vscode.ConfigurationTarget.Global);
}

describe('Metric charts and run comparison panels', function () {
  this.timeout(180000);
  const repo = process.env.MLOPS_E2E_REPO ?? '';
  const python = path.join(repo, '.venv-peers', 'bin', 'python');
  const script = path.join(repo, 'test', 'e2e', 'panels', 'log_runs.py');
  let store = '';
  let ids: Record<string, string> = {};
  let refs: RunRef[] = [];
  let metrics: MetricsPanel | undefined;
  let compare: ComparePanel | undefined;

  before(async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !fs.existsSync(python)) return this.skip(); // no peers' venv to write real runs with
    // The runner checks the Runs view's first rows before it answers: new runs must not push them away first.
    await askRunner('the runner is ready for the panel checks', 'hello', {});
    store = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'e2e-panels', 'mlruns');
    const { stdout } = await run(python, [script, 'create', store], { timeout: 90000 });
    ids = (JSON.parse(stdout.trim().split('\n').pop()!) as { runs: Record<string, string> }).runs;
    const t = await tree();
    const sourceId = `mlflow-file:${store}`;
    refs = NAMES.map((n) => ({ sourceId, runId: ids[n] }));
    await waitFor(async () => {
      await t.refresh({ rediscover: true });
      return refs.every((r) => !('error' in t.lookup(r)));
    }, 'the Runs view to list the three runs of e2e-panels/mlruns');
  });

  after(async () => {
    const t = await tree();
    const nodes = await runNodes(t, refs).catch(() => []);
    if (nodes.length) await t.applyCheckboxes(nodes.map((n) => [n, vscode.TreeItemCheckboxState.Unchecked] as const));
    metrics?.panel.dispose();
    compare?.panel.dispose();
    await setTheme(undefined);
    if (store) {
      fs.rmSync(path.dirname(store), { recursive: true, force: true });
      await (await tree()).refresh({ rediscover: true });
    }
  });

  it('opens the metrics panel for the three runs checked in the Runs view, each in its own colour (dark theme)', async () => {
    await setTheme('Default Dark Modern');
    const t = await tree();
    const nodes = await runNodes(t, refs);
    await t.applyCheckboxes(nodes.map((n) => [n, vscode.TreeItemCheckboxState.Checked] as const));
    const icons = nodes.map((n) => String((t.getTreeItem(n).iconPath as vscode.Uri | undefined)?.path ?? ''));
    for (const i of icons) assert.match(i, /\/media\/run-colors\/\d\.svg$/);
    assert.equal(new Set(icons).size, 3, `the checked runs share colours: ${icons.join(', ')}`);
    // No argument: the command takes the runs checked in the view.
    metrics = await vscode.commands.executeCommand<MetricsPanel>('mlops.openMetrics');
    assert.ok(metrics, 'mlops.openMetrics opened no panel');
    await metrics.whenReady();
    assert.equal(metrics.runKeys.length, 3);
    assert.deepEqual(metrics.metricNames, ['accuracy', 'loss']);
    // Posted after every series: the webview answers once it holds them all.
    const held = (await metrics.probe()).charts.map((c) => ({ metric: c.metric, runs: c.series.filter((s) => s.points > 0).map((s) => s.name) }));
    assert.deepEqual(held, [
      { metric: 'accuracy', runs: NAMES },
      { metric: 'loss', runs: NAMES },
    ]);
    await askRunner('the metrics panel drew a chart per metric and lists the three runs (dark)', 'metrics', {
      runs: NAMES,
      metrics: ['accuracy', 'loss'],
      themeClass: 'vscode-dark',
      shot: 'e2e-metrics-dark.png',
    });
  });

  it('redraws the charts in the light theme', async () => {
    await setTheme('Default Light Modern');
    await askRunner('the metrics panel redrew in the light theme', 'metrics', {
      runs: NAMES,
      metrics: ['accuracy', 'loss'],
      themeClass: 'vscode-light',
      shot: 'e2e-metrics-light.png',
    });
  });

  it('redraws the charts in the high contrast theme', async () => {
    await setTheme('Default High Contrast');
    await askRunner('the metrics panel redrew in the high contrast theme', 'metrics', {
      runs: NAMES,
      metrics: ['accuracy', 'loss'],
      themeClass: 'vscode-high-contrast',
      shot: 'e2e-metrics-hc.png',
    });
  });

  it('appends a point logged to the running run, without re-sending the series', async () => {
    assert.ok(metrics);
    const live = refs[2];
    const t = await tree();
    await run(python, [script, 'log', store, live.runId, '60', '0.0123'], { timeout: 60000 });
    // Through the file watcher, as in use: on a loaded machine code-server's watcher can take a while.
    await waitFor(() => {
      const f = t.lookup(live);
      return !('error' in f) && f.run.metrics.loss?.step === 60;
    }, 'the Runs view to read the new point (file watcher)', 90000);
    const panel = metrics;
    const lastStep = async () => (await panel.probe()).charts.find((c) => c.metric === 'loss')?.series.find((s) => s.name === 'live')?.lastStep;
    await untilEqual(lastStep, 60, 'step 60 of loss at the end of the live run in the webview', 60000);
  });

  it('compares the runs: info, params (diff-only leaves lr and optimizer), metrics with the best marked', async () => {
    metrics?.panel.dispose();
    metrics = undefined;
    compare = await vscode.commands.executeCommand<ComparePanel>('mlops.compareRuns', refs);
    assert.ok(compare);
    await compare.whenReady();
    const runs = compare.compared;
    assert.deepEqual(runs.map((r) => r.name), NAMES);
    const base = runs[0];
    assert.equal(base.commit, '111111111111');
    assert.ok(base.metrics.loss.min <= base.metrics.loss.last && base.metrics.loss.max >= base.metrics.loss.last);
    assert.equal(runs[2].status, 'RUNNING');
    // The metrics tests left the high contrast theme on: the first comparison screenshot is the light one.
    await setTheme('Default Light Modern');
    const panel = compare;
    const params = async () => (await panel.probe()).params;
    await untilEqual(params, ['epochs', 'lr', 'optimizer', 'seed'], "the comparison table's params");
    if (await askRunner('the comparison table has a column per run; the user ticks "Only params that differ"', 'compare-diff-only', { runs: NAMES })) {
      await untilEqual(params, ['lr', 'optimizer'], "the comparison table's params with diff-only");
      await askRunner('the comparison panel with diff-only (light)', 'shot', { app: 'compare', themeClass: 'vscode-light', shot: 'e2e-compare-light.png' });
    }
    await setTheme('Default Dark Modern');
    await askRunner('the comparison panel in the dark theme', 'shot', { app: 'compare', themeClass: 'vscode-dark', shot: 'e2e-compare-dark.png' });
    await askRunner('the comparison panel drew its parallel coordinates, scatter and overlaid charts', 'compare-charts', { shot: 'e2e-compare-charts-dark.png' });
    await setTheme('Default High Contrast');
    await askRunner('the comparison panel in the high contrast theme', 'shot', { app: 'compare', themeClass: 'vscode-high-contrast', shot: 'e2e-compare-hc.png' });
    await askRunner('the comparison charts in the high contrast theme', 'compare-charts', { shot: 'e2e-compare-charts-hc.png' });
  });
});
