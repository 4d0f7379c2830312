import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import type { MetricsPanel } from '../../../src/extension/panels/metricsPanel';
import type { RunRef } from '../../../src/extension/runs/runsModel';
import type { RunsNode, RunsTreeProvider } from '../../../src/extension/runs/runsTree';
import { waitFor } from '../waitFor';

// A window reload must bring the metrics panel back (its webview state + the serializer).
// A reload ends this extension host, so the suite only opens the panel, on the example's
// MLflow run, and leaves it open; once every suite is done the runner checks it drew,
// reloads the page and checks it again (test/e2e/panelChecks.mjs, metricsPanelAfterReload).
// Named to run late: the pipelines suite closes every editor. The panel then waits in a
// background tab, so the reload restores it when the runner brings it forward.

async function tree(): Promise<RunsTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.runs as unknown as RunsTreeProvider;
}

async function allRuns(t: RunsTreeProvider, node?: RunsNode): Promise<RunsNode[]> {
  const out: RunsNode[] = [];
  for (const child of await t.getChildren(node)) {
    if (child.kind === 'run') out.push(child);
    else out.push(...(await allRuns(t, child)));
  }
  return out;
}

describe('Metrics panel across a window reload', function () {
  this.timeout(120000);

  before(function () {
    // Needs the runs the example pipeline logged, and a browser to reload (not desktop VS Code).
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1' || !process.env.MLOPS_E2E_SHOT_READY || !process.env.MLOPS_E2E_RESULTS) return this.skip();
  });

  it("opens the metrics panel on the example's MLflow run and leaves it for the runner to reload", async () => {
    const t = await tree();
    const refs: RunRef[] = [];
    for (const n of await allRuns(t)) {
      if (n.kind !== 'run') continue;
      const ref = { sourceId: n.state.id, runId: n.run.id };
      const found = t.lookup(ref);
      if (ref.sourceId.startsWith('mlflow') && !('error' in found) && Object.keys(found.run.metrics).length) refs.push(ref);
    }
    assert.ok(refs.length, 'no MLflow run with metrics in the Runs view');
    const panel = await vscode.commands.executeCommand<MetricsPanel>('mlops.openMetrics', refs);
    assert.ok(panel, 'mlops.openMetrics opened no panel');
    await panel.whenReady();
    assert.ok(panel.metricNames.length, 'the panel shows no metric');
    const names = refs.map((r) => {
      const f = t.lookup(r);
      return 'error' in f ? r.runId : f.run.name || r.runId;
    });
    const file = path.join(path.dirname(process.env.MLOPS_E2E_RESULTS!), 'e2e-panels-reload.json');
    fs.writeFileSync(file, JSON.stringify({ runs: names, metrics: panel.metricNames }));
    // Behind another editor for the suites still to come (their browser steps click into
    // the editor area, which must not land in the webview); the runner brings it forward.
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await waitFor(() => !panel.panel.active, 'the metrics panel to go behind the new editor');
  });
});
