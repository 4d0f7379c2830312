import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { runnerAsker } from '../askRunner';
import { waitFor } from '../waitFor';
import type { MlopsApi } from '../../../src/extension/api';
import type { ExperimentsPanel } from '../../../src/extension/experiments/experimentsPanel';
import type { MetricsPanel } from '../../../src/extension/panels/metricsPanel';
import type { RunsTreeProvider } from '../../../src/extension/runs/runsTree';
import type { TableProbe } from '../../../src/protocol/experimentsTable';

// Nested runs as expandable rows of the experiments table, and "average the group" in the
// metric charts, on real runs MLflow's fluent API wrote (test/e2e/panels/log_nested.py: a
// parent `sweep` with four nested children, lr 0.1 / 0.01 × seeds 1 / 2). The user's part
// (the disclosure triangle, the Average by select, the screenshots) is done in the browser
// by test/e2e/queueChecks.mjs (topic `nested`); what the table holds, the panel's probe says.

const run = promisify(execFile);
const CHILDREN = ['lr0.1-s1', 'lr0.1-s2', 'lr0.01-s1', 'lr0.01-s2'];
const askRunner = runnerAsker('nested');

async function tree(): Promise<RunsTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.runs as unknown as RunsTreeProvider;
}

async function untilProbe(table: ExperimentsPanel, ok: (p: TableProbe) => boolean, what: string): Promise<TableProbe> {
  let last: TableProbe | undefined;
  await waitFor(async () => ok((last = await table.probe())), what).catch((err: Error) => {
    throw new Error(`${err.message} (last probe: ${JSON.stringify(last)})`);
  });
  return last!;
}

describe('Experiments lifecycle: nested runs and group means', function () {
  this.timeout(300000);
  const repo = process.env.MLOPS_E2E_REPO ?? '';
  const python = path.join(repo, '.venv-peers', 'bin', 'python');
  let store = '';
  let ids: Record<string, string> = {};
  let table: ExperimentsPanel | undefined;
  let metrics: MetricsPanel | undefined;

  before(async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !fs.existsSync(python)) return this.skip(); // no peers' venv to write real runs with
    if (!(await askRunner('the runner is ready for the nested checks', 'hello', {}))) return this.skip();
    store = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'e2e-nested', 'mlruns');
    const { stdout } = await run(python, [path.join(repo, 'test', 'e2e', 'panels', 'log_nested.py'), store], { timeout: 120000 });
    ids = (JSON.parse(stdout.trim().split('\n').pop()!) as { runs: Record<string, string> }).runs;
    const t = await tree();
    const sourceId = `mlflow-file:${store}`;
    await waitFor(async () => {
      await t.refresh({ rediscover: true });
      return Object.values(ids).every((id) => !('error' in t.lookup({ sourceId, runId: id })));
    }, 'the Runs view to list the five runs of e2e-nested/mlruns');
  });

  after(async () => {
    table?.dispose();
    metrics?.panel.dispose();
    if (store) {
      fs.rmSync(path.dirname(store), { recursive: true, force: true });
      await (await tree()).refresh({ rediscover: true });
    }
  });

  it('shows the parent folded with a triangle; a click unfolds its children, indented under it', async () => {
    table = await vscode.commands.executeCommand<ExperimentsPanel>('mlops.openExperimentsTable');
    assert.ok(table);
    await table.whenReady();
    const folded = await untilProbe(table, (q) => q.drawn.includes('▸sweep'), 'the folded parent row');
    for (const c of CHILDREN) assert.ok(!folded.drawn.includes(c), `${c} shows under a folded parent`);
    await askRunner('the user clicks the triangle of sweep', 'twisty', { name: 'sweep' });
    const open = await untilProbe(table, (q) => q.drawn.includes('▾sweep'), 'the unfolded parent row');
    const at = open.drawn.indexOf('▾sweep');
    // Newest first (the default sort), within the parent: the children follow it, last logged first.
    assert.deepEqual(open.drawn.slice(at + 1, at + 5), [...CHILDREN].reverse());
    await askRunner('the table with the nested runs unfolded (dark)', 'table-shot', { shot: 'e2e-experiments-nested.png' });
  });

  it('averages the runs grouped by lr: a mean line and a ±std band per group', async () => {
    const sourceId = `mlflow-file:${store}`;
    metrics = await vscode.commands.executeCommand<MetricsPanel>('mlops.openMetrics', CHILDREN.map((n) => ({ sourceId, runId: ids[n] })));
    assert.ok(metrics);
    await metrics.whenReady();
    const held = await waitFor(async () => {
      const p = await metrics!.probe();
      const loss = p.charts.find((c) => c.metric === 'loss');
      return loss && loss.series.every((s) => s.points === 30) ? loss : undefined;
    }, 'the loss chart to hold 30 points of each run');
    assert.equal(held.series.length, 4);
    await askRunner('the user averages by params.lr and hides the runs', 'average', { field: 'param:lr', shot: 'e2e-metrics-group-mean.png', runsShot: 'e2e-metrics-group-mean-runs.png' });
  });
});
