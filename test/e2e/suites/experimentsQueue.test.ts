import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { runnerAsker } from '../askRunner';
import { waitFor } from '../waitFor';
import type { MlopsApi } from '../../../src/extension/api';
import type { RunNode, RunsNode, RunsTreeProvider } from '../../../src/extension/runs/runsTree';

// The DVC experiment queue on the example project, as a user drives it: "Queue Experiment…"
// from the palette with a grid of two train.alpha values (the form answered in the browser
// by test/e2e/queueChecks.mjs), "Start Queue Workers…" from the notification with one
// worker, then real `dvc queue` workers run both. The suite waits (polls the Runs view's
// listing, no fixed sleep) until both show FINISHED, then filters the view with MLflow's
// syntax through "Filter Runs…" and checks the tree.

const askRunner = runnerAsker('queue', 480000);
const PARAM = 'train.alpha';
// Values no other run of the example has: the two queued experiments are told apart by them.
const VALUES = ['0.00031', '0.0031'];

async function tree(): Promise<RunsTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.runs as unknown as RunsTreeProvider;
}

/** The DVC experiments of the grid, as the Runs view lists them. */
function gridRuns(t: RunsTreeProvider) {
  return t.allRuns().filter(({ ref, run }) => ref.sourceId.startsWith('dvc') && VALUES.includes(run.params[PARAM] ?? ''));
}

/** Every run node under `node`, depth first (sources → baselines → experiments). */
async function runNodesUnder(t: RunsTreeProvider, node?: RunsNode): Promise<RunNode[]> {
  const out: RunNode[] = [];
  const stack = await t.getChildren(node);
  while (stack.length) {
    const n = stack.shift()!;
    if (n.kind === 'run') out.push(n);
    stack.push(...(await t.getChildren(n)));
  }
  return out;
}

describe('Experiments lifecycle: DVC queue', function () {
  this.timeout(600000);

  before(async function () {
    // The example's pipeline ran in a sandbox (a git repo with dvc.lock): dvc can queue there.
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1') return this.skip();
    if (!(await askRunner('the runner is ready for the queue checks', 'hello', {}))) return this.skip(); // no browser to answer the form
  });

  after(async () => {
    await vscode.commands.executeCommand('mlops.runs.filter', '');
    // The sandbox is shared with the later suites (the Runs suite counts the DVC project's
    // runs): the experiments made here are removed again, with dvc itself.
    const t = await tree();
    const names = gridRuns(t).map((r) => r.run.name);
    const dvc = vscode.workspace.getConfiguration('mlops').get<string>('dvc.path', '') || 'dvc';
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (names.length && cwd) execFileSync(dvc, ['exp', 'remove', ...names], { cwd, stdio: 'pipe' });
    await t.refresh();
  });

  it('queues a grid of two experiments through the form, a worker runs both, and the Runs view shows them finished', async () => {
    const t = await tree();
    assert.equal(gridRuns(t).length, 0, 'the grid ran before');
    await askRunner(`the user queues ${PARAM} = ${VALUES.join(', ')} and starts one worker`, 'queue-grid', { param: PARAM, values: VALUES.join(','), size: 2, formShot: 'e2e-queue-form.png' });
    // Queued at once (the queue lists them), then each runs in the worker's own checkout.
    await waitFor(async () => (await t.refresh(), gridRuns(t).length === 2), 'the Runs view to list the two queued experiments', 60000);
    const states = new Set<string>();
    const finished = await waitFor(
      async () => {
        await t.refresh();
        const runs = gridRuns(t);
        for (const r of runs) states.add(r.run.status);
        if (runs.some((r) => r.run.status === 'FAILED')) throw new Error(`a queued experiment failed: ${JSON.stringify(runs.map((r) => [r.run.name, r.run.status]))}`);
        return runs.length === 2 && runs.every((r) => r.run.status === 'FINISHED') ? runs : undefined;
      },
      'both queued experiments to finish',
      480000,
    );
    assert.deepEqual(finished.map((r) => r.run.params[PARAM]).sort(), [...VALUES].sort());
    // Finished experiments carry the metrics the pipeline wrote.
    for (const r of finished) assert.ok(Object.keys(r.run.metrics).length > 0, `${r.run.name} has no metrics`);
    console.log(`    states seen: ${[...states].join(' → ')}`);
  });

  it("filters the Runs view with MLflow's syntax through Filter Runs…, and the tree shows only the match", async () => {
    const t = await tree();
    const filter = `params."${PARAM}" = '${VALUES[1]}'`;
    await askRunner('the user filters the Runs view', 'filter', { text: filter });
    const shown = await waitFor(async () => {
      const runs = (await runNodesUnder(t)).filter((n) => n.state.spec.kind.startsWith('dvc'));
      return runs.length === 1 ? runs : undefined;
    }, `the Runs view to show one DVC run for ${filter}`);
    assert.equal(shown[0].run.params[PARAM], VALUES[1]);
    assert.equal(shown[0].run.status, 'FINISHED');
    // Other stores' runs lack the param: MLflow's comparison with a missing key matches none.
    assert.equal((await runNodesUnder(t)).length, 1);
    await vscode.commands.executeCommand('mlops.runs.focus');
    await askRunner('the Runs view filtered to the queued experiment', 'shot', { shot: 'e2e-queue-filtered.png' });
  });
});
