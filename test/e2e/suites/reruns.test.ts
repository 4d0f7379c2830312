import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';

// "Run stage" as the code lens and the Pipelines view call it: a real `dvc repro -s`
// task in the example sandbox (after its pipeline ran), and the view follows.
describe('rerunning a stage from the extension', function () {
  this.timeout(120000);
  let api: MlopsApi;
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async function () {
    if (process.env.MLOPS_E2E_EXAMPLE_RAN !== '1') return this.skip(); // needs dvc and the ran pipeline
    api = await vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench')!.activate();
  });

  async function stageDescription(name: string): Promise<string> {
    const p = api.views.pipelines;
    const rows = (await p.getChildren(undefined)) ?? [];
    for (const row of rows) {
      const item = await p.getTreeItem(row);
      if (item.label === name) return String(item.description);
    }
    throw new Error(`no stage ${name} in the Pipelines view`);
  }

  async function until(what: string, cond: () => Promise<boolean>, ms = 30000) {
    const deadline = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('marks an edited stage changed, runs it as a task, and shows it up to date again', async () => {
    const script = path.join(folder(), 'src', 'evaluate.py');
    fs.appendFileSync(script, '\n# touched by the E2E rerun test\n');
    await until('evaluate to be marked changed', async () => (await stageDescription('evaluate')).startsWith('changed'));

    const ended = new Promise<number | undefined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the dvc repro task did not end within 90 s (did it start?)')), 90000);
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type === 'mlops-dvc') {
          sub.dispose();
          clearTimeout(timer);
          resolve(e.exitCode);
        }
      });
    });
    const started = new Promise<void>((resolve) => {
      const sub = vscode.tasks.onDidStartTask((e) => {
        if (e.execution.task.definition.type === 'mlops-dvc') {
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.commands.executeCommand('mlops.runStage', vscode.Uri.file(path.join(folder(), 'dvc.yaml')), 'evaluate');
    // The command returns once the task is launched, or at once with an error message.
    await Promise.race([started, new Promise((_, reject) => setTimeout(() => reject(new Error('no mlops-dvc task started (is mlops.dvc.path set?)')), 15000))]);
    assert.equal(await ended, 0, 'dvc repro -s evaluate failed; see the terminal output in the E2E logs');
    await until('evaluate to be up to date', async () => (await stageDescription('evaluate')).startsWith('up to date'));
    assert.ok((await stageDescription('train')).startsWith('up to date'));
  });
});
