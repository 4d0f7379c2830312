import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import type { WorkspacesTreeProvider } from '../../../src/extension/workspaces/workspacesTree';
import { runnerAsker } from '../askRunner';

// "MLOps: Launch Workspace" as a user runs it: the runner (test/e2e/launchChecks.mjs) types
// into the command palette and walks the QuickPick steps in the browser, with one Back and
// one refused answer; Escape part-way must launch nothing. This suite checks on the real
// engine what the walk created. Each walk types an env var with a marker of its own, so
// the containers it made are told apart from every other suite's on the shared engine.
const LOCAL = 'This machine';
const SPEC_LABEL = 'mlops.spec';
// PID 1 ignores SIGTERM unless it traps it: without the trap every stop waits out Docker's 10 s.
const COMMAND = 'trap "exit 0" TERM; sleep 300 & wait';
// The first ask waits for the runner to finish its own checks of the views.
const askRunner = runnerAsker('launch', 180000);

async function tree(): Promise<WorkspacesTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.workspaces as unknown as WorkspacesTreeProvider;
}

describe('MLOps: Launch Workspace through the QuickPick in the browser (Back, a refused answer, Escape)', function () {
  this.timeout(240000);
  const cfg = () => vscode.workspace.getConfiguration('mlops');
  const markers: string[] = [];
  let image = 'local/busybox:1';
  let engine: Docker | undefined;
  let profilesBefore: unknown;

  /** Our workspaces on the engine whose launch typed `marker`. */
  const launchedWith = async (marker: string) =>
    (await engine!.listContainers({ all: true, filters: { label: ['mlops.workspace=1'] } })).filter((c) => (c.Labels[SPEC_LABEL] ?? '').includes(marker));

  before(function () {
    const dockerHost = cfg().get<string>('docker.host', '');
    if (!dockerHost.startsWith('unix://')) return this.skip(); // no components: no host to launch on
    if (!process.env.MLOPS_E2E_SHOT_READY) return this.skip(); // no browser to click through the QuickPick (desktop VS Code)
    engine = new Docker({ socketPath: dockerHost.slice('unix://'.length) });
    try {
      const c = JSON.parse(fs.readFileSync(path.join(process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test', 'components.json'), 'utf8'));
      image = c.docker?.image ?? image;
    } catch {
      // the default image name of up.sh
    }
    profilesBefore = cfg().get('workspaces.profiles');
  });

  after(async () => {
    if (!engine) return;
    // Only what a walk of this suite created, by its marker; the engine is shared.
    for (const m of markers) for (const c of await launchedWith(m)) await engine.getContainer(c.Id).remove({ force: true });
    await vscode.commands.executeCommand('mlops.refreshWorkspaces');
  });

  it('Escape at the ports step ends the flow: the QuickPick closes and no workspace is created', async () => {
    const marker = `e2e-launch-esc-${randomBytes(4).toString('hex')}`;
    markers.push(marker);
    await askRunner('Launch Workspace: Escape at step 7/9 closes the QuickPick and starts no launch', 'launch-escape', { host: LOCAL, image, env: `MLOPS_E2E_LAUNCH=${marker}` });
    assert.deepEqual(await launchedWith(marker), [], 'a workspace was created although the flow was cancelled');
  });

  it('walks host, image (going Back once), GPUs with the idle step (Back twice), limits (a refused memory limit first), env, ports, command and name; the workspace runs and is listed', async () => {
    const marker = `e2e-launch-${randomBytes(4).toString('hex')}`;
    markers.push(marker);
    await askRunner('Launch Workspace: the QuickPick walk (with the idle step and Back) launches a workspace that the Workspaces view lists', 'launch-walk', {
      host: LOCAL,
      image,
      env: `MLOPS_E2E_LAUNCH=${marker}`,
      command: COMMAND,
      shot: 'e2e-launch-quickpick.png',
      listedShot: 'e2e-launch-listed.png',
    });
    const made = await launchedWith(marker);
    assert.equal(made.length, 1, `expected one workspace from the walk, found ${made.length}`);
    const c = await engine!.getContainer(made[0].Id).inspect();
    assert.equal(c.Config.Image, image);
    assert.ok(c.State.Running, `the workspace is ${c.State.Status}`);
    assert.ok(c.Config.Env.includes(`MLOPS_E2E_LAUNCH=${marker}`), JSON.stringify(c.Config.Env));
    assert.deepEqual(c.Config.Cmd, ['sh', '-c', COMMAND]);
    assert.deepEqual(c.HostConfig.DeviceRequests ?? [], [], '"No GPU" was chosen');
    assert.deepEqual(c.HostConfig.Binds, [`${vscode.workspace.workspaceFolders![0].uri.fsPath}:/workspace`], 'the project folder is mounted at /workspace');
    assert.deepEqual(Object.keys(c.HostConfig.PortBindings ?? {}).sort(), ['6006/tcp', '8888/tcp'], 'the default ports were kept');
    assert.equal(c.HostConfig.Memory ?? 0, 0, 'the refused memory limit was cleared, so no limit');
    // 30 min was chosen at the idle step while a GPU was asked for; "No GPU" after it drops the limit.
    assert.equal(c.Config.Labels['mlops.idleStopMinutes'], undefined, 'an idle limit on a workspace without a GPU');
    const node = await (await tree()).findWorkspace(LOCAL, made[0].Id);
    assert.ok(node, `${c.Name} is not in the Workspaces view's model`);
    // No name at the last step: nothing saved as a profile.
    assert.deepEqual(cfg().get('workspaces.profiles'), profilesBefore);
  });
});
