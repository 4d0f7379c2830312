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
import type { RunsTreeProvider } from '../../../src/extension/runs/runsTree';
import type { TableProbe } from '../../../src/protocol/experimentsTable';

// The experiments table on the example project (its pipeline ran: an mlflow.db run and DVC
// experiments) plus three runs MLflow's own client wrote into a file store beside it
// (test/e2e/panels/log_runs.py: baseline/sgd, wide/adam, live/adam still RUNNING). The
// user's part (typing the search, keys, the group select, the screenshot) is done by the
// runner in the browser (test/e2e/experimentsChecks.mjs); what the virtualised table then
// holds and draws, the suite asks the panel (a probe, MLOPS_E2E=1).

const run = promisify(execFile);
const NAMES = ['baseline', 'wide', 'live'];
const askRunner = runnerAsker('experiments');

async function tree(): Promise<RunsTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.runs as unknown as RunsTreeProvider;
}

/** Probes the table until `ok` holds; the error shows the last probe. */
async function untilProbe(table: ExperimentsPanel, ok: (p: TableProbe) => boolean, what: string): Promise<TableProbe> {
  let last: TableProbe | undefined;
  await waitFor(
    async () => {
      last = await table.probe();
      return ok(last);
    },
    what,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last probe: ${JSON.stringify(last)})`);
  });
  return last!;
}

describe('Experiments table', function () {
  this.timeout(180000);
  const repo = process.env.MLOPS_E2E_REPO ?? '';
  const python = path.join(repo, '.venv-peers', 'bin', 'python');
  const script = path.join(repo, 'test', 'e2e', 'panels', 'log_runs.py');
  let store = '';
  let ids: Record<string, string> = {};
  let table: ExperimentsPanel | undefined;

  before(async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !fs.existsSync(python)) return this.skip(); // no peers' venv to write real runs with
    await askRunner('the runner is ready for the experiments table checks', 'hello', {});
    store = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'e2e-experiments', 'mlruns');
    const { stdout } = await run(python, [script, 'create', store], { timeout: 90000 });
    ids = (JSON.parse(stdout.trim().split('\n').pop()!) as { runs: Record<string, string> }).runs;
    const t = await tree();
    const sourceId = `mlflow-file:${store}`;
    await waitFor(async () => {
      await t.refresh({ rediscover: true });
      return NAMES.every((n) => !('error' in t.lookup({ sourceId, runId: ids[n] })));
    }, 'the Runs view to list the three runs of e2e-experiments/mlruns');
  });

  after(async () => {
    table?.dispose();
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    if (store) {
      fs.rmSync(path.dirname(store), { recursive: true, force: true });
      await (await tree()).refresh({ rediscover: true });
    }
  });

  it('opens with a row for every run of every store, the name column first', async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    table = await vscode.commands.executeCommand<ExperimentsPanel>('mlops.openExperimentsTable');
    assert.ok(table, 'mlops.openExperimentsTable opened no panel');
    await table.whenReady();
    const p = await untilProbe(table, (q) => NAMES.every((n) => q.drawn.includes(n)), 'the table to draw the three MLflow runs');
    // The example project's mlflow.db run and its DVC experiments are rows too.
    assert.ok(p.rows >= 4, `only ${p.rows} rows`);
    assert.equal(p.columns[0], 'attr:name');
    for (const c of ['attr:status', 'param:optimizer', 'param:lr', 'metric:loss', 'metric:accuracy']) assert.ok(p.columns.includes(c), `no ${c} column: ${p.columns.join(', ')}`);
    assert.ok(!p.columns.some((c) => c.startsWith('tag:')), 'tags are hidden until chosen');
    assert.ok(p.domRows <= p.rows);
  });

  it("shows where a search goes wrong, then filters with MLflow's syntax", async function () {
    assert.ok(table);
    if (!(await askRunner('the user types an unfinished search', 'search', { text: 'params.optimizer = ' }))) return this.skip(); // no browser to type in
    const bad = await untilProbe(table, (q) => q.searchError !== null, 'the search error to show');
    assert.match(bad.searchError!, /^Column 20: expected a quoted string/);
    await askRunner('the user finishes the search', 'search', { text: "params.optimizer = 'adam'" });
    // Newest first (the default sort): live was started after wide.
    const p = await untilProbe(table, (q) => q.searchError === null && q.rows === 2, 'the search to leave the two adam runs');
    assert.deepEqual(p.drawn, ['live', 'wide']);
    assert.deepEqual(table.shownRunIds, [ids.live, ids.wide]);
    await askRunner('the user selects the first row with the keyboard', 'keys', { keys: ['Control+Home', 'Enter', 'ArrowDown'] });
    const sel = await untilProbe(table, (q) => q.selected.length === 1, 'Enter to select the first row');
    assert.ok(sel.selected[0].endsWith(`\n${ids.live}`), sel.selected[0]);
    await askRunner('the table filtered by the search (dark)', 'shot', { themeClass: 'vscode-dark', shot: 'e2e-experiments-table.png', editorShot: 'experiments-table-search.png' });
  });

  it('groups the runs by a param with a row per value', async function () {
    assert.ok(table);
    if (!(await askRunner('the user clears the search', 'search', { text: '' }))) return this.skip();
    await untilProbe(table, (q) => q.rows >= 4, 'the cleared search to bring every run back');
    await askRunner('the user groups by params.optimizer', 'group', { value: 'param:optimizer' });
    const p = await untilProbe(table, (q) => q.drawn.some((d) => d.includes('optimizer = adam')), 'the group rows');
    const groups = p.drawn.filter((d) => d.includes('optimizer = '));
    assert.deepEqual(groups.slice(0, 2), ['▾ optimizer = adam (2)', '▾ optimizer = sgd (1)']);
    await askRunner('the table grouped by optimizer (dark)', 'shot', { themeClass: 'vscode-dark', shot: 'e2e-experiments-grouped.png', editorShot: 'experiments-table.png' });
    await askRunner('the user ungroups', 'group', { value: '' });
    await untilProbe(table, (q) => !q.drawn.some((d) => d.includes('optimizer = ')), 'the groups to go');
  });
});
