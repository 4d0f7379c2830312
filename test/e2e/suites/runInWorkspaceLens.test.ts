import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import { containerCreateOptions, WORKSPACE_LABEL } from '../../../src/core/hosts/workspaceSpec';
import { waitFor as until } from '../waitFor';

// The "Run in workspace" lens of dvc.yaml, through the real language client: absent while
// no workspace of ours runs, there once one runs on the real local engine (after the
// Workspaces view refreshes, as a launch does), gone again when it is removed.
const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'];
const labels = { 'mlops.test': '1', 'mlops.test.owner': `e2e-ws-lens-${process.pid}-${randomBytes(3).toString('hex')}` };

describe('the Run in workspace code lens', function () {
  this.timeout(90000);
  let engine: Docker | undefined;
  let image = 'local/busybox:1';
  let container: Docker.Container | undefined;
  let uri: vscode.Uri;

  const lenses = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  const workspaceLenses = async () => (await lenses()).filter((l) => l.command?.command === 'mlops.runStageInWorkspace');
  const runningOurs = async () => (await engine!.listContainers({ filters: { label: [`${WORKSPACE_LABEL}=1`], status: ['running'] } })).length;

  before(async function () {
    const dockerHost = vscode.workspace.getConfiguration('mlops').get<string>('docker.host', '');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!dockerHost.startsWith('unix://') || !folder || !fs.existsSync(path.join(folder, 'dvc.yaml'))) return this.skip();
    try {
      image = JSON.parse(fs.readFileSync(path.join(process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test', 'components.json'), 'utf8')).docker?.image ?? image;
    } catch {
      // the default image of up.sh
    }
    engine = new Docker({ socketPath: dockerHost.slice('unix://'.length) });
    await (await vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench')!.activate()).languageClientReady();
    uri = vscode.Uri.file(path.join(folder, 'dvc.yaml'));
    await vscode.window.showTextDocument(uri);
    await until(async () => ((await lenses()).some((l) => l.command?.command === 'mlops.runStage') ? true : undefined), 'Run stage lenses on dvc.yaml');
  });

  after(async () => {
    await container?.remove({ force: true }).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows only while a workspace of ours runs, beside each stage`s Run stage', async () => {
    const before = await runningOurs();
    if (before === 0) {
      await vscode.commands.executeCommand('mlops.refreshWorkspaces');
      assert.deepEqual(await workspaceLenses(), [], 'no workspace runs: no Run in workspace lens');
    } else console.log(`      (${before} workspaces of ours run already: the "no lens without one" half is skipped)`);
    container = await engine!.createContainer(containerCreateOptions({ image, ports: [], command: SLEEP, mounts: [], name: `e2e-ws-lens-${randomBytes(3).toString('hex')}` }, labels));
    await container.start();
    await vscode.commands.executeCommand('mlops.refreshWorkspaces');
    const shown = await until(async () => {
      const l = await workspaceLenses();
      return l.length ? l : undefined;
    }, 'a Run in workspace lens once a workspace runs');
    assert.deepEqual(shown.map((l) => [l.command!.title, l.command!.arguments?.[1]]), ['prepare', 'train', 'evaluate'].map((s) => ['Run in workspace', s]));
    assert.equal(shown[0].command!.arguments?.[0], uri.toString());
    const runStage = (await lenses()).filter((l) => l.command?.command === 'mlops.runStage');
    assert.deepEqual(shown.map((l) => l.range.start.line), runStage.map((l) => l.range.start.line), 'on the same lines as Run stage');

    await container.remove({ force: true });
    container = undefined;
    if (before === 0) {
      await vscode.commands.executeCommand('mlops.refreshWorkspaces');
      // The engine is shared: another test's workspace may have started meanwhile.
      await until(async () => ((await workspaceLenses()).length === 0 || (await runningOurs()) > 0 ? true : undefined), 'the lens to go once no workspace runs');
    }
  });
});
