import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import { containerCreateOptions } from '../../../src/core/hosts/workspaceSpec';
import type { PipelinesTreeProvider } from '../../../src/extension/views/pipelinesTree';

// "Run Stage in Workspace…" on the real local engine: a busybox workspace that mounts this
// folder at /workspace. busybox has no dvc, so the task must end with 127 (and say to
// install dvc in the image); a workspace without the project mounted is refused up front.
const LOCAL = 'This machine';
const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'];
const labels = { 'mlops.test': '1', 'mlops.test.owner': `e2e-stage-ws-${process.pid}-${randomBytes(3).toString('hex')}` };

describe('running a stage inside a workspace container', function () {
  this.timeout(90000);
  let engine: Docker | undefined;
  let image = 'local/busybox:1';
  const made: Docker.Container[] = [];
  let target: { uri: vscode.Uri; stage: string } | undefined;

  before(async function () {
    const dockerHost = vscode.workspace.getConfiguration('mlops').get<string>('docker.host', '');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!dockerHost.startsWith('unix://') || !folder) return this.skip();
    try {
      image = JSON.parse(fs.readFileSync(path.join(process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test', 'components.json'), 'utf8')).docker?.image ?? image;
    } catch {
      // the default image of up.sh
    }
    const api = await vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench')!.activate();
    const file = (await (api.views.pipelines as unknown as PipelinesTreeProvider).pipelines()).find((f) => f.stages.length);
    if (!file) return this.skip();
    target = { uri: file.uri, stage: file.stages[0].name };
    engine = new Docker({ socketPath: dockerHost.slice('unix://'.length) });
    for (const mounts of [[{ source: folder, target: '/workspace' }], []]) {
      const c = await engine.createContainer(containerCreateOptions({ image, ports: [], command: SLEEP, mounts, name: `e2e-stage-ws-${randomBytes(3).toString('hex')}` }, labels));
      await c.start();
      made.push(c);
    }
  });

  after(async () => {
    for (const c of made) await c.remove({ force: true }).catch(() => undefined);
    // The 127 run and the refusal show error toasts on purpose; the runner fails on leftovers.
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('runs dvc repro in the mounted project as a task: busybox has no dvc, so it ends with 127', async () => {
    const ended = new Promise<number | undefined>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the mlops-workspace task did not end within 60 s')), 60000);
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.definition.type !== 'mlops-workspace') return;
        sub.dispose();
        clearTimeout(timer);
        resolve(e.exitCode);
      });
    });
    const name = await vscode.commands.executeCommand<string | undefined>('mlops.runStageInWorkspace', target!.uri, target!.stage, { host: LOCAL, container: made[0].id });
    assert.match(name ?? '', new RegExp(`^dvc repro ${target!.stage} in `));
    assert.equal(await ended, 127);
  });

  it('refuses a workspace that does not mount the project, before starting a task', async () => {
    let started = false;
    const sub = vscode.tasks.onDidStartTask((e) => (started ||= e.execution.task.definition.type === 'mlops-workspace'));
    const name = await vscode.commands.executeCommand<string | undefined>('mlops.runStageInWorkspace', target!.uri, target!.stage, { host: LOCAL, container: made[1].id });
    sub.dispose();
    assert.equal(name, undefined);
    assert.equal(started, false);
  });
});
