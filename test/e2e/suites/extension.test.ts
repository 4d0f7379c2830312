import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';

const EXTENSION_ID = 'mlops.mlops-workbench';

async function api(): Promise<MlopsApi> {
  const ext = vscode.extensions.getExtension<MlopsApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.activate();
}

/** The labels VS Code would render for a provider's items, `depth` levels down. */
async function treeLabels(provider: vscode.TreeDataProvider<unknown>, depth = 1, element?: unknown): Promise<string[]> {
  const children = await provider.getChildren(element);
  assert.ok(Array.isArray(children), `getChildren(${element === undefined ? 'undefined' : '...'}) must answer an array`);
  const labels: string[] = [];
  for (const child of children) {
    const item = await provider.getTreeItem(child);
    labels.push((typeof item.label === 'string' ? item.label : item.label?.label) ?? '');
    if (depth > 1 && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) {
      labels.push(...(await treeLabels(provider, depth - 1, child)));
    }
  }
  return labels;
}

describe('MLOps Workbench in a real extension host', () => {
  it('is installed, activates and reports its activation timings', async () => {
    const ext = vscode.extensions.getExtension<MlopsApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    const { activation } = await ext.activate();
    assert.ok(ext.isActive);
    assert.equal(typeof activation.moduleLoadMs, 'number');
    assert.equal(typeof activation.activateMs, 'number');
    assert.ok(activation.moduleLoadMs > 0, `moduleLoadMs = ${activation.moduleLoadMs}`);
    assert.ok(activation.activateMs > 0, `activateMs = ${activation.activateMs}`);
  });

  it('registers every command it contributes', async () => {
    await api();
    const contributed: { command: string }[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands;
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('answers the Workspaces, Runs and Data views with an array', async () => {
    const { views } = await api();
    for (const name of ['workspaces', 'runs', 'data'] as const) {
      await treeLabels(views[name]).catch((err) => assert.fail(`${name}: ${err}`));
    }
  });

  it('loads the Models view on first use: a command run through its stand-in reaches the real one', async () => {
    await api();
    // The first run requires dist/lazy/modelsFeature.js and hands the call over; the second reaches the real command directly.
    await vscode.commands.executeCommand('mlops.refreshModels');
    await vscode.commands.executeCommand('mlops.refreshModels');
    await vscode.commands.executeCommand('mlops.models.focus');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(registered.has('mlops.model.serve') && registered.has('mlops.refreshModels'));
  });

  it('lists the stages of examples/dvc.yaml in the Pipelines view', async () => {
    const { views } = await api();
    // One dvc.yaml lists its stages at the top; several nest them under each file.
    const labels = await treeLabels(views.pipelines, 2);
    for (const stage of ['prepare', 'train', 'evaluate']) {
      assert.ok(labels.includes(stage), `stage ${stage} missing from Pipelines: [${labels.join(', ')}]`);
    }
  });
});
